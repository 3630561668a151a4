"""Pages of a list that is never counted (``core.pagination``)."""

import pytest

from core.pagination import SearchedPages, capped_page, window_page
from parties.models import Person


@pytest.fixture
def people(organization):
    Person.objects.bulk_create(
        Person(organization=organization, first_name="Élu", last_name=f"Membre{n:02d}") for n in range(45)
    )
    return Person.objects.filter(organization=organization).order_by("last_name")


@pytest.mark.django_db
def test_pages_follow_each_other_without_a_count(people, django_assert_num_queries):
    with django_assert_num_queries(1):  # the rows of the page and one more: no COUNT
        first = window_page(people, None, 20)
    assert [p.last_name for p in first][:2] == ["Membre00", "Membre01"]
    assert (first.number, len(first), first.has_previous(), first.has_next) == (1, 20, False, True)
    assert (first.start_index(), first.end_index(), first.next_page_number()) == (1, 20, 2)

    last = window_page(people, "3", 20)
    assert [p.last_name for p in last] == [f"Membre{n:02d}" for n in range(40, 45)]
    assert (last.has_previous(), last.has_next, last.start_index(), last.end_index()) == (True, False, 41, 45)


@pytest.mark.django_db
def test_a_page_beyond_the_end_is_empty_and_leads_back(people):
    beyond = window_page(people, "9", 20)
    assert (len(beyond), beyond.has_next, beyond.has_previous(), beyond.previous_page_number()) == (0, False, True, 8)
    assert beyond.start_index() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["", "0", "-2", "abc", "2.5"])
def test_a_missing_or_wrong_page_number_is_the_first_page(people, text):
    assert window_page(people, text, 20).number == 1


@pytest.mark.django_db
def test_a_capped_page_counts_exactly_below_the_cap(people, django_assert_num_queries):
    with django_assert_num_queries(2):  # the page (and one more row), a count of at most cap + 1 rows
        page = capped_page(people, "2", 20, cap=100)
    assert (page.count, page.capped, page.num_pages, page.number, len(page)) == (45, False, 3, 2, 20)
    # Past the end of an exact count: the last page, as a paginator gives it.
    last = capped_page(people, "7", 20, cap=100)
    assert (last.number, len(last), last.has_next, last.num_pages) == (3, 5, False, 3)


@pytest.mark.django_db
def test_a_capped_page_stops_counting_at_the_cap(people):
    page = capped_page(people, "2", 20, cap=30)
    assert (page.count, page.capped, page.num_pages, page.has_next, len(page)) == (30, True, None, True, 20)
    beyond = capped_page(people, "7", 20, cap=30)  # not counted to the end: left empty, leads back
    assert (beyond.number, len(beyond), beyond.has_previous()) == (7, 0, True)
    exactly = capped_page(people, None, 20, cap=45)  # 45 rows, cap 45: exact
    assert (exactly.count, exactly.capped, exactly.num_pages) == (45, False, 3)


@pytest.mark.django_db
def test_searched_pages_count_the_matches_ids_and_read_a_page_by_id(people, django_assert_num_queries):
    def rows(queryset):
        return list(queryset.values("id", "last_name"))

    matches = people.filter(last_name__contains="Membre1")  # Membre10 … Membre19
    pages = SearchedPages(matches, rows)
    with django_assert_num_queries(1):  # the ordered ids of every match, once
        assert pages.count() == 10 and len(pages) == 10
    with django_assert_num_queries(1):  # the page's rows by id
        page = pages[3:6]
    assert [r["last_name"] for r in page] == ["Membre13", "Membre14", "Membre15"]  # in the search's order
    with django_assert_num_queries(0):
        assert pages[20:30] == []


@pytest.mark.django_db
def test_a_capped_page_read_with_other_queries_gives_what_capped_page_gives(people, django_assert_num_queries):
    from core import sql
    from core.pagination import capped_page_reads

    rows = people.values("id", "last_name")
    for page, cap in (("2", 100), ("7", 100), ("2", 30), ("7", 30), (None, 45), ("x", 10)):
        expected = capped_page(rows, page, 20, cap)
        if page == "7" and cap == 100:
            continue  # past the last page of an exact count: the last page, read again (checked below)
        # The rows, the count and another read, together (one statement each on SQLite).
        with django_assert_num_queries(1 if sql.one_message() else 3):
            read, names = sql.read_all([capped_page_reads(rows, page, 20, cap), sql.values_reads(rows[:2])])
        assert list(read) == list(expected) and (read.number, read.has_next) == (expected.number, expected.has_next)
        assert (read.count, read.capped, read.num_pages) == (expected.count, expected.capped, expected.num_pages)
        assert names == [{"id": p.id, "last_name": p.last_name} for p in people[:2]]
    (last,) = sql.read_all([capped_page_reads(rows, "7", 20, 100)])
    assert (last.number, len(last), last.has_next, last.num_pages) == (3, 5, False, 3)
    assert last.object_list[0] == {"id": people[40].id, "last_name": "Membre40"}
    (nothing,) = sql.read_all([capped_page_reads(rows.filter(pk__in=[]), None, 20, 100)])
    assert (nothing.count, len(nothing), nothing.has_next) == (0, 0, False)


@pytest.mark.django_db
@pytest.mark.parametrize("page", [None, "1", "2", "3", "0", "-1", "99", "abc", "2.5"])
def test_a_page_read_with_other_queries_is_the_paginator_s(people, page, django_assert_max_num_queries):
    from django.core.paginator import Paginator

    from core import sql
    from core.pagination import page_reads

    rows = people.values("id", "last_name")
    expected = Paginator(rows, 20).get_page(page)
    in_range = page in (None, "1", "2", "3", "abc", "2.5")
    # The rows and the count in one round trip (a number out of range: the last page read again).
    with django_assert_max_num_queries((1 if sql.one_message() else 2) + (0 if in_range else 1)):
        (read,) = sql.read_all([page_reads(rows, page, 20)])
    assert list(read) == list(expected) and read.number == expected.number
    assert (read.paginator.count, read.paginator.num_pages, read.has_next()) == (45, 3, expected.has_next())
