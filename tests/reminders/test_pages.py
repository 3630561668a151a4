"""Pages: the deadline list, handling, notifications, preferences, settings, the dashboard panel."""

import html
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from reminders import dispatch
from reminders.models import Deadline, EmailMode, Reminder, ReminderSettings, UserPreference
from tests.factories import OrganizationFactory
from tests.reminders.factories import deadline_for, many_deadlines

pytestmark = pytest.mark.django_db


def test_list_shows_mine_and_filters(client_for, organization, make_member):
    user = make_member(organization, Role.MANAGER)
    today = timezone.localdate()
    deadline_for(
        organization, key="late", due=today - timedelta(days=3), recipients=(user.pk,), title="Évaluation en retard"
    )
    deadline_for(organization, key="soon", due=today + timedelta(days=2), recipients=(user.pk,), title="Fin bientôt")
    deadline_for(organization, key="other", due=today + timedelta(days=2), title="Échéance d'un collègue")
    client = client_for(user)
    # The rows are written by a Jinja2 fragment, which escapes "'" as "&#39;": read as text.
    page = html.unescape(client.get(reverse("reminders:list")).content.decode())
    assert "Évaluation en retard" in page and "Fin bientôt" in page
    assert "Échéance d'un collègue" not in page
    assert "En retard de 3 jours" in page
    everything = html.unescape(client.get(reverse("reminders:list"), {"scope": "all"}).content.decode())
    assert "Échéance d'un collègue" in everything
    overdue = client.get(reverse("reminders:list"), {"period": "overdue"}).content.decode()
    assert "Évaluation en retard" in overdue and "Fin bientôt" not in overdue
    by_kind = client.get(reverse("reminders:list"), {"kind": "evaluation"}).content.decode()
    assert "Aucune échéance ne correspond" in by_kind


@pytest.mark.parametrize("count", [10, 1000])
def test_list_queries_do_not_grow(client_for, organization, make_member, count, django_assert_max_num_queries):
    user = make_member(organization, Role.MANAGER)
    many_deadlines(organization, count, due=lambda n: date(2030, 1, 1) + timedelta(days=n), recipients=(user.pk,))
    client = client_for(user)
    # Session, user, roles (with the organizations' names), settings (whose deadlines are
    # mine), the page's rows, their capped count, the counts, the unread badge.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("reminders:list"), {"scope": "mine", "status": "all"})
    assert response.status_code == 200


def test_list_counts_up_to_a_cap_and_pages_on(client_for, organization, make_member, monkeypatch):
    from reminders import views

    user = make_member(organization, Role.MANAGER)
    for n in range(7):
        deadline_for(organization, key=f"k{n}", due=date(2030, 1, 1) + timedelta(days=n), recipients=(user.pk,))
    client = client_for(user)
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    monkeypatch.setattr(views, "COUNT_CAP", 10)
    page = client.get(reverse("reminders:list")).content.decode()
    assert "<caption>7 échéances</caption>" in page and "Page 1 sur 3" in page
    # Past the last page of a list counted exactly: its last page.
    page = client.get(reverse("reminders:list"), {"page": 9}).content.decode()
    assert "Page 3 sur 3" in page and "6 janvier 2030" not in page and "7 janvier 2030" in page
    # Above the cap: not counted further, the pages follow each other without a total.
    monkeypatch.setattr(views, "COUNT_CAP", 5)
    page = client.get(reverse("reminders:list"), {"page": 2}).content.decode()
    assert "<caption>Plus de 5 échéances</caption>" in page
    assert "<span>Page 2</span>" in page and "page=1" in page and "page=3" in page
    page = client.get(reverse("reminders:list"), {"page": 9}).content.decode()
    assert "Page 9 : aucun résultat" in page and "page=8" in page and "page=10" not in page


def test_list_rows_offer_what_the_role_allows(client_for, organization, make_member):
    from reminders import services

    manager = make_member(organization, Role.MANAGER)
    manager.first_name, manager.last_name = "Alice", "Martin"
    manager.save()
    today = timezone.localdate()
    done = deadline_for(organization, key="done", due=today + timedelta(days=3), title="Rapport rendu")
    todo = deadline_for(organization, key="todo", due=today, title="Rapport à rendre")
    services.mark_handled(user=manager, deadline=done)
    page = client_for(manager).get(reverse("reminders:list"), {"scope": "all", "status": "all"}).content.decode()
    assert f'action="{reverse("reminders:reopen", args=[done.pk])}"' in page
    assert f'action="{reverse("reminders:handle", args=[todo.pk])}"' in page
    assert "Marquer « Rapport à rendre » traitée" in page
    assert '<span class="status status--ok">Traitée</span>' in page
    assert '<span class="status status--warn">Aujourd&#39;hui</span>' in page
    # A viewer cannot act: they see who handled it, and no button.
    viewer_page = (
        client_for(make_member(organization, Role.VIEWER))
        .get(reverse("reminders:list"), {"scope": "all", "status": "all"})
        .content.decode()
    )
    assert "<small>Alice Martin</small>" in viewer_page
    assert reverse("reminders:handle", args=[todo.pk]) not in viewer_page


def test_handled_event_names_its_handler_without_a_reopen_button(client_for, organization, make_member):
    from reminders import services

    manager = make_member(organization, Role.MANAGER)
    manager.first_name, manager.last_name = "Alice", "Martin"
    manager.save()
    sitting = deadline_for(organization, key="sitting", due=timezone.localdate() + timedelta(days=2), kind="sitting")
    services.mark_handled(user=manager, deadline=sitting)
    page = client_for(manager).get(reverse("reminders:list"), {"scope": "all", "status": "all"}).content.decode()
    assert '<span class="status status--ok">Passée</span>' in page
    assert "<small>Alice Martin</small>" in page
    assert reverse("reminders:reopen", args=[sitting.pk]) not in page


def test_mark_handled_and_reopen(client_for, organization, make_member):
    user = make_member(organization, Role.MANAGER)
    deadline = deadline_for(organization, recipients=(user.pk,), due=date(2030, 1, 1))
    client = client_for(user)
    response = client.post(reverse("reminders:handle", args=[deadline.pk]), {"next": "/echeances/?status=all"})
    assert response.status_code == 302 and response["Location"] == "/echeances/?status=all"
    deadline.refresh_from_db()
    assert deadline.handled_by == user
    client.post(reverse("reminders:reopen", args=[deadline.pk]), {"next": "https://ailleurs.example/"})
    deadline.refresh_from_db()
    assert deadline.handled_at is None


def test_handling_is_scoped_and_limited_by_role(client_for, organization, other_organization, make_member):
    deadline = deadline_for(organization, due=date(2030, 1, 1))
    assert (
        client_for(make_member(other_organization, Role.ADMINISTRATOR))
        .post(reverse("reminders:handle", args=[deadline.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(make_member(organization, Role.VIEWER))
        .post(reverse("reminders:handle", args=[deadline.pk]))
        .status_code
        == 403
    )
    assert not Deadline.objects.filter(handled_at__isnull=False).exists()


def test_notifications_and_unread_count_in_header(client_for, organization, make_member):
    user = make_member(organization, Role.MANAGER, email="")
    deadline_for(organization, key="a", due=date(2024, 6, 30), recipients=(user.pk,), title="Fin de A")
    deadline_for(organization, key="b", due=date(2024, 6, 30), recipients=(user.pk,), title="Fin de B")
    dispatch.plan_reminders(today=date(2024, 6, 30))
    client = client_for(user)
    page = client.get(reverse("reminders:notifications")).content.decode()
    assert "Fin de A" in page and "Échéance aujourd'hui" in html.unescape(page)
    assert 'aria-label="2 non lues">2</span>' in page
    first = Reminder.objects.get(deadline__key="a")
    client.post(reverse("reminders:mark_read"), {"reminder": first.pk})
    assert 'aria-label="1 non lue">1</span>' in client.get(reverse("core:dashboard")).content.decode()
    client.post(reverse("reminders:mark_read"))
    assert Reminder.objects.filter(read_at__isnull=True).count() == 0
    # Someone else's notification cannot be marked.
    other = make_member(organization, Role.MANAGER)
    assert client_for(other).get(reverse("reminders:notifications")).content.decode().count("Fin de A") == 0


@pytest.mark.parametrize("count", [10, 1000])
def test_notifications_pages_without_counting(
    client_for, organization, make_member, count, django_assert_max_num_queries
):
    user = make_member(organization, Role.MANAGER, email="")
    many_deadlines(
        organization,
        count,
        prefix="n",
        due=lambda n: date(2024, 6, 30),
        recipients=(user.pk,),
        title=lambda n: f"Échéance {n:04d}",
    )
    dispatch.plan_reminders(today=date(2024, 6, 30))
    client = client_for(user)
    # Session, user, roles, the page of rows (one more than shown), the unread badge.
    with django_assert_max_num_queries(6):
        page = html.unescape(client.get(reverse("reminders:notifications"), {"unread": "1"}).content.decode())
    assert page.count("Marquer comme lue :") == min(count, 50)
    assert "Page 1 sur" not in page  # nothing counted
    if count > 50:
        assert "Résultats 1 à 50" in page and 'href="?unread=1&page=2"' in page
        second = html.unescape(
            client.get(reverse("reminders:notifications"), {"unread": "1", "page": "2"}).content.decode()
        )
        assert "Résultats 51 à 100" in second and "Précédente" in second


def test_preferences_and_feed_address(client_for, organization, make_member):
    user = make_member(organization, Role.MANAGER)
    client = client_for(user)
    client.post(reverse("reminders:preferences"), {"email_mode": EmailMode.DIGEST})
    assert UserPreference.objects.get(user=user).email_mode == EmailMode.DIGEST
    client.post(reverse("reminders:regenerate_feed"))
    token = UserPreference.objects.get(user=user).feed_token
    assert f"/echeances/agenda/{token}.ics" in client.get(reverse("reminders:preferences")).content.decode()
    client.post(reverse("reminders:revoke_feed"))
    assert UserPreference.objects.get(user=user).feed_token is None


def test_settings_page_validates_and_saves(client_for, organization, make_member):
    admin = make_member(organization, Role.ADMINISTRATOR)
    client = client_for(admin)
    url = reverse("reminders:settings", args=[organization.pk])
    assert client.get(reverse("reminders:settings_index"))["Location"] == url
    bad = client.post(url, {"renewal_lead_months": 4, "offsets_days": "30, -2, sept"})
    assert "est négatif" in bad.content.decode() or "n&#39;est pas un nombre" in bad.content.decode()
    assert not ReminderSettings.objects.exists()
    client.post(
        url,
        {
            "renewal_lead_months": 5,
            "offsets_days": "7, 30,30, 0",
            "holiday_calendar": "57",
            "offsets__sitting_convocation": "3 1",
            "roles__sitting": ["clerk"],
            "digest_by_default": "on",
        },
    )
    saved = ReminderSettings.objects.get()
    assert saved.offsets_days == [30, 7, 0]
    assert saved.offsets_by_kind == {"sitting_convocation": [3, 1]}
    assert saved.roles_by_kind == {"sitting": ["clerk"]}
    assert (saved.renewal_lead_months, saved.holiday_calendar, saved.digest_by_default) == (5, "57", True)
    assert "30, 7, 0" in client.get(url).content.decode()


def test_settings_page_is_for_administrators_of_the_organization(client_for, organization, make_member):
    url = reverse("reminders:settings", args=[organization.pk])
    assert client_for(make_member(organization, Role.MANAGER)).get(url).status_code == 403
    assert client_for(make_member(OrganizationFactory(), Role.ADMINISTRATOR)).get(url).status_code == 404


def test_dashboard_panel_counts(client_for, organization, make_member):
    user = make_member(organization, Role.MANAGER)
    today = timezone.localdate()
    deadline_for(organization, key="late", due=today - timedelta(days=1), recipients=(user.pk,), title="Rapport annuel")
    deadline_for(organization, key="month", due=today + timedelta(days=20), title="Pour l'organisation")
    page = client_for(user).get(reverse("core:dashboard")).content.decode()
    assert "Mes échéances" in page
    assert "Rapport annuel" in page
    assert "En retard d&#39;un jour" in page  # the badge is written (escaped) from the view
    assert '<a href="/echeances/?scope=mine&amp;period=overdue">1</a>' in page
    assert '<a href="/echeances/?scope=all&amp;period=month">1</a>' in page


@pytest.mark.parametrize("count", [10, 1000])
def test_dashboard_panel_queries_do_not_grow(rf, organization, make_member, count, django_assert_max_num_queries):
    from reminders import dashboard

    user = make_member(organization, Role.MANAGER)
    today = timezone.localdate()
    many_deadlines(organization, count, due=lambda n: today + timedelta(days=n % 40 - 5), recipients=(user.pk,))
    request = rf.get("/")
    request.user = user
    # Roles, settings (whose deadlines are mine), the rows, both counts in one pass, the badge.
    with django_assert_max_num_queries(5):
        panel = dashboard.panel(request)
    assert panel["mine"] == panel["organization"]
    assert panel["mine"]["overdue"] == len([n for n in range(count) if n % 40 < 5])
    assert len(panel["rows"]) == min(dashboard.PANEL_ROWS, count)


@pytest.mark.django_db
def test_past_events_are_neither_open_nor_overdue(organization):
    from datetime import date

    from reminders import selectors
    from reminders.deadlines import DeadlineSpec
    from reminders.models import Deadline
    from reminders.services import sync_deadlines

    sync_deadlines(
        source=organization,
        organization_id=organization.pk,
        specs=[
            DeadlineSpec(
                key="recours", kind="recours_end", due_date=date(2024, 6, 10), title="Fin du délai de recours"
            ),
            DeadlineSpec(
                key="list", kind="deliberation_list_publication", due_date=date(2024, 6, 10), title="Publier la liste"
            ),
        ],
    )
    today = date(2024, 7, 1)
    assert selectors.counts(Deadline.objects.all(), today)["overdue"] == 1
    open_titles = [d.title for d in selectors.filter_deadlines(Deadline.objects.all(), today=today)]
    assert open_titles == ["Publier la liste"]


def test_unread_badge_stops_counting_at_99_plus(client_for, organization, make_member, django_assert_max_num_queries):
    user = make_member(organization, Role.MANAGER)
    deadline = deadline_for(organization, due=date(2024, 6, 30), recipients=(user.pk,))
    Reminder.objects.bulk_create(
        Reminder(
            deadline=deadline,
            organization_id=deadline.organization_id,
            recipient=user,
            due_date=date(2024, 6, 30),
            occurrence=f"n{i}",
            run_date=date(2024, 6, 1),
        )
        for i in range(120)
    )
    page = client_for(user).get("/").content.decode()
    assert 'aria-label="99+ non lues">99+</span>' in page
    assert "99+ notifications non lues" in page
    Reminder.objects.filter(occurrence__in=[f"n{i}" for i in range(117)]).update(read_at=timezone.now())
    page = client_for(user).get("/").content.decode()
    assert 'aria-label="3 non lues">3</span>' in page


def test_unread_badge_counts_the_users_notifications_of_their_organizations(organization, make_member):
    from core import tenancy
    from core.models import Membership
    from reminders import selectors

    other_place = OrganizationFactory(name="Ville de Là-bas")
    user = make_member(organization, Role.MANAGER)
    Membership.objects.create(user=user, organization=other_place, role=Role.MANAGER)
    someone = make_member(organization, Role.MANAGER)
    here = deadline_for(organization, key="here", recipients=(user.pk, someone.pk))
    there = deadline_for(other_place, key="there", recipients=(user.pk,))
    for n, (deadline, recipient) in enumerate([(here, user), (here, user), (there, user), (here, someone)]):
        Reminder.objects.create(
            deadline=deadline,
            organization_id=deadline.organization_id,
            recipient=recipient,
            due_date=deadline.due_date,
            occurrence=f"n{n}",
            run_date=date(2024, 6, 1),
        )
    Reminder.objects.filter(occurrence="n1").update(read_at=timezone.now())

    def unread() -> int:
        tenancy.forget_roles(user)
        expected = selectors.notifications_for(user).filter(read_at__isnull=True).count()
        assert selectors.unread_count(user) == expected
        return expected

    assert unread() == 2  # one here (the other is read), one there; not someone else's
    Membership.objects.filter(user=user, organization=other_place).delete()
    assert unread() == 1  # an organization left: its notifications are no longer shown
    Membership.objects.filter(user=user).delete()
    assert unread() == 0


def test_the_dashboard_reads_mine_as_the_list_filters_it(organization, other_organization, make_member):
    """The dashboard's next deadlines and counts of mine select the deadlines the list's filter
    (``mine_condition``) selects: named recipient, the deadline's roles, the kinds an
    organization also sends to the role — for a user with different roles in two organizations."""
    from core.models import Membership
    from reminders import selectors

    user = make_member(organization, Role.CLERK)
    Membership.objects.create(user=user, organization=other_organization, role=Role.LEGAL)
    ReminderSettings.objects.create(
        organization=organization, roles_by_kind={"sitting": ["clerk"], "evaluation": ["legal"]}
    )
    other = make_member(organization, Role.MANAGER)
    today = timezone.localdate()
    for org in (organization, other_organization):
        many_deadlines(
            org, 4, prefix="named", due=lambda n: today, recipients=(user.pk,) if org == organization else (other.pk,)
        )
        many_deadlines(org, 3, prefix="clerk", due=lambda n: today, recipient_roles=("clerk",))
        many_deadlines(org, 3, prefix="legal", due=lambda n: today, recipient_roles=("legal",))
        many_deadlines(org, 2, prefix="sit", due=lambda n: today, kind=lambda n: "sitting")
        many_deadlines(org, 2, prefix="eva", due=lambda n: today, kind=lambda n: "evaluation")
    expected = set(Deadline.objects.filter(selectors.mine_condition(user)).values_list("pk", flat=True))
    # named (4) + clerk in the first (3) + sitting kind there (2) + legal in the second (3)
    assert len(expected) == 12
    assert set(selectors.my_deadlines(user).values_list("pk", flat=True)) == expected
    mine, everything = selectors.overview(user, today, selectors.mine_condition(user))
    assert mine == {"overdue": 0, "week": 12, "month": 12}
    assert everything == {"overdue": 0, "week": 28, "month": 28}
    shown = list(selectors.next_of_mine(user, today, 20))
    assert {row["pk"] for row in shown} == expected
    assert len(list(selectors.next_of_mine(user, today, 5))) == 5
