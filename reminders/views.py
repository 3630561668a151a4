"""Pages: my deadlines, notifications, preferences and calendar feed, organization settings."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from core import tenancy
from core.errors import DomainError
from core.formatting import french_date, french_duration
from core.models import User
from core.pagination import capped_page, window_page
from core.roles import Capability
from parties.models import Organization
from reminders import calendar, rules, selectors, services
from reminders.forms import DeadlineFilterForm, PreferenceForm, ReminderSettingsForm
from reminders.models import EVENT_KINDS, DeadlineKind, UserPreference

PAGE_SIZE = 50
COUNT_CAP = 1000  # the deadline list says "plus de 1 000" beyond (see ``core.pagination.CappedPage``)
FEED_SIZE = 2000


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def status_labels() -> dict[str, str]:
    """The badges' wordings in the active language, translated once for a list's rows."""
    return {
        "past": _("Passée"),
        "handled": _("Traitée"),
        "late_one": _("En retard d'un jour"),
        "late": _("En retard de %(n)s"),
        "today": _("Aujourd'hui"),
        "tomorrow": _("Demain"),
        "in": _("Dans %(n)s"),
    }


def deadline_status(
    *, handled: bool, is_event: bool, days_left: int, labels: dict[str, str] | None = None
) -> tuple[str, str]:
    """A deadline's badge as (tone, label): ("danger", "En retard de 3 jours")."""
    labels = labels or status_labels()
    if handled:
        return "ok", labels["past"] if is_event else labels["handled"]
    if days_left < 0:
        if days_left == -1:
            return "danger", labels["late_one"]
        return "danger", labels["late"] % {"n": french_duration(days_left)}
    if days_left == 0:
        return "warn", labels["today"]
    if days_left == 1:
        return "warn", labels["tomorrow"]
    # "Dans 3 ans", not "Dans 1092 jours".
    return ("warn" if days_left <= 7 else "info"), labels["in"] % {"n": french_duration(days_left)}


def _deadline_rows(
    request: HttpRequest, deadlines: list[dict[str, Any]], today: date, organization_names: dict[int, str]
) -> list[dict[str, Any]]:
    """What a row of the list prints, decided once per row (its badge, which button the user's
    role offers): ``reminders/deadline_rows.jinja`` writes it."""
    handle_orgs = set(tenancy.organizations_where(request.user, Capability.HANDLE_DEADLINES))

    def can_act(deadline: dict[str, Any]) -> bool:
        # A handled event (the daily run closes them once past) is not reopened.
        return deadline["organization_id"] in handle_orgs and not (
            deadline["handled_at"] is not None and deadline["kind"] in EVENT_KINDS
        )

    # Who handled a deadline is named where no button is offered: read for those rows only.
    handler_ids = {d["handled_by_id"] for d in deadlines if d["handled_by_id"] and not can_act(d)}
    handlers = {user.pk: str(user) for user in User.objects.filter(pk__in=handler_ids)} if handler_ids else {}
    kind_labels = {value: str(label) for value, label in DeadlineKind.choices}
    default_url = reverse("reminders:list")  # where a deadline without a page of its own leads
    labels = status_labels()
    rows = []
    for deadline in deadlines:
        handled = deadline["handled_at"] is not None
        tone, label = deadline_status(
            handled=handled,
            is_event=deadline["kind"] in EVENT_KINDS,
            days_left=(deadline["due_date"] - today).days,
            labels=labels,
        )
        actionable = can_act(deadline)
        rows.append(
            {
                "pk": deadline["pk"],
                "due_date": french_date(deadline["due_date"]),
                "time": timezone.localtime(deadline["starts_at"]).strftime("%H:%M") if deadline["starts_at"] else "",
                "title": deadline["title"],
                "url": deadline["url"] or default_url,
                "action": deadline["action"],
                "kind": kind_labels.get(deadline["kind"], deadline["kind"]),
                "organization": organization_names.get(deadline["organization_id"], ""),
                "tone": tone,
                "status": label,
                "reopen": actionable and handled,
                "handle": actionable and not handled,
                "handler": "" if actionable else handlers.get(deadline["handled_by_id"], ""),
            }
        )
    return rows


_ROW_FIELDS = (
    "pk",
    "due_date",
    "starts_at",
    "title",
    "url",
    "action",
    "kind",
    "organization_id",
    "handled_at",
    "handled_by_id",
)


@login_required
@require_safe
def deadline_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    organizations = tenancy.organizations_by_name(request.user)
    form = DeadlineFilterForm(request.GET or None, organizations=organizations)
    data = form.cleaned_data if form.is_valid() else {}
    scope = data.get("scope") or "mine"
    base = selectors.my_deadlines(request.user) if scope == "mine" else selectors.deadlines_for(request.user)
    queryset = selectors.filter_deadlines(
        base,
        today=today,
        period=data.get("period") or "",
        kind=data.get("kind") or "",
        status=data.get("status") or "open",
        organization_id=data.get("organization"),
        q=data.get("q") or "",
    )
    query = request.GET.copy()
    query.pop("page", None)
    page = capped_page(
        queryset.order_by("due_date", "pk").values(*_ROW_FIELDS), request.GET.get("page"), PAGE_SIZE, COUNT_CAP
    )
    context = {
        "form": form,
        "page": page,
        "rows": _deadline_rows(request, list(page), today, dict(organizations)),
        "back": request.get_full_path(),
        # The counts above the list: of the scope shown (mine, or all my organizations').
        "counts": selectors.counts(base, today),
        "scope": scope,
        # Not "querystring": in the pages' templates that name is the global function.
        "query": query.urlencode(),
        "today": today,
    }
    return render(request, "pages/reminders/deadline_list.jinja", context, using="pages")


@login_required
@require_POST
def handle(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = selectors.deadline_for(request.user, pk)
    tenancy.require(request.user, deadline.organization_id, Capability.HANDLE_DEADLINES)
    services.mark_handled(user=request.user, deadline=deadline)
    messages.success(request, _("« %(title)s » est marquée traitée : plus aucun rappel.") % {"title": deadline.title})
    return _back(request, reverse("reminders:list"))


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = selectors.deadline_for(request.user, pk)
    tenancy.require(request.user, deadline.organization_id, Capability.HANDLE_DEADLINES)
    services.reopen(user=request.user, deadline=deadline)
    messages.success(request, _("« %(title)s » est de nouveau à traiter.") % {"title": deadline.title})
    return _back(request, reverse("reminders:list"))


@login_required
@require_safe
def notifications(request: HttpRequest) -> HttpResponse:
    queryset = selectors.notifications_for(request.user)
    unread_only = bool(request.GET.get("unread"))
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    # Years of reminders are not counted to show fifty (see ``core.pagination``), and the
    # rows are read as the values they print.
    page = window_page(queryset.values(*_NOTIFICATION_FIELDS), request.GET.get("page"), PAGE_SIZE)
    kinds = {value: str(label) for value, label in DeadlineKind.choices}
    default_url = reverse("reminders:list")
    rows = [
        {
            "pk": row["pk"],
            "unread": row["read_at"] is None,
            "when": capfirst(rules.when_label(row["due_date"], row["run_date"])),
            "title": row["deadline__title"],
            "url": row["deadline__url"] or default_url,
            "kind": kinds.get(row["deadline__kind"], row["deadline__kind"]),
            "organization": row["deadline__organization__name"],
            "due_date": french_date(row["due_date"]),
            "run_date": french_date(row["run_date"]),
            "action": row["deadline__action"],
        }
        for row in page
    ]
    context = {"page": page, "rows": rows, "back": request.get_full_path(), "unread_only": unread_only}
    return render(request, "pages/reminders/notifications.jinja", context, using="pages")


_NOTIFICATION_FIELDS = (
    "pk",
    "read_at",
    "due_date",
    "run_date",
    "deadline__title",
    "deadline__url",
    "deadline__kind",
    "deadline__action",
    "deadline__organization__name",
)


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    ids = request.POST.getlist("reminder")
    count = services.mark_read(user=request.user, reminder_ids=[int(i) for i in ids if i.isdigit()] if ids else None)
    messages.success(request, _("%(count)s notification(s) marquée(s) comme lue(s).") % {"count": count})
    return _back(request, reverse("reminders:notifications"))


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    preference = selectors.preference_of(request.user)
    form = PreferenceForm(request.POST or None, initial={"email_mode": preference.email_mode})
    if request.method == "POST" and form.is_valid():
        services.set_email_mode(user=request.user, email_mode=form.cleaned_data["email_mode"] or "")
        messages.success(request, _("Vos préférences sont enregistrées."))
        return redirect("reminders:preferences")
    feed_url = (
        request.build_absolute_uri(reverse("reminders:feed", args=[preference.feed_token]))
        if preference.feed_token
        else ""
    )
    return render(
        request,
        "pages/reminders/preferences.jinja",
        {"form": form, "preference": preference, "feed_url": feed_url},
        using="pages",
    )


@login_required
@require_POST
def regenerate_feed(request: HttpRequest) -> HttpResponse:
    services.regenerate_feed_token(user=request.user)
    messages.success(
        request, _("Nouvelle adresse créée : l'ancienne ne fonctionne plus. Abonnez votre agenda à celle-ci.")
    )
    return redirect("reminders:preferences")


@login_required
@require_POST
def revoke_feed(request: HttpRequest) -> HttpResponse:
    services.revoke_feed_token(user=request.user)
    messages.success(request, _("L'adresse de votre agenda est révoquée."))
    return redirect("reminders:preferences")


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The calendar feed, reached without a session: the secret token is the key."""
    preference = UserPreference.objects.select_related("user").filter(feed_token=token, user__is_active=True).first()
    if preference is None:
        raise Http404(_("Adresse d'agenda inconnue ou révoquée."))
    user = preference.user
    # The latest FEED_SIZE deadlines (future first): enough for any calendar, bounded in size.
    deadlines = list(selectors.my_deadlines(user).order_by("-due_date", "-pk")[:FEED_SIZE])[::-1]
    body = calendar.feed(
        deadlines, name=_("Conventio — échéances de %(name)s") % {"name": user.get_full_name() or user.username}
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="conventio.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
@require_safe
def settings_index(request: HttpRequest) -> HttpResponse:
    allowed = tenancy.organizations_where(request.user, Capability.MANAGE_ORGANIZATION)
    if not allowed:
        raise PermissionDenied(_("Seuls les administrateurs règlent les rappels de leur organisation."))
    return redirect("reminders:settings", min(allowed))


@login_required
def settings_edit(request: HttpRequest, organization_id: int) -> HttpResponse:
    tenancy.require(request.user, organization_id, Capability.MANAGE_ORGANIZATION)
    organization = Organization.objects.get(pk=organization_id)
    current = selectors.settings_for(organization_id)
    form = ReminderSettingsForm(request.POST or None, initial=ReminderSettingsForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(user=request.user, organization_id=organization_id, **form.service_kwargs())
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("Les réglages des rappels de %(org)s sont enregistrés.") % {"org": organization.name}
            )
            return redirect("reminders:settings", organization_id)
    others = Organization.objects.filter(
        pk__in=tenancy.organizations_where(request.user, Capability.MANAGE_ORGANIZATION)
    ).order_by("name")
    return render(
        request,
        "pages/reminders/settings.jinja",
        {"form": form, "organization": organization, "others": others},
        using="pages",
    )
