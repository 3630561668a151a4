"""Deliberations as acts: numbering, drafting, agenda, signature, transmission, publication."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from core.errors import DomainError
from core.roles import Capability
from deliberations import deadlines, rules, tasks
from deliberations.models import (
    DECIDED_STATES,
    ActNature,
    Annex,
    Assembly,
    Deliberation,
    DeliberationKind,
    DeliberationState,
    NumberingCounter,
    NumberingRule,
    Sitting,
    SittingState,
    Transmission,
)
from deliberations.rules import ctes as ctes_rules
from deliberations.selectors.acts import ctes_classification
from deliberations.services._common import lock_deliberation, lock_sitting, require, save, transition
from deliberations.services.chair import set_item_chair
from parties.models import Person, Signatory

EDITABLE_STATES = (DeliberationState.DRAFT, DeliberationState.ON_AGENDA, DeliberationState.POSTPONED)
CONTENT_FIELDS = ("title", "theme", "subject_code", "report", "operative_part", "kind", "requires_transmission")
ANNEX_MAX_SIZE = 20 * 1024 * 1024


# --- Numbering ------------------------------------------------------------------------------


def take_number(assembly: Assembly, year: int) -> tuple[str, int]:
    """The next number of an assembly for a year: the counter row is locked until the
    caller's transaction ends, so concurrent creations get consecutive numbers, no gaps."""
    rule, _created = NumberingRule.objects.get_or_create(assembly=assembly)
    counter_year = year if rule.yearly_reset else 0
    counter = NumberingCounter.objects.select_for_update().filter(rule=rule, year=counter_year).first()
    if counter is None:
        try:
            with transaction.atomic():
                NumberingCounter.objects.create(rule=rule, year=counter_year, last_value=0)
        except IntegrityError:
            pass  # created meanwhile by a concurrent transaction: lock it below
        counter = NumberingCounter.objects.select_for_update().get(rule=rule, year=counter_year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return rules.format_number(rule.pattern, year=year, seq=counter.last_value), counter.last_value


def _refresh_search(deliberation: Deliberation) -> None:
    """Keep the French full-text vector of PostgreSQL in step with the text."""
    if connection.vendor != "postgresql":
        return
    from django.contrib.postgres.search import SearchVector

    vector = (
        SearchVector("number", weight="A", config="french")
        + SearchVector("title", weight="A", config="french")
        + SearchVector("theme", weight="B", config="french")
        + SearchVector("report", weight="C", config="french")
        + SearchVector("operative_part", weight="C", config="french")
    )
    Deliberation.objects.filter(pk=deliberation.pk).update(search_vector=vector)


def _clean_content(data: dict[str, Any], organization_id: int) -> dict[str, Any]:
    cleaned = {k: v for k, v in data.items() if k in CONTENT_FIELDS}
    if "title" in cleaned:
        cleaned["title"] = str(cleaned["title"]).strip()
        if not cleaned["title"]:
            raise DomainError("L'objet de la délibération est obligatoire.", field="title")
    if "subject_code" in cleaned:
        classification = ctes_classification(organization_id)
        known = classification.matieres if classification is not None else None
        cleaned["subject_code"] = rules.check_subject_code(cleaned["subject_code"] or "", known)
    if "kind" in cleaned and cleaned["kind"] not in DeliberationKind.values:
        raise DomainError(f"Nature inconnue : « {cleaned['kind']} ».", field="kind")
    return cleaned


def _check_rapporteur(assembly: Assembly, rapporteur: Person | None) -> None:
    if rapporteur is not None and rapporteur.organization_id != assembly.organization_id:
        raise DomainError(
            f"{rapporteur.full_name} n'appartient pas à {assembly.organization.name}.", field="rapporteur"
        )


@transaction.atomic
def create_deliberation(
    *,
    user: Any,
    assembly: Assembly,
    title: str,
    sitting: Sitting | None = None,
    rapporteur: Person | None = None,
    year: int | None = None,
    **content: Any,
) -> Deliberation:
    """Draft a deliberation and give it its number; with a sitting, put it on its agenda."""
    require(user, assembly.organization_id, Capability.MANAGE_SITTINGS)
    cleaned = _clean_content({"title": title, **content}, assembly.organization_id)
    _check_rapporteur(assembly, rapporteur)
    if sitting is not None and sitting.assembly_id != assembly.pk:
        raise DomainError("La séance choisie n'est pas une séance de cette assemblée.", field="sitting")
    number_year = year or (sitting.date.year if sitting else timezone.localdate().year)
    number, sequence = take_number(assembly, number_year)
    deliberation = Deliberation(
        assembly=assembly, number=number, year=number_year, sequence=sequence, rapporteur=rapporteur, **cleaned
    )
    save(deliberation, user=user, reason=f"Projet de délibération n° {number}")
    if sitting is not None:
        deliberation = put_on_agenda(user=user, deliberation=deliberation, sitting=sitting)
    _refresh_search(deliberation)
    return deliberation


@transaction.atomic
def update_deliberation(
    *, user: Any, deliberation: Deliberation, rapporteur: Person | None | str = "unchanged", **content: Any
) -> Deliberation:
    """Change the text of a deliberation while it is still a project. ``presided_by_id``
    (a member's id, or None for the sitting's president) records who presides it, as
    :func:`deliberations.services.chair.set_item_chair` does."""
    chair_id = content.pop("presided_by_id", "unchanged")
    if chair_id != "unchanged":
        chair = Person.objects.filter(pk=chair_id, organization_id=deliberation.assembly.organization_id).first()
        if chair_id is not None and chair is None:
            raise DomainError("Cet élu est inconnu de la collectivité.", rule=rules.RULE_CHAIR, field="presided_by_id")
        deliberation = set_item_chair(user=user, deliberation=deliberation, person=chair)
        if not content and rapporteur == "unchanged":
            return deliberation
    require(user, deliberation.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = lock_deliberation(deliberation)
    if locked.state not in EDITABLE_STATES:
        raise DomainError(
            f"La délibération est « {locked.get_state_display()} » : son texte ne se modifie plus.", rule="Cycle de vie"
        )
    cleaned = _clean_content(content, locked.assembly.organization_id)
    if "kind" in cleaned and cleaned["kind"] != locked.kind and hasattr(locked, "vote"):
        raise DomainError("Un vote est enregistré : la nature ne peut plus changer.", field="kind")
    for field, value in cleaned.items():
        setattr(locked, field, value)
    if rapporteur != "unchanged":
        _check_rapporteur(locked.assembly, rapporteur)  # type: ignore[arg-type]
        locked.rapporteur = rapporteur  # type: ignore[assignment]
    save(locked, user=user, reason="Texte modifié")
    _refresh_search(locked)
    return locked


# --- Agenda -----------------------------------------------------------------------------------

AGENDA_OPEN_STATES = (SittingState.PLANNED, SittingState.CONVENED, SittingState.OPEN)


@transaction.atomic
def put_on_agenda(*, user: Any, deliberation: Deliberation, sitting: Sitting) -> Deliberation:
    """Add a draft (or postponed) deliberation at the end of a sitting's agenda."""
    require(user, deliberation.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked_sitting = lock_sitting(sitting)
    locked = lock_deliberation(deliberation)
    if locked_sitting.assembly_id != locked.assembly_id:
        raise DomainError("La séance choisie n'est pas une séance de cette assemblée.", field="sitting")
    if locked_sitting.state not in AGENDA_OPEN_STATES:
        raise DomainError(
            f"La séance est « {locked_sitting.get_state_display()} » : son ordre du jour est arrêté.",
            rule="Cycle de vie",
        )
    transition(locked, "put_on_agenda", label="Inscrire à l'ordre du jour")
    last = Deliberation.objects.filter(sitting=locked_sitting).aggregate(m=Max("position"))["m"] or 0
    locked.sitting = locked_sitting
    locked.position = last + 1
    save(locked, user=user, reason=f"Inscrite à l'ordre du jour (point {last + 1})")
    return locked


@transaction.atomic
def remove_from_agenda(*, user: Any, deliberation: Deliberation) -> Deliberation:
    """Take an item off the agenda before the sitting is open (afterwards: withdraw or postpone it)."""
    require(user, deliberation.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = lock_deliberation(deliberation)
    if locked.sitting_id is None:
        raise DomainError("Cette délibération n'est inscrite à aucune séance.")
    sitting = lock_sitting(locked.sitting_id)
    if sitting.state not in (SittingState.PLANNED, SittingState.CONVENED):
        raise DomainError(
            "La séance est ouverte : retirez ou reportez le point plutôt que de le supprimer de l'ordre du jour.",
            rule="Cycle de vie",
        )
    transition(locked, "remove_from_agenda", label="Retirer de l'ordre du jour")
    old_position = locked.position
    locked.sitting = None
    locked.position = None
    save(locked, user=user, reason="Retirée de l'ordre du jour")
    _close_gap(sitting, old_position)
    return locked


def _close_gap(sitting: Sitting, position: int | None) -> None:
    if position is None:
        return
    for item in Deliberation.objects.filter(sitting=sitting, position__gt=position).order_by("position"):
        Deliberation.objects.filter(pk=item.pk).update(position=(item.position or 1) - 1)


@transaction.atomic
def move_item(*, user: Any, deliberation: Deliberation, position: int) -> Deliberation:
    """Move an item to another rank of the agenda (before any item is examined)."""
    require(user, deliberation.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = lock_deliberation(deliberation)
    if locked.sitting_id is None or locked.position is None:
        raise DomainError("Cette délibération n'est inscrite à aucune séance.")
    sitting = lock_sitting(locked.sitting_id)
    items = list(
        Deliberation.objects.select_for_update().filter(sitting=sitting, position__isnull=False).order_by("position")
    )
    if any(item.state not in (DeliberationState.ON_AGENDA, DeliberationState.DRAFT) for item in items):
        raise DomainError(
            "Des points ont déjà été examinés : l'ordre du jour ne se réordonne plus.", rule="Cycle de vie"
        )
    if not 1 <= position <= len(items):
        raise DomainError(f"Rang invalide : entre 1 et {len(items)}.", field="position")
    ordered = [item for item in items if item.pk != locked.pk]
    ordered.insert(position - 1, locked)
    # Two passes keep the (sitting, position) uniqueness true at every step.
    Deliberation.objects.filter(pk__in=[i.pk for i in items]).update(position=None)
    for rank, item in enumerate(ordered, start=1):
        Deliberation.objects.filter(pk=item.pk).update(position=rank)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def withdraw(*, user: Any, deliberation: Deliberation, reason: str = "") -> Deliberation:
    """Withdraw an item (it keeps its number, so numbering has no gap)."""
    require(user, deliberation.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = lock_deliberation(deliberation)
    transition(locked, "withdraw", label="Retirer")
    locked.state_reason = reason.strip()
    save(locked, user=user, reason="Retirée" + (f" : {reason.strip()}" if reason.strip() else ""))
    return locked


@transaction.atomic
def postpone(*, user: Any, deliberation: Deliberation, reason: str = "") -> Deliberation:
    """Postpone an item to a later sitting."""
    require(user, deliberation.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = lock_deliberation(deliberation)
    transition(locked, "postpone", label="Reporter")
    locked.state_reason = reason.strip()
    save(locked, user=user, reason="Reportée" + (f" : {reason.strip()}" if reason.strip() else ""))
    return locked


# --- After the sitting ----------------------------------------------------------------------


@transaction.atomic
def sign(*, user: Any, deliberation: Deliberation, signed_on: date, signatory: Signatory | None = None) -> Deliberation:
    """Sign the act ("Fait à …, le …", the signature block)."""
    require(user, deliberation.assembly.organization_id, Capability.SIGN_DOCUMENTS)
    locked = lock_deliberation(deliberation)
    if locked.sitting_id is None:
        raise DomainError("Cette délibération n'a pas été examinée en séance.")
    sitting_day = locked.sitting.date  # type: ignore[union-attr]
    if signed_on < sitting_day:
        raise DomainError("L'acte ne peut pas être signé avant la séance.", rule="Cycle de vie", field="signed_on")
    if signatory is None:
        signatory = Signatory.objects.filter(organization_id=locked.assembly.organization_id, is_default=True).first()
    elif signatory.organization_id != locked.assembly.organization_id:
        raise DomainError("Ce signataire n'est pas un signataire de la collectivité.", field="signatory")
    transition(locked, "sign", label="Signer")
    locked.signed_on = signed_on
    locked.signatory = signatory
    save(locked, user=user, reason=f"Signée le {signed_on:%d/%m/%Y}")
    return locked


@transaction.atomic
def record_transmission(
    *,
    user: Any,
    deliberation: Deliberation,
    sent_on: date,
    nature: str = ActNature.DE,
    internal_number: str = "",
    received_on: date | None = None,
    acknowledgement_id: str = "",
) -> Deliberation:
    """Record the sending to the préfecture (@CTES) and, when known, its acknowledgement."""
    require(user, deliberation.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = lock_deliberation(deliberation)
    if hasattr(locked, "transmission"):
        raise DomainError(
            "La transmission est déjà enregistrée : complétez son accusé de réception.", rule=rules.RULE_CTES
        )
    rules.check_nature(nature)
    # By default the number of the act's @CTES package (rules.ctes.internal_number), so that
    # the acknowledgement of the package sent matches the transmission recorded.
    internal_number = rules.check_internal_number(internal_number.strip() or ctes_rules.internal_number(locked.number))
    if locked.signed_on and sent_on < locked.signed_on:
        raise DomainError("L'acte ne peut pas être transmis avant d'être signé.", rule=rules.RULE_CTES, field="sent_on")
    transition(locked, "transmit", label="Transmettre en préfecture")
    transmission = Transmission(deliberation=locked, nature=nature, internal_number=internal_number, sent_on=sent_on)
    _set_acknowledgement(locked, transmission, received_on, acknowledgement_id)
    save(transmission, user=user, reason="Transmise en préfecture")
    save(locked, user=user, reason=f"Transmise en préfecture le {sent_on:%d/%m/%Y}")
    return _maybe_enforceable(locked, user=user)


def _set_acknowledgement(
    deliberation: Deliberation, transmission: Transmission, received_on: date | None, acknowledgement_id: str
) -> None:
    acknowledgement_id = acknowledgement_id.strip()
    if received_on is not None and received_on < transmission.sent_on:
        raise DomainError("La réception ne peut pas précéder l'envoi.", rule=rules.RULE_CTES, field="received_on")
    if acknowledgement_id:
        if received_on is None:
            raise DomainError("Indiquez la date de réception de l'accusé.", rule=rules.RULE_CTES, field="received_on")
        organization = deliberation.assembly.organization
        rules.check_acknowledgement(
            acknowledgement_id,
            departement=organization.departement_code,
            siren=organization.siren,
            decision_date=deliberation.sitting.date,  # type: ignore[union-attr]
            internal_number=transmission.internal_number,
            nature=transmission.nature,
        )
    transmission.received_on = received_on
    transmission.acknowledgement_id = acknowledgement_id


@transaction.atomic
def record_acknowledgement(
    *, user: Any, deliberation: Deliberation, received_on: date, acknowledgement_id: str
) -> Deliberation:
    """Record the préfecture's acknowledgement of receipt (the act may become exécutoire)."""
    require(user, deliberation.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = lock_deliberation(deliberation)
    try:
        transmission = Transmission.objects.select_for_update().get(deliberation=locked)
    except Transmission.DoesNotExist:
        raise DomainError("Enregistrez d'abord l'envoi en préfecture.", rule=rules.RULE_CTES)
    _set_acknowledgement(locked, transmission, received_on, acknowledgement_id)
    save(transmission, user=user, reason="Accusé de réception de la préfecture")
    return _maybe_enforceable(locked, user=user)


@transaction.atomic
def publish(*, user: Any, deliberation: Deliberation, published_on: date) -> Deliberation:
    """Publish the act (electronically, CGCT L2131-1): exécutoire once also received by the préfet."""
    require(user, deliberation.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = lock_deliberation(deliberation)
    if locked.published_on is not None:
        raise DomainError(f"L'acte est déjà publié (le {locked.published_on:%d/%m/%Y}).", rule=rules.RULE_PUBLICATION)
    if locked.sitting is None:  # a draft not yet put on a sitting's agenda: nothing decided to publish
        raise DomainError(
            "L'acte n'est inscrit à aucune séance : il ne peut être publié qu'une fois voté.",
            rule=rules.RULE_PUBLICATION,
        )
    rules.check_publication_date(published_on=published_on, decided_on=locked.sitting.date)
    if locked.signed_on and published_on < locked.signed_on:
        raise DomainError(
            "L'acte ne peut pas être publié avant d'être signé.", rule=rules.RULE_PUBLICATION, field="published_on"
        )
    transition(locked, "publish", label="Publier")
    locked.published_on = published_on
    save(locked, user=user, reason=f"Publiée le {published_on:%d/%m/%Y}")
    deadlines.sync_deliberation(locked)
    # The public page links the extract: produce it once the publication is committed.
    deliberation_id, user_id = locked.pk, user.pk
    transaction.on_commit(
        lambda: tasks.generate_missing_extract.enqueue(deliberation_id=deliberation_id, user_id=user_id)
    )
    return _maybe_enforceable(locked, user=user)


def _maybe_enforceable(deliberation: Deliberation, *, user: Any) -> Deliberation:
    """Move to exécutoire when published and, if it must be, received by the préfet."""
    transmission = Transmission.objects.filter(deliberation=deliberation).first()
    when = rules.enforceable_on(
        published_on=deliberation.published_on,
        received_on=transmission.received_on if transmission else None,
        requires_transmission=deliberation.requires_transmission,
    )
    if when is None or deliberation.state == DeliberationState.ENFORCEABLE:
        return deliberation
    transition(deliberation, "make_enforceable", label="Rendre exécutoire")
    deliberation.enforceable_on = when
    save(deliberation, user=user, reason=f"Exécutoire le {when:%d/%m/%Y}")
    return deliberation


# --- Annexes --------------------------------------------------------------------------------


@transaction.atomic
def add_annex(
    *,
    user: Any,
    deliberation: Deliberation,
    upload: UploadedFile,
    title: str = "",
    transmitted: bool = True,
    type_code: str = ctes_rules.DEFAULT_ANNEX_TYPE,
) -> Annex:
    """Attach a file, checked by its content and size, with its type of piece for @CTES."""
    require(user, deliberation.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = lock_deliberation(deliberation)
    if locked.state not in (*EDITABLE_STATES, *DECIDED_STATES, DeliberationState.SIGNED):
        raise DomainError("Les annexes d'un acte transmis ou publié ne changent plus.", rule="Cycle de vie")
    max_size = getattr(settings, "DELIBERATIONS_ANNEX_MAX_SIZE", ANNEX_MAX_SIZE)
    name = upload.name or "annexe"
    upload.seek(0)
    head = upload.read(16)
    content_type = rules.check_annex(filename=name, head=head, size=upload.size or 0, max_size=max_size)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    if type_code != ctes_rules.DEFAULT_ANNEX_TYPE:
        type_code = ctes_rules.check_type_code(type_code.strip().upper())
        classification = ctes_classification(locked.assembly.organization_id)
        if type_code not in ctes_rules.piece_type_labels(classification.piece_types if classification else None):
            raise DomainError(
                f"Type de pièce « {type_code} » inconnu.", rule=ctes_rules.RULE_TYPOLOGY, field="type_code"
            )
    annex = Annex(
        deliberation=locked,
        type_code=type_code,
        title=title.strip() or name,
        content_type=content_type,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        transmitted=transmitted,
    )
    annex.file.save(name, upload, save=False)
    save(annex, user=user, reason="Annexe ajoutée")
    return annex


@transaction.atomic
def remove_annex(*, user: Any, annex: Annex) -> None:
    """Remove an annex while the act is not yet transmitted or published; the file goes once
    the removal is committed."""
    require(user, annex.deliberation.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = lock_deliberation(annex.deliberation_id)
    if locked.state not in (*EDITABLE_STATES, *DECIDED_STATES, DeliberationState.SIGNED):
        raise DomainError("Les annexes d'un acte transmis ou publié ne changent plus.", rule="Cycle de vie")
    current = Annex.objects.select_for_update().filter(pk=annex.pk).first()
    if current is None:
        raise DomainError("Cette annexe a déjà été retirée.", rule="Cycle de vie")
    storage, name = current.file.storage, current.file.name
    current._change_reason = "Annexe retirée"  # type: ignore[attr-defined]
    if user is not None and getattr(user, "is_authenticated", False):
        current._history_user = user  # type: ignore[attr-defined]
    current.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
