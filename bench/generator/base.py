"""What every stage of the generator shares: the run context, batching, French names."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import models

# Everything the generator creates is marked so that a re-run removes exactly its own data.
MARK_WEBSITE = "https://bench.conventio.invalid/"
USER_PREFIX = "bench-"
PASSWORD = "bench-pass-2026"


def _reference_day() -> date:
    """The last day of the generated history: ``BENCH_REFERENCE_DAY`` (YYYY-MM-DD) for a
    dataset that does not depend on the clock, else today in Paris. The pages read the
    machine's date: a history that stopped months ago would leave every deadline since
    then unhandled (a manager would see thousands overdue, which no user in office has)."""
    text = os.environ.get("BENCH_REFERENCE_DAY", "")
    if text:
        return date.fromisoformat(text)
    return datetime.now(ZoneInfo("Europe/Paris")).date()


# Ten years of history up to the reference day.
REFERENCE_DAY = _reference_day()
# Municipal (and so intercommunal) terms: installed after the 2014, 2020 and 2026 elections.
TERMS = [(date(2014, 4, 4), date(2020, 5, 27)), (date(2020, 5, 28), date(2026, 3, 27)), (date(2026, 3, 28), None)]
DEPARTEMENT = "034"

BATCH = 2000


def model(label: str) -> type[models.Model] | None:
    """The model ``app.Model`` if that app defines it yet (the apps land one by one)."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def field_names(model_class: type[models.Model]) -> set[str]:
    return {f.name for f in model_class._meta.get_fields()} | {
        getattr(f, "attname", f.name) for f in model_class._meta.concrete_fields
    }


def batched(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk(model_class: type[models.Model], objects: Iterable[models.Model], size: int = BATCH) -> list[Any]:
    """bulk_create in batches; returns the created objects (with their ids on PostgreSQL and SQLite)."""
    created: list[Any] = []
    for batch in batched(objects, size):
        created.extend(model_class.objects.bulk_create(batch, batch_size=size))  # type: ignore[attr-defined]
    return created


def bulk_quiet(model_class: type[models.Model], objects: Iterable[models.Model], size: int = BATCH) -> int:
    """bulk_create in batches, keeping nothing in memory; returns the count."""
    count = 0
    for batch in batched(objects, size):
        model_class.objects.bulk_create(batch, batch_size=size)  # type: ignore[attr-defined]
        count += len(batch)
    return count


@contextmanager
def keep_given_dates(model_class: Any, field_name: str) -> Iterator[None]:
    """Let bulk_create store the date we give instead of ``auto_now_add``'s now."""
    field_ = model_class._meta.get_field(field_name)
    saved = field_.auto_now_add
    field_.auto_now_add = False
    try:
        yield
    finally:
        field_.auto_now_add = saved


@dataclass
class Context:
    scale: float
    rng: random.Random
    log: Callable[[str], None]
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    # Filled by the stages for the next ones.
    tenants: list[Any] = field(default_factory=list)  # TenantInfo
    data: dict[str, Any] = field(default_factory=dict)

    def scaled(self, n: float, minimum: int = 1) -> int:
        return max(minimum, round(n * self.scale))

    def count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def stage(self, name: str) -> _Stage:
        return _Stage(self, name)


class _Stage:
    def __init__(self, ctx: Context, name: str) -> None:
        self.ctx, self.name = ctx, name

    def __enter__(self) -> None:
        self.start = time.perf_counter()
        self.ctx.log(f"… {self.name}")

    def __exit__(self, *exc: object) -> None:
        elapsed = time.perf_counter() - self.start
        self.ctx.timings[self.name] = round(elapsed, 2)
        self.ctx.log(f"  {self.name}: {elapsed:.1f} s")


def _split(text: str, sep: str, space: str = "") -> list[str]:
    """Word lists are written as text; ``space`` stands for a space inside an item."""
    return [item.replace(space, " ") if space else item for item in text.split(sep)]


FIRST_NAMES_F = _split(
    "Marie Nathalie Isabelle Sylvie Catherine Françoise Valérie Christine Sandrine Sophie Céline Véronique "
    "Stéphanie Anne Camille Julie Laure Hélène Agnès Claire Élodie Émilie Chantal Martine Nadia Fatima Karima "
    "Audrey Aurélie Delphine Florence Patricia Brigitte Josiane Léa Manon Inès Chloé Sarah Mélanie Virginie",
    " ",
)
FIRST_NAMES_M = _split(
    "Jean Michel Philippe Alain Patrick Nicolas Christophe Pierre Laurent Éric Frédéric Stéphane David Olivier "
    "Thierry Pascal Sébastien Julien Antoine François Bernard Gérard Jacques Daniel Didier Karim Mehdi Yannick "
    "Mathieu Guillaume Romain Maxime Thomas Hugo Lucas Louis Vincent Bruno Dominique Serge René",
    " ",
)
LAST_NAMES = _split(
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre Leroy Roux "
    "David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller Lefèvre Faure "
    "André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier Garcia Perrin Robin Clément "
    "Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer "
    "Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard "
    "Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix "
    "Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Leclercq Guillaume Lecomte Lopez Jean "
    "Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis Moulin Louis Deschamps Huet Vasseur Perez Boucher "
    "Fleury Royer Klein Jacquet Adam Paris Poirier Marty Aubry Guyot Carré Charles Renault Charpentier Ménard "
    "Maillard Baron Bertin Bailly Hervé Schneider Fernandez Le_Gall Collet Léger Bouvier Julien Prévost Millet "
    "Perrot Daniel Le_Roux Cousin Germain Breton Besson Langlois Rémy Le_Goff Pelletier Lévêque Perrier Leblanc "
    "Barré Lebrun Marchal Weber Mallet Hamon Boulanger Jacob Monnier Michaud Rodriguez Guichard Gillet Étienne "
    "Grondin Poulain Tessier Chevallier Collin Chauvin Da_Silva Bouchet Gay Lemaître Bénard Maréchal Humbert "
    "Reynaud Antoine Hoarau Perret Barthélemy Cordier Pichon Lejeune Gilbert Lamy Delaunay Pasquier Carlier Laporte",
    " ",
    "_",
)

COMMUNE_ROOTS = _split(
    "Castel Mont Font Roque Ville Saint-Jean Saint-Georges Saint-Clément Sainte-Croix Lattes Pérols Grabels "
    "Jacou Juvignac Lavérune Murviel Pignan Prades Restinclières Saussan Sussargues Vendargues Villeneuve "
    "Baillargues Beaulieu Castries Clapiers Cournonsec Fabrègues Montaud Saint-Brès Saint-Drézéry Cournonterral "
    "Le_Crès Montferrier Teyran Assas Guzargues Combaillaux Vailhauquès Murles Argelliers Saint-Gély "
    "Saint-Aunès Mauguio Lansargues Candillargues Valergues Mudaison Palavas Carnon Gigean Poussan Balaruc Mèze",
    " ",
    "_",
)
COMMUNE_SUFFIXES = ["", "", "", "-le-Lez", "-sur-Mer", "-lès-Maguelone", "-de-Rivière", "-le-Vieux", "-la-Garrigue"]

THEMES = [
    ("Finances et budget", "7.1"),
    ("Subventions aux associations", "7.5"),
    ("Urbanisme et aménagement", "2.1"),
    ("Marchés publics", "1.1"),
    ("Délégations de service public", "1.2"),
    ("Conventions de partenariat", "1.4"),
    ("Personnel et ressources humaines", "4.1"),
    ("Domaine et patrimoine", "3.1"),
    ("Culture et patrimoine", "8.9"),
    ("Protection de la population et tranquillité publique", "6.1"),
    ("Environnement et transition écologique", "8.8"),
    ("Voirie et mobilités", "8.7"),
    ("Éducation et jeunesse", "8.1"),
    ("Sport et vie associative", "8.9"),
    ("Solidarités et action sociale", "8.2"),
]

TITLE_PATTERNS = [
    "Attribution d'une subvention à l'association {partner}",
    "Approbation de la convention de partenariat avec {partner}",
    "Renouvellement de la convention avec {partner}",
    "Avenant n° {n} à la convention avec {partner}",
    "Budget primitif {year} — budget principal",
    "Décision modificative n° {n} — exercice {year}",
    "Compte administratif {year} — approbation",
    "Tableau des effectifs — modification",
    "Cession d'une parcelle cadastrée {section} {parcel}",
    "Acquisition amiable d'un terrain rue {street}",
    "Dénomination de la place {street}",
    "Tarifs des services publics pour l'année {year}",
    "Désignation des représentants au conseil d'administration de {partner}",
    "Rapport annuel sur le prix et la qualité du service public de l'eau {year}",
    "Marché de travaux de voirie — autorisation de signature",
    "Garantie d'emprunt accordée à {partner}",
    "Modification du plan local d'urbanisme — engagement de la procédure",
    "Communication du rapport d'activité {year} de {partner}",
]

STREETS = _split(
    "de la République|Jean-Jaurès|Victor-Hugo|du Général-de-Gaulle|de la Mairie|des Écoles|Pasteur|de l'Église|"
    "Gambetta|Émile-Zola|Jules-Ferry|de la Gare|du Stade|des Lilas|Voltaire|Lucie-Aubrac|Simone-Veil|Olympe-de-Gouges",
    "|",
)

PARTNER_KINDS = [
    ("association", "Association {a} {b}"),
    ("association", "{b} — association loi 1901"),
    ("company", "Société {b} {a}"),
    ("state", "Préfecture de l'Hérault"),
    ("other", "Centre communal d'action sociale de {city}"),
]
PARTNER_A = _split("sportive culturelle solidaire des_familles du_quartier", " ", "_")
PARTNER_B = _split(
    "Les Amis du Lez|Entraide Garrigue|Maison des Jeunes|Théâtre du Lierre|Club Nautique|Les Restos du Cœur|"
    "FLAG !|HeHop|Planète Sciences|Secours Populaire|Festival des Cultures|Office de Tourisme|Ludothèque Arc-en-ciel|"
    "Cap Emploi|Mission Locale|Habitat Solidaire|Vélo Cité|Jardins Partagés|Orchestre Régional|La Cimade",
    "|",
)
