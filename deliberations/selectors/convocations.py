"""What the convocations' pages, API and documents read: the members to convene and how,
the sendings of a sitting with each recipient's proof."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from deliberations.models import (
    ConvocationRecipient,
    ConvocationSending,
    Mandate,
    RecipientState,
    SendingChannel,
    Sitting,
)
from deliberations.models.members import MemberAccess
from deliberations.rules import convocations as sending_rules
from parties.models import full_name


@dataclass(frozen=True, slots=True)
class Addressee:
    """A member in office and how the convocation reaches them (CGCT L2121-10)."""

    person_id: int
    name: str
    civility: str
    email: str
    prefers_paper: bool

    @property
    def channel(self) -> str:
        return sending_rules.channel_for(email=self.email, prefers_paper=self.prefers_paper)

    @property
    def paper_reason(self) -> str:
        if self.prefers_paper:
            return "convocation sur papier demandée"
        return "aucune adresse électronique connue"


def addressees(sitting: Sitting) -> list[Addressee]:
    """The members in office on the sitting's day, by name, with their address and whether
    they asked for paper (a member with two mandates in office is one addressee)."""
    rows = (
        Mandate.objects.in_office(sitting.date)
        .filter(assembly_id=sitting.assembly_id)
        .order_by("person__last_name", "person__first_name", "person_id")
        .values_list(
            "person_id", "person__first_name", "person__last_name", "person__civility", "person__email", "prefers_paper"
        )
    )
    seen: dict[int, Addressee] = {}
    for person_id, first, last, civility, email, paper in rows:
        known = seen.get(person_id)
        if known is None or (paper and not known.prefers_paper):
            seen[person_id] = Addressee(person_id, full_name(first, last), civility, email.strip(), paper)
    return list(seen.values())


def _first_opened() -> Subquery:
    """The first visit of the recipient's member page for the sitting (``first_opened_at``)."""
    return Subquery(
        MemberAccess.objects.filter(sitting_id=OuterRef("sending__sitting_id"), person_id=OuterRef("person_id"))
        .order_by("first_opened_at")
        .values("first_opened_at")[:1]
    )


def recipients_with_proof() -> QuerySet[ConvocationRecipient]:
    """Recipients with their member's name and the first opening of their member page."""
    return (
        ConvocationRecipient.objects.select_related("person")
        .annotate(first_opened_at=_first_opened())
        .order_by("person__last_name", "person__first_name", "pk")
    )


def sendings_of(sitting: Sitting | int) -> QuerySet[ConvocationSending]:
    """A sitting's sendings, latest first, with their recipients' proof and their counts."""
    sitting_id = sitting if isinstance(sitting, int) else sitting.pk
    return (
        ConvocationSending.objects.filter(sitting_id=sitting_id)
        .select_related("requested_by", "document", "paper_document", "parent")
        .prefetch_related(Prefetch("recipients", queryset=recipients_with_proof()))
        .annotate(
            total=Count("recipients"),
            email_count=Count("recipients", filter=Q(recipients__channel=SendingChannel.EMAIL)),
            paper_count=Count("recipients", filter=Q(recipients__channel=SendingChannel.PAPER)),
            accepted=Count("recipients", filter=Q(recipients__state=RecipientState.ACCEPTED)),
            refused=Count("recipients", filter=Q(recipients__state=RecipientState.REFUSED)),
            bounced=Count("recipients", filter=Q(recipients__state=RecipientState.BOUNCED)),
            pending=Count(
                "recipients", filter=Q(recipients__state__in=[RecipientState.QUEUED, RecipientState.SENDING])
            ),
        )
        .order_by("-requested_at", "-pk")
    )


def recipient_for(sitting: Sitting, recipient_id: int) -> ConvocationRecipient:
    """One recipient of one of the sitting's sendings, or 404."""
    from deliberations.selectors.assemblies import get_or_404

    return get_or_404(  # type: ignore[no-any-return]
        ConvocationRecipient.objects.select_related("person", "sending"), pk=recipient_id, sending__sitting=sitting
    )
