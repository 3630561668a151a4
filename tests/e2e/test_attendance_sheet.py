"""The attendance sheet in headless Chromium, at a desktop's width (1366 px) and a phone's
(390 px), under the site's Content-Security-Policy and axe's WCAG 2.1 A/AA rules:

1. the keys P, E, A on a member's row do what the page says, R opens the choice of the
   holder, a box finds a member, the counts follow;
2. a refused change shows its reason at the row, whose menu goes back to the stored status;
   the state at the opening stays true;
3. proxies, arrivals and departures are saved from a panel beside the sheet (a dialog from a
   row) without a reload, the focus kept, the holder's menu filtered as one types.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from deliberations import services
from deliberations.models import Attendance, AttendanceChange, Proxy
from tests.deliberations.conftest import make_council

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1366, 390]


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def width(request: Any, page: Any) -> int:
    page.set_viewport_size({"width": request.param, "height": 900})
    return request.param


def _status(sitting: Any, person: Any) -> str | None:
    return Attendance.objects.filter(sitting=sitting, person=person).values_list("status", flat=True).first()


def _open(page: Any, login: Any, council: Any, sitting: Any) -> None:
    login(council.clerk)
    page.goto(f"/deliberations/seances/{sitting.pk}/presences/")
    # A mark that a reload would erase (set through DevTools: the page's policy allows no inline script).
    page.evaluate("window.sheetNotReloaded = true")


def _not_reloaded(page: Any) -> bool:
    return page.evaluate("window.sheetNotReloaded === true")


def _choice(page: Any, person: Any, status: str) -> Any:
    return page.locator(f"#status-{person.pk}-{status}")


def _focus_in(page: Any, person: Any) -> Any:
    """The element of the member's row that has the focus (expect it to have a count of 1)."""
    return page.locator(f"#member-{person.pk} input:focus")


def test_keys_find_box_and_live_counts(page, login, organization, width, accessibility_violations):
    council = make_council(organization, 12)
    sitting = council.sitting()
    council.item(sitting, title="Subvention au club")
    people = council.people
    _open(page, login, council, sitting)
    assert accessibility_violations() == []
    counts = page.locator("#sheet-counts")
    expect(counts).to_contain_text("0 présent(s), 0 représenté(s), 12 non pointé(s) sur 12")

    # P, E, A on the first rows: each is saved, the focus goes down the sheet.
    _choice(page, people[0], "present").focus()
    page.keyboard.press("p")
    expect(_focus_in(page, people[1])).to_have_count(1)
    page.keyboard.press("e")
    page.keyboard.press("a")
    expect(_focus_in(page, people[3])).to_have_count(1)
    expect(counts).to_contain_text("1 présent(s), 0 représenté(s), 9 non pointé(s) sur 12")
    expect(_choice(page, people[2], "absent")).to_be_checked()
    assert [_status(sitting, p) for p in people[:3]] == ["present", "excused", "absent"]
    # The arrows move without changing anything.
    page.keyboard.press("ArrowUp")
    expect(_focus_in(page, people[2])).to_have_count(1)
    page.keyboard.press("ArrowDown")
    expect(_focus_in(page, people[3])).to_have_count(1)
    assert _status(sitting, people[3]) is None

    page.get_by_role("button", name="Tous présents (élus non encore pointés)").click()
    expect(counts).to_contain_text("10 présent(s), 0 représenté(s), 0 non pointé(s) sur 12")
    page.evaluate("window.sheetNotReloaded = true")

    # The find box: part of a name, Enter, a key; then back in the box for the next one.
    find = page.get_by_label("Trouver un élu")
    find.fill("membre009")
    expect(page.locator(f"#member-{people[8].pk}")).to_be_hidden()
    find.press("Enter")
    expect(_focus_in(page, people[9])).to_have_count(1)
    page.keyboard.press("a")
    expect(find).to_be_focused()
    expect(find).to_have_value("")
    expect(page.locator(f"#member-{people[8].pk}")).to_be_visible()
    expect(counts).to_contain_text("9 présent(s), 0 représenté(s)")
    expect(page.locator("#quorum")).to_contain_text("9 présent(s) sur 12 en exercice")
    assert _status(sitting, people[9]) == "absent"

    # R: the holder's choice opens, giver chosen; typing filters the holders, Enter saves.
    find.fill("010")
    find.press("Enter")
    page.keyboard.press("r")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    assert accessibility_violations() == []
    expect(dialog.get_by_label("Mandant (absent)")).to_have_value(str(people[10].pk))
    holder_find = dialog.get_by_label("Chercher le mandataire")
    expect(holder_find).to_be_focused()
    holder_find.type("membre004")
    expect(dialog.get_by_label("Mandataire (présent)")).to_have_value(str(people[4].pk))
    holder_find.press("Enter")
    expect(dialog).to_be_hidden()
    expect(_focus_in(page, people[10])).to_have_count(1)
    row = page.locator(f"#member-{people[10].pk}")
    expect(row).to_contain_text(f"représenté par {people[4].full_name}")
    expect(_choice(page, people[10], "absent")).to_be_checked()
    expect(counts).to_contain_text("8 présent(s), 1 représenté(s)")
    expect(page.locator(f"#member-{people[4].pk}")).to_contain_text(f"pouvoir de {people[10].full_name}")
    assert Proxy.objects.filter(sitting=sitting, giver=people[10], holder=people[4]).exists()
    # The grid of the items reads itself again.
    expect(page.locator("#grid-section")).to_contain_text("8/1")
    assert _not_reloaded(page)
    assert accessibility_violations() == []


def test_a_refused_change_shows_its_reason_at_the_row(page, login, organization, width, accessibility_violations):
    council = make_council(organization, 8)
    sitting = council.sitting()
    examined = council.item(sitting, title="Compte administratif")
    council.item(sitting, title="Subvention")
    council.attend(sitting, present=7)
    services.record_vote(
        user=council.clerk, deliberation=examined, votes_for=7, votes_against=0, abstentions=0, not_voting=0
    )
    people = council.people
    _open(page, login, council, sitting)

    _choice(page, people[2], "present").focus()
    page.keyboard.press("a")
    error = page.locator(f"#status-{people[2].pk}-error")
    expect(error).to_contain_text("est déjà examiné")
    expect(_choice(page, people[2], "present")).to_be_checked()  # the stored status, not the refused one
    expect(_focus_in(page, people[2])).to_have_count(1)
    expect(_choice(page, people[2], "present")).to_have_attribute("aria-describedby", f"status-{people[2].pk}-error")
    # The reason is beside the row, in view, not in a card at the top of the page.
    box, menu = error.bounding_box(), _choice(page, people[2], "present").bounding_box()
    assert abs(box["y"] - menu["y"]) < 120
    expect(page.locator("#sheet-counts")).to_contain_text("7 présent(s)")
    assert _status(sitting, people[2]) == "present" and _not_reloaded(page)
    assert accessibility_violations() == []


def test_the_state_at_the_opening_stays_true(page, login, organization, width):
    council = make_council(organization, 6)
    sitting = council.sitting()
    council.item(sitting)
    council.attend(sitting, present=5)
    people = council.people
    services.register_proxy(
        user=council.clerk, sitting=sitting, giver=people[5], holder=people[2], written_on=sitting.date
    )
    _open(page, login, council, sitting)
    giver_row = page.locator(f"#member-{people[5].pk}")
    expect(giver_row).to_contain_text(f"représenté par {people[2].full_name}")

    page.locator(f"label:has(#status-{people[2].pk}-absent)").click()  # by pointer: one click on "A"

    # The holder left: the giver is no longer represented; their row says so at once.
    expect(giver_row.locator("td").last).to_contain_text("absent")
    expect(giver_row).not_to_contain_text("représenté")
    expect(page.locator(f"#member-{people[2].pk} td").last).to_contain_text("absent")
    expect(page.locator("#sheet-counts")).to_contain_text("4 présent(s), 0 représenté(s)")
    assert _not_reloaded(page)


def test_proxies_and_movements_beside_the_sheet_without_reload(
    page, login, organization, width, accessibility_violations
):
    council = make_council(organization, 30)
    sitting = council.sitting()
    council.item(sitting, title="Budget")
    second = council.item(sitting, title="Subvention")
    council.attend(sitting, present=8, excused=20)  # people 8–27 excused, 28 and 29 absent
    people = council.people
    _open(page, login, council, sitting)
    panel = page.locator("#sheet-panel")
    if width >= 1100:
        # Beside the sheet, and still in view after scrolling down the sheet.
        sheet_box, panel_box = page.locator("#sheet-form").bounding_box(), panel.bounding_box()
        assert panel_box["x"] > sheet_box["x"] + sheet_box["width"] - 5
        page.locator(f"#member-{people[20].pk}").scroll_into_view_if_needed()
        assert page.evaluate("window.scrollY") > 400
        expect(panel.get_by_role("heading", name="Pouvoirs")).to_be_in_viewport()

    # A row's link opens the panel in a dialog (a pointer's way to R).
    page.locator(f"#member-{people[8].pk}").get_by_role("link", name=f"Pouvoir — {people[8].full_name}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    holder = dialog.get_by_label("Mandataire (présent)")
    # A refused proxy: the holder is absent. The reason shows in the dialog, which stays open.
    dialog.get_by_label("Chercher le mandataire").fill("membre029")
    expect(holder).to_have_value(str(people[29].pk))
    dialog.get_by_role("button", name="Enregistrer le pouvoir").click()
    answer = dialog.locator("#panel-answer")
    expect(answer).to_contain_text("L2121-20")
    expect(answer).to_be_focused()
    assert accessibility_violations() == []
    expect(holder).to_have_value(str(people[29].pk))  # what was typed is kept
    dialog.get_by_label("Chercher le mandataire").fill("membre001")
    dialog.get_by_role("button", name="Enregistrer le pouvoir").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(f"#member-{people[8].pk}")).to_contain_text(f"représenté par {people[1].full_name}")
    expect(_focus_in(page, people[8])).to_have_count(1)

    # A departure from the second item, from the same panel (a dialog from a row's link).
    page.locator(f"#member-{people[3].pk}").get_by_role("link", name=f"Pouvoir — {people[3].full_name}").click()
    expect(dialog.locator("#id_person")).to_have_value(str(people[3].pk))
    dialog.locator("#id_deliberation").select_option(str(second.pk))
    dialog.locator("#id_status").select_option("absent")
    dialog.get_by_role("button", name="Enregistrer l'arrivée ou le départ").click()
    expect(dialog).to_be_hidden()
    expect(_focus_in(page, people[3])).to_have_count(1)
    expect(panel).to_contain_text("1 mouvement enregistré.")
    assert AttendanceChange.objects.filter(sitting=sitting, person=people[3], deliberation=second).exists()

    # Revoking, from the panel itself: the giver's row follows.
    panel.get_by_role("button", name=f"Révoquer — {people[8].full_name}").click()
    expect(panel.locator("#panel-answer")).to_contain_text("Le pouvoir est révoqué.")
    expect(panel.locator("#panel-answer")).to_be_focused()
    expect(page.locator(f"#member-{people[8].pk}")).not_to_contain_text("représenté")
    assert _not_reloaded(page)
    assert accessibility_violations() == []


def test_the_sheet_works_without_script(browser, live_server, organization, policy_violations):
    """No script: the menus and the side panel post whole forms, as before."""
    council = make_council(organization, 4)
    sitting = council.sitting()
    council.item(sitting)
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.goto("/connexion/")
    page.get_by_label("Identifiant").fill(council.clerk.username)
    page.get_by_label("Mot de passe").fill("secret-pass-123")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"/deliberations/seances/{sitting.pk}/presences/")
    expect(page.get_by_label("Trouver un élu")).to_be_hidden()
    for person, status in zip(council.people, ["present", "present", "present", "excused"], strict=True):
        page.locator(f"#status-{person.pk}-{status}").check()
    page.get_by_role("button", name="Enregistrer la feuille").click()
    expect(page.get_by_text("Les présences sont enregistrées.")).to_be_visible()
    page.get_by_label("Mandant (absent)").select_option(str(council.people[3].pk))
    page.get_by_label("Mandataire (présent)").select_option(str(council.people[0].pk))
    page.get_by_role("button", name="Enregistrer le pouvoir").click()
    expect(page.get_by_text("Le pouvoir est enregistré.")).to_be_visible()
    expect(page.locator(f"#member-{council.people[3].pk}")).to_contain_text("représenté par")
    context.close()
