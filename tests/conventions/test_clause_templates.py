"""Clause texts as templates (conventions.rules.clauses): what they may write, how values
print, what the sandbox refuses. Pure functions, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from conventions import rules
from core.errors import DomainError


def test_optional_parts_vanish_with_their_punctuation():
    text = "Elle peut être dénoncée{% if preavis %}, avec un préavis de {{ preavis }},{% endif %} par écrit."
    assert rules.render_clause(text, {"preavis": "2 mois"}) == (
        "Elle peut être dénoncée, avec un préavis de 2 mois, par écrit."
    )
    assert rules.render_clause(text, {"preavis": ""}) == "Elle peut être dénoncée par écrit."


def test_values_print_the_french_way():
    values = {"d": date(2029, 12, 3), "m": Decimal("15000"), "l": ["a", "b", "c"], "n": None, "one": ["Lattes"]}
    assert rules.render_clause("{{ d }} ; {{ m }} ; {{ l }} ; {{ one }}{{ n }}.", values) == (
        "3 décembre 2029 ; 15\u202f000,00\u00a0€ ; a, b et c ; Lattes."
    )
    assert rules.render_clause("{{ l|liste }}", {"l": []}) == ""
    assert rules.render_clause("{{ x|majuscule }} signe.", {"x": "l'association"}) == "L'association signe."


def test_lines_become_paragraphs_and_items_stay_together():
    text = (
        "Elle s'engage à :\n{% for e in l %}\n- {{ e }}{% if loop.last %}.{% else %} ;{% endif %}\n\n{% endfor %}\nFin."
    )
    assert rules.render_clause(text, {"l": ["lire", "écrire"]}) == "Elle s'engage à :\n- lire ;\n- écrire.\n\nFin."


@pytest.mark.parametrize(
    "text",
    [
        "{{ duree.__class__ }}",
        "{{ ''.join(x) }}",
        "{{ x|upper }}",
        "{{ Duree }}",
        "{{ l[0] }}",
        "{% set a = 1 %}",
        "{% include 'x' %}",
        "{% macro m() %}{% endmacro %}",
        "{% raw %}{{ x }}{% endraw %}",
        "{{ x * 100000 }}",
        "{% if x %}non fermé",
        "{{" + "(" * 3000 + "x" + ")" * 3000 + "}}",
    ],
)
def test_anything_but_values_conditions_and_loops_is_refused(text):
    with pytest.raises(DomainError) as error:
        rules.clause_variables(text)
    assert error.value.rule == rules.CLAUSE_RULE


def test_a_library_clause_uses_only_the_variables_a_convention_gives():
    assert rules.check_library_clause("{% if preavis %}{{ preavis }}{% endif %} {{ communes|liste }}") == [
        "preavis",
        "communes",
    ]
    with pytest.raises(DomainError, match="date_effet"):
        rules.check_library_clause("À compter du {{ date_effet }}.")


def test_a_draft_shows_what_is_missing_and_never_template_markup():
    assert rules.render_clause("Pour {{ inconnue }}.", {}, strict=False) == "Pour [inconnue]."
    with pytest.raises(DomainError):
        rules.render_clause("Pour {{ inconnue }}.", {})
    # A value of another kind than the text expects: the text without its markup, not an error page
    # (the strict rendering, when the article is saved, names the problem).
    text = "Du {{ d }}{% if d > 3 %} (après){% endif %}."
    assert rules.render_clause(text, {"d": "x"}, strict=False) == "Du (après)."
    with pytest.raises(DomainError, match="ne peut pas être remplie"):
        rules.render_clause(text, {"d": "x"})
