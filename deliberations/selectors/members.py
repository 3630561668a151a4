"""What a member reads through their personal link: scoped to the link's sitting only.

Every read here starts from a :class:`MemberAccess`, never from an id in the address alone:
an annex or a document of another sitting, or of another organization, is not found.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet

from deliberations.models import Annex, Deliberation, MemberAccess, Sitting
from deliberations.selectors.sittings import agenda

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
