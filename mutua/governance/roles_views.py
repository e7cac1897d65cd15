"""The roles pages under `groups/<code>/roles/`: what each role is and one's own choice to volunteer,
and the answers to an offer at one meeting (accept, decline, hand on), which go back to the meeting's
page. Members only (`circle_view(Need.MEMBER)`); every action is the viewer's own (P2)."""

from datetime import datetime

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from mutua.circles.models import Circle, Membership
from mutua.circles.policies import Need, circle_view
from mutua.core.errors import DomainError
from mutua.core.http import AuthenticatedHttpRequest
from mutua.governance import roles
from mutua.governance.models import Role
from mutua.meetings import display
from mutua.meetings import selectors as meeting_selectors


class VolunteerForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    on = forms.TypedChoiceField(
        choices=[("1", gettext_lazy("Yes")), ("0", gettext_lazy("No"))], coerce=lambda v: v == "1"
    )


class SwapForm(forms.Form):
    with_ref = forms.IntegerField(label=gettext_lazy("Hand it to"), min_value=1)


def _render(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, status: int = 200
) -> HttpResponse:
    data = roles.roles_overview(circle=circle, membership=membership)
    tz = display.viewer_zone(request.user.timezone, circle.timezone)
    coming = [
        (
            display.when(c.occurrence, group_tz=circle.timezone, viewer_tz=tz),
            meeting_selectors.key_slug(c.occurrence.key),
            c.seats,
        )
        for c in data.meetings
    ]
    return render(
        request,
        "governance/roles.html",
        {"circle": circle, "roles": data.roles, "coming": coming, "has_rhythm": circle.rhythm is not None},
        status=status,
    )


@circle_view(Need.MEMBER)
@require_safe
def roles_page(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    return _render(request, circle, membership)


@circle_view(Need.MEMBER)
@require_POST
def volunteer(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    form = VolunteerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role, and whether you volunteer for it."))
        return _render(request, circle, membership, status=400)
    on: bool = form.cleaned_data["on"]
    try:
        roles.role_volunteer(circle=circle, user=request.user, role=form.cleaned_data["role"], on=on)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        label = roles.role_label(form.cleaned_data["role"])
        if on:
            messages.success(request, _("You are in the rotation for: %(role)s.") % {"role": label})
        else:
            messages.success(request, _("You are out of the rotation for: %(role)s.") % {"role": label})
    return redirect("roles:page", code=circle.code)


def _target(circle: Circle, key: str, role: str) -> datetime:
    """The meeting a URL names (its key in the schedule) and a known role, or 404."""
    moment = meeting_selectors.key_from_slug(key)
    if role not in Role.values or moment is None:
        raise Http404
    if meeting_selectors.occurrence(circle=circle, key=moment) is None:
        raise Http404
    return moment


def _to_meeting(circle: Circle, key: str) -> HttpResponse:
    return redirect("meetings:detail", code=circle.code, key=key)


@circle_view(Need.MEMBER)
@require_POST
def accept(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, key: str, role: str
) -> HttpResponse:
    moment = _target(circle, key, role)
    try:
        roles.role_accept(circle=circle, user=request.user, key=moment, role=role)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Thank you. The group sees you hold this role at this meeting."))
    return _to_meeting(circle, key)


@circle_view(Need.MEMBER)
@require_POST
def decline(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, key: str, role: str
) -> HttpResponse:
    moment = _target(circle, key, role)
    try:
        roles.role_decline(circle=circle, user=request.user, key=moment, role=role)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done. The role is offered to the next volunteer."))
    return _to_meeting(circle, key)


@circle_view(Need.MEMBER)
@require_POST
def swap(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, key: str, role: str
) -> HttpResponse:
    moment = _target(circle, key, role)
    form = SwapForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose who to ask."))
        return _to_meeting(circle, key)
    try:
        roles.role_swap(
            circle=circle, user=request.user, key=moment, role=role, with_ref=form.cleaned_data["with_ref"]
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("We asked them. The role is theirs once they say yes."))
    return _to_meeting(circle, key)
