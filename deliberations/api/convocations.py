"""Convocations: sending the convocation or a notice to the members of a sitting, the proof
of each copy, a re-send to one member, a bounce, the état des envois."""

from datetime import date, datetime
from typing import Any, Literal

from django.urls import reverse
from ninja import Field, Schema, Status

from core.api_inputs import StrictInput
from deliberations import selectors
from deliberations.api._common import Router
from deliberations.models import ConvocationRecipient, ConvocationSending
from deliberations.selectors.convocations import recipient_for, recipients_with_proof, sendings_of
from deliberations.services import convocations as sending_services

router = Router()


class SendingIn(StrictInput):
    django_model = ConvocationSending
    kind: Literal["convocation", "additive", "postponement", "cancellation"] = "convocation"
    urgency: bool = False
    urgency_reason: str = ""
    message: str = Field("", max_length=5000)
    new_starts_at: datetime | None = None


class BounceIn(StrictInput):
    django_model = ConvocationRecipient
    bounce_reason: str


class RecipientOut(Schema):
    id: int
    person_id: int
    name: str
    channel: str
    address: str
    state: str
    attempts: int
    sent_at: datetime | None
    smtp_response: str
    error: str
    bounced_at: datetime | None
    bounce_reason: str
    first_opened_at: datetime | None

    @staticmethod
    def resolve_name(obj: ConvocationRecipient) -> str:
        return obj.person.full_name

    @staticmethod
    def resolve_first_opened_at(obj: ConvocationRecipient) -> datetime | None:
        return getattr(obj, "first_opened_at", None)


class SendingOut(Schema):
    id: int
    sitting_id: int
    kind: str
    parent_id: int | None
    requested_at: datetime
    convocation_date: date | None
    urgency: bool
    urgency_reason: str
    message: str
    new_starts_at: datetime | None
    document_sha256: str
    document_url: str | None
    paper_document_url: str | None
    completed_at: datetime | None
    total: int
    accepted: int
    refused: int
    bounced: int
    pending: int
    paper_count: int
    recipients: list[RecipientOut]

    @staticmethod
    def resolve_document_url(obj: ConvocationSending) -> str | None:
        return reverse("api:download_document", args=[obj.document_id]) if obj.document_id else None

    @staticmethod
    def resolve_paper_document_url(obj: ConvocationSending) -> str | None:
        return reverse("api:download_document", args=[obj.paper_document_id]) if obj.paper_document_id else None

    @staticmethod
    def resolve_recipients(obj: ConvocationSending) -> list[ConvocationRecipient]:
        return list(obj.recipients.all())


class ReportOut(Schema):
    id: int
    title: str
    sha256: str
    download_url: str

    @staticmethod
    def resolve_download_url(obj: Any) -> str:
        return reverse("api:download_document", args=[obj.pk])


def _one(sitting: Any, pk: int) -> ConvocationSending:
    return sendings_of(sitting).get(pk=pk)


@router.get(
    "/sittings/{sitting_id}/convocation-sendings",
    response=list[SendingOut],
    summary="Envois de la convocation et des avis, avec la preuve par destinataire",
)
def list_sendings(request: Any, sitting_id: int) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id, people=False)
    return list(sendings_of(sitting))


@router.post(
    "/sittings/{sitting_id}/convocation-sendings",
    response={201: SendingOut},
    summary="Envoyer la convocation (jours francs contrôlés à la date d'envoi) ou un avis",
    description="kind=convocation : la date d'envoi (aujourd'hui, heure de Paris) devient la date de convocation, "
    "refusée si elle est trop tardive sauf urgence motivée (CGCT L2121-11, L2121-12) ; une seule par séance. "
    "additive, postponement, cancellation : un avis à chaque membre en exercice, message obligatoire. "
    "Les courriels partent en arrière-plan après la validation : suivez les destinataires dans la réponse du GET.",
)
def send(request: Any, sitting_id: int, payload: SendingIn) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id, people=False)
    if payload.kind == "convocation":
        done = sending_services.send_convocation(
            user=request.user, sitting=sitting, urgency=payload.urgency, urgency_reason=payload.urgency_reason
        )
    else:
        done = sending_services.send_notice(
            user=request.user,
            sitting=sitting,
            kind=payload.kind,
            message=payload.message,
            new_starts_at=payload.new_starts_at,
        )
    return Status(201, _one(sitting, done.pk))


@router.post(
    "/sittings/{sitting_id}/convocation-recipients/{recipient_id}/resend",
    response={201: SendingOut},
    summary="Renvoyer à un membre le document d'un envoi",
)
def resend(request: Any, sitting_id: int, recipient_id: int) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id, people=False)
    done = sending_services.resend(user=request.user, recipient=recipient_for(sitting, recipient_id))
    return Status(201, _one(sitting, done.pk))


@router.post(
    "/sittings/{sitting_id}/convocation-recipients/{recipient_id}/bounce",
    response=RecipientOut,
    summary="Enregistrer le rebond d'un courriel accepté (avis de non-remise reçu)",
    description="Conventio ne reçoit pas les avis de non-remise (DSN) : la collectivité enregistre ici le message "
    "reçu dans sa boîte.",
)
def bounce(request: Any, sitting_id: int, recipient_id: int, payload: BounceIn) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id, people=False)
    recipient = recipient_for(sitting, recipient_id)
    sending_services.mark_bounced(user=request.user, recipient=recipient, reason=payload.bounce_reason)
    return recipients_with_proof().get(pk=recipient.pk)


@router.post(
    "/sittings/{sitting_id}/convocation-sendings/report",
    response={201: ReportOut},
    summary="Produire l'état des envois (PDF), gardé avec la séance",
)
def report(request: Any, sitting_id: int) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id, people=False)
    return Status(201, sending_services.make_report(user=request.user, sitting=sitting))
