"""The clause library pages legal staff use: list and search, create, edit, deactivate."""

import pytest

from conventions import services
from conventions.models import ClauseTemplate

pytestmark = pytest.mark.django_db

BODY = "La présente convention est conclue pour {{ duree_mois }} mois à compter du {{ date_debut }}."


def clause(user, organization, title="Durée", body=BODY, **kw):
    return services.create_clause_template(user=user, organization=organization, title=title, body=body, **kw)


def test_legal_staff_create_search_edit_and_deactivate(client_for, legal_user, organization):
    client = client_for(legal_user)
    assert "/conventions/clauses/" in client.get("/conventions/").content.decode()
    response = client.post(
        "/conventions/clauses/nouvelle/",
        {"organization": organization.pk, "title": "Durée de la convention", "category": "Durée", "body": BODY},
    )
    assert response.status_code == 302
    template = ClauseTemplate.objects.get(organization=organization)
    assert (template.key, template.title, template.category) == (
        "duree-de-la-convention",
        "Durée de la convention",
        "Durée",
    )
    assert template.history.first().history_change_reason == "Clause ajoutée à la bibliothèque"
    clause(legal_user, organization, title="Communication", body="Les logos des parties figurent sur les supports.")

    page = client.get("/conventions/clauses/", {"q": "durée"}).content.decode()
    assert "Durée de la convention" in page and "Communication" not in page
    assert "<code>duree_mois</code>, <code>date_debut</code>" in page

    edit = client.get(f"/conventions/clauses/{template.pk}/").content.decode()
    assert "{{ duree_mois }}" in edit and "{{ date_debut }}" in edit
    response = client.post(
        f"/conventions/clauses/{template.pk}/",
        {"title": "Durée", "category": "Durée", "body": "Conclue pour {{ duree_mois }} mois."},
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.title, template.body) == ("Durée", "Conclue pour {{ duree_mois }} mois.")
    assert template.history.first().history_change_reason == "Clause de la bibliothèque modifiée"

    assert client.post(f"/conventions/clauses/{template.pk}/desactiver/").status_code == 302
    template.refresh_from_db()
    assert template.is_active is False
    assert template.history.first().history_change_reason == "Clause désactivée"
    assert "Désactivée" in client.get("/conventions/clauses/").content.decode()
    client.post(f"/conventions/clauses/{template.pk}/reactiver/")
    template.refresh_from_db()
    assert template.is_active is True


def test_check_button_shows_variables_without_saving(client_for, legal_user, organization):
    template = clause(legal_user, organization)
    page = client_for(legal_user).post(
        f"/conventions/clauses/{template.pk}/",
        {"title": "Durée", "body": "Pour {{ duree_mois }} mois, montant {{ montant }}.", "check": "1"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "{{ duree_mois }}" in html and "{{ montant }}" in html
    template.refresh_from_db()
    assert template.body == BODY


@pytest.mark.parametrize("body", ["Pour {{ Duree }} mois.", "Pour {{ convention.title }}.", "{{ __import__('os') }}"])
def test_invalid_variable_is_refused_clearly_and_nothing_saved(client_for, legal_user, organization, body):
    template = clause(legal_user, organization)
    client = client_for(legal_user)
    response = client.post(f"/conventions/clauses/{template.pk}/", {"title": "Autre titre", "body": body})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Une clause n&#39;utilise que des variables en minuscules" in html
    assert "Bibliothèque de clauses : variables" in html
    assert "variable invalide" in html
    template.refresh_from_db()
    assert (template.title, template.body) == ("Durée", BODY)
    assert template.history.count() == 1

    response = client.post("/conventions/clauses/nouvelle/", {"title": "Nouvelle", "body": body})
    assert response.status_code == 200 and "Une clause n&#39;utilise que des variables" in response.content.decode()
    assert ClauseTemplate.objects.count() == 1


def test_duplicate_code_and_empty_text_are_refused(client_for, legal_user, organization):
    clause(legal_user, organization, key="duree")
    client = client_for(legal_user)
    html = client.post("/conventions/clauses/nouvelle/", {"title": "Durée bis", "key": "duree", "body": BODY}).content
    assert "Le code « duree » est déjà celui d&#39;une clause" in html.decode()
    html = client.post("/conventions/clauses/nouvelle/", {"title": "Vide", "body": "   "}).content.decode()
    assert "Ce champ est obligatoire" in html
    assert ClauseTemplate.objects.count() == 1


def test_another_organization_clause_is_404(client_for, legal_user, organization, other_organization, make_member):
    from core.roles import Role

    theirs = clause(make_member(other_organization, Role.LEGAL), other_organization, title="Secret")
    client = client_for(legal_user)
    assert client.get(f"/conventions/clauses/{theirs.pk}/").status_code == 404
    assert client.post(f"/conventions/clauses/{theirs.pk}/", {"title": "x", "body": "y"}).status_code == 404
    assert client.post(f"/conventions/clauses/{theirs.pk}/desactiver/").status_code == 404
    assert "Secret" not in client.get("/conventions/clauses/").content.decode()
    assert (
        client.post(
            "/conventions/clauses/nouvelle/", {"organization": other_organization.pk, "title": "x", "body": "y"}
        ).status_code
        == 403
    )
    theirs.refresh_from_db()
    assert (theirs.title, theirs.is_active) == ("Secret", True)


@pytest.mark.parametrize("role_user", ["manager_user", "viewer_user"])
def test_managers_and_viewers_are_refused(request, client_for, legal_user, organization, role_user):
    template = clause(legal_user, organization)
    client = client_for(request.getfixturevalue(role_user))
    assert "/conventions/clauses/" not in client.get("/conventions/").content.decode()
    assert client.get("/conventions/clauses/").status_code == 403
    assert client.get("/conventions/clauses/nouvelle/").status_code == 403
    assert client.post("/conventions/clauses/nouvelle/", {"title": "x", "body": "y"}).status_code == 403
    assert client.get(f"/conventions/clauses/{template.pk}/").status_code == 403
    assert client.post(f"/conventions/clauses/{template.pk}/", {"title": "x", "body": "y"}).status_code == 403
    assert client.post(f"/conventions/clauses/{template.pk}/desactiver/").status_code == 403
    template.refresh_from_db()
    assert (template.title, template.is_active) == ("Durée", True)
    assert ClauseTemplate.objects.count() == 1


@pytest.mark.parametrize("count", [10, 1000])
def test_list_queries_do_not_grow(client_for, legal_user, organization, count, django_assert_max_num_queries):
    ClauseTemplate.objects.bulk_create(
        ClauseTemplate(organization=organization, key=f"c{i}", title=f"Clause {i}", body=BODY) for i in range(count)
    )
    client = client_for(legal_user)
    with django_assert_max_num_queries(8):
        assert client.get("/conventions/clauses/").status_code == 200
