"""Programmes legal staff create and edit, with their yearly budgets: services, pages and API."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from conventions import rules, services
from conventions.models import Programme, ProgrammeBudget
from core.errors import DomainError
from core.roles import Role
from tests.conventions.helpers import partner_of, signed

pytestmark = pytest.mark.django_db

PLAN = "Plan de lutte contre les discriminations"


def plan(user, organization, **fields):
    fields.setdefault("kind", "plan")
    return services.create_programme(user=user, organization=organization, name=PLAN, **fields)


def edit(user, programme, **changes):
    values = {
        "name": programme.name,
        "kind": programme.kind,
        "coordinator": programme.coordinator,
        "description": programme.description,
        "start_date": programme.start_date,
        "end_date": programme.end_date,
        **changes,
    }
    return services.update_programme(user=user, programme=programme, **values)


# --- Rules ----------------------------------------------------------------------------------


def test_budget_year_rules():
    rules.check_budget_year(2025, start=date(2024, 1, 1), end=None)
    with pytest.raises(DomainError) as exc:
        rules.check_budget_year(2023, start=date(2024, 1, 1), end=date(2026, 12, 31))
    assert (exc.value.field, "2024–2026" in exc.value.message) == ("year", True)
    with pytest.raises(DomainError):
        rules.check_budget_year(25, start=None, end=None)
    assert list(rules.years_covered(date(2024, 5, 2), date(2027, 5, 1))) == [2024, 2025, 2026, 2027]
    assert list(rules.years_covered(date(2024, 5, 2), None)) == [2024]
    committed = [("CONV-2024-001", date(2024, 5, 2), date(2027, 5, 1))]
    rules.check_budget_removable(2028, committed)
    with pytest.raises(DomainError) as exc:
        rules.check_budget_removable(2025, committed)
    assert "CONV-2024-001" in exc.value.message and exc.value.rule == rules.BUDGET_RULE


# --- Services -------------------------------------------------------------------------------


def test_create_checks_name_period_kind_and_coordinator(legal_user, organization, other_organization):
    with pytest.raises(DomainError) as exc:
        services.create_programme(user=legal_user, organization=organization, name="  ")
    assert (exc.value.field, exc.value.rule) == ("name", "Programme")
    programme = plan(legal_user, organization, coordinator=partner_of(organization, "Défenseur des droits"))
    assert programme.history.get().history_change_reason == "Création du programme"
    assert programme.history.get().history_user == legal_user
    with pytest.raises(DomainError) as exc:
        services.create_programme(user=legal_user, organization=organization, name=PLAN.upper())
    assert exc.value.field == "name" and "existe déjà" in exc.value.message
    with pytest.raises(DomainError) as exc:
        services.create_programme(
            user=legal_user,
            organization=organization,
            name="Réseau",
            start_date=date(2025, 1, 1),
            end_date=date(2024, 12, 31),
        )
    assert exc.value.field == "end_date"
    with pytest.raises(DomainError) as exc:
        services.create_programme(user=legal_user, organization=organization, name="Réseau", kind="réseau")
    assert exc.value.field == "kind"
    with pytest.raises(DomainError) as exc:
        services.create_programme(
            user=legal_user, organization=organization, name="Réseau", coordinator=partner_of(other_organization)
        )
    assert exc.value.field == "coordinator"
    assert Programme.objects.count() == 1
    # The same name is free in another organization.
    other_legal = services.create_programme(
        user=_legal_of(other_organization), organization=other_organization, name=PLAN
    )
    assert other_legal.name == PLAN


def _legal_of(organization):
    from tests.factories import member

    return member(organization, Role.LEGAL)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MANAGER, Role.CLERK])
def test_only_legal_staff_create_and_edit(organization, legal_user, make_member, role):
    user = make_member(organization, role)
    with pytest.raises(PermissionDenied):
        plan(user, organization)
    programme = plan(legal_user, organization)
    with pytest.raises(PermissionDenied):
        edit(user, programme, name="Autre nom")
    with pytest.raises(PermissionDenied):
        services.set_budget(user=user, programme=programme, year=2024, amount=Decimal("1"))
    services.set_budget(user=legal_user, programme=programme, year=2024, amount=Decimal("1"))
    with pytest.raises(PermissionDenied):
        services.remove_budget(user=user, programme=programme, year=2024)
    programme.refresh_from_db()
    assert programme.name == PLAN and programme.budgets.count() == 1


def test_update_validates_like_create_and_keeps_history(legal_user, organization):
    programme = plan(legal_user, organization, start_date=date(2024, 1, 1))
    other = services.create_programme(user=legal_user, organization=organization, name="Réseau En lieu sûr")
    with pytest.raises(DomainError) as exc:
        edit(legal_user, other, name=f" {PLAN.lower()} ")
    assert exc.value.field == "name"
    with pytest.raises(DomainError) as exc:
        edit(legal_user, programme, name="")
    assert exc.value.field == "name"
    with pytest.raises(DomainError) as exc:
        edit(legal_user, programme, end_date=date(2023, 12, 31))
    assert exc.value.field == "end_date"
    services.set_budget(user=legal_user, programme=programme, year=2025, amount=Decimal("60000"))
    with pytest.raises(DomainError) as exc:
        edit(legal_user, programme, end_date=date(2024, 12, 31))
    assert exc.value.field == "end_date" and "2025" in exc.value.message
    programme.refresh_from_db()
    assert (programme.name, programme.end_date) == (PLAN, None)

    updated = edit(
        legal_user, programme, name=PLAN, description="Plan d'action 2024-2026.", end_date=date(2026, 12, 31)
    )
    assert updated.end_date == date(2026, 12, 31)
    record = programme.history.latest("history_date")
    assert (record.history_change_reason, record.history_user) == ("Modification du programme", legal_user)
    assert {c.field for c in record.diff_against(record.prev_record).changes} == {"description", "end_date"}


def test_budget_of_a_year(legal_user, organization):
    programme = plan(legal_user, organization, start_date=date(2024, 1, 1), end_date=date(2026, 12, 31))
    services.set_budget(
        user=legal_user, programme=programme, year=2024, amount=Decimal("60000"), initiative_fund=Decimal("10000")
    )
    for year, amount, fund, field in [
        (2025, Decimal("1000"), Decimal("2000"), "initiative_fund"),
        (2025, Decimal("-1"), Decimal("0"), "amount"),
        (2025, Decimal("10.001"), Decimal("0"), "amount"),
        (2027, Decimal("1000"), Decimal("0"), "year"),
    ]:
        with pytest.raises(DomainError) as exc:
            services.set_budget(user=legal_user, programme=programme, year=year, amount=amount, initiative_fund=fund)
        assert exc.value.field == field
    budget = services.set_budget(
        user=legal_user, programme=programme, year=2024, amount=Decimal("65000"), initiative_fund=Decimal("10000")
    )
    assert list(programme.budgets.values_list("year", "amount")) == [(2024, Decimal("65000"))]
    reasons = [r.history_change_reason for r in budget.history.order_by("history_date")]
    assert reasons[0].startswith("Budget 2024 fixé : 60") and reasons[1].startswith("Budget 2024 modifié : 65")


def test_remove_budget_refused_while_conventions_commit_amounts_that_year(legal_user, organization):
    programme = plan(legal_user, organization)
    for year in (2024, 2025, 2030):
        services.set_budget(user=legal_user, programme=programme, year=year, amount=Decimal("60000"))
    # Signed on 2 May 2024 for three years: its amount is committed on 2024 to 2027.
    convention = signed(legal_user, organization, kind="financial", amount=Decimal("20000"), programme=programme)
    with pytest.raises(DomainError) as exc:
        services.remove_budget(user=legal_user, programme=programme, year=2025)
    assert (exc.value.rule, exc.value.field) == (rules.BUDGET_RULE, "year")
    assert convention.reference in exc.value.message
    services.remove_budget(user=legal_user, programme=programme, year=2030)
    assert list(programme.budgets.values_list("year", flat=True)) == [2024, 2025]
    deleted = ProgrammeBudget.history.filter(year=2030, history_type="-").get()
    assert (deleted.history_change_reason, deleted.history_user) == ("Budget 2030 supprimé", legal_user)
    with pytest.raises(DomainError) as exc:
        services.remove_budget(user=legal_user, programme=programme, year=2030)
    assert "pas de budget pour 2030" in exc.value.message


# --- Pages ----------------------------------------------------------------------------------


def test_legal_staff_create_and_edit_a_programme_from_the_pages(client_for, legal_user, organization):
    partner = partner_of(organization, "Défenseur des droits")
    client = client_for(legal_user)
    assert "/conventions/programmes/nouveau/" in client.get("/conventions/programmes/").content.decode()
    form = client.get("/conventions/programmes/nouveau/").content.decode()
    assert "Défenseur des droits" in form
    data = {
        "organization": organization.pk,
        "name": PLAN,
        "kind": "plan",
        "coordinator": partner.pk,
        "description": "Plan d'action de la collectivité.",
        "start_date": "2024-01-01",
        "end_date": "",
    }
    response = client.post("/conventions/programmes/nouveau/", data)
    programme = Programme.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/conventions/programmes/{programme.pk}/"
    assert (programme.coordinator, programme.start_date) == (partner, date(2024, 1, 1))

    # A refused change shows the rule by its field, and nothing is saved.
    response = client.post(f"/conventions/programmes/{programme.pk}/modifier/", {**data, "end_date": "2023-06-30"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error" role="alert">La fin du programme (30 juin 2023) précède son début' in page
    programme.refresh_from_db()
    assert programme.end_date is None
    response = client.post(
        f"/conventions/programmes/{programme.pk}/modifier/",
        {**data, "name": "Plan 2024-2026", "end_date": "2026-12-31"},
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.name, programme.end_date) == ("Plan 2024-2026", date(2026, 12, 31))


def test_create_page_refuses_a_duplicate_and_a_foreign_coordinator(
    client_for, legal_user, organization, other_organization
):
    plan(legal_user, organization)
    client = client_for(legal_user)
    response = client.post("/conventions/programmes/nouveau/", {"name": PLAN, "kind": "plan"})
    assert response.status_code == 200
    assert f"Le programme « {PLAN} » existe déjà. (Programme)" in response.content.decode()
    foreign = partner_of(other_organization)
    response = client.post(
        "/conventions/programmes/nouveau/", {"name": "Réseau", "kind": "network", "coordinator": foreign.pk}
    )
    # The page is written by Jinja2, of which the test client keeps no context: the error is read in it.
    assert response.status_code == 200
    assert re.search(r'<select name="coordinator"[^>]*aria-invalid="true"', response.content.decode())
    assert foreign.name not in client.get("/conventions/programmes/nouveau/").content.decode()
    assert Programme.objects.count() == 1


def test_budget_form_and_removal_on_the_programme_page(client_for, legal_user, organization):
    programme = plan(legal_user, organization)
    client = client_for(legal_user)
    url = f"/conventions/programmes/{programme.pk}/"
    assert "Fixer le budget d'une année" in client.get(url).content.decode()
    response = client.post(f"{url}budget/", {"year": 2024, "amount": "10000", "initiative_fund": "20000"})
    assert response.status_code == 200
    assert 'class="error" role="alert">Le fonds d&#39;initiatives fait partie du budget' in response.content.decode()
    assert not programme.budgets.exists()
    response = client.post(f"{url}budget/", {"year": 2024, "amount": "60000", "initiative_fund": "10000"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "60\u202f000,00\u00a0€" in page and "10\u202f000,00\u00a0€" in page
    assert "Supprimer le budget 2024" in page
    refused = client.post(f"{url}budget/2024/supprimer/")
    assert refused.status_code == 400 and programme.budgets.exists()  # asked first
    assert "Le budget et le fonds d&#39;initiatives de 2024 seront supprimés" in refused.content.decode()
    response = client.post(f"{url}budget/2024/supprimer/", {"confirmation": "oui"}, follow=True)
    assert "Le budget 2024 est supprimé." in response.content.decode()
    assert not programme.budgets.exists()


def test_readers_and_other_organizations(client_for, legal_user, organization, other_organization, make_member):
    programme = plan(legal_user, organization)
    services.set_budget(user=legal_user, programme=programme, year=2024, amount=Decimal("60000"))
    url = f"/conventions/programmes/{programme.pk}/"
    viewer = client_for(make_member(organization, Role.VIEWER))
    assert "Nouveau programme" not in viewer.get("/conventions/programmes/").content.decode()
    detail = viewer.get(url).content.decode()
    assert "60\u202f000,00\u00a0€" in detail
    assert "Fixer le budget" not in detail and "Supprimer le budget" not in detail and f"{url}modifier/" not in detail
    assert viewer.get("/conventions/programmes/nouveau/").status_code == 403
    assert viewer.post("/conventions/programmes/nouveau/", {"name": "X", "kind": "plan"}).status_code == 403
    assert viewer.get(f"{url}modifier/").status_code == 403
    assert viewer.post(f"{url}budget/", {"year": 2025, "amount": "1"}).status_code == 403
    assert viewer.post(f"{url}budget/2024/supprimer/").status_code == 403
    stranger = client_for(make_member(other_organization, Role.LEGAL))
    for path in (url, f"{url}modifier/"):
        assert stranger.get(path).status_code == 404
    assert stranger.post(f"{url}budget/", {"year": 2025, "amount": "1"}).status_code == 404
    assert stranger.post(f"{url}budget/2024/supprimer/").status_code == 404
    assert list(programme.budgets.values_list("year", flat=True)) == [2024]
    assert Programme.objects.count() == 1


# --- API ------------------------------------------------------------------------------------


def test_programme_through_the_api(api_for, legal_user, organization):
    api = api_for(legal_user)
    partner = partner_of(organization, "Défenseur des droits")
    response = api.post(
        "/programmes",
        {"organization_id": organization.pk, "name": PLAN, "kind": "plan", "coordinator_id": partner.pk},
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["coordinator_id"] == partner.pk
    response = api.post("/programmes", {"organization_id": organization.pk, "name": PLAN.lower()})
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Le programme « {PLAN.lower()} » existe déjà.",
        "rule": "Programme",
        "field": "name",
    }
    response = api.patch(f"/programmes/{pk}", {"start_date": "2024-01-01", "end_date": "2023-01-01"})
    assert response.status_code == 400 and response.json()["field"] == "end_date"
    response = api.patch(f"/programmes/{pk}", {"end_date": "2026-12-31", "description": "Trois ans."})
    assert response.status_code == 200
    assert (response.json()["end_date"], response.json()["description"], response.json()["name"]) == (
        "2026-12-31",
        "Trois ans.",
        PLAN,
    )
    response = api.put(f"/programmes/{pk}/budgets/2024", {"amount": "60000", "initiative_fund": "10000"})
    assert response.status_code == 200 and response.json() == {
        "year": 2024,
        "amount": "60000.00",
        "initiative_fund": "10000.00",
    }
    response = api.put(f"/programmes/{pk}/budgets/2025", {"amount": "1000", "initiative_fund": "2000"})
    assert response.status_code == 400
    assert (response.json()["rule"], response.json()["field"]) == (rules.BUDGET_RULE, "initiative_fund")
    response = api.put(f"/programmes/{pk}/budgets/2027", {"amount": "1000"})
    assert response.status_code == 400 and response.json()["field"] == "year"
    assert [b["year"] for b in api.get(f"/programmes/{pk}").json()["budgets"]] == [2024]
    assert api.delete(f"/programmes/{pk}/budgets/2024").status_code == 204
    response = api.delete(f"/programmes/{pk}/budgets/2024")
    assert response.status_code == 400 and response.json()["field"] == "year"


def test_programme_api_roles_and_organizations(api_for, legal_user, organization, other_organization, make_member):
    programme = plan(legal_user, organization)
    services.set_budget(user=legal_user, programme=programme, year=2024, amount=Decimal("60000"))
    viewer = api_for(make_member(organization, Role.VIEWER))
    assert viewer.post("/programmes", {"organization_id": organization.pk, "name": "X"}).status_code == 403
    assert viewer.patch(f"/programmes/{programme.pk}", {"name": "X"}).status_code == 403
    assert viewer.put(f"/programmes/{programme.pk}/budgets/2025", {"amount": "1"}).status_code == 403
    assert viewer.delete(f"/programmes/{programme.pk}/budgets/2024").status_code == 403
    stranger = api_for(make_member(other_organization, Role.LEGAL))
    assert stranger.post("/programmes", {"organization_id": organization.pk, "name": "X"}).status_code == 404
    assert stranger.patch(f"/programmes/{programme.pk}", {"name": "X"}).status_code == 404
    assert stranger.put(f"/programmes/{programme.pk}/budgets/2025", {"amount": "1"}).status_code == 404
    assert stranger.delete(f"/programmes/{programme.pk}/budgets/2024").status_code == 404
    response = stranger.post(
        "/programmes",
        {"organization_id": other_organization.pk, "name": "Réseau", "coordinator_id": partner_of(organization).pk},
    )
    assert response.status_code == 400 and response.json()["field"] == "coordinator_id"
    programme.refresh_from_db()
    assert programme.name == PLAN and programme.budgets.count() == 1
    assert Programme.objects.count() == 1
