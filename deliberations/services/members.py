"""What a member does about a sitting they are convened to, from their personal link or their
élu account: say whether they will attend, give a proxy to another member, take it back.

The caller has established who the member is (the link's token, or the account linked to the
person): these services take that person, never a user's capability. The proxies go through
the clerk's own checks (``services.attendance.checked_proxy``: every condition of CGCT
L2121-20); the clerk still points the attendance on the sheet and may correct anything.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from deliberations import rules
from deliberations.models import (
    AttendanceIntent,
    Channel,
    Intent,
    Mandate,
    Proxy,
    Sitting,
    SittingState,
)
from deliberations.services._common import lock_sitting, save
from deliberations.services.attendance import checked_proxy, revoke_checked
from parties.models import Person

logger = logging.getLogger(__name__)

RULE_REPLY = "Réponse à la convocation"
ANSWERING_STATES = (SittingState.CONVENED, SittingState.OPEN)


def _check_answering(sitting: Sitting) -> None:
    if sitting.state not in ANSWERING_STATES:
        raise DomainError(
            f"La séance est « {sitting.get_state_display()} » : on ne répond à une convocation qu'une fois "
            f"la séance convoquée et jusqu'à sa clôture.",
            rule=RULE_REPLY,
        )


def _check_member(sitting: Sitting, person: Person) -> None:
    in_office = (
        Mandate.objects.in_office(sitting.date).filter(assembly_id=sitting.assembly_id, person_id=person.pk).exists()
    )
    if not in_office:
        raise DomainError(
            f"{person.full_name} n'est pas membre en exercice de l'assemblée à la date de la séance.",
            rule=rules.RULE_PROXY,
            field="person",
        )


def _check_channel(channel: str) -> None:
    if channel not in Channel.values:
        raise DomainError(f"Canal inconnu : « {channel} ».", field="channel")


def _set_intent(*, sitting: Sitting, person: Person, intent: str, channel: str, at: datetime) -> AttendanceIntent:
    row = AttendanceIntent.objects.filter(sitting=sitting, person=person).first()
    if row is None:
        row = AttendanceIntent(sitting=sitting, person=person)
    row.intent, row.channel, row.answered_at = intent, channel, at
    save(row, user=None, reason=f"{person.full_name} : {Intent(intent).label} ({Channel(channel).label})")
    return row


def _active_proxy_given(sitting: Sitting, person: Person) -> Proxy | None:
    return (
        Proxy.objects.select_for_update()
        .filter(sitting=sitting, giver=person, revoked=False)
        .order_by("-created_at", "-pk")
        .first()
    )


def announced(sitting: Sitting) -> dict[int, str]:
    """Person id → what each member who answered said (present, absent, proxy)."""
    return dict(AttendanceIntent.objects.filter(sitting=sitting).values_list("person_id", "intent"))


@transaction.atomic
def answer_convocation(
    *, sitting: Sitting, person: Person, intent: str, channel: str, at: datetime | None = None
) -> AttendanceIntent:
    """The member says they will attend (present) or not (absent). A proxy they gave for this
    sitting is revoked by that answer: a proxy is revocable (CGCT L2121-20)."""
    _check_channel(channel)
    if intent not in (Intent.PRESENT, Intent.ABSENT):
        raise DomainError(
            "Réponse inconnue : « présent » ou « absent » ; pour donner pouvoir, choisissez le mandataire.",
            rule=RULE_REPLY,
            field="intent",
        )
    locked = lock_sitting(sitting)
    _check_answering(locked)
    _check_member(locked, person)
    given = _active_proxy_given(locked, person)
    if given is not None:
        revoke_checked(proxy=given)
    return _set_intent(sitting=locked, person=person, intent=intent, channel=channel, at=at or timezone.now())


@transaction.atomic
def give_proxy(*, sitting: Sitting, giver: Person, holder: Person, channel: str, at: datetime | None = None) -> Proxy:
    """The member, absent, gives a written proxy to another member in office (CGCT L2121-20),
    checked at once against every condition of the article by the clerk's own checks: the
    holder may hold one proxy only, is a member in office and is expected at the sitting (pointed
    present, or not having said they would not come), the giver is not pointed present, the
    same proxy serves three consecutive sittings at most. The written proxy (PDF, sealed when
    the organization's certificate signs unattended) is produced once the proxy is saved."""
    _check_channel(channel)
    at = at or timezone.now()
    locked = lock_sitting(sitting)
    _check_answering(locked)
    _check_member(locked, giver)
    if holder.organization_id != giver.organization_id:
        # Another organization's person: named like an unknown member, nothing of theirs told.
        raise DomainError("Ce mandataire n'est pas membre de l'assemblée.", rule=rules.RULE_PROXY, field="holder")
    intents = announced(locked)
    intents[giver.pk] = Intent.PROXY
    proxy = checked_proxy(
        sitting=locked, giver=giver, holder=holder, written_on=timezone.localdate(at), announced=intents
    )
    save(proxy, user=None, reason=f"Pouvoir de {giver.full_name} à {holder.full_name}, donné en ligne")
    _set_intent(sitting=locked, person=giver, intent=Intent.PROXY, channel=channel, at=at)
    proxy_id = proxy.pk
    transaction.on_commit(lambda: write_proxy_document_safely(proxy_id=proxy_id, channel=channel, given_at=at))
    return proxy


@transaction.atomic
def withdraw_proxy(*, sitting: Sitting, giver: Person, channel: str, at: datetime | None = None) -> Proxy:
    """The member takes back the proxy they gave for this sitting (CGCT L2121-20: revocable);
    their answer becomes « absent » until they say otherwise."""
    _check_channel(channel)
    locked = lock_sitting(sitting)
    _check_answering(locked)
    given = _active_proxy_given(locked, giver)
    if given is None:
        raise DomainError("Vous n'avez donné aucun pouvoir pour cette séance.", rule=rules.RULE_PROXY)
    revoked = revoke_checked(proxy=given)
    _set_intent(sitting=locked, person=giver, intent=Intent.ABSENT, channel=channel, at=at or timezone.now())
    return revoked


def write_proxy_document_safely(*, proxy_id: int, channel: str, given_at: datetime) -> None:
    """The written proxy, after the commit: a template the organization broke must not undo
    the proxy given (the member's page makes the document again on demand)."""
    from deliberations.documents.proxies import write_proxy_document

    try:
        write_proxy_document(proxy_id=proxy_id, channel=channel, given_at=given_at)
    except DomainError:
        logger.exception("Pouvoir n° %s : le document n'a pas pu être produit", proxy_id)
