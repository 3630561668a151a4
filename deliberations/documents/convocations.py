"""The documents of a sending: the convocation or notice sent (``convocation``), the paper
convocations in one PDF to print (``convocation_letters``) and the état des envois
(``sending_report``), all kept with the sitting."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from core.formatting import french_date
from deliberations import selectors
from deliberations.documents.contexts import convocation_context
from deliberations.models import ConvocationSending, SendingKind, Sitting
from deliberations.rules import convocation_clear_days

KIND_LETTERS, KIND_REPORT = "convocation_letters", "sending_report"

NOTICE_TITLES: dict[str, str] = {
    SendingKind.ADDITIVE.value: "Additif à l'ordre du jour",
    SendingKind.POSTPONEMENT.value: "Report de la séance",
    SendingKind.CANCELLATION.value: "Annulation de la séance",
}

SALUTATIONS = {"M.": "Monsieur", "Mme": "Madame"}


def salutation(civility: str) -> str:
    return SALUTATIONS.get(civility, "Madame, Monsieur")


def _when(moment: Any) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{french_date(local)} à {local:%H:%M:%S}"


def notice_of(kind: str, message: str, new_starts_at: Any) -> dict[str, Any] | None:
    """What a notice adds to the convocation's context (``None`` for the convocation itself)."""
    if kind not in NOTICE_TITLES:
        return None
    new_date = ""
    if new_starts_at is not None:
        local = timezone.localtime(new_starts_at)
        new_date = f"{french_date(local, weekday=True)} à {local:%H h %M}"
    return {"kind": str(kind), "title": NOTICE_TITLES[kind], "message": message, "new_date": new_date}


def sending_context(sitting: Sitting, *, kind: str, message: str = "", new_starts_at: Any = None) -> dict[str, Any]:
    """The convocation's context (see ``convocation_context``), or a notice's."""
    loaded = Sitting.objects.select_related("assembly__organization", "president", "secretary", "reconvened_from").get(
        pk=sitting.pk
    )
    view = selectors.sitting_attendance(loaded, items=list(selectors.agenda_with_documents(loaded)))
    context = convocation_context(loaded, view)
    context["notice"] = notice_of(kind, message, new_starts_at)
    if context["notice"] is not None:
        context["signatures"][0]["date"] = timezone.localdate()
    return context


def letters_context(context: dict[str, Any], letters: list[tuple[str, str, str]]) -> dict[str, Any]:
    """The paper convocations: the sent document's context, one letter per (name, civility, reason)."""
    return {
        **context,
        "letters": [
            {"name": name, "salutation": salutation(civility), "reason": reason} for name, civility, reason in letters
        ],
    }


def report_context(sitting: Sitting) -> dict[str, Any]:
    """The état des envois of a sitting: every sending, oldest first, each recipient's proof."""
    from deliberations.documents.contexts import _assembly_context, _organization, sitting_context
    from deliberations.selectors.convocations import sendings_of

    loaded = Sitting.objects.select_related("assembly__organization", "president", "secretary", "reconvened_from").get(
        pk=sitting.pk
    )
    view = selectors.sitting_attendance(loaded, items=[])
    organization = loaded.assembly.organization
    sendings: list[ConvocationSending] = list(sendings_of(loaded).order_by("requested_at", "pk"))
    return {
        "organization": _organization(loaded),
        "assembly": _assembly_context(loaded),
        "sitting": sitting_context(loaded, view),
        "clear_days": loaded.assembly.clear_days_override
        or convocation_clear_days(
            population=organization.population, is_epci=organization.is_epci, urgency=loaded.urgency
        ),
        "made_at": _when(timezone.now()),
        "sendings": [
            {
                "label": str(s.get_kind_display()),
                "requested_at": _when(s.requested_at),
                "requested_by": (s.requested_by.get_full_name() or s.requested_by.username) if s.requested_by else "",
                "message": s.message,
                "document_title": s.document.title if s.document else "",
                "signed": bool(s.document and s.document.signature_count),
                "sha256": s.document_sha256,
                "paper_sha256": s.paper_document.sha256 if s.paper_document else "",
                "email_count": s.email_count,  # type: ignore[attr-defined]
                "paper_count": s.paper_count,  # type: ignore[attr-defined]
                "accepted": s.accepted,  # type: ignore[attr-defined]
                "refused": s.refused,  # type: ignore[attr-defined]
                "bounced": s.bounced,  # type: ignore[attr-defined]
                "pending": s.pending,  # type: ignore[attr-defined]
                "recipients": [
                    {
                        "name": r.person.full_name,
                        "channel": str(r.get_channel_display()),
                        "address": r.address,
                        "state": str(r.get_state_display()),
                        "attempts": r.attempts,
                        "sent_at": _when(r.sent_at),
                        "response": r.smtp_response or r.error,
                        "bounced": f"{_when(r.bounced_at)} {r.bounce_reason}".strip() if r.bounced_at else "",
                        "opened": _when(r.first_opened_at),  # type: ignore[attr-defined]
                    }
                    for r in s.recipients.all()
                ],
            }
            for s in sendings
        ],
    }
