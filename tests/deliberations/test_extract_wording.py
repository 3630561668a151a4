"""The extract reads like the real ones: the collectivité with its article, the hour of the
sitting, the date of the convocation, the secrétaire de séance, the approved conventions in
both formats, and the préfecture's acknowledgement kept on one page."""

import time

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.models import User
from deliberations import demo, documents, wording
from deliberations.models import Deliberation
from documents.models import StoredDocument
from documents.rendering import html_to_pdf, render_html, shipped_html
from parties import demo as parties_demo
from tests.readers import docx_text, pdf_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Ville de Montpellier", "de la Ville de Montpellier"),
        ("Métropole Aix-Marseille-Provence", "de la Métropole Aix-Marseille-Provence"),
        ("Montpellier Méditerranée Métropole", "de Montpellier Méditerranée Métropole"),
        ("Département de l'Hérault", "du Département de l'Hérault"),
        ("Eurométropole de Strasbourg", "de l'Eurométropole de Strasbourg"),
        ("Aix-en-Provence", "d'Aix-en-Provence"),
        ("Le Havre", "du Havre"),
        ("Les Sables-d'Olonne", "des Sables-d'Olonne"),
        ("La Rochelle", "de La Rochelle"),
        ("Syndicat mixte du Bassin de Thau", "du Syndicat mixte du Bassin de Thau"),
    ],
)
def test_a_collectivite_is_written_with_its_article(name, written):
    assert wording.of_name(name) == written


@pytest.fixture
def montpellier():
    parties_demo.load()
    demo.load_montpellier(User.objects.get(username="admin"))
    return Deliberation.objects.get(number="v2024-067")


def _texts(deliberation):
    latest = StoredDocument.objects.filter(owner_id=deliberation.pk, kind="extract").order_by("-version")
    for stored in (latest.filter(format=fmt).first() for fmt in ("pdf", "docx")):
        data = stored.file.open("rb").read()
        raw = pdf_text(data) if stored.format == "pdf" else docx_text(data)
        text = " ".join(raw.replace("\u202f", " ").replace("\u00a0", " ").split())
        yield stored.format, text.replace(" :", ":")


def test_the_extract_names_the_sitting_as_registers_do(montpellier):
    from conventions import demo as conventions_demo

    conventions_demo.load()  # the FLAG ! convention, approved by v2024-067
    admin = User.objects.get(username="admin")
    documents.generate_extract(user=admin, deliberation=montpellier)
    formats = set()
    for fmt, text in _texts(montpellier):
        formats.add(fmt)
        assert "du Conseil municipal de la Ville de Montpellier" in text, fmt
        assert "de Ville de Montpellier" not in text, fmt
        assert "à 18 h 00" in text, fmt
        assert "légalement convoqués le 20 mars 2024" in text, fmt
        assert "Convention(s) approuvée(s)" in text and "FLAG" in text.split("Convention(s) approuvée(s)")[1], fmt
    assert formats == {"pdf", "docx"}


def test_a_territory_council_extract_names_its_secretary_its_way():
    """The other usual layout: NOM Prénom, "X donne pouvoir à Y", a report the council prend acte of."""
    parties_demo.load()
    admin = User.objects.get(username="admin")
    demo.load_aix_territory(admin)
    for number in ("2019_CT2_587", "2019_CT2_588"):
        deliberation = Deliberation.objects.get(number=number)
        documents.generate_extract(user=admin, deliberation=deliberation)
        secretary = deliberation.sitting.secretary
        expected = wording.person_name(secretary.first_name, secretary.last_name, "last_first")
        for fmt, text in _texts(deliberation):
            assert f"Secrétaire de séance: {expected}." in text, (number, fmt)
            assert "du Conseil de territoire du Pays d'Aix de la Métropole" in text, (number, fmt)
            assert "légalement convoqués le 5 décembre 2019" in text, (number, fmt)
            assert "à 17 h 30" in text, (number, fmt)
            assert "donne pouvoir à" in text, (number, fmt)
            present = text.split("Présents")[1].split("Absent")[0]
            assert " – " in present and ", " not in present, (number, fmt)
            if number == "2019_CT2_588":
                assert "prend acte de la communication" in text, fmt


def test_the_acknowledgement_block_never_splits(montpellier):
    context = documents.extract_context(montpellier)
    assert context["transmission"] is not None
    template = shipped_html("documents/extract.html")
    base = list(context["deliberation"]["operative_paragraphs"])
    started = time.monotonic()
    split = []
    # One more line of text each time moves the block down the page: across a page break at
    # some count (a page holds about fifty such lines).
    for extra in range(0, 60, 3):
        context["deliberation"]["operative_paragraphs"] = base + ["Considérant le rapport."] * extra
        reader = PdfReader(__import__("io").BytesIO(html_to_pdf(render_html(template, context))))
        pages = [page.extract_text() or "" for page in reader.pages]
        first = next(i for i, p in enumerate(pages) if "Accusé de réception" in p)
        last = next(i for i, p in enumerate(pages) if "Réception en Préfecture" in p)
        if first != last:
            split.append(extra)
        if time.monotonic() - started > 120:
            break
    assert split == []


def test_the_list_separator_is_a_wording_option(council, api_for, client_for):
    api = api_for(council.clerk)
    path = f"/assemblies/{council.assembly.pk}"
    answer = api.patch(path, {"list_separator": "dash"})
    assert answer.status_code == 200 and answer.json()["list_separator"] == "dash"
    assert api.patch(path, {"list_separator": "semicolon"}).status_code == 422
    client = client_for(council.clerk)
    url = reverse("deliberations:assembly_wording", args=[council.assembly.pk])
    assert "Séparateur des listes de noms" in client.get(url).content.decode()
    sitting = council.sitting()
    item = council.item(sitting)
    council.attend(sitting, present=6)
    context = documents.extract_context(Deliberation.objects.get(pk=item.pk))
    assert context["assembly"]["list_separator"] == " – "
    assert context["assembly"]["of_organization"] == "de la Ville de Testville"
