"""Build the shipped DOCX defaults of the sitting documents: python -m deliberations.document_templates.

Same contexts as the HTML templates (see deliberations.documents); the output is committed
under templates/documents/.
"""

from __future__ import annotations

from pathlib import Path

from documents import docx_builder as b


def build_extract() -> Path:
    doc = b.base_document(title="Délibération n° {{ deliberation.number }}")
    b.paragraph(doc, "{{ sitting.kind_label }} du {{ sitting.date_long }} — {{ assembly.city }}")
    b.paragraph(
        doc,
        "Extrait du registre des délibérations du {{ assembly.name }} "
        "{{ assembly.of_organization or 'de ' ~ organization.name }}",
        bold=True,
    )
    b.tag(doc, "{%p if deliberation.theme %}")
    b.paragraph(doc, "{{ deliberation.theme }}")
    b.tag(doc, "{%p endif %}")
    b.paragraph(
        doc,
        "{{ sitting.date_words }}, à {{ sitting.time }}, les membres du {{ assembly.name_lower }}, légalement convoqués"
        "{% if sitting.convocation_date %} le {{ sitting.convocation_date|date_fr }}{% endif %}, se sont assemblés"
        "{% if sitting.place %} au lieu ordinaire des séances, {{ sitting.place }},{% endif %} sous la présidence de "
        "{{ sitting.president_title }}{% if sitting.president_name %}, {{ sitting.president_name }}{% endif %}."
        "{% if sitting.reconvened_from and vote and vote.without_quorum %} Le conseil, réuni une première fois le "
        "{{ sitting.reconvened_from|date_fr }} "
        "sans atteindre le quorum, délibère valablement sans condition de quorum (article L2121-17 du CGCT).{% endif %}",
    )
    b.tag(doc, "{%p if sitting.secretary_name %}")
    b.paragraph(doc, "Secrétaire de séance : {{ sitting.secretary_name }}.")
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p if chair and chair.delegated %}")
    b.paragraph(doc, "Pour ce point, la séance est présidée par {{ chair.name }}.")
    b.tag(doc, "{%p endif %}")
    b.paragraph(doc, "Nombre de membres en exercice : {{ attendance.members_in_office }}")
    b.paragraph(
        doc, "Présents ({{ attendance.present_count }}) : {{ attendance.present|join(assembly.list_separator) }}."
    )
    b.tag(doc, "{%p if attendance.represented %}")
    b.paragraph(
        doc,
        "Absent(es) ayant voté par procuration en application de l'article L 2121-20 du Code général des "
        "collectivités territoriales ({{ attendance.represented_count }}) : "
        "{% for r in attendance.represented %}{{ r.text }}"
        "{% if not loop.last %}{{ assembly.list_separator }}{% else %}.{% endif %}{% endfor %}",
    )
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p if attendance.absent %}")
    b.paragraph(
        doc,
        "Absent(es) / Excusé(es) ({{ attendance.absent_count }}) : {{ attendance.absent|join(assembly.list_separator) }}",
    )
    b.tag(doc, "{%p endif %}")
    b.paragraph(doc, "{{ deliberation.title }}", bold=True)
    b.tag(doc, "{%p if rapporteur %}")
    b.paragraph(doc, "{{ rapporteur.sentence }}")
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p for paragraph in deliberation.report_paragraphs %}")
    b.paragraph(doc, "{{ paragraph }}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p for paragraph in deliberation.operative_paragraphs %}")
    b.paragraph(doc, "{{ paragraph }}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p if conventions %}")
    b.paragraph(doc, "Convention(s) approuvée(s) : {{ conventions|join(' ; ') }}.")
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p if vote %}")
    b.paragraph(doc, "{{ vote.sentence }}")
    b.tag(doc, "{%p if vote.casting_vote and chair and chair.name %}")
    b.paragraph(
        doc,
        "Les voix étant également partagées, la voix de {{ chair.name }}, qui préside, est prépondérante "
        "(article L2121-20 du Code général des collectivités territoriales).",
    )
    b.tag(doc, "{%p endif %}")
    b.paragraph(doc, "Pour : {{ vote.for }} voix")
    b.paragraph(doc, "Contre : {{ vote.against }} voix")
    b.paragraph(doc, "Abstention : {{ vote.abstentions }} voix")
    b.paragraph(doc, "Ne prend pas part au vote : {{ vote.not_voting }} voix")
    b.tag(doc, "{%p elif information_sentence %}")
    b.paragraph(doc, "{{ information_sentence }}")
    b.tag(doc, "{%p endif %}")
    b.paragraph(doc, "{% if signed_on %}Fait à {{ signed_place }}, le {{ signed_on|date_fr }}{% endif %}")
    b.paragraph(doc, "Pour extrait conforme,")
    b.tag(doc, "{%p if signature %}")
    b.paragraph(doc, "{{ signature.function }}", bold=True)
    b.paragraph(doc, "{% if signed_on %}Signé.{% endif %}")
    b.paragraph(doc, "{{ signature.name }}")
    b.tag(doc, "{%p endif %}")
    b.paragraph(doc, "{% if published_on %}Publiée le : {{ published_on|date_fr }}{% endif %}")
    b.tag(doc, "{%p if annexes %}")
    b.paragraph(doc, "Liste des annexes transmises en Préfecture :")
    b.tag(doc, "{%p for annex in annexes %}")
    b.paragraph(doc, "- {{ annex|literal }}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p if transmission %}")
    b.paragraph(
        doc,
        "{% if transmission.acknowledgement_id %}Accusé de réception — Ministère de l'Intérieur : "
        "{{ transmission.acknowledgement_id }}{% endif %}",
    )
    b.paragraph(doc, "{% if enforceable %}Acte certifié exécutoire{% endif %}")
    b.paragraph(doc, "Envoi en Préfecture : {{ transmission.sent_on|date_fr }}")
    b.paragraph(
        doc,
        "{% if transmission.received_on %}Réception en Préfecture : {{ transmission.received_on|date_fr }}{% endif %}",
    )
    b.tag(doc, "{%p endif %}")
    b.paragraph(doc, "{% if published_on %}{{ recours_text }}{% endif %}")
    return b.save(doc, "extract")


def build_list() -> Path:
    doc = b.base_document(title="Liste des délibérations")
    b.paragraph(doc, "{{ assembly.name }} — {{ sitting.kind_label|lower }} du {{ sitting.date_long }}")
    b.paragraph(doc, "Membres en exercice : {{ sitting.members_in_office }}.")
    b.tag(doc, "{%p for item in items %}")
    b.paragraph(
        doc,
        "{{ item.position }}. {{ item.number }} — {{ item.title }} : "
        "{% if item.vote %}{{ item.result }} ({{ item.vote.for }} pour, {{ item.vote.against }} contre, "
        "{{ item.vote.abstentions }} abstention(s), {{ item.vote.not_voting }} ne prenant pas part)"
        "{% else %}{{ item.result }}{% endif %}",
    )
    b.tag(doc, "{%p endfor %}")
    b.paragraph(doc, "{% if published_on %}Liste publiée le {{ published_on|date_fr }}.{% endif %}")
    return b.save(doc, "deliberation_list")


def build_minutes() -> Path:
    doc = b.base_document(title="Procès-verbal")
    b.paragraph(doc, "{{ assembly.name }} — {{ sitting.kind_label|lower }} du {{ sitting.date_long }}")
    b.paragraph(
        doc,
        "{{ sitting.date_words }}, à {{ sitting.time }}, les membres du {{ assembly.name_lower }}, légalement convoqués, "
        "se sont assemblés sous la présidence de {{ sitting.president_title }}, {{ sitting.president_name }}.",
    )
    b.paragraph(doc, "{% if sitting.secretary_name %}Secrétaire de séance : {{ sitting.secretary_name }}.{% endif %}")
    b.paragraph(
        doc,
        "Membres en exercice : {{ opening.members_in_office }}. À l'ouverture : {{ opening.present_count }} présent(s), "
        "{{ opening.represented_count }} représenté(s), {{ opening.absent_count }} absent(s).",
    )
    b.paragraph(doc, "Présents : {{ opening.present|join(assembly.list_separator) }}")
    b.paragraph(
        doc,
        "Pouvoirs : {% for r in opening.represented %}{{ r.text }}"
        "{% if not loop.last %}{{ assembly.list_separator }}{% endif %}{% endfor %}",
    )
    b.paragraph(doc, "Absents : {{ opening.absent|join(assembly.list_separator) }}")
    b.tag(doc, "{%p for m in movements %}")
    b.paragraph(doc, "{{ m.text }}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p for item in items %}")
    b.heading(doc, "{{ item.position }}. {{ item.number }} — {{ item.title }}", level=2)
    b.tag(doc, "{%p if item.chair and item.chair.delegated %}")
    b.paragraph(doc, "Présidence de la séance pour ce point : {{ item.chair.name }}.")
    b.tag(doc, "{%p endif %}")
    b.paragraph(
        doc,
        "{% if item.vote %}{{ item.vote.sentence }} Pour : {{ item.vote.for }} ; contre : {{ item.vote.against }} ; "
        "abstention : {{ item.vote.abstentions }} ; ne prend pas part au vote : {{ item.vote.not_voting }}."
        "{% else %}{{ item.result }}.{% endif %}",
    )
    b.tag(doc, "{%p if item.vote and item.vote.casting_vote and item.chair and item.chair.name %}")
    b.paragraph(
        doc,
        "Partage égal des voix : la voix de {{ item.chair.name }}, qui préside, est prépondérante "
        "(article L2121-20 du CGCT).",
    )
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p if item.vote and item.vote.ballots %}")
    b.tag(doc, "{%p for ballot in item.vote.ballots %}")
    b.paragraph(doc, "{{ ballot.name }}{% if ballot.by %} (par {{ ballot.by }}){% endif %} : {{ ballot.choice }}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p endfor %}")
    b.signature_block(doc)
    return b.save(doc, "minutes")


def build_convocation() -> Path:
    doc = b.base_document(title="Convocation")
    b.paragraph(
        doc, "{{ assembly.name }} — {{ sitting.kind_label|lower }} du {{ sitting.date_long }} à {{ sitting.time }}"
    )
    b.paragraph(doc, "Madame, Monsieur,")
    b.paragraph(
        doc,
        "J'ai l'honneur de vous convoquer à la séance du {{ assembly.name_lower }} qui se tiendra le "
        "{{ sitting.date_long }} à {{ sitting.time }}{% if sitting.place %}, {{ sitting.place }}{% endif %}.",
    )
    b.heading(doc, "Ordre du jour", level=2)
    b.tag(doc, "{%p for item in items %}")
    b.paragraph(
        doc,
        "{{ item.position }}. {{ item.number }} — {{ item.title }}{% if item.rapporteur %} ({{ item.rapporteur }}){% endif %}",
    )
    b.tag(doc, "{%p endfor %}")
    b.paragraph(
        doc,
        "Si vous ne pouvez pas assister à cette séance, vous pouvez donner pouvoir écrit de voter en votre nom à un "
        "autre membre du conseil (article L2121-20 du CGCT).",
    )
    b.signature_block(doc)
    return b.save(doc, "convocation")


def build_proxy() -> Path:
    doc = b.base_document(title="Pouvoir")
    b.paragraph(
        doc, "{{ assembly.name }} — {{ sitting.kind_label|lower }} du {{ sitting.date_long }} à {{ sitting.time }}"
    )
    b.paragraph(
        doc,
        "Je soussigné(e), {{ giver.name }}, membre du {{ assembly.name_lower }}"
        "{% if giver.function %} ({{ giver.function }}){% endif %}, empêché(e) d'assister à la séance du "
        "{{ sitting.date_long }}{% if sitting.place %}, {{ sitting.place }}{% endif %},",
    )
    b.paragraph(
        doc,
        "donne pouvoir à {{ holder.name }}, membre du {{ assembly.name_lower }}, de voter en mon nom"
        "{% if from_item %} à partir du point {{ from_item }} de l'ordre du jour{% endif %} lors de cette séance, "
        "en application de l'article L2121-20 du Code général des collectivités territoriales.",
    )
    b.paragraph(
        doc,
        "Un même conseiller ne peut être porteur que d'un seul pouvoir. Ce pouvoir est révocable à tout moment"
        "{% if not illness %} et ne vaut que pour la séance ci-dessus{% endif %}.",
    )
    b.paragraph(doc, "Pouvoir donné le {{ given_at }} {{ channel }}.")
    b.tag(doc, "{%p if revoked %}")
    b.paragraph(doc, "Ce pouvoir a été révoqué.", bold=True)
    b.tag(doc, "{%p endif %}")
    b.signature_block(doc)
    return b.save(doc, "proxy")


if __name__ == "__main__":
    for build in (build_extract, build_list, build_minutes, build_convocation, build_proxy):
        print(build())
