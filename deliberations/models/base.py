"""What the models of this app share."""

from __future__ import annotations

from django.db import models


class ProtectedStateMixin(models.Model):
    """Let ``refresh_from_db`` reload a protected FSM ``state`` (django-fsm refuses the
    direct assignment it would otherwise do)."""

    class Meta:
        abstract = True

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):  # type: ignore[no-untyped-def]
        if fields is None or "state" in fields:
            self.__dict__.pop("state", None)
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
