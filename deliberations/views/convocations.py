"""Pages of the convocations' sending: the confirmation (members on paper listed first),
the sending, notices, a re-send to one member, a bounce, the état des envois."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import tenancy
from core.errors import DomainError
from core.roles import Capability
from deliberations import forms, rules, selectors
from deliberations.models import Mandate, SendingKind, SittingState
from deliberations.selectors.convocations import addressees, recipient_for
from deliberations.services import convocations as sending_services
from deliberations.views._common import error_text


def _back(sitting: Any) -> str:
    return f"{sitting.get_absolute_url()}#convocations"


@login_required
def convocation_send(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what will be sent and to whom, the members on paper first; POST: send."""
    sitting = selectors.sitting_for(request.user, pk)
    tenancy.require(request.user, sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    form = forms.SendConvocationForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Indiquez le motif de l'urgence."))
            return redirect(request.path)
        try:
            done = sending_services.send_convocation(user=request.user, sitting=sitting, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, error_text(exc))
            return redirect(_back(sitting))
        counts = dict(done.recipients.values_list("channel").annotate(n=Count("pk")).values_list("channel", "n"))
        messages.success(
            request,
            _("La convocation part : %(emails)s courriel(s) en cours d'envoi, %(paper)s sur papier.")
            % {"emails": counts.get("email", 0), "paper": counts.get("paper", 0)},
        )
        return redirect(_back(sitting))
    members = addressees(sitting)
    organization = sitting.assembly.organization
    clear_days = sitting.assembly.clear_days_override or rules.convocation_clear_days(
        population=organization.population, is_epci=organization.is_epci
    )
    today = timezone.localdate()
    try:
        rules.check_convocation(
            sitting_date=sitting.date,
            convocation_date=today,
            population=organization.population,
            is_epci=organization.is_epci,
            urgency=False,
            clear_days_override=sitting.assembly.clear_days_override,
        )
        late = ""
    except DomainError as exc:
        late = error_text(exc)
    return render(
        request,
        "pages/deliberations/convocation_send.jinja",
        {
            "sitting": sitting,
            "form": form,
            "emails": [m for m in members if m.channel == "email"],
            "paper": [m for m in members if m.channel == "paper"],
            "today": today,
            "clear_days": clear_days,
            "latest": rules.latest_convocation_date(sitting.date, clear_days),
            "late": late,
            "can_send": sitting.state == SittingState.PLANNED,
            "items": selectors.agenda_summary(sitting),
        },
        using="pages",
    )


@login_required
@require_POST
def convocation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The buttons of the Convocations card: a notice to everyone, a re-send to one member,
    a bounce, retrying now, the état des envois."""
    sitting = selectors.sitting_for(request.user, pk)
    tenancy.require(request.user, sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    user = request.user
    try:
        if action == "avis":
            form: Any = forms.NoticeForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Choisissez l'avis et indiquez son objet."), field="message")
            sending_services.send_notice(user=user, sitting=sitting, **form.cleaned_data)
            done = _("L'avis part à chaque membre en exercice.")
        elif action == "renvoyer":
            recipient = recipient_for(sitting, _posted_id(request, "recipient"))
            sending_services.resend(user=user, recipient=recipient)
            done = _("Le document est renvoyé à %(name)s.") % {"name": recipient.person.full_name}
        elif action == "rebond":
            recipient = recipient_for(sitting, _posted_id(request, "recipient"))
            form = forms.BounceForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Indiquez le message d'erreur reçu."), field="reason")
            sending_services.mark_bounced(user=user, recipient=recipient, reason=form.cleaned_data["reason"])
            done = _("Le rebond est enregistré.")
        elif action == "relancer":
            sending = sitting.convocation_sendings.filter(pk=_posted_id(request, "sending")).first()
            if sending is None:
                raise DomainError(_("Choisissez un envoi de cette séance."), field="sending")
            count = sending_services.retry_now(user=user, sending=sending)
            done = _("%(count)s courriel(s) renvoyé(s) au serveur.") % {"count": count}
        elif action == "etat":
            sending_services.make_report(user=user, sitting=sitting)
            done = _("L'état des envois est produit (PDF).")
        else:
            raise DomainError(_("Action inconnue."))
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect(_back(sitting))
    messages.success(request, done)
    return redirect(_back(sitting))


@login_required
@require_POST
def mandate_paper(request: HttpRequest, pk: int, mandate_id: int) -> HttpResponse:
    """A member asks for paper convocations, or for e-mail again (CGCT L2121-10)."""
    assembly = selectors.assembly_for(request.user, pk)
    tenancy.require(request.user, assembly.organization_id, Capability.MANAGE_SITTINGS)
    mandate = get_object_or_404(Mandate.objects.select_related("assembly", "person"), pk=mandate_id, assembly=assembly)
    paper = request.POST.get("prefers_paper") == "1"
    sending_services.set_paper_preference(user=request.user, mandate=mandate, prefers_paper=paper)
    if paper:
        messages.success(
            request, _("%(name)s recevra ses convocations sur papier.") % {"name": mandate.person.full_name}
        )
    else:
        messages.success(
            request, _("%(name)s recevra ses convocations par courriel.") % {"name": mandate.person.full_name}
        )
    return redirect(f"{assembly.get_absolute_url()}#mandates-title")


def _posted_id(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise DomainError(_("Choisissez un destinataire ou un envoi de cette séance."), field=name)
    return int(value)


def convocations_card(sitting: Any) -> dict[str, Any]:
    """What the sitting page's Convocations card prints: each sending with its progress and
    its recipients' proof (the latest first)."""
    from deliberations.selectors.convocations import sendings_of

    sendings = list(sendings_of(sitting))
    return {
        "sendings": sendings,
        "has_convocation": any(s.kind == SendingKind.CONVOCATION for s in sendings),
        "notice_form": forms.NoticeForm(),
    }
