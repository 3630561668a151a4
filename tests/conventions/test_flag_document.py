"""Regression (issue 18): the FLAG-2024 convention of the demo, as its page hands it to its
documents, names its own two parties and its one approving deliberation, and nothing of the
other collectivités loaded with it (the detail once read whole tables when chained)."""

import io

import docx
import pytest
from django.core.management import call_command

from conventions import documents, selectors
from conventions.models import Convention, ConventionParty
from core.models import User
from deliberations.models import Deliberation
from documents.models import StoredDocument
from parties.models import Organization
from tests import readers

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)
    flag = Convention.objects.get(reference="FLAG-2024")
    user = User.objects.get(username="admin")
    return flag, user


def _strangers(flag: Convention) -> dict[str, list[str]]:
    """What belongs to the other collectivités of the demo: their organizations' names (but the
    parties of FLAG-2024), their conventions' references and their deliberations' numbers."""
    parties = set(flag.parties.values_list("organization_id", flat=True))
    others = Organization.objects.exclude(pk__in=parties).exclude(pk=flag.organization_id)
    return {
        "organizations": [o.name for o in others.filter(conventions__isnull=False).distinct()]
        + [
            p.organization.name
            for p in ConventionParty.objects.exclude(convention=flag).select_related("organization")
            if p.organization_id not in parties
        ],
        "conventions": list(Convention.objects.exclude(pk=flag.pk).values_list("reference", flat=True)),
        "deliberations": list(
            Deliberation.objects.exclude(approved_conventions=flag)
            .exclude(number="")
            .filter(approved_conventions__isnull=False)
            .values_list("number", flat=True)
        ),
    }


def _assert_only_flag(text: str, flag: Convention, strangers: dict[str, list[str]]) -> None:
    for party in flag.parties.select_related("organization"):
        assert party.organization.name in text
    assert "v2024-067" in text
    for kind, names in strangers.items():
        for name in names:
            assert name not in text, (kind, name)


def test_the_document_context_names_exactly_its_two_parties_and_its_deliberation(demo):
    flag, user = demo
    assert flag.parties.count() == 2
    strangers = _strangers(flag)
    assert strangers["organizations"] and strangers["conventions"]  # the demo has other collectivités
    convention = selectors.convention_detail(user, flag.pk)
    context = documents.convention_context(convention)
    expected = [p.organization.name for p in flag.parties.select_related("organization").order_by("position")]
    assert [p["name"] for p in context["parties"]] == expected
    assert [s["function"].split(" — ")[-1] for s in context["signatures"]] == expected
    assert len(context["approvals"]) == 1 and "v2024-067" in context["approvals"][0]
    assert {o["party"] for o in context["obligations"]} <= {
        p.designation or p.organization.name for p in flag.parties.select_related("organization")
    }
    assert sum(len(o["items"]) for o in context["obligations"]) == flag.obligations.count() == 7
    _assert_only_flag(repr(context), flag, strangers)


def _pdf_text(data: bytes) -> str:
    return readers.pdf_text(data)


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_generated_pdf_and_docx_name_only_its_parties_and_deliberation(demo, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    flag, user = demo
    strangers = _strangers(flag)
    client.force_login(user)
    response = client.post(f"/conventions/{flag.pk}/action/documents/")
    assert response.status_code == 302
    generated = {d.format: d for d in StoredDocument.objects.for_owner(flag).filter(kind="convention")}
    assert set(generated) == {"pdf", "docx"}
    for fmt, read in (("pdf", _pdf_text), ("docx", _docx_text)):
        with generated[fmt].file.open("rb") as handle:
            text = " ".join(read(handle.read()).split())
        _assert_only_flag(text, flag, strangers)


def test_every_demo_conventions_documents_name_only_its_own(demo):
    """The same for each convention of the demo and the avenants' documents, for a user who is
    a member of every collectivité of the demo."""
    _flag, user = demo
    for convention in Convention.objects.all():
        read = selectors.convention_detail(user, convention.pk)
        own = {p.organization.name for p in convention.parties.select_related("organization")}
        others = {
            p.organization.name
            for p in ConventionParty.objects.exclude(convention__organization=convention.organization).select_related(
                "organization"
            )
        } - own
        references = set(Convention.objects.exclude(pk=convention.pk).values_list("reference", flat=True))
        contexts = [documents.convention_context(read)]
        contexts += [documents.amendment_context(a) for a in convention.amendments.select_related("convention")]
        assert others and references
        for context in contexts:
            text = repr(context)
            assert {p["name"] for p in context["parties"]} == own, convention.reference
            for name in others | {r for r in references if r not in convention.reference}:
                assert name not in text, (convention.reference, name)
