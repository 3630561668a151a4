"""Pages of a list that is never counted.

Counting the matches of a full-text search costs more than finding the page shown: the
GIN index hands PostgreSQL every act that contains the words, in every collectivité, and
each must be checked (24 ms for "subvention association" in a métropole's ten years,
against 3 ms for the 20 newest matches, walked in publication order). A public register
needs "Précédente" and "Suivante", not "page 3 sur 91": one more row than the page is read
to know whether a next page exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, QuerySet, Window

from core import sql


@dataclass
class WindowPage:
    object_list: list[Any]
    number: int
    per_page: int
    has_next: bool

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


@dataclass
class CappedPage(WindowPage):
    """A page of a list counted up to a cap: "1 234 échéances" below it, "plus de 1 000"
    above, and "page 3 sur 25" only when the count is exact. Counting a métropole's ten
    thousand open deadlines (their recipients tested on each row) cost more than reading
    the page; counting a thousand and one costs a tenth of it."""

    count: int = 0
    capped: bool = False  # the list holds more than ``count`` rows

    @property
    def num_pages(self) -> int | None:
        if self.capped:
            return None
        return max(1, -(-self.count // self.per_page))


def capped_page(queryset: QuerySet[Any], page: str | None, per_page: int, cap: int) -> CappedPage:
    """The page ``page`` of an ordered queryset (as ``window_page``) and its rows counted up to ``cap``."""
    window = window_page(queryset, page, per_page)
    # COUNT(*) over at most cap + 1 rows (Django counts a slice through a subquery).
    return _capped(queryset, window, queryset.order_by()[: cap + 1].count(), cap)


def _capped(queryset: QuerySet[Any], window: WindowPage, count: int, cap: int) -> CappedPage:
    """The page ``window`` with its rows' ``count`` (counted up to ``cap + 1``)."""
    last = max(1, -(-count // window.per_page))
    if count <= cap and window.number > last:
        # Past the last page of a list counted exactly: its last page, as a paginator would.
        window = window_page(queryset, str(last), window.per_page)
    return CappedPage(
        object_list=window.object_list,
        number=window.number,
        per_page=window.per_page,
        has_next=window.has_next,
        count=min(count, cap),
        capped=count > cap,
    )


def capped_page_reads(queryset: QuerySet[Any], page: str | None, per_page: int, cap: int) -> sql.Reads[CappedPage]:
    """``capped_page`` of a ``values()`` queryset as queries, for a page to send with its others
    (``core.sql.read_all``): the page's rows and the capped count in the same round trip. A
    page past the last of an exact count is read again as the last (a second query, rare)."""
    number = int(page) if page and page.isdigit() and int(page) >= 1 else 1
    start = (number - 1) * per_page
    parts = sql.gather([sql.values_reads(queryset[start : start + per_page + 1]), sql.count_reads(queryset, cap)])

    def build(results: list[list[tuple[Any, ...]]]) -> CappedPage:
        rows, count = parts.build(results)
        return _capped(
            queryset, WindowPage(rows[:per_page], number, per_page, has_next=len(rows) > per_page), count, cap
        )

    return sql.Reads(parts.statements, build)


def page_reads(
    queryset: QuerySet[Any], page: str | None, per_page: int, counted: QuerySet[Any] | None = None
) -> sql.Reads[Page[Any]]:
    """``Paginator(queryset, per_page).get_page(page)`` of a ``values()`` queryset as queries,
    for a page to send with its others (``core.sql.read_all``): the page's rows and the count
    in the same round trip, where the paginator counted, then read. A number past the last
    page (or below 1) gives the last page, read again (a second query, rare); one that is not
    a number, the first. ``counted``: the same rows without the values' joins (a related
    column the page prints), for the count to read the table alone, as a paginator's would."""
    try:
        number = int(page) if page is not None else 1
    except ValueError:
        number = 1
    start = (max(number, 1) - 1) * per_page
    parts = sql.gather(
        [
            sql.values_reads(queryset[start : start + per_page]),
            sql.count_reads(counted if counted is not None else queryset),
        ]
    )

    def build(results: list[list[tuple[Any, ...]]]) -> Page[Any]:
        rows, count = parts.build(results)
        paginator: Paginator[Any] = Paginator(queryset, per_page)
        paginator.__dict__["count"] = count  # counted with the rows (``count`` is a cached property)
        if number < 1 or number > paginator.num_pages:
            return paginator.page(paginator.num_pages)
        return Page(rows, number, paginator)

    return sql.Reads(parts.statements, build)


def window_page(queryset: QuerySet[Any], page: str | None, per_page: int) -> WindowPage:
    """The page ``page`` (1 when missing or not a positive number) of an ordered queryset."""
    number = int(page) if page and page.isdigit() and int(page) >= 1 else 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return WindowPage(object_list=rows[:per_page], number=number, per_page=per_page, has_next=len(rows) > per_page)


class RowsPages:
    """A queryset that the API's pagination counts and slices, whose page is read as plain
    rows by ``rows`` (the columns shown, related names read by id): no model instances, no
    prefetching machinery for the fifty rows of a page."""

    def __init__(self, queryset: QuerySet[Any], rows: Callable[[QuerySet[Any]], list[dict[str, Any]]]) -> None:
        self.queryset = queryset
        self.rows = rows

    def all(self) -> RowsPages:
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return self.rows(self.queryset[page])


class SearchedPages:
    """A text search's matches read once as their ordered ids: counted by their number, a
    page read by id as plain rows (``rows``, as ``RowsPages``).

    A substring search (``LIKE '%festival%'``) tests every row of the organization: counting
    the matches and then reading a page tested them twice (2 ms each for a métropole's 3,000
    conventions). The ids of the matches (one scan, a few thousand integers at most: one
    organization's list) give both."""

    def __init__(
        self,
        queryset: QuerySet[Any],
        rows: Callable[[QuerySet[Any]], list[dict[str, Any]]],
        rows_by_id: Callable[[list[Any]], list[dict[str, Any]]] | None = None,
    ) -> None:
        self.queryset = queryset
        self.rows = rows
        self.rows_by_id = rows_by_id  # the page's rows read from their ids alone, if given
        self._ids: list[Any] | None = None

    def _matches(self) -> list[Any]:
        if self._ids is None:
            # Fetched at once: the ORM's iterator reads its rows a hundred at a time, each
            # through its converters, which for a few thousand integer ids cost more than
            # the query itself leaves to Python (ids are integers: nothing to convert).
            query = self.queryset.values_list("pk", flat=True)
            text, params = query.query.sql_with_params()
            with connections[query.db].cursor() as cursor:
                cursor.execute(text, params)
                self._ids = [row[0] for row in cursor.fetchall()]
        return self._ids

    def all(self) -> SearchedPages:
        return self

    def count(self) -> int:
        return len(self._matches())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        ids = self._matches()[page]
        if not ids:
            return []
        read = self.rows_by_id(ids) if self.rows_by_id else self.rows(self.queryset.model.objects.filter(pk__in=ids))
        found = {row["id"]: row for row in read}
        return [found[pk] for pk in ids if pk in found]


class CountedPages:
    """A values queryset whose page brings the count of all its rows, for the API's pagination.

    Counting the matches of a full-text search scans the same bitmap as finding the page:
    a window count over that scan (``COUNT(*) OVER ()``) gives both in one query instead of
    two (the count of a page past the last one is read apart). Only for searches: a list
    that an index counts cheaply would read all its rows for the window."""

    def __init__(self, queryset: QuerySet[Any]) -> None:
        self.queryset = queryset
        self.total: int | None = None

    def all(self) -> CountedPages:
        return self

    def count(self) -> int:
        return self.total if self.total is not None else self.queryset.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        rows = list(self.queryset.annotate(rows_in_all_pages=Window(Count("*")))[page])
        for row in rows:
            self.total = row.pop("rows_in_all_pages")
        return rows
