"""``manage.py doctor``: what a running install needs, checked, with what to do for each failure.

The database reachable and migrated, a background worker running (a ping task done within
``--wait`` seconds), today's daily jobs run, the mail server reachable, the storage writable,
Pango and HarfBuzz present for the PDFs, the production settings sane. Exits 1 on a failure.
"""

from __future__ import annotations

import ctypes.util
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import mailers
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# (ok, what was found, what to do when not ok)
Finding = tuple[bool, str, str]


def database() -> Finding:
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return False, f"base de données injoignable ({exc})", "vérifiez DATABASE_URL et que le serveur tourne"
    if plan:
        return False, f"{len(plan)} migration(s) non appliquée(s)", "lancez : python manage.py migrate"
    return True, f"base {connection.vendor} joignable et à jour", ""


def worker(wait: float) -> Finding:
    from django_tasks_db.models import DBTaskResult

    from core.tasks import ping

    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        ping.enqueue()
        return True, "tâches exécutées dans le processus web (pas de worker séparé)", ""
    stale = DBTaskResult.objects.filter(status="READY", run_after__lt=timezone.now() - timedelta(minutes=1))
    waiting = stale.count()
    result = ping.enqueue()
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        result.refresh()
        if result.is_finished:
            break
        time.sleep(0.5)
    if not result.is_finished:
        DBTaskResult.objects.filter(id=result.id, status="READY").delete()
        return (
            False,
            f"aucun worker n'a pris une tâche en {wait:.0f} s ({waiting} tâche(s) en attente depuis plus d'une minute)",
            "lancez le worker : make run (tout en un) ou python manage.py db_worker "
            "(en production : systemctl start conventio-worker)",
        )
    return True, "un worker de tâches de fond répond", ""


def daily_jobs() -> Finding:
    from core.models import JobRun

    today = timezone.localdate()
    missing, failed = [], []
    for job in settings.DAILY_JOBS:
        last = JobRun.objects.filter(job=job).first()
        if last is None or timezone.localdate(last.started_at) != today:
            missing.append(job)
        elif not last.succeeded:
            failed.append(f"{job} ({last.message.splitlines()[0] if last.message else 'sans message'})")
    if failed:
        return False, f"en échec aujourd'hui : {', '.join(failed)}", "corrigez puis : python manage.py run_daily_jobs"
    if missing:
        return (
            False,
            f"pas lancées aujourd'hui : {', '.join(missing)}",
            "make run les lance chaque nuit ; en production, activez conventio-daily.timer (deploy/), "
            "ou lancez : python manage.py run_daily_jobs",
        )
    return True, "tâches quotidiennes lancées aujourd'hui", ""


def mail() -> Finding:
    backend = str(settings.MAILERS["default"]["BACKEND"])
    if not backend.endswith("smtp.EmailBackend"):
        return True, f"e-mails confiés à {backend.rsplit('.', 2)[-2]} (aucun envoi réel)", ""
    connection_ = mailers["default"]
    try:
        connection_.open()
        connection_.close()
    except OSError as exc:
        return False, f"serveur SMTP injoignable ({exc})", "vérifiez EMAIL_HOST, EMAIL_PORT et les identifiants"
    return True, "serveur SMTP joignable", ""


def storage() -> Finding:
    try:
        name = default_storage.save("doctor/ecriture.txt", ContentFile(b"conventio"))
        default_storage.delete(name)
    except OSError as exc:
        return (
            False,
            f"stockage des documents non inscriptible ({exc})",
            "vérifiez les droits de MEDIA_ROOT ou du bucket",
        )
    return True, "stockage des documents inscriptible", ""


def libraries() -> Finding:
    missing = [name for name in ("pango-1.0", "harfbuzz-subset") if ctypes.util.find_library(name) is None]
    if "pango-1.0" in missing:
        return (
            False,
            "Pango absent : aucun PDF ne peut être produit",
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0",
        )
    if missing:
        return False, "HarfBuzz (subset) absent : PDF deux fois plus lents", "apt-get install libharfbuzz-subset0"
    return True, "Pango et HarfBuzz présents", ""


def production() -> Finding:
    if settings.DEBUG:
        return True, "mode développement (DEBUG) : contrôles de production non applicables", ""
    found = [
        message for message in checks.run_checks(include_deployment_checks=True) if message.level >= checks.WARNING
    ]
    if found:
        ids = ", ".join(sorted({message.id for message in found if message.id}))
        return (
            False,
            f"{len(found)} réglage(s) de production à revoir ({ids})",
            "lancez : python manage.py check --deploy",
        )
    return True, "réglages de production sains", ""


class Command(BaseCommand):
    help = "Vérifie ce dont une installation a besoin et dit quoi corriger."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wait", type=float, default=15, help="secondes d'attente du worker (15)")

    def handle(self, *args: Any, **options: Any) -> None:
        checks_: list[tuple[str, Callable[[], Finding]]] = [
            ("Base de données", database),
            ("Worker", lambda: worker(options["wait"])),
            ("Tâches quotidiennes", daily_jobs),
            ("E-mails", mail),
            ("Stockage", storage),
            ("PDF", libraries),
            ("Production", production),
        ]
        failures = 0
        database_ok = True
        for label, check in checks_:
            if not database_ok and label in {"Worker", "Tâches quotidiennes"}:
                self.stdout.write(f"✗ {label} : non vérifié (base de données indisponible)")
                failures += 1
                continue
            ok, found, todo = check()
            if label == "Base de données":
                database_ok = ok
            failures += not ok
            self.stdout.write(f"{'✓' if ok else '✗'} {label} : {found}" + ("" if ok else f"\n    → {todo}"))
        if failures:
            raise CommandError(f"{failures} point(s) à corriger.")
        self.stdout.write("Tout est en ordre.")
