"""Publication of the essential data of subsidy conventions. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from core.errors import DomainError

# Décret n° 2001-495 du 6 juin 2001 (art. 1), pris pour l'application de l'article 10 de la
# loi n° 2000-321 du 12 avril 2000: above this amount a subsidy needs a convention, whose
# essential data are published (décret n° 2017-779 du 5 mai 2017, arrêté du 17 novembre 2017).
PUBLICATION_THRESHOLD = Decimal("23000")
SUBSIDY_RULE = "Données essentielles des subventions (décret n° 2017-779)"


def publication_required(amount: Decimal | None) -> bool:
    """Whether a subsidy's essential data must be published (loi n° 2000-321 art. 10,
    décret n° 2001-495 art. 1, décret n° 2017-779): its amount exceeds 23 000 €."""
    return amount is not None and amount > PUBLICATION_THRESHOLD


def payment_period(start: date | None, end: date | None) -> str:
    """The SCDL ``datesPeriodeVersement``: a date (single payment, or its known day), or a
    period ``start/end`` in ISO 8601; empty when the payment date is not known yet."""
    if start is None:
        return ""
    if end is None or end == start:
        return start.isoformat()
    return f"{start.isoformat()}/{end.isoformat()}"


def shares(count: int) -> list[Decimal]:
    """The SCDL ``pourcentageSubvention`` of each of ``count`` beneficiaries sharing a subsidy
    equally, as decimals of 1 with two places whose sum is exactly 1 (the last takes the rest):
    3 → 0.34, 0.33, 0.33."""
    if count < 1:
        return []
    base = (Decimal(1) / count).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    rest = Decimal(1) - base * count
    extra = int(rest / Decimal("0.01"))
    return [base + Decimal("0.01") if index < extra else base for index in range(count)]


SHARE_RULE = "Parts des bénéficiaires de la subvention (schéma SCDL « Subventions », pourcentageSubvention)"
CENT = Decimal("0.01")


def check_share(*, percent: Decimal | None, amount: Decimal | None, total: Decimal | None) -> None:
    """One beneficiary's share of a subsidy (décret n° 2017-779, SCDL ``pourcentageSubvention``
    between 0 and 1): a percentage from 0 to 100 or an amount from 0 to the subsidy, not both."""
    if percent is not None and amount is not None:
        raise DomainError(
            _("Indiquez la part en pourcentage ou en montant, pas les deux."), rule=SHARE_RULE, field="share_amount"
        )
    if percent is not None and not Decimal(0) <= percent <= Decimal(100):
        raise DomainError(
            _("La part d'un bénéficiaire est comprise entre 0 et 100 % (reçu : {percent} %).").format(percent=percent),
            rule=SHARE_RULE,
            field="share_percent",
        )
    if amount is not None and (amount < 0 or (total is not None and amount > total)):
        raise DomainError(
            _("La part d'un bénéficiaire en montant est comprise entre 0 et le montant de la subvention."),
            rule=SHARE_RULE,
            field="share_amount",
        )


def beneficiary_shares(total: Decimal | None, given: Sequence[tuple[Decimal | None, Decimal | None]]) -> list[Decimal]:
    """The SCDL ``pourcentageSubvention`` of each beneficiary of a subsidy of ``total``
    (décret n° 2017-779, arrêté du 17 novembre 2017), from each one's (percentage, amount):
    equal shares when none is given (:func:`shares`); otherwise every beneficiary gives one and
    together they make the whole subsidy (100 %, or the total to the cent). Decimals of 1 with
    two places summing exactly to 1 (the largest share takes the rounding rest, so that none
    goes below 0). Raises DomainError naming the rule."""
    if all(percent is None and amount is None for percent, amount in given):
        return shares(len(given))
    if any(percent is None and amount is None for percent, amount in given):
        raise DomainError(
            _("Indiquez la part de chaque bénéficiaire, ou d'aucun pour un partage à parts égales."),
            rule=SHARE_RULE,
            field="share_percent",
        )
    amounts = [amount for _percent, amount in given if amount is not None]
    percents = [percent for percent, _amount in given if percent is not None]
    if amounts and not total:
        raise DomainError(
            _("Une part en montant suppose le montant de la subvention."), rule=SHARE_RULE, field="share_amount"
        )
    for percent, amount in given:
        check_share(percent=percent, amount=amount, total=total)
    fractions = [
        percent / 100 if percent is not None else (amount or Decimal(0)) / (total or Decimal(1))
        for percent, amount in given
    ]
    if len(amounts) == len(given):
        whole = sum(amounts, Decimal(0)) == total
    elif len(percents) == len(given):
        whole = sum(percents, Decimal(0)) == 100
    else:  # mixed: compared in euros, to the cent
        whole = abs(sum(fractions, Decimal(0)) * (total or Decimal(0)) - (total or Decimal(0))) < CENT
    if not whole:
        raise DomainError(
            _("Les parts des bénéficiaires ne font pas la subvention entière ({percent} % au lieu de 100 %).").format(
                percent=str((sum(fractions, Decimal(0)) * 100).quantize(CENT)).replace(".", ",")
            ),
            rule=SHARE_RULE,
            field="share_percent",
        )
    rounded = [fraction.quantize(CENT, rounding=ROUND_HALF_UP) for fraction in fractions]
    largest = fractions.index(max(fractions))
    rounded[largest] += Decimal(1) - sum(rounded, Decimal(0))
    return rounded
