"""Reminders pages as a manager and an administrator use them, in headless Chromium."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.roles import Role
from reminders import dispatch
from reminders.models import Deadline, ReminderSettings
from tests.reminders.factories import deadline_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_sees_handles_and_reads(page, login, organization, make_member):
    user = make_member(organization, Role.MANAGER, first_name="Inès", last_name="Gestion", email="")
    today = timezone.localdate()
    deadline_for(
        organization,
        key="late",
        due=today - timedelta(days=3),
        recipients=(user.pk,),
        title="Évaluation annuelle 2025",
        kind="evaluation",
    )
    deadline_for(
        organization,
        key="soon",
        due=today + timedelta(days=5),
        recipients=(user.pk,),
        title="Dernier jour pour dénoncer",
        kind="notice_last_day",
    )
    dispatch.plan_reminders(today=today)
    login(user)
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name="Notifications")).to_have_text(re.compile(r"2\s*$"))
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Échéances").click()
    table = page.get_by_role("table")
    expect(table.locator("caption")).to_contain_text("2 échéances")
    expect(table.get_by_text("En retard de 3 jours")).to_be_visible()
    page.get_by_label("Période").select_option("overdue")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("row")).to_have_count(2)  # header + the late one
    page.get_by_role("button", name="Marquer « Évaluation annuelle 2025 » traitée").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\s*« Évaluation annuelle 2025 » est marquée traitée"))
    assert Deadline.objects.get(key="late").handled_by_id == user.pk
    header.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("link", name="Dernier jour pour dénoncer")).to_be_visible()
    page.get_by_role("button", name="Tout marquer comme lu").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Notifications")).to_have_text("Notifications")


def test_calendar_address_is_created_and_revoked(page, login, organization, make_member):
    login(make_member(organization, Role.MANAGER))
    page.goto("/echeances/preferences/")
    page.get_by_role("button", name="Créer l'adresse de mon agenda").click()
    expect(page.get_by_label("Adresse privée de votre agenda")).to_have_value(re.compile(r"\.ics$"))
    address = page.get_by_label("Adresse privée de votre agenda").input_value()
    assert address.endswith(".ics")
    response = page.request.get(address)
    assert response.status == 200 and response.body().startswith(b"BEGIN:VCALENDAR\r\n")
    page.get_by_label("Un récapitulatif quotidien").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Vos préférences sont enregistrées.")
    expect(page.get_by_label("Un récapitulatif quotidien")).to_be_checked()
    page.get_by_role("button", name="Révoquer l'adresse").click()
    expect(page.get_by_role("status")).to_contain_text("L'adresse de votre agenda est révoquée.")
    assert page.request.get(address).status == 404


def test_administrator_edits_settings(page, login, organization, make_member):
    login(make_member(organization, Role.ADMINISTRATOR))
    page.goto("/echeances/reglages/")
    page.get_by_label("Rappels (jours avant l'échéance)").fill("30, -1")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert").first).to_contain_text("négatif")
    page.get_by_label("Rappels (jours avant l'échéance)").fill("7, 60, 7, 0")
    page.get_by_label("Rappels — Convocation de la séance").fill("2")
    page.get_by_role("group", name="Également destinataires — Séance", exact=True).get_by_label(
        "Secrétariat des assemblées"
    ).check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_label("Rappels (jours avant l'échéance)")).to_have_value("60, 7, 0")
    saved = ReminderSettings.objects.get()
    assert saved.offsets_by_kind == {"sitting_convocation": [2]}
    assert saved.roles_by_kind == {"sitting": ["clerk"]}
