"""E-mail messages that build their MIME headers without creating a class per header.

Python's ``email`` package (the policy API that Django's mail uses) looks every header's
class up in ``email.headerregistry.HeaderRegistry``, whose ``__getitem__`` creates a new
class with ``type()`` at each call: about a quarter of the time spent building a reminder
e-mail. :class:`EmailMultiAlternatives` here builds its message with a copy of the backend's
policy whose registry keeps the class of each header name — the same classes, made once.
"""

from __future__ import annotations

import email.policy
import threading
from collections import OrderedDict
from email.headerregistry import BaseHeader, HeaderRegistry
from typing import Any

from django.core import mail


class CachingHeaderRegistry(HeaderRegistry):
    """A header registry that makes each header name's class once, and parses once the
    headers every message repeats (``MIME-Version: 1.0``, the sender, the parts' content
    types and encodings): about half of an e-mail's fifteen headers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._classes: dict[str, type[BaseHeader]] = {}
        self._parsed: OrderedDict[tuple[str, str], BaseHeader] = OrderedDict()
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._classes.get(key)
        if made is None:
            made = self._classes[key] = super().__getitem__(name)
        return made

    def __call__(self, name: str, value: Any) -> BaseHeader:
        # A parsed header is a str whose parse results are fixed at creation: the same name
        # and text always give an equal header, which messages can share.
        if type(value) is not str or len(value) > PARSED_VALUE_MAX:
            return super().__call__(name, value)
        key = (name, value)
        with self._lock:
            parsed = self._parsed.get(key)
            if parsed is not None:
                self._parsed.move_to_end(key)
                return parsed
        parsed = super().__call__(name, value)
        with self._lock:
            self._parsed[key] = parsed
            while len(self._parsed) > PARSED_HEADERS_KEPT:
                self._parsed.popitem(last=False)
        return parsed


PARSED_VALUE_MAX = 200
PARSED_HEADERS_KEPT = 256


_policies: dict[int, tuple[Any, Any]] = {}
_lock = threading.Lock()


def caching_policy(policy: Any) -> Any:
    """``policy`` with a caching header registry (one copy per policy object)."""
    if not isinstance(policy.header_factory, HeaderRegistry) or isinstance(
        policy.header_factory, CachingHeaderRegistry
    ):
        return policy
    with _lock:
        known = _policies.get(id(policy))
        if known is None or known[0] is not policy:
            known = _policies[id(policy)] = (policy, policy.clone(header_factory=CachingHeaderRegistry()))
    return known[1]


class EmailMultiAlternatives(mail.EmailMultiAlternatives):
    """Django's message, its MIME form built with :func:`caching_policy`."""

    def message(self, *, policy: Any = email.policy.default) -> Any:
        return super().message(policy=caching_policy(policy))
