"""Helpers shared by the services: permission, locking, saving with a history reason, bulk
inserts with their history, and names for refusal messages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import QuerySet, Value
from django.utils import timezone

from core import tenancy
from core.errors import DomainError, TransitionNotAllowed
from deliberations.models import Deliberation, Sitting
from parties.models import Person, full_name


def require(user: Any, organization_id: int, capability: str) -> None:
    tenancy.require(user, organization_id, capability)


def save(obj: models.Model, *, user: Any, reason: str, update_fields: list[str] | None = None) -> None:
    """Save with the actor and the reason shown in the object's history."""
    obj._change_reason = reason  # type: ignore[attr-defined]
    if user is not None and getattr(user, "is_authenticated", False):
        obj._history_user = user  # type: ignore[attr-defined]
    obj.save(update_fields=update_fields)


def create_history_of(rows: QuerySet[Any], *, user: Any, reason: str) -> None:
    """The history rows ("+", the actor, the reason) of rows just created, written by the
    database in one INSERT … SELECT: the 240 ballots of a vote would otherwise be 240 historical
    instances built and sent from Python (``bulk_history_create``). With ``insert_rows``, a
    métropole vote's 232 ballots and their history: 8.5 ms (median; 6.1 at best) against
    48.5 ms (16.2) through ``bulk_create`` and ``bulk_history_create`` on the scale-1 dataset
    (PostgreSQL, December 2026), the same rows (tests/deliberations/test_bulk_writes.py)."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = rows.model.history.model
    tracked = list(history.tracked_fields)
    select = (
        rows.order_by()
        .annotate(
            h_date=Value(timezone.now(), output_field=models.DateTimeField()),
            h_reason=Value(reason, output_field=models.CharField()),
            h_type=Value("+", output_field=models.CharField()),
            h_user=Value(getattr(user, "pk", None), output_field=models.IntegerField()),
        )
        .values_list(*[f.attname for f in tracked], "h_date", "h_reason", "h_type", "h_user")
    )
    sql, params = select.query.sql_with_params()
    columns = [f.column for f in tracked] + ["history_date", "history_change_reason", "history_type", "history_user_id"]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(history._meta.db_table)} ({', '.join(qn(c) for c in columns)}) {sql}", params)


def insert_rows(model: type[models.Model], fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert plain rows (already checked values, one per ``fields``) in one statement.
    For the 240 ballots of a vote: ``bulk_create`` would build 240 model instances and prepare
    each of their fields in Python, several milliseconds for rows the service has just checked;
    the database still checks every constraint (unique, choices, foreign keys). Measured with
    ``create_history_of`` (see there); the rows are those of ``bulk_create``
    (tests/deliberations/test_bulk_writes.py)."""
    if not rows:
        return
    by_name = {f.name: f for f in model._meta.concrete_fields}
    columns = [by_name[name] for name in fields]
    qn = connection.ops.quote_name
    into = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(str(f.column)) for f in columns)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column, as Django's bulk_create sends them to PostgreSQL: the
            # server parses a short statement, not 240 tuples (2.5 ms instead of 5 here).
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in columns)
            cursor.execute(
                f"{into} SELECT * FROM UNNEST({arrays})", [list(column) for column in zip(*rows, strict=True)]
            )
        else:
            one = "(" + ", ".join(["%s"] * len(columns)) + ")"
            cursor.execute(f"{into} VALUES {', '.join([one] * len(rows))}", [v for row in rows for v in row])


# Only the sitting's (or the act's) own row is locked: its assembly and organization are read
# with it, but locking them too would queue every vote of the organization, in any of its
# sittings, behind one another, and behind any write that locks the organization.


def lock_sitting(sitting: Sitting | int) -> Sitting:
    pk = sitting if isinstance(sitting, int) else sitting.pk
    return Sitting.objects.select_for_update(of=("self",)).select_related("assembly__organization").get(pk=pk)


def lock_deliberation(deliberation: Deliberation | int) -> Deliberation:
    pk = deliberation if isinstance(deliberation, int) else deliberation.pk
    return Deliberation.objects.select_for_update(of=("self",)).select_related("assembly__organization").get(pk=pk)


_THE = {"sitting": "la séance", "deliberation": "la délibération"}


def transition(obj: Any, method: str, *, label: str) -> None:
    """Run a django-fsm transition, or say in French why it is not allowed from this state."""
    from django_fsm import can_proceed

    bound = getattr(obj, method)
    if not can_proceed(bound):
        raise TransitionNotAllowed(
            f"Action « {label} » impossible : {_THE.get(obj._meta.model_name, obj._meta.verbose_name)} "
            f"est à l'état « {obj.get_state_display()} ».",
            rule="Cycle de vie",
        )
    bound()


def refuse(message: str, *, rule: str = "", field: str | None = None) -> DomainError:
    return DomainError(message, rule=rule, field=field)


def person_names(person_ids: Any) -> dict[int, str]:
    """Names for a message (the error paths of the checks above, which read no names)."""
    return {
        pk: full_name(first, last)
        for pk, first, last in Person.objects.filter(pk__in=list(person_ids)).values_list(
            "pk", "first_name", "last_name"
        )
    }
