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
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import BooleanField, F, Func, QuerySet


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


class InIds(Func):
    """``column IN (ids)``, the ids typed as ``bigint`` on PostgreSQL, for ``filter()``.

    A bare ``1`` is an ``integer``: ``assembly_id IN (1)`` compares through a cross-type
    operator that btree indexes know and ``btree_gin`` ones do not, so an index on (assembly,
    full-text vector) would be left for two bitmaps ANDed (the ORM's ``__in`` writes bare
    numbers, and checks each value as a number: an expression in its list is refused)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, ids: Iterable[int]) -> None:
        super().__init__(F(column))
        self.ids = [int(pk) for pk in ids]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        if not self.ids:
            raise EmptyResultSet  # as ``__in=[]``: nothing matches
        column, params = compiler.compile(self.source_expressions[0])
        placeholder = "%s::bigint" if connection.vendor == "postgresql" else "%s"
        return f"{column} IN ({', '.join([placeholder] * len(self.ids))})", (*params, *self.ids)


def rows(sql: str, params: list[Any] | dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of a query written here (``%s`` or ``%(name)s`` placeholders); one marked
    :func:`by_key` with ``%s`` placeholders is prepared as ``batch`` prepares it."""
    if isinstance(sql, ByKey) and isinstance(params, list) and one_message():
        return batch([(sql, params)])[0]
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
    plan = _conversions(model, tuple(fields))
    if not any(converters for _name, _col, converters in plan):
        # Nothing to convert (most fields on PostgreSQL, whose driver reads them typed).
        names = [field_name for field_name, _col, _converters in plan]
        return [dict(zip(names, row, strict=True)) for row in raw]
    records = []
    for row in raw:
        record = {}
        for (field_name, col, converters), value in zip(plan, row, strict=True):
            for converter in converters:
                value = converter(value, col, connection)
            record[field_name] = value
        records.append(record)
    return records


def converts(model: Any, fields: Sequence[str]) -> bool:
    """Whether ``convert`` would change any of these fields' values on this database."""
    return any(converters for _name, _col, converters in _conversions(model, tuple(fields)))


def _conversions(model: Any, fields: tuple[str, ...]) -> list[tuple[str, Any, list[Any]]]:
    # Each field's column and converters, found once per connection (the converters are the
    # connection's own: kept on it, they go with it).
    wrapper = connections[connection.alias]
    plans = wrapper.__dict__.setdefault("_conventio_conversions", {})
    plan = plans.get((model, fields))
    if plan is None:
        plan = []
        for field_name in fields:
            col = model._meta.get_field(field_name).get_col(model._meta.db_table)
            plan.append((field_name, col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
        plans[(model, fields)] = plan
    return plan


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


# --- Model instances from SQL written once ---------------------------------------------------
#
# A page that prints a whole object with its collections (a convention with its parties,
# clauses, obligations, avenants…) and hands it to services and forms needs model instances.
# Prefetched by the ORM, its dozen small queries cost more to build (querysets, lookups, the
# compiler, the prefetch machinery) than PostgreSQL takes to answer them; written once here,
# they are read in one round trip (``batch``) and their rows made instances as the ORM makes
# them (``instances``: converted, then ``Model.from_db``), then attached where the ORM would
# have put them (``attach``, ``cache``), so that ``convention.parties.all()`` or
# ``party.organization`` read no more.


@functools.cache
def fields_of(model: Any) -> tuple[str, ...]:
    """The attribute names of the model's concrete fields (``organization_id``), in order."""
    return tuple(f.attname for f in model._meta.concrete_fields)


def _in_order(model: Any, fields: Sequence[str] | None) -> tuple[str, ...]:
    # ``Model.from_db`` takes a subset of the fields in the model's order.
    every = fields_of(model)
    return every if fields is None else tuple(f for f in every if f in fields)


def columns(model: Any, fields: Sequence[str] | None = None) -> str:
    """The select list of the model's concrete fields (or of ``fields``, in the model's order)."""
    return ", ".join(column(model, f) for f in _in_order(model, fields))


def instances(model: Any, raw: Iterable[Sequence[Any]], fields: Sequence[str] | None = None) -> list[Any]:
    """Rows of ``columns(model, fields)`` as model instances, as the ORM builds them (the
    fields not read are deferred: read if ever asked for)."""
    names = _in_order(model, fields)
    alias = connection.alias
    if not any(converters for _name, _col, converters in _conversions(model, names)):
        rows = [tuple(row) for row in raw]
        if any(len(row) != len(names) for row in rows):
            raise ValueError(f"{model.__name__}: rows of {len(names)} columns expected")
        return [model.from_db(alias, names, row) for row in rows]
    return [model.from_db(alias, names, tuple(r.values())) for r in convert(model, names, raw)]


def split(row: Sequence[Any], *widths: int) -> list[Sequence[Any]]:
    """A joined row cut into the columns of each of its tables, in order."""
    parts, start = [], 0
    for width in widths:
        parts.append(row[start : start + width])
        start += width
    parts.append(row[start:])
    return parts


def attach(instance: Any, name: str, objects: list[Any]) -> None:
    """``objects`` as the instance's prefetched collection ``name`` (``instance.name.all()``
    answers them without a query, as after ``prefetch_related(name)``)."""
    manager = getattr(instance, name)
    # Where the manager looks: a many-to-many's own name for it, a reverse foreign key's accessor.
    key = getattr(manager, "prefetch_cache_name", None) or manager.field.remote_field.cache_name
    queryset: QuerySet[Any] = QuerySet(model=manager.model)
    queryset._result_cache = objects
    queryset._prefetch_done = True  # type: ignore[attr-defined]
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[key] = queryset


def cache(instance: Any, name: str, value: Any) -> None:
    """``value`` as the instance's related object ``name`` (a foreign key or a reverse
    one-to-one; ``None`` for none), as after ``select_related(name)``."""
    descriptor = getattr(type(instance), name)
    field = descriptor.related if hasattr(descriptor, "related") else descriptor.field
    field.set_cached_value(instance, value)


def one_message() -> bool:
    """Whether ``batch`` sends its statements in one message: with psycopg 3's client-side
    binding (Django's default), which sends several statements in one message and gives each
    its result; server-side binding prepares one statement at a time (``OPTIONS``
    ``server_side_binding``), and SQLite runs one per call. Django counts one query then."""
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return (
        connection.vendor == "postgresql"
        and is_psycopg3
        and not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")
    )


class ByKey(str):
    """A statement written here whose plan does not depend on its parameters' values: the
    rows of one object read by its key (a sitting, an act, a convention and what hangs from
    it). See :func:`by_key`."""

    __slots__ = ()


def by_key(text: str) -> str:
    """``text`` marked as read by key: on PostgreSQL, ``batch`` prepares it once per
    connection and then only executes it. A detail page sends a dozen such statements, each
    planned in 0.1–0.3 ms for a few rows found by index in less: planning them cost more
    than running them (bench/FINDINGS.md, F66). The statements whose plan depends on their
    values (lists, searches, counts over dates) are not marked: their custom plans are kept."""
    return ByKey(text)


def keyed[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    """A function writing a statement read by key (or a tuple of them), written once per
    arguments (``functools.cache``) and marked :func:`by_key`."""

    @functools.cache
    @functools.wraps(function)
    def written(*args: P.args, **kwargs: P.kwargs) -> R:
        text: Any = function(*args, **kwargs)
        return tuple(by_key(t) for t in text) if isinstance(text, tuple) else by_key(text)  # type: ignore[return-value]

    return written  # type: ignore[return-value]


def batch(queries: Sequence[tuple[str, Sequence[Any]]]) -> list[list[tuple[Any, ...]]]:
    """The rows of each of several queries written here (``%s`` placeholders), in order: in one
    round trip to PostgreSQL (one message, one implicit transaction: one snapshot for all),
    one after the other on SQLite, which runs one statement per call. On PostgreSQL the
    statements marked :func:`by_key` are prepared (``PREPARE``, in the same message, the
    first time a connection sends them) and executed (``EXECUTE``)."""
    if not queries:
        return []
    if not one_message():
        return [rows(text, list(params)) for text, params in queries]
    with connection.cursor() as cursor:
        prepared = _prepared(connections[connection.alias])  # this thread's own connection
        texts: list[str] = []
        values: list[Any] = []
        kinds: list[bool] = []  # True for a PREPARE, which returns no rows
        added: dict[str, str] = {}
        for text, params in queries:
            if prepared is not None and isinstance(text, ByKey):
                name = prepared["names"].get(text) or added.get(text)
                if name is None:
                    prepared["count"] += 1
                    name = added[text] = f"conventio_{prepared['count']}"
                    texts.append(f"PREPARE {name} AS {_numbered(text)}")
                    kinds.append(True)
                text = f"EXECUTE {name}({placeholders(len(params))})" if params else f"EXECUTE {name}"
            texts.append(text)
            kinds.append(False)
            values.extend(params)
        cursor.execute("; ".join(texts), values)
        results = []
        for index, is_prepare in enumerate(kinds):
            if index:
                cursor.nextset()
            if not is_prepare:
                results.append(list(cursor.fetchall()))
        if prepared is not None:
            # Only once the message has run: a failed one leaves its names unused (a
            # statement prepared before the failure outlives it; the next names differ).
            prepared["names"].update(added)
    return results


def _prepared(wrapper: Any) -> dict[str, Any] | None:
    """The statements prepared on the wrapper's current database connection (a new connection
    has none; the wrapper is the thread's own, not ``django.db.connection``, a proxy shared
    by the threads), or ``None`` when preparing is off (``DATABASE_PREPARED_STATEMENTS=false``:
    behind a pool that shares connections between clients by transaction)."""
    from django.conf import settings

    if not getattr(settings, "PREPARED_STATEMENTS", True):
        return None
    raw = wrapper.connection
    state = wrapper.__dict__.get("_conventio_prepared")
    if state is None or state["connection"] is not raw:
        state = wrapper.__dict__["_conventio_prepared"] = {"connection": raw, "names": {}, "count": 0}
    return state


@functools.cache
def _numbered(text: str) -> str:
    """A statement's ``%s`` placeholders as ``$1``, ``$2``…, for ``PREPARE`` (``%%`` is kept:
    the message is still formatted with the parameters of its ``EXECUTE`` statements)."""
    numbers = itertools.count(1)
    return re.sub(r"%%|%s", lambda match: match.group() if match.group() == "%%" else f"${next(numbers)}", text)


@functools.cache
def _named(text: str) -> tuple[str, tuple[str, ...]]:
    names = tuple(re.findall(r"%\((\w+)\)s", text))
    return re.sub(r"%\(\w+\)s", "%s", text), names


def positional(text: str, params: dict[str, Any]) -> tuple[str, list[Any]]:
    """A query written with ``%(name)s`` placeholders as one with ``%s`` and its parameters in
    order: for ``batch``, whose statements share one list of parameters."""
    written, names = _named(text)
    return (ByKey(written) if isinstance(text, ByKey) else written), [params[n] for n in names]


@dataclass(frozen=True, slots=True)
class Reads[T]:
    """Queries written here and what to make of their rows: the reads of several parts of a
    page (a dashboard's panels) gathered and sent in one ``batch`` by :func:`read_all`."""

    statements: Sequence[tuple[str, Sequence[Any]]]
    build: Callable[[list[list[tuple[Any, ...]]]], T]


def gather(reads: Sequence[Reads[Any] | None]) -> Reads[list[Any]]:
    """Several reads as one, built into the list of what each builds (``None`` for a ``None``)."""
    present = [read for read in reads if read is not None]

    def build(results: list[list[tuple[Any, ...]]]) -> list[Any]:
        built, start = {}, 0
        for read in present:
            end = start + len(read.statements)
            built[id(read)] = read.build(results[start:end])
            start = end
        return [None if read is None else built[id(read)] for read in reads]

    return Reads([statement for read in present for statement in read.statements], build)


def read_all(reads: Sequence[Reads[Any] | None]) -> list[Any]:
    """Each of ``reads`` built from its rows (``None`` for a ``None``), all their queries sent
    in one round trip."""
    together = gather(reads)
    return together.build(batch(together.statements))


def batch_with(
    queries: Sequence[tuple[str, Sequence[Any]]], also: Reads[Callable[[Any], None]] | None
) -> tuple[list[list[tuple[Any, ...]]], Callable[[Any], None]]:
    """``batch`` of ``queries`` with ``also``'s sent in the same round trip (reads kept on the
    object once it is built: ``core.panels``): the rows of ``queries``, and the function that
    keeps ``also``'s on the object (nothing without ``also``)."""
    extra = list(also.statements) if also is not None else []
    results = batch([*queries, *extra])
    own, rest = results[: len(queries)], results[len(queries) :]
    return own, (also.build(rest) if also is not None else lambda _obj: None)


def values_reads(queryset: QuerySet[Any]) -> Reads[list[dict[str, Any]]]:
    """A ``values()`` queryset (sliced or not) as a query for :func:`read_all`: built, its rows
    as the ORM gives them (dicts of the values converted by the fields' converters)."""
    query = queryset.query
    compiler = query.get_compiler(queryset.db)
    try:
        text, params = compiler.as_sql()
    except EmptyResultSet:  # ``__in=[]``: nothing to read
        return Reads([], lambda _results: [])
    names = [*query.extra_select, *query.values_select, *query.annotation_select]

    def build(results: list[list[tuple[Any, ...]]]) -> list[dict[str, Any]]:
        return [dict(zip(names, row, strict=True)) for row in compiler.results_iter(results=[results[0]])]

    return Reads([(text, list(params))], build)


def count_reads(queryset: QuerySet[Any], cap: int | None = None) -> Reads[int]:
    """The number of rows of ``queryset`` (at most ``cap + 1``: a count that stops past the cap)
    as a query for :func:`read_all`, as ``queryset[: cap + 1].count()`` counts them."""
    limited = queryset.order_by().values("pk")
    if cap is not None:
        limited = limited[: cap + 1]
    try:
        text, params = limited.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:
        return Reads([], lambda _results: 0)
    return Reads([(f"SELECT COUNT(*) FROM ({text}) counted", list(params))], lambda results: int(results[0][0][0]))


def with_related(
    model: Any, fields: Sequence[str], related: str, related_model: Any, related_fields: Sequence[str], raw: Any
) -> list[Any]:
    """Rows of ``columns(model, fields)`` followed by ``columns(related_model, related_fields)``
    as instances of ``model``, each with its ``related`` object cached (``select_related``)."""
    width = len(_in_order(model, fields))
    objects = []
    for row in raw:
        obj = instances(model, [row[:width]], fields)[0]
        cache(obj, related, instances(related_model, [row[width:]], related_fields)[0])
        objects.append(obj)
    return objects


def read_one[T](reads: Reads[T] | None) -> T | None:
    return None if reads is None else read_all([reads])[0]
