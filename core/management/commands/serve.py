"""``manage.py serve [ADDRESS:PORT]``: what production runs, on one machine, under one Ctrl-C.

The web server, the background worker (``db_worker``: e-mails, document batches, the
extracts queued after a signature) and the daily jobs (``settings.DAILY_JOBS``: run at start,
then each day after midnight, Paris time). One process each, supervised here: Ctrl-C, or
one of them stopping, stops them all. Links written into e-mails and calendar feeds follow
the address served (``SITE_URL``), unless the environment sets it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

DEFAULT_ADDRESS = "127.0.0.1:8000"
# After midnight, when the day's dates have changed and nobody is at work.
DAILY_AT = time(2, 30)


def next_run(now: datetime) -> datetime:
    """The next time the daily jobs run after ``now`` (an aware datetime): today at
    ``DAILY_AT`` if it is still ahead, else tomorrow."""
    local = timezone.localtime(now)
    today = local.replace(hour=DAILY_AT.hour, minute=DAILY_AT.minute, second=0, microsecond=0)
    return today if today > local else today + timedelta(days=1)


class Command(BaseCommand):
    help = "Sert l'application avec son worker de tâches de fond et ses tâches quotidiennes (Ctrl-C arrête tout)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("address", nargs="?", default=DEFAULT_ADDRESS, help="adresse:port (127.0.0.1:8000)")
        parser.add_argument("--no-worker", action="store_true", help="sans worker de tâches de fond")
        parser.add_argument("--no-daily", action="store_true", help="sans les tâches quotidiennes")

    def handle(self, *args: Any, **options: Any) -> None:
        address = options["address"]
        host, _sep, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"Adresse « {address} » invalide : attendu HÔTE:PORT, par exemple 127.0.0.1:8000.")
        env = os.environ.copy()
        env.setdefault("SITE_URL", f"http://{host}:{port}")
        env.setdefault("DJANGO_SETTINGS_MODULE", os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local"))
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        self.stopping = threading.Event()
        self.children: dict[str, subprocess.Popen[bytes]] = {}

        self.start("web", [*manage, "runserver", address, "--noreload"], env)
        if not options["no_worker"]:
            self.start("worker", [*manage, "db_worker", "--no-reload"], env)  # one process, stopped with the rest
        if not options["no_daily"]:
            threading.Thread(target=self.daily, args=(manage, env), daemon=True).start()

        self.stdout.write(
            f"Conventio : http://{host}:{port}/ — serveur web"
            + ("" if options["no_worker"] else ", worker des tâches de fond")
            + ("" if options["no_daily"] else ", tâches quotidiennes")
            + ". Ctrl-C pour tout arrêter."
        )
        signal.signal(signal.SIGTERM, lambda *_: self.stopping.set())
        try:
            while not self.stopping.wait(0.5):
                for name, child in list(self.children.items()):
                    if child.poll() is not None:
                        self.stderr.write(f"« {name} » s'est arrêté (code {child.returncode}) : arrêt de tout.")
                        self.stopping.set()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop_all()

    def start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.children[name] = subprocess.Popen(command, env=env)

    def daily(self, manage: list[str], env: dict[str, str]) -> None:
        """The daily jobs (``run_daily_jobs``) now, then each day at ``DAILY_AT``; a failure is
        printed and recorded, the next day runs again (each job is idempotent: a missed day is
        caught up the next)."""
        while not self.stopping.is_set():
            result = subprocess.run([*manage, "run_daily_jobs"], env=env, check=False)
            if result.returncode != 0:
                self.stderr.write(
                    f"Les tâches quotidiennes ont échoué (code {result.returncode}) : voir manage.py doctor."
                )
            wait = (next_run(timezone.now()) - timezone.now()).total_seconds()
            if self.stopping.wait(max(wait, 1)):
                return

    def stop_all(self) -> None:
        self.stopping.set()
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        for child in self.children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("Conventio est arrêté.")
