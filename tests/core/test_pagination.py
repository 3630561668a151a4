"""Pages of a list that is never counted (``core.pagination``)."""

import pytest

from core.pagination import window_page
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
