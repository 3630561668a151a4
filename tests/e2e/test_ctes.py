"""An act's @CTES package in headless Chromium: the panel passes axe, fits a phone, the ZIP
downloads from its button, the acknowledgement is imported from its file."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from deliberations import services
from deliberations.models import Transmission
from tests.deliberations.conftest import make_council
from tests.deliberations.test_acknowledgement_import import aracte

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def decided(organization):
    organization.siren, organization.departement_code = "213401722", "034"
    organization.save()
    council = make_council(organization, 5)
    sitting = council.sitting()
    item = council.item(
        sitting, title="Convention de partenariat avec l’association « En lieu sûr »", subject_code="7.5"
    )
    council.attend(sitting, present=5)
    services.record_vote(
        user=council.clerk, deliberation=item, votes_for=5, votes_against=0, abstentions=0, not_voting=0
    )
    services.add_annex(
        user=council.clerk,
        deliberation=item,
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n" + b"x" * 100),
        title="Plan de financement",
    )
    return council, item


def test_package_panel_downloads_and_fits_a_phone(page, login, decided, accessibility_violations):
    council, item = decided
    login(council.clerk)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(item.get_absolute_url())
    panel = page.get_by_role("region", name="Paquet @CTES pour la préfecture")
    stem = "034-213401722-20240326-2024_001-DE"
    expect(panel).to_contain_text(f"99_AU-{stem}-1-1_2.pdf")
    # Every element of the panel and of the annexes' list fits the phone's width.
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('section[aria-labelledby=ctes-title] *, "
        "section[aria-labelledby=annex-title] *')).filter(e => e.getBoundingClientRect().right > 390)"
        ".map(e => e.tagName + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    assert wide == []
    assert accessibility_violations() == []
    with page.expect_download() as download:
        panel.get_by_role("link", name="Télécharger le paquet @CTES (ZIP)").click()
    assert download.value.suggested_filename == f"{stem}.zip"
    with open(download.value.path(), "rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert names == [f"{stem}-1-1_0.xml", f"99_DE-{stem}-1-1_1.pdf", f"99_AU-{stem}-1-1_2.pdf"]


def test_acknowledgement_imported_from_its_file(page, login, decided, tmp_path):
    from datetime import date

    council, item = decided
    services.sign(user=council.clerk, deliberation=item, signed_on=date(2024, 3, 27))
    services.record_transmission(user=council.clerk, deliberation=item, sent_on=date(2024, 3, 27))
    ar = tmp_path / "ar.xml"
    ar.write_bytes(aracte())
    login(council.clerk)
    page.goto(item.get_absolute_url())
    page.get_by_label("Ou le fichier de l'accusé (XML ARActe, ou l'acte en PDF tamponné)").set_input_files(str(ar))
    page.get_by_role("button", name="Importer l'accusé").click()
    expect(page.get_by_text("L'accusé de réception est enregistré.")).to_be_visible()
    assert Transmission.objects.get(deliberation=item).acknowledgement_id == "034-213401722-20240326-2024_001-DE"
