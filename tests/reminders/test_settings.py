"""Per-organization settings and the working-day calendar."""

import pytest

from core.errors import DomainError
from core.roles import Role
from reminders.models import HolidayCalendar, ReminderSettings
from reminders.selectors import holiday_subdivision_for, settings_for
from reminders.services import update_settings
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_defaults_without_writing(organization):
    found = settings_for(organization.pk)
    assert found.renewal_lead_months == 4
    assert found.offsets_for("convention_end") == (120, 60, 30, 7, 0)
    assert found.roles_for("sitting") == ()
    assert not ReminderSettings.objects.exists()


def test_update_settings_normalizes(organization, admin_user_of):
    saved = update_settings(
        user=admin_user_of,
        organization_id=organization.pk,
        renewal_lead_months=6,
        offsets_days=["7", 30, 0, 30],
        offsets_by_kind={"sitting_convocation": [2, 5, 1]},
        roles_by_kind={"sitting": ["clerk"]},
        holiday_calendar="",
        digest_by_default=True,
    )
    again = settings_for(organization.pk)
    assert again.pk == saved.pk
    assert again.offsets_days == [30, 7, 0]
    assert again.offsets_for("sitting_convocation") == (5, 2, 1)
    assert again.offsets_for("evaluation") == (30, 7, 0)
    assert again.roles_for("sitting") == ("clerk",)
    assert again.renewal_lead_months == 6
    assert again.digest_by_default


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"offsets_days": [-3]}, "offsets_days"),
        ({"offsets_days": []}, "offsets_days"),
        ({"renewal_lead_months": 40}, "renewal_lead_months"),
        ({"roles_by_kind": {"sitting": ["mayor"]}}, "roles_by_kind"),
        ({"offsets_by_kind": {"nope": [1]}}, "offsets_by_kind"),
    ],
)
def test_update_settings_refuses_bad_values(organization, admin_user_of, kwargs, field):
    values = {"renewal_lead_months": 4, "offsets_days": [30, 0]} | kwargs
    with pytest.raises(DomainError) as caught:
        update_settings(user=admin_user_of, organization_id=organization.pk, **values)
    assert caught.value.field == field
    assert not ReminderSettings.objects.exists()


def test_only_administrators_change_settings(organization, other_organization, make_member):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        update_settings(
            user=make_member(organization, Role.MANAGER),
            organization_id=organization.pk,
            renewal_lead_months=4,
            offsets_days=[0],
        )
    with pytest.raises(Http404):
        update_settings(
            user=make_member(other_organization, Role.ADMINISTRATOR),
            organization_id=organization.pk,
            renewal_lead_months=4,
            offsets_days=[0],
        )


@pytest.mark.parametrize(
    ("departement", "override", "expected"),
    [
        ("034", "", None),
        ("057", "", "57"),
        ("67", "", "6AE"),
        ("974", "", "974"),
        ("034", HolidayCalendar.ALSACE, "6AE"),
        ("057", HolidayCalendar.NATIONAL, None),
    ],
)
def test_holiday_subdivision_for(departement, override, expected, make_member):
    org = OrganizationFactory(departement_code=departement)
    if override:
        update_settings(
            user=make_member(org, Role.ADMINISTRATOR),
            organization_id=org.pk,
            renewal_lead_months=4,
            offsets_days=[0],
            holiday_calendar=override,
        )
    assert holiday_subdivision_for(org) == expected


def test_demo_settings_are_idempotent():
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    assert ReminderSettings.objects.count() == 3
    montpellier = ReminderSettings.objects.get(organization__name__icontains="Montpellier", organization__tenant=None)
    assert montpellier.roles_for("sitting_convocation") == ("clerk",)
