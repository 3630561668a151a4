"""Demo data from the seeds (idempotent) and the dashboard panel."""

from datetime import date

import pytest
from django.core.management import call_command

from conventions import dashboard, demo
from conventions.models import Convention, ConventionStatus, Programme
from core.models import User
from parties import demo as parties_demo
from tests.conventions.helpers import adopted_deliberation

pytestmark = pytest.mark.django_db


def test_demo_loads_from_the_seeds_and_is_idempotent():
    parties_demo.load()
    montpellier = parties_demo.organization("montpellier")
    adopted_deliberation(montpellier, number="v2024-067")
    demo.load()
    counts = Convention.objects.count()
    demo.load()
    assert Convention.objects.count() == counts == 3
    flag = Convention.objects.get(reference="FLAG-2024")
    assert flag.status == ConventionStatus.ACTIVE
    assert (flag.effective_date, flag.end_date) == (date(2024, 5, 2), date(2027, 5, 1))
    assert flag.perimeter_postal_codes == ["34000", "34070", "34080", "34090"]
    assert flag.approving_deliberations.get().number == "v2024-067"
    assert flag.obligations.count() == 7
    ddd = Convention.objects.get(reference="DDD-ECR-2024")
    assert ddd.organization == parties_demo.organization("amp")
    assert ddd.amendments.get().status == "signed"
    assert ddd.evaluations.count() == 3
    assert ddd.clauses.count() == 12  # eleven from the standard library, one added by the avenant
    plan = Programme.objects.get(name="Plan métropolitain de lutte contre les discriminations")
    assert plan.budgets.get(year=2024).amount == 60000
    hehop = Convention.objects.get(reference="HEHOP-2023")
    assert hehop.kind == "communication"


def test_dashboard_timeline_and_counts(rf, legal_user, organization):
    from tests.conventions.helpers import signed

    signed(
        legal_user, organization, duration_months=12, renewal="tacit", tacit_renewals_allowed=1, renewal_notice_value=3
    )
    request = rf.get("/")
    request.user = legal_user
    panel = dashboard.panel(request)
    assert panel["counts"] == [("En vigueur", 1, "active")]
    data = dashboard.timeline(list(Convention.objects.all()), today=date(2024, 11, 1), lead_months={organization.pk: 4})
    row = data["rows"][0]
    assert row["left"] == 0 and row["width"] == 100
    assert row["window_start"] == date(2025, 2, 1)
    assert 0 < data["today_left"] < 100


def test_dashboard_page_shows_the_panel(client_for, legal_user, organization):
    from tests.conventions.helpers import signed

    convention = signed(legal_user, organization)
    page = client_for(legal_user).get("/tableau-de-bord/").content.decode()
    assert "Frise des conventions en cours" in page
    assert "En vigueur" in page
    assert f'<a class="conv-timeline__label" href="/conventions/{convention.pk}/">{convention.reference}</a>' in page
    assert f'<a href="/organisations/{organization.pk}/">{organization.name}</a>' in page


@pytest.mark.parametrize("count", [10, 1000])
def test_dashboard_panel_queries_do_not_grow(rf, legal_user, organization, count, django_assert_num_queries):
    from tests.conventions.helpers import copies_of, signed

    first = signed(legal_user, organization)
    for _ in range(9):
        signed(legal_user, organization)
    copies_of(first, count - 10)
    request = rf.get("/")
    request.user = legal_user
    # The counts by status, the timeline's rows with their organization's renewal lead (the
    # user's roles are read once per user).
    with django_assert_num_queries(2):
        panel = dashboard.panel(request)
    assert len(panel["timeline"]["rows"]) == min(count, dashboard.MAX_ROWS)


def test_apply_dates_command_rejects_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("apply_convention_dates", "--date", "2024-13-01")


def test_admin_user_exists_for_demo():
    parties_demo.load()
    assert User.objects.filter(username="admin").exists()
