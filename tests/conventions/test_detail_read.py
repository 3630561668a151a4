"""The convention as its page reads it (``selectors.convention_detail``: SQL written once, one
round trip): the same objects as the ORM's prefetch, and nothing more read afterwards."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch
from django.http import Http404

from conventions import selectors
from conventions.models import (
    Amendment,
    Annex,
    CommitteeMeeting,
    Convention,
    ConventionClause,
    ConventionParty,
    Evaluation,
    MonitoringCommittee,
    Obligation,
    TerminationNotice,
)
from core import sql
from core.roles import Role
from reminders.models import Deadline
from tests.conventions.helpers import adopted_deliberation, draft, partner_of, signed
from tests.factories import member

pytestmark = pytest.mark.django_db


def _values(objects):
    fields = sql.fields_of(type(objects[0])) if objects else ()
    return [tuple(getattr(o, f) for f in fields) for o in objects]


def _everything(legal_user, organization):
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
    convention.approving_deliberations.add(adopted_deliberation(organization))
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


def test_the_page_reads_what_the_orm_prefetches(legal_user, organization, django_assert_num_queries):
    convention = _everything(legal_user, organization)
    read = selectors.convention_detail(legal_user, convention.pk, deadlines=True)
    orm = (
        Convention.objects.select_related(
            "organization", "manager", "programme", "termination_notice_record", "predecessor"
        )
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=ConventionParty.objects.select_related("organization", "signatory__person").order_by(
                    "position"
                ),
            ),
            "clauses",
            Prefetch("obligations", queryset=Obligation.objects.select_related("party__organization")),
            Prefetch("amendments", queryset=Amendment.objects.order_by("number")),
            Prefetch("evaluations", queryset=Evaluation.objects.order_by("number")),
            "annexes",
            "followers",
            "approving_deliberations",
            "successors",
            Prefetch("committees", queryset=MonitoringCommittee.objects.annotate(meeting_count=Count("meetings"))),
        )
        .get(pk=convention.pk)
    )
    with django_assert_num_queries(0):
        assert _values([read]) == _values([orm])
        assert read.predecessor_reference == orm.predecessor.reference
        assert _values([read.organization]) == _values([orm.organization])
        assert read.manager.pk == orm.manager.pk and str(read.manager) == str(orm.manager)
        assert read.programme is None and orm.programme is None
        assert _values([read.termination_notice_record]) == _values([orm.termination_notice_record])
        for name in ("parties", "clauses", "obligations", "amendments", "evaluations", "annexes", "committees"):
            assert _values(list(getattr(read, name).all())) == _values(list(getattr(orm, name).all())), name
            assert getattr(read, name).all(), name  # every collection has rows here
        assert [c.meeting_count for c in read.committees.all()] == [2]
        assert [c.title for c in read.clauses.all()] == ["Objet", "Durée"]
        assert [o.party.organization.name for o in read.obligations.all()] == [
            o.party.organization.name for o in orm.obligations.all()
        ]
        assert [(p.organization.name, p.signatory and p.signatory.person.formal_name) for p in read.parties.all()] == [
            (p.organization.name, p.signatory and p.signatory.person.formal_name) for p in orm.parties.all()
        ]
        assert [str(u) for u in read.followers.all()] == [str(u) for u in orm.followers.all()]
        assert [d.number for d in read.approving_deliberations.all()] == ["V2024-067"]
        assert [s.reference for s in read.successors.all()] == [s.reference for s in orm.successors.all()]
        assert read.annexes.all()[0].file.url == orm.annexes.all()[0].file.url
    deadlines = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Convention), object_id=convention.pk
    )
    assert read.deadline_rows == list(deadlines.order_by("due_date", "id").values("due_date", "title"))
    assert read.deadline_rows and all(isinstance(row["due_date"], date) for row in read.deadline_rows)


def test_another_organizations_convention_is_not_found(legal_user, organization, other_organization):
    stranger = member(other_organization, Role.LEGAL)
    convention = draft(legal_user, organization)
    with pytest.raises(Http404):
        selectors.convention_detail(stranger, convention.pk)
    with pytest.raises(Http404):
        selectors.convention_detail(legal_user, 0)


def test_the_page_reads_its_panels_and_badge_with_the_convention(rf, legal_user, organization):
    """``core.panels.reads`` sent with the convention give the documents and history panels
    (and the unread count) as each read alone gives them."""
    from conventions import services
    from core import history, panels
    from documents import selectors as documents

    convention = draft(legal_user, organization, title="Avant")
    services.update_convention(user=legal_user, convention=convention, title="Après")
    request = rf.get("/")
    request.user = legal_user
    read = selectors.convention_detail(
        legal_user, convention.pk, panels=panels.reads(request, type(convention), convention.pk)
    )
    assert read.__dict__[panels.DOCUMENTS] == documents.panel(legal_user, convention)
    alone = history.panel(convention)
    assert read.__dict__[panels.HISTORY] == alone and len(alone["entries"]) == 2
    assert "Après" in str(alone["entries"][0].changes) and request._unread_notifications == 0
