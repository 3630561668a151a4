"""Remove everything an earlier run of the generator created, and nothing else.

Bench organizations carry ``base.MARK_WEBSITE``; bench users' names start with
``base.USER_PREFIX``. Every other row is found through its foreign-key path to one of
those organizations (or users), discovered from the models, so the wipe follows the
domain apps as they grow. Rows are deleted with one DELETE per table, inside one
transaction (foreign keys are checked at commit, so the order does not matter).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from django.apps import apps
from django.db import connection, models, transaction

from bench.generator import base

SKIP_APPS = {"contenttypes", "sessions", "admin", "auth", "axes", "django_tasks_db"}


def _path_to(model: type[models.Model], targets: set[type[models.Model]], depth: int = 6) -> str | None:
    """The shortest lookup path of forward foreign keys from ``model`` to one of ``targets``."""
    queue: deque[tuple[type[models.Model], str, int]] = deque([(model, "", 0)])
    seen = {model}
    while queue:
        current, path, d = queue.popleft()
        if d >= depth:
            continue
        fks = [f for f in current._meta.concrete_fields if isinstance(f, models.ForeignKey)]
        # Required links first: a nullable one may be empty on the rows to delete.
        fks.sort(key=lambda f: (f.null, f.name))
        for fk in fks:
            related = fk.related_model
            step = f"{path}__{fk.name}" if path else fk.name
            if related in targets:
                return step
            if related not in seen and isinstance(related, type):
                seen.add(related)
                queue.append((related, step, d + 1))
    return None


def wipe(log: Callable[[str], None] = print) -> dict[str, int]:
    from core.models import User
    from parties.models import Organization

    deleted: dict[str, int] = {}
    org_ids = list(Organization.objects.filter(website=base.MARK_WEBSITE).values_list("pk", flat=True))
    user_ids = list(User.objects.filter(username__startswith=base.USER_PREFIX).values_list("pk", flat=True))
    if not org_ids and not user_ids:
        return deleted
    org_q = Organization.objects.filter(website=base.MARK_WEBSITE).values("pk")
    user_q = User.objects.filter(username__startswith=base.USER_PREFIX).values("pk")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        plans = []
        for model in apps.get_models(include_auto_created=True):
            if model._meta.app_label in SKIP_APPS or model._meta.app_label == "bench":
                continue
            if model in (Organization, User) or model._meta.proxy or not model._meta.managed:
                continue
            if any(f.name == "history_user" for f in model._meta.concrete_fields):
                # History written by the benchmarks' users (votes recorded through the API, …),
                # including that of rows deleted since, which no path leads back to.
                plans.append((99, model, model._base_manager.filter(history_user__in=user_q)))
            path = _path_to(model, {Organization})
            if path:
                plans.append((path.count("__"), model, model._base_manager.filter(**{f"{path}__in": org_q})))
                continue
            user_path = _path_to(model, {User})
            if user_path:
                plans.append((user_path.count("__"), model, model._base_manager.filter(**{f"{user_path}__in": user_q})))
        # Deepest paths first: the tables a path joins through still hold their rows (an
        # intermediate's own shortest path is always shorter than the path through it).
        plans.sort(key=lambda item: -item[0])
        for _depth, model, qs in plans:
            n = qs._raw_delete(qs.db)  # type: ignore[attr-defined]
            if n:
                deleted[model._meta.label] = n
        deleted["parties.Organization"] = Organization.objects.filter(website=base.MARK_WEBSITE)._raw_delete(
            connection.alias
        )
        deleted["core.User"] = User.objects.filter(username__startswith=base.USER_PREFIX)._raw_delete(connection.alias)
    log(f"  wiped {sum(deleted.values())} rows of an earlier run")
    return deleted
