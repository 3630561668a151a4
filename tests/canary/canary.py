"""The canary words of a collectivité and what the builders give back.

Every text of a collectivité of the canary tests carries its tag followed by a counter
(``CANARYB1``, ``CANARYB2``…): an output of the other collectivité that shows one of these
words (or the collectivité's SIREN) shows a leak.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.roles import Role
from parties.models import Organization, Person

PARIS = ZoneInfo("Europe/Paris")
PASSPHRASE = "phrase-secrète-canari"
ROLES = (Role.ADMINISTRATOR, Role.LEGAL, Role.CLERK, Role.MANAGER, Role.VIEWER, Role.MEMBER)


# Identifiers of a collectivité that cannot carry a canary word (its SIREN), by tag.
IDENTIFIERS: dict[str, tuple[str, ...]] = {}


def found(tag: str, text: str) -> list[str]:
    """Every word of ``text`` that carries the canary ``tag`` (any case: slugs, e-mail
    addresses and file names lower-case what they copy), and the collectivité's SIREN."""
    words = set(re.findall(rf"\w*{tag}\w*", text, flags=re.IGNORECASE))
    for identifier in IDENTIFIERS.get(tag, ()):
        words.update(re.findall(rf"(?<!\w){re.escape(identifier)}(?!\w)", text))
    return sorted(words)


class Canary:
    """Unique words of one collectivité: ``CANARYB1``, ``CANARYB2``…"""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.count = 0

    def __call__(self, text: str = "") -> str:
        self.count += 1
        word = f"{self.tag}{self.count}"
        return f"{text} {word}".strip() if text else word

    def email(self) -> str:
        self.count += 1
        return f"{self.tag.lower()}{self.count}@{self.tag.lower()}.example.org"


@dataclass
class Tenant:
    """One collectivité and what was built for it."""

    tag: str
    organization: Organization
    users: dict[str, Any]
    people: list[Person]
    objects: dict[str, Any] = field(default_factory=dict)
    outbox: list[Any] = field(default_factory=list)

    @property
    def admin(self) -> Any:
        return self.users[Role.ADMINISTRATOR]

    def __getitem__(self, name: str) -> Any:
        return self.objects[name]


def at(day: date, hour: int = 18) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def pdf_bytes(title: str) -> bytes:
    from html import escape

    from documents.rendering import html_to_pdf

    return html_to_pdf(f"<html lang='fr'><body><h1>{escape(title)}</h1><p>{escape(title)}</p></body></html>")


def docx_bytes(title: str) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    document.add_paragraph(title)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
