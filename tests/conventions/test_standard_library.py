"""The standard clause library: every clause renders cleanly for every value (full, empty,
zero, lists of 0, 1 and 3 items, each option on and off), its import is idempotent and keeps
what an organization wrote, and the demo conventions read as French legal text."""

from __future__ import annotations

import itertools
import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from conventions import rules, services
from conventions.models import ClauseTemplate
from conventions.rules.clauses import AMOUNT, DATE, FLAG, LIST, NUMBER, TEXT
from conventions.standard_clauses import STANDARD_CLAUSES

FULL = {
    "reference": "FLAG-2024",
    "intitule": "Application FLAG ! — accès à la console Backoffice",
    "objet": "fixer les conditions dans lesquelles l'association donne à la Ville un accès à la console Backoffice",
    "collectivite": "Ville de Montpellier",
    "designation_collectivite": "la Ville",
    "designation_partenaire": "l'association",
    "partenaire": "Association FLAG !",
    "partenaires": ["Association FLAG !"],
    "programme": "En lieu sûr",
    "duree": "3 ans",
    "duree_mois": 36,
    "duree_jours": 15,
    "prise_effet": "à compter de la date de sa signature par la dernière des parties",
    "date_debut": date(2024, 5, 2),
    "date_fin": date(2027, 5, 1),
    "montant": Decimal("15000"),
    "preavis": "2 mois",
    "lettre_recommandee": True,
    "delai_retrait_donnees": "1 mois",
    "apres_resiliation": "Le partenaire retire ses dispositifs et données de la plateforme.",
    "reconduction_tacite": True,
    "reconductions": 2,
    "preavis_reconduction": "2 mois",
    "evaluation_annuelle": True,
    "comite_de_suivi": True,
    "communes": ["Montpellier", "Castelnau-le-Lez", "Lattes"],
    "codes_postaux": ["34000", "34170", "34970"],
    "urls": ["https://signalement.flagasso.com/reporting/partner/montpellier", "https://flagasso.com/app"],
    "engagements_collectivite": ["garantir la confidentialité des signalements", "mettre en place un lien"],
    "engagements_partenaire": ["fournir gratuitement l'accès à la console Backoffice"],
}
EMPTY_BY_KIND = {TEXT: "", NUMBER: None, DATE: None, AMOUNT: None, LIST: [], FLAG: False}
ZERO_BY_KIND = {TEXT: "", NUMBER: 0, DATE: None, AMOUNT: Decimal("0"), LIST: [], FLAG: False}
THREE = {
    "partenaires": ["Association FLAG !", "HeHop", "Défenseur des droits"],
    "communes": ["Montpellier", "Lattes", "Pérols"],
    "codes_postaux": ["34000", "34970", "34470"],
    "urls": ["https://a.example.fr/x", "https://b.example.fr/y", "https://c.example.fr/z"],
    "engagements_collectivite": ["informer le partenaire", "relayer la campagne", "mettre des locaux à disposition"],
    "engagements_partenaire": ["fournir des affiches", "animer des réunions", "rendre compte chaque année"],
}

GLITCHES = {
    "empty parentheses": re.compile(r"\(\s*\)"),
    "semicolon before period": re.compile(r";\s*\."),
    "meaningless zero": re.compile(r"(?<![\d,\u202f])0 (mois|jours?|fois|ans?)\b|(?<![\d\u202f])0,00"),
    "template markup": re.compile(r"{{|}}|{%|%}|{#"),
    "Python value": re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\[|\]|{|}"),
    "double space": re.compile(r"  "),
    "space before punctuation": re.compile(r" [.,)]"),
    "doubled punctuation": re.compile(r"\.\.|[!?]\.|,\s*[.,;]|:\s*[.;]|;\s*;"),
    "dangling word": re.compile(r"\b(à|de|du|des|le|la|les|et|ou|par|pour|soit|entre)\s*[.,;]"),
    "bad contraction": re.compile(r"\b(à|de) (le|les) "),
    "empty quotes": re.compile(r"«\s*»"),
    "unfinished sentence": re.compile(r"[^.:;!?»\n]\n|[^.:;!?»]$"),
    "too many blank lines": re.compile(r"\n\n\n"),
}


def glitches(text: str) -> list[str]:
    found = [name for name, pattern in GLITCHES.items() if pattern.search(text)]
    if not text.strip():
        found.append("empty text")
    return found


def _values(base: dict, **changes) -> dict:
    return {**base, **changes}


def _variants():
    kinds = {v.name: v.kind for v in rules.VARIABLES}
    empty = {name: EMPTY_BY_KIND[kind] for name, kind in kinds.items()}
    zero = {name: ZERO_BY_KIND[kind] for name, kind in kinds.items()}
    lists = [name for name, kind in kinds.items() if kind == LIST]
    flags = [name for name, kind in kinds.items() if kind == FLAG]
    yield "full", FULL
    yield "empty", empty
    yield "zero", zero
    for size in (0, 1, 3):
        sized = {name: (THREE.get(name, FULL[name] * 3))[:size] for name in lists}
        yield f"lists of {size}", _values(FULL, **sized)
        yield f"lists of {size}, the rest empty", _values(empty, **sized)
    for combination in itertools.product([True, False], repeat=len(flags)):
        yield f"options {combination}", _values(FULL, **dict(zip(flags, combination, strict=True)))
    # Each value missing alone from a full convention.
    for name, kind in kinds.items():
        yield f"without {name}", _values(FULL, **{name: EMPTY_BY_KIND[kind]})


VARIANTS = list(_variants())


def test_the_library_covers_the_seed_conventions_subjects_with_known_variables():
    keys = [c.key for c in STANDARD_CLAUSES]
    assert len(keys) == len(set(keys))
    for subject in (
        "objet",
        "duree",
        "engagements-collectivite",
        "engagements-partenaire",
        "communication-logos",
        "donnees-personnelles",
        "evaluation",
        "comite-de-suivi",
        "resiliation",
        "litiges",
    ):
        assert subject in keys
    for clause in STANDARD_CLAUSES:
        assert set(rules.check_library_clause(clause.body)) <= {v.name for v in rules.VARIABLES}


@pytest.mark.parametrize("clause", STANDARD_CLAUSES, ids=lambda c: c.key)
def test_every_clause_renders_cleanly_for_every_value(clause):
    for label, values in VARIANTS:
        text = rules.render_clause(clause.body, values)
        assert glitches(text) == [], (clause.key, label, text)


def test_values_print_the_french_way_and_optional_parts_vanish():
    by_key = {c.key: c.body for c in STANDARD_CLAUSES}
    duration = rules.render_clause(by_key["duree"], FULL)
    assert duration == (
        "La présente convention prend effet à compter de la date de sa signature par la dernière des parties. "
        "Elle est conclue pour une durée de 3 ans, soit du 2 mai 2024 au 1er mai 2027 inclus."
    )
    money = rules.render_clause(by_key["soutien-financier"], FULL)
    assert "d'un montant de 15\u202f000,00\u00a0€, affecté" in money
    free = rules.render_clause(by_key["soutien-financier"], _values(FULL, montant=Decimal("0")))
    assert free.startswith("La présente convention est conclue à titre gratuit")
    perimeter = rules.render_clause(by_key["perimetre"], FULL)
    assert "- territoire : Montpellier, Castelnau-le-Lez et Lattes (34000, 34170 et 34970) ;\n- adresses :" in perimeter
    only_urls = rules.render_clause(by_key["perimetre"], _values(FULL, communes=[], codes_postaux=[]))
    assert "territoire" not in only_urls and "- adresses : https://signalement" in only_urls
    termination = rules.render_clause(by_key["resiliation"], _values(FULL, preavis="", comite_de_suivi=False))
    assert termination.startswith(
        "Chacune des parties peut résilier la présente convention à tout moment, par lettre recommandée avec "
        "accusé de réception."
    )
    data = rules.render_clause(by_key["donnees-personnelles"], _values(FULL, delai_retrait_donnees=""))
    assert "retrait" not in data and "inférieur" not in data
    partner = rules.render_clause(by_key["engagements-partenaire"], FULL)
    assert partner.startswith("L'association s'engage à :\n- fournir gratuitement l'accès à la console Backoffice.")


# --- Import ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_is_idempotent_and_keeps_what_the_organization_wrote(legal_user, organization, viewer_user):
    first = services.import_standard_library(user=legal_user, organization=organization)
    assert len(first.added) == len(STANDARD_CLAUSES) and first.kept == ()
    duration = ClauseTemplate.objects.get(organization=organization, key="duree")
    services.update_clause_template(user=legal_user, template=duration, title="Durée (Ville)", body="Trois ans.")
    services.set_clause_template_active(
        user=legal_user, template=ClauseTemplate.objects.get(organization=organization, key="litiges"), active=False
    )
    again = services.import_standard_library(user=legal_user, organization=organization)
    assert again.added == () and len(again.kept) == len(STANDARD_CLAUSES)
    assert ClauseTemplate.objects.filter(organization=organization).count() == len(STANDARD_CLAUSES)
    duration.refresh_from_db()
    assert (duration.title, duration.body) == ("Durée (Ville)", "Trois ans.")
    assert not ClauseTemplate.objects.get(organization=organization, key="litiges").is_active
    assert duration.history.last().history_change_reason == "Clause importée de la bibliothèque type"
    with pytest.raises(PermissionDenied):
        services.import_standard_library(user=viewer_user, organization=organization)


@pytest.mark.django_db
def test_import_from_the_library_page_and_by_command(client_for, legal_user, organization, other_organization):
    client = client_for(legal_user)
    page = client.get("/conventions/clauses/").content.decode()
    assert "Importer la bibliothèque type" in page
    response = client.post("/conventions/clauses/importer/", {"organization": organization.pk}, follow=True)
    html = response.content.decode()
    assert f"Bibliothèque type importée pour {organization.name} : {len(STANDARD_CLAUSES)} clause(s) ajoutée(s)" in html
    assert "Données personnelles" in html or "Protection des données personnelles" in html
    again = client.post("/conventions/clauses/importer/", {"organization": organization.pk}, follow=True)
    assert "a déjà toutes les clauses de la bibliothèque type" in again.content.decode()
    # Another organization's library is not touched, nor reachable.
    assert client.post("/conventions/clauses/importer/", {"organization": other_organization.pk}).status_code == 403
    assert not ClauseTemplate.objects.filter(organization=other_organization).exists()

    ClauseTemplate.objects.filter(organization=organization, key="objet").delete()
    out = StringIO()
    call_command("import_clause_library", user=legal_user.username, stdout=out)
    assert (
        f"{organization.name} : 1 clause(s) ajoutée(s), {len(STANDARD_CLAUSES) - 1} déjà présente(s)." in out.getvalue()
    )


# --- The demo ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_conventions_read_cleanly(client_for):
    from conventions import demo
    from conventions.models import Convention
    from parties import demo as parties_demo
    from tests.conventions.helpers import adopted_deliberation

    parties_demo.load()
    adopted_deliberation(parties_demo.organization("montpellier"), number="v2024-067")
    demo.load()
    for reference in ("FLAG-2024", "DDD-ECR-2024", "HEHOP-2023"):
        convention = Convention.objects.get(reference=reference)
        assert ClauseTemplate.objects.filter(organization=convention.organization).count() >= len(STANDARD_CLAUSES)
        values = services.clause_variables(convention)
        for clause in convention.clauses.all():
            text = rules.render_clause(clause.body, values)
            assert glitches(text) == [], (reference, clause.title, text)
    flag = services.clause_variables(Convention.objects.get(reference="FLAG-2024"))
    perimeter = ClauseTemplate.objects.get(organization__name__icontains="Montpellier", key="perimetre")
    assert "- territoire : Montpellier (34000, 34070, 34080 et 34090) ;" in rules.render_clause(perimeter.body, flag)


def test_the_checker_sees_the_glitches_of_the_former_library():
    from conventions.demo import LEGACY_CLAUSES

    empty = {v.name: EMPTY_BY_KIND[v.kind] for v in rules.VARIABLES}
    perimeter = rules.render_clause(LEGACY_CLAUSES["perimetre"], empty)
    assert {"empty parentheses", "semicolon before period"} <= set(glitches(perimeter))
    assert "meaningless zero" in glitches("Un délai qui ne peut être inférieur à 0 mois.")
    assert "Python value" in glitches(f"Codes : {['34000', '34070']}.")
    assert "template markup" in glitches("Pour une durée de {{ duree }}.")


@pytest.mark.django_db
def test_flag_demo_duration_article_reads_as_the_seed():
    from conventions import demo
    from conventions.models import Convention
    from parties import demo as parties_demo
    from tests.conventions.helpers import adopted_deliberation

    parties_demo.load()
    adopted_deliberation(parties_demo.organization("montpellier"), number="v2024-067")
    demo.load()
    flag = Convention.objects.get(reference="FLAG-2024")
    duration = flag.clauses.get(template__key="duree")
    assert rules.render_clause(duration.body, services.clause_variables(flag)) == (
        "La présente convention prend effet à compter de la date de sa signature par la dernière des parties. "
        "Elle est conclue pour une durée de 3 ans, soit du 2 mai 2024 au 1er mai 2027 inclus."
    )
    city = flag.clauses.get(template__key="engagements-collectivite")
    assert rules.render_clause(city.body, services.clause_variables(flag)).startswith(
        "La Ville s'engage à :\n- garantir la confidentialité des signalements et ne jamais chercher à identifier "
        "un signalant ;\n"
    )


@pytest.mark.django_db
def test_clause_page_previews_with_example_values_and_with_none(client_for, legal_user, organization):
    services.import_standard_library(user=legal_user, organization=organization)
    money = ClauseTemplate.objects.get(organization=organization, key="soutien-financier")
    page = client_for(legal_user).get(f"/conventions/clauses/{money.pk}/").content.decode()
    import html as html_module

    text = html_module.unescape(page)
    assert "La Ville apporte un soutien financier d'un montant de 15\u202f000,00\u00a0€" in text
    assert "La présente convention est conclue à titre gratuit" in text
    assert "designation_partenaire</code> — désignation du partenaire" in text


@pytest.mark.django_db
def test_demo_brings_the_former_demo_clauses_up_to_date_unless_edited(legal_user, organization):
    from conventions import demo

    legacy = demo.LEGACY_CLAUSES
    for key in ("perimetre", "comite-suivi", "duree"):
        services.save_clause_template(user=legal_user, organization=organization, key=key, title=key, body=legacy[key])
    edited = ClauseTemplate.objects.get(organization=organization, key="duree")
    services.update_clause_template(user=legal_user, template=edited, title="Durée", body="Trois ans, {{ duree }}.")
    library = demo._library(legal_user, organization)
    by_key = {c.key: c for c in STANDARD_CLAUSES}
    assert library["perimetre"].body == by_key["perimetre"].body
    assert "comite-suivi" not in library  # withdrawn: the standard library has "comite-de-suivi"
    assert not ClauseTemplate.objects.get(organization=organization, key="comite-suivi").is_active
    assert library["duree"].body == "Trois ans, {{ duree }}."  # edited since: left alone
    assert set(by_key) <= set(library)
