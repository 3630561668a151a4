"""Recording the vote on an item: totals or per member (CGCT L2121-20, L2121-21)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core import tenancy
from core.errors import DomainError
from core.roles import Capability
from deliberations import forms, rules, selectors, services
from deliberations.models import Deliberation, DeliberationState, VoteChoice
from deliberations.services import BallotInput
from deliberations.views._common import (
    form_error,
)
from parties.models import Person


def members_at(deliberation: Deliberation) -> list[Person]:
    """The members in office at the item's sitting: who may preside it."""
    sitting = deliberation.sitting
    if sitting is None:
        return []
    return list(
        Person.objects.filter(
            pk__in=selectors.mandates_in_office(sitting.assembly_id, sitting.date).values("person_id")
        ).order_by("last_name", "first_name")
    )


@login_required
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Vote entry for one item: live quorum, totals or member-by-member ballots."""
    deliberation = selectors.deliberation_for(request.user, pk)
    # The page is the vote's entry form: only those who record votes open it.
    tenancy.require(request.user, deliberation.assembly.organization_id, Capability.RECORD_VOTES)
    if deliberation.sitting_id is None:
        messages.error(request, _("Ce point n'est inscrit à aucune séance."))
        return redirect(deliberation)
    sitting = deliberation.sitting
    assert sitting is not None
    view = selectors.sitting_attendance(sitting, only=deliberation)
    item = view.for_item(deliberation)
    names = view.person_names
    voters = [(pid, names[pid], None) for pid in sorted(item.present_ids, key=lambda p: names[p])] + [
        (giver, names[giver], names[holder]) for giver, holder in item.represented.items()
    ]
    form = forms.VoteForm(
        request.POST or None,
        initial={
            "method": "show_of_hands",
            "votes_for": item.voters,
            "votes_against": 0,
            "abstentions": 0,
            "not_voting": 0,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ballots = None
        if request.POST.get("nominatif"):
            ballots = [
                BallotInput(pid, request.POST.get(f"ballot-{pid}", ""))
                for pid, _name, _holder in voters
                if request.POST.get(f"ballot-{pid}")
            ]
        try:
            services.record_vote(
                user=request.user,
                deliberation=deliberation,
                method=data["method"],
                votes_for=None if ballots else data["votes_for"],
                votes_against=None if ballots else data["votes_against"],
                abstentions=None if ballots else data["abstentions"],
                not_voting=None if ballots else data["not_voting"],
                ballots=ballots,
                president_choice=data["president_choice"] or None,
                requested_by=data["requested_by"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Le vote est enregistré."))
            following = (
                Deliberation.objects.filter(
                    sitting=sitting, position__gt=deliberation.position or 0, state=DeliberationState.ON_AGENDA
                )
                .order_by("position")
                .first()
            )
            if following is not None and not following.is_information:
                return redirect("deliberations:vote", following.pk)
            return redirect(sitting.get_absolute_url() + (f"#point-{following.position}" if following else ""))
    presiding = rules.presiding_member(item_chair=deliberation.presided_by_id, sitting_president=sitting.president_id)
    return render(
        request,
        "pages/deliberations/vote.jinja",
        {
            "deliberation": deliberation,
            "sitting": sitting,
            "item": item,
            "form": form,
            "voters": voters,
            "choices": VoteChoice.choices,
            "reconvened": rules.quorum_waived(
                sitting_reconvened=sitting.reconvened_from_id is not None,
                item_carried_over=deliberation.quorum_waived_in_id == sitting.pk,
            ),
            "can_record": tenancy.can(request.user, sitting.assembly.organization_id, Capability.RECORD_VOTES),
            "reconvene_form": forms.ReconveneForm(initial={"place": sitting.place}),
            "presiding_name": names.get(presiding or 0, ""),
            "presiding_present": presiding is not None and item.state_of(presiding) == "present",
            "chair_form": forms.ChairForm(
                people=sorted(names.items(), key=lambda pair: pair[1]),
                initial={"presided_by": deliberation.presided_by_id},
            ),
            "movement_form": forms.MovementForm(
                people=Person.objects.filter(pk__in=[m.person_id for m in view.members]),
                items=Deliberation.objects.filter(pk=deliberation.pk),
                initial={"deliberation": deliberation.pk},
            ),
        },
        using="pages",
    )
