"""The open-data file of a collectivité's published deliberations: schema "scdl/deliberations"
2.1.5 of the national catalogue (Socle commun des données locales), vendored with its
licence under ``opendata/schemas/``.

One row per published act (CGCT L2131-1: an act is public once published), read from the
ORM into frozen dataclasses, then written as CSV: UTF-8, comma, the schema's 17 field names
in its order, dates in ISO 8601 (YYYY-MM-DD). The validator's extra rules hold by
construction and are checked again on each row (``row_problems``): VOTE_REEL = VOTE_POUR +
VOTE_CONTRE + VOTE_ABSTENTION, PREF_DATE ≥ DELIB_DATE, BUDGET_ANNEE and BUDGET_NOM both
filled or both empty, DELIB_MATIERE_NOM from the @CTES nomenclature.

What cannot be written is handled two ways. The collectivité's SIRET is in every row
(COLL_SIRET, required): without it no valid file exists, so the file is refused
(:class:`MissingSiret`, naming what to fill) rather than published invalid. An act that
alone breaks a rule (a matière outside the nomenclature recorded before it was checked) is
left out of the file, and the reason is listed for the collectivité's staff
(``DeliberationsFile.left_out``): one act must not hold back the publication of the others.
"""

from __future__ import annotations

import csv
import functools
import io
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import DomainError
from deliberations.documents import public_extract_urls
from deliberations.models import DeliberationKind
from deliberations.rules import matieres
from deliberations.selectors import assembly_ids_of, published_deliberations
from parties.models import Organization

SCHEMA = "scdl/deliberations"
SCHEMA_VERSION = "2.1.5"
FIELDS = (
    "COLL_NOM",
    "COLL_SIRET",
    "DELIB_ID",
    "DELIB_DATE",
    "DELIB_MATIERE_CODE",
    "DELIB_MATIERE_NOM",
    "DELIB_OBJET",
    "BUDGET_ANNEE",
    "BUDGET_NOM",
    "PREF_ID",
    "PREF_DATE",
    "VOTE_EFFECTIF",
    "VOTE_REEL",
    "VOTE_POUR",
    "VOTE_CONTRE",
    "VOTE_ABSTENTION",
    "DELIB_URL",
)
RULE_SCDL = "Schéma SCDL « Délibérations » 2.1.5"


class MissingSiret(DomainError):
    """The collectivité has no SIRET: no row of its file can be valid (COLL_SIRET)."""

    status_code = 409


@dataclass(frozen=True)
class DeliberationRow:
    """One act as the SCDL file gives it (field names in the schema's order)."""

    coll_nom: str
    coll_siret: str
    delib_id: str
    delib_date: date
    delib_matiere_code: str
    delib_matiere_nom: str
    delib_objet: str
    budget_annee: str
    budget_nom: str
    pref_id: str
    pref_date: date | None
    vote_effectif: int | None
    vote_reel: int | None
    vote_pour: int | None
    vote_contre: int | None
    vote_abstention: int | None
    delib_url: str

    def cells(self) -> list[str]:
        """The row's cells as text, in the order of ``FIELDS`` (empty for a missing value)."""

        def text(value: object) -> str:
            if value is None:
                return ""
            if isinstance(value, date):
                return value.isoformat()
            return str(value)

        return [
            text(getattr(self, name.lower()))  # the attributes are the field names in lower case
            for name in FIELDS
        ]


@dataclass(frozen=True)
class LeftOut:
    """An act left out of the file, and why (shown to the collectivité's staff)."""

    deliberation_id: int
    number: str
    title: str
    reason: str


@dataclass(frozen=True)
class DeliberationsFile:
    organization_name: str
    year: int | None
    rows: list[DeliberationRow] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)


def row_problems(row: DeliberationRow) -> list[str]:
    """The rules of the SCDL validator a row breaks (schema "scdl/deliberations" 2.1.5,
    ``custom_checks``: sum-columns-value, compare-columns-value, cohesive-columns-value,
    nomenclature-actes-value); an empty list when it keeps them all."""
    problems = []
    votes = (row.vote_effectif, row.vote_reel, row.vote_pour, row.vote_contre, row.vote_abstention)
    if any(v is not None for v in votes) and any(v is None for v in votes):
        problems.append(_("les colonnes du vote sont toutes remplies ou toutes vides"))
    counts = [v for v in votes if v is not None]
    if len(counts) == len(votes):
        effectif, reel, pour, contre, abstention = counts
        if reel != pour + contre + abstention:
            problems.append(_("VOTE_REEL doit égaler VOTE_POUR + VOTE_CONTRE + VOTE_ABSTENTION"))
        if effectif < reel:
            problems.append(_("VOTE_EFFECTIF ne peut pas être inférieur à VOTE_REEL"))
    if row.pref_date is not None and row.pref_date < row.delib_date:
        problems.append(
            _("la date de réception en préfecture ({pref}) précède la date de la délibération ({delib})").format(
                pref=row.pref_date.isoformat(), delib=row.delib_date.isoformat()
            )
        )
    if bool(row.budget_annee) != bool(row.budget_nom):
        problems.append(_("BUDGET_ANNEE et BUDGET_NOM sont tous deux remplis ou tous deux vides"))
    return problems


def _matiere(code: str) -> tuple[str, str]:
    """The act's matière cut to two levels, and its name in the nomenclature."""
    if not code:
        raise DomainError(_("aucune matière (code de la nomenclature @CTES) n'est renseignée"), rule=RULE_SCDL)
    try:
        return matieres.two_levels(code), matieres.matiere_name(code)
    except DomainError as exc:
        raise DomainError(exc.message, rule=exc.rule) from exc


def _suspect() -> Q:
    """Acts that may break a rule of the file: no matière, a matière whose first two levels
    are not in the nomenclature, a reception at the préfecture dated before the sitting."""
    known = functools.reduce(
        operator.or_,
        (Q(subject_code=code) | Q(subject_code__startswith=f"{code}.") for code in matieres.LEVEL_2),
    )
    return ~known | Q(transmission__received_on__lt=TruncDate("sitting__starts_at"))


def build_rows(
    organization_id: int,
    *,
    year: int | None = None,
    absolute: Callable[[str], str] | None = None,
    suspects_only: bool = False,
) -> DeliberationsFile:
    """The SCDL rows of a collectivité's published acts (of the year of their sitting when
    ``year`` is given), oldest first. DELIB_URL is the public address of the act's PDF
    extract when it has one (``absolute`` makes a path a full URL); empty otherwise.
    ``suspects_only`` reads only the acts that may be left out (what the staff are shown).

    Raises :class:`MissingSiret` when the collectivité has no SIRET."""
    organization = Organization.objects.only("id", "name", "siret", "departement_code").get(
        pk=organization_id, tenant__isnull=True
    )
    if not organization.siret:
        raise MissingSiret(
            _(
                "Le fichier des délibérations (SCDL) ne peut pas être produit : renseignez le SIRET de "
                "l'établissement principal de {name} dans sa fiche organisation (14 chiffres, colonne COLL_SIRET "
                "obligatoire)."
            ).format(name=organization.name),
            rule=RULE_SCDL,
            field="siret",
        )
    acts = (
        published_deliberations(organization, assembly_ids_of([organization.pk]))
        .select_related("vote", "transmission")
        .filter(sitting__isnull=False)
        .order_by("sitting__starts_at", "position", "year", "sequence")
    )
    if year:
        acts = acts.filter(sitting__starts_at__year=year)
    if suspects_only:
        acts = acts.filter(_suspect())
    acts_list = list(acts)
    # The staff's list of left-out acts needs no addresses: one query fewer on the public page.
    with_pdf = set() if suspects_only else public_extract_urls(acts_list)
    rows: list[DeliberationRow] = []
    left_out: list[LeftOut] = []
    pref_id = f"PREF{organization.departement_code}" if organization.departement_code else ""
    for act in acts_list:
        try:
            code, name = _matiere(act.subject_code)
        except DomainError as exc:
            left_out.append(LeftOut(act.pk, act.number, act.title, exc.message))
            continue
        vote = getattr(act, "vote", None) if act.kind == DeliberationKind.VOTE else None
        transmission = getattr(act, "transmission", None)
        received_on = transmission.received_on if transmission is not None else None
        row = DeliberationRow(
            coll_nom=organization.name,
            coll_siret=organization.siret,
            delib_id=act.number,
            delib_date=act.sitting.date,  # type: ignore[union-attr]
            delib_matiere_code=code,
            delib_matiere_nom=name,
            delib_objet=act.title,
            budget_annee="",
            budget_nom="",
            pref_id=pref_id if received_on is not None else "",
            pref_date=received_on,
            # VOTE_EFFECTIF: the members who could take part in this vote, those present and
            # those represented by a proxy (CGCT L2121-20); VOTE_REEL: the votes for, against
            # and abstentions (members not taking part are not counted, as the schema's sum asks).
            vote_effectif=vote.present_count + vote.represented_count if vote is not None else None,
            vote_reel=vote.votes_for + vote.votes_against + vote.abstentions if vote is not None else None,
            vote_pour=vote.votes_for if vote is not None else None,
            vote_contre=vote.votes_against if vote is not None else None,
            vote_abstention=vote.abstentions if vote is not None else None,
            delib_url=_extract_url(organization.pk, act.pk, absolute) if act.pk in with_pdf else "",
        )
        problems = row_problems(row)
        if problems:
            left_out.append(LeftOut(act.pk, act.number, act.title, " ; ".join(problems)))
            continue
        rows.append(row)
    return DeliberationsFile(organization_name=organization.name, year=year, rows=rows, left_out=left_out)


def _extract_url(organization_id: int, pk: int, absolute: Callable[[str], str] | None) -> str:
    path = reverse("deliberations:public_extract", args=[organization_id, pk])
    return absolute(path) if absolute is not None else path


def write_csv(rows: list[DeliberationRow]) -> str:
    """The file's text: UTF-8 (the caller encodes it), comma-separated, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow(row.cells())
    return buffer.getvalue()


def file_name(organization_id: int, year: int | None) -> str:
    return f"deliberations-{organization_id}{f'-{year}' if year else ''}.csv"
