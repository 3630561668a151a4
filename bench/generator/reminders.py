"""Stage 5: the deadlines the domain services would have synced for ten years of data,
per-organization reminder settings and user preferences.

Deadlines follow ``deliberations.deadlines`` (sittings: convocation, the sitting, list and
minutes publication; deliberations: end of the recours period) and the conventions'
(end, notice, evaluations, obligations, comités), with the same keys, kinds, roles and
dates. Past deadlines that call for an action were handled by someone (``handled_at``),
except a few left overdue, as in a real service; events are never "handled".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse

from bench.generator import base
from bench.generator.base import Context

CLERK_ROLES = ",admin,clerk,"
PARIS = ZoneInfo("Europe/Paris")


def ready() -> bool:
    return base.model("reminders.Deadline") is not None


def url_for(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def run(ctx: Context) -> None:
    from reminders.models import EVENT_KINDS, Deadline, EmailMode, ReminderSettings, UserPreference
    from reminders.rules import join_ids

    rng = ctx.rng
    settings_rows = [
        ReminderSettings(organization_id=t.id, digest_by_default=t.kind == "epci", renewal_lead_months=4 + (i % 3))
        for i, t in enumerate(ctx.tenants)
    ]
    base.bulk_quiet(ReminderSettings, settings_rows)
    prefs = []
    for tenant in ctx.tenants:
        for role, user_id in tenant.users.items():
            mode = EmailMode.DIGEST if role in ("clerk", "legal") else EmailMode.DEFAULT
            prefs.append(UserPreference(user_id=user_id, email_mode=mode))
    base.bulk_quiet(UserPreference, prefs)
    ctx.count("reminder settings", len(settings_rows))
    total = 0
    handled_by = {t.id: t.users.get("clerk") for t in ctx.tenants}
    through = Deadline.recipients.through
    links = 0
    for batch in base.batched(_deadlines(ctx), 5000):
        for d in batch:
            if d.handled_at is not None and d.kind not in EVENT_KINDS:
                d.handled_by_id = handled_by[d.organization_id]
            d.recipient_ids_text = join_ids(uid for uid in getattr(d, "recipient_ids", ()) if uid)
        Deadline.objects.bulk_create(batch, batch_size=5000)
        rows = [through(deadline_id=d.pk, user_id=uid) for d in batch for uid in getattr(d, "recipient_ids", ()) if uid]
        through.objects.bulk_create(rows, batch_size=5000)
        links += len(rows)
        total += len(batch)
    ctx.count("deadlines", total)
    ctx.count("deadline recipients (named)", links)
    del rng


def _handled(ctx: Context, due: date, kind: str) -> datetime | None:
    """A past deadline that called for an action was handled, except about 2 % left overdue;
    a past event was closed the day after."""
    from reminders.models import EVENT_KINDS

    if due >= base.REFERENCE_DAY:
        return None
    if kind in EVENT_KINDS:  # closed by the daily run after it took place
        return datetime.combine(due + timedelta(days=1), time(0, 30), tzinfo=PARIS)
    if ctx.rng.random() < 0.02:
        return None
    return datetime.combine(due - timedelta(days=ctx.rng.randint(0, 10)), time(10, 0), tzinfo=PARIS)


def _deadlines(ctx: Context) -> Iterator[Any]:
    from reminders.models import Deadline

    if base.model("deliberations.Sitting") is not None:
        yield from _sitting_deadlines(ctx, Deadline)
    if base.model("conventions.Convention") is not None:
        from bench.generator import convention_outputs as conventions

        yield from conventions.deadlines(ctx, Deadline, _handled)


def _sitting_deadlines(ctx: Context, Deadline: Any) -> Iterator[Any]:
    from deliberations import rules
    from deliberations.models import Deliberation, Sitting, SittingState

    sitting_ct = ContentType.objects.get_for_model(Sitting)
    deliberation_ct = ContentType.objects.get_for_model(Deliberation)
    bench_orgs = [t.id for t in ctx.tenants]
    sittings = Sitting.objects.filter(assembly__organization_id__in=bench_orgs).values_list(
        "pk",
        "assembly__organization_id",
        "assembly__name",
        "starts_at",
        "state",
        "place",
        "list_published_on",
        "minutes_approved_on",
        "minutes_published_on",
        "assembly__organization__population",
        "assembly__organization__kind",
    )
    from django.utils import timezone

    from core.formatting import french_date

    for pk, org, assembly, starts_at, state, place, list_on, approved_on, minutes_on, population, kind in sittings:
        day = timezone.localtime(starts_at).date()
        label = f"{assembly} du {french_date(day)}"
        url = url_for("deliberations:sitting_detail", pk)
        common = {"organization_id": org, "content_type_id": sitting_ct.pk, "object_id": pk, "url": url}
        common["recipient_roles_text"] = CLERK_ROLES
        if state == SittingState.PLANNED:
            days = rules.convocation_clear_days(population=population, is_epci=kind in ("epci", "territory"))
            due = rules.latest_convocation_date(day, days)
            yield Deadline(
                key="convocation",
                kind="sitting_convocation",
                due_date=due,
                title=f"Envoyer la convocation — {label}",
                action=f"Convoquer les membres {days} jours francs avant la séance (CGCT L2121-12).",
                handled_at=_handled(ctx, due, "sitting_convocation"),
                **common,
            )
        if state in (SittingState.PLANNED, SittingState.CONVENED, SittingState.OPEN):
            yield Deadline(
                key="sitting",
                kind="sitting",
                due_date=day,
                title=f"Séance — {label}",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=3),
                location=place,
                action="Tenir la séance : présences, pouvoirs, votes.",
                **common,
            )
        if list_on is None and state != SittingState.PLANNED:
            due = rules.list_publication_deadline(day)
            yield Deadline(
                key="deliberation-list",
                kind="deliberation_list_publication",
                due_date=due,
                title=f"Publier la liste des délibérations — {label}",
                action="Publier la liste des délibérations examinées dans la semaine (CGCT L2121-25).",
                handled_at=_handled(ctx, due, "deliberation_list_publication"),
                **common,
            )
        if approved_on and minutes_on is None:
            due = rules.minutes_publication_deadline(approved_on)
            yield Deadline(
                key="minutes",
                kind="minutes_publication",
                due_date=due,
                title=f"Publier le procès-verbal — {label}",
                action="Publier le procès-verbal signé dans la semaine de son approbation (CGCT L2121-15).",
                handled_at=_handled(ctx, due, "minutes_publication"),
                **common,
            )
    deliberations = (
        Deliberation.objects.filter(assembly__organization_id__in=bench_orgs, published_on__isnull=False)
        .values_list("pk", "assembly__organization_id", "number", "published_on")
        .iterator(chunk_size=5000)
    )
    for pk, org, number, published_on in deliberations:
        yield Deadline(
            organization_id=org,
            content_type_id=deliberation_ct.pk,
            object_id=pk,
            key="recours-end",
            kind="recours_end",
            due_date=rules.recours_end(published_on),
            title=f"Fin du délai de recours — délibération {number}",
            url=url_for("deliberations:detail", pk),
            action="L'acte ne peut plus être attaqué au-delà de cette date (recours de deux mois).",
            recipient_roles_text=CLERK_ROLES,
            handled_at=_handled(ctx, rules.recours_end(published_on), "recours_end"),
        )
