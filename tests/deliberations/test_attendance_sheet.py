"""The attendance sheet's HTMX answers: a member's row, the counts and the quorum re-rendered
from the stored state after each change; a refused change answers 422 with the stored status
and the reason at the row; the side panel's proxies and movements saved without a reload."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.urls import reverse

from core.errors import DomainError
from deliberations import services
from deliberations.models import Attendance, AttendanceChange, Proxy

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _status(sitting, person) -> str | None:
    return Attendance.objects.filter(sitting=sitting, person=person).values_list("status", flat=True).first()


def _row(answer: str, person) -> str:
    """The row of ``person`` in an answer (its ``<tr>``, whether swapped or out of band)."""
    match = re.search(rf'<tr id="member-{person.pk}"[^>]*>.*?</tr>', answer, flags=re.S)
    assert match, f"no row for {person.full_name}"
    return match.group(0)


def _selected(row: str) -> str:
    """The status checked in a row ("" when none is)."""
    values = re.findall(
        r'<input type="radio" name="status-\d+" id="[^"]+" value="([a-z]+)" aria-label="[^"]+" checked', row
    )
    assert len(values) <= 1
    return values[0] if values else ""


def _opening(row: str) -> str:
    """The "État à l'ouverture" cell of a row, as text."""
    cells = re.findall(r"<td>(.*?)</td>", row, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", cells[-1])).split("Pouvoir")[0].strip()


def test_a_status_answers_the_row_counts_and_quorum_from_the_stored_state(council, client_for):
    sitting = council.sitting()
    council.item(sitting)
    council.attend(sitting, present=11)
    person = council.people[4]
    url = reverse("deliberations:attendance_one", args=[sitting.pk, person.pk])

    answer = client_for(council.clerk).post(url, {f"status-{person.pk}": "excused"}, headers=HX)

    assert answer.status_code == 200
    assert _status(sitting, person) == "excused"
    text = answer.content.decode()
    row = _row(text, person)
    assert not row.startswith(f'<tr id="member-{person.pk}" hx-swap-oob')  # the element swapped
    assert _selected(row) == "excused" and _opening(row) == "excusé"
    counts = text.split('id="sheet-counts"', 1)[1].split("</p>", 1)[0]
    assert "<strong>10</strong> présent(s), <strong>0</strong> représenté(s), 0 non pointé(s) sur 11" in counts
    assert '<template><p id="sheet-counts" class="sheet-counts" role="status" hx-swap-oob="true">' in text
    assert "10</strong> présent(s) sur 11 en exercice — quorum : 6" in text.split('id="quorum"', 1)[1]
    assert answer["HX-Trigger"] == "attendance-changed"


def test_a_refused_status_answers_422_with_the_stored_status_and_the_reason_at_the_row(council, client_for):
    sitting = council.sitting()
    item = council.item(sitting)
    council.attend(sitting, present=11)
    services.record_vote(
        user=council.clerk, deliberation=item, votes_for=11, votes_against=0, abstentions=0, not_voting=0
    )
    person = council.people[2]
    url = reverse("deliberations:attendance_one", args=[sitting.pk, person.pk])

    answer = client_for(council.clerk).post(url, {"status": "absent"}, headers=HX)

    assert answer.status_code == 422
    assert _status(sitting, person) == "present"
    row = _row(answer.content.decode(), person)
    assert _selected(row) == "present"  # the row shows what is stored, not what was refused
    assert row.count(f'aria-invalid="true" aria-describedby="status-{person.pk}-error"') == 3
    error = re.search(rf'<span class="error sheet-error" id="status-{person.pk}-error" role="alert">(.*?)</span>', row)
    assert error and "est déjà examiné" in html.unescape(error.group(1))
    assert "Feuille de présence" in html.unescape(error.group(1))  # the rule named
    # The same answer without HTMX: still a 422, never a 500.
    assert client_for(council.clerk).post(url, {"status": "absent"}).status_code == 422


@pytest.mark.parametrize("status", ["", "present'--", "represented"])
def test_an_unknown_or_empty_status_is_refused_at_the_row(council, client_for, status):
    sitting = council.sitting()
    council.attend(sitting, present=11)
    person = council.people[0]
    url = reverse("deliberations:attendance_one", args=[sitting.pk, person.pk])
    answer = client_for(council.clerk).post(url, {"status": status}, headers=HX)
    assert answer.status_code == 422
    row = _row(answer.content.decode(), person)
    assert _selected(row) == "present" and 'role="alert"' in row
    assert _status(sitting, person) == "present"


def test_a_holder_s_change_re_renders_the_giver_s_state_at_the_opening(council, client_for):
    sitting = council.sitting()
    council.item(sitting)
    council.attend(sitting, present=10)  # people 0–9 present, 10 absent
    giver, holder = council.people[10], council.people[3]
    services.register_proxy(user=council.clerk, sitting=sitting, giver=giver, holder=holder, written_on=sitting.date)
    client = client_for(council.clerk)
    page = client.get(reverse("deliberations:attendance", args=[sitting.pk])).content.decode()
    assert _opening(_row(page, giver)) == f"représenté par {holder.full_name}"
    assert _opening(_row(page, holder)) == f"présent (pouvoir de {giver.full_name})"

    url = reverse("deliberations:attendance_one", args=[sitting.pk, holder.pk])
    answer = client.post(url, {"status": "absent"}, headers=HX).content.decode()

    # The holder left: the proxy no longer applies, and the giver's row, swapped out of band, says so.
    assert _opening(_row(answer, holder)) == "absent"
    giver_row = _row(answer, giver)
    assert 'hx-swap-oob="true"' in giver_row and _opening(giver_row) == "absent"
    assert f'<template><tr id="member-{giver.pk}"' in answer  # a lone row parses in a template
    assert "<strong>9</strong> présent(s), <strong>0</strong> représenté(s)" in answer


def test_a_proxy_from_the_row_records_the_giver_absent_and_answers_the_panel(council, client_for):
    sitting = council.sitting()
    council.item(sitting)
    council.attend(sitting, present=11)
    giver, holder = council.people[7], council.people[1]
    url = reverse("deliberations:proxy_create", args=[sitting.pk])
    data = {"giver": giver.pk, "holder": holder.pk, "written_on": "2024-03-25", "mark_absent": "on"}

    answer = client_for(council.clerk).post(url, data, headers=HX)

    assert answer.status_code == 200
    assert _status(sitting, giver) == "absent"
    assert Proxy.objects.filter(sitting=sitting, giver=giver, holder=holder, revoked=False).count() == 1
    text = answer.content.decode()
    assert text.lstrip().startswith("<template>") is False and '<div id="sheet-panel-body"' in text
    assert "Le pouvoir est enregistré." in text
    assert _opening(_row(text, giver)) == f"représenté par {holder.full_name}"
    assert _selected(_row(text, giver)) == "absent"
    assert "<strong>10</strong> présent(s), <strong>1</strong> représenté(s)" in text
    assert json.loads(answer["HX-Trigger"]) == {"attendance-changed": {"person": giver.pk}}


def test_a_refused_proxy_leaves_the_giver_s_status_and_says_why_in_the_panel(council, client_for):
    sitting = council.sitting()
    council.item(sitting)
    council.attend(sitting, present=9)  # people 9 and 10 absent
    giver, absent_holder = council.people[2], council.people[10]
    url = reverse("deliberations:proxy_create", args=[sitting.pk])
    data = {"giver": giver.pk, "holder": absent_holder.pk, "written_on": "2024-03-25", "mark_absent": "on"}

    answer = client_for(council.clerk).post(url, data, headers=HX)

    assert answer.status_code == 422
    # One transaction: the giver recorded absent for the proxy is present again.
    assert _status(sitting, giver) == "present" and not Proxy.objects.filter(sitting=sitting).exists()
    text = html.unescape(answer.content.decode())
    message = re.search(r'<p class="message message--error" role="alert" id="panel-answer"[^>]*>(.*?)</p>', text)
    assert message and "L2121-20" in message.group(1) and absent_holder.full_name in message.group(1)
    # The form keeps what was typed; the giver's row shows what is stored.
    assert f'<option value="{absent_holder.pk}" selected>' in text.split('id="id_holder"', 1)[1]
    assert _selected(_row(text, giver)) == "present"


def test_an_incomplete_proxy_names_the_missing_fields(council, client_for):
    sitting = council.sitting()
    council.attend(sitting, present=11)
    url = reverse("deliberations:proxy_create", args=[sitting.pk])
    answer = client_for(council.clerk).post(url, {"giver": council.people[3].pk}, headers=HX)
    assert answer.status_code == 422
    text = html.unescape(answer.content.decode())
    assert "Pouvoir incomplet : Mandataire (présent) : " in text and "Pouvoir écrit le : " in text


def test_without_htmx_the_panel_s_forms_post_the_page_as_before(council, client_for):
    sitting = council.sitting()
    council.item(sitting)
    council.attend(sitting, present=10)
    client = client_for(council.clerk)
    url = reverse("deliberations:proxy_create", args=[sitting.pk])
    data = {"giver": council.people[10].pk, "holder": council.people[0].pk, "written_on": "2024-03-25"}
    answer = client.post(url, data, follow=True)
    assert answer.redirect_chain == [(reverse("deliberations:attendance", args=[sitting.pk]), 302)]
    assert "Le pouvoir est enregistré." in answer.content.decode()
    # A row's "Pouvoir" link, followed without script, opens the page with the giver chosen.
    page = client.get(reverse("deliberations:attendance", args=[sitting.pk]), {"pouvoir": council.people[9].pk})
    giver_menu = page.content.decode().split('id="id_giver"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{council.people[9].pk}" selected>' in giver_menu


def test_a_movement_and_a_revocation_answer_the_panel(council, client_for):
    sitting = council.sitting()
    items = [council.item(sitting, title=f"Point {n}") for n in (1, 2)]
    council.attend(sitting, present=10)
    proxy = services.register_proxy(
        user=council.clerk, sitting=sitting, giver=council.people[10], holder=council.people[5], written_on=sitting.date
    )
    client = client_for(council.clerk)
    url = reverse("deliberations:movement_create", args=[sitting.pk])
    person = council.people[6]

    moved = client.post(url, {"person": person.pk, "deliberation": items[1].pk, "status": "absent"}, headers=HX)

    assert moved.status_code == 200 and "L'arrivée ou le départ est enregistré." in html.unescape(
        moved.content.decode()
    )
    assert AttendanceChange.objects.filter(sitting=sitting, person=person, deliberation=items[1]).exists()
    assert "1 mouvement enregistré." in moved.content.decode()
    incomplete = client.post(url, {"person": person.pk}, headers=HX)
    assert incomplete.status_code == 422 and "Arrivée ou départ incomplet" in html.unescape(incomplete.content.decode())

    revoke = reverse("deliberations:proxy_revoke", args=[sitting.pk, proxy.pk])
    revoked = client.post(revoke, headers=HX)
    assert revoked.status_code == 200
    text = html.unescape(revoked.content.decode())
    assert "Le pouvoir est révoqué." in text and _opening(_row(text, council.people[10])) == "absent"
    again = client.post(revoke, headers=HX)
    assert again.status_code == 422 and "déjà révoqué" in html.unescape(again.content.decode())


def test_the_grid_reads_itself_again_after_a_change(council, client_for):
    sitting = council.sitting()
    council.item(sitting)
    council.attend(sitting, present=11)
    client = client_for(council.clerk)
    person = council.people[0]
    client.post(reverse("deliberations:attendance_one", args=[sitting.pk, person.pk]), {"status": "absent"}, headers=HX)
    grid = client.get(reverse("deliberations:attendance", args=[sitting.pk]), {"partie": "grille", "de": 1})
    text = html.unescape(grid.content.decode())
    assert text.startswith('<section class="card" aria-labelledby="grid-title" id="grid-section"')
    assert f'<tr><th scope="row">{person.full_name}</th><td>A</td></tr>' in text
    assert '<td class="num">10/0</td>' in text and "<html" not in text


def test_someone_who_may_only_read_changes_nothing(council, client_for, viewer_user):
    sitting = council.sitting()
    council.attend(sitting, present=11)
    person = council.people[0]
    url = reverse("deliberations:attendance_one", args=[sitting.pk, person.pk])
    assert client_for(viewer_user).post(url, {"status": "absent"}, headers=HX).status_code == 403
    assert _status(sitting, person) == "present"


def test_represent_records_the_giver_absent_only_from_the_opening(council):
    """``services.represent``: from the opening, a giver recorded present (or not at all) is
    recorded absent with the proxy; from a later item, the sitting's status is left alone
    and the proxy's own checks decide (CGCT L2121-20: the giver absent at that item)."""
    sitting = council.sitting()
    items = [council.item(sitting, title=f"Point {n}") for n in (1, 2)]
    council.attend(sitting, present=9, excused=1)  # 9 excused, 10 absent
    people = council.people
    unrecorded = people[10]
    Attendance.objects.filter(sitting=sitting, person=unrecorded).delete()

    services.represent(user=council.clerk, sitting=sitting, giver=unrecorded, holder=people[0], written_on=sitting.date)
    services.represent(user=council.clerk, sitting=sitting, giver=people[9], holder=people[1], written_on=sitting.date)
    assert (_status(sitting, unrecorded), _status(sitting, people[9])) == ("absent", "excused")

    # From item 2, a present giver is refused (they have not left): nothing recorded.
    with pytest.raises(DomainError, match="L2121-20"):
        services.represent(
            user=council.clerk,
            sitting=sitting,
            giver=people[2],
            holder=people[3],
            written_on=sitting.date,
            from_item=items[1],
        )
    assert _status(sitting, people[2]) == "present"
    assert Proxy.objects.filter(sitting=sitting).count() == 2
