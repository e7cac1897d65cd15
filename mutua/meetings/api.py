"""A group's meetings in the JSON API: the same gate (`access_circle`), selectors and services as the
pages. Times are UTC (ISO 8601) with the group's zone named beside them; a meeting is named by its
key, the UTC start the rhythm generates for it (`20261208T1800Z`). Nothing here names another
person: an answer, a check-in, a reminder are always the caller's own (P2)."""

from datetime import date, datetime, time
from typing import Literal

from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.params.functions import Path as PathParam

from mutua.api.schemas import Message
from mutua.circles import services as circle_services
from mutua.circles.models import Circle, Membership, Mode
from mutua.circles.policies import Need, access_circle
from mutua.core.errors import DomainError
from mutua.core.http import AuthenticatedHttpRequest
from mutua.governance.policies import SCHEDULE_BY_PROPOSAL, schedule_by_proposal
from mutua.meetings import display, selectors, services
from mutua.meetings.models import MeetingPlace, Room
from mutua.meetings.schedule import Kind, Occurrence, Rhythm

router = Router(tags=["meetings"])

KEY = PathParam(
    ...,
    pattern=r"^\d{8}T\d{4}Z$",
    description="A meeting's key: the UTC start its rhythm generates for it, e.g. 20261208T1800Z.",
)


class OccurrenceOut(Schema):
    key: str = Field(..., description="The meeting's key (stays the same when it is moved).")
    start: datetime = Field(..., description="UTC.")
    end: datetime = Field(..., description="UTC.")
    cancelled: bool
    moved: bool
    place_note: str = Field("", description="Where it happens this time, when not the usual place.")


class ScheduleOut(Schema):
    kind: Literal["weekly", "fortnightly", "monthly_nth", "monthly_day", "rrule"]
    weekday: int | None = Field(None, description="0 = Monday … 6 = Sunday.")
    nth: int | None = Field(None, description="1–4, or -1 for the last (monthly_nth).")
    monthday: int | None = None
    start_date: date
    start_time: str = Field(..., description="Local wall-clock time in the group's zone, HH:MM.")
    duration_minutes: int
    timezone: str
    end_date: date | None = None
    rrule: str = ""
    words: str = Field(..., description="The rhythm in a sentence, in the caller's language.")


class GroupScheduleOut(Schema):
    timezone: str = Field(..., description="The group's IANA time zone.")
    schedule: ScheduleOut | None = Field(None, description="None while the group has no meeting time.")
    words: str


class RoomOut(Schema):
    url: str
    created_at: datetime


class MeetingPlaceOut(Schema):
    address: str
    access_notes: str
    dial_in: str


class TurnoutOut(Schema):
    start: datetime
    present: int = Field(..., description="How many people checked in (a count, never names).")


class MeetingsOut(Schema):
    timezone: str = Field(..., description="The group's IANA time zone.")
    schedule: ScheduleOut | None
    next: OccurrenceOut | None = Field(None, description="The next meeting not cancelled that has not ended.")
    upcoming: list[OccurrenceOut] = Field(..., description="The next meetings, cancelled ones included.")
    room: RoomOut | None = Field(None, description="The group's current online room (members only).")
    place: MeetingPlaceOut | None = None
    reminder: Literal["none", "day_before", "two_hours"]
    commitment: list[TurnoutOut] = Field(..., description="People present at each of the last meetings.")


class AnswerOut(Schema):
    pseudonym: str
    note: str


class MeetingOut(Schema):
    timezone: str
    meeting: OccurrenceOut
    coming: list[AnswerOut]
    not_coming: list[AnswerOut]
    my_answer: Literal["", "coming", "not_coming"]
    my_note: str
    checked_in: bool
    checkin_count: int
    rsvp_open: bool = Field(..., description="Answers can be given or changed (until the start).")
    checkin_open: bool = Field(
        ..., description="Check-in is open (30 minutes before the start until the end)."
    )
    checkin_opens_at: datetime
    room: RoomOut | None = None
    place: MeetingPlaceOut | None = None


class RsvpIn(Schema):
    answer: Literal["coming", "not_coming"]
    note: str = Field("", max_length=200, description="Shown to the group (an absence notice).")


class RsvpOut(Schema):
    answer: str
    note: str


class CheckInOut(Schema):
    at: datetime


class MoveIn(Schema):
    start: datetime = Field(
        ...,
        description=(
            "The new start, ISO 8601. With an offset it is that moment; without one it is read in the "
            "group's time zone."
        ),
    )
    duration_minutes: int | None = Field(None, ge=15, le=480, description="Empty: the usual length.")
    place_note: str = Field("", max_length=300)


class ScheduleIn(Schema):
    kind: Literal["weekly", "fortnightly", "monthly_nth", "monthly_day", "rrule"]
    weekday: int | None = Field(None, ge=0, le=6, description="0 = Monday … 6 = Sunday.")
    nth: Literal[1, 2, 3, 4, -1] | None = None
    monthday: int | None = Field(None, ge=1, le=31)
    start_date: date = Field(..., description="The first day a meeting can fall on (in the group's zone).")
    start_time: str = Field(
        ..., pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM in the group's zone."
    )
    duration_minutes: int = Field(90, ge=15, le=480)
    timezone: str = Field(..., max_length=64, description="An IANA time zone, e.g. Europe/Madrid.")
    end_date: date | None = None
    rrule: str = Field("", max_length=300, description="Only for kind rrule, e.g. FREQ=WEEKLY;BYDAY=TU,TH.")


class ReminderIn(Schema):
    reminder: Literal["none", "day_before", "two_hours"]


class ReminderOut(Schema):
    reminder: str


class AttendedOut(Schema):
    start: datetime
    checked_in: bool
    answer: Literal["", "coming", "not_coming"]


def _occ(occ: Occurrence, place_note: str = "") -> OccurrenceOut:
    return OccurrenceOut(
        key=selectors.key_slug(occ.key),
        start=occ.start,
        end=occ.end,
        cancelled=occ.cancelled,
        moved=occ.moved,
        place_note=place_note,
    )


def _schedule(rhythm: Rhythm | None) -> ScheduleOut | None:
    if rhythm is None:
        return None
    return ScheduleOut(
        kind=rhythm.kind.value,
        weekday=rhythm.weekday,
        nth=rhythm.nth,
        monthday=rhythm.monthday,
        start_date=rhythm.start_date,
        start_time=f"{rhythm.start_time:%H:%M}",
        duration_minutes=rhythm.duration_minutes,
        timezone=rhythm.tz,
        end_date=rhythm.end_date,
        rrule=rhythm.rrule,
        words=display.rhythm_words(rhythm),
    )


def _room(circle: Circle, room: Room | None) -> RoomOut | None:
    if room is None or circle.mode == Mode.IN_PERSON:
        return None
    return RoomOut(url=room.url, created_at=room.created_at)


def _place(place: MeetingPlace | None) -> MeetingPlaceOut | None:
    if place is None:
        return None
    return MeetingPlaceOut(address=place.address, access_notes=place.access_notes, dial_in=place.dial_in)


def _meeting(request: AuthenticatedHttpRequest, code: str, key: str) -> tuple[Circle, Membership, Occurrence]:
    """The gate, then the meeting the key names: a key the rhythm does not generate is a 404."""
    circle, membership = access_circle(request.user, code, Need.MEMBER)
    moment = selectors.key_from_slug(key)
    occ = selectors.occurrence(circle=circle, key=moment) if moment is not None else None
    if occ is None:
        raise Http404
    return circle, membership, occ


MEMBER_ONLY = {404: Message, 409: Message}
WRITE = {400: Message, 404: Message, 409: Message}


@router.get("/groups/{code}/meetings", response={200: MeetingsOut, **MEMBER_ONLY})
def meetings(request: AuthenticatedHttpRequest, code: str) -> MeetingsOut:
    """The next meeting, the coming ones, how to join and the group's commitment (members only)."""
    circle, membership = access_circle(request.user, code, Need.MEMBER)
    data = selectors.overview(circle=circle, membership=membership)
    return MeetingsOut(
        timezone=circle.timezone,
        schedule=_schedule(circle.rhythm),
        next=_occ(data.next, data.place_notes.get(data.next.key, "")) if data.next else None,
        upcoming=[_occ(o, data.place_notes.get(o.key, "")) for o in data.upcoming],
        room=_room(circle, data.room),
        place=_place(data.place),
        reminder=data.reminder,  # type: ignore[arg-type]  # one of Reminder.values
        commitment=[TurnoutOut(start=t.start, present=t.present) for t in data.turnout],
    )


@router.get("/groups/{code}/meetings/attendance", response={200: list[AttendedOut], **MEMBER_ONLY})
def attendance(request: AuthenticatedHttpRequest, code: str) -> list[AttendedOut]:
    """Your own past meetings in this group since you joined (only you see them)."""
    _circle, membership = access_circle(request.user, code, Need.MEMBER)
    return [
        AttendedOut(start=a.start, checked_in=a.checked_in, answer=a.answer)  # type: ignore[arg-type]
        for a in selectors.attendance_history(membership=membership)
    ]


@router.put("/groups/{code}/meetings/reminder", response={200: ReminderOut, **WRITE})
def reminder(request: AuthenticatedHttpRequest, code: str, payload: ReminderIn) -> ReminderOut:
    """Your own reminder for this group's meetings."""
    circle, _m = access_circle(request.user, code, Need.MEMBER)
    pref = services.reminder_set(circle=circle, user=request.user, reminder=payload.reminder)
    return ReminderOut(reminder=pref.reminder)


@router.get("/groups/{code}/meetings/{key}", response={200: MeetingOut, **MEMBER_ONLY})
def meeting(request: AuthenticatedHttpRequest, code: str, key: str = KEY) -> MeetingOut:
    """One meeting: its time, who answered (pseudonyms and notes), your own answer and check-in."""
    circle, membership, occ = _meeting(request, code, key)
    detail = selectors.meeting_detail(circle=circle, membership=membership, occ=occ)
    opens, _closes = selectors.checkin_window(occ)
    return MeetingOut(
        timezone=circle.timezone,
        meeting=_occ(occ, detail.place_note),
        coming=[AnswerOut(pseudonym=p, note=n) for p, n in detail.coming],
        not_coming=[AnswerOut(pseudonym=p, note=n) for p, n in detail.not_coming],
        my_answer=detail.my_answer,  # type: ignore[arg-type]  # one of Answer.values or ""
        my_note=detail.my_note,
        checked_in=detail.checked_in,
        checkin_count=detail.checkin_count,
        rsvp_open=selectors.rsvp_open(occ),
        checkin_open=selectors.checkin_open(occ),
        checkin_opens_at=opens,
        room=_room(circle, selectors.current_room(circle=circle)),
        place=_place(selectors.meeting_place(circle=circle)),
    )


@router.put("/groups/{code}/meetings/{key}/rsvp", response={200: RsvpOut, **WRITE})
def rsvp(request: AuthenticatedHttpRequest, code: str, payload: RsvpIn, key: str = KEY) -> RsvpOut:
    """Your own answer, with an optional note to the group; it can change until the meeting starts."""
    circle, _m, occ = _meeting(request, code, key)
    row = services.rsvp_set(
        circle=circle, user=request.user, key=occ.key, answer=payload.answer, note=payload.note
    )
    return RsvpOut(answer=row.answer, note=row.note)


@router.post("/groups/{code}/meetings/{key}/checkin", response={200: CheckInOut, **WRITE})
def checkin(request: AuthenticatedHttpRequest, code: str, key: str = KEY) -> CheckInOut:
    """Check yourself in, from 30 minutes before the start until the end. It takes no body: nobody
    can check in someone else (P2)."""
    circle, _m, occ = _meeting(request, code, key)
    row = services.checkin_self(circle=circle, user=request.user, key=occ.key)
    return CheckInOut(at=row.at)


@router.post("/groups/{code}/meetings/{key}/cancel", response={200: OccurrenceOut, **WRITE})
def cancel(request: AuthenticatedHttpRequest, code: str, key: str = KEY) -> OccurrenceOut:
    """Cancel this one meeting (any member); the other members are told."""
    circle, _m, occ = _meeting(request, code, key)
    services.meeting_cancel(circle=circle, user=request.user, key=occ.key)
    return _after_change(circle, occ)


@router.post("/groups/{code}/meetings/{key}/move", response={200: OccurrenceOut, **WRITE})
def move(request: AuthenticatedHttpRequest, code: str, payload: MoveIn, key: str = KEY) -> OccurrenceOut:
    """Move this one meeting to another time and/or place (any member); the other members are told."""
    circle, _m, occ = _meeting(request, code, key)
    start = payload.start
    if start.tzinfo is None or start.utcoffset() is None:
        start = start.replace(tzinfo=display.zone(circle.timezone))
    services.meeting_move(
        circle=circle,
        user=request.user,
        key=occ.key,
        new_start=start,
        new_duration=payload.duration_minutes,
        place_note=payload.place_note,
    )
    return _after_change(circle, occ)


@router.post("/groups/{code}/meetings/{key}/restore", response={200: OccurrenceOut, **WRITE})
def restore(request: AuthenticatedHttpRequest, code: str, key: str = KEY) -> OccurrenceOut:
    """Undo a cancellation or a move: the meeting happens as the rhythm says; the others are told."""
    circle, _m, occ = _meeting(request, code, key)
    services.meeting_restore(circle=circle, user=request.user, key=occ.key)
    return _after_change(circle, occ)


def _after_change(circle: Circle, occ: Occurrence) -> OccurrenceOut:
    changed = selectors.occurrence(circle=circle, key=occ.key)
    if changed is None:  # the rhythm still generates the key; this is only for the type checker
        raise Http404
    return _occ(changed, selectors.place_note_of(circle=circle, key=occ.key))


@router.get("/groups/{code}/schedule", response={200: GroupScheduleOut, **MEMBER_ONLY})
def schedule(request: AuthenticatedHttpRequest, code: str) -> GroupScheduleOut:
    circle, _m = access_circle(request.user, code, Need.MEMBER)
    return GroupScheduleOut(
        timezone=circle.timezone, schedule=_schedule(circle.rhythm), words=display.rhythm_words(circle.rhythm)
    )


@router.put("/groups/{code}/schedule", response={200: GroupScheduleOut, **WRITE})
def schedule_set(request: AuthenticatedHttpRequest, code: str, payload: ScheduleIn) -> GroupScheduleOut:
    """Set when a forming group meets (any member, for everyone); the other members are told. An active
    group changes it by a proposal (409 here): POST /groups/{code}/proposals with kind "schedule"."""
    circle, _m = access_circle(request.user, code, Need.MEMBER)
    if schedule_by_proposal(circle):
        raise DomainError(SCHEDULE_BY_PROPOSAL, "conflict")
    hours, minutes = (int(part) for part in payload.start_time.split(":"))
    rhythm = Rhythm(
        kind=Kind(payload.kind),
        start_date=payload.start_date,
        start_time=time(hours, minutes),
        duration_minutes=payload.duration_minutes,
        tz=payload.timezone,
        weekday=payload.weekday,
        nth=payload.nth,
        monthday=payload.monthday,
        rrule=payload.rrule.strip(),
        end_date=payload.end_date,
    )
    circle = circle_services.circle_schedule_set(circle=circle, rhythm=rhythm, user=request.user)
    return GroupScheduleOut(
        timezone=circle.timezone, schedule=_schedule(circle.rhythm), words=display.rhythm_words(circle.rhythm)
    )


@router.post("/groups/{code}/room", response={201: RoomOut, **WRITE})
def room_regenerate(request: AuthenticatedHttpRequest, code: str) -> Status[RoomOut]:
    """A new online room link for the group (e.g. when the link leaked); the old one is never shown
    again and the other members are told."""
    circle, _m = access_circle(request.user, code, Need.MEMBER)
    room = services.room_regenerate(circle=circle, user=request.user)
    return Status(201, RoomOut(url=room.url, created_at=room.created_at))
