"""API: my deadlines, handling, notifications, calendar feed — scoped and limited by role."""

from datetime import date, timedelta

import pytest

from core.roles import Role
from reminders import dispatch
from tests.reminders.factories import deadline_for, many_deadlines

pytestmark = pytest.mark.django_db


def test_my_deadlines_with_filters(api_for, organization, make_member):
    user = make_member(organization, Role.MANAGER)
    deadline_for(organization, key="a", due=date(2030, 1, 10), recipients=(user.pk,), title="A")
    deadline_for(organization, key="b", due=date(2030, 3, 10), kind="evaluation", recipients=(user.pk,), title="B")
    deadline_for(organization, key="c", due=date(2030, 3, 10), title="C")
    api = api_for(user)
    body = api.get("/deadlines").json()
    assert [d["title"] for d in body["items"]] == ["A", "B"]
    assert body["items"][1]["kind_label"] == "Évaluation annuelle"
    assert [d["title"] for d in api.get("/deadlines?kind=evaluation").json()["items"]] == ["B"]
    assert [d["title"] for d in api.get("/deadlines?scope=all&due_after=2030-02-01").json()["items"]] == ["B", "C"]
    assert api.get("/deadlines?kind=nope").status_code == 422


@pytest.mark.parametrize("count", [10, 1000])
def test_list_queries_do_not_grow(api_for, organization, make_member, count, django_assert_max_num_queries):
    user = make_member(organization, Role.MANAGER)
    many_deadlines(organization, count, due=lambda n: date(2030, 1, 1) + timedelta(days=n), recipients=(user.pk,))
    api = api_for(user)
    # Token, its last use, roles, settings (whose deadlines are mine), the count, the page.
    with django_assert_max_num_queries(6):
        assert api.get("/deadlines?status=all").status_code == 200


def test_handle_and_reopen(api_for, organization, other_organization, make_member):
    user = make_member(organization, Role.CLERK)
    deadline = deadline_for(organization, due=date(2030, 1, 1))
    api = api_for(user)
    handled = api.post(f"/deadlines/{deadline.pk}/handle", {}).json()
    assert handled["handled_by_id"] == user.pk and handled["handled_at"]
    assert api.post(f"/deadlines/{deadline.pk}/reopen", {}).json()["handled_at"] is None
    assert (
        api_for(make_member(organization, Role.VIEWER)).post(f"/deadlines/{deadline.pk}/handle", {}).status_code == 403
    )
    outsider = api_for(make_member(other_organization, Role.ADMINISTRATOR))
    assert outsider.post(f"/deadlines/{deadline.pk}/handle", {}).status_code == 404
    assert outsider.get(f"/deadlines/{deadline.pk}").status_code == 404


def test_notifications_and_read(api_for, organization, make_member):
    user = make_member(organization, Role.MANAGER)
    for key in ("a", "b"):
        deadline_for(organization, key=key, due=date(2024, 6, 30), recipients=(user.pk,))
    dispatch.plan_reminders(today=date(2024, 6, 23))
    api = api_for(user)
    items = api.get("/notifications?unread=true").json()["items"]
    assert len(items) == 2 and items[0]["when"] == "échéance dans 7 jours"
    assert api.post("/notifications/read", {"ids": [items[0]["id"]]}).json() == {"marked": 1}
    assert api.post("/notifications/read", {}).json() == {"marked": 1}
    assert api.get("/notifications?unread=true").json()["count"] == 0
    assert api_for(make_member(organization, Role.MANAGER)).get("/notifications").json()["count"] == 0


def test_calendar_feed_endpoints(api_for, organization, make_member, client):
    api = api_for(make_member(organization, Role.MANAGER))
    assert api.get("/calendar-feed").json()["url"] is None
    url = api.post("/calendar-feed", {}).json()["url"]
    assert url.startswith("http://testserver/echeances/agenda/") and url.endswith(".ics")
    assert client.get(url.removeprefix("http://testserver")).status_code == 200
    assert api.post("/calendar-feed", {}).json()["url"] != url
    assert api.delete("/calendar-feed").status_code == 204
    assert client.get(url.removeprefix("http://testserver")).status_code == 404
