"""Irreversible buttons of sittings and deliberations ask first; the server refuses them
unconfirmed (400, with what would happen and a way to confirm without script)."""

from __future__ import annotations

import html

import pytest

from deliberations import services
from deliberations.models import DeliberationState, SittingState

pytestmark = pytest.mark.django_db


def test_closing_a_sitting_is_refused_unconfirmed_then_done_once_confirmed(organization, council_factory, client_for):
    council = council_factory(organization, 3)
    sitting = council.sitting()
    client = client_for(council.clerk)
    url = f"/deliberations/seances/{sitting.pk}/action/clore/"

    refused = client.post(url)
    assert refused.status_code == 400
    text = html.unescape(refused.content.decode())
    assert "Cette action est irréversible" in text
    assert "plus aucun vote ni aucune présence ne pourra être saisi" in text
    assert 'name="confirmation" value="oui"' in text  # the page's own form confirms it
    sitting.refresh_from_db()
    assert sitting.state == SittingState.OPEN

    assert client.post(url, {"confirmation": "non"}).status_code == 400
    done = client.post(url, {"confirmation": "oui"})
    assert done.status_code == 302
    sitting.refresh_from_db()
    assert sitting.state == SittingState.CLOSED


def test_a_reader_is_refused_before_any_confirmation(organization, council_factory, client_for, make_member):
    from core.roles import Role

    council = council_factory(organization, 3)
    sitting = council.sitting()
    viewer = client_for(make_member(organization, Role.VIEWER))
    assert viewer.post(f"/deliberations/seances/{sitting.pk}/action/clore/", {"confirmation": "oui"}).status_code == 403
    assert viewer.post(f"/deliberations/seances/{sitting.pk}/action/clore/").status_code == 403


def test_cancelling_a_vote_asks_first_and_keeps_the_reason_on_the_confirmation_page(
    organization, council_factory, client_for
):
    council = council_factory(organization, 3)
    sitting = council.sitting()
    item = council.item(sitting, title="Subvention")
    council.attend(sitting, present=3)
    services.record_vote(
        user=council.clerk, deliberation=item, votes_for=3, votes_against=0, abstentions=0, not_voting=0
    )
    client = client_for(council.clerk)
    detail = client.get(item.get_absolute_url()).content.decode()
    assert 'data-confirm-title="Annuler le vote ?"' in html.unescape(detail)

    url = f"/deliberations/{item.pk}/action/annuler-vote/"
    refused = client.post(url, {"reason": "Erreur de saisie"})
    assert refused.status_code == 400
    page = html.unescape(refused.content.decode())
    assert "le point reviendra à l'ordre du jour" in page
    assert '<input type="hidden" name="reason" value="Erreur de saisie">' in page
    item.refresh_from_db()
    assert item.state == DeliberationState.ADOPTED

    assert client.post(url, {"reason": "Erreur de saisie", "confirmation": "oui"}).status_code == 302
    item.refresh_from_db()
    assert item.state == DeliberationState.ON_AGENDA


def test_withdrawing_an_item_asks_first(organization, council_factory, client_for):
    council = council_factory(organization, 3)
    sitting = council.sitting(open_=False)
    item = council.item(sitting, title="Subvention")
    client = client_for(council.clerk)
    url = f"/deliberations/{item.pk}/action/retirer/"
    assert client.post(url, {"reason": "Dossier incomplet"}).status_code == 400
    item.refresh_from_db()
    assert item.state == DeliberationState.ON_AGENDA
    client.post(url, {"reason": "Dossier incomplet", "confirmation": "oui"})
    item.refresh_from_db()
    assert item.state == DeliberationState.WITHDRAWN


def test_sitting_page_has_its_action_bar_and_labelled_results(organization, council_factory, client_for):
    council = council_factory(organization, 3)
    sitting = council.sitting()
    page = html.unescape(client_for(council.clerk).get(sitting.get_absolute_url()).content.decode())
    bar = page[page.index('<nav class="action-bar"') : page.index("</nav>", page.index('<nav class="action-bar"'))]
    assert "Clore la séance" in bar and 'data-confirm-title="Clore la séance ?"' in bar
    assert "Présences et pouvoirs" in bar
    assert '<details class="menu">' in bar and "Autres actions" in bar
    assert page.count(">Clore la séance</button>") == 1


def test_numbering_page_explains_the_rule_by_example(organization, council_factory, client_for, make_member):
    from core.roles import Role

    council = council_factory(organization, 3, pattern="v{year}-{seq:03}")
    admin = make_member(organization, Role.ADMINISTRATOR)
    services.set_next_number(user=admin, assembly=council.assembly, year=2026, next_value=68)
    from django.utils import timezone

    year = timezone.localdate().year
    page = html.unescape(
        client_for(admin).get(f"/deliberations/assemblees/{council.assembly.pk}/numerotation/").content.decode()
    )
    assert "La règle, par l'exemple" in page
    if year == 2026:
        assert "v2026-068" in page and "v2026-069" in page
    assert f"v{year + 1}-001" in page  # the series starts again from 1 each year
