"""The engagements of a convention's parties, and the files attached to it (annexes and
evaluations' attachments)."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from conventions import deadlines
from conventions.models import Annex, Convention, ConventionParty, Evaluation, Obligation, Recurrence
from conventions.services._common import lock, require_edit, save
from core import tenancy
from core.errors import DomainError
from core.formatting import french_date
from core.roles import Capability


@transaction.atomic
def add_obligation(
    *,
    user: Any,
    convention: Convention,
    party: ConventionParty,
    description: str,
    recurrence: str = Recurrence.ONCE,
    first_due_date: date | None = None,
    amount: Decimal | None = None,
) -> Obligation:
    """An engagement of one party, one-off or recurring, with a due date where there is one."""
    locked = lock(convention)
    require_edit(user, locked)
    if party.convention_id != locked.pk:
        raise DomainError("Cette partie n'est pas partie à la convention.", rule="Engagements", field="party")
    if not description.strip():
        raise DomainError("Décrivez l'engagement.", rule="Engagements", field="description")
    if recurrence not in Recurrence.values:
        raise DomainError(f"Périodicité inconnue : « {recurrence} ».", rule="Engagements", field="recurrence")
    if recurrence != Recurrence.ONCE and first_due_date is None:
        raise DomainError(
            "Un engagement périodique indique sa première échéance.", rule="Engagements", field="first_due_date"
        )
    if amount is not None and amount < 0:
        raise DomainError("Le montant ne peut pas être négatif.", rule="Engagements", field="amount")
    obligation = Obligation(
        convention=locked,
        party=party,
        description=description.strip(),
        recurrence=recurrence,
        first_due_date=first_due_date,
        amount=amount,
    )
    save(obligation, user=user, reason="Ajout d'un engagement")
    deadlines.sync_convention(locked)
    return obligation


@transaction.atomic
def fulfil_obligation(*, user: Any, obligation: Obligation, fulfilled_on: date) -> Obligation:
    """Record that an engagement was met (for a recurring one: up to that date)."""
    convention = lock(obligation.convention)
    tenancy.require(user, convention.organization_id, Capability.FOLLOW_CONVENTIONS)
    obligation = lock(obligation)
    obligation.fulfilled_on = fulfilled_on
    save(obligation, user=user, reason=f"Engagement réalisé le {french_date(fulfilled_on)}")
    deadlines.sync_convention(convention)
    return obligation


# --- Annexes -----------------------------------------------------------------------------

ANNEX_MAX_BYTES = 10 * 1024 * 1024
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def sniff_content_type(head: bytes, name: str) -> str | None:
    """The type of an upload from its first bytes (never from its name or the browser's claim)."""
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head.startswith(b"PK\x03\x04"):
        lowered = name.lower()
        if lowered.endswith(".docx"):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if lowered.endswith(".odt"):
            return "application/vnd.oasis.opendocument.text"
        if lowered.endswith(".xlsx"):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def _check_upload(name: str, content: bytes) -> str:
    if len(content) == 0:
        raise DomainError("Le fichier est vide.", rule="Annexes", field="file")
    if len(content) > ANNEX_MAX_BYTES:
        raise DomainError(
            f"Le fichier dépasse {ANNEX_MAX_BYTES // (1024 * 1024)} Mo.", rule="Annexes : taille", field="file"
        )
    content_type = sniff_content_type(content[:16], name)
    if content_type is None:
        raise DomainError(
            "Type de fichier refusé : seuls PDF, DOCX, ODT, XLSX, PNG et JPEG sont acceptés (contrôle du contenu).",
            rule="Annexes : type de fichier",
            field="file",
        )
    return content_type


@transaction.atomic
def add_annex(
    *, user: Any, convention: Convention, title: str, name: str, content: bytes, evaluation: Evaluation | None = None
) -> Annex:
    """Attach a file (annex, or an evaluation's attachment), checked by its content and size."""
    locked = lock(convention)
    capability = Capability.FOLLOW_CONVENTIONS if evaluation is not None else Capability.EDIT_CONVENTIONS
    tenancy.require(user, locked.organization_id, capability)
    content_type = _check_upload(name, content)
    safe_name = "".join(ch for ch in name.rsplit("/", 1)[-1] if ch.isalnum() or ch in "._-")[-80:] or "annexe"
    annex = Annex(
        convention=locked,
        evaluation=evaluation,
        title=(title or name).strip()[:200],
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
    )
    annex.file.save(safe_name, ContentFile(content), save=False)
    save(annex, user=user, reason="Ajout d'une annexe")
    return annex
