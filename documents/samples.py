"""Sample contexts per document kind, used to test-render an uploaded template.

Domain apps add theirs in a ``<app>/document_samples.py`` module, discovered on first use::

    from documents.samples import register

    @register("extract")
    def extract(organization: dict) -> dict:
        return {"organization": organization, "deliberation": {...}}

A kind without a registered sample gets the generic one (``other``), so any upload is
test-rendered before it is accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import import_module
from typing import Any

from django.apps import apps

SampleBuilder = Callable[[dict[str, Any]], dict[str, Any]]
_REGISTRY: dict[str, SampleBuilder] = {}
_discovered = False


def register(kind: str) -> Callable[[SampleBuilder], SampleBuilder]:
    def decorator(builder: SampleBuilder) -> SampleBuilder:
        _REGISTRY[kind] = builder
        return builder

    return decorator


def autodiscover() -> None:
    global _discovered
    if _discovered:
        return
    for config in apps.get_app_configs():
        try:
            import_module(f"{config.name}.document_samples")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.document_samples":
                raise
    _discovered = True


def sample_organization() -> dict[str, str]:
    return {
        "name": "Ville d'Exemple",
        "short_name": "Exemple",
        "city": "Exemple-sur-Mer",
        "departement_code": "034",
        "siren": "213401722",
        "logo_data_uri": "",
        "address": "1 place de la Mairie, 34000 Exemple-sur-Mer",
    }


def generic(organization: dict[str, Any]) -> dict[str, Any]:
    """Plain data of every type a template may meet."""
    return {
        "organization": organization,
        "title": "Document d'exemple : vérification du modèle",
        "subtitle": "Séance du conseil municipal",
        "reference": "2024-067",
        "date": date(2024, 3, 26),
        "datetime": datetime(2024, 3, 26, 17, 30, tzinfo=UTC),
        "amount": Decimal("60000.00"),
        "paragraphs": ["Premier paragraphe ; avec ponctuation !", "Second paragraphe : « citation »."],
        "sections": [{"heading": "Article 1 — Objet", "paragraphs": ["La présente convention a pour objet…"]}],
        "items": [{"number": 1, "title": "Premier point", "amount": Decimal("1500.50")}],
        "signatures": [
            {"function": "Le Maire", "name": "Prénom NOM", "place": "Exemple-sur-Mer", "date": date(2024, 3, 26)}
        ],
    }


register("other")(generic)


def sample_context(kind: str, organization: dict[str, Any] | None = None) -> dict[str, Any]:
    autodiscover()
    organization = organization or sample_organization()
    builder = _REGISTRY.get(kind, generic)
    context = builder(organization)
    context.setdefault("organization", organization)
    return context
