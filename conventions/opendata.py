"""The open-data file of a collectivité's subsidy conventions: schema "scdl/subventions" 2.1.1
of the national catalogue (données essentielles des conventions de subvention, décret
n° 2017-779 and arrêté du 17 novembre 2017), vendored with its licence under
``opendata/schemas/``.

A subsidy is a convention of financial support (``ConventionKind.FINANCIAL``) once signed:
one row per beneficiary (each partner party marked as receiving it: a co-funder is not),
with the amount as it stands after the signed avenants and each beneficiary's share
(equal shares unless the convention gives them, ``rules.subsidies.beneficiary_shares``),
the approving deliberation(s) of the convention and of
the avenants that changed the amount as ``referenceDecision``, the beneficiary's SIRET and/or
RNA number. Every subsidy is written; those above 23 000 € are the ones the law requires
(``rules.subsidies.publication_required``), shown as such to the staff.

CSV: UTF-8, comma, the schema's 16 field names in its order, dates in ISO 8601, decimals with
a point. As for deliberations, no file is written without the collectivité's SIRET
(``idAttribuant``, required in every row: :class:`MissingSiret`); a convention that cannot
give a valid row (no SIRET nor RNA for a beneficiary, no payment date yet) is left out and
the reason is shown on its page to the staff, so that one incomplete convention does not hold
back the others.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from conventions.models import (
    Amendment,
    AmendmentStatus,
    Convention,
    ConventionKind,
    ConventionParty,
    ConventionStatus,
    PaymentTerms,
    SubsidyNature,
)
from conventions.rules import subsidies
from core.errors import DomainError
from deliberations.models import Deliberation
from parties.models import Organization

SCHEMA = "scdl/subventions"
SCHEMA_VERSION = "2.1.1"
FIELDS = (
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
)
RULE_SCDL = "Schéma SCDL « Subventions » 2.1.1"
# A subsidy convention is in the file once signed, whatever became of it since.
SIGNED_STATES = (
    ConventionStatus.SIGNED,
    ConventionStatus.ACTIVE,
    ConventionStatus.SUSPENDED,
    ConventionStatus.TERMINATION_NOTIFIED,
    ConventionStatus.TERMINATED,
    ConventionStatus.EXPIRED,
    ConventionStatus.RENEWED,
)
NATURE = {
    SubsidyNature.CASH: "aide en numéraire",
    SubsidyNature.IN_KIND: "aide en nature",
    SubsidyNature.BOTH: "aide en numéraire;aide en nature",
}
PAYMENT = {PaymentTerms.SINGLE: "unique", PaymentTerms.INSTALMENTS: "échelonné"}


class MissingSiret(DomainError):
    """The collectivité has no SIRET: no row of its file can be valid (idAttribuant)."""

    status_code = 409


@dataclass(frozen=True)
class SubsidyRow:
    """One beneficiary of one subsidy convention, as the SCDL file gives it."""

    convention_id: int
    required: bool  # above 23 000 €: publication required by law (not a column)
    nom_attribuant: str
    id_attribuant: str
    date_convention: date
    reference_decision: str
    nom_beneficiaire: str
    id_beneficiaire: str
    rna_beneficiaire: str
    objet: str
    montant: Decimal
    nature: str
    conditions_versement: str
    dates_periode_versement: str
    id_rae: str
    notification_ue: bool
    pourcentage_subvention: Decimal
    dispositif_aide: str

    def cells(self) -> list[str]:
        """The row's cells as text, in the order of ``FIELDS``."""
        return [
            self.nom_attribuant,
            self.id_attribuant,
            self.date_convention.isoformat(),
            self.reference_decision,
            self.nom_beneficiaire,
            self.id_beneficiaire,
            self.rna_beneficiaire,
            self.objet,
            f"{self.montant:.2f}",  # a point before the decimals, as the schema asks
            self.nature,
            self.conditions_versement,
            self.dates_periode_versement,
            self.id_rae,
            "oui" if self.notification_ue else "non",
            f"{self.pourcentage_subvention:.2f}",
            self.dispositif_aide,
        ]


@dataclass(frozen=True)
class LeftOut:
    convention_id: int
    reference: str
    title: str
    reason: str


@dataclass(frozen=True)
class SubsidiesFile:
    organization_name: str
    year: int | None
    rows: list[SubsidyRow] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)


def _decision_reference(convention: Convention) -> str:
    """The acts that decided the subsidy: the convention's approving deliberations (or its
    delegated decision), then those of each signed avenant that changed the amount."""
    parts = [d.number for d in convention.approving_deliberations.all()]
    if not parts and convention.delegated_decision_reference:
        parts.append(convention.delegated_decision_reference)
    for amendment in convention.amendments.all():
        refs = [d.number for d in amendment.approving_deliberations.all()]
        if not refs and amendment.delegated_decision_reference:
            refs.append(amendment.delegated_decision_reference)
        if refs:
            parts.append(_("avenant n° {number} : {refs}").format(number=amendment.number, refs=", ".join(refs)))
    return " ; ".join(parts)


def _shares(convention: Convention, beneficiaries: list[ConventionParty]) -> list[Decimal] | str:
    """Each beneficiary's ``pourcentageSubvention``, or why they cannot be given."""
    try:
        return subsidies.beneficiary_shares(
            convention.amount, [(p.share_percent, p.share_amount) for p in beneficiaries]
        )
    except DomainError as exc:
        return exc.message


def _problems(convention: Convention, beneficiaries: list[ConventionParty], shares: list[Decimal] | str) -> list[str]:
    problems = []
    if not beneficiaries:
        problems.append(_("aucun bénéficiaire (partie autre que la collectivité, marquée bénéficiaire)"))
    if isinstance(shares, str):
        problems.append(shares)
    for party in beneficiaries:
        if not party.organization.siret and not party.organization.rna:
            problems.append(_("renseignez le SIRET ou le numéro RNA de {name}").format(name=party.organization.name))
    if convention.payment_start is None:
        problems.append(_("renseignez la date ou la période de versement"))
    if convention.amount is None:
        problems.append(_("renseignez le montant"))
    return problems


def build_rows(
    organization_id: int, *, year: int | None = None, convention_ids: list[int] | None = None
) -> SubsidiesFile:
    """The SCDL rows of a collectivité's signed subsidy conventions (signed in ``year`` when
    given), oldest first. Raises :class:`MissingSiret` when the collectivité has no SIRET."""
    organization = Organization.objects.only("id", "name", "siret").get(pk=organization_id, tenant__isnull=True)
    if not organization.siret:
        raise MissingSiret(
            _(
                "Le fichier des subventions (SCDL) ne peut pas être produit : renseignez le SIRET de "
                "l'établissement principal de {name} dans sa fiche organisation (14 chiffres, colonne idAttribuant "
                "obligatoire)."
            ).format(name=organization.name),
            rule=RULE_SCDL,
            field="siret",
        )
    acts = Deliberation.objects.only("id", "number").order_by("year", "sequence")
    conventions = (
        Convention.objects.filter(
            organization_id=organization.pk,
            kind=ConventionKind.FINANCIAL,
            status__in=SIGNED_STATES,
            signed_on__isnull=False,
        )
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=ConventionParty.objects.exclude(organization_id=organization.pk)
                .filter(is_beneficiary=True)
                .select_related("organization")
                .order_by("position", "id"),
            ),
            Prefetch("approving_deliberations", queryset=acts),
            Prefetch(
                "amendments",
                queryset=Amendment.objects.filter(status=AmendmentStatus.SIGNED, new_amount__isnull=False)
                .prefetch_related(Prefetch("approving_deliberations", queryset=acts))
                .order_by("number"),
            ),
        )
        .order_by("signed_on", "reference")
    )
    if year:
        conventions = conventions.filter(signed_on__year=year)
    if convention_ids is not None:
        conventions = conventions.filter(pk__in=convention_ids)
    rows: list[SubsidyRow] = []
    left_out: list[LeftOut] = []
    for convention in conventions:
        beneficiaries = list(convention.parties.all())
        shares = _shares(convention, beneficiaries)
        problems = _problems(convention, beneficiaries, shares)
        if problems or isinstance(shares, str):
            left_out.append(LeftOut(convention.pk, convention.reference, convention.title, " ; ".join(problems)))
            continue
        reference = _decision_reference(convention)
        terms = PAYMENT.get(PaymentTerms(convention.payment_terms), convention.payment_terms_detail)
        for party, share in zip(beneficiaries, shares, strict=True):
            rows.append(
                SubsidyRow(
                    convention_id=convention.pk,
                    required=subsidies.publication_required(convention.amount),
                    nom_attribuant=organization.name,
                    id_attribuant=organization.siret,
                    date_convention=convention.signed_on,  # type: ignore[arg-type]
                    reference_decision=reference,
                    nom_beneficiaire=party.organization.name,
                    id_beneficiaire=party.organization.siret,
                    rna_beneficiaire=party.organization.rna,
                    objet=convention.title[:256],
                    montant=convention.amount,  # type: ignore[arg-type]
                    nature=NATURE[SubsidyNature(convention.subsidy_nature)],
                    conditions_versement=terms[:256],
                    dates_periode_versement=subsidies.payment_period(convention.payment_start, convention.payment_end),
                    id_rae=convention.rae_id,
                    notification_ue=convention.eu_notified,
                    pourcentage_subvention=share,
                    dispositif_aide=convention.aid_scheme,
                )
            )
    return SubsidiesFile(organization_name=organization.name, year=year, rows=rows, left_out=left_out)


def write_csv(rows: list[SubsidyRow]) -> str:
    """The file's text: UTF-8 (the caller encodes it), comma-separated, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow(row.cells())
    return buffer.getvalue()


def file_name(organization_id: int, year: int | None) -> str:
    return f"subventions-{organization_id}{f'-{year}' if year else ''}.csv"


def left_out_reason(convention: Convention) -> str | None:
    """Why a signed subsidy convention is not in its collectivité's file (shown on its page
    to the staff), or None when it is in it or is no subsidy."""
    if convention.kind != ConventionKind.FINANCIAL or convention.status not in SIGNED_STATES:
        return None
    try:
        built = build_rows(convention.organization_id, convention_ids=[convention.pk])
    except MissingSiret as exc:
        return exc.message
    return built.left_out[0].reason if built.left_out else None
