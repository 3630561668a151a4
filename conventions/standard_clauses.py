"""The standard clause library ("bibliothèque type") shipped with Conventio.

Written from the partnership conventions the product was designed from: the Défenseur des
droits' "Egalité contre racisme" convention (objet, engagements, logos and data, comité de
suivi convened fifteen working days ahead, médiation, two months' notice by registered letter,
one month to withdraw a partner's data), the FLAG ! convention of Montpellier (back-office
access limited to a perimeter, confidentiality of reports, termination at any time) and the
conventions HeHop adapts to each commune (communication, premises, tacit renewal).

Each clause is a template of :mod:`conventions.rules.clauses`: its variables are those of
``rules.VARIABLES``; every optional part sits in ``{% if … %}`` so that it vanishes, with its
punctuation, when the convention has no such value. A designation ("la Ville", "l'association")
is always the subject of its sentence or follows "par", never "à" or "de", so that "le
partenaire" never reads "à le partenaire".

An organization imports the library once (page "Bibliothèque de clauses" or the command
``import_clause_library``); clauses it already has (same code) are left as it wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StandardClause:
    key: str
    title: str
    category: str
    body: str


# Shorthands used in the texts below: the parties as the convention designates them.
_CITY = '{{ designation_collectivite or "la collectivité" }}'
_CITY_CAP = '{{ (designation_collectivite or "la collectivité")|majuscule }}'
_PARTNER = '{{ designation_partenaire or "le partenaire" }}'
_PARTNER_CAP = '{{ (designation_partenaire or "le partenaire")|majuscule }}'


def _engagements(items: str, subject: str) -> str:
    """An engagements article: the items as a list, or a general undertaking when there are none."""
    return (
        f"{{% if {items} %}}\n"
        f"{subject} s'engage à :\n"
        f"{{% for engagement in {items} %}}\n"
        "- {{ engagement }}{% if loop.last %}.{% else %} ;{% endif %}\n\n"
        "{% endfor %}\n"
        "{% else %}\n"
        f"{subject} s'engage à exécuter de bonne foi les actions qui lui incombent au titre de la présente "
        "convention.\n"
        "{% endif %}\n"
        f"{subject} tient l'autre partie informée, dans les meilleurs délais, de toute difficulté rencontrée "
        "dans l'exécution de ces engagements."
    )


STANDARD_CLAUSES: tuple[StandardClause, ...] = (
    StandardClause(
        "objet",
        "Objet de la convention",
        "Objet",
        "La présente convention{% if intitule %}, intitulée « {{ intitule }} »,{% endif %} a pour objet de définir "
        "les conditions et modalités du partenariat entre "
        '{{ collectivite or "la collectivité" }} et {{ partenaire or "son partenaire" }}'
        "{% if programme %}, dans le cadre du programme « {{ programme }} »{% endif %}.\n"
        "{% if objet %}\n"
        "Les parties en précisent ainsi l'objet : {{ objet }}.\n"
        "{% endif %}\n\n"
        "En tant que de besoin, ses dispositions peuvent être complétées par voie d'avenant pour préciser les "
        "modalités de la collaboration.",
    ),
    StandardClause(
        "duree",
        "Durée et prise d'effet",
        "Durée",
        'La présente convention prend effet {{ prise_effet or "à compter de sa signature par les parties" }}.'
        "{% if duree %}\n"
        " Elle est conclue pour une durée de {{ duree }}"
        "{% if date_debut and date_fin %}, soit du {{ date_debut }} au {{ date_fin }} inclus{% endif %}."
        "{% elif date_fin %}\n"
        " Elle s'applique jusqu'au {{ date_fin }} inclus."
        "{% endif %}",
    ),
    StandardClause(
        "renouvellement",
        "Renouvellement",
        "Durée",
        "{% if reconduction_tacite %}\n"
        "À son échéance, la présente convention est reconduite tacitement pour une durée identique"
        "{% if reconductions %}, {{ reconductions }} fois au plus{% endif %}, sauf dénonciation par l'une des parties"
        "{% if preavis_reconduction %} notifiée au moins {{ preavis_reconduction }} avant son échéance{% endif %}"
        "{% if lettre_recommandee %} par lettre recommandée avec accusé de réception{% endif %}.\n"
        "{% else %}\n"
        "La présente convention n'est pas reconduite tacitement. Son renouvellement fait l'objet d'une nouvelle "
        "convention, approuvée et signée dans les mêmes formes.\n"
        "{% endif %}",
    ),
    StandardClause(
        "engagements-collectivite",
        "Engagements de la collectivité",
        "Engagements",
        _engagements("engagements_collectivite", _CITY_CAP),
    ),
    StandardClause(
        "engagements-partenaire",
        "Engagements du partenaire",
        "Engagements",
        _engagements("engagements_partenaire", _PARTNER_CAP),
    ),
    StandardClause(
        "soutien-financier",
        "Dispositions financières",
        "Engagements",
        "{% if montant %}\n"
        f"{_CITY_CAP} apporte un soutien financier d'un montant de {{{{ montant }}}}, affecté exclusivement à la "
        f"réalisation de l'objet de la présente convention. {_PARTNER_CAP} en justifie l'emploi lors de "
        "l'évaluation prévue par la présente convention ; toute somme non employée conformément à cet objet est "
        "reversée.\n"
        "{% else %}\n"
        "La présente convention est conclue à titre gratuit : aucune contrepartie financière n'est due par l'une "
        "des parties à l'autre.\n"
        "{% endif %}",
    ),
    StandardClause(
        "perimetre",
        "Périmètre",
        "Objet",
        "{% if communes or codes_postaux or urls %}\n"
        "L'accès ouvert au titre de la présente convention est limité au périmètre fonctionnel et géographique "
        "suivant :\n"
        "{% if communes %}\n"
        "- territoire : {{ communes|liste }}{% if codes_postaux %} ({{ codes_postaux|liste }}){% endif %}"
        "{% if urls %} ;{% else %}.{% endif %}\n\n"
        "{% elif codes_postaux %}\n"
        "- codes postaux : {{ codes_postaux|liste }}{% if urls %} ;{% else %}.{% endif %}\n\n"
        "{% endif %}\n"
        "{% if urls %}\n"
        "- adresses : {{ urls|liste }}.\n\n"
        "{% endif %}\n"
        "Aucune donnée extérieure à ce périmètre n'est rendue accessible.\n"
        "{% else %}\n"
        "Le périmètre de la présente convention est celui de la compétence territoriale de la collectivité.\n"
        "{% endif %}",
    ),
    StandardClause(
        "communication-logos",
        "Communication et logos",
        "Communication",
        "Les parties coopèrent étroitement à la bonne réalisation des actions de communication liées à "
        "l'exécution de la présente convention"
        "{% if intitule %} et mentionnent clairement « {{ intitule }} » dans chacune d'elles{% endif %}.\n\n"
        "Chaque partie autorise l'autre à reproduire son nom et son logo, sans modification, aux seules fins de "
        "la promotion du partenariat et pendant la durée de la présente convention. Toute autre utilisation est "
        "soumise à l'accord préalable et écrit de la partie concernée. Chaque partie demeure propriétaire de ses "
        "marques, logos et contenus ; la présente convention n'emporte aucune cession de droits de propriété "
        "intellectuelle.\n"
        "{% if montant %}\n\n"
        f"En raison du soutien financier qu'elle reçoit, {_PARTNER} fait figurer le logo de la collectivité "
        "parmi ceux de ses partenaires sur ses supports de communication.\n"
        "{% endif %}",
    ),
    StandardClause(
        "donnees-personnelles",
        "Protection des données personnelles",
        "Données",
        "Chacune des parties respecte, pour les traitements de données à caractère personnel qu'elle met en "
        "œuvre dans le cadre de la présente convention, le règlement (UE) 2016/679 du Parlement européen et du "
        "Conseil du 27 avril 2016 (règlement général sur la protection des données) et la loi n° 78-17 du "
        "6 janvier 1978 relative à l'informatique, aux fichiers et aux libertés. Chacune est responsable des "
        "traitements qu'elle met en œuvre.\n\n"
        "Les données échangées ne sont utilisées qu'aux seules fins de l'exécution de la présente convention ; "
        "elles ne sont ni cédées ni communiquées à des tiers non autorisés. Les parties prennent les mesures "
        "techniques et organisationnelles propres à en garantir la sécurité et la confidentialité. Elles "
        "s'informent sans délai de toute violation de données, faille de sécurité ou anomalie de "
        "fonctionnement dont elles ont connaissance, ainsi que de toute information permettant d'identifier une "
        "personne qui aurait dû être anonymisée.\n"
        "{% if delai_retrait_donnees %}\n\n"
        "En cas de résiliation, la partie qui quitte le partenariat dispose d'un délai qui ne peut être inférieur "
        "à {{ delai_retrait_donnees }} pour procéder au retrait de ses dispositifs et données.\n"
        "{% endif %}",
    ),
    StandardClause(
        "evaluation",
        "Évaluation",
        "Suivi",
        "{% if evaluation_annuelle %}"
        "La présente convention fait l'objet d'une évaluation annuelle entre les parties, à chaque date "
        "anniversaire de sa prise d'effet."
        "{% else %}"
        "La présente convention fait l'objet d'une évaluation entre les parties au plus tard à son échéance"
        "{% if date_fin %}, le {{ date_fin }}{% endif %}."
        "{% endif %}"
        " Cette évaluation porte sur la réalisation des engagements de chaque partie et sur les résultats obtenus "
        "au regard de l'objet de la convention ; elle est consignée dans un bilan écrit communiqué à chacune des "
        "parties{% if comite_de_suivi %} et présenté au comité de suivi{% endif %}.",
    ),
    StandardClause(
        "comite-de-suivi",
        "Comité de suivi",
        "Suivi",
        "{% if comite_de_suivi %}\n"
        "Il est institué un comité de suivi de la présente convention, composé de représentants désignés par "
        "chacune des parties.\n\n"
        "Le comité examine l'état d'avancement du partenariat, les actions de communication et toute question "
        "relative à l'exécution de la présente convention. Il peut décider du retrait d'un partenaire ; la "
        "procédure de résiliation prévue par la présente convention est alors mise en œuvre.\n\n"
        "Le comité se réunit sur convocation adressée par tout moyen, dans un délai qui, sauf urgence, ne peut "
        "être inférieur à quinze jours ouvrés. L'ordre du jour et les documents soumis à son examen sont joints "
        "à la convocation.\n"
        "{% else %}\n"
        "Les parties se réunissent autant que de besoin, à la demande de l'une d'elles, pour examiner "
        "l'exécution de la présente convention.\n"
        "{% endif %}",
    ),
    StandardClause(
        "modification",
        "Modification",
        "Durée",
        "Toute modification de la présente convention fait l'objet d'un avenant approuvé et signé dans les mêmes "
        "formes. Les avenants sont numérotés ; ils font partie intégrante de la présente convention.",
    ),
    StandardClause(
        "resiliation",
        "Résiliation",
        "Résiliation",
        "{% if preavis %}\n"
        "Chacune des parties peut résilier la présente convention"
        "{% if lettre_recommandee %} par lettre recommandée avec accusé de réception{% else %} par écrit{% endif %}, "
        "moyennant un préavis de {{ preavis }} courant à compter de la réception de la notification de "
        "résiliation{% if comite_de_suivi %}. La résiliation peut également être décidée par le comité de "
        "suivi{% endif %}.\n"
        "{% else %}\n"
        "Chacune des parties peut résilier la présente convention à tout moment"
        "{% if lettre_recommandee %}, par lettre recommandée avec accusé de réception{% endif %}"
        "{% if comite_de_suivi %}. La résiliation peut également être décidée par le comité de suivi{% endif %}.\n"
        "{% endif %}\n"
        " La résiliation ne donne lieu au versement d'aucune indemnité"
        "{% if montant %} ; les sommes versées et non employées conformément à l'objet de la convention sont "
        "reversées{% endif %}.\n"
        "{% if apres_resiliation %}\n\n"
        "{{ apres_resiliation }}\n"
        "{% endif %}",
    ),
    StandardClause(
        "litiges",
        "Règlement des litiges",
        "Litiges",
        "En cas de difficulté dans l'interprétation ou l'exécution de la présente convention, les parties "
        "s'efforcent de la résoudre à l'amiable"
        "{% if comite_de_suivi %}, au besoin en soumettant leur différend au comité de suivi, qui peut être réuni "
        "à titre exceptionnel à l'initiative de l'une d'elles{% endif %}.\n\n"
        "À défaut d'accord dans un délai de deux mois à compter de la notification du différend par l'une des "
        "parties, le litige est porté devant le tribunal administratif territorialement compétent.",
    ),
)
