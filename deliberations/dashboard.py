"""The dashboard panel: next sittings, and acts still to sign, transmit or publish."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core import sql, tenancy
from deliberations.models import DECIDED_STATES, Assembly, Deliberation, DeliberationState, Sitting, SittingState

SITTING_ROWS = 5
ACT_ROWS = 10
_COMING = (SittingState.PLANNED, SittingState.CONVENED, SittingState.OPEN)
# Decided acts not yet exécutoire: to sign, transmit or publish.
_TO_FOLLOW_UP = (*DECIDED_STATES, DeliberationState.SIGNED, DeliberationState.TRANSMITTED, DeliberationState.PUBLISHED)
# The panel prints a sitting's assembly, date and state; an act's number, title and state
# (not its report and operative part, long texts).
_SITTING_FIELDS = ("id", "assembly_id", "starts_at", "state")
_ASSEMBLY_FIELDS = ("id", "organization_id", "name")
_ACT_FIELDS = ("id", "number", "title", "state")


@sql.keyed
def _panel_sql(organizations: int) -> tuple[str, str]:
    """The next sittings and the acts to follow up of the organizations (``%s`` each), prepared
    once per connection (``core.sql.keyed``): PostgreSQL took longer to plan them (the acts'
    join and sort: 0.3 ms) than to run them."""
    s, a, d = Sitting, Assembly, Deliberation
    of_assemblies = (
        f"IN (SELECT {sql.name(a, 'id')} FROM {sql.table(a)} "
        f"WHERE {sql.name(a, 'organization')} IN ({sql.placeholders(organizations)}))"
    )
    return (
        # A range on ``starts_at`` walks the (assembly, starts_at) index of each assembly.
        f"SELECT {sql.columns(s, _SITTING_FIELDS)}, {sql.columns(a, _ASSEMBLY_FIELDS)} "
        f"FROM {sql.table(s)} INNER JOIN {sql.table(a)} ON {sql.column(a, 'id')} = {sql.column(s, 'assembly')} "
        f"WHERE {sql.column(s, 'assembly')} {of_assemblies} AND {sql.column(s, 'starts_at')} >= %s "
        f"AND {sql.column(s, 'state')} IN ({sql.placeholders(len(_COMING))}) "
        f"ORDER BY {sql.column(s, 'starts_at')} LIMIT {SITTING_ROWS}",
        f"SELECT {sql.columns(d, _ACT_FIELDS)} FROM {sql.table(d)} "
        f"LEFT OUTER JOIN {sql.table(s)} ON {sql.column(s, 'id')} = {sql.column(d, 'sitting')} "
        f"WHERE {sql.column(d, 'assembly')} {of_assemblies} "
        f"AND {sql.column(d, 'state')} IN ({sql.placeholders(len(_TO_FOLLOW_UP))}) "
        f"ORDER BY {sql.column(s, 'starts_at')}, {sql.column(d, 'position')} LIMIT {ACT_ROWS}",
    )


def reads(request: HttpRequest) -> sql.Reads[dict[str, Any] | None] | None:
    """The panel's two queries, for the dashboard to send with the other panels'."""
    user = request.user
    organizations = tenancy.organization_ids(user) if user.is_authenticated else []
    if not organizations:
        return None
    since = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    sittings, acts = _panel_sql(len(organizations))
    statements: list[tuple[str, list[Any]]] = [
        (sittings, [*organizations, connection.ops.adapt_datetimefield_value(since), *_COMING]),
        (acts, [*organizations, *_TO_FOLLOW_UP]),
    ]

    def build(results: list[list[tuple[Any, ...]]]) -> dict[str, Any]:
        sitting_rows, act_rows = results
        coming = sql.with_related(Sitting, _SITTING_FIELDS, "assembly", Assembly, _ASSEMBLY_FIELDS, sitting_rows)
        return {
            "title": _("Séances et délibérations"),
            "template": "pages/core/_dashboard_deliberations.jinja",
            "sittings": coming,
            "acts": sql.instances(Deliberation, act_rows, _ACT_FIELDS),
        }

    return sql.Reads(statements, build)


def panel(request: HttpRequest) -> dict[str, Any] | None:
    return sql.read_one(reads(request))
