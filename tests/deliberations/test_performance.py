"""Costs that must not grow with the size of the assembly or of the sitting."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from deliberations import selectors, services
from deliberations.attendance import PRESENT, ProxyFact, replay
from deliberations.models import Attendance, Deliberation, DeliberationState
from deliberations.selectors import attendance_facts, item_facts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [10, 200])
def test_roll_call_is_written_in_bulk_with_its_history(
    organization, council_factory, api_for, django_assert_max_num_queries, size
):
    council = council_factory(organization, size)
    sitting = council.sitting()
    api = api_for(council.clerk)
    everyone_present = {str(person.pk): "present" for person in council.people}
    with django_assert_max_num_queries(17):
        response = api.put(f"/sittings/{sitting.pk}/attendance", {"statuses": everyone_present})
    assert response.status_code == 200
    assert response.json()["opening"]["present"] == size

    # Half of them recorded again: the others unchanged, the changed rows updated in bulk.
    half_excused = {str(person.pk): "excused" for person in council.people[: size // 2]}
    with django_assert_max_num_queries(17):
        response = api.put(f"/sittings/{sitting.pk}/attendance", {"statuses": half_excused})
    assert response.status_code == 200
    assert response.json()["opening"]["present"] == size - size // 2

    first, last = council.people[0], council.people[-1]
    assert dict(Attendance.objects.filter(sitting=sitting).values_list("person_id", "status"))[first.pk] == "excused"
    history = Attendance.history.filter(sitting=sitting, person=first).order_by("history_id")
    assert [(h.history_type, h.status, h.history_change_reason, h.history_user_id) for h in history] == [
        ("+", "present", f"{first.full_name} : Présent", council.clerk.pk),
        ("~", "excused", f"{first.full_name} : Absent excusé", council.clerk.pk),
    ]
    assert [h.history_change_reason for h in Attendance.history.filter(sitting=sitting, person=last)] == [
        f"{last.full_name} : Présent"
    ]
    assert Attendance.history.filter(sitting=sitting).count() == size + size // 2


def _published_acts(council, count: int, first_day: int) -> list[Deliberation]:
    sitting = council.sitting()
    items = [council.item(sitting, title=f"Acte {n}") for n in range(count)]
    for n, item in enumerate(items):
        Deliberation.objects.filter(pk=item.pk).update(
            state=DeliberationState.PUBLISHED, published_on=date(2024, 4, first_day + n)
        )
    return items


def test_lists_are_scoped_by_assembly_and_keep_their_order(
    organization, other_organization, council_factory, django_assert_max_num_queries
):
    ours = council_factory(organization, 3)
    theirs = council_factory(other_organization, 3)
    mine = _published_acts(ours, 3, first_day=1)
    other = _published_acts(theirs, 2, first_day=10)
    draft = ours.item(None, title="Projet")

    listed = list(selectors.deliberations_for(ours.clerk))
    assert {d.pk for d in listed} == {d.pk for d in [*mine, draft]}
    assert [(d.year, d.sequence) for d in listed] == sorted(((d.year, d.sequence) for d in listed), reverse=True)

    with django_assert_max_num_queries(2):
        public = list(selectors.published_deliberations(organization))
    assert [d.pk for d in public] == [d.pk for d in reversed(mine)]
    assert {d.pk for d in selectors.published_deliberations(other_organization)} == {d.pk for d in other}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partial index plans are checked on PostgreSQL")
def test_public_order_is_read_from_its_partial_index(organization, council_factory):
    _published_acts(council_factory(organization, 3), 3, first_day=1)
    queryset = selectors.published_deliberations(organization)[:20]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Forbid the alternatives so that the plan shows whether the index serves this order.
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "deliberation_public_order" in plan
    assert "Sort" not in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the full-text index is PostgreSQL's")
def test_a_search_reads_its_scope_matches_from_the_index_on_assembly_and_vector(
    organization, council_factory, client_for
):
    council = council_factory(organization, 3)
    council.item(None, title="Subvention à l'association des parents d'élèves")
    queryset = selectors.filter_deliberations(
        selectors.deliberations_for(council.clerk), q="subvention association"
    ).values_list("pk", flat=True)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # On a few rows the (assembly, …) btrees win; out of the way (in the test's transaction,
        # rolled back), the plan shows whether the GIN index takes both conditions.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign keys checked first
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'deliberations_deliberation' "
            "AND indexdef LIKE '%%btree (assembly_id%%' AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        for constraint in ("deliberation_unique_number", "deliberation_unique_sequence"):
            cursor.execute(f'ALTER TABLE deliberations_deliberation DROP CONSTRAINT "{constraint}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # One index condition on both the assembly (a bigint, as the column) and the words: no
    # bitmap of every collectivité's matches ANDed with the assembly's.
    assert "deliberation_scoped_search_gin" in plan, plan
    assert "BitmapAnd" not in plan and "::bigint" in sql
    assert list(queryset) == [council.assembly.deliberations.get().pk]


def test_replay_shares_the_statuses_of_items_where_nobody_moves():
    items = replay(
        members=[1, 2, 3],
        defaults={1: PRESENT, 2: PRESENT},
        changes=[(3, 3, PRESENT), (5, 1, "absent")],
        positions=[1, 2, 3, 4, 6],
    )
    assert items[1].status is items[2].status  # nobody moved between items 1 and 2
    assert items[3].status is items[4].status
    assert items[2].status is not items[3].status
    assert [items[p].present_count for p in (1, 2, 3, 4, 6)] == [2, 2, 3, 3, 2]
    assert items[6].present_ids == [2, 3] and items[1].status == {1: PRESENT, 2: PRESENT, 3: "absent"}
    assert items[1].has_quorum and items[1].voters == 2


def test_replay_shares_who_is_represented_until_a_proxy_starts_or_stops():
    proxies = [
        ProxyFact(1, giver_id=3, holder_id=1, start=3, end=6, revoked=True),  # revoked from item 6
        ProxyFact(2, giver_id=4, holder_id=2, start=None, end=None),
    ]
    items = replay(
        members=[1, 2, 3, 4],
        defaults={1: PRESENT, 2: PRESENT},
        changes=[(8, 2, "absent")],
        positions=[1, 2, 3, 4, 5, 6, 7, 8, 9],
        proxies=proxies,
    )
    assert [items[p].represented for p in range(1, 10)] == [
        {4: 2},
        {4: 2},
        {3: 1, 4: 2},
        {3: 1, 4: 2},
        {3: 1, 4: 2},
        {4: 2},
        {4: 2},
        {},  # the holder has left
        {},
    ]
    assert items[1].represented is items[2].represented and items[3].represented is items[5].represented
    assert items[5].represented is not items[6].represented
    assert [items[p].voters for p in (1, 3, 8)] == [3, 4, 1]


def test_sitting_page_links_and_badges_are_built_once_per_row(organization, council_factory, client_for):
    council = council_factory(organization, 5)
    sitting = council.sitting()
    vote = council.item(sitting, title="Subvention")
    information = council.item(sitting, title="Rapport d'activité", kind="information")
    council.attend(sitting, present=5)
    services.record_vote(
        user=council.clerk, deliberation=vote, votes_for=5, votes_against=0, abstentions=0, not_voting=0
    )
    page = client_for(council.clerk).get(sitting.get_absolute_url()).content.decode()
    assert f'<a href="/deliberations/{vote.pk}/">{vote.number}</a>' in page
    assert '<span class="status status--ok">Adoptée</span>' in page
    assert f'action="/deliberations/{information.pk}/action/prendre-acte/"' in page
    assert f'name="next" value="/deliberations/seances/{sitting.pk}/"' in page
    assert "987654321" not in page


def test_one_item_attendance_is_the_same_without_the_whole_agenda(organization, council_factory):
    council = council_factory(organization, 8)
    sitting = council.sitting()
    items = [council.item(sitting, title=f"Point {n}") for n in range(5)]
    council.attend(sitting, present=6)
    services.register_proxy(
        user=council.clerk,
        sitting=sitting,
        giver=council.people[7],
        holder=council.people[0],
        written_on=date(2024, 3, 25),
    )
    services.record_movement(
        user=council.clerk, sitting=sitting, person=council.people[2], deliberation=items[1], status="absent"
    )
    services.record_movement(
        user=council.clerk, sitting=sitting, person=council.people[6], deliberation=items[3], status="present"
    )
    services.record_movement(
        user=council.clerk,
        sitting=sitting,
        person=council.people[4],
        deliberation=items[2],
        status="absent",
        only_this_item=True,
    )
    whole = selectors.sitting_attendance(sitting)
    facts = attendance_facts(sitting)
    for item in items:
        alone = selectors.sitting_attendance(sitting, only=item)
        assert [d.pk for d in alone.items] == [item.pk]
        expected = whole.for_item(item)
        # The writes' reads: the whole sitting as plain values, and one item's statuses read
        # with the members (their last arrival or departure up to the item).
        for got in (alone.for_item(item), facts.replay([item.position])[item.position], _item(sitting, item)):
            assert (got.status, got.represented, got.present_count) == (
                expected.status,
                expected.represented,
                expected.present_count,
            )
    assert [whole.for_item(item).present_count for item in items] == [6, 5, 4, 6, 6]
    opening = item_facts(sitting, None).at(None)
    assert (opening.status, opening.represented) == (whole.opening().status, whole.opening().represented)


def _item(sitting, item):
    return item_facts(sitting, item.position).at(item.position)


@pytest.mark.parametrize("size", [10, 120])
def test_sitting_writes_through_the_api_do_not_grow_with_the_sitting(
    organization, council_factory, api_for, django_assert_max_num_queries, size
):
    """Each write of a running sitting, and its answer, in a fixed number of queries."""
    council = council_factory(organization, size)
    sitting = council.sitting(open_=False)
    items = [council.item(sitting, title=f"Point {n}") for n in range(size // 5)]
    note = council.item(sitting, title="Rapport", kind="information")
    council.attend(sitting, present=size - 3)
    people = council.people
    api = api_for(council.clerk)
    with django_assert_max_num_queries(17):
        opened = api.post(f"/sittings/{sitting.pk}/open")
    assert opened.status_code == 200 and opened.json()["agenda"][0]["attendance"]["present"] == size - 3
    with django_assert_max_num_queries(15):
        one = api.put(f"/sittings/{sitting.pk}/attendance", {"statuses": {str(people[-3].pk): "present"}})
    assert one.status_code == 200 and one.json()["opening"]["present"] == size - 2
    with django_assert_max_num_queries(13):
        proxy = api.post(
            f"/sittings/{sitting.pk}/proxies",
            {"giver_id": people[-1].pk, "holder_id": people[1].pk, "written_on": "2024-03-25"},
        )
    assert proxy.status_code == 201 and proxy.json()["holder"] == people[1].full_name
    with django_assert_max_num_queries(17):
        moved = api.post(
            f"/sittings/{sitting.pk}/movements",
            {"person_id": people[2].pk, "deliberation_id": items[1].pk, "status": "excused"},
        )
    assert moved.status_code == 201
    assert [i["attendance"]["present"] for i in moved.json()["items"][:3]] == [size - 2, size - 3, size - 3]
    assert moved.json() == api.get(f"/sittings/{sitting.pk}/attendance").json()
    assert moved.json()["proxies"][0]["giver"] == people[-1].full_name
    voters = size - 2 + 1  # present and represented at the first item
    with django_assert_max_num_queries(13):
        voted = api.post(
            f"/deliberations/{items[0].pk}/vote",
            {"votes_for": voters - 1, "votes_against": 1, "abstentions": 0, "not_voting": 0},
        )
    assert voted.status_code == 201 and voted.json()["attendance"]["voters"] == voters
    voted_first = voted.json()["vote"]["result_text"]
    present = [p.pk for p in people[: size - 2] if p.pk != people[2].pk]
    ballots = [{"person_id": p, "choice": "for"} for p in [*present, people[-1].pk]]
    with django_assert_max_num_queries(15):
        voted = api.post(f"/deliberations/{items[1].pk}/vote", {"method": "public_ballot", "ballots": ballots})
    assert voted.status_code == 201 and voted.json()["vote"]["votes_for"] == size - 2
    voted_second = voted.json()["vote"]["result_text"]
    with django_assert_max_num_queries(13):
        noted = api.post(f"/deliberations/{note.pk}/take-note")
    assert noted.status_code == 200 and noted.json()["state"] == "taken_note"
    for item in items[2:]:
        services.withdraw(user=council.clerk, deliberation=item, reason="Retiré")
    with django_assert_max_num_queries(22):
        closed = api.post(f"/sittings/{sitting.pk}/close")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert [i["result"] for i in closed.json()["agenda"][:2]] == [voted_first, voted_second]


@pytest.mark.parametrize("count", [10, 1000])
def test_lists_query_counts_do_not_grow_with_acts_and_sittings(
    organization, council_factory, client_for, api_for, django_assert_max_num_queries, count
):
    """The lists of acts and sittings — pages, API, the public register and its search — on 10
    and on 1,000 acts and sittings (built in bulk: ten years of a commune's council)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from deliberations.models import Sitting, SittingState

    council = council_factory(organization, 5)
    first = datetime(2016, 1, 4, 18, tzinfo=ZoneInfo("Europe/Paris"))
    sittings = Sitting.objects.bulk_create(
        Sitting(assembly=council.assembly, starts_at=first + timedelta(days=3 * n), state=SittingState.CLOSED)
        for n in range(count)
    )
    Deliberation.objects.bulk_create(
        Deliberation(
            assembly=council.assembly,
            sitting=sittings[n],
            position=1,
            number=f"D{n:04d}",
            year=2016 + n // 100,
            sequence=n % 100 + 1,
            title=f"Subvention à l'association n° {n}",
            state=DeliberationState.ENFORCEABLE if n % 2 else DeliberationState.PUBLISHED,
            published_on=sittings[n].starts_at.date() + timedelta(days=2),
        )
        for n in range(count)
    )
    if connection.vendor == "postgresql":  # the full-text vectors, as the services keep them
        from django.contrib.postgres.search import SearchVector

        Deliberation.objects.filter(assembly=council.assembly).update(
            search_vector=SearchVector("number", "title", config="french")
        )
    client, api = client_for(council.clerk), api_for(council.clerk)
    # Session, user, roles, the unread badge, then the list's own: its page and count.
    pages = {
        # The assemblies, the page (page 2 of 10 acts is past the last: the last read again).
        "/deliberations/?page=2": 7,
        # The assemblies (menu, names and scope), the page (past the last: the last again).
        "/deliberations/seances/?page=2": 7,
        # The collectivité, its assemblies, the page (one more row: is there a next one?), the
        # extracts of its rows; for a member of the collectivité, one more: its SIRET and
        # département, which the open-data file's checks shown to staff need; one more where the
        # acts' content type is read for the first time in the process (then cached).
        f"/deliberations/publiques/{organization.pk}/?page=2": 10,
        f"/deliberations/publiques/{organization.pk}/?q=association": 10,
    }
    for path, queries in pages.items():
        with django_assert_max_num_queries(queries):
            assert client.get(path).status_code == 200, path
    # The token, its last use, the roles, then the list's own.
    api_lists = {
        "/deliberations?page=2": 6,
        "/sittings?page=2": 5,
        "/deliberations?q=association": 5,
    }
    for path, queries in api_lists.items():
        with django_assert_max_num_queries(queries):
            assert api.get(path).status_code == 200, path
