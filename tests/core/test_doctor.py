"""``manage.py doctor`` says what is wrong and what to do; ``run_daily_jobs`` records its runs."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.management.commands import doctor
from core.models import JobRun


@pytest.mark.django_db
def test_daily_jobs_are_reported_missing_until_run_then_recorded(settings):
    ok, found, todo = doctor.daily_jobs()
    assert not ok and "apply_convention_dates" in found and "run_daily_jobs" in todo

    call_command("run_daily_jobs", stdout=io.StringIO())
    assert sorted(JobRun.objects.values_list("job", flat=True)) == sorted(settings.DAILY_JOBS)
    assert all(JobRun.objects.values_list("succeeded", flat=True))
    assert doctor.daily_jobs()[0]


@pytest.mark.django_db
def test_a_failing_daily_job_is_recorded_and_the_next_still_runs(settings):
    settings.DAILY_JOBS = ["no_such_command", "send_reminders"]
    with pytest.raises(CommandError, match="no_such_command"):
        call_command("run_daily_jobs", stdout=io.StringIO())
    runs = {run.job: run for run in JobRun.objects.all()}
    assert not runs["no_such_command"].succeeded and "Unknown command" in runs["no_such_command"].message
    assert runs["send_reminders"].succeeded
    ok, found, _todo = doctor.daily_jobs()
    assert not ok and "no_such_command" in found


@pytest.mark.django_db(transaction=True)
def test_no_worker_is_reported_with_what_to_run(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    ok, found, todo = doctor.worker(wait=0.6)
    assert not ok and "aucun worker" in found and "db_worker" in todo
    assert not DBTaskResult.objects.exists()  # its ping is not left behind


@pytest.mark.django_db
def test_doctor_lists_every_check_and_fails_while_something_is_to_fix():
    out = io.StringIO()
    with pytest.raises(CommandError, match="à corriger"):
        call_command("doctor", "--wait=0.5", stdout=out)
    text = out.getvalue()
    for label in ("Base de données", "Worker", "Tâches quotidiennes", "E-mails", "Stockage", "PDF", "Production"):
        assert label in text
    assert "✓ Base de données" in text and "✗ Tâches quotidiennes" in text and "→" in text
