"""What the documents and reminders stages read of the conventions stage: the signed
conventions, avenants and comité meetings that own documents, and the deadlines
``conventions.deadlines`` would sync for them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bench.generator.base import Context

PARIS = ZoneInfo("Europe/Paris")


def document_owners(ctx: Context) -> Iterator[tuple[int, int, int, str, str, str, Any]]:
    from django.contrib.contenttypes.models import ContentType

    from conventions.models import Amendment, CommitteeMeeting, Convention

    orgs = [t.id for t in ctx.tenants]
    ct = ContentType.objects.get_for_model(Convention).pk
    for pk, org, ref, title, signed in (
        Convention.objects.filter(organization_id__in=orgs, signed_on__isnull=False)
        .order_by("-signed_on")
        .values_list("pk", "organization_id", "reference", "title", "signed_on")
        .iterator(chunk_size=5000)
    ):
        yield ct, pk, org, "convention", "pdf", f"{ref} — {title}", signed
    act = ContentType.objects.get_for_model(Amendment).pk
    for pk, org, ref, number, signed in (
        Amendment.objects.filter(convention__organization_id__in=orgs, signed_on__isnull=False)
        .values_list("pk", "convention__organization_id", "convention__reference", "number", "signed_on")
        .iterator(chunk_size=5000)
    ):
        yield act, pk, org, "amendment", "pdf", f"{ref} — avenant n° {number}", signed
    mct = ContentType.objects.get_for_model(CommitteeMeeting).pk
    for pk, org, name, day in (
        CommitteeMeeting.objects.filter(committee__organization_id__in=orgs, status="held")
        .values_list("pk", "committee__organization_id", "committee__name", "date")
        .iterator(chunk_size=5000)
    ):
        yield mct, pk, org, "committee_minutes", "pdf", f"Compte rendu — {name} — {day:%d/%m/%Y}", day


def deadlines(ctx: Context, Deadline: Any, handled: Callable[[Context, date, str], Any]) -> Iterator[Any]:
    """The deadlines ``conventions.deadlines`` syncs: end, renewal decision or notice, evaluations,
    obligations, termination, data withdrawal; comité meetings and their convocation."""
    from django.contrib.contenttypes.models import ContentType

    from conventions import rules
    from conventions.models import CommitteeMeeting, Convention, Evaluation, Obligation, TerminationNotice

    orgs = [t.id for t in ctx.tenants]
    lead = {t.id: 4 + (i % 3) for i, t in enumerate(ctx.tenants)}  # as the reminders stage's settings
    managers = {t.id: t.users.get("manager") for t in ctx.tenants}
    ct = ContentType.objects.get_for_model(Convention).pk
    live = ["signed", "active", "suspended", "termination_notified"]
    evaluations: dict[int, list[tuple[int, date]]] = {}
    for conv, number, due in Evaluation.objects.filter(
        convention__organization_id__in=orgs, held_on__isnull=True, convention__status__in=live[:3]
    ).values_list("convention_id", "number", "due_date"):
        evaluations.setdefault(conv, []).append((number, due))
    obligations: dict[int, list[tuple[int, date | None, str, date | None]]] = {}
    for conv, pk, first_due, recurrence, fulfilled in Obligation.objects.filter(
        convention__organization_id__in=orgs, convention__status__in=[*live, "draft", "legal_review", "approved"]
    ).values_list("convention_id", "pk", "first_due_date", "recurrence", "fulfilled_on"):
        obligations.setdefault(conv, []).append((pk, first_due, recurrence, fulfilled))
    notices = {
        conv: (eff, withdrawal)
        for conv, eff, withdrawal in TerminationNotice.objects.filter(convention__organization_id__in=orgs).values_list(
            "convention_id", "effective_date", "data_withdrawal_end"
        )
    }
    rows = Convention.objects.filter(organization_id__in=orgs).values_list(
        "pk",
        "organization_id",
        "status",
        "end_date",
        "renewal",
        "tacit_renewals_done",
        "tacit_renewals_allowed",
        "reference",
        "title",
    )
    for pk, org, status, end, renewal, done, allowed, reference, title in rows.iterator(chunk_size=5000):
        common = {"organization_id": org, "content_type_id": ct, "object_id": pk, "url": f"/conventions/{pk}/"}
        label = f"{reference} {title}"[:200]

        def make(key: str, kind: str, due: date, text: str, common: dict[str, Any] = common) -> Any:
            d = Deadline(
                key=key, kind=kind, due_date=due, title=text[:300], handled_at=handled(ctx, due, kind), **common
            )
            d.recipient_ids = (managers[common["organization_id"]],)  # the convention's manager
            return d

        if status in live and end:
            yield make("end", "convention_end", end, f"Fin de la convention {label}")
            if status != "termination_notified":
                if renewal != "tacit" or done >= allowed:
                    due = rules.renewal_decision_date(end, lead[org])
                    yield make("renewal-decision", "renewal_decision", due, f"Décider du renouvellement : {label}")
                else:
                    due = rules.tacit_renewal_notice_last_day(end, rules.Delay(3, rules.MONTHS))
                    yield make("notice-last-day", "notice_last_day", due, f"Dernier jour pour dénoncer : {label}")
        if status in live[:3]:
            for number, due in evaluations.get(pk, ()):
                yield make(f"evaluation-{number}", "evaluation", due, f"Évaluation annuelle n° {number} : {label}")
        for obligation, first_due, recurrence, fulfilled in obligations.get(pk, ()):
            if fulfilled and recurrence == "once":
                continue
            for index, due in enumerate(rules.obligation_due_dates(first_due, recurrence, end), start=1):
                if fulfilled and due <= fulfilled:
                    continue
                yield make(f"obligation-{obligation}-{index}", "obligation_due", due, f"Engagement : {label}")
        if pk in notices and status in ("termination_notified", "terminated"):
            effective, withdrawal = notices[pk]
            if effective and status == "termination_notified":
                yield make(
                    "termination-effective", "termination_effective", effective, f"Résiliation effective : {label}"
                )
            if withdrawal:
                yield make(
                    "data-withdrawal-end", "data_withdrawal_end", withdrawal, f"Fin du retrait des données : {label}"
                )
    mct = ContentType.objects.get_for_model(CommitteeMeeting).pk
    for pk, org, name, day, status in CommitteeMeeting.objects.filter(
        committee__organization_id__in=orgs, status__in=["planned", "convened"]
    ).values_list("pk", "committee__organization_id", "committee__name", "date", "status"):
        common = {
            "organization_id": org,
            "content_type_id": mct,
            "object_id": pk,
            "url": f"/conventions/reunions/{pk}/",
        }
        yield Deadline(key="meeting", kind="committee_meeting", due_date=day, title=f"Réunion du {name}", **common)
        if status == "planned":
            due = rules.committee_convocation_deadline(day, 15)
            yield Deadline(
                key="convocation",
                kind="committee_convocation",
                due_date=due,
                title=f"Convoquer le {name}",
                handled_at=handled(ctx, due, "committee_convocation"),
                **common,
            )
