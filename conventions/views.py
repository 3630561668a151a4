"""Pages for legal staff and managers. Thin: parse a form, call one service, redirect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conventions import forms, rules, selectors, services
from conventions.models import (
    AmendmentStatus,
    Convention,
    ConventionKind,
    ConventionParty,
    ConventionStatus,
    MeetingStatus,
)
from conventions.models.conventions import EDITABLE_STATES, LIVE_STATES, STATUS_TONE
from core import tenancy
from core.errors import DomainError
from core.formatting import french_date
from core.pagination import RowsPages, SearchedPages
from core.roles import Capability
from deliberations.models import Deliberation
from parties.models import Organization
from reminders.selectors import holiday_subdivision_for

PAGE_SIZE = 25


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


_URL_PK = 987654321  # placeholder pk replaced in reversed addresses
_URL_PK_TEXT = f"/{_URL_PK}/"


def _convention_rows(rows: list[dict[str, Any]], managers: dict[int, str]) -> list[dict[str, Any]]:
    """Each row's text and link, decided once from the plain rows of ``selectors.summary_rows``:
    the template only writes them. A manager is named from the filter's menu (the members of
    the organizations), one who has left it by a query of their own."""
    kinds = {value: str(label) for value, label in ConventionKind.choices}
    missing = {r["manager_id"] for r in rows if r["manager_id"] and r["manager_id"] not in managers}
    if missing:
        managers = {**managers, **{u.pk: str(u) for u in get_user_model().objects.filter(pk__in=missing)}}
    detail_url = reverse("conventions:detail", args=[_URL_PK])
    return [
        {
            "url": detail_url.replace(_URL_PK_TEXT, f"/{r['id']}/"),
            "reference": r["reference"],
            "title": r["title"],
            # The partners: every party but the organization itself.
            "partners": ", ".join(r["partners"]),
            "kind": kinds.get(r["kind"], r["kind"]),
            "tone": STATUS_TONE.get(r["status"], ""),
            "status": r["get_status_display"],
            "end_date": french_date(r["end_date"]) if r["end_date"] else "—",
            "manager": managers.get(r["manager_id"], "—") if r["manager_id"] else "—",
        }
        for r in rows
    ]


@login_required
def convention_list(request: HttpRequest) -> HttpResponse:
    # The managers' menu: the members of the user's organizations, read with the user's roles.
    managers = selectors.managers_for(request.user)
    form = forms.FilterForm(request.GET or None, managers=managers)
    filters = selectors.ConventionFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ConventionFilters(
            status=data["status"] or "",
            kind=data["kind"] or "",
            partner=data["partner"],
            partner_name=data["partner_name"] or "",
            manager=data["manager"],
            end_after=data["end_after"],
            end_before=data["end_before"],
            q=data["q"] or "",
        )
    queryset = selectors.filter_conventions(selectors.convention_summaries(request.user), filters).order_by(
        "end_date", "reference"
    )
    # The page as plain rows (its columns, the partners' names read by id): no model instances;
    # a text search read once as its matches' ids (see ``core.pagination.SearchedPages``).
    if filters.q or filters.partner_name.strip():
        pages: Any = SearchedPages(queryset, selectors.summary_rows, selectors.summary_rows_by_id)
    else:
        pages = RowsPages(queryset, selectors.summary_rows)
    paginator: Paginator[dict[str, Any]] = Paginator(pages, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "pages/conventions/convention_list.jinja",
        {
            "form": form,
            "page": page,
            "rows": _convention_rows(list(page), dict(managers)),
            # Not ``querystring``: that name is the pages engine's global.
            "query": _querystring(request),
            "can_add": bool(tenancy.organizations_where(request.user, Capability.EDIT_CONVENTIONS)),
        },
        using="pages",
    )


def _programmes(user: Any, organization_id: int) -> Any:
    return selectors.programmes_for(user).filter(organization_id=organization_id)


def _save_form(request: HttpRequest, form: forms.ConventionForm, save: Callable[[dict[str, Any]], Convention]) -> Any:
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    try:
        convention = save(data)
    except DomainError as exc:
        form.add_error(
            exc.field if exc.field in form.fields else None, f"{exc.message} ({exc.rule})" if exc.rule else exc.message
        )
        return None
    messages.success(request, _("La convention « %(ref)s » est enregistrée.") % {"ref": convention.reference})
    return redirect(convention)


@login_required
def convention_create(request: HttpRequest) -> HttpResponse:
    allowed = tenancy.organizations_where(request.user, Capability.EDIT_CONVENTIONS)
    if not allowed:
        raise PermissionDenied(_("Votre rôle ne permet pas de rédiger des conventions."))
    raw = request.POST.get("organization") or request.GET.get("organization") or ""
    organization_id = int(raw) if raw.isdigit() else allowed[0]
    if organization_id not in allowed:
        raise PermissionDenied(_("Votre rôle ne permet pas de rédiger des conventions pour cette organisation."))
    organization = Organization.objects.get(pk=organization_id)
    form = forms.ConventionForm(
        request.POST or None, organization_id=organization.pk, programmes=_programmes(request.user, organization.pk)
    )
    if request.method == "POST":

        def save(data: dict[str, Any]) -> Convention:
            followers = list(data.pop("followers") or [])
            return services.create_convention(user=request.user, organization=organization, followers=followers, **data)

        response = _save_form(request, form, save)
        if response:
            return response
    organizations = Organization.objects.filter(pk__in=allowed)
    return render(
        request,
        "pages/conventions/convention_form.jinja",
        {"form": form, "title": _("Nouvelle convention"), "organizations": organizations, "organization": organization},
        using="pages",
    )


@login_required
def convention_edit(request: HttpRequest, pk: int) -> HttpResponse:
    convention = selectors.convention_for(request.user, pk)
    form = forms.ConventionForm(
        request.POST or None,
        instance=convention,
        organization_id=convention.organization_id,
        programmes=_programmes(request.user, convention.organization_id),
    )
    if convention.status not in EDITABLE_STATES:
        for name, field in form.fields.items():
            if name not in ("manager", "followers", "service"):
                field.disabled = True
    if request.method == "POST":

        def save(data: dict[str, Any]) -> Convention:
            followers = list(data.pop("followers") or [])
            if convention.status not in EDITABLE_STATES:
                data = {k: v for k, v in data.items() if k in ("manager", "service")}
            return services.update_convention(user=request.user, convention=convention, followers=followers, **data)

        response = _save_form(request, form, save)
        if response:
            return response
    return render(
        request,
        "pages/conventions/convention_form.jinja",
        {"form": form, "title": _("Modifier « %(ref)s »") % {"ref": convention.reference}, "convention": convention},
        using="pages",
    )


def _party_choices(convention: Convention) -> list[tuple[int, str]]:
    return [(p.pk, p.organization.name) for p in convention.parties.all()]


def _action_forms(request: HttpRequest, convention: Convention) -> dict[str, Any]:
    """The forms the detail page offers, according to the state and the user's role."""
    can_edit = tenancy.can(request.user, convention.organization_id, Capability.EDIT_CONVENTIONS)
    can_follow = tenancy.can(request.user, convention.organization_id, Capability.FOLLOW_CONVENTIONS)
    status = convention.status
    parties = _party_choices(convention)
    result: dict[str, Any] = {"can_edit": can_edit, "can_follow": can_follow}
    if can_edit and status in EDITABLE_STATES:
        party_form = forms.PartyForm(auto_id="party-%s")
        taken = {p.organization_id for p in convention.parties.all()}
        party_form.fields["organization"].choices = [  # type: ignore[attr-defined]
            (o.pk, o.name) for o in Organization.objects.visible_to([convention.organization_id]).exclude(pk__in=taken)
        ]
        result["party_form"] = party_form
        clause_form = forms.ClauseForm(auto_id="clause-%s")
        clause_form.fields["template"].choices = [("", _("— texte libre —"))] + [  # type: ignore[attr-defined]
            (t.pk, t.title) for t in convention.organization.clause_templates.filter(is_active=True)
        ]
        result["clause_form"] = clause_form
        result["variables"] = sorted(services.clause_variables(convention))
    if can_edit and status not in (ConventionStatus.TERMINATED, ConventionStatus.EXPIRED, ConventionStatus.CANCELLED):
        obligation_form = forms.ObligationForm(auto_id="obligation-%s")
        obligation_form.fields["party"].choices = parties  # type: ignore[attr-defined]
        result["obligation_form"] = obligation_form
        result["annex_form"] = forms.AnnexForm(auto_id="annex-%s")
    if can_edit and status == ConventionStatus.LEGAL_REVIEW:
        result["approve_form"] = forms.ApproveForm(
            auto_id="approve-%s",
            deliberations=Deliberation.objects.filter(assembly__organization_id=convention.organization_id).order_by(
                "-year", "-sequence"
            )[:200],
        )
    if can_edit and status == ConventionStatus.OUT_FOR_SIGNATURE:
        signature_form = forms.SignatureForm(auto_id="signature-%s")
        signature_form.fields["party"].choices = [  # type: ignore[attr-defined]
            (p.pk, p.organization.name) for p in convention.parties.all() if not p.signed_on
        ]
        result["signature_form"] = signature_form
    if can_edit and status in LIVE_STATES and status != ConventionStatus.TERMINATION_NOTIFIED:
        notice_form = forms.NoticeForm(auto_id="notice-%s")
        notice_form.fields["given_by"].choices = parties  # type: ignore[attr-defined]
        result["notice_form"] = notice_form
    if can_edit and status in LIVE_STATES:
        amendment_form = forms.AmendmentForm(auto_id="amend-%s")
        amendment_form.fields["clause"].choices = [("", _("— nouvel article —"))] + [  # type: ignore[attr-defined]
            (c.pk, str(c)) for c in convention.clauses.all()
        ]
        result["amendment_form"] = amendment_form
    if can_edit and status == ConventionStatus.TERMINATION_NOTIFIED:
        result["receipt_form"] = forms.ReceiptForm(auto_id="receipt-%s")
    if can_follow and status in LIVE_STATES:
        result["evaluation_form"] = forms.EvaluationForm()
    if can_follow and convention.has_committee:
        result["committee_form"] = forms.CommitteeForm(auto_id="committee-%s")
    for action in ("submit", "return", "suspend", "resume", "cancel"):
        result[f"reason_{action}"] = forms.ReasonForm(auto_id=f"{action}-%s")
    for action in ("send", "notify"):
        result[f"date_{action}"] = forms.DateForm(auto_id=f"{action}-%s")
    return result


@login_required
def convention_detail(request: HttpRequest, pk: int) -> HttpResponse:
    convention = selectors.convention_detail(request.user, pk)
    notice = getattr(convention, "termination_notice_record", None)
    partners = list(convention.parties.all())
    variables = services.clause_variables(convention)
    attachments = selectors.evaluation_attachments(convention)
    context = {
        "convention": convention,
        "partners": partners,
        "notice": notice,
        # The party that gave notice is one of the parties read (not joined to the convention).
        "notice_by": next((p.organization.name for p in partners if notice and p.pk == notice.given_by_id), ""),
        "deadlines": selectors.convention_deadlines(convention),
        "clauses": [(c, rules.render_clause(c.body, variables, strict=False)) for c in convention.clauses.all()],
        "evaluations": [(e, attachments.get(e.pk, [])) for e in convention.evaluations.all()],
        "today": timezone.localdate(),
        **_action_forms(request, convention),
    }
    return render(request, "pages/conventions/convention_detail.jinja", context, using="pages")


def _party(convention: Convention, pk: int) -> ConventionParty:
    party = next((p for p in convention.parties.all() if p.pk == pk), None)
    if party is None:
        raise DomainError(_("Cette partie n'est pas partie à la convention."), rule="Parties")
    return party


def _valid(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[f].label if f in form.fields else ''} : {' '.join(e)}".strip(" :")
            for f, e in form.errors.items()
        )
        raise DomainError(errors, rule=_("Saisie"))
    return dict(form.cleaned_data)


def _run_convention_action(request: HttpRequest, convention: Convention, action: str) -> str:
    """Parse the posted form of ``action`` and call its service; returns the success message."""
    user, post = request.user, request.POST
    if action == "submit":
        services.submit_for_review(user=user, convention=convention, reason=post.get("reason", ""))
        return _("La convention est transmise en relecture juridique.")
    if action == "return_to_draft":
        services.return_to_draft(user=user, convention=convention, reason=post.get("reason", ""))
        return _("La convention est renvoyée en brouillon.")
    if action == "approve":
        data = _valid(
            forms.ApproveForm(
                post, deliberations=Deliberation.objects.filter(assembly__organization_id=convention.organization_id)
            )
        )
        services.approve_convention(
            user=user,
            convention=convention,
            deliberations=list(data["deliberations"].select_related("assembly", "sitting")),
            delegated_reference=data["delegated_reference"],
            delegated_date=data["delegated_date"],
        )
        return _("La convention est approuvée.")
    if action == "send_for_signature":
        day = _valid(forms.DateForm(post))["day"]
        services.send_for_signature(user=user, convention=convention, sent_on=day)
        return _("La convention est envoyée en signature.")
    if action == "sign":
        form: Any = forms.SignatureForm(post)
        form.fields["party"].choices = _party_choices(convention)  # type: ignore[attr-defined]
        data = _valid(form)
        services.record_signature(
            user=user, convention=convention, party=_party(convention, data["party"]), signed_on=data["signed_on"]
        )
        return _("La signature est enregistrée.")
    if action == "notify":
        services.record_notification(user=user, convention=convention, notified_on=_valid(forms.DateForm(post))["day"])
        return _("La notification est enregistrée.")
    if action in ("suspend", "resume", "cancel"):
        reason = post.get("reason", "")
        getattr(services, action)(user=user, convention=convention, reason=reason)
        return _("L'état de la convention est mis à jour.")
    if action == "renew":
        successor = services.renew_expressly(user=user, convention=convention)
        return _("Nouvelle convention %(ref)s créée pour le renouvellement.") % {"ref": successor.reference}
    if action == "add_party":
        form = forms.PartyForm(post)
        form.fields["organization"].choices = [  # type: ignore[attr-defined]
            (o.pk, o.name) for o in Organization.objects.visible_to([convention.organization_id])
        ]
        data = _valid(form)
        services.add_party(
            user=user,
            convention=convention,
            organization=Organization.objects.get(pk=data["organization"]),
            side=data["side"],
            designation=data["designation"],
        )
        return _("La partie est ajoutée.")
    if action == "add_clause":
        form = forms.ClauseForm(post)
        form.fields["template"].choices = [("", "")] + [  # type: ignore[attr-defined]
            (t.pk, t.title) for t in convention.organization.clause_templates.all()
        ]
        data = _valid(form)
        if data["template"]:
            template = convention.organization.clause_templates.get(pk=data["template"])
            services.add_clause_from_library(user=user, convention=convention, template=template)
        else:
            services.add_clause(user=user, convention=convention, title=data["title"], body=data["body"])
        return _("L'article est ajouté.")
    if action == "add_obligation":
        form = forms.ObligationForm(post)
        form.fields["party"].choices = _party_choices(convention)  # type: ignore[attr-defined]
        data = _valid(form)
        services.add_obligation(
            user=user,
            convention=convention,
            party=_party(convention, data["party"]),
            description=data["description"],
            recurrence=data["recurrence"],
            first_due_date=data["first_due_date"],
            amount=data["amount"],
        )
        return _("L'engagement est ajouté.")
    if action == "amend":
        form = forms.AmendmentForm(post)
        form.fields["clause"].choices = [("", "")] + [(c.pk, str(c)) for c in convention.clauses.all()]  # type: ignore[attr-defined]
        data = _valid(form)
        clause = convention.clauses.get(pk=data.pop("clause")) if data.get("clause") else None
        amendment = services.create_amendment(user=user, convention=convention, clause=clause, **data)
        return _("L'avenant n° %(n)s est rédigé.") % {"n": amendment.number}
    if action == "notice":
        form = forms.NoticeForm(post)
        form.fields["given_by"].choices = _party_choices(convention)  # type: ignore[attr-defined]
        data = _valid(form)
        services.give_notice(
            user=user,
            convention=convention,
            given_by=_party(convention, data["given_by"]),
            reason=data["reason"],
            sent_on=data["sent_on"],
            registered_letter_number=data["registered_letter_number"],
            received_on=data["received_on"],
        )
        return _("La dénonciation est enregistrée.")
    if action == "receipt":
        data = _valid(forms.ReceiptForm(post))
        notice = getattr(convention, "termination_notice_record", None)
        if notice is None:
            raise DomainError(_("Cette convention n'a pas été dénoncée."), rule="Résiliation")
        services.record_notice_receipt(
            user=user,
            notice=notice,
            received_on=data["received_on"],
            sent_on=data["sent_on"],
            registered_letter_number=data["registered_letter_number"] or None,
        )
        return _("L'accusé de réception est enregistré.")
    if action == "evaluation":
        data = _valid(forms.EvaluationForm(post, request.FILES))
        evaluation = convention.evaluations.get(pk=data["evaluation"])
        services.record_evaluation(
            user=user, evaluation=evaluation, held_on=data["held_on"], outcome=data["outcome"], summary=data["summary"]
        )
        upload = data.get("attachment")
        if upload:
            services.add_annex(
                user=user,
                convention=convention,
                title=f"Évaluation n° {evaluation.number}",
                name=upload.name,
                content=upload.read(),
                evaluation=evaluation,
            )
        return _("L'évaluation est enregistrée.")
    if action == "annex":
        data = _valid(forms.AnnexForm(post, request.FILES))
        upload = data["file"]
        services.add_annex(
            user=user, convention=convention, title=data["title"], name=upload.name, content=upload.read()
        )
        return _("L'annexe est ajoutée.")
    if action == "fulfil":
        obligation = convention.obligations.get(pk=int(post.get("obligation", "0") or 0))
        services.fulfil_obligation(user=user, obligation=obligation, fulfilled_on=_valid(forms.DateForm(post))["day"])
        return _("L'engagement est marqué réalisé.")
    if action == "committee":
        data = _valid(forms.CommitteeForm(post))
        committee = services.create_committee(
            user=user,
            name=data["name"],
            convention=convention,
            convocation_working_days=data["convocation_working_days"],
        )
        return _("Le comité « %(name)s » est créé.") % {"name": committee.name}
    if action == "documents":
        from conventions import documents

        documents.generate_convention(convention=convention, user=user)
        return _("Les documents sont produits.")
    if action == "letter":
        from conventions import documents

        if not hasattr(convention, "termination_notice_record"):
            raise DomainError(_("Cette convention n'a pas été dénoncée."), rule="Résiliation")
        documents.generate_termination_letter(convention=convention, user=user)
        return _("La lettre de dénonciation est produite.")
    raise DomainError(_("Action inconnue."), rule=_("Saisie"))


@login_required
@require_POST
def convention_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    convention = selectors.convention_detail(request.user, pk)
    try:
        message = _run_convention_action(request, convention, action)
    except DomainError as exc:
        messages.error(request, f"{exc.message} ({exc.rule})" if exc.rule else exc.message)
    except (Convention.DoesNotExist, ValueError) as exc:
        messages.error(request, _("Élément introuvable : %(e)s") % {"e": exc})
    else:
        messages.success(request, message)
    return redirect("conventions:detail", pk)


# --- Avenants ----------------------------------------------------------------------------


@login_required
def amendment_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    amendment = selectors.amendment_for(request.user, pk, number)
    deliberations = Deliberation.objects.filter(
        assembly__organization_id=amendment.convention.organization_id
    ).order_by("-year", "-sequence")[:200]
    signatures = selectors.amendment_signatures(amendment)
    signature_form = forms.AmendmentSignatureForm(auto_id="amendment-signature-%s")
    signature_form.fields["party"].choices = [  # type: ignore[attr-defined]
        (row.party.pk, row.party.organization.name) for row in signatures if row.signature is None
    ]
    return render(
        request,
        "pages/conventions/amendment_detail.jinja",
        {
            "amendment": amendment,
            "convention": amendment.convention,
            "can_edit": tenancy.can(request.user, amendment.convention.organization_id, Capability.EDIT_CONVENTIONS),
            "approve_form": forms.ApproveForm(deliberations=deliberations),
            "signatures": signatures,
            "signature_form": signature_form,
        },
        using="pages",
    )


@login_required
@require_POST
def amendment_action(request: HttpRequest, pk: int, number: int, action: str) -> HttpResponse:
    amendment = selectors.amendment_for(request.user, pk, number)
    user = request.user
    try:
        if action == "approve":
            data = _valid(
                forms.ApproveForm(
                    request.POST,
                    deliberations=Deliberation.objects.filter(
                        assembly__organization_id=amendment.convention.organization_id
                    ),
                )
            )
            services.approve_amendment(
                user=user,
                amendment=amendment,
                deliberations=list(data["deliberations"].select_related("assembly", "sitting")),
                delegated_reference=data["delegated_reference"],
                delegated_date=data["delegated_date"],
            )
        elif action == "send_for_signature":
            services.send_amendment_for_signature(user=user, amendment=amendment)
        elif action == "sign":
            form = forms.AmendmentSignatureForm(request.POST)
            parties = {p.pk: p for p in amendment.convention.parties.select_related("organization")}
            form.fields["party"].choices = [(k, p.organization.name) for k, p in parties.items()]  # type: ignore[attr-defined]
            data = _valid(form)
            amendment = services.sign_amendment(
                user=user, amendment=amendment, party=parties[data["party"]], signed_on=data["signed_on"]
            )
            if amendment.status == AmendmentStatus.SIGNED:
                messages.success(request, _("L'avenant est signé par toutes les parties : son effet s'applique."))
            else:
                messages.success(request, _("La signature de l'avenant est enregistrée."))
            return redirect("conventions:amendment_detail", pk, number)
        elif action == "cancel":
            services.cancel_amendment(user=user, amendment=amendment, reason=request.POST.get("reason", ""))
        elif action == "documents":
            from conventions import documents

            documents.generate_amendment(amendment=amendment, user=user)
        else:
            raise DomainError(_("Action inconnue."), rule=_("Saisie"))
    except DomainError as exc:
        messages.error(request, f"{exc.message} ({exc.rule})" if exc.rule else exc.message)
    else:
        messages.success(request, _("L'avenant est mis à jour."))
    return redirect("conventions:amendment_detail", pk, number)


# --- Comités ---------------------------------------------------------------------------


@login_required
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    committee = selectors.committee_for(request.user, pk)
    return render(
        request,
        "pages/conventions/committee_detail.jinja",
        {
            "committee": committee,
            "can_follow": tenancy.can(request.user, committee.organization_id, Capability.FOLLOW_CONVENTIONS),
            "member_form": forms.MemberForm(),
            "meeting_form": forms.MeetingForm(),
        },
        using="pages",
    )


@login_required
@require_POST
def committee_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    committee = selectors.committee_for(request.user, pk)
    try:
        if action == "member":
            data = _valid(forms.MemberForm(request.POST))
            services.add_member(user=request.user, committee=committee, **data)
        elif action == "meeting":
            data = _valid(forms.MeetingForm(request.POST))
            meeting = services.plan_meeting(
                user=request.user,
                committee=committee,
                meeting_date=data["date"],
                starts_at=data["starts_at"],
                location=data["location"],
                agenda=data["agenda"],
            )
            messages.success(request, _("La réunion est prévue."))
            return redirect(meeting)
        else:
            raise DomainError(_("Action inconnue."), rule=_("Saisie"))
    except DomainError as exc:
        messages.error(request, f"{exc.message} ({exc.rule})" if exc.rule else exc.message)
    else:
        messages.success(request, _("Le comité est mis à jour."))
    return redirect(committee)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, pk)
    committee = meeting.committee
    minutes_form = forms.MinutesForm()
    minutes_form.fields["present"].choices = [(m.pk, m.full_name) for m in committee.members.all()]  # type: ignore[attr-defined]
    decision_form = forms.DecisionForm()
    decision_form.fields["convention"].choices = [("", "—")] + [  # type: ignore[attr-defined]
        (c.pk, str(c)) for c in services.committee_conventions(committee)
    ]
    deadline = rules.committee_convocation_deadline(
        meeting.date, committee.convocation_working_days, holiday_subdivision_for(committee.organization)
    )
    return render(
        request,
        "pages/conventions/meeting_detail.jinja",
        {
            "meeting": meeting,
            "committee": committee,
            "convocation_deadline": deadline,
            "can_follow": tenancy.can(request.user, committee.organization_id, Capability.FOLLOW_CONVENTIONS),
            "convocation_form": forms.ConvocationForm(initial={"sent_on": min(deadline, timezone.localdate())}),
            "minutes_form": minutes_form,
            "decision_form": decision_form,
            "MeetingStatus": MeetingStatus,
        },
        using="pages",
    )


@login_required
@require_POST
def meeting_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, pk)
    committee = meeting.committee
    user = request.user
    try:
        if action == "convene":
            data = _valid(forms.ConvocationForm(request.POST))
            services.convene_meeting(user=user, meeting=meeting, **data)
        elif action == "minutes":
            form: Any = forms.MinutesForm(request.POST)
            form.fields["present"].choices = [(m.pk, m.full_name) for m in committee.members.all()]  # type: ignore[attr-defined]
            data = _valid(form)
            services.record_meeting(
                user=user, meeting=meeting, present_member_ids=data["present"], minutes=data["minutes"]
            )
        elif action == "decision":
            form = forms.DecisionForm(request.POST)
            conventions = {c.pk: c for c in services.committee_conventions(committee)}
            form.fields["convention"].choices = [("", "—")] + [(k, str(c)) for k, c in conventions.items()]  # type: ignore[attr-defined]
            data = _valid(form)
            services.record_decision(
                user=user,
                meeting=meeting,
                text=data["text"],
                kind=data["kind"],
                convention=conventions.get(data["convention"]) if data["convention"] else None,
            )
        elif action == "cancel":
            services.cancel_meeting(user=user, meeting=meeting, reason=request.POST.get("reason", ""))
        elif action == "documents":
            from conventions import documents

            documents.generate_meeting(meeting=meeting, user=user)
        else:
            raise DomainError(_("Action inconnue."), rule=_("Saisie"))
    except DomainError as exc:
        messages.error(request, f"{exc.message} ({exc.rule})" if exc.rule else exc.message)
    else:
        messages.success(request, _("La réunion est mise à jour."))
    return redirect(meeting)


# --- Programmes -------------------------------------------------------------------------


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = selectors.programmes_for(request.user).order_by("name", "pk")
    page = Paginator(programmes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "pages/conventions/programme_list.jinja",
        {"page": page, "can_add": bool(tenancy.organizations_where(request.user, Capability.EDIT_CONVENTIONS))},
        using="pages",
    )


def _programme_form_page(
    request: HttpRequest, form: forms.ProgrammeForm, save: Callable[[dict[str, Any]], Any], context: dict[str, Any]
) -> HttpResponse:
    """Validate, save through the service, or show the form again with each error by its field."""
    if request.method == "POST" and form.is_valid():
        try:
            programme = save(dict(form.cleaned_data))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Le programme « %(name)s » est enregistré.") % {"name": programme.name})
            return redirect(programme)
    return render(request, "pages/conventions/programme_form.jinja", {**context, "form": form}, using="pages")


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    allowed = tenancy.organizations_where(request.user, Capability.EDIT_CONVENTIONS)
    if not allowed:
        raise PermissionDenied(_("Votre rôle ne permet pas de créer des programmes."))
    raw = request.POST.get("organization") or request.GET.get("organization") or ""
    organization_id = int(raw) if raw.isdigit() else allowed[0]
    if organization_id not in allowed:
        raise PermissionDenied(_("Votre rôle ne permet pas de créer des programmes pour cette organisation."))
    organization = Organization.objects.get(pk=organization_id)
    form = forms.ProgrammeForm(request.POST or None, organization_id=organization.pk)

    def save(data: dict[str, Any]) -> Any:
        return services.create_programme(user=request.user, organization=organization, **data)

    return _programme_form_page(
        request,
        form,
        save,
        {
            "title": _("Nouveau programme"),
            "organization": organization,
            "organizations": Organization.objects.filter(pk__in=allowed),
        },
    )


@login_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for(request.user, pk)
    tenancy.require(request.user, programme.organization_id, Capability.EDIT_CONVENTIONS)
    form = forms.ProgrammeForm(request.POST or None, instance=programme, organization_id=programme.organization_id)

    def save(data: dict[str, Any]) -> Any:
        return services.update_programme(user=request.user, programme=programme, **data)

    return _programme_form_page(
        request,
        form,
        save,
        {"title": _("Modifier le programme « %(name)s »") % {"name": programme.name}, "programme": programme},
    )


def _programme_page(request: HttpRequest, programme: Any, budget_form: forms.BudgetForm | None = None) -> HttpResponse:
    raw_day = request.GET.get("date", "")
    day = date.fromisoformat(raw_day) if raw_day[:4].isdigit() else timezone.localdate()
    can_edit = tenancy.can(request.user, programme.organization_id, Capability.EDIT_CONVENTIONS)
    if budget_form is None and can_edit:
        budget_form = forms.BudgetForm(auto_id="budget-%s", initial={"year": day.year})
    return render(
        request,
        "pages/conventions/programme_detail.jinja",
        {
            "summary": selectors.programme_summary(programme, today=day),
            "programme": programme,
            "committees": list(programme.committees.all()),
            "can_edit": can_edit,
            "budget_form": budget_form if budget_form else None,
        },
        using="pages",
    )


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _programme_page(request, selectors.programme_for(request.user, pk))


@login_required
@require_POST
def programme_budget(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a year's budget; a refusal shows the programme's page again, the error by its field."""
    programme = selectors.programme_for(request.user, pk)
    tenancy.require(request.user, programme.organization_id, Capability.EDIT_CONVENTIONS)
    form = forms.BudgetForm(request.POST, auto_id="budget-%s")
    if form.is_valid():
        try:
            budget = services.set_budget(user=request.user, programme=programme, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Le budget %(year)s est enregistré.") % {"year": budget.year})
            return redirect(programme)
    return _programme_page(request, programme, budget_form=form)


@login_required
@require_POST
def programme_budget_remove(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    programme = selectors.programme_for(request.user, pk)
    try:
        services.remove_budget(user=request.user, programme=programme, year=year)
    except DomainError as exc:
        messages.error(request, f"{exc.message} ({exc.rule})")
    else:
        messages.success(request, _("Le budget %(year)s est supprimé.") % {"year": year})
    return redirect(programme)


# --- Clause library ----------------------------------------------------------------------


def _library_organizations(request: HttpRequest) -> list[int]:
    allowed = tenancy.organizations_where(request.user, Capability.EDIT_CONVENTIONS)
    if not allowed:
        raise PermissionDenied(_("Votre rôle ne permet pas de tenir la bibliothèque de clauses."))
    return allowed


def _variables_of(body: str) -> tuple[list[str], DomainError | None]:
    try:
        return rules.clause_variables(body), None
    except DomainError as exc:
        return [], exc


def _form_error(form: Any, exc: DomainError) -> None:
    form.add_error(
        exc.field if exc.field in form.fields else None, f"{exc.message} ({exc.rule})" if exc.rule else exc.message
    )


@login_required
def clause_list(request: HttpRequest) -> HttpResponse:
    allowed = _library_organizations(request)
    search = forms.ClauseSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    queryset = selectors.clause_templates_for(request.user, q=q, organization_ids=allowed)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for template in page:
        template.variables = _variables_of(template.body)[0]  # type: ignore[attr-defined]
    return render(
        request,
        "pages/conventions/clause_list.jinja",
        {"search": search, "page": page, "q": q},
        using="pages",
    )


def _clause_form_page(
    request: HttpRequest, form: forms.ClauseTemplateForm, save: Callable[[dict[str, Any]], Any], context: dict[str, Any]
) -> HttpResponse:
    """Validate, then either only show the variables found ("Vérifier") or save through the service."""
    body = (request.POST.get("body") if request.method == "POST" else context.get("initial_body")) or ""
    variables, error = _variables_of(body)
    if request.method == "POST" and form.is_valid():
        if "check" in request.POST:
            if error:
                _form_error(form, error)
        else:
            try:
                template = save(form.cleaned_data)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("La clause « %(title)s » est enregistrée.") % {"title": template.title})
                return redirect("conventions:clause_list")
    return render(
        request,
        "pages/conventions/clause_form.jinja",
        {**context, "form": form, "variables": variables, "variables_error": error},
        using="pages",
    )


@login_required
def clause_create(request: HttpRequest) -> HttpResponse:
    allowed = _library_organizations(request)
    raw = request.POST.get("organization") or request.GET.get("organization") or ""
    organization_id = int(raw) if raw.isdigit() else allowed[0]
    if organization_id not in allowed:
        raise PermissionDenied(_("Votre rôle ne permet pas de tenir la bibliothèque de clauses de cette organisation."))
    organization = Organization.objects.get(pk=organization_id)
    form = forms.ClauseTemplateForm(request.POST or None)

    def save(data: dict[str, Any]) -> Any:
        return services.create_clause_template(user=request.user, organization=organization, **data)

    return _clause_form_page(
        request,
        form,
        save,
        {
            "title": _("Nouvelle clause"),
            "organization": organization,
            "organizations": Organization.objects.filter(pk__in=allowed),
        },
    )


@login_required
def clause_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.clause_template_for(request.user, pk)
    tenancy.require(request.user, template.organization_id, Capability.EDIT_CONVENTIONS)
    form = forms.ClauseTemplateForm(
        request.POST or None,
        editing=True,
        initial={"title": template.title, "category": template.category, "body": template.body},
    )

    def save(data: dict[str, Any]) -> Any:
        return services.update_clause_template(user=request.user, template=template, **data)

    return _clause_form_page(
        request,
        form,
        save,
        {
            "title": _("Modifier la clause « %(title)s »") % {"title": template.title},
            "clause": template,
            "initial_body": template.body,
        },
    )


@login_required
@require_POST
def clause_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    template = selectors.clause_template_for(request.user, pk)
    tenancy.require(request.user, template.organization_id, Capability.EDIT_CONVENTIONS)
    try:
        services.set_clause_template_active(user=request.user, template=template, active=active)
    except DomainError as exc:
        messages.error(request, f"{exc.message} ({exc.rule})")
    else:
        done = _("La clause « %(title)s » est réactivée.") if active else _("La clause « %(title)s » est désactivée.")
        messages.success(request, done % {"title": template.title})
    return redirect("conventions:clause_list")
