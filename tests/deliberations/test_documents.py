"""The demo sittings and their documents, read back as a reader would."""

import io
from datetime import date

import pytest
from docx import Document

from core.models import User
from deliberations import demo, documents, selectors
from deliberations.models import Assembly, Deliberation, DeliberationState
from documents.models import StoredDocument
from parties import demo as parties_demo
from tests import readers

pytestmark = pytest.mark.django_db


@pytest.fixture
def montpellier():
    parties_demo.load()
    demo.load_montpellier(User.objects.get(username="admin"))


@pytest.fixture
def aix():
    parties_demo.load()
    demo.load_aix_territory(User.objects.get(username="admin"))


def _pdf_text(document: StoredDocument) -> str:
    with document.file.open("rb") as handle:
        data = handle.read()
    return " ".join(readers.pdf_text(data).split())


def _flat(text: str) -> str:
    """Text without the no-break spaces French typography puts before : ; ! ?"""
    text = text.replace("\u202f", " ").replace("\u00a0", " ")
    for mark in ":;!?":
        text = text.replace(f" {mark}", mark)
    return text


def _docx_text(document: StoredDocument) -> str:
    with document.file.open("rb") as handle:
        doc = Document(io.BytesIO(handle.read()))
    return " ".join(" ".join(p.text for p in doc.paragraphs).split())


def test_montpellier_demo_matches_the_seed_and_its_extract_reads_like_the_real_one(montpellier):
    deliberation = Deliberation.objects.get(number="v2024-067")
    assert deliberation.state == DeliberationState.ENFORCEABLE
    assert deliberation.published_on == date(2024, 4, 9) and deliberation.signed_on == date(2024, 4, 8)
    view = selectors.sitting_attendance(deliberation.sitting)
    item = view.for_item(deliberation)
    assert (item.members_in_office, item.present_count, item.represented_count) == (65, 35, 9)
    vote = deliberation.vote
    assert (vote.votes_for, vote.votes_against, vote.abstentions, vote.not_voting) == (44, 0, 0, 0)
    assert deliberation.transmission.acknowledgement_id == "034-213401722-20240326-262151-CC-1-1"
    demo.load()  # idempotent
    assert Deliberation.objects.filter(number="v2024-067").count() == 1
    assert Assembly.objects.count() == 2
    pdf = StoredDocument.objects.filter(owner_id=deliberation.pk, kind="extract", format="pdf").latest("version")
    text = _flat(_pdf_text(pdf))
    for expected in [
        "Délibération n° v2024-067",
        "Séance ordinaire du mardi 26 mars 2024",
        "L'an deux-mille-vingt-quatre et le vingt-six mars",
        "Extrait du registre des délibérations du Conseil municipal de la Ville de Montpellier",
        "sous la présidence de Monsieur le Maire, Michaël DELAFOSSE",
        "Nombre de membres en exercice : 65",
        "Protection de la population et tranquillité publique",
        "Julie FRÊCHE ayant donné pouvoir à Michaël DELAFOSSE",
        "Alban ZANCHIELLO ayant donné pouvoir à Sébastien COTE",
        "Annie YAGUE",
        "Monsieur Sébastien COTE, Adjoint au Maire, rapporte",
        "À l'issue d'un vote à main levée, la présente délibération est adoptée à l'unanimité.",
        "Pour : 44 voix",
        "Contre : 0 voix",
        "Abstention : 0 voix",
        "Ne prend pas part au vote : 0 voix",
        "Fait à Montpellier, le 8 avril 2024",
        "Pour extrait conforme",
        "Publiée le : 9 avril 2024",
        "Convention Ville - FLAG! 2024-2027.docx",
        "034-213401722-20240326-262151-CC-1-1",
        "Acte certifié exécutoire",
        "Envoi en Préfecture : 08/04/24",
        "Réception en Préfecture : 08/04/24",
    ]:
        assert _flat(expected) in text, expected
    docx = StoredDocument.objects.filter(owner_id=deliberation.pk, kind="extract", format="docx").latest("version")
    docx_text = _docx_text(docx)
    assert "Pour : 44 voix" in docx_text.replace("\u00a0", " ")
    assert "Julie FRÊCHE ayant donné pouvoir à Michaël DELAFOSSE" in docx_text


def test_territory_council_writes_its_own_way(aix):
    info = Deliberation.objects.get(number="2019_CT2_588")
    assert info.state == DeliberationState.ENFORCEABLE
    context = documents.extract_context(info)
    assert context["vote"] is None
    assert context["information_sentence"] == "Le conseil de territoire du Pays d'Aix prend acte de la communication."
    assert context["attendance"]["represented"][0]["text"] == "GHIGONETTO Patrick donne pouvoir à PELLENC Roger"
    pdf = StoredDocument.objects.filter(owner_id=info.pk, kind="extract", format="pdf").latest("version")
    text = _flat(_pdf_text(pdf))
    assert "prend acte de la communication" in text and "Pour :" not in text
    voted = Deliberation.objects.get(number="2019_CT2_587")
    assert voted.vote.result_text == "adoptée à la majorité des suffrages exprimés"


def test_sitting_documents_from_the_page(aix, client_for):
    from deliberations.models import Sitting

    sitting = Sitting.objects.get(assembly__name="Conseil de territoire du Pays d'Aix")
    client = client_for(User.objects.get(username="greffe-amp"))
    for kind in ("minutes", "deliberation_list", "convocation"):
        response = client.post(f"/deliberations/seances/{sitting.pk}/action/document/", {"kind": kind})
        assert response.status_code == 302
    minutes = StoredDocument.objects.get(owner_id=sitting.pk, kind="minutes", format="pdf")
    text = _flat(_pdf_text(minutes))
    assert "Procès-verbal" in text and "2019_CT2_587" in text and "prend acte de la communication" in text
    assert "GHIGONETTO Patrick donne pouvoir à PELLENC Roger" in text
    listing = _flat(_pdf_text(StoredDocument.objects.get(owner_id=sitting.pk, kind="deliberation_list", format="pdf")))
    for fragment in [
        "2019_CT2_587",
        "Adoptée à la majorité des",
        "(7 pour, 1 contre, 1",
        "2019_CT2_588",
        "Le conseil de",
    ]:
        assert fragment in listing, fragment
    convocation = _docx_text(StoredDocument.objects.get(owner_id=sitting.pk, kind="convocation", format="docx"))
    assert "Ordre du jour" in convocation and "Rapport d'activité 2018" in convocation
    page = client.get(sitting.get_absolute_url()).content.decode()
    assert "Procès-verbal" in page


def test_sitting_bundle_builds_every_document(aix):
    from deliberations.models import Sitting

    sitting = Sitting.objects.get(assembly__name="Conseil de territoire du Pays d'Aix")
    requests = list(documents.sitting_bundle(sitting_id=sitting.pk))
    assert [r.kind for r in requests] == ["convocation", "deliberation_list", "minutes", "extract", "extract"]
    assert requests[3].context["deliberation"]["number"] == "2019_CT2_587"


def test_bulk_generation_of_a_sitting_runs_as_a_batch(aix, django_capture_on_commit_callbacks):
    from deliberations.models import Sitting
    from documents.models import DocumentBatch

    sitting = Sitting.objects.get(assembly__name="Conseil de territoire du Pays d'Aix")
    clerk = User.objects.get(username="greffe-amp")
    with django_capture_on_commit_callbacks(execute=True):
        batch = documents.start_sitting_bundle(user=clerk, sitting=sitting)
    batch = DocumentBatch.objects.get(pk=batch.pk)
    assert (batch.done, batch.total) == (5, 5), batch.error
    assert batch.zip_file
    assert batch.documents.filter(kind="extract").count() == 4  # two extracts, PDF and DOCX


def test_an_extract_replays_only_its_item_and_says_the_same(council):
    """The extract reads the attendance of its own item (not the whole sitting's replay):
    arrivals, departures and proxies recorded at earlier items still count."""
    from deliberations import services

    sitting = council.sitting()
    items = [council.item(sitting, title=f"Point {n}") for n in range(1, 5)]
    council.attend(sitting, present=8, excused=1)
    people = council.people
    services.register_proxy(
        user=council.clerk, sitting=sitting, giver=people[8], holder=people[2], written_on=date(2024, 3, 25)
    )
    services.record_movement(
        user=council.clerk, sitting=sitting, person=people[3], deliberation=items[1], status="absent"
    )
    services.record_movement(
        user=council.clerk, sitting=sitting, person=people[9], deliberation=items[2], status="present"
    )
    whole = selectors.sitting_attendance(sitting)
    for item in items:
        item.refresh_from_db()
        alone = documents.extract_context(item)
        assert alone == documents.extract_context(item, view=whole)
    first, last = documents.extract_context(items[0])["attendance"], documents.extract_context(items[3])["attendance"]
    assert (first["present_count"], first["represented_count"]) == (8, 1)
    assert (last["present_count"], last["represented_count"]) == (8, 1)  # one left, one arrived
    assert people[3].last_name.upper() in " ".join(last["absent"]).upper()
    assert people[9].last_name.upper() in " ".join(last["present"]).upper()
