"""What a member reads through their personal link: scoped to the link's sitting only.

Every read here starts from a :class:`MemberAccess`, never from an id in the address alone:
an annex or a document of another sitting, or of another organization, is not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from deliberations.models import Annex, AttendanceIntent, Deliberation, Intent, MemberAccess, Proxy, Sitting
from deliberations.selectors.assemblies import members_in_office
from deliberations.selectors.sittings import agenda
from parties.models import Person

# A token is 43 characters (32 random bytes, URL-safe base64); anything longer is not one.
TOKEN_MAX_LENGTH = 64


def access_by_token(token: str) -> MemberAccess | None:
    """The access a token opens, with its sitting, assembly, organization and person; None for
    an unknown token (expired ones are returned: the page says they expired)."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return (
        MemberAccess.objects.select_related("sitting__assembly__organization", "sitting__president", "person")
        .filter(token=token)
        .first()
    )


def is_expired(access: MemberAccess, now: datetime) -> bool:
    return now >= access.expires_at


def member_agenda(access: MemberAccess) -> QuerySet[Deliberation]:
    """The agenda of the link's sitting, each item with its rapporteur and annexes."""
    return agenda(access.sitting_id).prefetch_related(
        Prefetch("annexes", queryset=Annex.objects.order_by("id").only("id", "title", "size", "deliberation_id"))
    )


def member_annex(access: MemberAccess, annex_id: int) -> Annex | None:
    """An annex of an item on the agenda of the link's sitting, or None."""
    return (
        Annex.objects.filter(
            pk=annex_id, deliberation__sitting_id=access.sitting_id, deliberation__position__isnull=False
        )
        .select_related("deliberation")
        .first()
    )


def sitting_documents(access: MemberAccess) -> QuerySet:  # type: ignore[type-arg]
    """The PDF documents stored for the link's sitting itself (its convocation), newest
    version of each kind first."""
    from documents.models import DocumentFormat, DocumentKind, StoredDocument

    return StoredDocument.objects.filter(
        owner_type=ContentType.objects.get_for_model(Sitting),
        owner_id=access.sitting_id,
        organization_id=access.sitting.assembly.organization_id,
        kind=DocumentKind.CONVOCATION,
        format=DocumentFormat.PDF,
    ).order_by("kind", "-version")


def member_document(access: MemberAccess, document_id: int):  # type: ignore[no-untyped-def]
    """A document of the link's sitting offered on its page, or None."""
    return sitting_documents(access).filter(pk=document_id).first()


@dataclass(frozen=True)
class MemberSituation:
    """Where a member stands for a sitting: their answer, the proxy they gave (and its written
    PDF), the proxies they hold, and the members they may give a proxy to."""

    intent: AttendanceIntent | None
    given: Proxy | None
    given_document: Any  # the latest PDF of the written proxy, or None
    held: list[Proxy]
    holders: list[tuple[int, str]]  # person id, name: the other members in office
    in_office: bool


def member_situation(sitting: Sitting, person: Person) -> MemberSituation:
    members = members_in_office(sitting.assembly_id, sitting.date)
    proxies = list(
        Proxy.objects.filter(sitting=sitting, revoked=False)
        .filter(Q(giver=person) | Q(holder=person))
        .select_related("giver", "holder")
        .order_by("created_at", "pk")
    )
    given = next((p for p in reversed(proxies) if p.giver_id == person.pk), None)
    return MemberSituation(
        intent=AttendanceIntent.objects.filter(sitting=sitting, person=person).first(),
        given=given,
        given_document=proxy_document(given, sitting.assembly.organization_id) if given is not None else None,
        held=[p for p in proxies if p.holder_id == person.pk],
        holders=[(m.person_id, m.person.full_name) for m in members if m.person_id != person.pk],
        in_office=any(m.person_id == person.pk for m in members),
    )


def proxy_document(proxy: Proxy, organization_id: int):  # type: ignore[no-untyped-def]
    """The latest PDF of a proxy's written form (sealed when it was), or None."""
    from documents.models import DocumentFormat, StoredDocument

    return (
        StoredDocument.objects.for_owner(proxy)
        .filter(kind="proxy", format=DocumentFormat.PDF, organization_id=organization_id)
        .order_by("-version")
        .first()
    )


def attendance_intents(sitting: Sitting) -> dict[int, str]:
    """Person id → what each member answered to the convocation, as the sheet labels it (a
    proxy given online, then revoked by the clerk, says so), in one query."""
    labels: dict[str, str] = {
        Intent.PRESENT: _("annonce sa présence"),
        Intent.ABSENT: _("annonce son absence"),
        Intent.PROXY: _("pouvoir donné en ligne"),
    }
    active = Proxy.objects.filter(sitting=OuterRef("sitting"), giver=OuterRef("person"), revoked=False)
    rows = (
        AttendanceIntent.objects.filter(sitting=sitting)
        .annotate(active_proxy=Exists(active))
        .values_list("person_id", "intent", "active_proxy")
    )
    return {
        person_id: str(_("pouvoir en ligne révoqué"))
        if intent == Intent.PROXY and not active_proxy
        else str(labels.get(intent, intent))
        for person_id, intent, active_proxy in rows
    }


def person_of_user(user: Any, sitting: Sitting) -> int | None:
    """The elected member (person id) the user's account is in the sitting's organization."""
    from core.models import Membership

    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Membership.objects.filter(
            user=user, organization_id=sitting.assembly.organization_id, person__organization_id=F("organization_id")
        )
        .values_list("person_id", flat=True)
        .first()
    )


def is_linked_to_a_member(user: Any) -> bool:
    """Whether the user's account is an elected member in one of their organizations."""
    from core.models import Membership

    return Membership.objects.filter(user=user, person__organization_id=F("organization_id")).exists()


def is_own_sitting(user: Any, sitting_id: int) -> bool:
    """Whether the sitting belongs to one of the user's organizations (whatever their role)."""
    from core.tenancy import roles_by_organization

    return Sitting.objects.filter(
        pk=sitting_id, assembly__organization_id__in=list(roles_by_organization(user))
    ).exists()


@dataclass(frozen=True)
class MySitting:
    """A sitting the user is convened to as an elected member, with what they answered."""

    sitting: Sitting
    person_id: int
    intent_label: str
    reachable: bool  # its personal page still opens


def my_sittings(user: Any, now: datetime, *, limit: int = 50) -> list[MySitting]:
    """The convened sittings of the assemblies where the user's elected member (on each of
    their organizations) held a mandate on the sitting's day, latest first."""
    from core.models import Membership
    from deliberations.models import Mandate, SittingState
    from deliberations.services.member_access import link_expires_at

    persons = list(
        Membership.objects.filter(user=user, person__organization_id=F("organization_id")).values_list(
            "person_id", flat=True
        )
    )
    if not persons:
        return []
    mandates = list(
        Mandate.objects.filter(person_id__in=persons).values_list("assembly_id", "person_id", "start_date", "end_date")
    )
    sittings = (
        Sitting.objects.filter(assembly_id__in={m[0] for m in mandates})
        .exclude(state=SittingState.PLANNED)
        .select_related("assembly__organization")
        .order_by("-starts_at")[: limit * 2]
    )
    labels = {value: str(label) for value, label in Intent.choices}
    rows: list[tuple[Sitting, int]] = []
    for sitting in sittings:
        day = sitting.date
        person_id = next(
            (
                person
                for assembly, person, start, end in mandates
                if assembly == sitting.assembly_id and start <= day and (end is None or end >= day)
            ),
            None,
        )
        if person_id is not None:
            rows.append((sitting, person_id))
    rows = rows[:limit]
    intents = {
        (sitting_id, person_id): intent
        for sitting_id, person_id, intent in AttendanceIntent.objects.filter(
            sitting_id__in=[s.pk for s, _p in rows], person_id__in=persons
        ).values_list("sitting_id", "person_id", "intent")
    }
    return [
        MySitting(
            sitting=sitting,
            person_id=person_id,
            intent_label=labels.get(intents.get((sitting.pk, person_id), ""), ""),
            reachable=now < link_expires_at(sitting.starts_at),
        )
        for sitting, person_id in rows
    ]
