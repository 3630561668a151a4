"""The members' page: the personal link of a convocation, what it shows and to whom."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from core.errors import DomainError
from deliberations import services
from deliberations.models import AttendanceIntent, MemberAccess, Proxy
from deliberations.services.member_access import link_expires_at, member_link, record_opening
from documents.models import StoredDocument
from tests.deliberations.conftest import Council, at, make_council
from tests.readers import docx_text, pdf_text

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
PDF = b"%PDF-1.7\n" + b"x" * 100


def _text(response) -> str:
    return html.unescape(response.content.decode())


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
    assert response["Referrer-Policy"] == "same-origin"


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
    # Another member answered and gave a proxy: none of that shows on this member's page.
    theirs = _path(member_link(sitting=sitting, person=council.people[4]))
    Client().post(f"{theirs}pouvoir/", {"holder": council.people[5].pk})
    page = Client().get(_path(member_link(sitting=sitting, person=council.people[3]))).content.decode()
    assert "Budget supplémentaire du port" not in page
    assert "Je donne pouvoir" in page  # this member has given nothing
    assert "vous a donné pouvoir" not in page and "Vous avez répondu" not in page
    assert MemberAccess.objects.get(person=council.people[4]).token not in page
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


# --- Answering the convocation ------------------------------------------------------------------


def _answer(link: str, intent: str):
    return Client().post(f"{link}reponse/", {"intent": intent})


def test_member_confirms_attendance_then_absence(convened, now_before_sitting):
    council, sitting = convened
    person = council.people[3]
    link = _path(member_link(sitting=sitting, person=person))
    response = _answer(link, "present")
    assert response.status_code == 302 and response["Location"] == link
    intent = AttendanceIntent.objects.get(sitting=sitting, person=person)
    assert (intent.intent, intent.channel, intent.answered_at) == ("present", "link", now_before_sitting)
    _answer(link, "absent")
    intent.refresh_from_db()
    assert intent.intent == "absent"
    assert AttendanceIntent.objects.filter(sitting=sitting).count() == 1
    page = Client().get(link).content.decode()
    assert "Vous avez répondu : Absent" in page


def test_an_unknown_answer_is_refused_with_its_rule(convened, now_before_sitting):
    council, sitting = convened
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    response = _answer(link, "peut-être")
    assert response.status_code == 400
    assert "Réponse à la convocation" in response.content.decode()
    assert not AttendanceIntent.objects.exists()


def test_answers_only_to_a_convened_sitting(council, now_before_sitting):
    planned = council.sitting(convened_on=None)
    link = _path(member_link(sitting=planned, person=council.people[3]))
    assert "Les réponses à cette convocation sont closes." in Client().get(link).content.decode()
    response = _answer(link, "present")
    assert response.status_code == 400
    assert "on ne répond à une convocation qu'une fois la séance convoquée" in _text(response)


# --- Giving a proxy ---------------------------------------------------------------------------------


def _give(link: str, holder):
    return Client().post(f"{link}pouvoir/", {"holder": holder.pk if hasattr(holder, "pk") else holder})


def test_proxy_given_online_with_its_written_pdf(convened, now_before_sitting, django_capture_on_commit_callbacks):
    council, sitting = convened
    giver, holder = council.people[3], council.people[4]
    link = _path(member_link(sitting=sitting, person=giver))
    with django_capture_on_commit_callbacks(execute=True):
        response = _give(link, holder)
    assert response.status_code == 302
    proxy = Proxy.objects.get(sitting=sitting)
    assert (proxy.giver, proxy.holder, proxy.written_on, proxy.revoked) == (giver, holder, date(2024, 3, 21), False)
    assert AttendanceIntent.objects.get(person=giver).intent == "proxy"
    pdf = StoredDocument.objects.for_owner(proxy).get(kind="proxy", format="pdf")
    assert pdf.organization == council.assembly.organization
    assert pdf.created_by is None and pdf.signature_count == 0  # no certificate: not sealed
    text = " ".join(pdf_text(pdf.file.read()).split())
    assert "Pouvoir" in text
    assert "Élu003 MEMBRE003" in text and "donne pouvoir à Élu004 MEMBRE004" in text
    assert "mardi 26 mars 2024" in text and "Salle du Conseil" in text
    assert "L2121-20" in text
    assert "21 mars 2024 à 09 h 00" in text
    docx = StoredDocument.objects.for_owner(proxy).get(kind="proxy", format="docx")
    assert "donne pouvoir à Élu004 MEMBRE004" in docx_text(docx.file.read())
    # The page offers it, through the token only.
    page = Client().get(link).content.decode()
    assert "Vous avez donné pouvoir à Élu004 MEMBRE004" in page
    download = Client().get(f"{link}pouvoir.pdf")
    assert download.status_code == 200
    assert "Élu003 MEMBRE003" in pdf_text(b"".join(download.streaming_content))
    # The holder's own page says whose proxy they hold.
    holder_page = Client().get(_path(member_link(sitting=sitting, person=holder))).content.decode()
    assert "Élu003 MEMBRE003 vous a donné pouvoir" in holder_page


def test_proxy_pdf_is_sealed_when_the_organization_signs_unattended(council, django_capture_on_commit_callbacks):
    from documents.services import create_test_certificate
    from tests.factories import SignatoryFactory

    # Today's clock: the certificate is valid from today on.
    coming = timezone.localdate() + timedelta(days=10)
    sitting = council.sitting(at(coming.year, coming.month, coming.day), convened_on=timezone.localdate(), open_=False)
    signatory = SignatoryFactory(person=council.people[0])
    create_test_certificate(organization=council.assembly.organization, signatory=signatory, passphrase="secret-1")
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    with django_capture_on_commit_callbacks(execute=True):
        _give(link, council.people[4])
    proxy = Proxy.objects.get(sitting=sitting)
    sealed = StoredDocument.objects.for_owner(proxy).filter(kind="proxy", format="pdf").order_by("-version").first()
    assert sealed.origin == "signed" and sealed.signature_count == 1
    assert sealed.source.signature_count == 0
    from pypdf import PdfReader

    reader = PdfReader(sealed.file.open("rb"))
    assert any(field.get("/FT") == "/Sig" for field in reader.get_fields().values())
    # The page hands out the sealed version.
    download = Client().get(f"{link}pouvoir.pdf")
    assert b"".join(download.streaming_content) == sealed.file.open("rb").read()


def _refused(response, *words):
    page = _text(response)
    assert response.status_code == 400, response.status_code
    assert "CGCT L2121-20 (pouvoirs)" in page
    for word in words:
        assert word in page, word
    return page


def test_refused_giving_a_proxy_to_oneself(convened, now_before_sitting):
    council, sitting = convened
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    _refused(_give(link, council.people[3]), "ne peut pas se donner pouvoir à lui-même")
    assert not Proxy.objects.exists() and not AttendanceIntent.objects.exists()


def test_refused_to_a_holder_not_in_office(convened, now_before_sitting):
    council, sitting = convened
    former = council.people[5]
    mandate = council.assembly.mandates.get(person=former)
    services.end_mandate(user=council.clerk, mandate=mandate, end_date=date(2024, 3, 1))
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    _refused(_give(link, former), "n'est pas membre en exercice")
    assert not Proxy.objects.exists()


def test_refused_to_a_holder_who_already_holds_one(convened, now_before_sitting):
    council, sitting = convened
    first = _path(member_link(sitting=sitting, person=council.people[3]))
    assert _give(first, council.people[4]).status_code == 302
    second = _path(member_link(sitting=sitting, person=council.people[5]))
    _refused(_give(second, council.people[4]), "détient déjà le pouvoir de Élu003 MEMBRE003")
    assert Proxy.objects.count() == 1
    assert not AttendanceIntent.objects.filter(person=council.people[5]).exists()


def test_refused_a_second_proxy_of_the_same_giver(convened, now_before_sitting):
    council, sitting = convened
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    _give(link, council.people[4])
    from deliberations.services import members as member_services

    with pytest.raises(DomainError, match="a déjà donné pouvoir à Élu004 MEMBRE004"):
        member_services.give_proxy(sitting=sitting, giver=council.people[3], holder=council.people[6], channel="link")


def test_refused_to_a_holder_who_said_they_would_not_come(convened, now_before_sitting):
    council, sitting = convened
    _answer(_path(member_link(sitting=sitting, person=council.people[4])), "absent")
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    _refused(_give(link, council.people[4]), "Élu004 MEMBRE004 est absent(e)")


def test_refused_when_the_giver_is_pointed_present_once_the_sitting_runs(convened, monkeypatch):
    council, sitting = convened
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    monkeypatch.setattr(timezone, "now", lambda: datetime(2024, 3, 26, 18, 5, tzinfo=PARIS))
    sitting = services.open_sitting(user=council.clerk, sitting=sitting, opened_at=at(2024, 3, 26))
    council.attend(sitting, present=8)
    _refused(_give(link, council.people[4]), "seul un membre absent peut donner pouvoir")
    # A member pointed absent may still give one to a member pointed present.
    away = _path(member_link(sitting=sitting, person=council.people[9]))
    assert _give(away, council.people[4]).status_code == 302


def test_refused_for_a_fourth_consecutive_sitting(council, monkeypatch):
    """The same written proxy (same giver, same day) serves three consecutive sittings at most."""
    monkeypatch.setattr(timezone, "now", lambda: datetime(2024, 3, 1, 9, tzinfo=PARIS))
    giver, holder = council.people[3], council.people[4]
    for day in (5, 12, 19):
        earlier = council.sitting(at(2024, 3, day), convened_on=date(2024, 2, 28))
        council.attend(earlier, present=3)
        services.set_attendance(user=council.clerk, sitting=earlier, person=holder, status="present")
        services.register_proxy(
            user=council.clerk, sitting=earlier, giver=giver, holder=holder, written_on=date(2024, 3, 1)
        )
    fourth = council.sitting(at(2024, 3, 26), convened_on=date(2024, 2, 28), open_=False)
    link = _path(member_link(sitting=fourth, person=giver))
    _refused(_give(link, holder), "4e séance consécutive")


def test_a_holder_of_another_organization_is_refused_and_not_named(convened, other_organization, now_before_sitting):
    council, sitting = convened
    elsewhere = make_council(other_organization, 3)
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    response = _give(link, elsewhere.people[1])
    assert response.status_code == 400
    assert "Élu001 MEMBRE001" not in response.content.decode().replace(council.people[1].full_name, "")
    assert not Proxy.objects.exists()


def test_the_giver_revokes_the_proxy(convened, now_before_sitting):
    council, sitting = convened
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    _give(link, council.people[4])
    response = Client().post(f"{link}pouvoir/revoquer/")
    assert response.status_code == 302
    proxy = Proxy.objects.get()
    assert proxy.revoked and proxy.revoked_from_item is None
    assert AttendanceIntent.objects.get(person=council.people[3]).intent == "absent"
    # Revoked: the holder is free to hold another member's proxy.
    other = _path(member_link(sitting=sitting, person=council.people[5]))
    assert _give(other, council.people[4]).status_code == 302
    # Nothing left to revoke.
    assert Client().post(f"{link}pouvoir/revoquer/").status_code == 400


def test_saying_present_revokes_the_proxy_given(convened, now_before_sitting):
    council, sitting = convened
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    _give(link, council.people[4])
    _answer(link, "present")
    assert Proxy.objects.get().revoked


def test_the_clerk_sees_the_answers_and_online_proxies_on_the_sheet(convened, now_before_sitting, client_for):
    council, sitting = convened
    _answer(_path(member_link(sitting=sitting, person=council.people[2])), "present")
    _answer(_path(member_link(sitting=sitting, person=council.people[6])), "absent")
    _give(_path(member_link(sitting=sitting, person=council.people[3])), council.people[4])
    page = client_for(council.clerk).get(f"/deliberations/seances/{sitting.pk}/presences/").content.decode()
    rows = {
        m.group(1): m.group(0) for m in re.finditer(r"<tr id=\"member-\d+\" data-name=\"([^\"]+)\".*?</tr>", page, re.S)
    }
    assert len(rows) == len(council.people)
    assert "annonce sa présence" in rows["Élu002 MEMBRE002"]
    assert "annonce son absence" in rows["Élu006 MEMBRE006"]
    assert "pouvoir donné en ligne" in rows["Élu003 MEMBRE003"]
    assert "badge" not in rows["Élu005 MEMBRE005"]
    # The online proxy is on the sheet's list of proxies, and the clerk may still revoke it.
    proxy = Proxy.objects.get()
    assert f"/deliberations/seances/{sitting.pk}/pouvoirs/{proxy.pk}/revoquer/" in page
    response = client_for(council.clerk).post(f"/deliberations/seances/{sitting.pk}/pouvoirs/{proxy.pk}/revoquer/")
    assert response.status_code in (200, 302)
    proxy.refresh_from_db()
    assert proxy.revoked
    page = client_for(council.clerk).get(f"/deliberations/seances/{sitting.pk}/presences/").content.decode()
    assert "pouvoir en ligne révoqué" in page and "pouvoir donné en ligne" not in page


# --- The élu's account ------------------------------------------------------------------------------


def _elu(council, person):
    from core.models import Membership
    from core.roles import Role
    from tests.factories import member

    user = member(council.assembly.organization, Role.MEMBER, username=f"elu-{person.pk}")
    Membership.objects.filter(user=user).update(person=person)
    return user


def test_my_sittings_lists_only_the_members_own_convocations(council, other_organization, client_for):
    person = council.people[3]
    convened = council.sitting(at(2099, 3, 26), convened_on=date(2099, 3, 20), open_=False)
    planned = council.sitting(at(2099, 4, 30), convened_on=None)
    # A sitting of another assembly of the same organization where the person holds no mandate.
    assembly = services.create_assembly(
        user=council.clerk,
        organization=council.assembly.organization,
        kind=council.assembly.kind,
        name="Conseil de territoire",
        numbering_pattern="CT-{year}-{seq:03}",
        usual_place="Salle B",
    )
    for member_ in council.people[4:7]:
        services.add_mandate(user=council.clerk, assembly=assembly, person=member_, start_date=date(2020, 7, 3))
    elsewhere = Council(clerk=council.clerk, assembly=assembly, people=council.people[4:7])
    theirs = elsewhere.sitting(at(2099, 3, 27), convened_on=date(2099, 3, 20), open_=False)
    other = make_council(other_organization, 3)
    other.sitting(at(2099, 3, 28), convened_on=date(2099, 3, 20), open_=False)
    client = client_for(_elu(council, person))
    page = _text(client.get("/membres/"))
    assert f"/membres/seances/{convened.pk}/" in page
    assert f"/membres/seances/{planned.pk}/" not in page  # not convened yet
    assert f"/membres/seances/{theirs.pk}/" not in page and elsewhere.assembly.name not in page
    assert "Ailleurs" not in page and other.assembly.name not in page
    # Opening one reaches the same personal page as the e-mail's link, answered « by account ».
    response = client.get(f"/membres/seances/{convened.pk}/")
    access = MemberAccess.objects.get(sitting=convened, person=person)
    assert response.status_code == 302 and response["Location"] == f"/membres/{access.token}/"
    client.post(f"/membres/{access.token}/reponse/", {"intent": "present"})
    assert AttendanceIntent.objects.get(sitting=convened, person=person).channel == "account"
    assert client.get(f"/membres/seances/{theirs.pk}/").status_code == 404


def test_an_elu_account_cannot_reach_staff_pages(convened, client_for):
    council, sitting = convened
    client = client_for(_elu(council, council.people[3]))
    assert client.get("/")["Location"] == "/membres/"
    for url in (
        "/deliberations/",
        f"/deliberations/seances/{sitting.pk}/",
        f"/deliberations/seances/{sitting.pk}/presences/",
        "/conventions/",
        "/documents/",
        "/compte/jetons/",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Votre compte d'élu donne accès à vos convocations seulement" in _text(response)
    response = client.post(
        f"/deliberations/seances/{sitting.pk}/presences/{council.people[3].pk}/", {"status": "present"}
    )
    assert response.status_code == 403
    assert not sitting.attendances.exists()
    page = _text(client.get("/membres/"))
    assert "Mes séances" in page and "Délibérations</a>" not in page


def test_an_elu_api_token_is_refused(convened):
    from core import services as core_services

    council, _sitting = convened
    _token, key = core_services.create_api_token(user=_elu(council, council.people[3]), name="essai")
    response = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/sittings")
    assert response.status_code == 403
    assert "compte d'élu" in response.json()["detail"]


def test_linking_an_account_to_a_person_of_another_organization_is_refused(council, other_organization):
    from core import services as core_services
    from core.models import Membership
    from core.roles import Role
    from tests.factories import member

    admin = member(council.assembly.organization, Role.ADMINISTRATOR)
    elu = member(council.assembly.organization, Role.MEMBER)
    membership = Membership.objects.get(user=elu)
    foreign = make_council(other_organization, 1).people[0]
    with pytest.raises(DomainError, match="n'appartient pas à l'organisation"):
        core_services.link_person(actor=admin, membership=membership, person=foreign)
    linked = core_services.link_person(actor=admin, membership=membership, person=council.people[2])
    assert linked.person == council.people[2]
    with pytest.raises(PermissionDenied):
        core_services.link_person(actor=elu, membership=membership, person=None)


def test_a_sitting_moved_to_another_day_moves_its_links_expiry(council):
    sitting = council.sitting(convened_on=None)  # only a sitting not yet convened moves
    member_link(sitting=sitting, person=council.people[3])
    services.update_sitting(user=council.clerk, sitting=sitting, starts_at=at(2024, 4, 2))
    sitting.refresh_from_db()
    link = member_link(sitting=sitting, person=council.people[3])  # the new convocation's sending
    access = MemberAccess.objects.get(person=council.people[3])
    assert access.expires_at == datetime(2024, 4, 4, 0, 0, tzinfo=PARIS)
    assert link.endswith(f"/membres/{access.token}/")  # the same link


def test_the_written_proxy_is_made_again_when_missing(convened, now_before_sitting):
    """Its rendering runs after the commit; if it failed, the download makes it."""
    council, sitting = convened
    link = _path(member_link(sitting=sitting, person=council.people[3]))
    _give(link, council.people[4])  # on-commit callbacks not run: no document yet
    proxy = Proxy.objects.get()
    assert not StoredDocument.objects.for_owner(proxy).exists()
    response = Client().get(f"{link}pouvoir.pdf")
    assert response.status_code == 200
    assert "donne pouvoir à Élu004 MEMBRE004" in " ".join(pdf_text(b"".join(response.streaming_content)).split())
    # A member who gave no proxy has none to download.
    other = _path(member_link(sitting=sitting, person=council.people[5]))
    assert Client().get(f"{other}pouvoir.pdf").status_code == 404
