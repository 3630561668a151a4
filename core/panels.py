"""The panels of every object's page (its documents, its history) read with the object.

``documents_panel(request, obj)`` and ``history_panel(obj)`` (``core.jinja``) read their
rows when the template prints them: a query each, after the page's own. A page that reads
its object in one round trip (``core.sql.batch``) sends theirs with it, and the header's
unread count too, then keeps them on the object, where the panels find them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core import sql

HISTORY, DOCUMENTS = "_conventio_history_panel", "_conventio_documents_panel"


def reads(request: Any, model: Any, pk: Any) -> sql.Reads[Callable[[Any], None]]:
    """The panels of the object ``pk`` of ``model`` (as the templates print them, with their
    default lengths) and the unread count, as queries: built, a function that keeps them on
    the object once read."""
    from core import history
    from documents import selectors
    from reminders.selectors import unread_reads

    user = getattr(request, "user", None)
    parts = sql.gather(
        [selectors.panel_reads(user, model, pk), history.panel_reads(model, pk), unread_reads(user, request)]
    )

    def build(results: list[list[tuple[Any, ...]]]) -> Callable[[Any], None]:
        documents, changes, _unread = parts.build(results)

        def keep(obj: Any) -> None:
            obj.__dict__[DOCUMENTS] = documents
            if changes is not None:
                obj.__dict__[HISTORY] = changes

        return keep

    return sql.Reads(parts.statements, build)


def together(*reads: sql.Reads[Callable[[Any], None]]) -> sql.Reads[Callable[[Any], None]]:
    """Several reads kept on the same object, as one."""
    parts = sql.gather(reads)

    def build(results: list[list[tuple[Any, ...]]]) -> Callable[[Any], None]:
        keeps = parts.build(results)

        def keep(obj: Any) -> None:
            for each in keeps:
                each(obj)

        return keep

    return sql.Reads(parts.statements, build)
