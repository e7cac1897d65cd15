"""Reads of a group's meeting life, always for a member the gate already let through."""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from mutua.circles.models import Circle, Membership, MembershipStatus
from mutua.meetings.models import (
    Answer,
    CheckIn,
    Meeting,
    MeetingPlace,
    MeetingPreference,
    Reminder,
    Room,
    Rsvp,
)
from mutua.meetings.schedule import Change, Occurrence, next_occurrence, occurrences

# An occurrence in URLs: its key, the generated UTC start, as 20261208T1800Z.
KEY_FORMAT = "%Y%m%dT%H%MZ"
KEY_RE = re.compile(r"^\d{8}T\d{4}Z$")


def key_slug(key: datetime) -> str:
    return key.astimezone(UTC).strftime(KEY_FORMAT)


def key_from_slug(slug: str) -> datetime | None:
    if not KEY_RE.match(slug):
        return None
    try:
        return datetime.strptime(slug, KEY_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def changes_of(*, circle: Circle) -> tuple[Change, ...]:
    """The group's exceptions (cancelled or moved meetings) for the pure module."""
    rows = Meeting.objects.filter(circle=circle).filter(
        Q(cancelled=True) | Q(new_start__isnull=False) | Q(new_duration__isnull=False)
    )
    return tuple(
        Change(
            key=row.key,
            cancelled=row.cancelled,
            new_start=row.new_start,
            new_duration_minutes=row.new_duration,
        )
        for row in rows
    )


def meetings_between(*, circle: Circle, start: datetime, end: datetime) -> list[Occurrence]:
    rhythm = circle.rhythm
    if rhythm is None:
        return []
    return occurrences(rhythm, start, end, changes_of(circle=circle))


def next_meeting(*, circle: Circle, now: datetime | None = None) -> Occurrence | None:
    """The next meeting not cancelled that has not ended yet (a meeting going on now counts)."""
    rhythm = circle.rhythm
    if rhythm is None:
        return None
    return next_occurrence(rhythm, now or timezone.now(), changes_of(circle=circle))


def occurrence(*, circle: Circle, key: datetime) -> Occurrence | None:
    """The occurrence the rhythm generates at `key` (with its change applied), or None when the
    rhythm generates no meeting there: a made-up key in a URL is a 404."""
    rhythm = circle.rhythm
    if rhythm is None:
        return None
    generated = occurrences(rhythm, key - timedelta(minutes=1), key + timedelta(minutes=1))
    if not any(o.key == key for o in generated):
        return None
    change = next((c for c in changes_of(circle=circle) if c.key == key), None)
    if change is None:
        return next(o for o in generated if o.key == key)
    # Expand around the new start so the change is applied by the pure module, the one rule.
    moved_to = change.new_start or key
    around = occurrences(
        rhythm, min(key, moved_to) - timedelta(days=1), max(key, moved_to) + timedelta(days=1), (change,)
    )
    return next((o for o in around if o.key == key), None)


def place_note_of(*, circle: Circle, key: datetime) -> str:
    """Where one meeting happens this time, when it is not the usual place ("" otherwise)."""
    note = Meeting.objects.filter(circle=circle, key=key).values_list("place_note", flat=True).first()
    return note or ""


@dataclass
class MeetingDetail:
    """One meeting as a member sees it."""

    occurrence: Occurrence
    place_note: str = ""
    coming: list[tuple[str, str]] = field(default_factory=list)  # (pseudonym, note)
    not_coming: list[tuple[str, str]] = field(default_factory=list)
    my_answer: str = ""
    my_note: str = ""
    checked_in: bool = False
    checkin_count: int = 0


def meeting_detail(*, circle: Circle, membership: Membership, occ: Occurrence) -> MeetingDetail:
    detail = MeetingDetail(occurrence=occ)
    row = Meeting.objects.filter(circle=circle, key=occ.key).first()
    if row is None:
        return detail
    detail.place_note = row.place_note
    for rsvp in (
        Rsvp.objects.filter(meeting=row, membership__status=MembershipStatus.MEMBER)
        .select_related("membership")
        .order_by("membership__pseudonym")
    ):
        pair = (rsvp.membership.pseudonym, rsvp.note)
        (detail.coming if rsvp.answer == Answer.COMING else detail.not_coming).append(pair)
        if rsvp.membership_id == membership.pk:
            detail.my_answer, detail.my_note = rsvp.answer, rsvp.note
    checkins = CheckIn.objects.filter(meeting=row)
    detail.checkin_count = checkins.count()
    detail.checked_in = checkins.filter(membership=membership).exists()
    return detail


def checkin_window(occ: Occurrence) -> tuple[datetime, datetime]:
    """From `MUTUA_CHECKIN_OPENS_MINUTES` before the start until the end (one definition)."""
    return occ.start - timedelta(minutes=int(settings.MUTUA_CHECKIN_OPENS_MINUTES)), occ.end


def checkin_open(occ: Occurrence, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    opens, closes = checkin_window(occ)
    return not occ.cancelled and opens <= now < closes


def rsvp_open(occ: Occurrence, now: datetime | None = None) -> bool:
    """An answer can be given or changed until the meeting starts."""
    return not occ.cancelled and (now or timezone.now()) < occ.start


def current_room(*, circle: Circle) -> Room | None:
    return Room.objects.current().filter(circle=circle).first()


def meeting_place(*, circle: Circle) -> MeetingPlace | None:
    return MeetingPlace.objects.filter(circle=circle).first()


def reminder_of(*, membership: Membership) -> str:
    pref = MeetingPreference.objects.filter(membership=membership).values_list("reminder", flat=True).first()
    return pref or Reminder.DAY_BEFORE


@dataclass(frozen=True)
class Attended:
    start: datetime
    checked_in: bool
    answer: str


def attendance_history(*, membership: Membership, limit: int = 52) -> list[Attended]:
    """The member's own past meetings in this group since they joined: checked in or not, and what
    they had answered. Only the member sees it (never a ranking of people)."""
    circle = membership.circle
    now = timezone.now()
    since = membership.joined_at or now
    past = [
        o for o in meetings_between(circle=circle, start=since, end=now) if not o.cancelled and o.end <= now
    ]
    past = past[-limit:]
    rows = {m.key: m.pk for m in Meeting.objects.filter(circle=circle, key__in=[o.key for o in past])}
    checked = set(
        CheckIn.objects.filter(membership=membership, meeting_id__in=rows.values()).values_list(
            "meeting_id", flat=True
        )
    )
    answers = dict(
        Rsvp.objects.filter(membership=membership, meeting_id__in=rows.values()).values_list(
            "meeting_id", "answer"
        )
    )
    result = []
    for o in reversed(past):
        pk = rows.get(o.key, 0)
        result.append(Attended(start=o.start, checked_in=pk in checked, answer=answers.get(pk, "")))
    return result


@dataclass(frozen=True)
class Turnout:
    start: datetime
    present: int  # members who checked in


def commitment(*, circle: Circle, weeks: int = 26, now: datetime | None = None) -> list[Turnout]:
    """How many people checked in at each past meeting (not cancelled) over the last `weeks` weeks:
    the group's commitment over time. Counts only, never names (never a ranking of people)."""
    now = now or timezone.now()
    past = [
        o
        for o in meetings_between(circle=circle, start=now - timedelta(weeks=weeks), end=now)
        if not o.cancelled and o.end <= now
    ]
    counts = dict(
        Meeting.objects.filter(circle=circle, key__in=[o.key for o in past])
        .annotate(n=Count("checkins"))
        .values_list("key", "n")
    )
    return [Turnout(start=o.start, present=counts.get(o.key, 0)) for o in past]


# How far ahead the meetings page looks for the next few meetings (a monthly rhythm needs months).
UPCOMING_HORIZON = timedelta(days=400)
# A meeting that started before now but has not ended is still "upcoming" (at most 8 hours long).
RUNNING_LOOKBACK = timedelta(hours=8)


def upcoming(*, circle: Circle, count: int = 8, now: datetime | None = None) -> list[Occurrence]:
    """The next `count` meetings that have not ended, cancelled ones included (the page strikes
    them through), in order of their (possibly moved) start."""
    now = now or timezone.now()
    found = meetings_between(circle=circle, start=now - RUNNING_LOOKBACK, end=now + UPCOMING_HORIZON)
    return [o for o in found if o.end > now][:count]


@dataclass
class MeetingsOverview:
    """Everything the meetings page (and the API's list) shows one member."""

    next: Occurrence | None
    upcoming: list[Occurrence]
    room: Room | None
    place: MeetingPlace | None
    reminder: str
    turnout: list[Turnout]
    place_notes: dict[datetime, str] = field(default_factory=dict)  # key → this time's place


def overview(
    *, circle: Circle, membership: Membership, now: datetime | None = None, turnout_count: int = 12
) -> MeetingsOverview:
    now = now or timezone.now()
    ahead = upcoming(circle=circle, now=now)
    notes = dict(
        Meeting.objects.filter(circle=circle, key__in=[o.key for o in ahead])
        .exclude(place_note="")
        .values_list("key", "place_note")
    )
    return MeetingsOverview(
        next=next_meeting(circle=circle, now=now),
        upcoming=ahead,
        room=current_room(circle=circle),
        place=meeting_place(circle=circle),
        reminder=reminder_of(membership=membership),
        turnout=commitment(circle=circle, weeks=60, now=now)[-turnout_count:],
        place_notes=notes,
    )
