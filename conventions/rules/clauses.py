"""Clause texts: templates of the clause library, filled in with a convention's values.

A clause is written by legal staff with ``{{ variable }}`` for a value and ``{% if variable %}
… {% else %} … {% endif %}`` for a part that only stands when the value is there (an optional
part vanishes entirely, punctuation included). It is rendered in the documents' sandbox
(:class:`documents.rendering.DocumentSandbox`): no Python internals, no code, plain text out.
Each value prints the French way: "3 décembre 2029", "15 000,00 €", a list as "a, b et c",
nothing at all for an empty value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined, meta, nodes
from jinja2.sandbox import SecurityError

from core.errors import DomainError
from core.formatting import french_amount, french_date
from documents.rendering import DocumentSandbox

CLAUSE_RULE = "Bibliothèque de clauses : variables {{ nom }}"
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")

# The kinds of value a clause may use; each prints cleanly, and as nothing when empty.
TEXT, NUMBER, DATE, AMOUNT, LIST, FLAG = "text", "number", "date", "amount", "list", "flag"


@dataclass(frozen=True)
class ClauseVariable:
    """A value a clause may use: its name in the text, its kind and what it holds."""

    name: str
    kind: str
    label: str


VARIABLES: tuple[ClauseVariable, ...] = (
    ClauseVariable("reference", TEXT, "référence de la convention"),
    ClauseVariable("intitule", TEXT, "intitulé de la convention"),
    ClauseVariable("objet", TEXT, "objet de la convention"),
    ClauseVariable("collectivite", TEXT, "nom de la collectivité qui porte la convention"),
    ClauseVariable("designation_collectivite", TEXT, "désignation de la collectivité (« la Ville »)"),
    ClauseVariable("designation_partenaire", TEXT, "désignation du partenaire (« l'association »)"),
    ClauseVariable("partenaire", TEXT, "nom du ou des partenaires (« A, B et C »)"),
    ClauseVariable("partenaires", LIST, "liste des partenaires"),
    ClauseVariable("programme", TEXT, "programme ou dispositif de rattachement"),
    ClauseVariable("duree", TEXT, "durée en toutes lettres (« 3 ans », « 18 mois »)"),
    ClauseVariable("duree_mois", NUMBER, "durée en mois"),
    ClauseVariable("duree_jours", NUMBER, "jours de durée en plus des mois"),
    ClauseVariable(
        "prise_effet", TEXT, "prise d'effet (« à compter de la date de sa signature par la dernière des parties »)"
    ),
    ClauseVariable("date_debut", DATE, "date de prise d'effet"),
    ClauseVariable("date_fin", DATE, "dernier jour couvert"),
    ClauseVariable("montant", AMOUNT, "montant de la convention"),
    ClauseVariable("preavis", TEXT, "préavis de résiliation (vide si la résiliation est possible à tout moment)"),
    ClauseVariable("lettre_recommandee", FLAG, "résiliation par lettre recommandée avec accusé de réception"),
    ClauseVariable("delai_retrait_donnees", TEXT, "délai laissé pour retirer les données après la résiliation"),
    ClauseVariable("apres_resiliation", TEXT, "ce qui est convenu après la résiliation"),
    ClauseVariable("reconduction_tacite", FLAG, "la convention se renouvelle par tacite reconduction"),
    ClauseVariable("reconductions", NUMBER, "nombre de reconductions tacites permises"),
    ClauseVariable("preavis_reconduction", TEXT, "préavis pour s'opposer à la reconduction"),
    ClauseVariable("evaluation_annuelle", FLAG, "une évaluation annuelle est prévue"),
    ClauseVariable("comite_de_suivi", FLAG, "un comité de suivi est institué"),
    ClauseVariable("communes", LIST, "communes du périmètre"),
    ClauseVariable("codes_postaux", LIST, "codes postaux du périmètre"),
    ClauseVariable("urls", LIST, "adresses (URL) du périmètre"),
    ClauseVariable("engagements_collectivite", LIST, "engagements de la collectivité"),
    ClauseVariable("engagements_partenaire", LIST, "engagements du ou des partenaires"),
)
VARIABLE_NAMES = frozenset(v.name for v in VARIABLES)

# Values to preview a clause of the library with (a convention like FLAG !'s), and with none.
EXAMPLE_VALUES: dict[str, Any] = {
    "reference": "CONV-2024-001",
    "intitule": "Application FLAG ! — accès à la console Backoffice",
    "objet": "fixer les conditions d'accès de la Ville à la console Backoffice",
    "collectivite": "Ville de Montpellier",
    "designation_collectivite": "la Ville",
    "designation_partenaire": "l'association",
    "partenaire": "Association FLAG !",
    "partenaires": ["Association FLAG !"],
    "programme": "En lieu sûr",
    "duree": "3 ans",
    "duree_mois": 36,
    "duree_jours": None,
    "prise_effet": "à compter de la date de sa signature par la dernière des parties",
    "date_debut": date(2024, 5, 2),
    "date_fin": date(2027, 5, 1),
    "montant": Decimal("15000"),
    "preavis": "2 mois",
    "lettre_recommandee": True,
    "delai_retrait_donnees": "1 mois",
    "apres_resiliation": "",
    "reconduction_tacite": False,
    "reconductions": None,
    "preavis_reconduction": "",
    "evaluation_annuelle": True,
    "comite_de_suivi": True,
    "communes": ["Montpellier"],
    "codes_postaux": ["34000", "34070", "34080", "34090"],
    "urls": ["https://signalement.flagasso.com/reporting/partner/montpellier"],
    "engagements_collectivite": ["garantir la confidentialité des signalements", "mettre en place un lien"],
    "engagements_partenaire": ["fournir gratuitement l'accès à la console Backoffice"],
}
EMPTY_VALUES: dict[str, Any] = {
    v.name: {TEXT: "", NUMBER: None, DATE: None, AMOUNT: None, LIST: [], FLAG: False}[v.kind] for v in VARIABLES
}


def french_list(values: Any) -> str:
    """ "a", "a et b", "a, b et c"; empty items are dropped, an empty list prints nothing."""
    items = [format_value(v) for v in values or []]
    items = [i for i in items if i]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def format_value(value: Any) -> str:
    """A value as a clause prints it: nothing for None, French dates and amounts, lists as
    "a, b et c"."""
    if value is None or isinstance(value, Undefined):
        return str(value) if isinstance(value, Undefined) else ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):
        return french_date(value)
    if isinstance(value, Decimal):
        return french_amount(value)
    if isinstance(value, list | tuple):
        return french_list(value)
    return str(value)


def capitalize_first(value: Any) -> str:
    """ "l'association" → "L'association" at the start of a sentence (the rest as it is)."""
    text = format_value(value)
    return text[:1].upper() + text[1:]


class _Visible(Undefined):
    """An unknown name in a draft prints as [name], so the writer sees what is missing."""

    def __str__(self) -> str:
        return f"[{self._undefined_name}]"


class ClauseSandbox(DocumentSandbox):
    """The documents' sandbox, printing plain text: blocks leave no blank lines behind."""


def _environment(undefined: type[Undefined]) -> ClauseSandbox:
    env = ClauseSandbox(
        autoescape=False, trim_blocks=True, lstrip_blocks=True, finalize=format_value, undefined=undefined
    )
    env.filters["liste"] = french_list
    env.filters["majuscule"] = capitalize_first
    env.filters["montant"] = lambda v: french_amount(v) if v not in (None, "") else ""
    env.filters["date"] = lambda v: french_date(v) if v else ""
    return env


_STRICT = _environment(Undefined)
_DRAFT = _environment(_Visible)


def _parse(text: str) -> Any:
    try:
        return _STRICT.parse(text or "")
    except TemplateSyntaxError as exc:
        raise DomainError(
            f"La clause contient une erreur ligne {exc.lineno} : {exc.message}. Écrivez les variables "
            "{{ nom }} et les parties facultatives {% if nom %} … {% endif %}.",
            rule=CLAUSE_RULE,
            field="body",
        ) from exc
    except (RecursionError, MemoryError, ValueError) as exc:  # absurdly nested or malformed input
        raise DomainError(
            "La clause ne peut pas être lue : écrivez les variables {{ nom }} et les parties facultatives "
            "{% if nom %} … {% endif %}.",
            rule=CLAUSE_RULE,
            field="body",
        ) from exc


# What a clause may write: values, filters of this module, conditions and loops over names.
# No attribute, item, call or arithmetic: the library is edited by users, and a clause is text.
_FILTERS = frozenset({"liste", "montant", "date", "majuscule"})
_ALLOWED = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.If,
    nodes.For,
    nodes.Filter,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Compare,
    nodes.Operand,
    nodes.Const,
)


_CONSTRUCTS = {
    nodes.Getattr: "L'accès à un attribut",
    nodes.Getitem: "L'accès à un élément",
    nodes.Call: "Un appel de fonction",
    nodes.Assign: "Une affectation",
    nodes.Macro: "Une macro",
}


def _refuse(what: str) -> DomainError:
    return DomainError(
        f"{what} Une clause n'utilise que des variables en minuscules ({{{{ duree_mois }}}}), les filtres "
        "liste, montant, date et majuscule ({{ communes|liste }}) et des parties facultatives ({% if preavis %} … {% endif %}).",
        rule=CLAUSE_RULE,
        field="body",
    )


def _is_loop_state(node: nodes.Getattr) -> bool:
    return isinstance(node.node, nodes.Name) and node.node.name == "loop" and node.attr in ("first", "last", "index")


def _check_nodes(tree: nodes.Node) -> None:
    for node in tree.find_all(nodes.Node):
        if isinstance(node, nodes.Getattr) and _is_loop_state(node):
            continue  # {% if not loop.last %} ; {% endif %} in a list
        if not isinstance(node, _ALLOWED):
            what = _CONSTRUCTS.get(type(node), "Cette construction")
            raise _refuse(f"{what} n'a pas sa place dans une clause (ligne {node.lineno}).")
        if isinstance(node, nodes.TemplateData) and ("{{" in node.data or "{%" in node.data):
            raise _refuse(f"Un bloc « raw » n'a pas sa place dans une clause (ligne {node.lineno}).")
        if isinstance(node, nodes.Filter) and (node.name not in _FILTERS or node.args or node.kwargs):
            raise _refuse(f"Le filtre « {node.name} » n'est pas permis.")
        if isinstance(node, nodes.Name) and not _NAME.match(node.name):
            raise _refuse(f"« {node.name} » n'est pas une variable.")
        if isinstance(node, nodes.For) and (node.recursive or node.test is not None or node.else_):
            raise _refuse("Une boucle de clause parcourt une liste, sans condition ni « else ».")


def clause_variables(text: str) -> list[str]:
    """The variable names a clause uses ({{ duree_mois }}, {% if preavis %}), in order of first
    use; a text that is not a valid clause template is refused."""
    tree = _parse(text)
    _check_nodes(tree)
    names = meta.find_undeclared_variables(tree)
    return sorted(names, key=lambda n: (text.find(n), n))


def check_library_clause(text: str) -> list[str]:
    """A clause of the library uses only the variables a convention gives (``VARIABLES``)."""
    names = clause_variables(text)
    unknown = [n for n in names if n not in VARIABLE_NAMES]
    if unknown:
        raise DomainError(
            "Variable(s) inconnue(s) dans la clause : "
            + ", ".join(unknown)
            + ". Variables disponibles : "
            + ", ".join(sorted(VARIABLE_NAMES))
            + ".",
            rule=CLAUSE_RULE,
            field="body",
        )
    return names


_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE = re.compile(r"[ \t]+([.,)])")
_PERIOD_AFTER_MARK = re.compile(r"([!?])\.")  # "… FLAG !." when a name ends a sentence
_MARKUP = re.compile(r"{[{%#].*?[}%#]}", re.DOTALL)
_ITEM = ("- ", "• ", "· ")


def tidy(text: str) -> str:
    """The rendered text as paragraphs: each non-empty line is a paragraph (a blank line
    between two), except the items of a list ("- …"), kept line after line under the sentence
    that introduces them. Within a line: no double space, no space before a period, a comma
    or a closing parenthesis (what the blocks of a template may leave behind)."""
    lines = [
        _PERIOD_AFTER_MARK.sub(r"\1", _SPACE_BEFORE.sub(r"\1", _SPACES.sub(" ", line))).strip()
        for line in text.splitlines()
    ]
    out: list[str] = []
    for line in (line for line in lines if line):
        if out:
            out.append("\n" if line.startswith(_ITEM) else "\n\n")
        out.append(line)
    return "".join(out)


def render_clause(text: str, variables: Mapping[str, Any], *, strict: bool = True) -> str:
    """The clause filled in with ``variables``, as plain text. An unknown variable is refused
    (``strict``) or left visible as [name] for a draft; the sandbox refuses Python internals."""
    names = clause_variables(text)
    missing = [n for n in names if n not in variables]
    if missing and strict:
        raise DomainError(
            "Variable(s) inconnue(s) dans la clause : " + ", ".join(missing) + ".", rule=CLAUSE_RULE, field="body"
        )
    env = _STRICT if strict else _DRAFT
    try:
        return tidy(env.from_string(text or "").render(dict(variables)))
    except SecurityError as exc:
        raise DomainError(f"Clause refusée : {exc}.", rule=CLAUSE_RULE, field="body") from exc
    except DomainError:
        raise
    except Exception as exc:  # a value of another kind than the text expects (e.g. a sum on an empty amount)
        if strict:
            raise DomainError(f"La clause ne peut pas être remplie : {exc}.", rule=CLAUSE_RULE, field="body") from exc
        return tidy(_MARKUP.sub("", text or ""))
