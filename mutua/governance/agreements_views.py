"""The group's agreements page (members only, `circle_view(Need.MEMBER)`): the host's basic agreements,
then the group's own of the version in force. The group's first member also finds the draft editor
there while the group has no agreements of its own (`governance.agreements.may_draft`); everyone else,
and the first member after the adoption, is pointed to an ordinary proposal."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutua.circles.models import Circle, Membership
from mutua.circles.policies import Need, circle_view
from mutua.core.errors import DomainError
from mutua.core.http import AuthenticatedHttpRequest
from mutua.governance import agreements
from mutua.governance.agreements_forms import draft_formset, draft_items
from mutua.governance.models import Proposal, ProposalKind


def _new_proposal_url(circle: Circle) -> str | None:
    """The proposals page's "new agreements proposal", when the proposals pages are installed."""
    try:
        return reverse("governance:new", kwargs={"code": circle.code}) + f"?kind={ProposalKind.AGREEMENTS}"
    except NoReverseMatch:
        return None


def _proposal_url(circle: Circle, proposal: Proposal | str | None) -> str | None:
    if proposal is None:
        return None
    code = proposal if isinstance(proposal, str) else proposal.code
    try:
        return reverse("governance:detail", kwargs={"code": circle.code, "proposal": code})
    except NoReverseMatch:
        return None


def _page(
    request: AuthenticatedHttpRequest,
    circle: Circle,
    membership: Membership,
    formset: object = None,
    error: str | None = None,
) -> HttpResponse:
    view = agreements.agreements_view(circle=circle, membership=membership)
    if view.can_draft and formset is None:
        formset = draft_formset(items=view.draft)
    return render(
        request,
        "governance/agreements.html",
        {
            "circle": circle,
            "membership": membership,
            "view": view,
            "formset": formset if view.can_draft else None,
            "error": error,
            "new_proposal_url": _new_proposal_url(circle),
            "draft_proposal_url": _proposal_url(circle, view.draft_proposal),
        },
        status=400 if request.method == "POST" else 200,
    )


@circle_view(Need.MEMBER)
@require_safe
def agreements_page(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership
) -> HttpResponse:
    return _page(request, circle, membership)


@circle_view(Need.MEMBER)
@require_POST
def draft_save(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    formset = draft_formset(request.POST)
    error = None
    if formset.is_valid():
        try:
            agreements.agreements_draft_save(circle=circle, user=request.user, items=draft_items(formset))
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Your draft is saved. Only you see it until you propose it."))
            return redirect("agreements:show", code=circle.code)
    return _page(request, circle, membership, formset, error)


@circle_view(Need.MEMBER)
@require_http_methods(["GET", "POST"])
def propose(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    """Confirm, then put the draft to the group (POST). Only the first member while they may draft;
    anyone else is sent back to the agreements page."""
    view = agreements.agreements_view(circle=circle, membership=membership)
    if not view.can_draft:
        return redirect("agreements:show", code=circle.code)
    error = None
    if request.method == "POST":
        try:
            proposal = agreements.agreements_propose(circle=circle, user=request.user)
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Your proposal is open. The group decides on it now."))
            return redirect(_proposal_url(circle, proposal) or reverse("agreements:show", args=[circle.code]))
    return render(
        request,
        "governance/agreements_propose.html",
        {"circle": circle, "view": view, "error": error},
        status=400 if request.method == "POST" else 200,
    )
