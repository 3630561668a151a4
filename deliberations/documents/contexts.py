"""The contexts of a sitting's documents: plain data built from the sitting, its agenda and
its attendance, which the ``documents`` app renders with ``templates/documents/<kind>.html``
and ``.docx`` (extract, list of deliberations, procès-verbal, convocation)."""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone

from core.errors import DomainError
from core.formatting import french_date
from deliberations import rules, selectors, wording
from deliberations.attendance import ItemAttendance
from deliberations.models import (
    EXAMINED_STATES,
    Deliberation,
    DeliberationKind,
    DeliberationState,
    Sitting,
    SittingKind,
    VoteMethod,
)

METHOD_PHRASE = {
    VoteMethod.SHOW_OF_HANDS: "à main levée",
    VoteMethod.PUBLIC_BALLOT: "au scrutin public",
    VoteMethod.SECRET_BALLOT: "au scrutin secret",
}


def _organization(sitting: Sitting) -> dict[str, Any]:
    from documents.context import organization_context

    return organization_context(sitting.assembly.organization)


def _names(view: selectors.SittingAttendance) -> dict[int, str]:
    style = view.sitting.assembly.name_style
    return {m.person_id: wording.person_name(m.person.first_name, m.person.last_name, style) for m in view.members}


def _sort_key(view: selectors.SittingAttendance) -> dict[int, tuple[str, str]]:
    return {m.person_id: (m.person.last_name.upper(), m.person.first_name) for m in view.members}


def sitting_context(sitting: Sitting, view: selectors.SittingAttendance) -> dict[str, Any]:
    assembly = sitting.assembly
    names = _names(view)
    day = sitting.date
    president = names.get(sitting.president_id or 0) or (sitting.president.full_name if sitting.president else "")
    secretary = names.get(sitting.secretary_id or 0) or (sitting.secretary.full_name if sitting.secretary else "")
    return {
        "date": day,
        "date_long": french_date(day, weekday=True),
        "date_words": wording.date_in_words(day),
        "time": timezone.localtime(sitting.starts_at).strftime("%H h %M"),
        "kind": sitting.kind,
        "kind_label": "Séance ordinaire" if sitting.kind == SittingKind.ORDINARY else "Séance extraordinaire",
        "place": sitting.place,
        "president_name": president,
        "president_title": assembly.president_title,
        "secretary_name": secretary,
        "convocation_date": sitting.convocation_date,
        "urgency": sitting.urgency,
        "urgency_reason": sitting.urgency_reason,
        "reconvened_from": sitting.reconvened_from.date if sitting.reconvened_from_id else None,  # type: ignore[union-attr]
        "members_in_office": view.members_in_office,
    }


def _assembly_context(sitting: Sitting) -> dict[str, Any]:
    assembly = sitting.assembly
    return {
        "name": assembly.name,
        "name_lower": assembly.name[:1].lower() + assembly.name[1:],
        # "de la Ville de Montpellier", "de la Métropole …": the collectivité with its article.
        "of_organization": wording.of_name(assembly.organization.name),
        "president_title": assembly.president_title,
        "proxy_wording": assembly.proxy_wording,
        "information_wording": assembly.information_wording,
        "list_separator": wording.list_separator(assembly.list_separator),
        "city": assembly.signature_city or re.sub(r"\s+cedex.*$", "", assembly.organization.city_or_name, flags=re.I),
    }


def attendance_lists(view: selectors.SittingAttendance, item: ItemAttendance) -> dict[str, Any]:
    """Present, represented (with holders) and absent members for one item, in name order."""
    names = _names(view)
    order = _sort_key(view)
    wording_proxy = view.sitting.assembly.proxy_wording
    present = sorted(item.present_ids, key=lambda p: order[p])
    represented = sorted(item.represented.items(), key=lambda gh: order[gh[0]])
    absent = sorted(
        (p for p in item.status if p not in item.represented and item.status[p] != "present"), key=lambda p: order[p]
    )
    return {
        "members_in_office": item.members_in_office,
        "present": [names[p] for p in present],
        "present_count": len(present),
        "represented": [
            {"giver": names[g], "holder": names[h], "text": f"{names[g]} {wording_proxy} {names[h]}"}
            for g, h in represented
        ],
        "represented_count": len(represented),
        "absent": [names[p] for p in absent],
        "absent_excused": [names[p] for p in absent if item.status[p] == "excused"],
        "absent_count": len(absent),
        "quorum_needed": item.quorum_needed,
        "has_quorum": item.has_quorum,
    }


def _vote_context(deliberation: Deliberation, names: dict[int, str]) -> dict[str, Any] | None:
    vote = getattr(deliberation, "vote", None)
    if vote is None:
        return None
    phrase = METHOD_PHRASE.get(vote.method, "")
    ballots = []
    if vote.method == VoteMethod.PUBLIC_BALLOT:
        labels = {
            "for": "pour",
            "against": "contre",
            "abstain": "abstention",
            "not_voting": "ne prend pas part au vote",
        }
        for ballot in vote.ballots.all():
            ballots.append(
                {
                    "name": names.get(ballot.person_id, ""),
                    "choice": labels[ballot.choice],
                    "by": names.get(ballot.cast_by_id or 0, ""),
                }
            )
        ballots.sort(key=lambda b: b["name"])
    return {
        "method": vote.method,
        "method_phrase": phrase,
        "for": vote.votes_for,
        "against": vote.votes_against,
        "abstentions": vote.abstentions,
        "not_voting": vote.not_voting,
        "adopted": vote.outcome == "adopted",
        "result_text": vote.result_text,
        "casting_vote": vote.casting_vote,
        "sentence": f"À l'issue d'un vote {phrase}, la présente délibération est {vote.result_text}.",
        "ballots": ballots,
        "without_quorum": vote.without_quorum,
    }


def _chair(deliberation: Deliberation, sitting: Sitting, names: dict[int, str]) -> dict[str, Any]:
    """Who presided the item (CGCT L2121-14): ``delegated`` when the president handed the
    chair for it; ``name`` is who had the casting vote on a tie (L2121-20)."""
    chair = deliberation.presided_by_id
    presiding = rules.presiding_member(item_chair=chair, sitting_president=sitting.president_id)
    return {"name": names.get(presiding or 0, ""), "delegated": bool(chair and chair != sitting.president_id)}


def _rapporteur(deliberation: Deliberation, view: selectors.SittingAttendance) -> dict[str, str] | None:
    sitting = view.sitting
    names = _names(view)
    person = deliberation.rapporteur
    if person is None:
        return None
    name = names.get(person.pk) or wording.person_name(person.first_name, person.last_name, sitting.assembly.name_style)
    mandate = next((m for m in view.members if m.person_id == person.pk), None)
    civility = {"M.": "Monsieur", "Mme": "Madame"}.get(person.civility, "")
    function = mandate.function if mandate else ""
    sentence = " ".join(p for p in [civility, name] if p) + (f", {function}," if function else "") + " rapporte :"
    return {"name": name, "function": function, "sentence": sentence}


def extract_context(deliberation: Deliberation, view: selectors.SittingAttendance | None = None) -> dict[str, Any]:
    """Everything an extract of the register prints (Montpellier's layout, or another one)."""
    sitting = deliberation.sitting
    if sitting is None or deliberation.position is None:
        raise DomainError(
            "Cette délibération n'a pas été examinée en séance : pas d'extrait.", rule="Extrait du registre"
        )
    if view is None:
        view = selectors.sitting_attendance(sitting, only=deliberation)
    names = _names(view)
    item = view.for_item(deliberation)
    assembly = _assembly_context(sitting)
    transmission = getattr(deliberation, "transmission", None)
    signatory = deliberation.signatory
    signature = None
    if signatory is not None:
        signature = {
            "function": signatory.function,
            "name": wording.person_name(
                signatory.person.first_name, signatory.person.last_name, sitting.assembly.name_style
            ),
        }
    information = deliberation.kind == DeliberationKind.INFORMATION
    conventions = (
        [str(c) for c in deliberation.approved_conventions.all()]
        if hasattr(deliberation, "approved_conventions")
        else []
    )
    return {
        "organization": _organization(sitting),
        "assembly": assembly,
        "sitting": sitting_context(sitting, view),
        "deliberation": {
            "number": deliberation.number,
            "title": deliberation.title,
            "theme": deliberation.theme,
            "subject_code": deliberation.subject_code,
            "report": deliberation.report,
            "report_paragraphs": [p.strip() for p in deliberation.report.split("\n") if p.strip()],
            "operative_paragraphs": [p.strip() for p in deliberation.operative_part.split("\n") if p.strip()],
            "is_information": information,
            "state": deliberation.state,
            "state_label": deliberation.get_state_display(),
            "position": deliberation.position,
        },
        "rapporteur": _rapporteur(deliberation, view),
        "chair": _chair(deliberation, sitting, names),
        "attendance": attendance_lists(view, item),
        "vote": _vote_context(deliberation, names),
        "information_sentence": f"Le {assembly['name_lower']} {assembly['information_wording']}."
        if information
        else "",
        "signed_place": assembly["city"],
        "signed_on": deliberation.signed_on,
        "signature": signature,
        "signatures": [{"place": assembly["city"], "date": deliberation.signed_on, **signature}]
        if signature and deliberation.signed_on
        else [],
        "published_on": deliberation.published_on,
        "annexes": [a.title for a in deliberation.annexes.all() if a.transmitted],
        "conventions": conventions,
        "transmission": {
            "nature": transmission.nature,
            "internal_number": transmission.internal_number,
            "sent_on": transmission.sent_on,
            "received_on": transmission.received_on,
            "acknowledgement_id": transmission.acknowledgement_id,
        }
        if transmission
        else None,
        "enforceable": deliberation.state == DeliberationState.ENFORCEABLE,
        "enforceable_on": deliberation.enforceable_on,
        "recours_end": rules.recours_end(deliberation.published_on) if deliberation.published_on else None,
        "recours_text": (
            f"{assembly['president_title']} certifie sous sa responsabilité le caractère exécutoire de cet acte et "
            f"informe qu'il peut faire l'objet d'un recours gracieux dans un délai de deux mois adressé à l'autorité "
            f"territoriale ou d'un recours contentieux devant le tribunal administratif dans un délai de deux mois à "
            f"compter de sa publication ou notification."
        ),
    }


def _result_sentence(deliberation: Deliberation, vote: dict[str, Any] | None, sitting: Sitting) -> str:
    """ "Adoptée à l'unanimité", "Le conseil … prend acte", "Retirée"… with a capital."""
    if vote:
        text = vote["result_text"]
    elif deliberation.state in EXAMINED_STATES:
        name = sitting.assembly.name
        text = f"le {name[:1].lower() + name[1:]} {sitting.assembly.information_wording}"
    else:
        text = deliberation.get_state_display()
    return text[:1].upper() + text[1:]


def _agenda_rows(view: selectors.SittingAttendance) -> list[dict[str, Any]]:
    names = _names(view)
    rows = []
    for deliberation in view.items:
        vote = _vote_context(deliberation, names)
        item = view.for_item(deliberation)
        rows.append(
            {
                "position": deliberation.position,
                "number": deliberation.number,
                "title": deliberation.title,
                "rapporteur": names.get(deliberation.rapporteur_id or 0, ""),
                "chair": _chair(deliberation, view.sitting, names),
                # Carried over to this re-convened sitting for lack of quorum (CGCT L2121-17).
                "quorum_waived": getattr(deliberation, "quorum_waived_in_id", None) == view.sitting.pk,
                "subject_code": deliberation.subject_code,
                "state": deliberation.state,
                "state_label": deliberation.get_state_display(),
                "is_information": deliberation.kind == DeliberationKind.INFORMATION,
                "examined": deliberation.state in EXAMINED_STATES,
                "vote": vote,
                "result": _result_sentence(deliberation, vote, view.sitting),
                "present_count": item.present_count,
                "represented_count": item.represented_count,
                "report_paragraphs": [p.strip() for p in deliberation.report.split("\n") if p.strip()],
                "operative_paragraphs": [p.strip() for p in deliberation.operative_part.split("\n") if p.strip()],
            }
        )
    return rows


def list_context(sitting: Sitting, view: selectors.SittingAttendance | None = None) -> dict[str, Any]:
    """The list of deliberations examined at a sitting (CGCT L2121-25)."""
    view = view or selectors.sitting_attendance(sitting)
    return {
        "organization": _organization(sitting),
        "assembly": _assembly_context(sitting),
        "sitting": sitting_context(sitting, view),
        "items": [row for row in _agenda_rows(view) if row["examined"] or row["state"] in ("withdrawn", "postponed")],
        "published_on": sitting.list_published_on,
    }


def minutes_context(sitting: Sitting, view: selectors.SittingAttendance | None = None) -> dict[str, Any]:
    """The procès-verbal (CGCT L2121-15): attendance, each item with its votes, names for public ballots."""
    view = view or selectors.sitting_attendance(sitting)
    names = _names(view)
    order = _sort_key(view)
    rows = _agenda_rows(view)
    # Arrivals and departures, in agenda order, as the procès-verbal reports them.
    position_titles = {d.position: d.number for d in view.items}
    movements = [
        {
            "position": position,
            "number": position_titles.get(position, ""),
            "name": names.get(person, ""),
            "text": f"{names.get(person, '')} {'arrive' if status == 'present' else 'quitte la séance'} "
            f"(point {position})",
        }
        for position, person, status in sorted(view.changes, key=lambda c: (c[0], order.get(c[1], ("", ""))))
        if person in names
    ]
    signatures = []
    if sitting.president_id:
        signatures.append({"function": "Le président de séance", "name": names.get(sitting.president_id, "")})
    if sitting.secretary_id:
        signatures.append({"function": "Le secrétaire de séance", "name": names.get(sitting.secretary_id, "")})
    return {
        "organization": _organization(sitting),
        "assembly": _assembly_context(sitting),
        "sitting": sitting_context(sitting, view),
        "opening": attendance_lists(view, view.opening()),
        "items": rows,
        "movements": movements,
        "notes": [p.strip() for p in sitting.notes.split("\n") if p.strip()],
        "approved_on": sitting.minutes_approved_on,
        "signatures": signatures,
    }


def convocation_context(sitting: Sitting, view: selectors.SittingAttendance | None = None) -> dict[str, Any]:
    """The convocation with the agenda, sent to every member in office."""
    view = view or selectors.sitting_attendance(sitting)
    names = _names(view)
    organization = sitting.assembly.organization
    clear_days = sitting.assembly.clear_days_override or rules.convocation_clear_days(
        population=organization.population, is_epci=organization.is_epci, urgency=sitting.urgency
    )
    assembly = _assembly_context(sitting)
    return {
        "organization": _organization(sitting),
        "assembly": assembly,
        "sitting": sitting_context(sitting, view),
        "members": [names[m.person_id] for m in view.members],
        "items": [row for row in _agenda_rows(view) if row["state"] != "withdrawn"],
        "clear_days": clear_days,
        "sent_on": sitting.convocation_date or timezone.localdate(),
        "signatures": [
            {
                "place": assembly["city"],
                "date": sitting.convocation_date,
                "function": sitting.assembly.president_title,
                "name": names.get(sitting.president_id or 0, ""),
            }
        ],
    }
