"""The clause library of the user's organizations."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from conventions.models import ClauseTemplate
from conventions.selectors._common import not_found
from core import tenancy


def clause_templates_for(
    user: Any, *, q: str = "", organization_ids: list[int] | None = None
) -> QuerySet[ClauseTemplate]:
    """The library of the user's organizations (or of the given ones among them), searched in
    the code, title, category and text; active clauses first."""
    ids = tenancy.organization_ids(user)
    if organization_ids is not None:
        ids = [i for i in ids if i in organization_ids]
    queryset = ClauseTemplate.objects.filter(organization_id__in=ids).select_related("organization")
    for word in q.split():
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(key__icontains=word) | Q(category__icontains=word) | Q(body__icontains=word)
        )
    return queryset.order_by("-is_active", "category", "title", "pk")


def clause_template_for(user: Any, pk: int) -> ClauseTemplate:
    """One clause of the user's organizations' library, or 404."""
    try:
        return clause_templates_for(user).get(pk=pk)
    except ClauseTemplate.DoesNotExist as exc:
        raise not_found("clause") from exc
