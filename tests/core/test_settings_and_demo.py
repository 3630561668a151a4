import io
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import Membership, User
from parties.models import Organization, Person, Signatory

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _manage("check", ALLOWED_HOSTS="conventio.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    weak = _manage("check", SECRET_KEY="insecure-local-only-key-do-not-use-in-production", ALLOWED_HOSTS="x.org")
    assert weak.returncode != 0


def test_production_check_deploy_is_clean():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="conventio.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr


@pytest.mark.django_db
def test_demo_data_loads_twice_without_duplicates():
    call_command("load_demo", verbosity=0)
    counts = [
        Organization.objects.count(),
        Person.objects.count(),
        Signatory.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    ]
    printed = io.StringIO()
    call_command("load_demo", verbosity=0, stdout=printed)
    assert [
        Organization.objects.count(),
        Person.objects.count(),
        Signatory.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    ] == counts
    montpellier = Organization.objects.get(siren="213401722")
    assert montpellier.departement_code == "034"
    assert Organization.objects.get(siren="200054807").departement_code == "013"
    flag = Organization.objects.get(short_name="FLAG !")
    assert flag.tenant == montpellier
    assert montpellier.signatories.get(is_default=True).function == "Monsieur le Maire"
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {"admin", "legal", "clerk", "manager", "viewer", "member"}
    # The élu account is the member it represents, in Montpellier.
    elu = Membership.objects.select_related("person").get(user__username="elu")
    assert (elu.role, elu.person.last_name, elu.person.organization) == ("member", "Akbaraly", montpellier)
    # Montpellier's next sitting is convened, with the personal links of two members, the same
    # at each load.
    from deliberations.models import MemberAccess

    links = re.findall(r"https?://\S+/membres/[\w-]+/", printed.getvalue())
    # The convocation e-mailed to every member gave each a link: the two printed are those of
    # the two demo members for that next sitting.
    from deliberations.demo_members import MEMBERS

    coming = MemberAccess.objects.get(person=elu.person, sitting__starts_at__gte=timezone.now()).sitting
    accesses = MemberAccess.objects.filter(
        sitting=coming,
        person__in=[
            Person.objects.get(organization=montpellier, first_name=first, last_name=last) for first, last in MEMBERS
        ],
    )
    assert len(links) == 2 and {link.rstrip("/").rsplit("/", 1)[1] for link in links} == set(
        accesses.values_list("token", flat=True)
    )
    assert coming.state == "convened"
