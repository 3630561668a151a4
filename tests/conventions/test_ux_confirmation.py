"""A convention's irreversible buttons (abandon, give notice) ask first; the server refuses
them unconfirmed. The page's bar holds the step at hand and a menu of the rest."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest

from conventions.models import Convention, ConventionStatus
from tests.conventions.helpers import draft, signed

pytestmark = pytest.mark.django_db


def test_abandoning_is_refused_unconfirmed_then_done(legal_user, organization, client_for):
    convention = draft(legal_user, organization)
    client = client_for(legal_user)
    url = f"/conventions/{convention.pk}/action/cancel/"
    refused = client.post(url, {"reason": "Projet arrêté"})
    assert refused.status_code == 400
    page = html.unescape(refused.content.decode())
    assert "La convention sera abandonnée définitivement" in page
    assert '<input type="hidden" name="reason" value="Projet arrêté">' in page
    assert Convention.objects.get(pk=convention.pk).status == ConventionStatus.DRAFT

    assert client.post(url, {"reason": "Projet arrêté", "confirmation": "oui"}).status_code == 302
    assert Convention.objects.get(pk=convention.pk).status == ConventionStatus.CANCELLED


def test_giving_notice_is_refused_unconfirmed(legal_user, organization, client_for):
    convention = signed(legal_user, organization, termination_mode="notice", termination_notice_value=2)
    party = convention.parties.order_by("position").last()
    client = client_for(legal_user)
    posted = {
        "given_by": party.pk,
        "reason": "Fin du partenariat",
        "sent_on": "2025-01-06",
        "registered_letter_number": "1A 234 567 8901 2",
    }
    refused = client.post(f"/conventions/{convention.pk}/action/notice/", posted)
    assert refused.status_code == 400
    assert "La résiliation sera engagée" in html.unescape(refused.content.decode())
    assert not hasattr(Convention.objects.get(pk=convention.pk), "termination_notice_record")

    done = client.post(f"/conventions/{convention.pk}/action/notice/", {**posted, "confirmation": "oui"}, follow=True)
    text = html.unescape(done.content.decode())
    assert "La dénonciation est enregistrée." in text, text[text.find('class="messages"') :][:600]
    assert Convention.objects.get(pk=convention.pk).termination_notice_record.reason == "Fin du partenariat"


def test_the_page_bar_menu_and_confirmations(legal_user, organization, client_for):
    convention = draft(legal_user, organization, amount=Decimal("15000"))
    page = html.unescape(client_for(legal_user).get(convention.get_absolute_url()).content.decode())
    start = page.index('<nav class="action-bar"')
    bar = page[start : page.index("</nav>", start)]
    # The step at hand first, leading to its form; the rest in the menu, the irreversible last.
    assert '<a class="button" href="#action-submit">Transmettre en relecture juridique</a>' in bar
    assert 'id="action-submit"' in page
    menu = bar[bar.index('<details class="menu">') :]
    assert menu.index('href="#action-add_party"') < menu.index('href="#action-cancel"')
    for slug in ("add_party", "add_obligation", "annex", "cancel"):
        assert f'id="action-{slug}"' in page, slug
    assert 'data-confirm-title="Abandonner cette convention ?"' in page
    assert "15\u202f000,00\u00a0€" in page


def test_the_last_day_covered_says_how_far_it_is(legal_user, organization, client_for):
    from django.utils import timezone

    from core.formatting import french_date, french_relative

    convention = signed(legal_user, organization)
    page = html.unescape(client_for(legal_user).get(convention.get_absolute_url()).content.decode())
    far = french_relative((convention.end_date - timezone.localdate()).days)
    assert f'{french_date(convention.end_date)} <span class="muted">({far})</span>' in page
    assert "jours)" not in far or abs((convention.end_date - timezone.localdate()).days) < 31
