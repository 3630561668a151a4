"""Rules of sittings: convocation delays, quorum, proxies (CGCT L2121-11, -12, -17, -20)."""

from __future__ import annotations

from datetime import date, timedelta

from core import rules as calendar
from core.errors import DomainError
from deliberations.rules.articles import (
    POPULATION_THRESHOLD,
    PROXY_MAX_CONSECUTIVE_SITTINGS,
    RECONVENE_MIN_DAYS,
    RULE_CONVOCATION,
    RULE_PROXY,
    RULE_QUORUM,
)


def convocation_clear_days(*, population: int | None, is_epci: bool, urgency: bool = False) -> int:
    """Jours francs between convocation and sitting (CGCT L2121-11, L2121-12, L5211-1):
    3 in communes under 3,500 inhabitants, 5 in the others and in EPCI; 1 in urgency.
    An unknown population gets the longer delay, which is always lawful."""
    if urgency:
        return 1
    if is_epci or population is None or population >= POPULATION_THRESHOLD:
        return 5
    return 3


def latest_convocation_date(sitting_date: date, clear_days: int) -> date:
    """The last day the convocation may be sent (jours francs: neither end counted, CGCT L2121-12)."""
    return calendar.latest_day_before_clear_days(sitting_date, clear_days)


def check_convocation(
    *,
    sitting_date: date,
    convocation_date: date,
    population: int | None,
    is_epci: bool,
    urgency: bool,
    urgency_reason: str = "",
    clear_days_override: int | None = None,
) -> int:
    """Refuse a late convocation unless urgency is stated (CGCT L2121-11, L2121-12). Returns the delay applied."""
    if convocation_date > sitting_date:
        raise DomainError(
            "La convocation ne peut pas être envoyée après la séance.", rule=RULE_CONVOCATION, field="convocation_date"
        )
    if urgency and not urgency_reason.strip():
        raise DomainError(
            "L'urgence doit être motivée : indiquez son motif.", rule=RULE_CONVOCATION, field="urgency_reason"
        )
    normal = clear_days_override or convocation_clear_days(population=population, is_epci=is_epci)
    required = convocation_clear_days(population=population, is_epci=is_epci, urgency=True) if urgency else normal
    latest = latest_convocation_date(sitting_date, required)
    if convocation_date > latest:
        from core.formatting import french_date

        given = calendar.clear_days_between(convocation_date, sitting_date)
        hint = "" if urgency else " En cas d'urgence motivée, le délai peut être abrégé à un jour franc."
        raise DomainError(
            f"Convocation trop tardive : {required} jour(s) franc(s) sont exigés entre l'envoi et la séance "
            f"({given} seulement) ; elle devait partir le {french_date(latest)} au plus tard.{hint}",
            rule=RULE_CONVOCATION,
            field="convocation_date",
        )
    return required


def check_reconvened_date(*, first_sitting: date, new_sitting: date) -> None:
    """A sitting re-convened after a failed quorum is held at least three days later (CGCT L2121-17)."""
    if (new_sitting - first_sitting).days < RECONVENE_MIN_DAYS:
        from core.formatting import french_date

        earliest = first_sitting + timedelta(days=RECONVENE_MIN_DAYS)
        raise DomainError(
            f"La séance reconvoquée faute de quorum doit se tenir trois jours au moins après la première, "
            f"soit le {french_date(earliest)} au plus tôt.",
            rule=RULE_QUORUM,
            field="starts_at",
        )


def check_quorum_failure_recorded(*, attendance_recorded: bool, items_without_quorum: int) -> None:
    """The council is convened again "faute de quorum" only after the quorum was found lacking
    (CGCT L2121-17: "si, après une première convocation régulièrement faite, ce quorum n'est
    pas atteint"): the attendance of the first sitting is recorded and leaves at least one
    item of its agenda without quorum."""
    if not attendance_recorded:
        raise DomainError(
            "Enregistrez d'abord les présences de la séance : la reconvocation faute de quorum suit un quorum "
            "constaté manquant.",
            rule=RULE_QUORUM,
            field="attendance",
        )
    if items_without_quorum == 0:
        raise DomainError(
            "Le quorum est atteint pour chaque point restant à examiner : la séance n'est pas reconvoquée faute "
            "de quorum ; inscrivez ces points à une séance ordinaire.",
            rule=RULE_QUORUM,
            field="attendance",
        )


def quorum_waived(*, sitting_reconvened: bool, item_carried_over: bool) -> bool:
    """A re-convened sitting deliberates without quorum only on the items of the first
    sitting's agenda that could not be voted for lack of quorum (CGCT L2121-17: "sur le même
    ordre du jour"); an item added to it, or one the first sitting could have voted, needs
    the quorum."""
    return sitting_reconvened and item_carried_over


# --- Quorum -----------------------------------------------------------------------------


def quorum_needed(members_in_office: int) -> int:
    """Members physically present needed: more than half of those in office (CGCT L2121-17).
    65 in office → 33 (35 > 32.5)."""
    return members_in_office // 2 + 1


def has_quorum(*, present: int, members_in_office: int) -> bool:
    """More than half of the members in office are physically present; proxies do not count (CGCT L2121-17)."""
    return members_in_office > 0 and present * 2 > members_in_office


def check_quorum(*, present: int, members_in_office: int, reconvened: bool = False) -> None:
    """An item without quorum cannot be voted, except an item carried over to a sitting
    re-convened for lack of quorum (``reconvened``: see :func:`quorum_waived`; CGCT L2121-17)."""
    if reconvened or has_quorum(present=present, members_in_office=members_in_office):
        return
    raise DomainError(
        f"Quorum non atteint : {present} membre(s) présent(s) sur {members_in_office} en exercice, "
        f"il en faut au moins {quorum_needed(members_in_office)} (plus de la moitié ; les pouvoirs ne comptent pas). "
        f"Le point ne peut pas être voté : reconvoquez le conseil trois jours au moins plus tard.",
        rule=RULE_QUORUM,
    )


# --- Proxies ----------------------------------------------------------------------------


def check_proxy(
    *,
    giver_name: str,
    holder_name: str,
    same_person: bool,
    giver_in_office: bool,
    holder_in_office: bool,
    giver_present: bool,
    holder_present: bool,
    holder_other_proxy_giver: str | None,
    giver_other_proxy_holder: str | None,
    consecutive_sittings: int,
    illness: bool,
) -> None:
    """The conditions of a pouvoir (CGCT L2121-20): written by a member in office to another,
    the giver absent and the holder present, one proxy per holder (and one per giver),
    valid for at most three consecutive sittings except illness."""
    if same_person:
        raise DomainError("Un élu ne peut pas se donner pouvoir à lui-même.", rule=RULE_PROXY, field="holder")
    if not giver_in_office:
        raise DomainError(
            f"{giver_name} n'est pas membre en exercice de l'assemblée à la date de la séance.",
            rule=RULE_PROXY,
            field="giver",
        )
    if not holder_in_office:
        raise DomainError(
            f"{holder_name} n'est pas membre en exercice : seul un membre du conseil peut recevoir un pouvoir.",
            rule=RULE_PROXY,
            field="holder",
        )
    if giver_present:
        raise DomainError(
            f"{giver_name} est présent(e) : seul un membre absent peut donner pouvoir.", rule=RULE_PROXY, field="giver"
        )
    if not holder_present:
        raise DomainError(
            f"{holder_name} est absent(e) : le mandataire doit être présent pour voter au nom de son mandant.",
            rule=RULE_PROXY,
            field="holder",
        )
    if holder_other_proxy_giver is not None:
        raise DomainError(
            f"{holder_name} détient déjà le pouvoir de {holder_other_proxy_giver} : "
            f"un même élu ne peut détenir qu'un seul pouvoir.",
            rule=RULE_PROXY,
            field="holder",
        )
    if giver_other_proxy_holder is not None:
        raise DomainError(
            f"{giver_name} a déjà donné pouvoir à {giver_other_proxy_holder} pour cette séance ; révoquez-le d'abord.",
            rule=RULE_PROXY,
            field="giver",
        )
    if consecutive_sittings > PROXY_MAX_CONSECUTIVE_SITTINGS and not illness:
        raise DomainError(
            f"Ce pouvoir servirait à une {consecutive_sittings}e séance consécutive : un pouvoir ne vaut que "
            f"pour trois séances consécutives au plus, sauf maladie dûment constatée.",
            rule=RULE_PROXY,
            field="written_on",
        )
