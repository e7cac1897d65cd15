from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutua.circles import join_requests, selectors, services
from mutua.circles.consent import ConsentRequired, consent_is_current, current_pledge_version
from mutua.circles.forms import (
    RADIUS_CHOICES,
    CircleCreateForm,
    ConsentForm,
    DirectoryForm,
    JoinAnswerForm,
    JoinForm,
    JoinRequestForm,
    PseudonymForm,
)
from mutua.circles.models import Circle, Membership, MembershipStatus
from mutua.circles.policies import Need, circle_view
from mutua.core import access
from mutua.core.errors import DomainError
from mutua.core.http import AuthenticatedHttpRequest
from mutua.core.i18n import visitor_of
from mutua.governance.agreements import agreements_changes, agreements_current
from mutua.meetings import display as meeting_display
from mutua.meetings import selectors as meeting_selectors


@access.public
@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryForm(request.GET or None)
    filters = selectors.DirectoryFilters(visitor=visitor_of(request))
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.DirectoryFilters(
            experience=data["experience"] or "",
            language=data["language"] or "",
            mode=data["mode"] or "",
            place=data["place"] or "",
            radius_km=data["radius"] or 25,
            accepting=bool(data["accepting"]),
            weekdays=tuple(data["weekday"] or ()),
            time_of_day=data["time_of_day"] or "",
            page=data["page"] or 1,
            visitor=visitor_of(request, browser_tz=data["tz"]),
        )
    page = selectors.directory_search(filters=filters)
    query = request.GET.copy()
    query.pop("page", None)
    summary = form.summary()
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "visitor": filters.visitor,
        "query": query.urlencode(),
        "summary": summary,
        # Folded, so a phone shows results first (issue 7); open when something needs fixing. On a wide
        # screen the script opens them (`data-open-wide`); without it, one click on the summary.
        "filters_open": bool(form.errors),
        "wider": _wider_searches(request, filters) if not page.paginator.count else [],
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "circles/_directory_hx.html", context)
    return render(request, "circles/directory.html", context)


def _wider_searches(request: HttpRequest, filters: selectors.DirectoryFilters) -> list[tuple[str, str]]:
    """Wider searches for an empty directory, each as (label, URL): any day and time, the same family
    online, the same family anywhere, a larger distance. Only those that change something are offered."""
    base = request.GET.copy()
    for key in ("page", "experience", "place", "radius", "mode"):
        base.pop(key, None)
    family = filters.family
    out = []
    if filters.times_chosen:
        # The same search on any day, at any time, first: the days are the most likely to be too narrow.
        anytime = request.GET.copy()
        for key in ("page", "weekday", "time_of_day"):
            anytime.pop(key, None)
        out.append((_("Any day, any time"), f"{reverse('circles:directory')}?{anytime.urlencode()}"))

    def url(**params: object) -> str:
        q = base.copy()
        for key, value in params.items():
            if value:
                q[key] = str(value)
        return f"{reverse('circles:directory')}?{q.urlencode()}"

    if filters.mode != "online" or filters.place:
        label = (
            _("Online groups about %(family)s") % {"family": family.name} if family else _("Online groups")
        )
        out.append((label, url(experience=family.slug if family else "", mode="online")))
    if family and (filters.item or filters.place or filters.mode or filters.language or filters.accepting):
        out.append((_("All groups about %(family)s") % {"family": family.name}, url(experience=family.slug)))
    radii = [r for r, _label in RADIUS_CHOICES if r > filters.radius_km]
    if filters.origin is not None and radii:
        out.append(
            (
                _("Up to %(km)s km from %(place)s") % {"km": radii[-1], "place": filters.origin.name},
                url(
                    experience=family.slug if family else "",
                    place=filters.origin.slug,
                    radius=radii[-1],
                    mode=filters.mode,
                ),
            )
        )
    return out


@access.public
@require_safe
def public_page(request: HttpRequest, code: str) -> HttpResponse:
    circle = selectors.circle_public(code=code)
    if circle is None:
        raise Http404
    membership = selectors.membership_of(circle=circle, user=request.user)
    # Nobody is turned away empty-handed: a closed or full group offers similar groups with a seat
    # (None: the section is not shown; people already in the group or its queue are not sent away).
    similar = None
    visitor = visitor_of(request)
    if not circle.accepting and not (membership and membership.is_live):
        similar = selectors.circles_similar(circle=circle, visitor=visitor)
    return render(
        request,
        "circles/public.html",
        {
            "circle": circle,
            "agreements": selectors.basic_agreements(),
            "membership": membership,
            "request": join_requests.request_state(membership=membership),
            "similar": similar,
            "visitor": visitor,
        },
    )


@access.account
@require_http_methods(["GET", "POST"])
def join(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    circle = selectors.circle_public(code=code)
    if circle is None:
        raise Http404
    existing = selectors.membership_of(circle=circle, user=request.user)
    if existing is not None and existing.is_live:
        return redirect(
            "circles:home" if existing.status == MembershipStatus.MEMBER else "circles:status", code=code
        )
    pledge = None
    error = None
    try:
        pledge = services.current_pledge()
    except DomainError as exc:
        error = exc.message
    # The agreements the person reads and accepts: the host's basic ones, then the group's own.
    basic, own, version = agreements_current(circle=circle)
    # A group that reviews newcomers is asked first, with an optional message (`circles.join_requests`).
    form_class = JoinRequestForm if circle.reviews_newcomers else JoinForm
    form = form_class(
        request.POST or None,
        initial={"pledge_version": pledge.version if pledge else 0, "agreements_version": version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.membership_join(
                circle=circle,
                user=request.user,
                pseudonym=form.cleaned_data["pseudonym"],
                confirms_experience=form.cleaned_data["confirms_experience"],
                accepts_pledge=form.cleaned_data["accepts_pledge"],
                pledge_version=form.cleaned_data["pledge_version"],
                agreements_version=form.cleaned_data["agreements_version"],
                message=form.cleaned_data.get("message", ""),
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            if membership.status == MembershipStatus.MEMBER:
                messages.success(request, _("Welcome. You are now a member of this group."))
                return redirect("circles:home", code=code)
            if membership.status == MembershipStatus.REQUESTED:
                messages.info(request, _("Your request is sent. The group's members will answer it."))
                return redirect("circles:status", code=code)
            messages.info(request, _("The group is full, so you are on its waiting list."))
            return redirect("circles:status", code=code)
    return render(
        request,
        "circles/join.html",
        {
            "circle": circle,
            "form": form,
            "pledge": pledge,
            "pledge_error": error,
            "agreements": basic,
            "own_agreements": own,
        },
        status=400 if request.method == "POST" else 200,
    )


def _next_meeting(request: AuthenticatedHttpRequest, circle: Circle) -> meeting_display.When | None:
    """The group's next meeting as the viewer reads it (their zone and the group's), or None."""
    occ = meeting_selectors.next_meeting(circle=circle)
    if occ is None:
        return None
    viewer_tz = meeting_display.viewer_zone(request.user.timezone, circle.timezone)
    return meeting_display.when(occ, group_tz=circle.timezone, viewer_tz=viewer_tz)


@circle_view(Need.MEMBER)
@require_safe
def home(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    if membership.welcomed_at is None:
        # Every newcomer, whichever way they became a member, reads the welcome step once first.
        return redirect("circles:welcome", code=circle.code)
    basic, own, _version = agreements_current(circle=circle)
    return render(
        request,
        "circles/home.html",
        {
            "circle": circle,
            "membership": membership,
            "members": selectors.members_of(circle=circle),
            "agreements": basic,
            "own_agreements": own,
            "next_meeting": _next_meeting(request, circle),
            "join_requests": join_requests.requests_open(circle=circle, membership=membership),
        },
    )


@circle_view(Need.MEMBER)
@require_http_methods(["GET", "POST"])
def welcome(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    """The welcome step: the agreements, when the group meets, how it works, and the crisis path.
    "Continue to the group" marks it seen; it stays readable from the group's home."""
    if request.method == "POST":
        join_requests.welcome_done(circle=circle, user=request.user)
        return redirect("circles:home", code=circle.code)
    return render(
        request,
        "circles/welcome.html",
        {
            "circle": circle,
            "membership": membership,
            "welcome": join_requests.welcome_of(circle=circle),
            "next_meeting": _next_meeting(request, circle),
        },
    )


def _requests_page(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, **extra: object
) -> HttpResponse:
    return render(
        request,
        "circles/requests.html",
        {
            "circle": circle,
            "membership": membership,
            "join_requests": join_requests.requests_open(circle=circle, membership=membership),
            **extra,
        },
        status=400 if extra else 200,
    )


@circle_view(Need.MEMBER)
@require_safe
def requests(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    """Open requests to join, with every member's answer so far; each member answers here."""
    return _requests_page(request, circle, membership)


@circle_view(Need.MEMBER)
@require_POST
def request_answer(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, ref: str
) -> HttpResponse:
    """A member welcomes a request or objects with a reason; a settled or unknown request is a 404."""
    form = JoinAnswerForm(request.POST)
    if form.is_valid():
        try:
            join_requests.join_request_respond(
                circle=circle,
                user=request.user,
                request_ref=ref,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            if exc.code == "not_found":
                raise Http404 from exc
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you. You can change your answer until it is settled."))
            return redirect("circles:requests", code=circle.code)
    return _requests_page(request, circle, membership, error_ref=ref, error_form=form)


@circle_view(Need.PARTICIPANT)
@require_http_methods(["GET", "POST"])
def request_withdraw(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership
) -> HttpResponse:
    """Withdraw one's own request to join, after a confirmation."""
    if membership.status != MembershipStatus.REQUESTED:
        return redirect("circles:status", code=circle.code)
    if request.method == "POST":
        join_requests.join_request_withdraw(circle=circle, user=request.user)
        messages.success(request, _("Your request is withdrawn."))
        return redirect("circles:mine")
    return render(request, "circles/request_withdraw.html", {"circle": circle, "membership": membership})


@circle_view(Need.PARTICIPANT)
@require_safe
def status(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    if membership.status == MembershipStatus.MEMBER:
        return redirect("circles:home", code=circle.code)
    return render(
        request,
        "circles/status.html",
        {
            "circle": circle,
            "membership": membership,
            "position": selectors.waiting_position(membership=membership),
            "request": join_requests.request_state(membership=membership),
            "consent_current": consent_is_current(
                membership=membership, circle=circle, pledge_version=current_pledge_version()
            ),
            # Waiting can be long: offer groups with a seat now (people offered a seat have one).
            "similar": selectors.circles_similar(circle=circle, visitor=visitor_of(request))
            if membership.status == MembershipStatus.WAITING
            else None,
        },
    )


@circle_view(Need.PARTICIPANT)
@require_http_methods(["GET", "POST"])
def leave(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    if membership.status == MembershipStatus.REQUESTED:
        return redirect("circles:request_withdraw", code=circle.code)
    if request.method == "POST":
        services.membership_leave(circle=circle, user=request.user)
        messages.success(request, _("You have left the group. Take care."))
        return redirect("circles:mine")
    return render(request, "circles/leave.html", {"circle": circle, "membership": membership})


@circle_view(Need.PARTICIPANT)
@require_POST
def seat_accept(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    try:
        services.seat_accept(circle=circle, user=request.user)
    except ConsentRequired:
        return redirect("circles:consent", code=circle.code)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("circles:status", code=circle.code)
    messages.success(request, _("Welcome. You are now a member of this group."))
    return redirect("circles:home", code=circle.code)


@circle_view(Need.PARTICIPANT)
@require_POST
def seat_decline(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    try:
        services.seat_decline(circle=circle, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("circles:status", code=circle.code)
    messages.success(request, _("You have declined the seat and left the waiting list."))
    return redirect("circles:mine")


def _after_consent(circle: Circle, membership: Membership) -> HttpResponse:
    if membership.status == MembershipStatus.MEMBER:
        return redirect("circles:home", code=circle.code)
    return redirect("circles:status", code=circle.code)


@circle_view(Need.PARTICIPANT)
@require_http_methods(["GET", "POST"])
def consent(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    """Accept the group's agreements and the pledge again after either changed (the gate sends
    members here; people offered a seat come here before taking it)."""
    pledge_version = current_pledge_version()
    if request.method == "GET" and consent_is_current(
        membership=membership, circle=circle, pledge_version=pledge_version
    ):
        return _after_consent(circle, membership)
    pledge = None
    try:
        pledge = services.current_pledge()
    except DomainError as exc:
        messages.error(request, str(exc))
    form = ConsentForm(
        request.POST or None,
        initial={"pledge_version": pledge_version, "agreements_version": circle.agreements_version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.membership_consent_renew(
                circle=circle,
                user=request.user,
                accepts_pledge=form.cleaned_data["accepts_pledge"],
                pledge_version=form.cleaned_data["pledge_version"],
                agreements_version=form.cleaned_data["agreements_version"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you. You have accepted the current agreements and pledge."))
            return _after_consent(circle, membership)
    basic, own, version = agreements_current(circle=circle)
    return render(
        request,
        "circles/consent.html",
        {
            "circle": circle,
            "form": form,
            "pledge": pledge,
            "agreements": basic,
            "own_agreements": own,
            "agreements_version": version,
            "agreements_stale": membership.agreements_version < version,
            # What changed in the group's own agreements since the version this person accepted.
            "changes": agreements_changes(circle=circle, since_version=membership.agreements_version),
        },
        status=400 if request.method == "POST" else 200,
    )


@circle_view(Need.MEMBER)
@require_http_methods(["GET", "POST"])
def pseudonym(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    """Choose another pseudonym in this group (or a first one, after a placeholder at formation)."""
    initial = {} if membership.must_choose_pseudonym else {"pseudonym": membership.pseudonym}
    form = PseudonymForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_pseudonym_change(
                circle=circle, user=request.user, pseudonym=form.cleaned_data["pseudonym"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your pseudonym in this group is changed."))
            return redirect("circles:home", code=circle.code)
    return render(
        request,
        "circles/pseudonym.html",
        {"circle": circle, "membership": membership, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@access.account
@require_safe
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "circles/mine.html", {"memberships": selectors.circles_of_user(user=request.user)})


@access.account
@require_http_methods(["GET", "POST"])
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    pledge = None
    try:
        pledge = services.current_pledge()
    except DomainError as exc:
        messages.error(request, str(exc))
    form = CircleCreateForm(request.POST or None, initial={"pledge_version": pledge.version if pledge else 0})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            circle = services.circle_create(
                founder=request.user,
                name=data["name"],
                experience=selectors.experience_by_slug(data["experience"]),
                languages=data["languages"],
                mode=data["mode"],
                place=selectors.place_by_slug(data["place"]),
                description=data["description"],
                max_members=data["max_members"],
                listed=data["listed"],
                open=data["open"],
                pseudonym=data["pseudonym"],
                confirms_experience=data["confirms_experience"],
                accepts_pledge=data["accepts_pledge"],
                pledge_version=data["pledge_version"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your group is created. It is forming until enough people join."))
            return redirect("circles:home", code=circle.code)
    return render(
        request,
        "circles/create.html",
        {"form": form, "pledge": pledge, "agreements": selectors.basic_agreements()},
        status=400 if request.method == "POST" else 200,
    )
