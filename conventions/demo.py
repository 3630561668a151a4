"""Demo conventions from the seeds (FLAG ! — Montpellier, Défenseur des droits — Aix-Marseille-
Provence, HeHop — Villeneuve-la-Garenne), and a subsidy convention invented for the demo
(Mosson Sport Éducation — Montpellier) so that the open-data file of subsidies has rows. Idempotent: a convention found by its reference is
left as it is. Everything goes through the services, with explicit dates."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

from django.db.models import Q

from conventions import services
from conventions.models import ClauseTemplate, Convention, Programme
from conventions.standard_clauses import STANDARD_CLAUSES
from core.errors import DomainError
from core.models import User
from parties import demo as parties_demo

# The clauses earlier demo data held, by code and text: replaced by the standard library's
# clause of the same code when never edited since, withdrawn when the library has none.
LEGACY_CLAUSES = {
    "duree": "La présente convention est conclue pour une durée de {{ duree }} à compter de la date de sa signature "
    "par les parties.",
    "resiliation-tout-moment": "Elle peut être dénoncée à tout moment par chacune des parties, par lettre recommandée "
    "avec accusé de réception.",
    "resiliation-preavis": "Elle peut être modifiée par voie d'avenant ou dénoncée, avec un préavis de {{ preavis }}, "
    "par lettre recommandée avec accusé de réception, à la demande de l'une des parties. Le partenaire dispose d'un "
    "délai qui ne peut être inférieur à {{ delai_retrait_donnees }} pour retirer ses dispositifs et données.",
    "perimetre": "L'accès est limité au périmètre fonctionnel et géographique du partenaire : {{ communes }} "
    "({{ codes_postaux }}) ; {{ urls }}.",
    "comite-suivi": "Il est institué un comité de suivi. Il se réunit sur convocation, dans un délai qui, sauf "
    "urgence, ne peut être inférieur à quinze jours ouvrés.",
}


def _admin() -> User:
    return User.objects.get(username="admin")


def _library(user: User, organization: Any) -> dict[str, ClauseTemplate]:
    """The organization's library with the standard clauses (imported once; the clauses of
    earlier demo data brought up to date unless edited since)."""
    standard = {c.key: c for c in STANDARD_CLAUSES}
    for template in ClauseTemplate.objects.filter(organization=organization, key__in=list(LEGACY_CLAUSES)):
        if template.body != LEGACY_CLAUSES[template.key]:
            continue
        if template.key in standard:
            clause = standard[template.key]
            services.save_clause_template(
                user=user,
                organization=organization,
                key=clause.key,
                title=clause.title,
                category=clause.category,
                body=clause.body,
            )
        elif template.is_active:
            services.set_clause_template_active(user=user, template=template, active=False)
    services.import_standard_library(user=user, organization=organization)
    return {t.key: t for t in ClauseTemplate.objects.filter(organization=organization, is_active=True)}


def _articles(user: User, convention: Convention, library: dict[str, ClauseTemplate], keys: list[str]) -> None:
    for key in keys:
        services.add_clause_from_library(user=user, convention=convention, template=library[key])


def _designate(user: User, convention: Convention, designation: str) -> None:
    """How the convention names its owner ("la Ville"), used by the clauses."""
    owner = convention.parties.get(organization_id=convention.organization_id)
    services.update_party(user=user, party=owner, designation=designation)


def _deliberation(organization: Any, number: str) -> Any:
    from deliberations.models import Deliberation

    return (
        Deliberation.objects.filter(assembly__organization=organization)
        .filter(Q(number__iexact=number) | Q(number__icontains=number.lstrip("vV")))
        .select_related("assembly", "sitting")
        .first()
    )


def _sign_all(user: User, convention: Convention, dates: list[date]) -> Convention:
    services.send_for_signature(user=user, convention=convention, sent_on=min(dates))
    for party, day in zip(convention.parties.order_by("position"), dates, strict=True):
        services.record_signature(user=user, convention=convention, party=party, signed_on=day, today=max(dates))
    return Convention.objects.get(pk=convention.pk)


def _flag(user: User, lines: list[str]) -> None:
    montpellier = parties_demo.organization("montpellier")
    if Convention.objects.filter(organization=montpellier, reference="FLAG-2024").exists():
        return
    flag = parties_demo.organization("flag")
    library = _library(user, montpellier)
    manager = User.objects.filter(username="gestionnaire").first()
    convention = services.create_convention(
        user=user,
        organization=montpellier,
        reference="FLAG-2024",
        title="Application FLAG ! — accès à la console Backoffice",
        object="Fixer les conditions dans lesquelles l'association « FLAG ! » donne à la Ville un accès à la "
        "console Backoffice permettant de consulter le détail des signalements effectués sur l'application.",
        kind="backoffice",
        service="Protection de la population et tranquillité publique",
        manager=manager,
        duration_months=36,
        renewal="express",
        termination_mode="any_time",
        termination_by_registered_letter=True,
        perimeter_communes=["Montpellier"],
        perimeter_postal_codes=["34 000", "34 070", "34 080", "34 090"],
        perimeter_urls=["https://signalement.flagasso.com/reporting/partner/montpellier"],
        today=date(2024, 3, 12),
    )
    services.add_party(user=user, convention=convention, organization=flag, designation="l'association")
    _designate(user, convention, "la Ville")
    city, association = convention.parties.order_by("position")
    for text in [
        "Porter la maîtrise d'ouvrage du projet (application mobile, tunnel de signalement web, console Backoffice).",
        "Fournir gratuitement à la Ville l'accès à la console Backoffice.",
        "Donner accès aux seuls signalements du périmètre de la Ville au statut « terminé », anonymisés.",
    ]:
        services.add_obligation(user=user, convention=convention, party=association, description=text)
    for text in [
        "Garantir la confidentialité des signalements et ne jamais chercher à identifier un signalant.",
        "Signaler immédiatement toute information identifiante, faille de sécurité ou anomalie.",
        "Mettre en place un lien vers le dispositif sur le site internet de la Ville.",
        "Communiquer sur son périmètre de l'existence de l'application FLAG !.",
    ]:
        services.add_obligation(user=user, convention=convention, party=city, description=text)
    _articles(
        user,
        convention,
        library,
        ["objet", "engagements-partenaire", "perimetre", "engagements-collectivite", "donnees-personnelles", "duree"]
        + ["resiliation", "litiges"],
    )
    services.submit_for_review(user=user, convention=convention)
    deliberation = _deliberation(montpellier, "v2024-067")
    if deliberation is None:
        lines.append("FLAG-2024 : délibération v2024-067 absente, convention laissée en relecture juridique")
        return
    try:
        services.approve_convention(user=user, convention=convention, deliberations=[deliberation])
    except DomainError as exc:
        lines.append(f"FLAG-2024 : approbation impossible ({exc.message}), convention laissée en relecture")
        return
    _sign_all(user, convention, [date(2024, 4, 29), date(2024, 5, 2)][::-1])


def _ddd(user: User) -> None:
    amp = parties_demo.organization("amp")
    if Convention.objects.filter(organization=amp, reference="DDD-ECR-2024").exists():
        return
    ddd = parties_demo.organization("ddd")
    library = _library(user, amp)
    mobilisation = Programme.objects.filter(organization=amp, name="Mobilisation Egalité contre racisme").first()
    if mobilisation is None:
        mobilisation = services.create_programme(
            user=user,
            organization=amp,
            name="Mobilisation Egalité contre racisme",
            kind="mobilisation",
            coordinator=ddd,
            description="Mobilisation lancée par le Défenseur des droits et plateforme numérique Egalité contre "
            "racisme ; un comité de suivi pour tous les partenaires.",
        )
    plan = Programme.objects.filter(
        organization=amp, name="Plan métropolitain de lutte contre les discriminations"
    ).first()
    if plan is None:
        plan = services.create_programme(
            user=user,
            organization=amp,
            name="Plan métropolitain de lutte contre les discriminations",
            kind="plan",
            description="Plan d'action de la Métropole, avec un fonds annuel d'initiatives.",
            start_date=date(2024, 1, 1),
        )
        services.set_budget(
            user=user, programme=plan, year=2024, amount=Decimal("60000"), initiative_fund=Decimal("15000")
        )
    convention = services.create_convention(
        user=user,
        organization=amp,
        reference="DDD-ECR-2024",
        title="Mobilisation Egalité contre racisme — convention de partenariat",
        object="Définir les conditions et modalités de partenariat entre le Défenseur des droits et le partenaire "
        "dans le cadre de la mobilisation Egalité contre racisme et de sa plateforme numérique.",
        kind="partnership",
        programme=mobilisation,
        duration_months=36,
        termination_mode="notice",
        termination_notice_value=2,
        termination_by_registered_letter=True,
        data_withdrawal_value=1,
        after_termination="Le partenaire laisse au Défenseur des droits un délai d'au moins un mois pour retirer ses "
        "dispositifs et données de la plateforme.",
        annual_evaluation=True,
        has_committee=True,
        today=date(2024, 2, 1),
    )
    services.add_party(user=user, convention=convention, organization=ddd, designation="le Défenseur des droits")
    _designate(user, convention, "la Métropole")
    metropole, defender = convention.parties.order_by("position")
    services.add_obligation(
        user=user,
        convention=convention,
        party=metropole,
        description="Rendre visible le site egalitecontreracisme.fr sur une page dédiée de son site.",
        first_due_date=date(2024, 6, 30),
    )
    services.add_obligation(
        user=user,
        convention=convention,
        party=metropole,
        description="Tenir le Défenseur des droits informé de l'évolution de ses dispositifs.",
        recurrence="yearly",
        first_due_date=date(2024, 12, 31),
    )
    services.add_obligation(
        user=user,
        convention=convention,
        party=defender,
        description="Assurer la coordination, l'animation et le soutien technique de la plateforme.",
    )
    _articles(
        user,
        convention,
        library,
        ["objet", "engagements-collectivite", "engagements-partenaire", "communication-logos", "donnees-personnelles"]
        + ["comite-de-suivi", "litiges", "duree", "evaluation", "modification", "resiliation"],
    )
    services.submit_for_review(user=user, convention=convention)
    services.approve_convention(
        user=user, convention=convention, delegated_reference="DEC-2024-0113", delegated_date=date(2024, 2, 20)
    )
    convention = _sign_all(user, convention, [date(2024, 3, 11), date(2024, 3, 15)])
    amendment = services.create_amendment(
        user=user,
        convention=convention,
        title="Description des dispositifs du partenaire",
        object="Préciser, conformément à l'article 1, les dispositifs que la Métropole communique à la plateforme.",
        new_clause_title="Dispositifs du partenaire",
        new_clause_body="{{ collectivite }} communique à titre gratuit au Défenseur des droits son réseau d'accueil "
        "des victimes de discriminations et ses permanences juridiques.",
    )
    services.approve_amendment(
        user=user, amendment=amendment, delegated_reference="DEC-2024-0790", delegated_date=date(2024, 9, 16)
    )
    services.send_amendment_for_signature(user=user, amendment=amendment)
    # Each party signs the avenant on its own day; it applies at the Défenseur des droits' signature.
    for party, day in zip((metropole, defender), [date(2024, 9, 26), date(2024, 10, 1)], strict=True):
        services.sign_amendment(user=user, amendment=amendment, party=party, signed_on=day, today=date(2024, 10, 1))
    committee = services.create_committee(
        user=user,
        name="Comité de suivi de la mobilisation Egalité contre racisme",
        programme=mobilisation,
        description="Composé de représentants des partenaires désignés par le Défenseur des droits (art. 4.2).",
    )
    claire = services.add_member(
        user=user, committee=committee, full_name="Claire HÉDON", organization=ddd, role="la Défenseure des droits"
    )
    martine = services.add_member(
        user=user, committee=committee, full_name="Martine VASSAL", organization=amp, role="la Présidente"
    )
    meeting = services.plan_meeting(
        user=user,
        committee=committee,
        meeting_date=date(2024, 5, 29),
        starts_at=time(10, 0),
        location="Paris, siège du Défenseur des droits",
        agenda="Campagne de promotion 2024\nÉvolution de la plateforme\nDispositifs des nouveaux partenaires",
    )
    services.convene_meeting(user=user, meeting=meeting, sent_on=date(2024, 5, 2))
    services.record_meeting(
        user=user,
        meeting=meeting,
        present_member_ids=[claire.pk, martine.pk],
        minutes="Le comité examine la campagne de promotion et la mise en ligne des dispositifs des partenaires.",
    )
    services.record_decision(user=user, meeting=meeting, text="Lancer la campagne de promotion à l'automne 2024.")


def _hehop(user: User) -> None:
    vlg = parties_demo.organization("vlg")
    if Convention.objects.filter(organization=vlg, reference="HEHOP-2023").exists():
        return
    hehop = parties_demo.organization("hehop")
    library = _library(user, vlg)
    manager = User.objects.filter(username="gestionnaire-vlg").first()
    convention = services.create_convention(
        user=user,
        organization=vlg,
        reference="HEHOP-2023",
        title="Promotion de l'application HeHop",
        object="Soutien de la Ville à l'association HeHop : communication et mise à disposition de locaux.",
        kind="communication",
        manager=manager,
        duration_months=12,
        renewal="tacit",
        tacit_renewals_allowed=2,
        renewal_notice_value=2,
        termination_mode="notice",
        termination_notice_value=1,
        today=date(2023, 1, 10),
    )
    services.add_party(user=user, convention=convention, organization=hehop, designation="l'association")
    _designate(user, convention, "la Ville")
    city, association = convention.parties.order_by("position")
    for text, recurrence, due in [
        ("Présenter l'application dans le journal municipal.", "quarterly", date(2023, 3, 31)),
        ("Présenter l'application sur le site internet de la Ville.", "once", date(2023, 3, 1)),
        ("Mettre à disposition des locaux pour les réunions d'information.", "once", None),
        ("Convier HeHop aux colloques et événements de la Ville.", "once", None),
    ]:
        services.add_obligation(
            user=user, convention=convention, party=city, description=text, recurrence=recurrence, first_due_date=due
        )
    services.add_obligation(
        user=user,
        convention=convention,
        party=association,
        description="Fournir stickers, marque-pages, flyers et affiches personnalisables.",
    )
    _articles(
        user,
        convention,
        library,
        ["objet", "engagements-collectivite", "engagements-partenaire", "communication-logos", "duree"]
        + ["renouvellement", "resiliation", "litiges"],
    )
    services.submit_for_review(user=user, convention=convention)
    services.approve_convention(
        user=user, convention=convention, delegated_reference="DM-2023-014", delegated_date=date(2023, 1, 23)
    )
    _sign_all(user, convention, [date(2023, 2, 1), date(2023, 2, 3)])


def _subsidy(user: User, lines: list[str]) -> None:
    """A subsidy above 23 000 € (its essential data must be published), approved by v2024-068
    and raised by an avenant. The association is invented for the demo: its SIRET and RNA
    number (fixtures/demo/parties.json) are plausible, not a real association's."""
    montpellier = parties_demo.organization("montpellier")
    if Convention.objects.filter(organization=montpellier, reference="CPO-MSE-2024").exists():
        return
    deliberation = _deliberation(montpellier, "v2024-068")
    if deliberation is None:
        lines.append("CPO-MSE-2024 : délibération v2024-068 absente, convention de subvention non chargée")
        return
    association = parties_demo.organization("mse")
    convention = services.create_convention(
        user=user,
        organization=montpellier,
        reference="CPO-MSE-2024",
        title="Convention pluriannuelle d'objectifs 2024-2026 — Mosson Sport Éducation",
        object="Soutenir le projet associatif de Mosson Sport Éducation : ateliers sportifs et accompagnement "
        "scolaire des jeunes de 8 à 17 ans du quartier de la Mosson.",
        kind="financial",
        amount=Decimal("45000"),
        service="Sports",
        manager=User.objects.filter(username="gestionnaire").first(),
        duration_months=36,
        renewal="express",
        termination_mode="notice",
        termination_notice_value=2,
        termination_by_registered_letter=True,
        subsidy_nature="cash",
        payment_terms="instalments",
        payment_start=date(2024, 5, 15),
        payment_end=date(2024, 10, 15),
        aid_scheme="Soutien aux associations sportives et éducatives",
        today=date(2024, 3, 12),
    )
    services.add_party(user=user, convention=convention, organization=association, designation="l'association")
    city, partner = convention.parties.order_by("position")
    services.add_obligation(
        user=user,
        convention=convention,
        party=city,
        description="Verser la subvention en deux fois : 60 % à la signature, le solde en octobre.",
    )
    services.add_obligation(
        user=user,
        convention=convention,
        party=partner,
        description="Remettre le compte rendu financier de l'action dans les six mois suivant la fin de l'exercice.",
        recurrence="yearly",
        first_due_date=date(2025, 6, 30),
    )
    services.submit_for_review(user=user, convention=convention)
    try:
        services.approve_convention(user=user, convention=convention, deliberations=[deliberation])
    except DomainError as exc:
        lines.append(f"CPO-MSE-2024 : approbation impossible ({exc.message}), convention laissée en relecture")
        return
    convention = _sign_all(user, convention, [date(2024, 4, 15), date(2024, 4, 12)])
    # The summer programme added in June raised the subsidy; the avenant is given here by the
    # reference of its decision (the council sitting that approved it is not in the demo).
    amendment = services.create_amendment(
        user=user,
        convention=convention,
        title="Programme d'été 2024 — subvention complémentaire",
        object="Porter la subvention 2024 à 52 000 € pour les stages sportifs de l'été dans le quartier.",
        new_amount=Decimal("52000"),
    )
    services.approve_amendment(
        user=user, amendment=amendment, delegated_reference="DEC-2024-0687", delegated_date=date(2024, 6, 18)
    )
    services.send_amendment_for_signature(user=user, amendment=amendment)
    for party, day in zip((city, partner), [date(2024, 6, 24), date(2024, 6, 21)], strict=True):
        services.sign_amendment(user=user, amendment=amendment, party=party, signed_on=day, today=date(2024, 6, 24))


def load() -> list[str]:
    user = _admin()
    lines: list[str] = []
    # Every demo collectivité has the standard library, even when its conventions were loaded before.
    for slug in ("montpellier", "amp", "vlg"):
        _library(user, parties_demo.organization(slug))
    _flag(user, lines)
    _ddd(user)
    _hehop(user)
    _subsidy(user, lines)
    moved = services.apply_dates()
    return [*lines, *[f"Conventions : {line}" for line in moved]]
