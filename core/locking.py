"""Row locks for the services of every app: one way to reload a row FOR UPDATE."""

from __future__ import annotations

from typing import Any

from django.db import models


def lock[M: models.Model](
    target: M | type[M], pk: Any = None, *, related: tuple[str, ...] = (), own_row_only: bool = False
) -> M:
    """Reload a row with a lock (``SELECT … FOR UPDATE``) held until the transaction ends.

    ``lock(instance)`` reloads that instance; ``lock(Model, pk)`` the row of that key.
    ``related`` rows are read in the same query (``select_related``); with ``own_row_only``
    only the model's own row is locked, not the related ones (PostgreSQL's ``FOR UPDATE OF``):
    locking a sitting must not queue every write of its organization behind it.
    """
    if isinstance(target, models.Model):
        model: type[M] = type(target)
        key = target.pk
    else:
        model, key = target, pk
    queryset = model._default_manager.select_for_update(of=("self",) if own_row_only else ())
    if related:
        queryset = queryset.select_related(*related)
    return queryset.get(pk=key)
