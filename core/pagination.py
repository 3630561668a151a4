"""Pages of a list that is never counted.

Counting the matches of a full-text search costs more than finding the page shown: the
GIN index hands PostgreSQL every act that contains the words, in every collectivité, and
each must be checked (24 ms for "subvention association" in a métropole's ten years,
against 3 ms for the 20 newest matches, walked in publication order). A public register
needs "Précédente" and "Suivante", not "page 3 sur 91": one more row than the page is read
to know whether a next page exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


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


def window_page(queryset: QuerySet[Any], page: str | None, per_page: int) -> WindowPage:
    """The page ``page`` (1 when missing or not a positive number) of an ordered queryset."""
    number = int(page) if page and page.isdigit() and int(page) >= 1 else 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return WindowPage(object_list=rows[:per_page], number=number, per_page=per_page, has_next=len(rows) > per_page)
