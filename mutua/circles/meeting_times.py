"""When groups meet, for the directory's day and time filters (decision 0019). Pure: no ORM.

A group's *slots* are the minutes of the week its meetings start at, on the group's own clock
(0 = Monday 00:00 in the group's zone). Stored that way (`CircleSlot`), they never go stale when
daylight saving starts or ends. A search turns the viewer's chosen days and time of day into ranges of
those minutes, zone by zone, with the offsets in force at the moment of the search. So the answer is
exact for this week's meetings, including the weeks when the US and Europe are out of step.

Days and bands are read on the viewer's clock at the start of a meeting: a meeting starting on
Wednesday at 01:00 is a Wednesday-night meeting.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy

from mutua.meetings.schedule import Kind, Rhythm, next_occurrence, occurrences

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
# Rules without a fixed weekday (a day of the month, a custom rule) give the weekdays and times they
# produce over this stretch ahead (refreshed daily: `circles.tasks.directory_slots_refresh`).
DERIVED_WINDOW = timedelta(weeks=8)


class TimeOfDay(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    NIGHT = "night"


# The one definition of the bands, as [start, end) minutes of the day on the viewer's clock.
BANDS: dict[TimeOfDay, tuple[tuple[int, int], ...]] = {
    TimeOfDay.MORNING: ((6 * 60, 12 * 60),),
    TimeOfDay.AFTERNOON: ((12 * 60, 18 * 60),),
    TimeOfDay.EVENING: ((18 * 60, 22 * 60),),
    TimeOfDay.NIGHT: ((22 * 60, 24 * 60), (0, 6 * 60)),
}

_NAMES = {
    TimeOfDay.MORNING: pgettext_lazy("time of day", "Morning"),
    TimeOfDay.AFTERNOON: pgettext_lazy("time of day", "Afternoon"),
    TimeOfDay.EVENING: pgettext_lazy("time of day", "Evening"),
    TimeOfDay.NIGHT: pgettext_lazy("time of day", "Night"),
}
# Mid-sentence, in a list of chosen filters ("Tuesday, evening").
_SHORT = {
    TimeOfDay.MORNING: pgettext_lazy("time of day, in a list", "morning"),
    TimeOfDay.AFTERNOON: pgettext_lazy("time of day, in a list", "afternoon"),
    TimeOfDay.EVENING: pgettext_lazy("time of day, in a list", "evening"),
    TimeOfDay.NIGHT: pgettext_lazy("time of day, in a list", "night"),
}


def _clock(minute: int) -> str:
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"


def _label(band: TimeOfDay) -> str:
    first, last = BANDS[band][0], BANDS[band][-1]
    return gettext("%(band)s, %(start)s–%(end)s") % {
        "band": _NAMES[band],
        "start": _clock(first[0]),
        "end": _clock(last[1]),
    }


def band_choices() -> list[tuple[str, str]]:
    """(value, label) for forms: "Evening, 18:00–22:00", the hours taken from `BANDS`."""
    return [(band.value, lazy(_label, str)(band)) for band in TimeOfDay]


def band_short(band: str) -> str:
    return str(_SHORT[TimeOfDay(band)])


def band_of(moment: time) -> TimeOfDay:
    minute = moment.hour * 60 + moment.minute
    return next(band for band, spans in BANDS.items() if any(lo <= minute < hi for lo, hi in spans))


def minute_of_week(local: datetime) -> int:
    return local.weekday() * MINUTES_PER_DAY + local.hour * 60 + local.minute


def rhythm_slots(rhythm: Rhythm, now: datetime) -> set[int]:
    """The minutes of the week (group's clock) the rhythm's meetings start at; empty once it has ended.

    A weekday rhythm (weekly, fortnightly, the n-th weekday of the month) has one, whatever the date.
    A day of the month or a custom rule gives those of its meetings over the next `DERIVED_WINDOW`
    (from its first day, when that is later), or of its next meeting when none falls there."""
    if next_occurrence(rhythm, now) is None:
        return set()
    if rhythm.kind != Kind.RRULE and rhythm.weekday is not None:
        return {rhythm.weekday * MINUTES_PER_DAY + rhythm.start_time.hour * 60 + rhythm.start_time.minute}
    zone = ZoneInfo(rhythm.tz)
    first = datetime.combine(rhythm.start_date, time(0), tzinfo=zone).astimezone(UTC)
    start = max(now, first)
    found = occurrences(rhythm, start, start + DERIVED_WINDOW)
    if not found:
        upcoming = next_occurrence(rhythm, now)
        found = [upcoming] if upcoming is not None else []
    return {minute_of_week(o.key.astimezone(zone)) for o in found}


def offset_minutes(tz: str, at: datetime) -> int:
    offset = at.astimezone(ZoneInfo(tz)).utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)


def viewer_spans(weekdays: Iterable[int], band: str) -> list[tuple[int, int]]:
    """The chosen days and band as [start, end) minutes of the week on the viewer's clock. No day
    chosen means every day; no band, the whole day."""
    days = sorted(set(weekdays)) or list(range(7))
    spans = BANDS[TimeOfDay(band)] if band else ((0, MINUTES_PER_DAY),)
    return [(d * MINUTES_PER_DAY + lo, d * MINUTES_PER_DAY + hi) for d in days for lo, hi in spans]


def shifted(spans: list[tuple[int, int]], delta: int) -> list[tuple[int, int]]:
    """Spans moved by `delta` minutes around the week (split where they cross Sunday midnight), merged."""
    out: list[tuple[int, int]] = []
    for lo, hi in spans:
        a, b = (lo + delta) % MINUTES_PER_WEEK, (hi + delta) % MINUTES_PER_WEEK or MINUTES_PER_WEEK
        out += [(a, b)] if a < b else [(a, MINUTES_PER_WEEK), (0, b)]
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(out):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def zone_ranges(
    zones: Iterable[str], weekdays: Iterable[int], band: str, *, viewer_tz: str, at: datetime
) -> list[tuple[list[str], list[tuple[int, int]]]]:
    """For the group zones in use: which of their local minutes of the week fall on the viewer's chosen
    days and band, with the offsets in force at `at`. Zones with the same offset share one entry, so
    the query has one clause per offset, not per zone."""
    spans = viewer_spans(weekdays, band)
    viewer = offset_minutes(viewer_tz, at)
    by_delta: dict[int, list[str]] = {}
    for zone in sorted(set(zones)):
        try:
            delta = offset_minutes(zone, at) - viewer
        except (KeyError, ValueError):  # a zone the system no longer knows: never matches
            continue
        by_delta.setdefault(delta, []).append(zone)
    return [(names, shifted(spans, delta)) for delta, names in sorted(by_delta.items())]
