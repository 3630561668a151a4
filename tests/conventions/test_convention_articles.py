"""The articles of a draft, edited, moved and removed from the convention's page; each change
in the convention's history; refused once the convention is approved or for a reader."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from conventions import services
from conventions.models import Convention
from core.errors import DomainError
from tests.conventions.helpers import approved, draft

pytestmark = pytest.mark.django_db


def _with_articles(user, organization):
    convention = draft(user, organization)
    for title, body in [
        ("Objet", "La présente convention a pour objet {{ objet }}."),
        ("Durée", "Elle est conclue pour une durée de {{ duree }}."),
        ("Litiges", "Tout litige est porté devant le tribunal administratif territorialement compétent."),
    ]:
        services.add_clause(user=user, convention=convention, title=title, body=body)
    return Convention.objects.get(pk=convention.pk)


def _titles(convention):
    return [(c.position, c.title) for c in convention.clauses.order_by("position")]


def _reasons(convention):
    return [r.history_change_reason for r in convention.history.order_by("-history_date", "-history_id")]


def test_edit_move_and_remove_from_the_page_with_the_history(client_for, legal_user, organization):
    convention = _with_articles(legal_user, organization)
    client = client_for(legal_user)
    url = f"/conventions/{convention.pk}/action/"
    page = client.get(f"/conventions/{convention.pk}/").content.decode()
    assert "Monter l’article 2 « Durée »" in page and "Confirmer la suppression de l'article 3" in page
    duration = convention.clauses.get(title="Durée")

    response = client.post(
        url + "edit_clause/",
        {
            "clause": duration.pk,
            "title": "Durée et prise d'effet",
            "body": "Elle est conclue pour {{ duree }} et prend effet {{ prise_effet }}.",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#clauses-title")
    duration.refresh_from_db()
    assert duration.title == "Durée et prise d'effet"
    assert _reasons(convention)[0] == (
        "Article 2 modifié — titre : « Durée » → « Durée et prise d'effet » ; texte : « Elle est conclue pour une "
        "durée de 3 ans. » → « Elle est conclue pour 3 ans et prend effet à compter de la date de sa signature par "
        "la dernière des parties. »"
    )

    client.post(url + "move_clause/", {"clause": duration.pk, "position": 1})
    assert _titles(convention) == [(1, "Durée et prise d'effet"), (2, "Objet"), (3, "Litiges")]
    assert _reasons(convention)[0] == "Article « Durée et prise d'effet » déplacé : article n° 2 → article n° 1"

    client.post(url + "remove_clause/", {"clause": convention.clauses.get(title="Objet").pk})
    assert _titles(convention) == [(1, "Durée et prise d'effet"), (2, "Litiges")]
    assert _reasons(convention)[0] == "Article 2 supprimé : « Objet » (les articles suivants sont renumérotés)"

    page = client.get(f"/conventions/{convention.pk}/").content.decode()
    # The text is filled in the French way, the history shows each change.
    assert (
        "Elle est conclue pour 3 ans et prend effet à compter de la date de sa signature par la dernière des parties."
        in page
    )
    assert "Article 2 supprimé : « Objet »" in page and "déplacé : article n° 2 → article n° 1" in page
    assert "{{" not in page.split('id="clauses-title"')[1].split("<textarea")[0]


def test_bad_requests_are_refused_with_a_message_and_nothing_changes(client_for, legal_user, organization):
    convention = _with_articles(legal_user, organization)
    other = _with_articles(legal_user, organization)
    client = client_for(legal_user)
    url = f"/conventions/{convention.pk}/action/"
    before = _titles(convention)
    first = convention.clauses.get(position=1)
    for action, data in [
        ("edit_clause", {"clause": first.pk, "title": "", "body": "x"}),
        ("edit_clause", {"clause": first.pk, "title": "T", "body": "{{ inconnue }}"}),
        ("edit_clause", {"clause": first.pk, "title": "T", "body": "{% if objet %}sans fin"}),
        ("move_clause", {"clause": first.pk, "position": 1}),
        ("move_clause", {"clause": "abc", "position": 2}),
        ("remove_clause", {"clause": other.clauses.first().pk}),
    ]:
        response = client.post(url + action + "/", data)
        assert response.status_code == 302
        assert [m.level_tag for m in get_messages(response.wsgi_request)][-1] == "error", (action, data)
        client.get(f"/conventions/{convention.pk}/")  # reads (and clears) the message
    assert _titles(convention) == before
    assert convention.clauses.get(position=1).body == first.body


def test_articles_are_fixed_once_approved_and_for_a_reader(client_for, legal_user, viewer_user, organization):
    convention = _with_articles(legal_user, organization)
    reader = client_for(viewer_user)
    clause = convention.clauses.get(position=1)
    assert reader.post(f"/conventions/{convention.pk}/action/remove_clause/", {"clause": clause.pk}).status_code == 403
    assert "Confirmer la suppression" not in reader.get(f"/conventions/{convention.pk}/").content.decode()
    live = approved(legal_user, organization)
    with pytest.raises(DomainError, match="ne se modifient plus que par avenant"):
        services.remove_clause(
            user=legal_user, clause=type(clause).objects.create(convention=live, position=1, title="T", body="B")
        )
    page = client_for(legal_user).get(f"/conventions/{live.pk}/").content.decode()
    assert "Confirmer la suppression" not in page
