"""iCalendar (RFC 5545) text of a person's meetings, built with the `icalendar` library.

Pure apart from `icalendar`: it takes each group's rhythm, its changes and the words to show, and
returns bytes. Who may see what (members only, consent current, the person's own feed) is decided
before, in `calendar_selectors`; nothing here reads the database.

One group is one recurring event:
- a master VEVENT with DTSTART;TZID=<the group's zone> (the first occurrence, as the schedule module
  says: `first_local_start`), DURATION, and the RRULE of `schedule.to_rrule`;
- EXDATE for each cancelled occurrence;
- one VEVENT with RECURRENCE-ID (the occurrence's key) and its exact DTSTART and DTEND for each moved
  occurrence, and for each one on a night when the clocks change (readers disagree on those);
- a VTIMEZONE for each zone used.

What a calendar shows lives in third-party services (P7, decision 0018): the title is neutral unless
the person chose the group's name, and there is no address, room link, pseudonym or note; only a link
to the meeting page, which is behind login and names no group.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur

from mutua.meetings.schedule import Change, Occurrence, Rhythm, first_local_start, occurrences, to_rrule

PRODID = "-//Mutua//Meetings calendar//EN"
# How often a subscribed calendar should look again (a hint; Google and others choose for themselves).
REFRESH = timedelta(hours=6)
# A VTIMEZONE lists each zone's transitions from a year before the first meeting to this many years
# ahead; readers that know the zone by its name (most do) use their own tables anyway.
ZONE_YEARS_AHEAD = 20
# Occurrences on nights when the clocks change are written out with their exact times up to this many
# years ahead (see `exceptions`); the feed is read again long before, so the horizon moves with it.
EXPLICIT_YEARS = 3


@dataclass(frozen=True)
class FeedGroup:
    """One group as it appears in a person's calendar."""

    uid: str  # stable and opaque: never the group's code (see `calendar_selectors.feed_uid`)
    rhythm: Rhythm
    changes: tuple[Change, ...]
    summary: str
    description: str
    # The link for the whole series (key None) or for one occurrence (its key).
    url_for: Callable[[datetime | None], str]


def _zone(rhythm: Rhythm) -> ZoneInfo:
    return ZoneInfo(rhythm.tz)


def _nominal(rhythm: Rhythm, key: datetime) -> Occurrence | None:
    """The occurrence the rhythm generates at `key`, ignoring changes; None for a key it does not
    generate (such a change is ignored, as the schedule module ignores it)."""
    around = occurrences(rhythm, key - timedelta(minutes=1), key + timedelta(minutes=1))
    return next((o for o in around if o.key == key), None)


def _changed(rhythm: Rhythm, change: Change) -> Occurrence | None:
    """The occurrence `change` names, with the change applied by the schedule module (the one rule)."""
    moved_to = change.new_start or change.key
    lo = min(change.key, moved_to) - timedelta(days=1)
    hi = max(change.key, moved_to) + timedelta(days=1)
    return next((o for o in occurrences(rhythm, lo, hi, (change,)) if o.key == change.key), None)


def _wall(rhythm: Rhythm, key: datetime) -> datetime:
    """An occurrence's key as the RRULE generates it from DTSTART: the nominal wall time on its local
    day, in the group's zone. On a spring-forward night that wall time does not exist; readers take it
    as the instant `key` (RFC 5545 §3.3.5, the schedule module's rule), and so does this comparison."""
    zone = _zone(rhythm)
    nominal = datetime.combine(key.astimezone(zone).date(), rhythm.start_time, tzinfo=zone)
    return nominal if nominal.astimezone(UTC) == key else key.astimezone(zone)


def _local_or_utc(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` on the group's clock, or in UTC when that wall time happens twice (a fall-back night):
    a TZID time cannot say which of the two it is."""
    local = moment.astimezone(zone)
    if local.replace(fold=1 - local.fold).astimezone(UTC) == moment.astimezone(UTC):
        return local
    return moment.astimezone(UTC)


def _wall_clock_end(rhythm: Rhythm, occ: Occurrence) -> datetime:
    """The end a reader gets by adding the length to the wall time, as Python's aware datetimes do.
    RFC 5545 says a DURATION in hours and minutes is exact, and Mutua's end is exact; the two differ
    only when the clocks change during the meeting or at its start."""
    return (_wall(rhythm, occ.key) + timedelta(minutes=rhythm.duration_minutes)).astimezone(UTC)


def exceptions(
    rhythm: Rhythm, changes: tuple[Change, ...], now: datetime
) -> tuple[list[datetime], list[Occurrence]]:
    """What the RRULE alone does not say, both sorted by key:
    - the keys of cancelled occurrences (EXDATE);
    - the occurrences written out on their own (RECURRENCE-ID): the moved or shortened ones, and, from
      a year ago to `EXPLICIT_YEARS` ahead, those on a night when the clocks change, so that every
      reader finds their exact start and end.
    Changes that name no occurrence of the rhythm, or change nothing, are left out."""
    cancelled: list[datetime] = []
    explicit: dict[datetime, Occurrence] = {}
    for change in changes:
        nominal = _nominal(rhythm, change.key)
        if nominal is None:
            continue
        if change.cancelled:
            cancelled.append(nominal.key)
            continue
        occ = _changed(rhythm, change)
        if occ is not None and (occ.start, occ.end) != (nominal.start, nominal.end):
            explicit[occ.key] = occ
    horizon = occurrences(rhythm, now - timedelta(days=366), now + timedelta(days=366 * EXPLICIT_YEARS))
    for occ in horizon:
        if occ.key not in explicit and occ.key not in cancelled and _wall_clock_end(rhythm, occ) != occ.end:
            explicit[occ.key] = occ
    return sorted(cancelled), [explicit[key] for key in sorted(explicit)]


def _event(group: FeedGroup, *, uid: str, stamp: datetime, url: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", group.summary)
    event.add("description", f"{group.description}\n{url}")
    event.add("url", url)
    # Calendars shared with others show a private event as "busy" only.
    event.add("class", "PRIVATE")
    event.add("transp", "OPAQUE")
    return event


def _series(group: FeedGroup, stamp: datetime) -> list[Event]:
    rhythm = group.rhythm
    first = first_local_start(rhythm)
    if first is None:
        return []
    zone = _zone(rhythm)
    master = _event(group, uid=group.uid, stamp=stamp, url=group.url_for(None))
    master.add("dtstart", first)
    master.add("duration", timedelta(minutes=rhythm.duration_minutes))
    master.add("rrule", vRecur.from_ical(to_rrule(rhythm)))
    cancelled, explicit = exceptions(rhythm, group.changes, stamp)
    if cancelled:
        master.add("exdate", [_wall(rhythm, key) for key in cancelled])
    events = [master]
    for occ in explicit:
        override = _event(group, uid=group.uid, stamp=stamp, url=group.url_for(occ.key))
        override.add("recurrence-id", _wall(rhythm, occ.key))
        override.add("dtstart", _local_or_utc(occ.start, zone))
        override.add("dtend", _local_or_utc(occ.end, zone))
        events.append(override)
    return events


def _calendar(name: str, events: Sequence[Event], now: datetime, *, subscribed: bool) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.calendar_name = name
    if subscribed:
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", REFRESH)
    for event in events:
        cal.add_component(event)
    # A VTIMEZONE for each zone the events use, inserted before them (RFC 5545 §3.6.5).
    starts = [event.DTSTART.date() for event in events]
    first = date(min([*starts, now.date()]).year - 1, 1, 1)
    cal.add_missing_timezones(first_date=first, last_date=date(now.year + ZONE_YEARS_AHEAD, 1, 1))
    return bytes(cal.to_ical())


def build_feed(groups: Sequence[FeedGroup], *, name: str, now: datetime | None = None) -> bytes:
    """The person's whole feed: every group given, as one recurring event each."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    events = [event for group in groups for event in _series(group, stamp)]
    return _calendar(name, events, stamp, subscribed=True)


def build_single(
    group: FeedGroup, occ: Occurrence, *, uid: str, name: str, now: datetime | None = None
) -> bytes:
    """One meeting as a file to import: a single event at its actual (possibly moved) time, in the
    group's zone. Its UID is its own (`uid`), not the series', so importing it never touches a
    subscribed feed's events."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    zone = _zone(group.rhythm)
    event = _event(group, uid=uid, stamp=stamp, url=group.url_for(occ.key))
    event.add("dtstart", _local_or_utc(occ.start, zone))
    event.add("dtend", _local_or_utc(occ.end, zone))
    event.add("status", "CANCELLED" if occ.cancelled else "CONFIRMED")
    return _calendar(name, [event], stamp, subscribed=False)
