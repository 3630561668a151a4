"""The convention as its page reads it (``selectors.convention_detail``): everything the page
shows in a constant number of queries, nothing read afterwards, and each collection kept to
the convention when chained."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import Http404

from conventions import selectors
from conventions.models import (
    Amendment,
    Annex,
    CommitteeMeeting,
    Convention,
    ConventionClause,
    Evaluation,
    MonitoringCommittee,
    Obligation,
    TerminationNotice,
)
from core.roles import Role
from reminders.models import Deadline
from tests.conventions.helpers import adopted_deliberation, draft, partner_of, signed
from tests.factories import member

pytestmark = pytest.mark.django_db


def _everything(legal_user, organization, act="V2024-067"):
    partner = partner_of(organization)
    convention = signed(legal_user, organization, partner=partner, title="Locaux partagés")
    parties = list(convention.parties.order_by("position"))
    for position, title in [(2, "Durée"), (1, "Objet")]:
        ConventionClause.objects.create(convention=convention, position=position, title=title, body="Texte")
    Obligation.objects.create(convention=convention, party=parties[1], description="Bilan annuel")
    Obligation.objects.create(convention=convention, party=parties[0], description="Versement")
    Amendment.objects.create(convention=convention, number=2, title="Deuxième")
    Amendment.objects.create(convention=convention, number=1, title="Premier")
    evaluation = Evaluation.objects.create(convention=convention, number=1, due_date=date(2025, 5, 2))
    Annex.objects.create(
        convention=convention,
        title="Plan",
        file="conventions/annexes/plan.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    Annex.objects.create(
        convention=convention,
        evaluation=evaluation,
        title="Bilan",
        file="conventions/annexes/bilan.pdf",
        content_type="application/pdf",
        size=20,
        sha256="1" * 64,
    )
    convention.followers.add(legal_user)
    convention.approving_deliberations.add(adopted_deliberation(organization, number=act))
    committee = MonitoringCommittee.objects.create(organization=organization, name="Comité", convention=convention)
    CommitteeMeeting.objects.create(committee=committee, date=date(2024, 9, 1))
    CommitteeMeeting.objects.create(committee=committee, date=date(2025, 3, 1))
    TerminationNotice.objects.create(convention=convention, given_by=parties[1], reason="Fin du projet")
    successor = draft(legal_user, organization, partner=partner, title="Locaux partagés, suite")
    Convention.objects.filter(pk=successor.pk).update(predecessor=convention)
    Convention.objects.filter(pk=convention.pk).update(
        predecessor=draft(legal_user, organization, partner=partner), manager=legal_user
    )
    return convention


# The convention with its organization, manager, programme and notice, then its parties,
# clauses, obligations, avenants, evaluations, annexes, followers, approving acts, successors
# and committees: one query each, whatever their number of rows.
DETAIL_QUERIES = 11


def test_the_detail_reads_everything_its_page_shows_in_constant_queries(
    legal_user, organization, django_assert_num_queries
):
    convention = _everything(legal_user, organization)
    predecessor = Convention.objects.get(pk=convention.pk).predecessor
    with django_assert_num_queries(DETAIL_QUERIES):
        read = selectors.convention_detail(legal_user, convention.pk)
    with django_assert_num_queries(0):
        assert read.pk == convention.pk and read.title == "Locaux partagés"
        assert read.predecessor_reference == predecessor.reference
        assert read.organization.name == organization.name
        assert read.manager.pk == legal_user.pk
        assert read.programme is None
        assert read.termination_notice_record.reason == "Fin du projet"
        parties = list(read.parties.all())
        assert [p.position for p in parties] == sorted(p.position for p in parties) and len(parties) == 2
        assert parties[0].organization_id == organization.pk
        assert all(p.signatory is None or p.signatory.person.formal_name for p in parties)
        assert [c.title for c in read.clauses.all()] == ["Objet", "Durée"]
        # Obligations by their party's position, as their model orders them.
        assert [o.description for o in read.obligations.all()] == ["Versement", "Bilan annuel"]
        assert [o.party.organization.name for o in read.obligations.all()] == [p.organization.name for p in parties]
        assert [a.title for a in read.amendments.all()] == ["Premier", "Deuxième"]
        assert [e.number for e in read.evaluations.all()] == [1]
        assert [a.title for a in read.annexes.all()] == ["Plan", "Bilan"]
        assert [str(u) for u in read.followers.all()] == [str(legal_user)]
        assert [d.number for d in read.approving_deliberations.all()] == ["V2024-067"]
        assert [s.title for s in read.successors.all()] == ["Locaux partagés, suite"]
        assert [(c.name, c.meeting_count) for c in read.committees.all()] == [("Comité", 2)]
        assert read.annexes.all()[0].file.url.endswith("plan.pdf")
    assert {e: [a.title for a in annexes] for e, annexes in selectors.evaluation_attachments(read).items()} == {
        read.evaluations.all()[0].pk: ["Bilan"]
    }


def test_the_deadlines_of_the_page(legal_user, organization):
    convention = _everything(legal_user, organization)
    rows = list(selectors.convention_deadlines(convention))
    expected = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Convention), object_id=convention.pk
    ).order_by("due_date", "id")
    assert rows == list(expected.values("due_date", "title"))
    assert rows and all(isinstance(row["due_date"], date) for row in rows)


def test_another_organizations_convention_is_not_found(legal_user, organization, other_organization):
    stranger = member(other_organization, Role.LEGAL)
    convention = draft(legal_user, organization)
    with pytest.raises(Http404):
        selectors.convention_detail(stranger, convention.pk)
    with pytest.raises(Http404):
        selectors.convention_detail(legal_user, 0)
    with pytest.raises(Http404):
        selectors.convention_record(stranger, convention.pk)


# Each collection of the detail and a relation to join when chained (users have none).
COLLECTIONS = {
    "parties": ("organization", "signatory__person"),
    "clauses": ("convention",),
    "obligations": ("party__organization",),
    "amendments": ("convention", "clause"),
    "evaluations": ("convention",),
    "annexes": ("evaluation",),
    "followers": (),
    "approving_deliberations": ("sitting", "assembly"),
    "successors": ("organization",),
    "committees": ("organization",),
}


def test_the_details_collections_keep_their_filter_when_chained(legal_user, organization, other_organization):
    """Issue 18: chained, a collection of the detail once read its whole table (another
    collectivité's parties and acts in a convention's document)."""
    ours = _everything(legal_user, organization)
    other_user = member(other_organization, Role.LEGAL)
    _everything(other_user, other_organization)  # the same collections, in another collectivité
    _everything(legal_user, organization, act="V2024-068")  # and in another convention of the same one
    read = selectors.convention_detail(legal_user, ours.pk)
    fresh = Convention.objects.get(pk=ours.pk)
    for name, related in COLLECTIONS.items():
        expected = sorted(getattr(fresh, name).values_list("pk", flat=True))
        assert expected, name
        prefetched = sorted(o.pk for o in getattr(read, name).all())
        assert prefetched == expected, name
        joined = getattr(read, name).select_related(*related) if related else getattr(read, name).defer("last_login")
        for chained in (
            joined,
            joined.all(),
            getattr(read, name).filter(pk__gt=0),
            getattr(read, name).order_by("-pk"),
            getattr(read, name).all().filter(pk__gt=0).order_by("pk"),
        ):
            assert sorted(o.pk for o in chained) == expected, name
            assert chained.count() == len(expected), name
    party_names = {p.organization.name for p in read.parties.select_related("organization", "signatory__person")}
    assert other_organization.name not in party_names


def test_the_api_record_is_the_conventions_alone(legal_user, organization, other_organization):
    convention = _everything(legal_user, organization)
    _everything(member(other_organization, Role.LEGAL), other_organization)
    record = selectors.convention_record(legal_user, convention.pk)
    fresh = Convention.objects.get(pk=convention.pk)
    assert record["id"] == convention.pk and record["organization_id"] == organization.pk
    assert [p["id"] for p in record["parties"]] == list(
        fresh.parties.order_by("position", "id").values_list("pk", flat=True)
    )
    assert record["parties"][0]["organization.name"] == organization.name
    assert record["partners"] == [p["organization.name"] for p in record["parties"][1:]]
    assert [c["title"] for c in record["clauses"]] == ["Objet", "Durée"]
    assert [o["description"] for o in record["obligations"]] == ["Versement", "Bilan annuel"]
    assert [a["number"] for a in record["amendments"]] == [1, 2]
    assert [e["number"] for e in record["evaluations"]] == [1]
    assert record["approving_deliberation_ids"] == list(fresh.approving_deliberations.values_list("pk", flat=True))
    assert record["follower_ids"] == [legal_user.pk]
    assert record["termination_notice"]["reason"] == "Fin du projet"
    assert record["get_status_display"] == fresh.get_status_display()
