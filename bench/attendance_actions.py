"""How many clicks, keys and page loads a clerk spends recording a sitting's attendance on
the attendance sheet, in headless Chromium: a measurement, not a test (run by hand)::

    .venv/bin/python -m pytest bench/attendance_actions.py -p no:cacheprovider -s -q

A sitting of 65 members shaped like Montpellier's of 26 March 2024 (35 present, 9
represented, 21 absent of whom 8 excused) and one of 90 (50, 12, 28 of whom 10 excused),
at a desktop's width (1366 px, keyboard) and a phone's (390 px, touch). Each journey ends
with the database holding exactly the attendance aimed at (checked), and prints a line
``journey | members | width | clicks | keys | page loads``.

Journeys on the sheet (the page with its find box), each after "Tous présents":
- ``keyboard`` (1366 px): down the sheet from the first member, one key each;
- ``find box`` (1366 px): each exception found by part of its name;
- ``pointer`` (1366 px) and ``touch`` (390 px): each exception's choice on its row (one
  click), the row's "Pouvoir" link for the represented (the holder typed, or chosen in the
  menu).
Journey on the page before the find box (``before``): "Tous présents", each exception's
menu on its row (pointer, or a click and the menu's type-ahead: "Absent excusé" comes
first, so A once for excusé and twice for absent), then each proxy in the form under the
sheet, posted with the page (the scrolling to it, some 3,000 pixels, is not counted).
Names are typed as in the tests' councils ("Élu034 MEMBRE034"): three characters find one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from deliberations.models import Attendance, Proxy
from tests.conftest import browser, login, organization  # noqa: F401 (fixtures)
from tests.conftest import page as page  # the fixture
from tests.deliberations.conftest import make_council

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHAPES = {65: (35, 9, 8, 13), 90: (50, 12, 10, 18)}  # present, represented, excused, absent


@dataclass
class Count:
    clicks: int = 0
    keys: int = 0
    loads: int = 0


class Clerk:
    """Drives the page and counts what a person would do."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = Count()
        page.on("load", self._loaded)

    def _loaded(self, _page: Any) -> None:
        self.count.loads += 1

    def click(self, locator: Any) -> None:
        self.count.clicks += 1
        locator.click()

    def choose(self, select: Any, value: str) -> None:
        """A menu by pointer: open it, tap the option."""
        self.count.clicks += 2
        select.select_option(value)

    def key(self, key: str) -> None:
        self.count.keys += 1
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.count.keys += len(text)
        self.page.keyboard.type(text)


def _plan(council: Any, size: int) -> tuple[dict[Any, str], dict[Any, Any]]:
    """Each member's status and the proxies (giver → holder) aimed at: the represented and
    the absent spread along the sheet, as they are in a real council."""
    present, represented, excused, _absent = SHAPES[size]
    people = council.people
    order = sorted(range(size), key=lambda n: (n * 37) % size)
    statuses: dict[Any, str] = {}
    for rank, index in enumerate(order):
        if rank < present:
            statuses[people[index]] = "present"
        elif rank < present + represented:
            statuses[people[index]] = "represented"
        elif rank < present + represented + excused:
            statuses[people[index]] = "excused"
        else:
            statuses[people[index]] = "absent"
    statuses = {person: statuses[person] for person in people}  # the sheet's order
    holders = [p for p in people if statuses[p] == "present"]
    givers = [p for p in people if statuses[p] == "represented"]
    return statuses, dict(zip(givers, holders, strict=False))


def _tag(person: Any) -> str:
    return person.last_name[-3:]  # "034": what finds the member among the tests' names


def _check(sitting: Any, statuses: dict[Any, str], proxies: dict[Any, Any]) -> None:
    stored = dict(Attendance.objects.filter(sitting=sitting).values_list("person_id", "status"))
    wrong = [
        (person.last_name, status, stored.get(person.pk))
        for person, status in statuses.items()
        if stored.get(person.pk) != ("absent" if status == "represented" else status)
    ]
    assert not wrong, wrong
    given = set(Proxy.objects.filter(sitting=sitting, revoked=False).values_list("giver_id", "holder_id"))
    assert given == {(g.pk, h.pk) for g, h in proxies.items()}


def _keyboard(clerk: Clerk, statuses: dict[Any, str], proxies: dict[Any, Any]) -> None:
    """ "Tous présents", a click on the first member's menu, then down the sheet one key each
    (ArrowDown past the present, E, A; R, the holder's name and Enter, then ArrowDown)."""
    page = clerk.page
    clerk.click(page.get_by_role("button", name="Tous présents (élus non encore pointés)"))
    page.wait_for_load_state()
    first = next(iter(statuses))
    clerk.count.clicks += 1  # a click on the first member's row
    page.locator(f"#status-{first.pk}-present").focus()
    for person, status in statuses.items():
        if status == "represented":
            clerk.key("r")
            clerk.type(_tag(proxies[person]))
            clerk.key("Enter")
            page.get_by_role("dialog").wait_for(state="hidden")
            clerk.key("ArrowDown")
        elif status == "present":
            clerk.key("ArrowDown")
        else:
            clerk.key(status[0])


def _find(clerk: Clerk, statuses: dict[Any, str], proxies: dict[Any, Any]) -> None:
    """ "Tous présents", then each exception found by name in the find box ("/", part of the
    name, Enter, then the key; R, the holder's name, Enter)."""
    page = clerk.page
    clerk.click(page.get_by_role("button", name="Tous présents (élus non encore pointés)"))
    page.wait_for_load_state()
    clerk.key("/")
    for person, status in statuses.items():
        if status == "present":
            continue
        clerk.type(_tag(person))
        clerk.key("Enter")
        if status == "represented":
            clerk.key("r")
            clerk.type(_tag(proxies[person]))
            clerk.key("Enter")
            page.get_by_role("dialog").wait_for(state="hidden")
            clerk.key("/")
        else:
            clerk.key(status[0])


def _pointer(clerk: Clerk, statuses: dict[Any, str], proxies: dict[Any, Any], *, type_holder: bool) -> None:
    """ "Tous présents", then each exception on its row (scrolled to, not counted): its choice
    (E or A, one click); for the represented the row's "Pouvoir" link, the holder (typed and
    Enter, or chosen in the menu and saved)."""
    page = clerk.page
    clerk.click(page.get_by_role("button", name="Tous présents (élus non encore pointés)"))
    page.wait_for_load_state()
    dialog = page.get_by_role("dialog")
    for person, status in statuses.items():
        if status == "present":
            continue
        row = page.locator(f"#member-{person.pk}")
        if status == "represented":
            clerk.click(row.get_by_role("link"))
            if type_holder:
                clerk.type(_tag(proxies[person]))
                clerk.key("Enter")
            else:
                clerk.choose(dialog.locator("#id_holder"), str(proxies[person].pk))
                clerk.click(dialog.get_by_role("button", name="Enregistrer le pouvoir"))
            dialog.wait_for(state="hidden")
        else:
            clerk.click(row.locator(f"label:has(#status-{person.pk}-{status})"))


def _before(clerk: Clerk, statuses: dict[Any, str], proxies: dict[Any, Any], *, keyboard: bool) -> None:
    """The sheet without a find box: the menus' type-ahead ("Absent excusé" first, so A once
    for excusé and twice for absent), Tab to the next; the proxy form posts the page."""
    page = clerk.page
    clerk.click(page.get_by_role("button", name="Tous présents (élus non encore pointés)"))
    page.wait_for_load_state()
    for person, status in statuses.items():
        if status == "present":
            continue
        select = page.locator(f"#status-{person.pk}")
        if keyboard:
            select.focus()  # reached by scrolling and a click
            clerk.count.clicks += 1
            clerk.type("a" if status == "excused" else "aa")
        else:
            clerk.choose(select, "excused" if status == "excused" else "absent")
        page.wait_for_timeout(150)
    for giver, holder in proxies.items():
        clerk.choose(page.get_by_label("Mandant (absent)"), str(giver.pk))
        clerk.choose(page.get_by_label("Mandataire (présent)"), str(holder.pk))
        clerk.click(page.get_by_role("button", name="Enregistrer le pouvoir"))
        page.wait_for_load_state()


@pytest.mark.parametrize("size", [65, 90])
@pytest.mark.parametrize("width", [1366, 390])
def test_count_actions(page, login, organization, size, width):  # noqa: F811 (fixtures)
    council = make_council(organization, size)
    sitting = council.sitting()
    council.item(sitting, title="Subvention")
    statuses, proxies = _plan(council, size)
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 800})
    login(council.clerk)
    url = f"/deliberations/seances/{sitting.pk}/presences/"
    page.goto(url)
    has_find = page.locator("#sheet-find").count() == 1
    if has_find and width > 400:
        journeys = [
            ("keyboard", _keyboard),
            ("find box", _find),
            ("pointer", lambda c, s, p: _pointer(c, s, p, type_holder=True)),
        ]
    elif has_find:
        journeys = [
            ("touch", lambda c, s, p: _pointer(c, s, p, type_holder=False)),
            ("touch, holder typed", lambda c, s, p: _pointer(c, s, p, type_holder=True)),
        ]
    else:
        keyboard = width > 400
        journeys = [("before", lambda c, s, p: _before(c, s, p, keyboard=keyboard))]
    for name, journey in journeys:
        Attendance.objects.filter(sitting=sitting).delete()
        Proxy.objects.filter(sitting=sitting).delete()
        page.goto(url)
        clerk = Clerk(page)
        journey(clerk, statuses, proxies)
        page.wait_for_timeout(800)  # the last answers
        _check(sitting, statuses, proxies)
        c = clerk.count
        print(f"\n{name} | {size} | {width} | {c.clicks} clicks | {c.keys} keys | {c.loads} page loads")
