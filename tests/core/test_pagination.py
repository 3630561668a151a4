"""Pages of a list that is never counted (``core.pagination``)."""

import pytest

from core.pagination import capped_page, window_page
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
