"""The documents of sittings: extract, list of deliberations, procès-verbal, convocation.

Each builder turns the database into plain data (the contexts the ``documents`` app
renders with ``templates/documents/<kind>.html`` and ``.docx``). ``sitting_bundle`` is the
builder of a whole sitting, run in the background by ``documents.start_batch``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone

from core.errors import DomainError
from core.formatting import french_date
from core.roles import Capability
from core.tenancy import can, require
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
        "president_title": assembly.president_title,
        "proxy_wording": assembly.proxy_wording,
        "information_wording": assembly.information_wording,
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


# --- Generation ---------------------------------------------------------------------------------

KIND_EXTRACT, KIND_LIST, KIND_MINUTES, KIND_CONVOCATION = "extract", "deliberation_list", "minutes", "convocation"


def _load_sitting(sitting_id: int) -> Sitting:
    return Sitting.objects.select_related("assembly__organization", "president", "secretary", "reconvened_from").get(
        pk=sitting_id
    )


def _items_for_documents(sitting: Sitting) -> QuerySet[Deliberation]:
    return selectors.agenda_with_documents(sitting)


def _agenda_for_documents(sitting: Sitting) -> list[Deliberation]:
    return list(_items_for_documents(sitting))


def extract_source(deliberation_id: int) -> tuple[Deliberation, selectors.SittingAttendance]:
    """The deliberation with what its extract prints, and the attendance of its item only
    (the changes and proxies of the items before it apply; the rest of the agenda is not read)."""
    deliberation = Deliberation.objects.only("sitting_id").get(pk=deliberation_id)
    if deliberation.sitting_id is None:
        raise DomainError(
            "Cette délibération n'a pas été examinée en séance : pas d'extrait.", rule="Extrait du registre"
        )
    sitting = _load_sitting(deliberation.sitting_id)
    fresh = _items_for_documents(sitting).get(pk=deliberation_id)
    return fresh, selectors.sitting_attendance(sitting, only=fresh)


def generate_extract(*, user: Any, deliberation: Deliberation) -> list[Any]:
    """Render the extract of one deliberation (PDF and DOCX) and store it."""
    from documents.services import generate_document

    require(user, deliberation.assembly.organization_id, Capability.GENERATE_DOCUMENTS)
    if deliberation.sitting_id is None or deliberation.state not in EXAMINED_STATES:
        raise DomainError(
            "Un extrait ne se produit qu'une fois le point examiné en séance.", rule="Extrait du registre"
        )
    fresh, view = extract_source(deliberation.pk)
    return generate_document(
        kind=KIND_EXTRACT,
        organization=view.sitting.assembly.organization,
        context=extract_context(fresh, view),
        owner=fresh,
        user=user,
        title=f"Extrait — délibération n° {fresh.number}",
    )


def has_extract(deliberation: Deliberation) -> bool:
    """Whether an extract (any format, any version) is stored for this deliberation."""
    from documents.models import StoredDocument

    return StoredDocument.objects.filter(
        owner_type=ContentType.objects.get_for_model(Deliberation), owner_id=deliberation.pk, kind=KIND_EXTRACT
    ).exists()


def generate_missing_extract(*, deliberation_id: int, user_id: int) -> bool:
    """The extract of a just published deliberation, made once: nothing if one exists, if the
    deliberation is gone, or if its publisher can no longer generate documents."""
    from django.contrib.auth import get_user_model

    deliberation = Deliberation.objects.select_related("assembly__organization").filter(pk=deliberation_id).first()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if deliberation is None or user is None or deliberation.published_on is None or has_extract(deliberation):
        return False
    if not can(user, deliberation.assembly.organization_id, Capability.GENERATE_DOCUMENTS):
        return False
    generate_extract(user=user, deliberation=deliberation)
    return True


def sitting_bundle(*, sitting_id: int) -> Iterator[Any]:
    """The documents of a whole sitting for ``documents.start_batch``: convocation, list of
    deliberations, procès-verbal, and the extract of each examined item."""
    from documents.services import DocumentRequest

    sitting = _load_sitting(sitting_id)
    items = _agenda_for_documents(sitting)
    view = selectors.sitting_attendance(sitting, items=items)
    organization_id = sitting.assembly.organization_id
    sitting_type = ContentType.objects.get_for_model(Sitting).pk
    deliberation_type = ContentType.objects.get_for_model(Deliberation).pk
    label = f"{sitting.assembly.name} du {french_date(sitting.date)}"
    yield DocumentRequest(
        KIND_CONVOCATION,
        organization_id,
        convocation_context(sitting, view),
        sitting_type,
        sitting.pk,
        f"Convocation — {label}",
    )
    yield DocumentRequest(
        KIND_LIST,
        organization_id,
        list_context(sitting, view),
        sitting_type,
        sitting.pk,
        f"Liste des délibérations — {label}",
    )
    yield DocumentRequest(
        KIND_MINUTES,
        organization_id,
        minutes_context(sitting, view),
        sitting_type,
        sitting.pk,
        f"Procès-verbal — {label}",
    )
    for deliberation in items:
        if deliberation.state in EXAMINED_STATES:
            yield DocumentRequest(
                KIND_EXTRACT,
                organization_id,
                extract_context(deliberation, view),
                deliberation_type,
                deliberation.pk,
                f"Extrait — délibération n° {deliberation.number}",
            )


def generate_sitting_document(*, user: Any, sitting: Sitting, kind: str) -> list[Any]:
    """Render one document of a sitting at once (convocation, list, procès-verbal)."""
    from documents.services import generate_document

    require(user, sitting.assembly.organization_id, Capability.GENERATE_DOCUMENTS)
    builders = {KIND_CONVOCATION: convocation_context, KIND_LIST: list_context, KIND_MINUTES: minutes_context}
    titles = {KIND_CONVOCATION: "Convocation", KIND_LIST: "Liste des délibérations", KIND_MINUTES: "Procès-verbal"}
    if kind not in builders:
        raise DomainError(f"Document de séance inconnu : « {kind} ».", field="kind")
    loaded = _load_sitting(sitting.pk)
    view = selectors.sitting_attendance(loaded, items=_agenda_for_documents(loaded))
    return generate_document(
        kind=kind,
        organization=loaded.assembly.organization,
        context=builders[kind](loaded, view),
        owner=loaded,
        user=user,
        title=f"{titles[kind]} — {loaded.assembly.name} du {french_date(loaded.date)}",
    )


def start_sitting_bundle(*, user: Any, sitting: Sitting) -> Any:
    """Start the background generation of every document of a sitting (one ZIP at the end).
    Returns the batch (its page shows the progress), or the sitting when the documents app
    offers no background batches and the documents were rendered at once."""
    from documents import services as document_services

    require(user, sitting.assembly.organization_id, Capability.GENERATE_DOCUMENTS)
    start_batch = getattr(document_services, "start_batch", None)
    if start_batch is not None:
        return start_batch(
            owner=sitting,
            organization=sitting.assembly.organization,
            user=user,
            title=f"Documents — {sitting.assembly.name} du {french_date(sitting.date)}",
            builder="deliberations.documents.sitting_bundle",
            builder_kwargs={"sitting_id": sitting.pk},
        )
    owners = {(ContentType.objects.get_for_model(Sitting).pk, sitting.pk): sitting}
    for request in sitting_bundle(sitting_id=sitting.pk):
        owner = owners.get((request.owner_content_type_id, request.owner_id)) or Deliberation.objects.get(
            pk=request.owner_id
        )
        document_services.generate_document(
            kind=request.kind,
            organization=sitting.assembly.organization,
            context=request.context,
            owner=owner,
            user=user,
            title=request.title,
            formats=request.formats,
        )
    return sitting


# --- Public extracts -------------------------------------------------------------------------------


def _public_documents(deliberation_ids: list[int]) -> Any:
    from documents.models import StoredDocument

    return StoredDocument.objects.filter(
        owner_type=ContentType.objects.get_for_model(Deliberation),
        owner_id__in=deliberation_ids,
        kind=KIND_EXTRACT,
        format="pdf",
    )


def public_extract_urls(deliberations: list[Deliberation]) -> set[int]:
    """Ids of the published deliberations that have a PDF extract (one query)."""
    ids = [d.pk for d in deliberations]
    if not ids:
        return set()
    return set(_public_documents(ids).values_list("owner_id", flat=True))


def public_extract_response(deliberation: Deliberation) -> HttpResponse:
    document = _public_documents([deliberation.pk]).order_by("-version", "-id").first()
    if document is None:
        raise Http404("Aucun extrait publié pour cette délibération.")
    with document.file.open("rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="extrait-{deliberation.number}.pdf"'
    return response


def today() -> date:
    return timezone.localdate()
