"""Bulk loading of the deliberations stage: the rows of a sitting's attendance, votes and
ballots inserted in batches (COPY on PostgreSQL for the biggest tables), and the search
vector computed by the database during the load."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bench.generator import base
from bench.generator.base import Context


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


SEARCH_TRIGGER = """
CREATE OR REPLACE FUNCTION bench_deliberation_search() RETURNS trigger AS $$
BEGIN
  NEW.search_vector := setweight(to_tsvector('french', coalesce(NEW.number, '')), 'A')
                    || setweight(to_tsvector('french', coalesce(NEW.title, '')), 'A')
                    || setweight(to_tsvector('french', coalesce(NEW.theme, '')), 'B')
                    || setweight(to_tsvector('french', coalesce(NEW.report, '')), 'C')
                    || setweight(to_tsvector('french', coalesce(NEW.operative_part, '')), 'C');
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER bench_deliberation_search BEFORE INSERT ON deliberations_deliberation
  FOR EACH ROW EXECUTE FUNCTION bench_deliberation_search();
"""


def search_vectors_on_insert(enable: bool) -> None:
    """What ``deliberations.services`` stores on save: the French full-text vector of the public
    search (same weights), computed by the database during the bulk INSERT through a trigger
    that lives only for the stage's transaction.

    The GIN index on the vector is dropped for the bulk load and built again at the end (one
    sort instead of ~100 index entries per row); DDL is transactional in PostgreSQL, so a
    failed run leaves the index as it was.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if enable:
            cursor.execute(SEARCH_TRIGGER)
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'deliberations_deliberation' "
                "AND indexdef ILIKE '%%USING gin%%'"
            )
            _DROPPED_GIN[:] = cursor.fetchall()
            for name, _definition in _DROPPED_GIN:
                cursor.execute(f'DROP INDEX "{name}"')
        else:
            cursor.execute("DROP TRIGGER bench_deliberation_search ON deliberations_deliberation")
            cursor.execute("DROP FUNCTION bench_deliberation_search()")
            # Pending foreign-key checks must run before the table can be indexed.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _name, definition in _DROPPED_GIN:
                cursor.execute(definition)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            _DROPPED_GIN.clear()


_DROPPED_GIN: list[tuple[str, str]] = []


class Sink:
    """Rows waiting to be inserted, flushed in batches (COPY on PostgreSQL for the biggest tables)."""

    def __init__(self, ctx: Context, m: Any) -> None:
        self.ctx, self.m = ctx, m
        self.attendances: list[tuple[int, int, str]] = []
        self.changes: list[Any] = []
        self.proxies: list[Any] = []
        self.votes: list[tuple[Any, list[tuple[int, str, int | None]] | None]] = []
        self.transmissions: list[Any] = []

    def add(self, decided: dict[str, Any], items: list[Any]) -> None:
        m, rng = self.m, self.ctx.rng
        sitting = decided["sitting"]
        ids = {d.position: d.pk for d in items}
        self.attendances.extend((sitting.pk, p, s) for p, s in decided["defaults"].items())
        for position, moves in decided["changes"].items():
            for person, status in moves:
                self.changes.append(
                    m.AttendanceChange(
                        sitting_id=sitting.pk, person_id=person, deliberation_id=ids[position], status=status
                    )
                )
        for giver, holder, start, _end in decided["proxies"]:
            self.proxies.append(
                m.Proxy(
                    sitting_id=sitting.pk,
                    giver_id=giver,
                    holder_id=holder,
                    written_on=decided["day"] - timedelta(days=rng.randint(0, 3)),
                    illness=rng.random() < 0.03,
                    from_item_id=ids[start] if start else None,
                )
            )
        for position, (fields, ballots) in decided["votes"].items():
            self.votes.append((m.VoteResult(deliberation_id=ids[position], **fields), ballots))
        for position, fields in decided["transmissions"].items():
            self.transmissions.append(m.Transmission(deliberation_id=ids[position], **fields))
        if len(self.attendances) > 30000 or len(self.votes) > 5000:
            self.flush()

    def flush(self) -> None:
        ctx, m = self.ctx, self.m
        ctx.count("attendances", copy_rows(m.Attendance, ["sitting_id", "person_id", "status"], self.attendances))
        ctx.count("attendance changes", base.bulk_quiet(m.AttendanceChange, self.changes))
        ctx.count("proxies", base.bulk_quiet(m.Proxy, self.proxies))
        votes = base.bulk(m.VoteResult, [v for v, _b in self.votes])
        ctx.count("vote results", len(votes))
        ballots = [
            (vote.pk, person, holder, choice)
            for vote, (_v, rows) in zip(votes, self.votes, strict=True)
            if rows
            for person, choice, holder in rows
        ]
        ctx.count("ballots", copy_rows(m.Ballot, ["vote_id", "person_id", "cast_by_id", "choice"], ballots))
        ctx.count("transmissions", base.bulk_quiet(m.Transmission, self.transmissions))
        for lst in (self.attendances, self.changes, self.proxies, self.votes, self.transmissions):
            lst.clear()


def copy_rows(model_class: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> int:
    """Insert plain tuples: COPY on PostgreSQL (no model instances), bulk_create elsewhere."""
    from django.db import connection

    if not rows:
        return 0
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model_class._meta.db_table)
        cols = ", ".join(
            connection.ops.quote_name(model_class._meta.get_field(c.removesuffix("_id")).column) for c in columns
        )
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return len(rows)
    return base.bulk_quiet(model_class, (model_class(**dict(zip(columns, row, strict=True))) for row in rows), 5000)
