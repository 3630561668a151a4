"""The préfecture's acknowledgement imported from its file: the ARActe XML message or the
act's PDF stamped by the operator. Good, mismatched, malformed and malicious files."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart

from core.errors import DomainError
from core.roles import Role
from deliberations import ctes, services
from deliberations.models import DeliberationState, Transmission
from tests.deliberations.test_acts import adopted  # noqa: F401  (fixture)
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)

IDENTIFIER = "034-213401722-20240326-2024_001-DE"


def aracte(
    identifier: str = IDENTIFIER,
    received: str = "2024-03-28",
    number: str = "2024_001",
    nature: str = "1",
    decided: str = "2024-03-26",
    prolog: str = '<?xml version="1.0" encoding="ISO-8859-1"?>',
) -> bytes:
    return f"""{prolog}
<actes:ARActe xmlns:actes="http://www.interieur.gouv.fr/ACTES#v1.1-20040216"
  actes:IDActe="{identifier}" actes:DateReception="{received}">
  <actes:ActeRecu actes:Date="{decided}" actes:NumeroInterne="{number}" actes:CodeNatureActe="{nature}">
    <actes:CodeMatiere1 actes:CodeMatiere="7"/>
    <actes:CodeMatiere2 actes:CodeMatiere="5"/>
    <actes:Objet>Convention d'été</actes:Objet>
    <actes:ClassificationDateVersion>2019-08-29</actes:ClassificationDateVersion>
    <actes:Document><actes:NomFichier>99_DE-{identifier}-1-1_1.pdf</actes:NomFichier></actes:Document>
    <actes:Annexes actes:Nombre="0"/>
    <actes:DocumentPapier>N</actes:DocumentPapier>
  </actes:ActeRecu>
  <actes:ClassificationDateVersionEnCours>2019-08-29</actes:ClassificationDateVersionEnCours>
</actes:ARActe>
""".encode("iso-8859-1" if "ISO-8859-1" in prolog else "utf-8")


def stamped_pdf(text: str) -> bytes:
    from documents.rendering import html_to_pdf

    return html_to_pdf(f"<html lang='fr'><body><p>Délibération</p><p>{text}</p></body></html>")


@pytest.fixture
def transmitted(adopted):  # noqa: F811
    council, item = adopted
    services.sign(user=council.clerk, deliberation=item, signed_on=date(2024, 3, 27))
    services.record_transmission(user=council.clerk, deliberation=item, sent_on=date(2024, 3, 27))
    services.publish(user=council.clerk, deliberation=item, published_on=date(2024, 3, 27))
    item.refresh_from_db()
    return council, item


def _upload(api, item, data: bytes, name: str = "ar.xml", **fields):
    body = encode_multipart("BoUnDaRy", {"file": SimpleUploadedFile(name, data), **fields})
    return api.post(
        f"/deliberations/{item.pk}/acknowledgement/file", body, content_type="multipart/form-data; boundary=BoUnDaRy"
    )


def _transmission(item) -> Transmission:
    return Transmission.objects.get(deliberation=item)


def test_the_default_internal_number_is_the_packages(transmitted):
    _council, item = transmitted
    assert item.number == "2024-001" and _transmission(item).internal_number == "2024_001"


def test_aracte_message_recorded_through_the_api(transmitted, api_for):
    council, item = transmitted
    answer = _upload(api_for(council.clerk), item, aracte())
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["transmission"]["acknowledgement_id"] == IDENTIFIER
    assert body["transmission"]["received_on"] == "2024-03-28"
    assert body["state"] == DeliberationState.ENFORCEABLE and body["enforceable_on"] == "2024-03-28"
    transmission = _transmission(item)
    assert (transmission.acknowledgement_id, transmission.received_on) == (IDENTIFIER, date(2024, 3, 28))


def test_aracte_read_alone():
    found = ctes.read_acknowledgement_xml(aracte(prolog='<?xml version="1.0"?>'))
    assert (found.acknowledgement_id, found.received_on) == (IDENTIFIER, date(2024, 3, 28))
    assert (found.decided_on, found.number, found.nature) == (date(2024, 3, 26), "2024_001", "DE")
    bare = b'<actes:ARActe xmlns:actes="http://www.interieur.gouv.fr/ACTES#v1.1-20040216" IDActe="' + (
        IDENTIFIER.encode() + b'" DateReception="2024-03-29"/>'
    )
    assert ctes.read_acknowledgement_xml(bare).received_on == date(2024, 3, 29)
    assert ctes.read_acknowledgement_xml(aracte()).received_on == date(2024, 3, 28)
    # The message itself is valid against the schema the package is checked with.
    from lxml import etree

    ctes.schema().assertValid(etree.fromstring(aracte()))


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"identifier": "034-200054807-20240326-2024_001-DE"}, "SIREN 200054807"),
        ({"identifier": "013-213401722-20240326-2024_001-DE"}, "département 013"),
        ({"identifier": "034-213401722-20240326-2024_002-DE"}, "numéro 2024_002"),
        ({"identifier": "034-213401722-20240326-2024_001-CC"}, "nature CC"),
        ({"number": "2024_009"}, "numéro 2024_009"),
        ({"nature": "4"}, "nature CC"),
        ({"decided": "2024-03-25"}, "date 25/03/2024"),
        ({"received": "2024-03-20"}, "précéder l'envoi"),
    ],
)
def test_mismatched_acknowledgement_refused_and_nothing_recorded(transmitted, api_for, changes, words):
    council, item = transmitted
    answer = _upload(api_for(council.clerk), item, aracte(**changes))
    assert answer.status_code == 400, answer.json()
    assert words in answer.json()["detail"]
    transmission = _transmission(item)
    assert (transmission.acknowledgement_id, transmission.received_on) == ("", None)
    item.refresh_from_db()
    assert item.state == DeliberationState.PUBLISHED


@pytest.mark.parametrize(
    "data",
    [
        # External entity: would read the server's files.
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<actes:ARActe xmlns:actes="http://www.interieur.gouv.fr/ACTES#v1.1-20040216" '
        b'actes:IDActe="&xxe;" actes:DateReception="2024-03-28"/>',
        # Entity expansion ("billion laughs").
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<actes:ARActe xmlns:actes="http://www.interieur.gouv.fr/ACTES#v1.1-20040216" '
        b'actes:IDActe="&lol3;" actes:DateReception="2024-03-28"/>',
        # A remote DTD.
        b'<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://127.0.0.1:9/evil.dtd">'
        b'<actes:ARActe xmlns:actes="http://www.interieur.gouv.fr/ACTES#v1.1-20040216" '
        b'actes:IDActe="' + IDENTIFIER.encode() + b'" actes:DateReception="2024-03-28"/>',
    ],
    ids=["xxe", "billion-laughs", "remote-dtd"],
)
def test_malicious_xml_refused_unread(transmitted, api_for, data):
    council, item = transmitted
    answer = _upload(api_for(council.clerk), item, data)
    assert answer.status_code == 400
    assert "root:" not in answer.content.decode() and "lollol" not in answer.content.decode()
    assert _transmission(item).acknowledgement_id == ""


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<not xml", "XML lisible"),
        (b'<?xml version="1.0"?><Acte/>', "actes:ARActe"),
        (
            b'<actes:ARActe xmlns:actes="http://www.interieur.gouv.fr/ACTES#v1.1-20040216" '
            b'actes:IDActe="nope" actes:DateReception="2024-03-28"/>',
            "IDActe",
        ),
        (
            b'<actes:ARActe xmlns:actes="http://www.interieur.gouv.fr/ACTES#v1.1-20040216" '
            b'actes:IDActe="' + IDENTIFIER.encode() + b'" actes:DateReception="28/03/2024"/>',
            "AAAA-MM-JJ",
        ),
        (b"GIF89a....", "ni un accusé"),
        (b"%PDF-1.7\nnot really a pdf", "PDF"),
    ],
)
def test_bad_files_refused_with_a_message(transmitted, api_for, data, words):
    council, item = transmitted
    answer = _upload(api_for(council.clerk), item, data)
    assert answer.status_code == 400 and words in answer.json()["detail"], answer.json()
    assert _transmission(item).acknowledgement_id == ""


def test_stamped_pdf_recorded_from_its_text(transmitted, api_for):
    council, item = transmitted
    pdf = stamped_pdf(
        f"Accusé de réception en préfecture {IDENTIFIER}-1-1 Date de télétransmission : 27/03/2024 "
        f"Reçu en préfecture le 28/03/2024"
    )
    answer = _upload(api_for(council.clerk), item, pdf, name="acte-tamponne.pdf")
    assert answer.status_code == 200, answer.json()
    transmission = _transmission(item)
    # The act's identifier, as the ARActe message gives it (the stamp's "-1-1" names the file).
    assert (transmission.acknowledgement_id, transmission.received_on) == (IDENTIFIER, date(2024, 3, 28))


def test_stamped_pdf_without_the_day_asks_for_it(transmitted, api_for):
    council, item = transmitted
    api = api_for(council.clerk)
    pdf = stamped_pdf(f"ID : {IDENTIFIER}")
    asked = _upload(api, item, pdf, name="acte.pdf")
    assert asked.status_code == 400 and asked.json()["field"] == "received_on"
    recorded = _upload(api, item, pdf, name="acte.pdf", received_on="2024-03-29")
    assert recorded.status_code == 200, recorded.json()
    assert _transmission(item).received_on == date(2024, 3, 29)
    nothing = _upload(api, item, stamped_pdf("Aucun identifiant ici"), name="autre.pdf")
    assert nothing.status_code == 400 and "identifiant" in nothing.json()["detail"]


def test_import_checks_roles_scope_and_fields(transmitted, api_for, organization, other_organization):
    _council, item = transmitted
    assert _upload(api_for(member(organization, Role.VIEWER)), item, aracte()).status_code == 403
    assert _upload(api_for(member(other_organization, Role.ADMINISTRATOR)), item, aracte()).status_code == 404
    extra = _upload(api_for(member(organization, Role.CLERK)), item, aracte(), comment="x")
    assert extra.status_code == 422
    assert _transmission(item).acknowledgement_id == ""


def test_import_needs_the_transmission_recorded(adopted):  # noqa: F811
    council, item = adopted
    with pytest.raises(DomainError) as refused:
        services.import_acknowledgement(user=council.clerk, deliberation=item, data=aracte())
    assert "envoi" in refused.value.message


def test_import_from_the_page(transmitted, client_for):
    council, item = transmitted
    client = client_for(council.clerk)
    assert "ack-file" in client.get(f"/deliberations/{item.pk}/").content.decode()
    page = client.post(
        f"/deliberations/{item.pk}/action/accuse-fichier/",
        {"file": SimpleUploadedFile("ar.xml", aracte())},
        follow=True,
    )
    assert page.status_code == 200 and IDENTIFIER in page.content.decode()
    assert _transmission(item).acknowledgement_id == IDENTIFIER
