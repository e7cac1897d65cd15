"""The group's meeting pages. Every page is members-only (`circle_view(Need.MEMBER)`): the gate
answers everyone else with the 404 of a group that does not exist (P7). Writes go through
`meetings.services` (and the rhythm through `circles.services.circle_schedule_set`), POST only;
a GET never writes. Nothing here names another person: every action is the viewer's own (P2)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutua.circles import services as circle_services
from mutua.circles.models import Circle, Membership, Mode
from mutua.circles.policies import Need, circle_view
from mutua.core.errors import DomainError
from mutua.core.http import AuthenticatedHttpRequest
from mutua.governance import roles
from mutua.governance.models import ProposalKind
from mutua.governance.policies import SCHEDULE_BY_PROPOSAL, schedule_by_proposal
from mutua.meetings import display, selectors, services
from mutua.meetings.forms import (
    MoveForm,
    PlaceForm,
    ReminderForm,
    RsvpForm,
    ScheduleForm,
    schedule_initial,
)
from mutua.meetings.models import Answer
from mutua.meetings.schedule import Occurrence


@dataclass(frozen=True)
class Row:
    """One meeting in a list, as the viewer reads it."""

    occ: Occurrence
    slug: str
    when: display.When
    place_note: str = ""


def _viewer_tz(request: AuthenticatedHttpRequest, circle: Circle) -> str:
    return display.viewer_zone(request.user.timezone, circle.timezone)


def _row(request: AuthenticatedHttpRequest, circle: Circle, occ: Occurrence, place_note: str = "") -> Row:
    return Row(
        occ=occ,
        slug=selectors.key_slug(occ.key),
        when=display.when(occ, group_tz=circle.timezone, viewer_tz=_viewer_tz(request, circle)),
        place_note=place_note,
    )


def _occurrence(circle: Circle, key: str) -> Occurrence:
    """The meeting a URL names, or 404: a key the rhythm does not generate does not exist."""
    moment = selectors.key_from_slug(key)
    occ = selectors.occurrence(circle=circle, key=moment) if moment is not None else None
    if occ is None:
        raise Http404
    return occ


def _to_detail(circle: Circle, occ: Occurrence) -> HttpResponse:
    return redirect("meetings:detail", code=circle.code, key=selectors.key_slug(occ.key))


def _to_list(circle: Circle) -> HttpResponse:
    return redirect("meetings:list", code=circle.code)


# --------------------------------------------------------------------------- the meetings page


def _render_list(
    request: AuthenticatedHttpRequest,
    circle: Circle,
    membership: Membership,
    reminder_form: ReminderForm | None = None,
    status: int = 200,
) -> HttpResponse:
    data = selectors.overview(circle=circle, membership=membership)
    rows = [_row(request, circle, o, data.place_notes.get(o.key, "")) for o in data.upcoming]
    nxt = next((r for r in rows if data.next is not None and r.occ.key == data.next.key), None)
    if nxt is None and data.next is not None:
        nxt = _row(request, circle, data.next)
    return render(
        request,
        "meetings/list.html",
        {
            "circle": circle,
            "membership": membership,
            "rhythm": circle.rhythm,
            "rhythm_words": display.rhythm_words(circle.rhythm),
            "duration": display.duration_words(circle.schedule_duration),
            "next": nxt,
            "rows": rows,
            "online": circle.mode != Mode.IN_PERSON,
            "in_person": circle.mode != Mode.ONLINE,
            "room": data.room if circle.mode != Mode.IN_PERSON else None,
            "place": data.place,
            "reminder_form": reminder_form or ReminderForm(initial={"reminder": data.reminder}),
            "chart": display.commitment_chart(
                data.turnout, group_tz=circle.timezone, members=circle.member_count
            ),
        },
        status=status,
    )


@circle_view(Need.MEMBER)
@require_safe
def meeting_list(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    return _render_list(request, circle, membership)


@circle_view(Need.MEMBER)
@require_POST
def reminder(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    form = ReminderForm(request.POST)
    if form.is_valid():
        try:
            services.reminder_set(circle=circle, user=request.user, reminder=form.cleaned_data["reminder"])
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your reminder choice is saved."))
            return _to_list(circle)
    return _render_list(request, circle, membership, reminder_form=form, status=400)


@circle_view(Need.MEMBER)
@require_http_methods(["GET", "POST"])
def room(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    """A new room link: GET explains and asks, POST does it (the old link stops being shown)."""
    if circle.mode == Mode.IN_PERSON:
        messages.info(request, _("This group meets in person only; it has no online room."))
        return _to_list(circle)
    if request.method == "POST":
        try:
            services.room_regenerate(circle=circle, user=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The group has a new room link. Everyone in the group sees it."))
        return _to_list(circle)
    return render(
        request,
        "meetings/room_confirm.html",
        {"circle": circle, "room": selectors.current_room(circle=circle)},
    )


@circle_view(Need.MEMBER)
@require_http_methods(["GET", "POST"])
def place(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    current = selectors.meeting_place(circle=circle)
    initial: dict[str, Any] = {}
    if current is not None:
        initial = {
            "address": current.address,
            "access_notes": current.access_notes,
            "dial_in": current.dial_in,
            "in_meeting_guide": current.in_meeting_guide,
            "publish_address": current.publish_address,
            "publish_room": current.publish_room,
        }
    form = PlaceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.place_set(circle=circle, user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Where the group meets is saved. Only members see it."))
            return _to_list(circle)
    return render(
        request,
        "meetings/place.html",
        {"circle": circle, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@circle_view(Need.MEMBER)
@require_http_methods(["GET", "POST"])
def schedule(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    """Set when a forming group meets (any member; the others are told). An active group changes it by a
    proposal (P5): the page sends the member to open one, and a POST here changes nothing."""
    if schedule_by_proposal(circle):
        messages.info(request, SCHEDULE_BY_PROPOSAL)
        return redirect(f"{reverse('governance:new', args=[circle.code])}?kind={ProposalKind.SCHEDULE}")
    today = timezone.now().astimezone(display.zone(circle.timezone)).date()
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        initial=schedule_initial(circle.rhythm, group_tz=circle.timezone, today=today),
    )
    if request.method == "POST" and form.is_valid():
        try:
            circle_services.circle_schedule_set(circle=circle, rhythm=form.rhythm(), user=request.user)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The group's meeting time is saved."))
            return _to_list(circle)
    return render(
        request,
        "meetings/schedule.html",
        {
            "circle": circle,
            "form": form,
            "rhythm_words": display.rhythm_words(circle.rhythm) if circle.rhythm else "",
        },
        status=400 if request.method == "POST" else 200,
    )


@circle_view(Need.MEMBER)
@require_safe
def attendance(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership) -> HttpResponse:
    """The member's own past meetings: only they see it (never a ranking of people)."""
    tz = _viewer_tz(request, circle)
    history = [
        (display.day_and_time(a.start, tz), a.checked_in, a.answer)
        for a in selectors.attendance_history(membership=membership)
    ]
    return render(
        request,
        "meetings/attendance.html",
        {
            "circle": circle,
            "history": history,
            "attended": sum(1 for _d, checked, _a in history if checked),
            "zone": display.zone_city(tz),
        },
    )


# --------------------------------------------------------------------------- one meeting


def _render_detail(
    request: AuthenticatedHttpRequest,
    circle: Circle,
    membership: Membership,
    occ: Occurrence,
    rsvp_form: RsvpForm | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = selectors.meeting_detail(circle=circle, membership=membership, occ=occ)
    now = timezone.now()
    opens, _closes = selectors.checkin_window(occ)
    form = rsvp_form or RsvpForm(
        initial={"answer": detail.my_answer or None, "note": detail.my_note} if detail.my_answer else None
    )
    return render(
        request,
        "meetings/detail.html",
        {
            "circle": circle,
            "membership": membership,
            "meeting": _row(request, circle, occ, detail.place_note),
            "detail": detail,
            "my_answer_label": dict(Answer.choices).get(detail.my_answer, ""),
            "rsvp_open": selectors.rsvp_open(occ, now),
            "checkin_open": selectors.checkin_open(occ, now),
            "checkin_opens": display.day_and_time(opens, _viewer_tz(request, circle)),
            "over": occ.end <= now,
            "changed": occ.cancelled or occ.moved or bool(detail.place_note),
            "rsvp_form": form,
            "room": selectors.current_room(circle=circle) if circle.mode != Mode.IN_PERSON else None,
            "place": selectors.meeting_place(circle=circle),
            "roles": roles.meeting_roles(circle=circle, membership=membership, occ=occ),
        },
        status=status,
    )


@circle_view(Need.MEMBER)
@require_safe
def meeting_detail(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, key: str
) -> HttpResponse:
    return _render_detail(request, circle, membership, _occurrence(circle, key))


@circle_view(Need.MEMBER)
@require_POST
def rsvp(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, key: str) -> HttpResponse:
    occ = _occurrence(circle, key)
    form = RsvpForm(request.POST)
    if form.is_valid():
        try:
            services.rsvp_set(
                circle=circle,
                user=request.user,
                key=occ.key,
                answer=form.cleaned_data["answer"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your answer is saved. The group sees it."))
            return _to_detail(circle, occ)
    return _render_detail(request, circle, membership, occ, rsvp_form=form, status=400)


@circle_view(Need.MEMBER)
@require_POST
def checkin(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, key: str
) -> HttpResponse:
    """Check oneself in. The request names nobody: whatever else is posted is ignored (P2)."""
    occ = _occurrence(circle, key)
    try:
        services.checkin_self(circle=circle, user=request.user, key=occ.key)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You checked in. Welcome."))
    return _to_detail(circle, occ)


def _confirm(request: AuthenticatedHttpRequest, circle: Circle, occ: Occurrence, action: str) -> HttpResponse:
    return render(
        request,
        "meetings/confirm.html",
        {"circle": circle, "meeting": _row(request, circle, occ), "action": action},
    )


@circle_view(Need.MEMBER)
@require_http_methods(["GET", "POST"])
def cancel(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, key: str
) -> HttpResponse:
    occ = _occurrence(circle, key)
    if request.method == "GET":
        return _confirm(request, circle, occ, "cancel")
    try:
        services.meeting_cancel(circle=circle, user=request.user, key=occ.key)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The meeting is cancelled. The others in the group are told."))
    return _to_detail(circle, occ)


@circle_view(Need.MEMBER)
@require_http_methods(["GET", "POST"])
def restore(
    request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, key: str
) -> HttpResponse:
    occ = _occurrence(circle, key)
    if request.method == "GET":
        return _confirm(request, circle, occ, "restore")
    try:
        services.meeting_restore(circle=circle, user=request.user, key=occ.key)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The meeting is back as the schedule says. The others in the group are told.")
        )
    return _to_detail(circle, occ)


@circle_view(Need.MEMBER)
@require_http_methods(["GET", "POST"])
def move(request: AuthenticatedHttpRequest, circle: Circle, membership: Membership, key: str) -> HttpResponse:
    occ = _occurrence(circle, key)
    local = occ.start.astimezone(display.zone(circle.timezone))
    duration = int((occ.end - occ.start).total_seconds() // 60)
    form = MoveForm(
        request.POST if request.method == "POST" else None,
        group_tz=circle.timezone,
        initial={"date": local.date(), "time": local.time().replace(tzinfo=None), "duration": duration},
    )
    if request.method == "POST" and form.is_valid():
        new_start: datetime = form.new_start()
        # The usual length is no change: only a different one is stored with the meeting.
        new_duration = form.cleaned_data["duration"]
        try:
            services.meeting_move(
                circle=circle,
                user=request.user,
                key=occ.key,
                new_start=new_start,
                new_duration=None if new_duration == circle.schedule_duration else new_duration,
                place_note=form.cleaned_data["place_note"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The meeting is moved. The others in the group are told."))
            return _to_detail(circle, occ)
    return render(
        request,
        "meetings/move.html",
        {
            "circle": circle,
            "meeting": _row(request, circle, occ),
            "form": form,
            "zone": display.zone_city(circle.timezone),
        },
        status=400 if request.method == "POST" else 200,
    )
