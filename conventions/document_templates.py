"""Build the shipped DOCX defaults of the conventions' documents (editable in Word by legal
staff): python -m conventions.document_templates. Same context as the HTML templates."""

from __future__ import annotations

from pathlib import Path

from documents import docx_builder as b


def build_convention() -> Path:
    doc = b.base_document(title="{{ title }}", subtitle="{{ kind }}")
    b.paragraph(doc, "Réf. : {{ reference }}")
    b.paragraph(doc, "La présente convention est conclue entre :")
    b.tag(doc, "{%p for party in parties %}")
    b.paragraph(
        doc,
        "{{ party.name }}{% if party.address %}, {{ party.address }}{% endif %}"
        "{% if party.designation %}, désignée ci-après « {{ party.designation }} »{% endif %}"
        "{% if party.signatory_name %}, représentée par {{ party.signatory_name }}, {{ party.signatory_function }}{% endif %}"
        "{% if loop.first and approvals %}, en vertu de {{ approvals|join(' et de ') }}{% endif %},",
    )
    b.paragraph(doc, "{{ party.side }}{% if not loop.last %}, et{% else %}.{% endif %}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p if object %}")
    b.heading(doc, "Objet de la convention", level=2)
    b.paragraph(doc, "{{ object }}")
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p if amount %}")
    b.paragraph(doc, "Montant : {{ amount }}.")
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p for clause in clauses %}")
    b.heading(doc, "Article {{ clause.number }} : {{ clause.title }}", level=2)
    b.paragraph(doc, "{{ clause.text }}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p if obligations %}")
    b.heading(doc, "Engagements des parties", level=2)
    b.tag(doc, "{%p for group in obligations %}")
    b.heading(doc, "Engagements de {{ group.party }}", level=3)
    b.tag(doc, "{%p for item in group['items'] %}")
    b.paragraph(
        doc,
        "– {{ item.description }}{% if item.due %} (échéance : {{ item.due|date_fr }}){% endif %}"
        "{% if item.amount %} — {{ item.amount }}{% endif %}",
    )
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p if perimeter.communes or perimeter.postal_codes or perimeter.urls %}")
    b.heading(doc, "Périmètre", level=2)
    b.paragraph(
        doc,
        "{% if perimeter.communes %}Communes : {{ perimeter.communes }}{% endif %}"
        "{% if perimeter.postal_codes %} — codes postaux : {{ perimeter.postal_codes }}{% endif %}",
    )
    b.tag(doc, "{%p for url in perimeter.urls %}")
    b.paragraph(doc, "URL : {{ url }}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p endif %}")
    b.heading(doc, "Durée de la convention et conditions de résiliation", level=2)
    for key in (
        "duration",
        "renewal",
        "termination",
        "data_withdrawal",
        "after_termination",
        "evaluation",
        "committee",
    ):
        b.tag(doc, f"{{%p if terms.{key} %}}")
        b.paragraph(doc, f"{{{{ terms.{key} }}}}")
        b.tag(doc, "{%p endif %}")
    b.paragraph(doc, "Fait en {{ parties|length }} exemplaires originaux.")
    b.signature_block(doc)
    return b.save(doc, "convention")


def build_amendment() -> Path:
    doc = b.base_document(title="Avenant n° {{ number }}", subtitle="à la convention « {{ convention_title }} »")
    b.paragraph(doc, "Réf. : {{ convention_reference }}")
    b.paragraph(doc, "Entre les parties :")
    b.tag(doc, "{%p for party in parties %}")
    b.paragraph(
        doc,
        "{{ party.name }}{% if party.signatory_name %}, représentée par {{ party.signatory_name }}, "
        "{{ party.signatory_function }}{% endif %}, {{ party.side }}",
    )
    b.tag(doc, "{%p endfor %}")
    b.heading(doc, "Objet de l'avenant : {{ amendment_title }}", level=2)
    b.tag(doc, "{%p if amendment_object %}")
    b.paragraph(doc, "{{ amendment_object }}")
    b.tag(doc, "{%p endif %}")
    b.heading(doc, "Dispositions", level=2)
    b.tag(doc, "{%p for effect in effects %}")
    b.paragraph(doc, "{{ effect }}")
    b.tag(doc, "{%p endfor %}")
    b.signature_block(doc)
    return b.save(doc, "amendment")


def build_termination_letter() -> Path:
    doc = b.base_document(title="Dénonciation de la convention")
    b.paragraph(
        doc,
        "Réf. : {{ reference }} — {{ date|date_fr }}{% if registered_letter_number %} — Lettre recommandée avec "
        "accusé de réception n° {{ registered_letter_number }}{% endif %}",
    )
    b.paragraph(doc, "Expéditeur : {{ sender.name }}{% if sender.address %}, {{ sender.address }}{% endif %}")
    b.tag(doc, "{%p for r in recipients %}")
    b.paragraph(doc, "Destinataire : {{ r.name }}{% if r.address %}, {{ r.address }}{% endif %}")
    b.tag(doc, "{%p endfor %}")
    b.paragraph(
        doc,
        "Objet : dénonciation de la convention « {{ convention_title }} »"
        "{% if convention_signed_on %} signée le {{ convention_signed_on|date_fr }}{% endif %}",
        bold=True,
    )
    b.paragraph(doc, "Madame, Monsieur,")
    b.paragraph(
        doc,
        "Par la présente, {{ sender.name }} vous notifie la dénonciation de la convention citée en objet, qui peut "
        "être dénoncée {{ notice_text }}{% if committee %}, sur décision du comité de suivi{% endif %}.",
    )
    b.tag(doc, "{%p if reason %}")
    b.paragraph(doc, "Motif : {{ reason }}")
    b.tag(doc, "{%p endif %}")
    b.paragraph(
        doc,
        "{% if effective_date %}La réception de la présente lettre ayant eu lieu le {{ received_on|date_fr }}, la "
        "résiliation prendra effet le {{ effective_date|date_fr }}.{% else %}La résiliation prendra effet au terme "
        "du préavis, décompté à partir de la date de réception de la présente lettre.{% endif %}",
    )
    b.tag(doc, "{%p if data_withdrawal_end %}")
    b.paragraph(
        doc,
        "Conformément à la convention, le délai laissé pour le retrait des dispositifs et données court jusqu'au "
        "{{ data_withdrawal_end|date_fr }}.",
    )
    b.tag(doc, "{%p endif %}")
    b.paragraph(doc, "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
    b.signature_block(doc)
    return b.save(doc, "termination_letter")


def build_committee_convocation() -> Path:
    doc = b.base_document(title="Convocation du {{ committee }}")
    b.paragraph(doc, "Réf. : {{ reference }} — {{ date|date_fr }}")
    b.paragraph(
        doc,
        "Les membres du {{ committee }} sont convoqués à la réunion du {{ meeting_date|date_fr }}"
        "{% if meeting_time %} à {{ meeting_time }}{% endif %}{% if location %}, {{ location }}{% endif %}.",
    )
    b.paragraph(
        doc,
        "{% if urgency %}Convocation en urgence : {{ urgency_reason }}.{% else %}Délai de convocation : "
        "{{ working_days }} jours ouvrés au moins (convocation au plus tard le {{ convocation_deadline|date_fr }})."
        "{% endif %}",
    )
    b.heading(doc, "Ordre du jour", level=2)
    b.tag(doc, "{%p for item in agenda %}")
    b.paragraph(doc, "{{ loop.index }}. {{ item }}")
    b.tag(doc, "{%p endfor %}")
    b.heading(doc, "Membres convoqués", level=2)
    b.tag(doc, "{%p for m in members %}")
    b.paragraph(doc, "– {{ m.name }}{% if m.role %}, {{ m.role }}{% endif %}")
    b.tag(doc, "{%p endfor %}")
    return b.save(doc, "committee_convocation")


def build_committee_minutes() -> Path:
    doc = b.base_document(title="Compte rendu du {{ committee }}")
    b.paragraph(
        doc,
        "Réunion du {{ meeting_date|date_fr }}{% if location %}, {{ location }}{% endif %}"
        "{% if convocation_sent_on %}, sur convocation du {{ convocation_sent_on|date_fr }}{% endif %}.",
    )
    b.heading(doc, "Présents", level=2)
    b.paragraph(doc, "{{ present|join(', ') }}")
    b.tag(doc, "{%p if absent %}")
    b.heading(doc, "Absents", level=2)
    b.paragraph(doc, "{{ absent|join(', ') }}")
    b.tag(doc, "{%p endif %}")
    b.heading(doc, "Ordre du jour", level=2)
    b.tag(doc, "{%p for item in agenda %}")
    b.paragraph(doc, "{{ loop.index }}. {{ item }}")
    b.tag(doc, "{%p endfor %}")
    b.heading(doc, "Compte rendu", level=2)
    b.tag(doc, "{%p for paragraph in minutes %}")
    b.paragraph(doc, "{{ paragraph }}")
    b.tag(doc, "{%p endfor %}")
    b.heading(doc, "Décisions", level=2)
    b.tag(doc, "{%p for d in decisions %}")
    b.paragraph(doc, "{{ loop.index }}. {{ d.text }}{% if d.convention %} (convention {{ d.convention }}){% endif %}")
    b.tag(doc, "{%p endfor %}")
    return b.save(doc, "committee_minutes")


def build_all() -> list[Path]:
    return [
        build_convention(),
        build_amendment(),
        build_termination_letter(),
        build_committee_convocation(),
        build_committee_minutes(),
    ]


if __name__ == "__main__":
    for built in build_all():
        print(built)
