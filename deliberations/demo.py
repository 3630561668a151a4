"""Demo sittings, built through the services from the seeds (idempotent).

* Montpellier, conseil municipal of 26 March 2024: 65 members in office, 35 present,
  9 proxies, 21 absent; deliberation v2024-067 renewing the FLAG ! convention, adopted
  unanimously (44 / 0 / 0 / 0) by show of hands, signed on 8 April, transmitted and
  acknowledged (034-213401722-20240326-262151-CC-1-1) on 8 April, published on 9 April.
  Then v2024-068 (invented for the demo): a subsidy to an association (matière 7.5), whose
  convention the conventions demo signs, so that the open-data file of subsidies has rows.
* Aix-Marseille-Provence, conseil de territoire du Pays d'Aix of 12 December 2019:
  numbering {year}_CT2_{seq}, "NOM Prénom", "donne pouvoir à", a vote and a prise d'acte.

Both sittings are history: their list of deliberations and procès-verbal are published and
the recours period of their acts is over, so no years-old deadline shows as overdue.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import User
from deliberations import demo_convocations, services
from deliberations.models import (
    Assembly,
    AssemblyKind,
    Deliberation,
    ListSeparator,
    Mandate,
    NameStyle,
    NumberingCounter,
    NumberingRule,
    Sitting,
    SittingState,
)
from parties import demo as parties_demo
from parties.models import Organization, Person

PARIS = ZoneInfo("Europe/Paris")

# (first name, last name) as the seed extract writes them (OCR glitches corrected).
MONTPELLIER_PRESENT = [
    ("Tasnime", "Akbaraly"),
    ("Michel", "Aslanian"),
    ("Christian", "Assaf"),
    ("Yves", "Barral"),
    ("Boris", "Bellanger"),
    ("Christophe", "Bourdin"),
    ("Françoise", "Boutet-Waiss"),
    ("Véronique", "Brunet"),
    ("Elodie", "Brun-Mandon"),
    ("Emilie", "Cabello"),
    ("Michel", "Calvo"),
    ("Sébastien", "Cote"),
    ("Michaël", "Delafosse"),
    ("Jean-Dominique", "Delaveau"),
    ("Mickaël", "Diore"),
    ("Fanny", "Dombre-Coste"),
    ("Jacques", "Domergue"),
    ("Caroline", "Dufoix"),
    ("Maryse", "Faye"),
    ("Clare", "Hart"),
    ("Salim", "Jawhari"),
    ("Stéphane", "Jouault"),
    ("Mustapha", "Laoukiri"),
    ("Sophiane", "Mansouria"),
    ("Nicole", "Marin-Khoury"),
    ("Isabelle", "Marsala"),
    ("Hervé", "Martin"),
    ("Marie", "Massart"),
    ("Laurent", "Nison"),
    ("Yvan", "Nosbe"),
    ("Manu", "Reynaud"),
    ("Agnès", "Robin"),
    ("Séverine", "Saint-Martin"),
    ("Agnès", "Saurat"),
    ("Mikel", "Seblin"),
]
MONTPELLIER_PROXIES = [
    (("Eddine", "Ariztegui"), ("Marie", "Massart")),
    (("Roger-Yannick", "Chartier"), ("Nicole", "Marin-Khoury")),
    (("Julie", "Frêche"), ("Michaël", "Delafosse")),
    (("Clara", "Gimenez"), ("Hervé", "Martin")),
    (("Serge", "Guiseppin"), ("Salim", "Jawhari")),
    (("Mylvia", "Houguet"), ("Françoise", "Boutet-Waiss")),
    (("Radia", "Tikouk"), ("Stéphane", "Jouault")),
    (("Bernard", "Travier"), ("Isabelle", "Marsala")),
    (("Alban", "Zanchiello"), ("Sébastien", "Cote")),
]
MONTPELLIER_ABSENT = [
    ("Nadia", "Akil"),
    ("Luc", "Albernhe"),
    ("Mohed", "Altrad"),
    ("Georges", "Ardisson"),
    ("Alenka", "Doulain"),
    ("Abdi", "El Kandoussi"),
    ("Hind", "Emad"),
    ("Stéphanie", "Jannin"),
    ("Flora", "Labourier"),
    ("Mustapha", "Majdoul"),
    ("Coralie", "Mantion"),
    ("Patricia", "Miralles"),
    ("Fatma", "Nakib"),
    ("Clothilde", "Ollier"),
    ("Bruno", "Paternot"),
    ("Catherine", "Ribot"),
    ("Philippe", "Saurel"),
    ("Célia", "Serrano"),
    ("Joëlle", "Urbani"),
    ("François", "Vasquez"),
    ("Annie", "Yague"),
]
FEMALE = {
    "Tasnime",
    "Françoise",
    "Véronique",
    "Elodie",
    "Emilie",
    "Fanny",
    "Caroline",
    "Maryse",
    "Clare",
    "Sophiane",
    "Nicole",
    "Isabelle",
    "Marie",
    "Agnès",
    "Séverine",
    "Julie",
    "Clara",
    "Mylvia",
    "Radia",
    "Nadia",
    "Alenka",
    "Hind",
    "Stéphanie",
    "Flora",
    "Coralie",
    "Patricia",
    "Fatma",
    "Clothilde",
    "Catherine",
    "Célia",
    "Joëlle",
    "Annie",
    "Martine",
    "Sophie",
    "Anne",
    "Claire",
    "Hélène",
}

FLAG_TITLE = (
    "Lutte contre la haine LGBTQI+ - Convention de partenariat entre la Ville de Montpellier et l'association FLAG - "
    "Renouvellement - Approbation - Autorisation de signature"
)
FLAG_REPORT = """La lutte contre les actes de haine anti-LGBTQI+ occupe une place centrale dans la politique de lutte contre les discriminations mise en œuvre par la Ville de Montpellier. Une démarche spécifique de travail a, dès 2020, été initiée dans le cadre des travaux du Conseil Local de Sécurité et de Prévention de la Délinquance (CLSPD). Elle a conduit à la création d'une cellule de veille réunissant différents acteurs institutionnels et associatifs. Cette dernière s'est, au fil des mois, imposée comme un espace de travail sur les actions à mettre en place en réponse aux actes repérés de violence.
Le partenariat avec l'association « FLAG ! » a rapidement été identifié comme un levier essentiel au travail mené en faveur de la levée des freins au dépôt de plainte. L'application développée par l'association a, ces deux dernières années, contribué au repérage des violences commises sur le territoire de la ville. La multiplication des campagnes de communication et les partenariats initiés ont conduit « FLAG ! » à être localement populaire. Un total de 38 signalements a, ainsi, été enregistré sur la plate-forme entre janvier 2022 et décembre 2023.
La convention signée entre la Ville de Montpellier et l'association « FLAG ! » en mai 2021 précise les conditions d'accès à la console Backoffice de l'application. La consultation du détail des signalements effectués sur l'application a, ces 3 dernières années, permis à la Ville d'établir une cartographie précise des lieux où les actes de haine anti-LGBTQI+ ont été perpétrés, de mener diverses opérations de sécurisation et de définir des actions de prévention en direction des publics cibles.
Le bilan de la coopération entre la Ville et l'association est positif. La convention arrivant à échéance en mai 2024, il est donc proposé de reconduire le partenariat entre la Ville de Montpellier et l'association pour une nouvelle période de 3 ans."""
FLAG_OPERATIVE = """En conséquence, il est proposé au Conseil municipal :
- D'approuver les termes de la convention de renouvellement du partenariat entre la Ville de Montpellier et l'association « FLAG ! » ;
- D'autoriser Monsieur le Maire, ou son représentant, à signer la convention ainsi que tout document relatif à cette affaire."""

# The second item of the sitting, invented for the demo (the seed extract gives v2024-067
# only): a subsidy convention with an association, whose essential data the open-data file
# of subsidies publishes (above 23 000 €).
SUBSIDY_TITLE = (
    "Sport et éducation dans les quartiers - Convention pluriannuelle d'objectifs avec l'association Mosson "
    "Sport Éducation - Attribution d'une subvention de fonctionnement - Approbation - Autorisation de signature"
)
SUBSIDY_REPORT = """L'association Mosson Sport Éducation anime, dans le quartier de la Mosson, des ateliers sportifs et d'accompagnement scolaire pour les jeunes de 8 à 17 ans, en lien avec les établissements scolaires et les services municipaux.
Afin de soutenir son projet associatif pour la période 2024-2026, il est proposé de conclure avec elle une convention pluriannuelle d'objectifs et de lui attribuer une subvention de fonctionnement de 45 000 euros pour l'année 2024, versée en deux fois."""
SUBSIDY_OPERATIVE = """En conséquence, il est proposé au Conseil municipal :
- D'attribuer à l'association Mosson Sport Éducation une subvention de fonctionnement de 45 000 euros au titre de l'année 2024 ;
- D'approuver les termes de la convention pluriannuelle d'objectifs correspondante ;
- D'autoriser Monsieur le Maire, ou son représentant, à signer la convention ainsi que tout document relatif à cette affaire."""

AMP_MEMBERS = [
    ("Sophie", "Joissains", "head", "Présidente du conseil de territoire"),
    ("Gérard", "Bramoullé", "deputy", "Vice-président"),
    ("Jean-Pierre", "Serrus", "deputy", "Vice-président"),
    ("Anne", "Mérindol", "councillor", ""),
    ("Roger", "Pellenc", "councillor", ""),
    ("Hélène", "Castel", "councillor", ""),
    ("Michel", "Ruiz", "councillor", ""),
    ("Claire", "Bonnet", "councillor", ""),
    ("Patrick", "Ghigonetto", "councillor", ""),
    ("Martine", "Roux", "councillor", ""),
    ("Alain", "Lauze", "councillor", ""),
]


def _person(organization: Organization, first: str, last: str) -> Person:
    person = Person.objects.filter(organization=organization, first_name=first, last_name__iexact=last).first()
    if person is None:
        person = Person.objects.create(
            organization=organization, first_name=first, last_name=last, civility="Mme" if first in FEMALE else "M."
        )
    return person


def _pdf_bytes(title: str) -> bytes:
    """An annex as the préfecture receives it: @CTES transmits PDF files only."""
    from html import escape

    from documents.rendering import html_to_pdf

    return html_to_pdf(
        f"<html lang='fr'><body><h1>{escape(title)}</h1>"
        "<p>Convention de partenariat — annexe de la délibération.</p></body></html>"
    )


def _set_counter(assembly: Assembly, year: int, last_value: int) -> None:
    rule = NumberingRule.objects.get(assembly=assembly)
    NumberingCounter.objects.update_or_create(
        rule=rule, year=year if rule.yearly_reset else 0, defaults={"last_value": last_value}
    )


def _record_publication_steps(
    user: User, sitting: Sitting, *, list_on: date, minutes_approved_on: date, minutes_published_on: date
) -> None:
    """The steps that followed a historical sitting, each once (through the services), then
    its recours periods, long over, marked handled: no service records that nothing happened."""
    sitting.refresh_from_db()
    if sitting.list_published_on is None:
        sitting = services.publish_list(user=user, sitting=sitting, published_on=list_on)
    if sitting.state == SittingState.CLOSED:
        sitting = services.approve_minutes(user=user, sitting=sitting, approved_on=minutes_approved_on)
    if sitting.state == SittingState.MINUTES_APPROVED:
        services.publish_minutes(user=user, sitting=sitting, published_on=minutes_published_on)
    try:
        from reminders import services as reminders_services
        from reminders.models import Deadline
    except ImportError:  # the reminders app is optional for the demo
        return
    published = Deliberation.objects.filter(sitting=sitting, published_on__isnull=False)
    for deadline in Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Deliberation),
        object_id__in=published.values("pk"),
        kind="recours_end",
        handled_at__isnull=True,
    ):
        reminders_services.mark_handled(user=user, deadline=deadline)


def _generate_extracts(user: User, deliberations: list[Deliberation]) -> None:
    try:
        from deliberations.documents import generate_extract
    except ImportError:  # the documents app is optional for the demo
        return
    for deliberation in deliberations:
        deliberation.refresh_from_db()
        generate_extract(user=user, deliberation=deliberation)


def _montpellier_follow_up(user: User, sitting: Sitting) -> None:
    # The procès-verbal approved at the following sitting (demo date), published within the week.
    _record_publication_steps(
        user,
        sitting,
        list_on=date(2024, 3, 29),
        minutes_approved_on=date(2024, 5, 21),
        minutes_published_on=date(2024, 5, 24),
    )


def _aix_follow_up(user: User, sitting: Sitting) -> None:
    # The list published on the Monday after the sitting; the procès-verbal approved at the
    # following sitting (demo date), published within the week.
    _record_publication_steps(
        user,
        sitting,
        list_on=date(2019, 12, 16),
        minutes_approved_on=date(2020, 2, 13),
        minutes_published_on=date(2020, 2, 17),
    )


def load_montpellier(user: User) -> str:
    montpellier = parties_demo.organization("montpellier")
    assembly = Assembly.objects.filter(organization=montpellier, name="Conseil municipal").first()
    if assembly is None:
        assembly = services.create_assembly(
            user=user,
            organization=montpellier,
            kind=AssemblyKind.MUNICIPAL_COUNCIL,
            name="Conseil municipal",
            numbering_pattern="v{year}-{seq:03}",
            usual_place="Salle du Conseil",
            signature_city="Montpellier",
            president_title="Monsieur le Maire",
        )
    start = date(2020, 7, 3)
    everyone = [*MONTPELLIER_PRESENT, *(g for g, _h in MONTPELLIER_PROXIES), *MONTPELLIER_ABSENT]
    people = {}
    for first, last in everyone:
        person = _person(montpellier, first, last)
        people[(first, last)] = person
        if not Mandate.objects.filter(assembly=assembly, person=person).exists():
            role, function = "councillor", ""
            if last == "Delafosse":
                role, function = "head", "Maire"
            elif last == "Cote":
                role, function = "deputy", "Adjoint au Maire"
            services.add_mandate(
                user=user, assembly=assembly, person=person, start_date=start, role=role, function=function
            )
    demo_convocations.montpellier_addresses(
        user, assembly, people, no_address=MONTPELLIER_ABSENT[-1], on_paper=MONTPELLIER_ABSENT[-2]
    )
    demo_convocations.montpellier_next_sittings(user, assembly, people)
    existing = Sitting.objects.filter(assembly=assembly, starts_at__date=date(2024, 3, 26)).first()
    if existing is not None:
        _montpellier_follow_up(user, existing)
        return "Montpellier : séance du 26 mars 2024 déjà chargée."
    sitting = services.create_sitting(
        user=user,
        assembly=assembly,
        starts_at=datetime(2024, 3, 26, 18, 0, tzinfo=PARIS),
        place="Salle du Conseil",
        president=people[("Michaël", "Delafosse")],
    )
    _set_counter(assembly, 2024, 66)
    deliberation = services.create_deliberation(
        user=user,
        assembly=assembly,
        sitting=sitting,
        title=FLAG_TITLE,
        theme="Protection de la population et tranquillité publique",
        subject_code="1.4",
        rapporteur=people[("Sébastien", "Cote")],
        report=FLAG_REPORT,
        operative_part=FLAG_OPERATIVE,
    )
    subsidy = services.create_deliberation(
        user=user,
        assembly=assembly,
        sitting=sitting,
        title=SUBSIDY_TITLE,
        theme="Sports",
        subject_code="7.5",
        rapporteur=people[("Sébastien", "Cote")],
        report=SUBSIDY_REPORT,
        operative_part=SUBSIDY_OPERATIVE,
    )
    demo_convocations.convene_by_email(user, sitting, datetime(2024, 3, 20, 10, 0, tzinfo=PARIS))
    services.open_sitting(user=user, sitting=sitting, opened_at=datetime(2024, 3, 26, 18, 0, tzinfo=PARIS))
    statuses = {people[p].pk: "present" for p in MONTPELLIER_PRESENT}
    statuses.update({people[g].pk: "absent" for g, _h in MONTPELLIER_PROXIES})
    statuses.update({people[p].pk: "excused" for p in MONTPELLIER_ABSENT})
    services.set_attendances(user=user, sitting=sitting, statuses=statuses)
    for giver, holder in MONTPELLIER_PROXIES:
        services.register_proxy(
            user=user, sitting=sitting, giver=people[giver], holder=people[holder], written_on=date(2024, 3, 25)
        )
    for item in (deliberation, subsidy):
        services.record_vote(
            user=user,
            deliberation=item,
            method="show_of_hands",
            votes_for=44,
            votes_against=0,
            abstentions=0,
            not_voting=0,
        )
    services.close_sitting(user=user, sitting=sitting, closed_at=datetime(2024, 3, 26, 22, 0, tzinfo=PARIS))
    services.publish_list(user=user, sitting=sitting, published_on=date(2024, 3, 29))
    # The annex keeps the name the register gives it ("….docx", as in the real extract); the
    # file is the PDF @CTES transmits (it takes PDF files only).
    services.add_annex(
        user=user,
        deliberation=deliberation,
        upload=SimpleUploadedFile(
            "Convention Ville - FLAG! 2024-2027.pdf", _pdf_bytes("Convention Ville - FLAG! 2024-2027")
        ),
        title="Convention Ville - FLAG! 2024-2027.docx",
        type_code="99_AU",
    )
    services.sign(user=user, deliberation=deliberation, signed_on=date(2024, 4, 8))
    services.record_transmission(
        user=user,
        deliberation=deliberation,
        sent_on=date(2024, 4, 8),
        nature="CC",
        internal_number="262151",
        received_on=date(2024, 4, 8),
        acknowledgement_id="034-213401722-20240326-262151-CC-1-1",
    )
    services.publish(user=user, deliberation=deliberation, published_on=date(2024, 4, 9))
    services.sign(user=user, deliberation=subsidy, signed_on=date(2024, 4, 8))
    services.record_transmission(
        user=user,
        deliberation=subsidy,
        sent_on=date(2024, 4, 8),
        nature="DE",
        internal_number="262152",
        received_on=date(2024, 4, 8),
        acknowledgement_id="034-213401722-20240326-262152-DE",
    )
    services.publish(user=user, deliberation=subsidy, published_on=date(2024, 4, 9))
    _generate_extracts(user, [deliberation, subsidy])
    _montpellier_follow_up(user, sitting)
    return "Montpellier : conseil municipal du 26 mars 2024, délibérations v2024-067 et v2024-068 (exécutoires)."


def load_aix_territory(user: User) -> str:
    amp = parties_demo.organization("amp")
    assembly = Assembly.objects.filter(organization=amp, name="Conseil de territoire du Pays d'Aix").first()
    if assembly is None:
        assembly = services.create_assembly(
            user=user,
            organization=amp,
            kind=AssemblyKind.TERRITORY_COUNCIL,
            name="Conseil de territoire du Pays d'Aix",
            numbering_pattern="{year}_CT2_{seq}",
            usual_place="Hôtel de Boadès, Aix-en-Provence",
            signature_city="Aix-en-Provence",
            president_title="Madame la Présidente",
            name_style=NameStyle.LAST_FIRST,
            list_separator=ListSeparator.DASH,
            proxy_wording="donne pouvoir à",
            information_wording="prend acte de la communication",
        )
    people = []
    for first, last, role, function in AMP_MEMBERS:
        person = _person(amp, first, last)
        people.append(person)
        if not Mandate.objects.filter(assembly=assembly, person=person).exists():
            services.add_mandate(
                user=user, assembly=assembly, person=person, start_date=date(2014, 4, 25), role=role, function=function
            )
    existing = Sitting.objects.filter(assembly=assembly, starts_at__date=date(2019, 12, 12)).first()
    if existing is not None:
        _aix_follow_up(user, existing)
        return "Aix-Marseille-Provence : séance du 12 décembre 2019 déjà chargée."
    sitting = services.create_sitting(
        user=user,
        assembly=assembly,
        starts_at=datetime(2019, 12, 12, 17, 30, tzinfo=PARIS),
        place="Hôtel de Boadès, Aix-en-Provence",
        president=people[0],
        secretary=people[3],
    )
    services.convene(user=user, sitting=sitting, convocation_date=date(2019, 12, 5))
    _set_counter(assembly, 2019, 586)
    vote_item = services.create_deliberation(
        user=user,
        assembly=assembly,
        sitting=sitting,
        rapporteur=people[1],
        subject_code="1.4",
        title="Égalité contre le racisme - Convention de partenariat avec le Défenseur des droits - Approbation",
        theme="Cohésion sociale",
        report="Le Défenseur des droits propose aux collectivités une convention de partenariat de trois ans pour "
        "lutter contre les discriminations fondées sur l'origine.",
        operative_part="Article 1 : La convention de partenariat avec le Défenseur des droits est approuvée.\n"
        "Article 2 : Madame la Présidente est autorisée à la signer.",
    )
    info_item = services.create_deliberation(
        user=user,
        assembly=assembly,
        sitting=sitting,
        rapporteur=people[2],
        kind="information",
        theme="Administration",
        requires_transmission=False,
        title="Rapport d'activité 2018 du conseil de territoire - Communication",
        report="Le rapport d'activité de l'année 2018 est présenté au conseil de territoire.",
    )
    services.open_sitting(user=user, sitting=sitting, opened_at=datetime(2019, 12, 12, 17, 30, tzinfo=PARIS))
    statuses = {p.pk: "present" for p in people[:8]}
    statuses.update({people[8].pk: "absent", people[9].pk: "excused", people[10].pk: "excused"})
    services.set_attendances(user=user, sitting=sitting, statuses=statuses)
    services.register_proxy(
        user=user, sitting=sitting, giver=people[8], holder=people[4], written_on=date(2019, 12, 10)
    )
    services.record_vote(user=user, deliberation=vote_item, votes_for=7, votes_against=1, abstentions=1, not_voting=0)
    services.take_note(user=user, deliberation=info_item)
    services.close_sitting(user=user, sitting=sitting, closed_at=datetime(2019, 12, 12, 19, 0, tzinfo=PARIS))
    for item in (vote_item, info_item):
        services.sign(user=user, deliberation=item, signed_on=date(2019, 12, 12))
    services.record_transmission(
        user=user,
        deliberation=vote_item,
        sent_on=date(2019, 12, 13),
        nature="DE",
        internal_number="2019_CT2_587",
        received_on=date(2019, 12, 13),
        acknowledgement_id="013-200054807-20191212-2019_CT2_587-DE",
    )
    for item in (vote_item, info_item):
        services.publish(user=user, deliberation=item, published_on=date(2019, 12, 16))
    _generate_extracts(user, [vote_item, info_item])
    _aix_follow_up(user, sitting)
    return (
        "Aix-Marseille-Provence : conseil de territoire du Pays d'Aix du 12 décembre 2019 (2019_CT2_587, 2019_CT2_588)."
    )


def load() -> list[str]:
    """Load both demo sittings; nothing to print (the accounts are listed by parties.demo)."""
    user = User.objects.get(username="admin")
    load_montpellier(user)
    load_aix_territory(user)
    return []
