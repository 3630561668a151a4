"""Human formatting on every page: amounts, dates and durations in French words, history as
labelled French values, never a Python literal, an ISO date or a raw template variable."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.formatting import (
    NBSP,
    NNBSP,
    french_datetime,
    french_duration,
    french_number,
    french_relative,
    french_value,
)
from core.jinja import environment


def test_relative_durations_are_said_in_the_unit_a_person_uses():
    assert french_relative(0) == "aujourd'hui"
    assert french_relative(1) == "demain"
    assert french_relative(-1) == "hier"
    assert french_relative(3) == "dans 3 jours"
    assert french_relative(-5) == "il y a 5 jours"
    assert french_relative(61) == "dans 2 mois"
    assert french_relative(45) == "dans 1 mois"
    assert french_relative(1092) == "dans 3 ans"
    assert french_relative(-400) == "il y a 1 an"
    assert french_duration(30) == "30 jours"
    assert french_duration(-1) == "1 jour"


def test_numbers_values_and_datetimes_in_french():
    assert french_number(1234567) == f"1{NNBSP}234{NNBSP}567"
    assert french_number(-12) == "-12"
    assert french_value(None) == "—"
    assert french_value(True) == "oui"
    assert french_value(date(2029, 12, 3)) == "3 décembre 2029"
    assert french_value(Decimal("15000")) == f"15{NNBSP}000,00{NBSP}€"
    assert french_value(["34000", "34070"]) == "34000, 34070"
    assert french_value({"fin": date(2027, 5, 1)}) == "fin : 1er mai 2027"
    assert french_datetime(datetime(2029, 12, 3, 14, 5)) == "3 décembre 2029 à 14 h 05"


def test_the_pages_filters():
    env = environment(loader=None)

    def render(source: str, **context: object) -> str:
        return env.from_string(source).render(**context)

    assert render("{{ x|money }}", x=Decimal("15000")) == f"15{NNBSP}000,00{NBSP}€"
    assert render("{{ x|money }}", x="60000.00") == f"60{NNBSP}000,00{NBSP}€"  # from a JSON field
    assert render("{{ x|longdate }}", x=date(2029, 12, 3)) == "3 décembre 2029"
    assert render("{{ x|longdate }}", x="2027-05-01") == "1er mai 2027"  # an ISO date kept in JSON
    assert render("{{ x|number }}", x=15000) == f"15{NNBSP}000"
    today = timezone.localdate()
    assert render("{{ x|relative }}", x=today + timedelta(days=1092)) == "dans 3 ans"
    assert render("{{ x|relative }}", x=today - timedelta(days=5)) == "il y a 5 jours"
    assert render("{{ x|relative }}", x=today) == "aujourd'hui"
    assert render("{{ x|relative }}", x=61) == "dans 2 mois"
    assert render("{{ x|value }}", x=None) == "—"


@pytest.mark.django_db
def test_history_shows_labelled_french_values(legal_user, organization, client_for):
    from conventions import services
    from tests.conventions.helpers import draft

    convention = draft(legal_user, organization)
    services.update_convention(
        user=legal_user,
        convention=convention,
        amount=Decimal("15000"),
        fixed_start_date=date(2029, 12, 3),
        start_event="fixed_date",
    )
    page = client_for(legal_user).get(convention.get_absolute_url()).content.decode()
    history = page[page.index('id="history-title"') :]
    assert f"15{NNBSP}000,00{NBSP}€" in history
    assert "3 décembre 2029" in history
    assert "Date fixée" in history  # a choice by its label
    assert "2029-12-03" not in history and "Decimal(" not in history


class VisibleText(HTMLParser):
    """The text a person sees: no attribute, no script, no closed dialog's template."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "template"}:
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "template"} and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
UNGROUPED_AMOUNT = re.compile(r"\b\d{4,}(?:[.,]\d{1,2})?\s*€|\b\d{4,}[.,]\d{2}\b")
DAYS_COUNTED = re.compile(r"\b\d{3,} jours\b")  # "dans 3 ans", not "Dans 1092 jours"


def problems(text: str) -> list[str]:
    found = [m.group(0) for pattern in (ISO_DATE, UNGROUPED_AMOUNT, DAYS_COUNTED) for m in pattern.finditer(text)]
    found += [marker for marker in ("{'", "{{", "}}", "None", "Decimal(", "datetime.") if marker in text]
    return found


def test_the_check_finds_what_it_looks_for():
    assert problems("Le 2029-12-03, 15000,00 € ; {'a': 1} None {{ x }} Dans 1092 jours") == [
        "2029-12-03",
        "15000,00 €",
        "1092 jours",
        "{'",
        "{{",
        "}}",
        "None",
    ]
    assert problems(f"3 décembre 2029, 15{NNBSP}000,00{NBSP}€, dans 3 ans, v2024-067") == []


@pytest.mark.django_db
def test_the_demo_pages_show_no_raw_value(client_for):
    """Every main page of the demo, read as a person reads it."""
    from conventions.models import Convention
    from core.models import User
    from deliberations.models import Assembly, Deliberation, Sitting

    call_command("load_demo", verbosity=0)
    client = client_for(User.objects.get(username="admin"))
    paths = [
        reverse("home"),
        reverse("conventions:list"),
        reverse("deliberations:list"),
        reverse("deliberations:sitting_list"),
        reverse("reminders:list"),
        reverse("parties:organization_list"),
    ]
    paths += [c.get_absolute_url() for c in Convention.objects.all()]
    paths += [s.get_absolute_url() for s in Sitting.objects.all()]
    paths += [reverse("deliberations:attendance", args=[s.pk]) for s in Sitting.objects.all()]
    paths += [d.get_absolute_url() for d in Deliberation.objects.order_by("pk")[:10]]
    paths += [reverse("deliberations:vote", args=[d.pk]) for d in Deliberation.objects.order_by("pk")[:3]]
    paths += [reverse("deliberations:assembly_numbering", args=[a.pk]) for a in Assembly.objects.all()]
    paths += [
        reverse("conventions:amendment_detail", args=[c.pk, a.number])
        for c in Convention.objects.all()
        for a in c.amendments.all()
    ]
    found = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        bad = problems(visible_text(response.content.decode()))
        if bad:
            found[path] = bad
    assert found == {}
    assert len(paths) > 15


def test_deadline_badges_say_years_and_months_not_a_thousand_days():
    from reminders.views import deadline_status

    assert deadline_status(handled=False, is_event=False, days_left=1092) == ("info", "Dans 3 ans")
    assert deadline_status(handled=False, is_event=False, days_left=61) == ("info", "Dans 2 mois")
    assert deadline_status(handled=False, is_event=False, days_left=5) == ("warn", "Dans 5 jours")
    assert deadline_status(handled=False, is_event=False, days_left=-3) == ("danger", "En retard de 3 jours")
    assert deadline_status(handled=False, is_event=False, days_left=-70) == ("danger", "En retard de 2 mois")
