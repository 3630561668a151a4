"""Publication of the essential data of subsidy conventions. Pure functions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

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
