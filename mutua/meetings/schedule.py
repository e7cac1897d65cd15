"""A group's meeting rhythm and its occurrences: pure Python (stdlib `datetime` and `zoneinfo` only).

No Django here (CONVENTIONS: pure cores). Occurrences are expanded on demand for a window; nothing is
stored but the rhythm and the exceptions (a cancelled or moved occurrence).

Daylight-saving rule (RFC 5545 §3.3.5, and what `dateutil`/`zoneinfo` do with fold=0):
- a wall time that does not exist on a spring-forward day (02:30 in Madrid on the last Sunday of March)
  is read with the offset in force before the gap, so the meeting starts one gap later on the clock
  (03:30 local);
- a wall time that happens twice on a fall-back day (01:30 in New York on the first Sunday of
  November) is the first of the two (fold=0, still summer time).

An occurrence is identified by its *key*: the UTC start the rhythm generates for it, before any move
(the RECURRENCE-ID of an iCalendar feed). Exceptions name that key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum


class Kind(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY_NTH = "monthly_nth"  # the n-th weekday of the month: "second Tuesday", "last Friday"
    MONTHLY_DAY = "monthly_day"  # a day of the month; 31 → the last day of shorter months
    RRULE = "rrule"  # a custom RFC 5545 RRULE (the subset `parse_rrule` accepts)


@dataclass(frozen=True)
class Rhythm:
    kind: Kind
    start_date: date  # the first day an occurrence may fall on (local, in `tz`)
    start_time: time  # local wall-clock start
    duration_minutes: int
    tz: str  # IANA zone of the group, e.g. "Europe/Madrid"
    weekday: int | None = None  # 0 = Monday … 6 = Sunday (weekly, fortnightly, monthly_nth)
    nth: int | None = None  # 1–4, or -1 for the last (monthly_nth)
    monthday: int | None = None  # 1–31 (monthly_day)
    rrule: str = ""  # e.g. "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU,TH" (kind rrule only; no DTSTART)
    end_date: date | None = None  # the last day an occurrence may fall on (local, inclusive)


@dataclass(frozen=True)
class Change:
    """An exception to the rhythm for one occurrence, named by its key (UTC, aware)."""

    key: datetime
    cancelled: bool = False
    new_start: datetime | None = None  # aware; a moved occurrence
    new_duration_minutes: int | None = None


@dataclass(frozen=True)
class Occurrence:
    key: datetime  # the generated start, UTC, aware: the occurrence's identity
    start: datetime  # UTC, aware (after a move)
    end: datetime  # UTC, aware
    cancelled: bool = False
    moved: bool = False


class ScheduleError(ValueError):
    """A rhythm that cannot be expanded; `code` says why (for a translated message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def validate(rhythm: Rhythm) -> None:
    """Raise ScheduleError(code) when the rhythm is incomplete or impossible."""
    raise NotImplementedError


def occurrences(
    rhythm: Rhythm, window_start: datetime, window_end: datetime, changes: tuple[Change, ...] = ()
) -> list[Occurrence]:
    """Every occurrence whose (possibly moved) start lies in [window_start, window_end), sorted by start.

    Cancelled occurrences are included with `cancelled=True` (pages show them struck through); a
    change whose key the rhythm does not generate is ignored."""
    raise NotImplementedError


def next_occurrence(
    rhythm: Rhythm, after: datetime, changes: tuple[Change, ...] = (), *, include_cancelled: bool = False
) -> Occurrence | None:
    """The first occurrence still running at `after` (end > after), skipping cancelled ones unless asked."""
    raise NotImplementedError


def weekly(weekday: int, hour: int, tz: str, start_date: date, duration_minutes: int = 90) -> Rhythm:
    """The weekly rhythm of a matching slot (a weekday and an hour in the group's zone)."""
    return Rhythm(
        kind=Kind.WEEKLY,
        start_date=start_date,
        start_time=time(hour, 0),
        duration_minutes=duration_minutes,
        tz=tz,
        weekday=weekday,
    )


def to_rrule(rhythm: Rhythm) -> str:
    """The RFC 5545 RRULE body equivalent to the rhythm (for calendar feeds and the hypothesis test)."""
    raise NotImplementedError


def parse_rrule(text: str) -> dict[str, object]:
    """Parse and check the RRULE subset Mutua expands; raise ScheduleError on anything else."""
    raise NotImplementedError


_ = timedelta  # used by the implementation
