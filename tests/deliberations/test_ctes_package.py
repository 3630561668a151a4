"""The act's @CTES package: its rules alone, then the ZIP read back (the actes:Acte message
parsed and validated against the schema, its values compared with the act, the files' names
and contents), the refusals, the annexes' types, the page and the API."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart
from lxml import etree

from core.errors import DomainError
from core.roles import Role
from deliberations import ctes, services
from deliberations.rules import ctes as rules
from tests.deliberations.test_acts import adopted  # noqa: F401  (fixture)
from tests.factories import member
from tests.readers import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)

A = f"{{{rules.NAMESPACE}}}"
TITLE = "Renouvellement de la convention « En lieu sûr » avec l’association FLAG ! — cœur de ville"


def _pdf(text: str) -> bytes:
    from documents.rendering import html_to_pdf

    return html_to_pdf(f"<html lang='fr'><body><p>{text}</p></body></html>")


# --- The rules alone ------------------------------------------------------------------------


def test_internal_number_is_mapped_visibly_or_refused():
    assert rules.internal_number("v2024-067") == "V2024_067"
    assert rules.internal_number("2019/CT2/587") == "2019_CT2_587"
    assert rules.internal_number("Délib. 12") == "DELIB__12"
    assert rules.internal_number("262151") == "262151"
    for bad in ("", "---", "DEL-2024-000000123"):
        with pytest.raises(DomainError) as refused:
            rules.internal_number(bad)
        assert refused.value.rule == rules.RULE_NUMBER
    assert rules.check_internal_number("2019_CT2_587") == "2019_CT2_587"
    with pytest.raises(DomainError):
        rules.check_internal_number("v2024-067")


def test_object_length_and_characters():
    assert rules.check_object("  Subvention\n à  l'association  ") == "Subvention à l'association"
    assert len(rules.check_object("x" * 499)) == 499
    for bad in ("", "   ", "x" * 500, "Objet\x0bcaché"):
        with pytest.raises(DomainError) as refused:
            rules.check_object(bad)
        assert refused.value.rule == rules.RULE_OBJECT


def test_matiere_split_into_codes():
    assert rules.matiere_codes("7.5") == [7, 5]
    assert rules.matiere_codes("1.1.2") == [1, 1, 2]
    assert rules.matiere_codes("7.10") == [7, 10]
    for bad in ("", "7", "1.2.3.4.5.6", "7.a"):
        with pytest.raises(DomainError):
            rules.matiere_codes(bad)


def test_identifier_and_file_names():
    identifier = rules.act_identifier(
        departement="034", siren="213401722", decided_on=date(2024, 3, 26), number="262151", nature="CC"
    )
    assert identifier == "034-213401722-20240326-262151-CC"
    assert rules.envelope_file_name(identifier) == "034-213401722-20240326-262151-CC-1-1_0.xml"
    assert (
        rules.piece_file_name(identifier, index=1, type_code="99_CO")
        == "99_CO-034-213401722-20240326-262151-CC-1-1_1.pdf"
    )
    assert rules.piece_file_name(identifier, index=2, type_code="99_AU").endswith("-CC-1-1_2.pdf")
    with pytest.raises(DomainError):
        rules.act_identifier(
            departement="034", siren="213401722", decided_on=date(2024, 3, 26), number="a-b", nature="DE"
        )
    with pytest.raises(DomainError):
        rules.act_identifier(
            departement="034", siren="213401722", decided_on=date(2024, 3, 26), number="1", nature="XX"
        )


def test_emitter_needs_siren_and_departement():
    assert rules.check_emitter(siren="213401722", departement="34", name="Montpellier") == ("213401722", "034")
    assert rules.check_emitter(siren="200054807", departement="02A", name="Ajaccio")[1] == "02A"
    with pytest.raises(DomainError) as refused:
        rules.check_emitter(siren="", departement="", name="Testville")
    assert "SIREN" in refused.value.message and "département" in refused.value.message


def test_size_limit_and_pdf_only():
    assert rules.check_package_size([100 * 1024 * 1024, 50 * 1024 * 1024]) == 150 * 1024 * 1024
    with pytest.raises(DomainError) as refused:
        rules.check_package_size([100 * 1024 * 1024, 50 * 1024 * 1024 + 1])
    assert refused.value.rule == rules.RULE_SIZE
    rules.check_pdf(name="plan.pdf", content_type="application/pdf")
    with pytest.raises(DomainError) as refused:
        rules.check_pdf(name="convention.docx", content_type="application/vnd.oasis.opendocument.text")
    assert "convention.docx" in refused.value.message and refused.value.rule == rules.RULE_FORMAT


def test_piece_types_per_nature_and_matiere():
    assert [t.code for t in rules.piece_types_for("DE", [7, 5])] == ["99_DE", "99_AU"]
    assert [t.code for t in rules.piece_types_for("CC", [1, 4])] == ["99_CO", "99_AU"]
    individual = [t.code for t in rules.piece_types_for("AI", [4, 1])]
    assert individual[0] == "99_AI" and "41_NC" in individual and individual[-1] == "99_AU"
    assert "41_NC" not in [t.code for t in rules.piece_types_for("AI", [7, 5])]
    assert rules.check_annex_type("99_AU", nature="DE", matieres=[7, 5], annex="Plan") == "99_AU"
    with pytest.raises(DomainError) as refused:
        rules.check_annex_type("99_CO", nature="DE", matieres=[7, 5], annex="Plan")
    assert "Plan" in refused.value.message and refused.value.rule == rules.RULE_TYPOLOGY
    with pytest.raises(DomainError):
        rules.check_type_code("9_AU")


def test_message_is_iso_8859_1_and_valid():
    message = ctes.act_message(
        ctes.ActMessage(
            decided_on=date(2024, 3, 26),
            number="V2024_067",
            nature="DE",
            matieres=[1, 1, 2],
            title="Café – œuvre d’été",
            classification_date=date(2019, 8, 29),
            document=ctes.Piece("99_DE-034-213401722-20240326-V2024_067-DE-1-1_1.pdf", 10),
            annexes=[],
        )
    )
    assert message.startswith(b"<?xml version='1.0' encoding='ISO-8859-1'?>")
    assert "Café".encode("iso-8859-1") in message and b"&#339;" in message  # é as one byte, œ as a reference
    root = etree.fromstring(message)
    ctes.schema().assertValid(root)
    assert root.find(f"{A}Objet").text == "Café – œuvre d’été"
    assert [root.find(f"{A}CodeMatiere{n}").get(f"{A}CodeMatiere") for n in (1, 2, 3)] == ["1", "1", "2"]
    assert root.find(f"{A}CodeMatiere4") is None


# --- The package read back ------------------------------------------------------------------


@pytest.fixture
def act(adopted):  # noqa: F811
    council, item = adopted
    services.update_deliberation  # noqa: B018  (the act is decided: its text is set below directly)
    type(item).objects.filter(pk=item.pk).update(title=TITLE, subject_code="7.5")
    item.refresh_from_db()
    services.add_annex(
        user=council.clerk,
        deliberation=item,
        upload=SimpleUploadedFile("plan.pdf", _pdf("Plan de financement")),
        title="Plan de financement",
    )
    services.add_annex(
        user=council.clerk,
        deliberation=item,
        upload=SimpleUploadedFile("convention.docx", b"PK\x03\x04" + b"x" * 50),
        title="Convention (Word)",
        transmitted=False,
    )
    return council, item


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_package_read_back_from_the_api(act, api_for):
    council, item = act
    response = api_for(council.clerk).get(f"/deliberations/{item.pk}/ctes-package")
    archive = _zip(response)
    stem = "034-213401722-20240326-2024_001-DE"
    assert f'filename="{stem}.zip"' in response["Content-Disposition"]
    assert archive.namelist() == [f"{stem}-1-1_0.xml", f"99_DE-{stem}-1-1_1.pdf", f"99_AU-{stem}-1-1_2.pdf"]

    raw = archive.read(f"{stem}-1-1_0.xml")
    assert re.match(rb"<\?xml version=['\"]1.0['\"] encoding=['\"]ISO-8859-1['\"]\?>", raw)
    assert "sûr".encode("iso-8859-1") in raw and b"&#339;" in raw and b"&#8217;" in raw
    root = etree.fromstring(raw)
    ctes.schema().assertValid(root)
    assert root.tag == f"{A}Acte"
    assert root.get(f"{A}Date") == "2024-03-26" == item.sitting.date.isoformat()
    assert root.get(f"{A}NumeroInterne") == "2024_001" and item.number == "2024-001"
    assert root.get(f"{A}CodeNatureActe") == "1"
    assert root.find(f"{A}CodeMatiere1").get(f"{A}CodeMatiere") == "7"
    assert root.find(f"{A}CodeMatiere2").get(f"{A}CodeMatiere") == "5"
    assert root.find(f"{A}CodeMatiere3") is None
    assert root.find(f"{A}Objet").text == TITLE
    assert root.find(f"{A}ClassificationDateVersion").text == "2019-08-29"
    assert root.find(f"{A}Document/{A}NomFichier").text == f"99_DE-{stem}-1-1_1.pdf"
    annexes = root.find(f"{A}Annexes")
    assert annexes.get(f"{A}Nombre") == "1"
    assert [n.text for n in annexes.iter(f"{A}NomFichier")] == [f"99_AU-{stem}-1-1_2.pdf"]
    assert root.find(f"{A}DocumentPapier").text == "N"
    # The order the schema fixes: the object before the classification's date.
    children = [etree.QName(c).localname for c in root]
    assert children.index("Objet") < children.index("ClassificationDateVersion") < children.index("Document")

    act_text = pdf_text(archive.read(f"99_DE-{stem}-1-1_1.pdf"))
    assert "2024-001" in act_text and "FLAG" in act_text
    assert archive.read(f"99_AU-{stem}-1-1_2.pdf") == item.annexes.get(title="Plan de financement").file.read()
    # Downloading changed nothing: no document stored, no transmission recorded.
    assert not hasattr(type(item).objects.get(pk=item.pk), "transmission")


def test_package_takes_the_signed_extract_and_the_recorded_transmission(act, api_for):
    council, item = act
    from deliberations.documents import generate_extract
    from documents.services import create_test_certificate, sign_document
    from parties.models import Signatory

    services.sign(user=council.clerk, deliberation=item, signed_on=date(2024, 3, 27))
    pdf = next(d for d in generate_extract(user=council.clerk, deliberation=item) if d.format == "pdf")
    signatory = Signatory.objects.get(organization=item.assembly.organization)
    certificate = create_test_certificate(organization=signatory.organization, signatory=signatory, passphrase="p")
    signed = sign_document(document=pdf, certificate=certificate, user=council.clerk, passphrase="p")
    # A newer produced extract does not replace the signed one as the act.
    generate_extract(user=council.clerk, deliberation=item)
    services.record_transmission(
        user=council.clerk, deliberation=item, sent_on=date(2024, 3, 28), nature="CC", internal_number="D2024_1"
    )
    with pytest.raises(DomainError):
        services.build_package(deliberation=item, nature="DE")
    archive = _zip(api_for(council.clerk).get(f"/deliberations/{item.pk}/ctes-package"))
    stem = "034-213401722-20240326-D2024_1-CC"
    assert archive.namelist()[:2] == [f"{stem}-1-1_0.xml", f"99_CO-{stem}-1-1_1.pdf"]
    assert archive.read(f"99_CO-{stem}-1-1_1.pdf") == signed.file.open("rb").read()
    root = etree.fromstring(archive.read(f"{stem}-1-1_0.xml"))
    assert (root.get(f"{A}NumeroInterne"), root.get(f"{A}CodeNatureActe")) == ("D2024_1", "4")


def test_refusals_name_the_rule_and_change_nothing(act, api_for, organization):
    council, item = act
    api = api_for(council.clerk)
    url = f"/deliberations/{item.pk}/ctes-package"

    type(item).objects.filter(pk=item.pk).update(title="x" * 500)
    refused = api.get(url)
    assert refused.status_code == 400 and refused.json()["rule"] == rules.RULE_OBJECT
    type(item).objects.filter(pk=item.pk).update(title=TITLE, subject_code="")
    assert "matière" in api.get(url).json()["detail"]
    type(item).objects.filter(pk=item.pk).update(subject_code="7.5")

    organization.siren = ""
    organization.save()
    refused = api.get(url)
    assert refused.status_code == 400 and refused.json()["rule"] == rules.RULE_EMITTER
    organization.siren = "213401722"
    organization.save()

    word = item.annexes.get(title="Convention (Word)")
    type(word).objects.filter(pk=word.pk).update(transmitted=True)
    refused = api.get(url)
    assert refused.status_code == 400 and "Convention (Word)" in refused.json()["detail"]
    assert refused.json()["rule"] == rules.RULE_FORMAT
    type(word).objects.filter(pk=word.pk).update(transmitted=False)

    assert api.get(f"{url}?nature=XX").status_code == 422
    assert api.get(url).status_code == 200


def test_number_that_cannot_be_mapped_is_refused(council_factory, organization, api_for):
    organization.siren, organization.departement_code = "213401722", "034"
    organization.save()
    council = council_factory(organization, 5, pattern="DELIBERATION-{year}-{seq:06}")
    sitting = council.sitting()
    item = council.item(sitting, title="Subvention", subject_code="7.5")
    council.attend(sitting, present=5)
    services.record_vote(
        user=council.clerk, deliberation=item, votes_for=5, votes_against=0, abstentions=0, not_voting=0
    )
    refused = api_for(council.clerk).get(f"/deliberations/{item.pk}/ctes-package")
    assert refused.status_code == 400 and refused.json()["rule"] == rules.RULE_NUMBER
    assert "DELIBERATION-2024-000001" in refused.json()["detail"]


def test_size_limit_checked_on_the_real_files(act, monkeypatch):
    _council, item = act
    monkeypatch.setattr(rules, "PACKAGE_MAX_BYTES", 1000)
    with pytest.raises(DomainError) as refused:
        services.build_package(deliberation=item)
    assert refused.value.rule == rules.RULE_SIZE


def test_package_is_scoped_to_the_organization(act, api_for, client_for, other_organization):
    _council, item = act
    outsider = member(other_organization, Role.ADMINISTRATOR)
    assert api_for(outsider).get(f"/deliberations/{item.pk}/ctes-package").status_code == 404
    assert client_for(outsider).get(f"/deliberations/{item.pk}/ctes.zip").status_code == 404


def test_annex_type_chosen_on_the_page_and_through_the_api(act, api_for, client_for, organization):
    council, item = act
    plan = item.annexes.get(title="Plan de financement")
    api = api_for(council.clerk)
    url = f"/deliberations/{item.pk}/annexes/{plan.pk}"
    assert api.patch(url, {"type_code": "99_ZZ"}).status_code == 400
    assert api.patch(url, {"type_code": "nope"}).status_code == 400
    assert api_for(member(organization, Role.VIEWER)).patch(url, {"type_code": "99_CO"}).status_code == 403
    changed = api.patch(url, {"type_code": "99_CO"})
    assert changed.status_code == 200 and changed.json()["type_code"] == "99_CO"
    # 99_CO is the act's type of a convention, not of a délibération's annex.
    refused = api.get(f"/deliberations/{item.pk}/ctes-package")
    assert refused.status_code == 400 and "99_CO" in refused.json()["detail"]

    client = client_for(council.clerk)
    page = client.post(
        f"/deliberations/{item.pk}/action/annexe-modifier/",
        {"annex": plan.pk, "type_code": "99_AU", "transmitted": "on"},
        follow=True,
    )
    assert page.status_code == 200 and "L&#39;annexe est modifiée." in page.content.decode()
    plan.refresh_from_db()
    assert (plan.type_code, plan.transmitted) == ("99_AU", True)

    # The Word annex made transmitted is refused by the package; made non-transmitted again, left out.
    word = item.annexes.get(title="Convention (Word)")
    assert api.patch(f"/deliberations/{item.pk}/annexes/{word.pk}", {"transmitted": True}).json()["transmitted"]
    assert api.get(f"/deliberations/{item.pk}/ctes-package").status_code == 400
    client.post(f"/deliberations/{item.pk}/action/annexe-modifier/", {"annex": word.pk, "type_code": "99_AU"})
    word.refresh_from_db()
    assert word.transmitted is False
    assert len(_zip(api.get(f"/deliberations/{item.pk}/ctes-package")).namelist()) == 3

    body = encode_multipart(
        "BoUnDaRy", {"file": SimpleUploadedFile("b.pdf", b"%PDF-1.7\n" + b"x" * 50), "type_code": "99_DE"}
    )
    created = api.post(f"/deliberations/{item.pk}/annexes", body, content_type="multipart/form-data; boundary=BoUnDaRy")
    assert created.status_code == 201 and created.json()["type_code"] == "99_DE"


def test_page_shows_the_package_and_downloads_it(act, client_for):
    council, item = act
    client = client_for(council.clerk)
    page = client.get(f"/deliberations/{item.pk}/").content.decode()
    stem = "034-213401722-20240326-2024_001-DE"
    assert stem in page and f"99_AU-{stem}-1-1_2.pdf" in page and f"{stem}-1-1_0.xml" in page
    assert "2024_001" in page and f"/deliberations/{item.pk}/ctes.zip" in page
    archive = _zip(client.get(f"/deliberations/{item.pk}/ctes.zip"))
    assert len(archive.namelist()) == 3

    type(item).objects.filter(pk=item.pk).update(subject_code="")
    page = client.get(f"/deliberations/{item.pk}/").content.decode()
    assert "ctes-refusal" in page and "matière" in page
    refused = client.get(f"/deliberations/{item.pk}/ctes.zip", follow=True)
    assert refused.redirect_chain and "matière" in refused.content.decode()


def test_demo_v2024_067_package_downloadable():
    """The demo's Montpellier act (a convention, CC, internal number 262151, matière 1.4):
    its package downloads from its page, named and valued as its page shows it."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from deliberations.models import Deliberation

    call_command("load_demo", verbosity=0)
    act = Deliberation.objects.get(number="v2024-067")
    client = Client()
    client.force_login(
        get_user_model().objects.get(username="admin"), backend="django.contrib.auth.backends.ModelBackend"
    )
    page = client.get(act.get_absolute_url()).content.decode()
    stem = "034-213401722-20240326-262151-CC"
    assert f"99_CO-{stem}-1-1_1.pdf" in page and f"99_AU-{stem}-1-1_2.pdf" in page
    archive = _zip(client.get(f"/deliberations/{act.pk}/ctes.zip"))
    assert archive.namelist() == [f"{stem}-1-1_0.xml", f"99_CO-{stem}-1-1_1.pdf", f"99_AU-{stem}-1-1_2.pdf"]
    root = etree.fromstring(archive.read(f"{stem}-1-1_0.xml"))
    ctes.schema().assertValid(root)
    assert (root.get(f"{A}Date"), root.get(f"{A}NumeroInterne"), root.get(f"{A}CodeNatureActe")) == (
        "2024-03-26",
        "262151",
        "4",
    )
    assert [root.find(f"{A}CodeMatiere{n}").get(f"{A}CodeMatiere") for n in (1, 2)] == ["1", "4"]
    assert root.find(f"{A}Objet").text == " ".join(act.title.split())
    assert "FLAG" in pdf_text(archive.read(f"99_CO-{stem}-1-1_1.pdf"))
    assert "FLAG" in pdf_text(archive.read(f"99_AU-{stem}-1-1_2.pdf"))


def test_nature_chosen_on_the_page_before_the_transmission(act, client_for):
    council, item = act
    client = client_for(council.clerk)
    page = client.get(f"/deliberations/{item.pk}/?nature=AU").content.decode()
    stem = "034-213401722-20240326-2024_001-AU"
    assert f"99_AU-{stem}-1-1_1.pdf" in page and "ctes.zip?nature=AU" in page
    archive = _zip(client.get(f"/deliberations/{item.pk}/ctes.zip?nature=AU"))
    assert archive.namelist()[1] == f"99_AU-{stem}-1-1_1.pdf"
    assert etree.fromstring(archive.read(f"{stem}-1-1_0.xml")).get(f"{A}CodeNatureActe") == "6"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda r: r.attrib.pop(f"{A}NumeroInterne"), "no internal number"),
        (lambda r: r.set("Date", r.attrib.pop(f"{A}Date")), "an unqualified attribute"),
        (lambda r: r.remove(r.find(f"{A}CodeMatiere2")), "one level of matière"),
        (lambda r: setattr(r.find(f"{A}Objet"), "text", "x" * 501), "an object of 501 characters"),
        (lambda r: r.append(r.find(f"{A}Objet")), "the object after the document"),
        (lambda r: r.set(f"{A}CodeNatureActe", "7"), "nature 7"),
        (lambda r: r.set(f"{A}NumeroInterne", "V2024_0670000000"), "a number of 16 characters"),
    ],
)
def test_schema_refuses_what_the_specification_refuses(change, why):
    message = ctes.act_message(
        ctes.ActMessage(
            decided_on=date(2024, 3, 26),
            number="V2024_067",
            nature="DE",
            matieres=[7, 5],
            title="Subvention",
            classification_date=date(2019, 8, 29),
            document=ctes.Piece("99_DE-034-213401722-20240326-V2024_067-DE-1-1_1.pdf", 10),
            annexes=[ctes.Piece("99_AU-034-213401722-20240326-V2024_067-DE-1-1_2.pdf", 10)],
        )
    )
    root = etree.fromstring(message)
    assert ctes.schema().validate(root)
    change(root)
    assert not ctes.schema().validate(root), why
