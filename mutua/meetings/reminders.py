"""Meeting reminders: each member chooses, per group, none, the day before or two hours before
(`MeetingPreference`, "the day before" when they never chose), and is reminded through the one
notification service (inbox, and email unless they said inbox only), exactly once.

When a reminder is due: "the day before" means 24 real hours before the start, and "two hours
before" 2 real hours before, whatever the clocks do in between (a Madrid meeting on the Sunday the
clocks go forward is reminded at 18:00 on Saturday for a 19:00 start). A reminder is due from that
moment until the meeting starts; a tick that runs late (or was missed) still sends it, a tick after
the start does not.

Who: members of the group (status `member`) with an active account. People on the waiting list,
offered a seat or gone never are. A member who must accept new agreements or a new pledge is
reminded too: the reminder says nothing about the group and its link goes through the gate, which
asks them to accept first; they are still expected at the meeting.

What: `notify(..., Kind.MEETING_REMINDER, url=<the meeting page>, due_at=<start>, once_key=...)`,
one transaction per person. The once_key names the group, the meeting (its key), its start, the
membership and the offset, so the unique constraint on (person, once_key) makes it exactly once
however often and however concurrently the tick runs. The start is part of the key on purpose: a
meeting moved to another time is a new reminder at the new time — unless that reminder's moment had
already come when the meeting was moved, restored or given another place: the change itself sent
every other member a "meeting changed" notice at that moment, and a reminder right behind it would
only repeat it.

Cost: a tick reads a bounded number of queries whatever the number of members (groups, the window's
changed meetings, the members of the groups meeting in the window in chunks, the keys already sent)
plus one `notify` per reminder actually sent. Groups that cannot meet in the window are left out in
SQL (no schedule, a weekday the window does not touch, a schedule not started or ended), so the pure
expansion runs for only a fraction of them, over a window of a day. bench/reminders.py measures it.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from mutua.circles.models import Circle, CircleStatus, Membership, MembershipStatus, ScheduleKind
from mutua.meetings.models import Meeting, Reminder
from mutua.meetings.schedule import Change, Occurrence, ScheduleError, occurrences
from mutua.meetings.selectors import key_slug
from mutua.notifications.models import Kind, Notification
from mutua.notifications.services import notify

logger = logging.getLogger(__name__)

# How long before the start each choice reminds: real hours, not wall-clock ones.
OFFSETS: dict[str, timedelta] = {
    Reminder.DAY_BEFORE: timedelta(hours=24),
    Reminder.TWO_HOURS: timedelta(hours=2),
}
# The periodic task runs every 5 minutes (tasks.meeting_reminders); the window reaches a little past
# the largest offset so a late tick still sees every meeting whose reminder has come.
TICK = timedelta(minutes=5)
LOOKAHEAD = max(OFFSETS.values()) + TICK + timedelta(minutes=5)
# Groups meet on every local date from UTC−12 to UTC+14: the window's local dates lie in this span.
_WEST, _EAST = timedelta(hours=12), timedelta(hours=14)
# Rhythms whose weekday is a column (a custom rule's is not).
_WEEKDAY_KINDS = (ScheduleKind.WEEKLY, ScheduleKind.FORTNIGHTLY, ScheduleKind.MONTHLY_NTH)
_CHUNK = 500  # ids per IN (…) list: well under SQLite's and PostgreSQL's parameter limits
ONCE_KEY_MAX = 80  # Notification.once_key


@dataclass(frozen=True)
class DueReminder:
    """One reminder whose moment has come: for this member, for this meeting, with this offset."""

    user_id: int
    membership_id: int
    circle_id: int
    circle_code: str
    which: str  # Reminder.DAY_BEFORE or Reminder.TWO_HOURS
    key: datetime  # the meeting's identity (the generated start)
    start: datetime  # when it starts (after a move)
    once_key: str

    @property
    def url(self) -> str:
        """The meeting page (named by the meeting's key, not its start), behind login and the gate."""
        return reverse("meetings:detail", args=[self.circle_code, key_slug(self.key)])


def _meeting_part(circle_id: int, occ: Occurrence) -> str:
    return f"meeting:{circle_id}:{key_slug(occ.key)}:{key_slug(occ.start)}:"


def _once_key(meeting_part: str, membership_id: int, which: str) -> str:
    return f"{meeting_part}{membership_id}:{which}"


def once_key(*, circle_id: int, occ: Occurrence, membership_id: int, which: str) -> str:
    """At most 70 characters with ten-digit ids (`Notification.once_key` holds 80)."""
    return _once_key(_meeting_part(circle_id, occ), membership_id, which)


def _local_dates(now: datetime) -> list[date]:
    """Every date some group's clock shows during the window [now, now + LOOKAHEAD)."""
    first, last = (now - _WEST).date(), (now + LOOKAHEAD + _EAST).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _candidates(now: datetime) -> list[Circle]:
    """Groups that may meet in the window, chosen in SQL: a schedule that has begun and not ended, on
    a weekday (or day of the month) the window touches somewhere, or a meeting moved into the window."""
    end = now + LOOKAHEAD
    days = _local_dates(now)
    monthdays = {d.day for d in days}
    if any((d + timedelta(days=1)).day == 1 for d in days):
        monthdays |= {29, 30, 31}  # "the 31st" is the last day of a shorter month
    on_a_day = (
        Q(schedule_kind__in=_WEEKDAY_KINDS, schedule_weekday__in={d.weekday() for d in days})
        | Q(schedule_kind=ScheduleKind.MONTHLY_DAY, schedule_monthday__in=monthdays)
        | Q(schedule_kind=ScheduleKind.RRULE)
    )
    in_dates = Q(schedule_start_date__lte=days[-1]) & (
        Q(schedule_end_date__isnull=True) | Q(schedule_end_date__gte=days[0])
    )
    moved_in = Meeting.objects.filter(new_start__gte=now, new_start__lt=end).values("circle_id")
    return list(
        Circle.objects.filter(status__in=[CircleStatus.FORMING, CircleStatus.ACTIVE])
        .exclude(schedule_kind="")
        .filter((on_a_day & in_dates) | Q(pk__in=moved_in))
        .only(
            "code",
            "timezone",
            "schedule_kind",
            "schedule_start_date",
            "schedule_start_time",
            "schedule_duration",
            "schedule_weekday",
            "schedule_nth",
            "schedule_monthday",
            "schedule_rrule",
            "schedule_end_date",
        )
    )


def _changes(now: datetime) -> dict[int, list[tuple[Change, datetime | None]]]:
    """The stored changes that can matter in the window, for every group at once: meetings whose key
    lies around it (cancelled or changed) or moved into it, with when they were changed."""
    end = now + LOOKAHEAD
    rows = Meeting.objects.filter(
        Q(key__gte=now - timedelta(days=1), key__lt=end + timedelta(days=1))
        | Q(new_start__gte=now, new_start__lt=end)
    ).filter(
        Q(cancelled=True)
        | Q(new_start__isnull=False)
        | Q(new_duration__isnull=False)
        | Q(changed_at__isnull=False)  # changed and then restored, or only its place changed
    )
    by_circle: dict[int, list[tuple[Change, datetime | None]]] = defaultdict(list)
    for row in rows.only("circle_id", "key", "cancelled", "new_start", "new_duration", "changed_at"):
        change = Change(
            key=row.key,
            cancelled=row.cancelled,
            new_start=row.new_start,
            new_duration_minutes=row.new_duration,
        )
        by_circle[row.circle_id].append((change, row.changed_at))
    return by_circle


def _chunks[T](items: list[T]) -> Iterator[list[T]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _members(circle_ids: list[int]) -> dict[int, list[tuple[int, int, str]]]:
    """(membership, person, reminder choice) of the members of these groups, by group."""
    by_circle: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for ids in _chunks(circle_ids):
        rows = Membership.objects.filter(
            circle_id__in=ids, status=MembershipStatus.MEMBER, user__is_active=True
        ).values_list("pk", "circle_id", "user_id", "meeting_preference__reminder")
        for pk, circle_id, user_id, choice in rows:
            by_circle[circle_id].append((pk, user_id, choice or Reminder.DAY_BEFORE))
    return by_circle


def reminders_due(*, now: datetime) -> list[DueReminder]:
    """Every reminder whose moment has come at `now` and whose meeting has not started, sent or not
    (the unique key decides that: `reminders_send`). Reads only."""
    changes = _changes(now)
    meetings: dict[int, list[tuple[Occurrence, datetime | None]]] = {}
    codes: dict[int, str] = {}
    for circle in _candidates(now):
        rhythm = circle.rhythm
        if rhythm is None:
            continue
        stored = changes.get(circle.pk, [])
        try:
            found = occurrences(rhythm, now, now + LOOKAHEAD, tuple(c for c, _at in stored))
        except (ScheduleError, ValueError):
            # One group's unreadable rhythm must not stop everyone's reminders (nothing about it logged).
            logger.warning("meeting reminders: group %s has a rhythm that cannot be expanded", circle.pk)
            continue
        changed_at = {c.key: at for c, at in stored}
        ahead = [(o, changed_at.get(o.key)) for o in found if not o.cancelled]
        if ahead:
            meetings[circle.pk] = ahead
            codes[circle.pk] = circle.code
    due: list[DueReminder] = []
    members = _members(sorted(meetings))
    for circle_id, ahead in meetings.items():
        for occ, changed in ahead:
            part = _meeting_part(circle_id, occ)  # once per meeting, not per member
            for membership_id, user_id, which in members.get(circle_id, []):
                offset = OFFSETS.get(which)
                if offset is None:
                    continue  # "no reminder"
                moment = occ.start - offset
                if not moment <= now < occ.start:
                    continue
                if changed is not None and moment <= changed:
                    continue  # the change notice went out when this reminder was already due
                due.append(
                    DueReminder(
                        user_id=user_id,
                        membership_id=membership_id,
                        circle_id=circle_id,
                        circle_code=codes[circle_id],
                        which=which,
                        key=occ.key,
                        start=occ.start,
                        once_key=_once_key(part, membership_id, which),
                    )
                )
    return due


def _already_sent(due: Iterable[DueReminder]) -> set[tuple[int, str]]:
    """The (person, once_key) pairs among `due` that exist already. People and keys are both listed so
    the lookup uses the unique index on (user, once_key), whatever the size of the table."""
    pairs = sorted({(d.user_id, d.once_key) for d in due})
    sent: set[tuple[int, str]] = set()
    for chunk in _chunks(pairs):
        rows = (
            Notification.objects.filter(
                user_id__in={user for user, _key in chunk}, once_key__in={key for _user, key in chunk}
            )
            .order_by()
            .values_list("user_id", "once_key")
        )
        sent |= set(rows)
    return sent & set(pairs)


def reminders_send(*, now: datetime) -> int:
    """The periodic job: send every due reminder not sent yet, each in its own transaction (its email
    is queued when that commits). Returns how many this run created; a concurrent run creating the
    same one loses on the unique key and does not count it."""
    due = reminders_due(now=now)
    sent = _already_sent(due)
    created = 0
    for reminder in due:
        if (reminder.user_id, reminder.once_key) in sent:
            continue
        with transaction.atomic():
            notification = notify(
                reminder.user_id,
                Kind.MEETING_REMINDER,
                url=reminder.url,
                due_at=reminder.start,
                once_key=reminder.once_key,
            )
        created += notification is not None
    return created
