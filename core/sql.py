"""SQL written once for the reads that nearly every request makes.

Building a small query with the ORM (the queryset, its lookups, the compiler) costs two to
three times what PostgreSQL takes to answer it: 0.5–0.7 ms against 0.2–0.3 ms for the two
queries each page runs before its own (a user's roles, the unread badge), and more for the
members of a sitting with their statuses (two correlated subqueries), which every vote,
movement and attendance read runs. Those are written as SQL from the models' own table and
column names, once per process, with these helpers. ``records`` reads a model's rows as
dicts of its fields, converted as the ORM converts them (dates on SQLite, JSON, decimals).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def table(model: Any) -> str:
    """The model's quoted table name."""
    return str(connection.ops.quote_name(model._meta.db_table))


def name(model: Any, field: str) -> str:
    """The quoted column of a model's field (a foreign key's ``…_id`` column)."""
    return str(connection.ops.quote_name(model._meta.get_field(field).column))


def column(model: Any, field: str) -> str:
    """The quoted ``table.column`` of a model's field, for a query naming each table once."""
    return f"{table(model)}.{name(model, field)}"


def placeholders(count: int) -> str:
    """``%s, %s, …``: the parameters of an ``IN (…)`` list of ``count`` values (a query written
    once per list length)."""
    return ", ".join(["%s"] * count)


def rows(sql: str, params: list[Any] | dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of a query written here (``%s`` or ``%(name)s`` placeholders)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def order(model: Any, fields: Sequence[str]) -> str:
    """An ORDER BY list of the model's fields (``-field``: descending)."""
    return ", ".join(f"{column(model, f.lstrip('-'))} DESC" if f.startswith("-") else column(model, f) for f in fields)


def convert(model: Any, fields: Sequence[str], raw: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Rows whose columns are ``fields`` of ``model``, as dicts of values converted by each
    field's database converters (those the ORM applies: a date read from SQLite's text, a
    JSON document, a decimal)."""
    plan = []
    for field_name in fields:
        col = model._meta.get_field(field_name).get_col(model._meta.db_table)
        plan.append((field_name, col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    records = []
    for row in raw:
        record = {}
        for (field_name, col, converters), value in zip(plan, row, strict=True):
            for converter in converters:
                value = converter(value, col, connection)
            record[field_name] = value
        records.append(record)
    return records


@functools.cache
def _select(model: Any, fields: tuple[str, ...], key: str, ordering: tuple[str, ...]) -> str:
    columns = ", ".join(column(model, f) for f in fields)
    sql = f"SELECT {columns} FROM {table(model)} WHERE {column(model, key)} = %s"
    return f"{sql} ORDER BY {order(model, ordering)}" if ordering else sql


def records(
    model: Any, fields: tuple[str, ...], key: str, value: Any, ordering: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The rows of ``model`` whose field ``key`` equals ``value``, as dicts of ``fields``
    (see ``convert``), in ``ordering``: one query written once per process."""
    return convert(model, fields, rows(_select(model, fields, key, ordering), [value]))
