"""Pages as a clerk uses them: forms, transitions as buttons, clear errors, scoping, query counts."""

import html
from datetime import date

import pytest
from django.urls import reverse

from core.roles import Role
from deliberations import services
from deliberations.models import Attendance, Deliberation, DeliberationState, Mandate, Proxy, Sitting, SittingState
from parties.models import Person
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_clerk_runs_a_sitting_from_the_pages(organization, council_factory, client_for):
    council = council_factory(organization, 7)
    client = client_for(council.clerk)
    response = client.post(
        "/deliberations/seances/nouvelle/",
        {
            "assembly": council.assembly.pk,
            "starts_at": "2024-03-26T18:00",
            "kind": "ordinary",
            "place": "Salle du Conseil",
            "president": council.people[0].pk,
        },
    )
    assert response.status_code == 302
    sitting = council.assembly.sittings.get()
    page = client.get(sitting.get_absolute_url())
    assert page.status_code == 200 and "Prévue" in page.content.decode()
    late = client.post(
        f"/deliberations/seances/{sitting.pk}/action/convoquer/", {"convocation_date": "2024-03-23"}, follow=True
    )
    text = late.content.decode()
    assert "Convocation trop tardive" in text and "L2121-11" in text
    client.post(f"/deliberations/seances/{sitting.pk}/action/convoquer/", {"convocation_date": "2024-03-20"})
    created = client.post(
        "/deliberations/nouvelle/",
        {
            "assembly": council.assembly.pk,
            "sitting": sitting.pk,
            "title": "Subvention au club",
            "kind": "vote",
            "subject_code": "7.5",
            "requires_transmission": "on",
        },
    )
    assert created.status_code == 302
    item = Deliberation.objects.get(title="Subvention au club")
    client.post(f"/deliberations/seances/{sitting.pk}/action/ouvrir/")
    client.post(f"/deliberations/seances/{sitting.pk}/action/tous-presents/")
    attendance = client.get(f"/deliberations/seances/{sitting.pk}/presences/")
    assert attendance.status_code == 200 and "Quorum atteint" in attendance.content.decode()
    live = client.post(
        f"/deliberations/seances/{sitting.pk}/presences/{council.people[6].pk}/",
        {f"status-{council.people[6].pk}": "excused"},
        headers={"HX-Request": "true"},
    )
    assert "6" in live.content.decode() and "Quorum atteint" in live.content.decode()
    vote_page = client.get(f"/deliberations/{item.pk}/vote/")
    assert "6 présent(s), 0 représenté(s)" in vote_page.content.decode()
    wrong = client.post(
        f"/deliberations/{item.pk}/vote/",
        {"method": "show_of_hands", "votes_for": 7, "votes_against": 0, "abstentions": 0, "not_voting": 0},
    )
    assert "il en faut exactement 6" in wrong.content.decode()
    ok = client.post(
        f"/deliberations/{item.pk}/vote/",
        {"method": "show_of_hands", "votes_for": 5, "votes_against": 0, "abstentions": 1, "not_voting": 0},
    )
    assert ok.status_code == 302
    item.refresh_from_db()
    assert item.state == DeliberationState.ADOPTED
    assert item.vote.result_text == "adoptée à l'unanimité des suffrages exprimés"
    client.post(f"/deliberations/seances/{sitting.pk}/action/clore/", {"confirmation": "oui"})
    sitting.refresh_from_db()
    assert sitting.state == SittingState.CLOSED
    detail = client.get(item.get_absolute_url()).content.decode()
    assert (
        "adoptée à l&#39;unanimité des suffrages exprimés" in detail
        or "adoptée à l'unanimité des suffrages exprimés" in detail
    )


def test_ballots_from_the_vote_page(organization, council_factory, client_for):
    council = council_factory(organization, 5)
    sitting = council.sitting()
    item = council.item(sitting)
    council.attend(sitting, present=4)
    services.register_proxy(
        user=council.clerk,
        sitting=sitting,
        giver=council.people[4],
        holder=council.people[1],
        written_on=date(2024, 3, 25),
    )
    client = client_for(council.clerk)
    data = {"method": "public_ballot", "nominatif": "1"}
    for person, choice in zip(council.people, ["for", "for", "against", "abstain", "for"], strict=True):
        data[f"ballot-{person.pk}"] = choice
    assert client.post(f"/deliberations/{item.pk}/vote/", data).status_code == 302
    item.refresh_from_db()
    assert (item.vote.votes_for, item.vote.votes_against, item.vote.abstentions) == (3, 1, 1)
    assert item.vote.ballots.get(person=council.people[4]).cast_by == council.people[1]


def test_quorum_lost_offers_to_reconvene(organization, council_factory, client_for):
    council = council_factory(organization, 9)
    sitting = council.sitting()
    item = council.item(sitting)
    council.attend(sitting, present=4)
    page = client_for(council.clerk).get(f"/deliberations/{item.pk}/vote/").content.decode()
    assert "Quorum non atteint" in page and "Reconvoquer le conseil" in page


def test_pages_are_scoped_and_roles_limit_writes(
    organization, other_organization, council_factory, client_for, make_member
):
    council = council_factory(organization, 5)
    sitting = council.sitting()
    item = council.item(sitting)
    outsider = client_for(make_member(other_organization, Role.ADMINISTRATOR))
    assert outsider.get(sitting.get_absolute_url()).status_code == 404
    assert outsider.get(item.get_absolute_url()).status_code == 404
    assert outsider.get(f"/deliberations/seances/{sitting.pk}/presences/").status_code == 404
    viewer = client_for(make_member(organization, Role.VIEWER))
    assert viewer.get(sitting.get_absolute_url()).status_code == 200
    assert viewer.post(f"/deliberations/seances/{sitting.pk}/action/clore/").status_code == 403
    assert viewer.get("/deliberations/seances/nouvelle/").status_code == 403


def _big_sitting(organization, size, items):
    """A convened, open sitting of ``size`` members and ``items`` items, built in bulk."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.deliberations.conftest import Council

    clerk = member(organization, Role.CLERK)
    assembly = services.create_assembly(user=clerk, organization=organization, kind="municipal", name="Grand conseil")
    people = Person.objects.bulk_create(
        [Person(organization=organization, first_name=f"P{n:03d}", last_name=f"Nom{n:03d}") for n in range(size)]
    )
    Mandate.objects.bulk_create([Mandate(assembly=assembly, person=p, start_date=date(2020, 7, 3)) for p in people])
    sitting = services.create_sitting(
        user=clerk, assembly=assembly, starts_at=datetime(2024, 3, 26, 18, tzinfo=ZoneInfo("Europe/Paris"))
    )
    services.convene(user=clerk, sitting=sitting, convocation_date=date(2024, 3, 20))
    services.open_sitting(user=clerk, sitting=sitting)
    agenda = Deliberation.objects.bulk_create(
        [
            Deliberation(
                assembly=assembly,
                sitting=sitting,
                position=n + 1,
                number=f"2024-{n + 1:03d}",
                year=2024,
                sequence=n + 1,
                title=f"Point {n + 1}",
                state=DeliberationState.ON_AGENDA,
            )
            for n in range(items)
        ]
    )
    council = Council(clerk=clerk, assembly=assembly, people=people)
    return council, sitting, agenda


@pytest.mark.parametrize(("size", "items"), [(12, 3), (240, 150)])
def test_sitting_pages_query_counts_stay_flat(organization, client_for, django_assert_max_num_queries, size, items):
    council, sitting, agenda = _big_sitting(organization, size, items)
    council.attend(sitting, present=size - 3)
    services.register_proxy(
        user=council.clerk,
        sitting=sitting,
        giver=council.people[-1],
        holder=council.people[0],
        written_on=date(2024, 3, 25),
    )
    services.record_movement(
        user=council.clerk, sitting=sitting, person=council.people[2], deliberation=agenda[1], status="absent"
    )
    client = client_for(council.clerk)
    # The same counts for 12 members and 3 items as for 240 members and 150 items: session,
    # user, roles, then the page's own (select_related, prefetches and subqueries: never a
    # query per member or per item).
    pages = {
        # The sitting with its people, the sittings reconvened from it, its agenda, members,
        # movements and proxies, the items it may add, its documents, its history, the badge.
        sitting.get_absolute_url(): PAGE_QUERIES["sitting"],
        # The sitting, its members, movements, proxies and agenda, the badge.
        f"/deliberations/seances/{sitting.pk}/presences/": PAGE_QUERIES["attendance"],
        # The act, its sitting's members, movements and proxies, the badge.
        f"/deliberations/{agenda[-1].pk}/vote/": PAGE_QUERIES["vote"],
        # The act with its vote, annexes and conventions, its attendance at its item, its ballots,
        # its documents and history, the badge.
        f"/deliberations/{agenda[-1].pk}/": PAGE_QUERIES["act"],
        "/deliberations/": PAGE_QUERIES["acts"],
        reverse("core:dashboard"): PAGE_QUERIES["dashboard"],
        "/deliberations/seances/": PAGE_QUERIES["sittings"],
        # The public register: the collectivité, its assemblies, the page's rows, never a count.
        f"/deliberations/publiques/{organization.pk}/": PAGE_QUERIES["public"],
    }
    client.get(f"/deliberations/{agenda[-1].pk}/")  # the acts' content type, cached from then on
    for path, queries in pages.items():
        with django_assert_max_num_queries(queries):
            assert client.get(path).status_code == 200, path
    page = client.get("/deliberations/seances/").content.decode()
    assert f'<a href="{sitting.get_absolute_url()}">' in page and council.assembly.name in page
    assert f'<option value="{council.assembly.pk}">{council.assembly.name} — ' in page


PAGE_QUERIES = {
    "sitting": 14,  # and its convocation sendings (one query; their recipients one more once sent)
    "attendance": 10,  # and the members' answers to the convocation (one query)
    "vote": 10,
    "act": 11,
    "acts": 7,
    "dashboard": 13,
    "sittings": 7,
    # A member of the collectivité also reads its SIRET and the published acts left out of its
    # open-data file (SCDL), two queries whatever their number.
    "public": 9,
}


def test_public_page_lists_published_acts_without_login(
    client, organization, council_factory, django_assert_max_num_queries
):
    council = council_factory(organization, 5)
    sitting = council.sitting()
    published = council.item(
        sitting, title="Renouvellement de la convention FLAG", report="Lutte contre les discriminations"
    )
    hidden = council.item(sitting, title="Projet non publié")
    council.attend(sitting, present=5)
    for item in (published, hidden):
        services.record_vote(
            user=council.clerk, deliberation=item, votes_for=5, votes_against=0, abstentions=0, not_voting=0
        )
    Deliberation.objects.filter(pk=published.pk).update(requires_transmission=False)
    services.sign(user=council.clerk, deliberation=published, signed_on=date(2024, 3, 27))
    services.publish(user=council.clerk, deliberation=published, published_on=date(2024, 3, 28))
    # Without login: the collectivité, its assemblies, the rows, which of them have a PDF extract.
    with django_assert_max_num_queries(4):
        page = client.get(f"/deliberations/publiques/{organization.pk}/").content.decode()
    assert "Renouvellement de la convention FLAG" in page and "Projet non publié" not in page
    assert (
        "Renouvellement"
        in client.get(f"/deliberations/publiques/{organization.pk}/?q=discriminations").content.decode()
    )
    assert (
        "Renouvellement" not in client.get(f"/deliberations/publiques/{organization.pk}/?annee=2023").content.decode()
    )
    assert client.get(f"/deliberations/publiques/{organization.pk}/{hidden.pk}/extrait.pdf").status_code == 404


def test_dashboard_panel(organization, council_factory, client_for):
    council = council_factory(organization, 3)
    council.sitting()
    page = client_for(council.clerk).get("/tableau-de-bord/").content.decode()
    assert "Séances et délibérations" in page


def test_deliberation_page_names_each_ballot(organization, council_factory, client_for):
    council = council_factory(organization, 3)
    sitting = council.sitting()
    item = council.item(sitting)
    council.attend(sitting, present=2)
    services.register_proxy(
        user=council.clerk,
        sitting=sitting,
        giver=council.people[2],
        holder=council.people[1],
        written_on=date(2024, 3, 25),
    )
    client = client_for(council.clerk)
    data = {"method": "public_ballot", "nominatif": "1"}
    for person, choice in zip(council.people, ["for", "against", "for"], strict=True):
        data[f"ballot-{person.pk}"] = choice
    assert client.post(f"/deliberations/{item.pk}/vote/", data).status_code == 302
    page = client.get(f"/deliberations/{item.pk}/").content.decode()
    first, second, third = (p.full_name for p in council.people)
    assert f"{first} : Pour" in page
    assert f"{second} : Contre" in page
    assert f"{third} : Pour (par {second})" in page


def test_after_a_vote_the_next_item_to_vote_opens(organization, council_factory, client_for):
    council = council_factory(organization, 3)
    sitting = council.sitting()
    first, second = council.item(sitting, title="Premier"), council.item(sitting, title="Second")
    council.attend(sitting, present=3)
    client = client_for(council.clerk)
    data = {"method": "show_of_hands", "votes_for": "3", "votes_against": "0", "abstentions": "0", "not_voting": "0"}
    response = client.post(f"/deliberations/{first.pk}/vote/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.headers["Location"] == f"/deliberations/{second.pk}/vote/"
    response = client.post(f"/deliberations/{second.pk}/vote/", data)
    assert response.headers["Location"] == sitting.get_absolute_url()


def test_sitting_page_rows_say_quorum_result_and_actions(organization, council_factory, client_for):
    council = council_factory(organization, 3)
    sitting = council.sitting()
    voted = council.item(sitting, title="Subvention votée")
    council.item(sitting, title="Subvention à voter")
    council.attend(sitting, present=3)
    vote = services.record_vote(
        user=council.clerk, deliberation=voted, votes_for=3, votes_against=0, abstentions=0, not_voting=0
    )
    page = client_for(council.clerk).get(sitting.get_absolute_url()).content.decode()
    # The agenda rows are written by the view, whose escaping writes ' as &#x27; (Jinja2: &#39;).
    assert f"Pour 3 · Contre 0 · Abstentions 0 · Ne prennent pas part 0</span> — {vote.result_text}" in html.unescape(
        page
    )
    assert page.count('<span class="status status--ok">atteint</span>') == 2
    assert page.count(">Voter</a>") == 1  # only the item still on the agenda, the sitting being open


def test_agenda_rows_escape_their_text_and_offer_what_the_state_and_role_allow(
    organization, council_factory, client_for, viewer_user
):
    council = council_factory(organization, 3)
    sitting = council.sitting(open_=False)  # convened: the agenda can still be reordered
    first = council.item(sitting, title='Rue <b>"des Lilas"</b> & co', rapporteur=council.people[1])
    council.item(sitting, title="Rapport d'activité", kind="information")
    clerk = client_for(council.clerk)
    page = clerk.get(sitting.get_absolute_url()).content.decode()
    rows = page.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    assert "Rue &lt;b&gt;&#34;des Lilas&#34;&lt;/b&gt; &amp; co" in rows and "<b>" not in rows
    assert f"Rapporteur : {html.escape(council.people[1].full_name)}" in rows
    assert rows.count('<span class="badge">communication</span>') == 1
    up = reverse("deliberations:action", args=[first.pk, "monter"])
    down = reverse("deliberations:action", args=[first.pk, "descendre"])
    assert f'action="{up}"' in rows and f'action="{down}"' in rows
    assert 'aria-label="Monter le point 1"' in rows and 'aria-label="Descendre le point 2"' in rows
    assert rows.count('name="csrfmiddlewaretoken"') == 4 and ">Voter</a>" not in rows

    services.open_sitting(user=council.clerk, sitting=sitting, opened_at=sitting.starts_at)
    council.attend(sitting, present=3)
    rows = clerk.get(sitting.get_absolute_url()).content.decode().split("<tbody", 1)[1].split("</tbody>", 1)[0]
    assert rows.count(">Voter</a>") == 1 and rows.count(">Prendre acte</button>") == 1
    assert f'href="{reverse("deliberations:vote", args=[first.pk])}"' in rows and "Monter le point" not in rows
    # Someone who may only read sees the rows, not the buttons.
    rows = client_for(viewer_user).get(sitting.get_absolute_url()).content.decode().split("<tbody", 1)[1]
    assert "Rue &lt;b&gt;" in rows and ">Voter</a>" not in rows.split("</tbody>", 1)[0]


def test_attendance_sheet_rows_escape_names_and_post_each_member_s_status(council, client_for, viewer_user):
    sitting = council.sitting()
    council.item(sitting)
    council.attend(sitting, present=10, excused=1)
    person = council.people[3]
    Person.objects.filter(pk=person.pk).update(first_name='<i>"Jo"</i>')
    Mandate.objects.filter(person=person).update(function="1er adjoint <délégué>")
    url = f"/deliberations/seances/{sitting.pk}/presences/"
    page = client_for(council.clerk).get(url).content.decode()
    sheet = page.split('id="sheet-title"', 1)[1].split("</tbody>", 1)[0]
    # Each menu's answer replaces its row; the menus' posts go one after the other.
    assert '<tbody hx-target="closest tr" hx-swap="outerHTML" hx-sync="#sheet-form:queue all">' in sheet
    assert "&lt;i&gt;&#34;Jo&#34;&lt;/i&gt; MEMBRE003" in sheet and "<i>" not in sheet
    assert '<span class="muted">1er adjoint &lt;délégué&gt;</span>' in sheet
    one = reverse("deliberations:attendance_one", args=[sitting.pk, person.pk])
    assert f'<fieldset class="sheet-status" id="status-{person.pk}" hx-post="{one}" hx-trigger="change">' in sheet
    assert f'<tr id="member-{person.pk}" data-name="&lt;i&gt;&#34;Jo&#34;&lt;/i&gt; MEMBRE003">' in sheet
    assert sheet.count('<fieldset class="sheet-status"') == 11
    assert sheet.count('value="excused" aria-label="Excusé" checked>') == 1
    assert "&lt;i&gt;&#34;Jo&#34;&lt;/i&gt; MEMBRE003</th><td>P</td>" in page.split('id="grid-title"', 1)[1]
    # The proxies' list escapes the names too.
    services.register_proxy(
        user=council.clerk, sitting=sitting, giver=council.people[10], holder=person, written_on=sitting.date
    )
    proxies = client_for(council.clerk).get(url).content.decode().split('id="proxies-title"', 1)[1].split("</ul>")[0]
    wording = council.assembly.proxy_wording
    assert f"{council.people[10].full_name} {wording} &lt;i&gt;&#34;Jo&#34;&lt;/i&gt; MEMBRE003" in proxies
    assert "<i>" not in proxies and proxies.count('<button type="submit"') == 1
    # Someone who may only read sees every member's choices disabled, and no button to revoke.
    page = client_for(viewer_user).get(url).content.decode()
    sheet = page.split('id="sheet-title"', 1)[1].split("</tbody>", 1)[0]
    assert sheet.count('<input type="radio"') == 33 == sheet.count(" disabled>")
    assert "Révoquer" not in page.split('id="proxies-title"', 1)[1].split("</ul>")[0]


def _grid_rows(page: str) -> dict[str, str]:
    """Member name → the grid's cells (P, R, E, A) of the attendance page, read from its HTML."""
    import re

    grid = page.split('id="grid-title"', 1)[1]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>((?:<td>[PREA]</td>)+)</tr>', grid)
    return {name: "".join(re.findall(r"<td>([PREA])</td>", cells)) for name, cells in rows}


def test_attendance_grid_follows_movements_and_proxies_item_by_item(council, client_for):
    sitting = council.sitting()
    items = [council.item(sitting, title=f"Point {n}") for n in range(1, 5)]
    council.attend(sitting, present=8, excused=1)  # people 0–7 present, 8 excused, 9–10 absent
    people = council.people
    # Member 1 leaves from item 2 and comes back from item 4; member 9 (absent) gives a proxy to
    # member 2, who leaves from item 3: the proxy no longer applies from then on.
    services.record_movement(
        user=council.clerk, sitting=sitting, person=people[1], deliberation=items[1], status="absent"
    )
    services.record_movement(
        user=council.clerk, sitting=sitting, person=people[1], deliberation=items[3], status="present"
    )
    services.register_proxy(
        user=council.clerk, sitting=sitting, giver=people[9], holder=people[2], written_on=sitting.date
    )
    services.record_movement(
        user=council.clerk, sitting=sitting, person=people[2], deliberation=items[2], status="absent"
    )

    page = client_for(council.clerk).get(f"/deliberations/seances/{sitting.pk}/presences/").content.decode()
    rows = _grid_rows(html.unescape(page))

    assert len(rows) == 11
    assert rows[people[0].full_name] == "PPPP"
    assert rows[people[1].full_name] == "PAAP"
    assert rows[people[2].full_name] == "PPAA"
    assert rows[people[9].full_name] == "RRAA"
    assert rows[people[8].full_name] == "EEEE"
    assert rows[people[10].full_name] == "AAAA"

    # The proxies' list: who gives to whom, and a button that revokes the proxy.
    proxy = Proxy.objects.get(sitting=sitting)
    wording = council.assembly.proxy_wording
    assert f"{people[9].full_name} {wording} {people[2].full_name}" in html.unescape(page)
    revoke = reverse("deliberations:proxy_revoke", args=[sitting.pk, proxy.pk])
    assert f'action="{revoke}"' in page
    client = client_for(council.clerk)
    client.post(revoke)
    after = html.unescape(client.get(f"/deliberations/seances/{sitting.pk}/presences/").content.decode())
    assert "révoqué" in after and f'action="{revoke}"' not in after


@pytest.mark.parametrize("changes", [3, 30])
def test_history_names_what_foreign_keys_point_to_in_a_fixed_number_of_queries(
    organization, council_factory, client_for, django_assert_max_num_queries, changes
):
    council = council_factory(organization, 5)
    item = council.item(None, title="Subvention")
    for n in range(changes):
        item.rapporteur = council.people[n % 5]
        item._change_reason = f"Rapporteur n° {n}"
        item.save()
    client = client_for(council.clerk)
    url = reverse("core:history", args=["deliberations", "deliberation", item.pk])
    # Session, user, roles, the act, its history records with their users, the people named,
    # the unread badge: whatever the number of changes.
    with django_assert_max_num_queries(8):
        page = html.unescape(client.get(url).content.decode())
    last, before = council.people[(changes - 1) % 5], council.people[(changes - 2) % 5]
    assert f"Rapporteur n° {changes - 1}" in page
    assert f"<del>{before.full_name}</del>" in page and f"<ins>{last.full_name}</ins>" in page
    assert "Précédente" not in page and "Suivante" not in page


def test_history_pages_of_a_hundred_changes(organization, council_factory, client_for):
    council = council_factory(organization, 3)
    item = council.item(None, title="Subvention")
    for n in range(105):
        item.title = f"Subvention n° {n}"
        item.save()
    client = client_for(council.clerk)
    url = reverse("core:history", args=["deliberations", "deliberation", item.pk])
    first = html.unescape(client.get(url).content.decode())
    assert "<ins>Subvention n° 104</ins>" in first and "Résultats 1 à 100" in first and "Suivante" in first
    second = html.unescape(client.get(url, {"page": "2"}).content.decode())
    assert "Résultats 101 à 106" in second and "<ins>Subvention n° 0</ins>" in second
    assert "Précédente" in second and "Suivante" not in second


def test_an_act_is_read_with_what_its_page_prints(
    organization, other_organization, council_factory, client_for, django_assert_num_queries
):
    from django.http import Http404

    from deliberations import selectors

    council = council_factory(organization, 3)
    sitting = council.sitting()
    item = council.item(sitting)
    council.attend(sitting, present=3)
    client = client_for(council.clerk)
    data = {"method": "public_ballot", "nominatif": "1"}
    for person, choice in zip(council.people, ["for", "against", "for"], strict=True):
        data[f"ballot-{person.pk}"] = choice
    assert client.post(f"/deliberations/{item.pk}/vote/", data).status_code == 302
    # The act with its assembly, organization, sitting, people, vote and transmission; its
    # annexes; the conventions it approved.
    with django_assert_num_queries(3):
        read = selectors.deliberation_for(council.clerk, item.pk, page=True)
        assert read.assembly.organization.name == organization.name and read.sitting == sitting
        assert read.vote.votes_for == 2 and read.vote.votes_against == 1
        assert list(read.annexes.all()) == [] and list(read.approved_conventions.all()) == []
    assert "search_vector" in read.get_deferred_fields()
    ballots = list(selectors.ballots_of(read))
    by_name = sorted(council.people, key=lambda p: (p.last_name, p.first_name))
    assert [b.person for b in ballots] == by_name
    assert {b.person_id: b.choice for b in ballots} == {
        council.people[0].pk: "for",
        council.people[1].pk: "against",
        council.people[2].pk: "for",
    }
    page = html.unescape(client.get(f"/deliberations/{item.pk}/").content.decode())
    assert f"{council.people[1].full_name} : Contre" in page
    with pytest.raises(Http404):
        selectors.deliberation_for(member(other_organization, Role.CLERK), item.pk)


def test_the_sitting_and_its_attendance_are_read_as_the_orm_reads_them(
    organization, other_organization, council_factory
):
    from django.http import Http404

    from deliberations import selectors

    council = council_factory(organization, 6)
    sitting = council.sitting()
    items = [council.item(sitting, title=f"Point {n}") for n in range(3)]
    council.attend(sitting, present=5, excused=1)
    people = council.people
    services.register_proxy(
        user=council.clerk,
        sitting=sitting,
        giver=people[5],
        holder=people[0],
        written_on=sitting.date,
        from_item=items[1],
    )
    services.record_movement(
        user=council.clerk, sitting=sitting, person=people[2], deliberation=items[2], status="absent"
    )

    read = selectors.sitting_for(council.clerk, sitting.pk, page=True)
    orm = Sitting.objects.select_related("assembly__organization", "president", "secretary", "reconvened_from").get(
        pk=sitting.pk
    )
    fields = [f.attname for f in Sitting._meta.concrete_fields]
    assert [getattr(read, f) for f in fields] == [getattr(orm, f) for f in fields]
    assert read.assembly.name == orm.assembly.name and read.assembly.organization.pk == organization.pk
    assert (read.president, read.secretary, read.reconvened_from) == (orm.president, orm.secretary, None)
    assert list(read.reconvened_sittings.all()) == list(orm.reconvened_sittings.all()) == []

    # The sheet: members by name with their mandates, statuses, the arrival or departure, the
    # proxy with its positions and people.
    sheet = selectors.sitting_attendance(read, agenda_rows=True)
    assert sheet.members == selectors.members_in_office(read.assembly_id, read.date)
    assert sheet.items == selectors.agenda_summary(read)
    assert [(i.pk, i.position, i.title) for i in sheet.items] == [
        (i.pk, n + 1, f"Point {n}") for n, i in enumerate(items)
    ]
    assert sheet.defaults == dict(Attendance.objects.filter(sitting=sitting).values_list("person_id", "status"))
    assert sheet.changes == [(3, people[2].pk, "absent")]
    (proxy,) = sheet.proxies
    stored = Proxy.objects.get(sitting=sitting)
    fields = ("id", "giver_id", "holder_id", "revoked", "revoked_from_item_id", "written_on", "illness", "from_item_id")
    assert [getattr(proxy, f) for f in fields] == [getattr(stored, f) for f in fields]
    assert (proxy.start, proxy.end) == (2, None)
    names = sheet.proxy_names
    assert (names[proxy.giver_id], names[proxy.holder_id]) == (people[5].full_name, people[0].full_name)
    assert sheet.for_item(items[2]).represented_count == 1 and sheet.opening().represented_count == 0

    # The sitting page's reads: the agenda and the facts as ``attendance_facts`` reads them.
    agenda_rows, facts = selectors.agenda_and_facts(read)
    assert agenda_rows == selectors.agenda_summary(read) and facts == selectors.attendance_facts(read)
    with pytest.raises(Http404):
        selectors.sitting_for(member(other_organization, Role.CLERK), sitting.pk)


def test_the_sitting_page_reads_its_members_on_the_sitting_local_date(organization, council_factory):
    """The members in office on the sitting's local date: here a quarter past midnight in
    Paris, the evening before in UTC, when a new member's mandate starts."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from deliberations import selectors

    council = council_factory(organization, 4)
    late = datetime(2024, 3, 27, 0, 15, tzinfo=ZoneInfo("Europe/Paris"))
    sitting = council.sitting(when=late)
    newcomer = Person.objects.create(organization=organization, first_name="Nouvelle", last_name="Élue")
    Mandate.objects.create(assembly=council.assembly, person=newcomer, start_date=date(2024, 3, 27))
    council.item(sitting)
    council.attend(sitting, present=3)
    agenda, facts = selectors.agenda_and_facts(selectors.sitting_for(council.clerk, sitting.pk))
    assert newcomer.pk in facts.members and len(facts.members) == 5
    assert [item.title for item in agenda] == ["Subvention"]


def _three_items_a_departure_and_a_proxy(council, sitting):
    """Three items, five members present; the fourth leaves at the second item and gives a
    proxy to the first from the third."""
    items = [council.item(sitting, title=f"Point {n}") for n in range(3)]
    council.attend(sitting, present=5)
    people = council.people
    services.record_movement(
        user=council.clerk, sitting=sitting, person=people[3], deliberation=items[1], status="absent"
    )
    services.register_proxy(
        user=council.clerk,
        sitting=sitting,
        giver=people[3],
        holder=people[0],
        written_on=date(2024, 3, 26),
        from_item=items[2],
    )
    return items


def test_an_item_attendance_is_read_at_its_position(organization, council_factory, client_for):
    """``item_facts`` at an act's item: statuses after a departure, a proxy from an earlier
    item, the members' names, on a sitting starting after midnight in Paris; the act's page
    prints them."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from deliberations import selectors

    council = council_factory(organization, 5)
    sitting = council.sitting(when=datetime(2024, 3, 27, 0, 15, tzinfo=ZoneInfo("Europe/Paris")))
    items = _three_items_a_departure_and_a_proxy(council, sitting)
    act = items[2]
    facts = selectors.item_facts(sitting, act.position, names=True)
    at_act = facts.at(act.position)
    people = council.people
    assert at_act.represented == {people[3].pk: people[0].pk} and at_act.present_count == 4
    assert facts.names[people[3].pk] == people[3].full_name
    before = selectors.item_facts(sitting, items[0].position).at(items[0].position)
    assert before.present_count == 5 and before.represented == {}
    page = html.unescape(client_for(council.clerk).get(f"/deliberations/{act.pk}/").content.decode())
    assert people[3].full_name in page and people[0].full_name in page


def test_the_attendance_sheet_is_read_in_a_fixed_number_of_queries(
    organization, council_factory, django_assert_num_queries
):
    """``sitting_attendance(agenda_rows=True)``: the members in office on the sitting's local
    date (a mandate starting the day after midnight in Paris), a departure, a proxy from an
    item and its people, the agenda; in four queries."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from deliberations import selectors

    council = council_factory(organization, 5)
    sitting = council.sitting(when=datetime(2024, 3, 27, 0, 15, tzinfo=ZoneInfo("Europe/Paris")))
    newcomer = Person.objects.create(organization=organization, first_name="Nouvelle", last_name="Élue")
    Mandate.objects.create(assembly=council.assembly, person=newcomer, start_date=date(2024, 3, 27))
    items = _three_items_a_departure_and_a_proxy(council, sitting)
    people = council.people
    read = selectors.sitting_for(council.clerk, sitting.pk)
    # The members with their statuses, the movements, the proxies with their people, the agenda.
    with django_assert_num_queries(4):
        sheet = selectors.sitting_attendance(read, agenda_rows=True)
    assert newcomer.pk in [m.person_id for m in sheet.members] and len(sheet.members) == 6
    assert [m.person.full_name for m in sheet.members][-1] == newcomer.full_name  # « Élue » sorts last
    assert sheet.changes == [(2, people[3].pk, "absent")]
    (proxy,) = sheet.proxies
    assert (proxy.giver_id, proxy.holder_id, proxy.start) == (people[3].pk, people[0].pk, 3)
    assert sheet.proxy_names == {people[3].pk: people[3].full_name, people[0].pk: people[0].full_name}
    assert [i.pk for i in sheet.items] == [i.pk for i in items]
    assert sheet.by_position[3].represented == {people[3].pk: people[0].pk}
    assert sheet.by_position[2].represented == {} and sheet.by_position[1].present_count == 5


def test_moving_an_item_with_htmx_answers_the_agenda_rows_alone(council, client_for):
    sitting = council.sitting(open_=False)
    first, second = council.item(sitting, title="Premier"), council.item(sitting, title="Second")
    client = client_for(council.clerk)
    page = client.get(sitting.get_absolute_url()).content.decode()
    up = reverse("deliberations:action", args=[second.pk, "monter"])
    assert f'hx-post="{up}" hx-target="#agenda-rows"' in page and '<tbody id="agenda-rows">' in page
    rows = client.post(up, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in rows and "<tbody" not in rows
    assert rows.index("Second") < rows.index("Premier") and 'id="point-1"' in rows
    assert 'name="csrfmiddlewaretoken"' in rows  # the fragment's forms post as the page's do
    # Moving the first item up is refused: the page reloads and shows why.
    refused = client.post(reverse("deliberations:action", args=[second.pk, "monter"]), HTTP_HX_REQUEST="true")
    assert refused.headers["HX-Refresh"] == "true"
    assert [d.pk for d in Deliberation.objects.filter(sitting=sitting).order_by("position")] == [second.pk, first.pk]
