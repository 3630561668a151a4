"""Every kind of generated document, produced from the pages for a collectivité's objects and
read back (PDF with pypdf, DOCX with python-docx, the batch's ZIP member by member): each
names what it is about, and not one word of the other collectivité."""

from __future__ import annotations

import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from documents.models import DocumentBatch, DocumentKind, StoredDocument
from tests.canary.reading import document_text, zip_text
from tests.canary.world import Tenant, World, found

# Proofs and letters to print, made as PDF only: the état des envois and the paper convocations.
PDF_ONLY = {DocumentKind.SENDING_REPORT, DocumentKind.CONVOCATION_LETTERS}


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def generate_everything(t: Tenant, capture: Any, user: Any = None) -> None:
    """Every document a collectivité produces, asked for from its pages by its administrator
    (or by ``user``)."""
    o = t.objects
    client = client_of(user or t.admin)
    convention, amendment = o["convention"], o["amendment"]
    posts = [
        (reverse("conventions:action", args=[convention.pk, "documents"]), {}),
        (reverse("conventions:action", args=[o["noticed_convention"].pk, "letter"]), {}),
        (reverse("conventions:amendment_action", args=[convention.pk, amendment.number, "documents"]), {}),
        (reverse("conventions:meeting_action", args=[o["meeting"].pk, "documents"]), {}),
        (reverse("conventions:meeting_action", args=[o["coming_meeting"].pk, "documents"]), {}),
        (reverse("conventions:meeting_action", args=[o["programme_meeting"].pk, "documents"]), {}),
        (reverse("deliberations:action", args=[o["deliberation"].pk, "extrait"]), {}),
        (reverse("deliberations:action", args=[o["information"].pk, "extrait"]), {}),
        *(
            (reverse("deliberations:sitting_action", args=[o["sitting"].pk, "document"]), {"kind": kind})
            for kind in ("convocation", "deliberation_list", "minutes")
        ),
        (reverse("deliberations:sitting_action", args=[o["coming_sitting"].pk, "document"]), {"kind": "convocation"}),
        (reverse("deliberations:convocation_action", args=[o["mailed_sitting"].pk, "etat"]), {}),
    ]
    with capture(execute=True):
        for url, data in posts:
            response = client.post(url, data, follow=True)
            assert response.status_code == 200, url
            # The pages are Jinja2: the refusal, if any, is read where the layout prints it.
            errors = re.findall(r'<p class="message message--error">(.*?)</p>', response.content.decode(), re.S)
            assert not errors, (url, errors)


def expected_names(t: Tenant, document: StoredDocument) -> list[str]:
    """Words of the collectivité's own that a document of this kind must show."""
    o = t.objects
    organization = t.organization.name
    convention, amendment, meeting = o["convention"], o["amendment"], o["meeting"]
    deliberation, sitting = o["deliberation"], o["sitting"]
    names: dict[str, list[str]] = {
        DocumentKind.CONVENTION: [
            organization,
            convention.title,
            convention.reference,
            o["partner"].name,
            deliberation.number,
            *convention.obligations.values_list("description", flat=True),
            *convention.clauses.values_list("title", flat=True),
            t.people[0].last_name,
        ],
        DocumentKind.AMENDMENT: [organization, amendment.title, convention.reference, o["partner"].name],
        DocumentKind.TERMINATION_LETTER: [
            organization,
            o["noticed_convention"].reference,
            o["coordinator"].name,
        ],
        DocumentKind.COMMITTEE_CONVOCATION: [],
        DocumentKind.COMMITTEE_MINUTES: [o["committee"].name, meeting.minutes, o["decision"].text],
        DocumentKind.EXTRACT: [organization, o["assembly"].name],
        DocumentKind.DELIBERATION_LIST: [deliberation.number, deliberation.title, o["information"].number],
        DocumentKind.MINUTES: [deliberation.number, t.people[0].last_name],
        DocumentKind.CONVOCATION: [o["assembly"].name],
        DocumentKind.CONVOCATION_LETTERS: [o["assembly"].name, t.people[6].last_name],
        DocumentKind.SENDING_REPORT: [organization, o["assembly"].name, t.people[1].last_name, t.people[1].email],
        DocumentKind.PROXY: [o["assembly"].name, t.people[5].last_name, t.people[6].last_name],
    }
    expected = list(names[document.kind])
    if document.kind == DocumentKind.EXTRACT:
        owner = deliberation if document.owner_id == deliberation.pk else o["information"]
        expected += [owner.number, owner.title]
    if document.kind == DocumentKind.CONVOCATION and document.owner_id == o["coming_sitting"].pk:
        expected.append(o["agenda_item"].title)
    if document.kind == DocumentKind.COMMITTEE_CONVOCATION:
        owner = meeting if document.owner_id == meeting.pk else None
        owner = owner or (
            o["coming_meeting"] if document.owner_id == o["coming_meeting"].pk else o["programme_meeting"]
        )
        expected += [owner.committee.name, owner.location]
    if document.kind == DocumentKind.MINUTES and document.format == "pdf":
        expected.append(sitting.place)  # the shipped DOCX procès-verbal does not print the place
    if document.kind == DocumentKind.COMMITTEE_CONVOCATION and document.format == "pdf":
        # Rendered with the collectivité's own uploaded template, which prints its marker.
        expected.append(o["template_marker"])
    return expected


def read_documents(reader: Tenant, other: Tenant) -> tuple[set[str], list[str]]:
    """(kinds read, problems) over every stored document of the reader's collectivité."""
    problems, kinds = [], set()
    documents = StoredDocument.objects.filter(organization=reader.organization).order_by("pk")
    for document in documents:
        kinds.add(document.kind)
        text = document_text(document)
        flat = " ".join(text.split())
        label = f"{document.kind} {document.format} v{document.version} «{document.title}»"
        leaked = found(other.tag, text)
        if leaked:
            problems.append(f"LEAK in {label}: {leaked}")
        if document.kind != DocumentKind.OTHER:
            missing = [name for name in expected_names(reader, document) if " ".join(name.split()) not in flat]
            if missing:
                problems.append(f"{label} does not name {missing}")
    return kinds, problems


def test_every_document_kind_of_a_names_a_and_nothing_of_b(world: World, django_capture_on_commit_callbacks):
    a, b = world.a, world.b
    generate_everything(a, django_capture_on_commit_callbacks)
    kinds, problems = read_documents(a, b)
    assert not problems, "\n".join(problems)
    # Every kind the documents app knows was produced and read (a new kind must join here).
    assert kinds == set(DocumentKind.values) - {DocumentKind.OTHER}
    formats = set(StoredDocument.objects.filter(organization=a.organization).values_list("kind", "format"))
    assert {(kind, fmt) for kind in kinds - PDF_ONLY for fmt in ("pdf", "docx")} <= formats


def test_every_document_kind_of_b_names_b_and_nothing_of_a(world: World, django_capture_on_commit_callbacks):
    """The mirror: B's documents show B's canaries (the search above looks for real words)."""
    generate_everything(world.b, django_capture_on_commit_callbacks)
    kinds, problems = read_documents(world.b, world.a)
    assert not problems, "\n".join(problems)
    assert kinds == set(DocumentKind.values) - {DocumentKind.OTHER}


def test_documents_of_a_made_by_someone_of_both_collectivites_name_nothing_of_b(
    world: World, django_capture_on_commit_callbacks
):
    """A document is about its object's collectivité, not about its author's: made by an
    administrator of both A and B, A's documents still say nothing of B."""
    from core.models import Membership
    from core.roles import Role
    from tests.factories import UserFactory

    both = UserFactory(username="both", first_name="Dominique", last_name="Double", email="both@example.org")
    for tenant in (world.a, world.b):
        Membership.objects.create(user=both, organization=tenant.organization, role=Role.ADMINISTRATOR)
    before = set(StoredDocument.objects.values_list("pk", flat=True))
    generate_everything(world.a, django_capture_on_commit_callbacks, user=both)
    made = StoredDocument.objects.exclude(pk__in=before)
    assert made.exists() and not made.exclude(organization=world.a.organization).exists()
    kinds, problems = read_documents(world.a, world.b)
    assert not problems, "\n".join(problems)
    assert kinds == set(DocumentKind.values) - {DocumentKind.OTHER}


def test_the_batch_archive_of_a_sitting_holds_nothing_of_the_other(world: World) -> None:
    for reader, other in world.pairs():
        batch = DocumentBatch.objects.get(pk=reader["batch"].pk)
        assert batch.done == batch.total == 5, batch.error
        with batch.zip_file.open("rb") as handle:
            text = zip_text(handle.read())
        assert found(other.tag, text) == []
        assert reader["deliberation"].title in " ".join(text.split())


def test_a_signed_document_names_its_signatory_and_nothing_of_the_other(world: World) -> None:
    for reader, other in world.pairs():
        text = document_text(reader["signed_document"])
        assert found(other.tag, text) == []
        assert reader["convention"].title in " ".join(text.split())
        assert reader["signed_document"].signature_count == 1


def test_a_signature_is_trusted_only_by_the_collectivite_whose_authority_signed_it(world: World) -> None:
    """Verifying an uploaded PDF uses the reader's own trust anchors: B's signed document is
    not vouched for by B's authority when A's user checks it (B's anchors are B's)."""
    from core import services as core_services

    for reader, other in world.pairs():
        _token, key = core_services.create_api_token(user=reader.admin, name="vérification")
        api = Client(headers={"Authorization": f"Bearer {key}"})
        verdicts = {}
        for tenant in (reader, other):
            with tenant["signed_document"].file.open("rb") as handle:
                upload = SimpleUploadedFile("signed.pdf", handle.read(), content_type="application/pdf")
            answer = api.post("/api/v1/pdf-verifications", {"file": upload})
            assert answer.status_code == 200, answer.content
            verdicts[tenant.tag] = answer.json()
        (own,) = verdicts[reader.tag]["signatures"]
        (foreign,) = verdicts[other.tag]["signatures"]
        assert own["trusted"] is True and found(reader.tag, own["trust_anchor"])
        # Intact and valid (the file says so itself), but no anchor of B's vouches for it to A.
        assert foreign["intact"] is True and foreign["trusted"] is False
        assert found(other.tag, foreign["trust_anchor"]) == []
