"""The actions of a convention's page: each posted form parsed, one service called, then back
to the page with a message."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conventions import documents, forms, selectors, services
from conventions.models import Convention, ConventionClause, TerminationNotice
from conventions.views._common import error_text, party_choices, party_of, valid
from core import confirmation, tenancy
from core.confirmation import Confirmation
from core.errors import DomainError
from core.roles import Capability
from deliberations.models import Deliberation
from parties.models import Organization

# An action parses its form, calls its service and returns its success message.
Action = Callable[[HttpRequest, Convention], str]


def _submit(request: HttpRequest, convention: Convention) -> str:
    services.submit_for_review(user=request.user, convention=convention, reason=request.POST.get("reason", ""))
    return _("La convention est transmise en relecture juridique.")


def _return_to_draft(request: HttpRequest, convention: Convention) -> str:
    services.return_to_draft(user=request.user, convention=convention, reason=request.POST.get("reason", ""))
    return _("La convention est renvoyée en brouillon.")


def _approve(request: HttpRequest, convention: Convention) -> str:
    acts = Deliberation.objects.filter(assembly__organization_id=convention.organization_id)
    data = valid(forms.ApproveForm(request.POST, deliberations=acts))
    services.approve_convention(
        user=request.user,
        convention=convention,
        deliberations=list(data["deliberations"].select_related("assembly", "sitting")),
        delegated_reference=data["delegated_reference"],
        delegated_date=data["delegated_date"],
    )
    return _("La convention est approuvée.")


def _send_for_signature(request: HttpRequest, convention: Convention) -> str:
    day = valid(forms.DateForm(request.POST))["day"]
    services.send_for_signature(user=request.user, convention=convention, sent_on=day)
    return _("La convention est envoyée en signature.")


def _sign(request: HttpRequest, convention: Convention) -> str:
    form = forms.SignatureForm(request.POST)
    form.fields["party"].choices = party_choices(convention)  # type: ignore[attr-defined]
    data = valid(form)
    services.record_signature(
        user=request.user,
        convention=convention,
        party=party_of(convention, data["party"]),
        signed_on=data["signed_on"],
    )
    return _("La signature est enregistrée.")


def _correct_signature(request: HttpRequest, convention: Convention) -> str:
    form = forms.SignatureCorrectionForm(request.POST)
    form.fields["party"].choices = party_choices(convention)  # type: ignore[attr-defined]
    data = valid(form)
    services.correct_signature_date(
        user=request.user,
        convention=convention,
        party=party_of(convention, data["party"]),
        signed_on=data["signed_on"],
        reason=data["reason"],
    )
    return _("La date de signature est corrigée.")


def _notify(request: HttpRequest, convention: Convention) -> str:
    day = valid(forms.DateForm(request.POST))["day"]
    services.record_notification(user=request.user, convention=convention, notified_on=day)
    return _("La notification est enregistrée.")


def _change_state(service: Callable[..., object]) -> Action:
    def action(request: HttpRequest, convention: Convention) -> str:
        service(user=request.user, convention=convention, reason=request.POST.get("reason", ""))
        return _("L'état de la convention est mis à jour.")

    return action


def _renew(request: HttpRequest, convention: Convention) -> str:
    successor = services.renew_expressly(user=request.user, convention=convention)
    return _("Nouvelle convention %(ref)s créée pour le renouvellement.") % {"ref": successor.reference}


def _add_party(request: HttpRequest, convention: Convention) -> str:
    organizations = Organization.objects.visible_to([convention.organization_id])
    form = forms.PartyForm(request.POST)
    form.fields["organization"].choices = [(o.pk, o.name) for o in organizations]  # type: ignore[attr-defined]
    data = valid(form)
    services.add_party(
        user=request.user,
        convention=convention,
        organization=organizations.get(pk=data["organization"]),
        side=data["side"],
        designation=data["designation"],
    )
    return _("La partie est ajoutée.")


def _beneficiaries(request: HttpRequest, convention: Convention) -> str:
    partners = [p for p in convention.parties.all() if p.organization_id != convention.organization_id]
    form = forms.BeneficiariesForm(request.POST, partners=partners)
    valid(form)
    services.set_beneficiaries(
        user=request.user,
        convention=convention,
        shares=[services.BeneficiaryShare(**share) for share in form.shares()],
    )
    return _("Les bénéficiaires de la subvention et leurs parts sont enregistrés.")


def _add_clause(request: HttpRequest, convention: Convention) -> str:
    library = convention.organization.clause_templates.all()
    form = forms.ClauseForm(request.POST)
    form.fields["template"].choices = [("", "")] + [(t.pk, t.title) for t in library]  # type: ignore[attr-defined]
    data = valid(form)
    if data["template"]:
        template = library.get(pk=data["template"])
        services.add_clause_from_library(user=request.user, convention=convention, template=template)
    else:
        services.add_clause(user=request.user, convention=convention, title=data["title"], body=data["body"])
    return _("L'article est ajouté.")


def _clause_of(convention: Convention, form: Form) -> ConventionClause:
    """The article named by the form, among the convention's (a stale or foreign id is refused)."""
    clause_id = valid(form)["clause"]
    clause = next((c for c in convention.clauses.all() if c.pk == clause_id), None)
    if clause is None:
        raise DomainError(_("Cet article n'est pas (ou plus) un article de la convention."), rule=_("Articles"))
    return clause


def _edit_clause(request: HttpRequest, convention: Convention) -> str:
    form = forms.ClauseEditForm(request.POST)
    clause = _clause_of(convention, form)
    data = form.cleaned_data
    clause = services.update_clause(user=request.user, clause=clause, title=data["title"], body=data["body"])
    return _("L'article %(n)s est modifié.") % {"n": clause.position}


def _move_clause(request: HttpRequest, convention: Convention) -> str:
    form = forms.ClauseMoveForm(request.POST)
    clause = _clause_of(convention, form)
    clause = services.move_clause(user=request.user, clause=clause, position=form.cleaned_data["position"])
    return _("L'article « %(title)s » est maintenant l'article %(n)s.") % {"title": clause.title, "n": clause.position}


def _remove_clause(request: HttpRequest, convention: Convention) -> str:
    clause = _clause_of(convention, forms.ClauseRemoveForm(request.POST))
    services.remove_clause(user=request.user, clause=clause)
    return _("L'article « %(title)s » est supprimé ; les articles suivants sont renumérotés.") % {"title": clause.title}


def _add_obligation(request: HttpRequest, convention: Convention) -> str:
    form = forms.ObligationForm(request.POST)
    form.fields["party"].choices = party_choices(convention)  # type: ignore[attr-defined]
    data = valid(form)
    services.add_obligation(
        user=request.user,
        convention=convention,
        party=party_of(convention, data["party"]),
        description=data["description"],
        recurrence=data["recurrence"],
        first_due_date=data["first_due_date"],
        amount=data["amount"],
    )
    return _("L'engagement est ajouté.")


def _amend(request: HttpRequest, convention: Convention) -> str:
    form = forms.AmendmentForm(request.POST)
    form.fields["clause"].choices = [("", "")] + [(c.pk, str(c)) for c in convention.clauses.all()]  # type: ignore[attr-defined]
    data = valid(form)
    # The article replaced is optional: popped whether chosen or not, so that it reaches the
    # service once, as an object.
    chosen = data.pop("clause", None)
    clause = convention.clauses.get(pk=chosen) if chosen else None
    amendment = services.create_amendment(user=request.user, convention=convention, clause=clause, **data)
    return _("L'avenant n° %(n)s est rédigé.") % {"n": amendment.number}


def _give_notice(request: HttpRequest, convention: Convention) -> str:
    form = forms.NoticeForm(request.POST)
    form.fields["given_by"].choices = party_choices(convention)  # type: ignore[attr-defined]
    data = valid(form)
    services.give_notice(
        user=request.user,
        convention=convention,
        given_by=party_of(convention, data["given_by"]),
        reason=data["reason"],
        sent_on=data["sent_on"],
        registered_letter_number=data["registered_letter_number"],
        received_on=data["received_on"],
    )
    return _("La dénonciation est enregistrée.")


def _notice_of(convention: Convention) -> TerminationNotice:
    notice = getattr(convention, "termination_notice_record", None)
    if notice is None:
        raise DomainError(_("Cette convention n'a pas été dénoncée."), rule="Résiliation")
    return notice


def _receipt(request: HttpRequest, convention: Convention) -> str:
    data = valid(forms.ReceiptForm(request.POST))
    services.record_notice_receipt(
        user=request.user,
        notice=_notice_of(convention),
        received_on=data["received_on"],
        sent_on=data["sent_on"],
        registered_letter_number=data["registered_letter_number"] or None,
    )
    return _("L'accusé de réception est enregistré.")


def _evaluation(request: HttpRequest, convention: Convention) -> str:
    data = valid(forms.EvaluationForm(request.POST, request.FILES))
    evaluation = convention.evaluations.get(pk=data["evaluation"])
    services.record_evaluation(
        user=request.user,
        evaluation=evaluation,
        held_on=data["held_on"],
        outcome=data["outcome"],
        summary=data["summary"],
    )
    upload = data.get("attachment")
    if upload:
        services.add_annex(
            user=request.user,
            convention=convention,
            title=_("Évaluation n° %(n)s") % {"n": evaluation.number},
            name=upload.name,
            content=upload.read(),
            evaluation=evaluation,
        )
    return _("L'évaluation est enregistrée.")


def _annex(request: HttpRequest, convention: Convention) -> str:
    data = valid(forms.AnnexForm(request.POST, request.FILES))
    upload = data["file"]
    services.add_annex(
        user=request.user, convention=convention, title=data["title"], name=upload.name, content=upload.read()
    )
    return _("L'annexe est ajoutée.")


def _fulfil(request: HttpRequest, convention: Convention) -> str:
    obligation = convention.obligations.get(pk=int(request.POST.get("obligation", "0") or 0))
    day = valid(forms.DateForm(request.POST))["day"]
    services.fulfil_obligation(user=request.user, obligation=obligation, fulfilled_on=day)
    return _("L'engagement est marqué réalisé.")


def _committee(request: HttpRequest, convention: Convention) -> str:
    data = valid(forms.CommitteeForm(request.POST))
    committee = services.create_committee(
        user=request.user,
        name=data["name"],
        convention=convention,
        convocation_working_days=data["convocation_working_days"],
    )
    return _("Le comité « %(name)s » est créé.") % {"name": committee.name}


def _documents(request: HttpRequest, convention: Convention) -> str:
    documents.generate_convention(convention=convention, user=request.user)
    return _("Les documents sont produits.")


def _letter(request: HttpRequest, convention: Convention) -> str:
    _notice_of(convention)
    documents.generate_termination_letter(convention=convention, user=request.user)
    return _("La lettre de dénonciation est produite.")


ACTIONS: dict[str, Action] = {
    "submit": _submit,
    "return_to_draft": _return_to_draft,
    "approve": _approve,
    "send_for_signature": _send_for_signature,
    "sign": _sign,
    "correct_signature": _correct_signature,
    "notify": _notify,
    "suspend": _change_state(services.suspend),
    "resume": _change_state(services.resume),
    "cancel": _change_state(services.cancel),
    "renew": _renew,
    "add_party": _add_party,
    "beneficiaries": _beneficiaries,
    "add_clause": _add_clause,
    "edit_clause": _edit_clause,
    "move_clause": _move_clause,
    "remove_clause": _remove_clause,
    "add_obligation": _add_obligation,
    "amend": _amend,
    "notice": _give_notice,
    "receipt": _receipt,
    "evaluation": _evaluation,
    "annex": _annex,
    "fulfil": _fulfil,
    "committee": _committee,
    "documents": _documents,
    "letter": _letter,
}


# What each action needs, checked before its form is read: a role that may not act gets 403
# whatever it posts (the services check again, this also covers the document generation).
CAPABILITIES: dict[str, Capability] = {
    **dict.fromkeys(ACTIONS, Capability.EDIT_CONVENTIONS),
    "evaluation": Capability.FOLLOW_CONVENTIONS,
    "fulfil": Capability.FOLLOW_CONVENTIONS,
    "committee": Capability.FOLLOW_CONVENTIONS,
    "documents": Capability.GENERATE_DOCUMENTS,
    "letter": Capability.GENERATE_DOCUMENTS,
}


# Actions on the articles bring the user back to the articles.
ARTICLE_ACTIONS = frozenset({"add_clause", "edit_clause", "move_clause", "remove_clause"})


def confirmations() -> dict[str, Confirmation]:
    """The buttons that cannot be undone, with what they do (asked before, checked here)."""
    return {
        "cancel": Confirmation(
            title=_("Abandonner cette convention ?"),
            consequence=_(
                "La convention sera abandonnée définitivement : elle ne pourra plus être approuvée ni signée, et "
                "ses échéances ne seront plus rappelées. Pour la reprendre, il faudra en rédiger une nouvelle."
            ),
            button=_("Abandonner la convention"),
        ),
        "notice": Confirmation(
            title=_("Dénoncer cette convention ?"),
            consequence=_(
                "La résiliation sera engagée : la date d'effet sera calculée à partir de la réception de la "
                "dénonciation et du préavis, la convention prendra fin à cette date et la dénonciation ne pourra "
                "pas être retirée."
            ),
            button=_("Dénoncer la convention"),
        ),
    }


@login_required
@require_POST
def convention_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    convention = selectors.convention_detail(request.user, pk)
    if action in CAPABILITIES:
        tenancy.require(request.user, convention.organization_id, CAPABILITIES[action])
    asked = confirmations().get(action)
    if asked is not None and not confirmation.is_confirmed(request):
        return confirmation.refusal(request, asked, back=convention.get_absolute_url())
    try:
        run = ACTIONS.get(action)
        if run is None:
            raise DomainError(_("Action inconnue."), rule=_("Saisie"))
        message = run(request, convention)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    except (ObjectDoesNotExist, ValueError) as exc:
        messages.error(request, _("Élément introuvable : %(e)s") % {"e": exc})
    else:
        messages.success(request, message)
    if action in ARTICLE_ACTIONS:
        return redirect(reverse("conventions:detail", args=[pk]) + "#clauses-title")
    return redirect("conventions:detail", pk)
