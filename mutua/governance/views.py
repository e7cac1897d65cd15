"""The group's decisions pages (P5): its proposals, open and closed, one proposal with its thread, and a
new proposal of each kind. Every page is members-only (`circle_view(Need.MEMBER)`), so outsiders and
people still waiting get the gate's 404 (P7); the person a removal is about is still a member until it
passes, so they read it and may answer in its thread, but never take a stance. Writes go through
`governance.services`, POST only; a GET never writes. Results stay hidden until the proposal closes."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutua.circles.models import Circle, Membership
from mutua.circles.policies import Need, circle_view
from mutua.core.errors import DomainError
from mutua.core.http import AuthenticatedHttpRequest
from mutua.governance import agreements, display, selectors, services
from mutua.governance.agreements_forms import draft_formset, draft_items
from mutua.governance.forms import (
    FORM_OF_KIND,
    CommentForm,
    OutcomeForm,
    ProposalForm,
    RemovalForm,
    StanceForm,
)
from mutua.governance.models import ProcessChoice, Proposal, ProposalKind, ProposalStatus, StanceChoice
from mutua.meetings import display as meeting_display
from mutua.meetings.describe import format_date
from mutua.meetings.forms import schedule_initial

# Kinds whose opening asks once more before it happens: they touch a person or the whole group.
CONFIRM_KINDS = (ProposalKind.REMOVAL, ProposalKind.DISSOLUTION)


def _viewer_tz(request: AuthenticatedHttpRequest, circle: Circle) -> str:
    return meeting_display.viewer_zone(request.user.timezone, circle.timezone)


def _proposal(circle: Circle, code: str) -> Proposal:
    proposal = selectors.proposal_in(circle=circle, code=code)
    if proposal is None:
        raise Http404
    return proposal


def _to_detail(circle: Circle, proposal: Proposal) -> HttpResponse:
    return redirect("governance:detail", code=circle.code, proposal=proposal.code)


# --------------------------------------------------------------------------- the list


@circle_view(Need.MEMBER)
@require_safe
def proposal_list(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    tz = _viewer_tz(request, circle)
    rows = selectors.proposals_of(circle=circle, membership=membership)
    return render(
        request,
        "governance/proposal_list.html",
        {
            "circle": circle,
            "open_rows": [display.row(r, tz) for r in rows if r.status == ProposalStatus.OPEN],
            "closed_rows": [display.row(r, tz) for r in rows if r.status != ProposalStatus.OPEN],
            "zone": meeting_display.zone_city(tz),
        },
    )


# --------------------------------------------------------------------------- a new proposal


def _kind_of(request: AuthenticatedHttpRequest) -> str | None:
    kind = request.GET.get("kind", "")
    return kind if kind in ProposalKind.values else None


def _initial(circle: Circle, kind: str) -> dict[str, Any]:
    initial: dict[str, Any] = {"title": display.default_title(kind)}
    if kind == ProposalKind.SCHEDULE:
        today = timezone.now().astimezone(meeting_display.zone(circle.timezone)).date()
        initial.update(schedule_initial(circle.rhythm, group_tz=circle.timezone, today=today))
    elif kind == ProposalKind.CAPACITY:
        initial["max_members"] = circle.max_members
    elif kind == ProposalKind.OPENNESS:
        initial["openness"] = circle.openness
    return initial


def _build(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, kind: str
) -> tuple[ProposalForm, Any, list[tuple[int, str]]]:
    """The form of the kind (and the agreements' rows), bound to the POST when there is one."""
    data = request.POST if request.method == "POST" else None
    others = (
        selectors.removal_candidates(circle=circle, membership=membership)
        if kind == ProposalKind.REMOVAL
        else []
    )
    form_class = FORM_OF_KIND[kind]
    kwargs: dict[str, Any] = {"initial": _initial(circle, kind)}
    if form_class is RemovalForm:
        kwargs["others"] = [p for _pk, p in others]
    form = form_class(data, **kwargs)
    items = None
    if kind == ProposalKind.AGREEMENTS:
        _basic, own, _version = agreements.agreements_current(circle=circle)
        items = draft_formset(data, items=[{"title": a.title, "text": a.text} for a in own])
    return form, items, others


@circle_view(Need.MEMBER)
@require_http_methods(["GET", "POST"])
def proposal_new(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    """Choose a kind (`?kind=` absent), then the kind's form. Removal and dissolution ask once more
    (the form posts to a confirmation page, which posts again with `confirmed`)."""
    kind = _kind_of(request)
    if kind is None:
        # Nothing to open without a kind: the choice again (a POST without one is refused, unchanged).
        return render(
            request,
            "governance/proposal_kinds.html",
            {"circle": circle, "kinds": display.kind_choices()},
            status=400 if request.method == "POST" else 200,
        )
    form, items, others = _build(request, circle, membership, kind)
    if request.method == "POST" and form.is_valid() and (items is None or items.is_valid()):
        if kind in CONFIRM_KINDS and request.POST.get("confirmed") != "yes":
            return render(
                request,
                "governance/proposal_confirm_open.html",
                {"circle": circle, "kind": kind, "form": form, "subject": form.subject()},
            )
        payload = form.payload()
        if items is not None:
            payload = {"items": draft_items(items)}
        subject_ref = dict((p, pk) for pk, p in others).get(form.subject()) if form.subject() else None
        try:
            proposal = services.proposal_open(
                circle=circle,
                user=request.user,
                kind=kind,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                payload=payload,
                process=form.cleaned_data.get("process", ProcessChoice.CONSENT),
                days=form.cleaned_data["days"],
                subject_ref=subject_ref,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your proposal is open. Everyone in the group is told."))
            return _to_detail(circle, proposal)
    return render(
        request,
        "governance/proposal_new.html",
        {
            "circle": circle,
            "kind": kind,
            "kind_label": ProposalKind(kind).label,
            "kind_help": display.kind_help(kind),
            "form": form,
            "items": items,
            "has_others": bool(others),
            "rhythm_words": meeting_display.rhythm_words(circle.rhythm) if circle.rhythm else "",
        },
        status=400 if request.method == "POST" else 200,
    )


# --------------------------------------------------------------------------- one proposal


def _render_detail(
    request: AuthenticatedHttpRequest,
    circle: Circle,
    membership: Membership,
    proposal: Proposal,
    *,
    stance_form: StanceForm | None = None,
    comment_form: CommentForm | None = None,
    outcome_form: OutcomeForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    view = selectors.proposal_view(proposal=proposal, membership=membership)
    tz = _viewer_tz(request, circle)
    if stance_form is None:
        initial = {"stance": view.my_stance, "reason": view.my_reason} if view.my_stance else None
        stance_form = StanceForm(initial=initial)
    return render(
        request,
        "governance/proposal_detail.html",
        {
            "circle": circle,
            "membership": membership,
            "p": proposal,
            "view": view,
            "summary": display.summary(
                proposal,
                circle=circle,
                current=agreements.agreements_current(circle=circle)[1],
                subject=view.subject,
            ),
            "deadline": meeting_display.day_and_time(proposal.deadline, tz),
            "closed_on": meeting_display.day_and_time(proposal.closed_at, tz) if proposal.closed_at else "",
            "zone": meeting_display.zone_city(tz),
            "result": display.result(proposal, view),
            "counts": display.counts(view.results),
            "my_stance_label": StanceChoice(view.my_stance).label if view.my_stance else "",
            "comments": [(c, meeting_display.day_and_time(c.created_at, tz)) for c in view.comments],
            "review_on": format_date(proposal.review_on, year=True) if proposal.review_on else "",
            "error": error,
            "stance_form": stance_form,
            "comment_form": comment_form or CommentForm(),
            "outcome_form": outcome_form
            or OutcomeForm(initial={"outcome": proposal.outcome, "review_on": proposal.review_on}),
        },
        status=status,
    )


@circle_view(Need.MEMBER)
@require_safe
def proposal_detail(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, proposal: str
) -> HttpResponse:
    return _render_detail(request, circle, membership, _proposal(circle, proposal))


@circle_view(Need.MEMBER)
@require_POST
def stance(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, proposal: str
) -> HttpResponse:
    p = _proposal(circle, proposal)
    form = StanceForm(request.POST)
    if form.is_valid():
        try:
            services.stance_set(
                proposal=p,
                user=request.user,
                stance=form.cleaned_data["stance"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            # The service's refusal may concern a form the page no longer shows (it closed meanwhile):
            # it is said at the top of the page.
            return _render_detail(
                request, circle, membership, p, stance_form=form, error=str(exc), status=400
            )
        else:
            # The last stance missing closes the proposal at once: say so rather than "until it closes".
            now = selectors.proposal_in(circle=circle, code=p.code)
            if now is not None and now.status != ProposalStatus.OPEN:
                messages.success(request, _("Your stance is saved. Everyone has answered, so it has closed."))
            else:
                messages.success(
                    request, _("Your stance is saved. You can change it until the proposal closes.")
                )
            return _to_detail(circle, p)
    return _render_detail(request, circle, membership, p, stance_form=form, status=400)


@circle_view(Need.MEMBER)
@require_POST
def comment(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, proposal: str
) -> HttpResponse:
    p = _proposal(circle, proposal)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(proposal=p, user=request.user, text=form.cleaned_data["text"])
        except DomainError as exc:
            # The service's refusal may concern a form the page no longer shows (it closed meanwhile):
            # it is said at the top of the page.
            return _render_detail(
                request, circle, membership, p, comment_form=form, error=str(exc), status=400
            )
        else:
            messages.success(request, _("Your message is in the thread."))
            return _to_detail(circle, p)
    return _render_detail(request, circle, membership, p, comment_form=form, status=400)


@circle_view(Need.MEMBER)
@require_http_methods(["GET", "POST"])
def withdraw(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, proposal: str
) -> HttpResponse:
    """The opener takes their proposal back while nobody has taken a stance: GET asks, POST does it."""
    p = _proposal(circle, proposal)
    if request.method == "POST":
        try:
            services.proposal_withdraw(proposal=p, user=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("You withdrew your proposal. Everyone in the group can still read it.")
            )
        return _to_detail(circle, p)
    view = selectors.proposal_view(proposal=p, membership=membership)
    if not view.can_withdraw:
        messages.info(
            request,
            _("Only the person who opened a proposal can withdraw it, and only while nobody has answered."),
        )
        return _to_detail(circle, p)
    return render(request, "governance/proposal_withdraw.html", {"circle": circle, "p": p})


@circle_view(Need.MEMBER)
@require_POST
def outcome(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, proposal: str
) -> HttpResponse:
    p = _proposal(circle, proposal)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.outcome_set(
                proposal=p,
                user=request.user,
                outcome=form.cleaned_data["outcome"],
                review_on=form.cleaned_data["review_on"],
            )
        except DomainError as exc:
            # The service's refusal may concern a form the page no longer shows (it closed meanwhile):
            # it is said at the top of the page.
            return _render_detail(
                request, circle, membership, p, outcome_form=form, error=str(exc), status=400
            )
        else:
            messages.success(request, _("The outcome is saved. Everyone in the group sees it."))
            return _to_detail(circle, p)
    return _render_detail(request, circle, membership, p, outcome_form=form, status=400)
