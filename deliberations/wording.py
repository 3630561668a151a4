"""How French registers write dates and names. Pure functions."""

from __future__ import annotations

from datetime import date

from core.formatting import MONTHS

_UNITS = [
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "dix-sept",
    "dix-huit",
    "dix-neuf",
]
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante", 8: "quatre-vingt"}


def _below_hundred(n: int) -> str:
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    if tens in (7, 9):
        base = "soixante" if tens == 7 else "quatre-vingt"
        rest = 10 + unit
        joiner = "-et-" if tens == 7 and unit == 1 else "-"
        return f"{base}{joiner}{_UNITS[rest]}"
    if unit == 0:
        return "quatre-vingts" if tens == 8 else _TENS[tens]
    joiner = "-et-" if unit == 1 and tens != 8 else "-"
    return f"{_TENS[tens]}{joiner}{_UNITS[unit]}"


def number_in_words(n: int) -> str:
    """French words with hyphens throughout (1990 spelling, as registers write
    "deux-mille-vingt-quatre"); 0 ≤ n < 1,000,000."""
    if n < 100:
        return _below_hundred(n)
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = "cent" if hundreds == 1 else f"{_UNITS[hundreds]}-cent" + ("s" if rest == 0 else "")
        return head if rest == 0 else f"{head}-{_below_hundred(rest)}"
    thousands, rest = divmod(n, 1000)
    head = "mille" if thousands == 1 else f"{number_in_words(thousands)}-mille"
    return head if rest == 0 else f"{head}-{number_in_words(rest)}"


def date_in_words(day: date) -> str:
    """ "L'an deux-mille-vingt-quatre et le vingt-six mars" (the opening of an extract)."""
    day_words = "premier" if day.day == 1 else number_in_words(day.day)
    return f"L'an {number_in_words(day.year)} et le {day_words} {MONTHS[day.month - 1]}"


# How a register separates the names it lists: "A, B, C" or "NOM Prénom – NOM Prénom – …".
LIST_SEPARATORS = {"comma": ", ", "dash": " – "}


def list_separator(style: str) -> str:
    """The separator of a list of names for an assembly's ``list_separator`` style."""
    return LIST_SEPARATORS.get(style, ", ")


def person_name(first_name: str, last_name: str, style: str = "first_last") -> str:
    """ "Prénom NOM" (first_last) or "NOM Prénom" (last_first)."""
    last = last_name.upper()
    return f"{last} {first_name}".strip() if style == "last_first" else f"{first_name} {last}".strip()


# The common nouns a collectivité's name may start with, by gender: a register writes "du
# Conseil municipal de la Ville de Montpellier", "de la Métropole …", "du Département …";
# a proper name ("Montpellier Méditerranée Métropole") takes no article.
_FEMININE = frozenset(
    {
        "agglomération",
        "collectivité",
        "commune",
        "communauté",
        "eurométropole",
        "métropole",
        "mairie",
        "région",
        "ville",
    }
)
_MASCULINE = frozenset(
    {"conseil", "département", "établissement", "etablissement", "groupement", "pôle", "syndicat", "territoire"}
)
_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÉÈÊÀÂÎÔÛ".lower())


def of_name(name: str) -> str:
    """A collectivité's name after "de", with its article as registers write it:
    "de la Ville de Montpellier", "de la Métropole Aix-Marseille-Provence", "du Département
    de l'Hérault", "de l'Eurométropole de Strasbourg", "de Montpellier Méditerranée
    Métropole", "d'Aix-en-Provence", "du Havre" (from "Le Havre")."""
    name = " ".join(name.split())
    if not name:
        return ""
    lowered = name.lower()
    if lowered.startswith("le "):
        return "du " + name[3:]
    if lowered.startswith("les "):
        return "des " + name[4:]
    if lowered.startswith(("la ", "l'", "l’")):
        return "de " + name
    first = lowered.replace("’", " ").replace("'", " ").replace("-", " ").split()[0]
    elided = lowered[0] in _VOWELS
    if first in _FEMININE:
        return ("de l'" if elided else "de la ") + name
    if first in _MASCULINE:
        return ("de l'" if elided else "du ") + name
    return ("d'" if elided else "de ") + name
