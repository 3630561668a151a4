"""The members' page: the personal link of a convocation, what it shows and to whom."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from deliberations import services
from deliberations.models import MemberAccess
from deliberations.services.member_access import link_expires_at, member_link, record_opening
from tests.deliberations.conftest import at, make_council

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
PDF = b"%PDF-1.7\n" + b"x" * 100


def _path(link: str) -> str:
    return link.removeprefix("https://conventio.example")


@pytest.fixture
def convened(council):
    """A convened sitting (26 March 2024) with two items, the first with an annex."""
    sitting = council.sitting(open_=False)
    first = council.item(sitting, "Subvention au club de rugby", rapporteur=council.people[2])
    services.update_deliberation(
        user=council.clerk,
        deliberation=first,
        report="Le club accueille 300 licenciés.",
        operative_part="Article 1 : une subvention de 15 000 € est attribuée.",
    )
    services.add_annex(
        user=council.clerk, deliberation=first, upload=SimpleUploadedFile("budget.pdf", PDF), title="Budget du club"
    )
    council.item(sitting, "Convention avec la médiathèque")
    return council, sitting


@pytest.fixture(autouse=True)
def _site():
    with override_settings(SITE_URL="https://conventio.example"):
        yield


@pytest.fixture
def now_before_sitting(monkeypatch):
    """The clock on 21 March 2024, once the convocation is sent."""
    moment = datetime(2024, 3, 21, 9, tzinfo=PARIS)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def test_link_is_absolute_random_and_the_same_on_each_sending(convened):
    council, sitting = convened
    link = member_link(sitting=sitting, person=council.people[3])
    assert link.startswith("https://conventio.example/membres/")
    access = MemberAccess.objects.get(sitting=sitting, person=council.people[3])
    assert link.endswith(f"/membres/{access.token}/") and len(access.token) >= 43
    assert member_link(sitting=sitting, person=council.people[3]) == link
    other = member_link(sitting=sitting, person=council.people[4])
    assert other != link
    assert MemberAccess.objects.filter(sitting=sitting).count() == 2


def test_link_expires_at_the_end_of_the_day_after_the_sitting_paris_time():
    # 26 March 2024 at 18:00 in Paris → valid until 28 March 00:00 Paris (27 March 23:00 UTC).
    expires = link_expires_at(at(2024, 3, 26, 18))
    assert expires == datetime(2024, 3, 28, 0, 0, tzinfo=PARIS)
    assert expires.astimezone(ZoneInfo("UTC")).hour == 23
    # A sitting at 23:30 on 31 March (summer time begins that night) still ends on 2 April.
    assert link_expires_at(at(2024, 3, 31, 23)) == datetime(2024, 4, 2, 0, 0, tzinfo=PARIS)


def test_page_shows_the_sitting_agenda_and_documents(convened, now_before_sitting):
    council, sitting = convened
    person = council.people[3]
    response = Client().get(_path(member_link(sitting=sitting, person=person)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "26 mars 2024" in page and "Salle du Conseil" in page
    assert "1. Subvention au club de rugby" in page and "2. Convention avec la médiathèque" in page
    assert "Rapporteur : Élu002 MEMBRE002" in page
    assert "Le club accueille 300 licenciés." in page
    assert "une subvention de 15 000 € est attribuée" in page
    assert "Budget du club" in page
    assert person.formal_name in page
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def test_annex_downloads_through_the_token_only(convened, now_before_sitting):
    council, sitting = convened
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    annex = sitting.deliberations.get(position=1).annexes.get()
    response = Client().get(f"{link}annexes/{annex.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert Client().get(f"/membres/{'x' * 43}/annexes/{annex.pk}/").status_code == 404


def test_opening_is_recorded_first_once_last_each_time(convened):
    council, sitting = convened
    member_link(sitting=sitting, person=council.people[3])
    access = MemberAccess.objects.get(person=council.people[3])
    assert access.first_opened_at is None and access.last_opened_at is None
    first = datetime(2024, 3, 21, 9, tzinfo=PARIS)
    record_opening(access=access, at=first)
    record_opening(access=access, at=first + timedelta(hours=5))
    access.refresh_from_db()
    assert access.first_opened_at == first
    assert access.last_opened_at == first + timedelta(hours=5)


def test_opening_the_page_records_it(convened, now_before_sitting):
    council, sitting = convened
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    Client().get(link)
    access = MemberAccess.objects.get(person=council.people[3])
    assert access.first_opened_at == now_before_sitting == access.last_opened_at


def test_expired_link_answers_410_and_says_nothing_of_the_sitting(convened, monkeypatch):
    council, sitting = convened
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    monkeypatch.setattr(timezone, "now", lambda: datetime(2024, 3, 28, 0, 0, 1, tzinfo=PARIS))
    response = Client().get(link)
    assert response.status_code == 410
    page = response.content.decode()
    assert "Ce lien a expiré" in page
    assert "rugby" not in page and "Élu003" not in page and "Salle du Conseil" not in page
    assert MemberAccess.objects.get(person=council.people[3]).first_opened_at is None
    annex = sitting.deliberations.get(position=1).annexes.get()
    assert Client().get(f"{link}annexes/{annex.pk}/").status_code == 410


def test_the_day_after_the_sitting_still_opens(convened, monkeypatch):
    council, sitting = convened
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    monkeypatch.setattr(timezone, "now", lambda: datetime(2024, 3, 27, 23, 59, tzinfo=PARIS))
    assert Client().get(link).status_code == 200


@pytest.mark.parametrize("token", ["inconnu", "A" * 43, "A" * 200])
def test_unknown_token_answers_404_in_french(convened, token):
    response = Client().get(f"/membres/{token}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Lien inconnu" in page and "rugby" not in page


def test_a_link_shows_its_own_member_and_sitting_only(convened, now_before_sitting):
    council, sitting = convened
    other_sitting = council.sitting(at(2024, 4, 30), open_=False)
    council.item(other_sitting, "Budget supplémentaire du port")
    page = Client().get(_path(member_link(sitting=sitting, person=council.people[3]))).content.decode()
    assert "Budget supplémentaire du port" not in page
    assert council.people[4].formal_name not in page
    # An annex of another sitting's item is not found through this link.
    other_item = other_sitting.deliberations.get()
    annex = services.add_annex(user=council.clerk, deliberation=other_item, upload=SimpleUploadedFile("p.pdf", PDF))
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    assert Client().get(f"{link}annexes/{annex.pk}/").status_code == 404


def test_another_organizations_annex_is_never_reached(convened, other_organization, now_before_sitting):
    council, sitting = convened
    elsewhere = make_council(other_organization, 5)
    their_sitting = elsewhere.sitting(open_=False)
    their_item = elsewhere.item(their_sitting, "Délibération d'ailleurs")
    annex = services.add_annex(user=elsewhere.clerk, deliberation=their_item, upload=SimpleUploadedFile("z.pdf", PDF))
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    response = Client().get(f"{link}annexes/{annex.pk}/")
    assert response.status_code == 404
    assert "ailleurs" not in Client().get(link).content.decode().lower()
