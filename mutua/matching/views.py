from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mutua.circles import selectors as circle_selectors
from mutua.circles import services as circle_services
from mutua.core.access import account
from mutua.core.errors import DomainError
from mutua.core.http import AuthenticatedHttpRequest
from mutua.matching import selectors, services
from mutua.matching.forms import AcceptForm, InterestForm
from mutua.matching.models import InterestStatus, ProposalStatus


@account
@require_http_methods(["GET", "POST"])
def find(request: AuthenticatedHttpRequest) -> HttpResponse:
    interest = selectors.interest_of(user=request.user)
    initial: dict[str, Any] = {"timezone": request.user.timezone}
    if interest is not None and interest.status != InterestStatus.WITHDRAWN:
        initial.update(
            experience=interest.experience.slug,
            other_experiences=[e.slug for e in interest.other_experiences.all()],
            languages=interest.languages,
            timezone=interest.timezone,
            availability=interest.availability,
            mode=interest.mode,
            place=interest.place.slug if interest.place else "",
            max_travel_km=interest.max_travel_km,
            women_only=interest.women_only,
            is_woman=interest.is_woman,
        )
    form = InterestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.interest_save_by_slugs(
                user=request.user,
                experience=data["experience"],
                other_experiences=data["other_experiences"],
                place=data["place"],
                languages=data["languages"],
                timezone_name=data["timezone"],
                availability=data["availability"],
                mode=data["mode"],
                max_travel_km=data["max_travel_km"],
                women_only=data["women_only"],
                is_woman=data["is_woman"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Saved. When a group can be proposed, you'll get a notification in your inbox, "
                    "and an email if you chose it."
                ),
            )
            return redirect("matching:find")
    return render(
        request,
        "matching/find.html",
        {
            "form": form,
            "interest": interest,
            "proposals": selectors.proposals_for(user=request.user),
            "explanation": selectors.explain(interest=interest) if interest else [],
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@account
@require_http_methods(["GET", "POST"])
def withdraw(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.interest_withdraw(user=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("You are no longer waiting for a group. You can come back any time."))
        return redirect("matching:find")
    return render(request, "matching/withdraw.html")


@account
@require_http_methods(["GET", "POST"])
def proposal(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    # GET changes nothing: an offer past its deadline is shown as closed here, and closed for real by
    # the periodic task (`proposals_tick`); an answer after the deadline is refused.
    found = [p for p in selectors.proposals_for(user=request.user) if p.offer.code == code]
    if not found:
        raise Http404
    prop = found[0]
    pledge = circle_services.current_pledge()
    form = AcceptForm(request.POST or None, initial={"pledge_version": pledge.version})
    if request.method == "POST" and form.is_valid():
        try:
            answered = services.proposal_accept(
                user=request.user,
                offer_code=code,
                pseudonym=form.cleaned_data["pseudonym"],
                confirms_experience=form.cleaned_data["confirms_experience"],
                accepts_pledge=form.cleaned_data["accepts_pledge"],
                pledge_version=form.cleaned_data["pledge_version"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            circle = answered.offer.circle
            if circle is not None:
                messages.success(request, _("Welcome. You are now a member of this group."))
                return redirect("circles:home", code=circle.code)
            messages.success(
                request,
                _(
                    "Thank you. The group forms as soon as enough people have said yes. You'll get a "
                    "notification in your inbox, and an email if you chose it."
                ),
            )
            return redirect("matching:proposal", code=code)
    weekday, hour = selectors.offer_when(prop.offer, request.user.timezone)
    accepted = selectors.accepted_count(prop.offer)
    is_open = prop.status == ProposalStatus.PENDING and prop.offer.deadline >= timezone.now()
    return render(
        request,
        "matching/proposal.html",
        {
            "proposal": prop,
            "offer": prop.offer,
            "weekday": services.WEEKDAY_NAMES[weekday],
            "hour": f"{hour:02d}:00",
            "form": form,
            "pledge": pledge,
            "agreements": circle_selectors.basic_agreements(),
            "accepted": accepted,
            "is_open": is_open,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@account
@require_POST
def proposal_decline(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    try:
        services.proposal_decline(user=request.user, offer_code=code)
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404 from exc
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You declined. You keep your place in the queue."))
    return redirect("matching:find")
