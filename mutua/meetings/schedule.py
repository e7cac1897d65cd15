"""A group's meeting rhythm and its occurrences: pure Python (stdlib `datetime` and `zoneinfo` only).

No Django here (CONVENTIONS: pure cores). Occurrences are expanded on demand for a window; nothing is
stored but the rhythm and the exceptions (a cancelled or moved occurrence).

Daylight-saving rule (RFC 5545 §3.3.5, and what `dateutil`/`zoneinfo` do with fold=0):
- a wall time that does not exist on a spring-forward day (02:30 in Madrid on the last Sunday of March)
  is read with the offset in force before the gap, so the meeting starts one gap later on the clock
  (03:30 local);
- a wall time that happens twice on a fall-back day (01:30 in New York on the first Sunday of
  November) is the first of the two (fold=0, still summer time).
Every other day the meeting starts at `start_time` on the local clock, so its UTC start moves by the
offset change across a transition.

An occurrence is identified by its *key*: the UTC start the rhythm generates for it, before any move
(the RECURRENCE-ID of an iCalendar feed). Exceptions name that key.

Custom rules (kind `rrule`) follow RFC 5545 with DTSTART = `start_date` + `start_time` in `tz`, with
python-dateutil's convention for DTSTART: it is an occurrence only if the rule generates it (RFC 5545
always counts DTSTART as the first instance; `first_local_start` gives a DTSTART for which both agree).
COUNT counts the occurrences from DTSTART on. An UNTIL written as a date means "up to and including that
local day". The accepted subset is described in `parse_rrule`.

Work is bounded: simple kinds jump straight to the window; custom rules iterate their periods (a day,
week, month or year) from the window's, or from DTSTART when they have a COUNT (those are expanded once
and cached, at most `COUNT_HORIZON_YEARS` ahead); `next_occurrence` looks ahead a bounded time.
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 480
MAX_INTERVAL = 52  # INTERVAL of a custom rule: 1..52
MAX_COUNT = 1000  # COUNT of a custom rule: 1..1000
MAX_RRULE_LENGTH = 300
SIMPLE_LOOKAHEAD = timedelta(days=400)  # next_occurrence looks this far ahead for the simple kinds
RRULE_LOOKAHEAD_YEARS = 10  # ... and this far for custom rules (validate: a rule must meet within it)
COUNT_HORIZON_YEARS = 100  # a counted rule's occurrences later than this after DTSTART are dropped

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
# RFC 5545 (and RFC 7529) rule parts refused: the time comes from start_time, the rest is out of scope.
# BYSETPOS (with DAILY or WEEKLY), BYDAY (days with and without an ordinal mixed) and FREQ (SECONDLY,
# MINUTELY, HOURLY) are refused in some uses only.
UNSUPPORTED_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND", "BYWEEKNO", "BYYEARDAY", "RSCALE", "SKIP")
_PARTIAL_PARTS = ("FREQ", "BYDAY", "BYSETPOS")
_KNOWN_PARTS = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS"}
)

# Every code a ScheduleError may carry (the caller has a message for each, in every language).
ERROR_CODES: tuple[str, ...] = (
    "kind_invalid",
    "duration_invalid",
    "timezone_unknown",
    "end_before_start",
    "weekday_required",
    "weekday_invalid",
    "nth_invalid",
    "monthday_invalid",
    "rrule_required",
    "rrule_invalid",
    "rrule_interval_invalid",
    "rrule_count_invalid",
    *(f"rrule_unsupported:{part}" for part in _PARTIAL_PARTS + UNSUPPORTED_PARTS),
    "no_occurrences",
)


class Kind(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"  # every other week from the first `weekday` on or after start_date
    MONTHLY_NTH = "monthly_nth"  # the n-th weekday of the month: "second Tuesday", "last Friday"
    MONTHLY_DAY = "monthly_day"  # a day of the month; 31 → the last day of shorter months
    RRULE = "rrule"  # a custom RFC 5545 RRULE (the subset `parse_rrule` accepts)


@dataclass(frozen=True)
class Rhythm:
    kind: Kind
    start_date: date  # the first day an occurrence may fall on (local, in `tz`)
    start_time: time  # local wall-clock start (whole minutes: seconds, tzinfo and fold are ignored)
    duration_minutes: int
    tz: str  # IANA zone of the group, e.g. "Europe/Madrid"
    weekday: int | None = None  # 0 = Monday … 6 = Sunday (weekly, fortnightly, monthly_nth)
    nth: int | None = None  # 1–4, or -1 for the last (monthly_nth)
    monthday: int | None = None  # 1–31 (monthly_day)
    rrule: str = ""  # e.g. "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU,TH" (kind rrule only; no DTSTART)
    end_date: date | None = None  # the last day an occurrence may fall on (local, inclusive)


@dataclass(frozen=True)
class Change:
    """An exception to the rhythm for one occurrence, named by its key (UTC, aware).

    With several changes for one key, the last one counts. A change may both move and cancel."""

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
    """A rhythm that cannot be expanded; `code` (one of ERROR_CODES) says why (for a translated message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --------------------------------------------------------------------------- public API


def validate(rhythm: Rhythm) -> None:
    """Raise ScheduleError(code) when the rhythm is incomplete or impossible.

    Besides the fields, a rhythm must produce at least one occurrence (within RRULE_LOOKAHEAD_YEARS of
    start_date for a custom rule): "no_occurrences" otherwise. Fields a kind does not use are ignored."""
    spec = _check(rhythm)
    if _first_date(spec) is None:
        raise ScheduleError("no_occurrences")


def occurrences(
    rhythm: Rhythm, window_start: datetime, window_end: datetime, changes: tuple[Change, ...] = ()
) -> list[Occurrence]:
    """Every occurrence whose (possibly moved) start lies in [window_start, window_end), sorted by start.

    Cancelled occurrences are included with `cancelled=True` (pages show them struck through); a moved
    one appears at its new start only, whatever the window of its key; a change whose key the rhythm
    does not generate is ignored. Raises ScheduleError for a rhythm `validate` refuses for its fields
    (not for having no occurrences: that is an empty list), ValueError for naive datetimes."""
    spec = _check(rhythm)
    ws, we = _aware(window_start), _aware(window_end)
    table = _table(changes)
    if ws >= we:
        return []
    found: list[Occurrence] = []
    seen: set[datetime] = set()
    for day in _dates(spec, _local_day(spec, ws) - _MARGIN, _local_day(spec, we) + _MARGIN):
        key = _utc(spec, day)
        if ws <= key < we:
            seen.add(key)
            occurrence = _apply(spec, key, table.get(key))
            if ws <= occurrence.start < we:
                found.append(occurrence)
    for key, change in table.items():
        if key in seen or change.new_start is None or (ws <= key < we):
            continue  # already placed, not moved, or not generated (its key is in the window)
        if ws <= _aware(change.new_start) < we and _generates(spec, key):
            found.append(_apply(spec, key, change))
    found.sort(key=lambda o: (o.start, o.key))
    return found


def next_occurrence(
    rhythm: Rhythm, after: datetime, changes: tuple[Change, ...] = (), *, include_cancelled: bool = False
) -> Occurrence | None:
    """The first occurrence still running at `after` (end > after), skipping cancelled ones unless asked.

    "First" is by start. The rhythm is searched SIMPLE_LOOKAHEAD (custom rules: RRULE_LOOKAHEAD_YEARS)
    ahead of `after` (or of start_date, when later); moved occurrences are always found. None when the
    rhythm has ended (or meets no more within the look-ahead)."""
    spec = _check(rhythm)
    moment = _aware(after)
    table = _table(changes)
    longest = max(
        [spec.duration]
        + [timedelta(minutes=c.new_duration_minutes) for c in table.values() if c.new_duration_minutes]
    )
    scan_lo = max(moment - longest, _utc(spec, rhythm.start_date - _MARGIN))
    scan_hi = min(scan_lo + _lookahead(spec), _HIGH)
    last = _last_date(spec)
    if last is not None:
        scan_hi = min(scan_hi, _utc(spec, last + _MARGIN))

    def wanted(o: Occurrence) -> bool:
        return o.end > moment and (include_cancelled or not o.cancelled)

    best: Occurrence | None = None
    lo, step = scan_lo, timedelta(days=35)
    while lo < scan_hi:
        hi = min(lo + step, scan_hi)
        hits = [o for o in occurrences(rhythm, lo, hi, changes) if wanted(o)]
        if hits:
            best = hits[0]
            break
        lo, step = hi, min(step * 2, timedelta(days=366))
    # Moved occurrences outside the scanned stretch (moved far, or before start_date).
    for key, change in table.items():
        if change.new_start is None:
            continue
        start = _aware(change.new_start)
        if scan_lo <= start < scan_hi:
            continue
        moved = _apply(spec, key, change)
        earlier = best is None or (moved.start, moved.key) < (best.start, best.key)
        if wanted(moved) and earlier and _generates(spec, key):
            best = moved
    return best


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


def first_local_start(rhythm: Rhythm) -> datetime | None:
    """The first generated occurrence as a local wall time (aware, tzinfo = the group's zone, fold=0).

    Use it as a feed's DTSTART (with TZID=tz) for `to_rrule`: it is itself an occurrence, so RFC 5545
    readers (which always count DTSTART) and dateutil agree. Its wall fields are the nominal start_time
    even on a spring-forward day. None when the rhythm has no occurrence."""
    spec = _check(rhythm)
    day = _first_date(spec)
    return None if day is None else datetime.combine(day, spec.at, tzinfo=spec.zone)


def to_rrule(rhythm: Rhythm) -> str:
    """The RFC 5545 RRULE body equivalent to the rhythm (for calendar feeds and the hypothesis test).

    Exact with DTSTART = start_date + start_time in `tz` (dateutil's convention) and with DTSTART =
    `first_local_start` (any RFC 5545 reader). An end date becomes UNTIL = the UTC start a meeting on
    that day would have (UNTIL must be UTC when DTSTART has a TZID). Fortnightly is WEEKLY;INTERVAL=2
    with WKST the day after the weekday, so the first week counted is the one of the first occurrence.
    Day 31 of the month is BYMONTHDAY=-1; days 29 and 30 are BYMONTHDAY=28,…,d;BYSETPOS=-1.
    A custom rule comes back normalised: its defaults taken from DTSTART are written out, and its
    UNTIL or COUNT merged with the end date."""
    spec = _check(rhythm)
    parts: list[str]
    match rhythm.kind:
        case Kind.WEEKLY:
            parts = ["FREQ=WEEKLY", f"BYDAY={_wd(rhythm.weekday)}"]
        case Kind.FORTNIGHTLY:
            wd = _int(rhythm.weekday)
            parts = ["FREQ=WEEKLY", "INTERVAL=2", f"BYDAY={WEEKDAY_CODES[wd]}"]
            parts.append(f"WKST={WEEKDAY_CODES[(wd + 1) % 7]}")
        case Kind.MONTHLY_NTH:
            parts = ["FREQ=MONTHLY", f"BYDAY={_int(rhythm.nth)}{_wd(rhythm.weekday)}"]
        case Kind.MONTHLY_DAY:
            day = _int(rhythm.monthday)
            if day <= 28:
                parts = ["FREQ=MONTHLY", f"BYMONTHDAY={day}"]
            elif day == 31:
                parts = ["FREQ=MONTHLY", "BYMONTHDAY=-1"]
            else:
                days = ",".join(str(d) for d in range(28, day + 1))
                parts = ["FREQ=MONTHLY", f"BYMONTHDAY={days}", "BYSETPOS=-1"]
        case _:
            assert spec.rule is not None
            return _format_rule(spec, spec.rule)
    if rhythm.end_date is not None:
        parts.append(f"UNTIL={_stamp(_utc(spec, rhythm.end_date))}")
    return ";".join(parts)


def parse_rrule(text: str) -> dict[str, object]:
    """Parse and check the RRULE subset Mutua expands; raise ScheduleError on anything else.

    Accepted (case-insensitive, an optional "RRULE:" prefix and a trailing ";" tolerated):
    FREQ=DAILY|WEEKLY|MONTHLY|YEARLY (required); INTERVAL=1..52; COUNT=1..1000 or UNTIL=a date
    (YYYYMMDD, the last local day) or a UTC date-time (YYYYMMDDTHHMMSSZ), not both; WKST;
    BYMONTH=1..12; BYMONTHDAY=±1..31 (not with WEEKLY); BYDAY=MO,TU,… and, for MONTHLY and YEARLY,
    with ordinals (2TU, -1FR; ±1..5 monthly, ±1..53 yearly) but not both kinds in one list;
    BYSETPOS=±1..366 (MONTHLY and YEARLY, with another BY part).
    Refused: BYHOUR, BYMINUTE, BYSECOND (the time is start_time), BYWEEKNO, BYYEARDAY, RSCALE, SKIP
    and HOURLY or finer frequencies ("rrule_unsupported:<PART>"); unknown parts and malformed text
    ("rrule_invalid"); out-of-range INTERVAL and COUNT (their own codes).

    Returns the parts present, normalised: FREQ (str), INTERVAL (int, default 1), WKST (0=Monday,
    default 0), COUNT (int), UNTIL (date, or an aware UTC datetime), BYMONTH and BYMONTHDAY and
    BYSETPOS (tuples of int), BYDAY (tuple of (ordinal, weekday) pairs; ordinal 0 = every)."""
    rule = _parse(text)
    out: dict[str, object] = {"FREQ": rule.freq, "INTERVAL": rule.interval, "WKST": rule.wkst}
    if rule.count is not None:
        out["COUNT"] = rule.count
    if rule.until is not None:
        out["UNTIL"] = rule.until
    for name, value in (
        ("BYMONTH", rule.bymonth),
        ("BYMONTHDAY", rule.bymonthday),
        ("BYDAY", rule.byday),
        ("BYSETPOS", rule.bysetpos),
    ):
        if value:
            out[name] = value
    return out


# --------------------------------------------------------------------------- checking

_MARGIN = timedelta(days=2)  # local dates around a window (covers any offset change, even a lost day)
_LOW = datetime(2, 1, 1, tzinfo=UTC)
_HIGH = datetime(9997, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Rule:
    freq: str
    interval: int = 1
    byday: tuple[tuple[int, int], ...] = ()  # (ordinal, weekday); ordinal 0 = every such weekday
    bymonthday: tuple[int, ...] = ()
    bymonth: tuple[int, ...] = ()
    bysetpos: tuple[int, ...] = ()
    count: int | None = None
    until: date | datetime | None = None  # a date (the last local day) or an aware UTC datetime
    wkst: int = 0


@dataclass(frozen=True)
class _Spec:
    rhythm: Rhythm
    zone: ZoneInfo
    at: time  # start_time in whole minutes, naive, fold=0
    duration: timedelta
    rule: _Rule | None  # kind rrule only


def _int(value: int | None) -> int:
    assert value is not None
    return value


def _wd(weekday: int | None) -> str:
    return WEEKDAY_CODES[_int(weekday)]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@lru_cache(maxsize=512)
def _check(rhythm: Rhythm) -> _Spec:
    """The structural checks of validate (all but "no_occurrences"), and what expansion needs."""
    if rhythm.kind not in tuple(Kind):
        raise ScheduleError("kind_invalid")
    duration = rhythm.duration_minutes
    if not _is_int(duration) or not MIN_DURATION_MINUTES <= duration <= MAX_DURATION_MINUTES:
        raise ScheduleError("duration_invalid")
    zone = _zone(rhythm.tz)
    if rhythm.end_date is not None and rhythm.end_date < rhythm.start_date:
        raise ScheduleError("end_before_start")
    rule = None
    kind = rhythm.kind
    if kind in (Kind.WEEKLY, Kind.FORTNIGHTLY, Kind.MONTHLY_NTH):
        if rhythm.weekday is None:
            raise ScheduleError("weekday_required")
        if not _is_int(rhythm.weekday) or not 0 <= rhythm.weekday <= 6:
            raise ScheduleError("weekday_invalid")
    if kind == Kind.MONTHLY_NTH and (not _is_int(rhythm.nth) or rhythm.nth not in (1, 2, 3, 4, -1)):
        raise ScheduleError("nth_invalid")
    if kind == Kind.MONTHLY_DAY and (not _is_int(rhythm.monthday) or not 1 <= _int(rhythm.monthday) <= 31):
        raise ScheduleError("monthday_invalid")
    if kind == Kind.RRULE:
        if not isinstance(rhythm.rrule, str) or not rhythm.rrule.strip():
            raise ScheduleError("rrule_required")
        rule = _parse(rhythm.rrule)
    at = time(rhythm.start_time.hour, rhythm.start_time.minute)
    return _Spec(rhythm, zone, at, timedelta(minutes=duration), rule)


def _zone(tz: str) -> ZoneInfo:
    if not isinstance(tz, str) or not tz:
        raise ScheduleError("timezone_unknown")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleError("timezone_unknown") from None


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(UTC)


def _table(changes: tuple[Change, ...]) -> dict[datetime, Change]:
    table: dict[datetime, Change] = {}
    for change in changes:
        if change.new_start is not None:
            _aware(change.new_start)
        if change.new_duration_minutes is not None and change.new_duration_minutes <= 0:
            raise ValueError("a change's duration must be positive")
        table[_aware(change.key)] = change
    return table


def _utc(spec: _Spec, day: date) -> datetime:
    """The UTC start of a meeting on a local day: the DST rule of the module docstring (fold=0)."""
    return datetime.combine(day, spec.at, tzinfo=spec.zone).astimezone(UTC)


def _local_day(spec: _Spec, moment: datetime) -> date:
    return min(max(moment, _LOW), _HIGH).astimezone(spec.zone).date()


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _apply(spec: _Spec, key: datetime, change: Change | None) -> Occurrence:
    if change is None:
        return Occurrence(key=key, start=key, end=key + spec.duration)
    start = key if change.new_start is None else _aware(change.new_start)
    duration = spec.duration
    if change.new_duration_minutes is not None:
        duration = timedelta(minutes=change.new_duration_minutes)
    return Occurrence(key, start, start + duration, cancelled=change.cancelled, moved=start != key)


def _generates(spec: _Spec, key: datetime) -> bool:
    day = _local_day(spec, key)
    return any(_utc(spec, d) == key for d in _dates(spec, day - _MARGIN, day + _MARGIN))


# --------------------------------------------------------------------------- local dates


def _dates(spec: _Spec, lo: date, hi: date) -> Iterator[date]:
    """The local days in [lo, hi] the rhythm meets on, increasing (start and end dates applied)."""
    rhythm = spec.rhythm
    lo = max(lo, rhythm.start_date)
    if rhythm.end_date is not None:
        hi = min(hi, rhythm.end_date)
    if lo > hi:
        return
    match rhythm.kind:
        case Kind.WEEKLY | Kind.FORTNIGHTLY:
            step = 7 if rhythm.kind == Kind.WEEKLY else 14
            first = rhythm.start_date + timedelta(
                days=(_int(rhythm.weekday) - rhythm.start_date.weekday()) % 7
            )
            day = first + timedelta(days=step * max(0, -(-(lo - first).days // step)))
            while day <= hi:
                yield day
                day += timedelta(days=step)
        case Kind.MONTHLY_NTH | Kind.MONTHLY_DAY:
            for year, month in _months(lo, hi):
                if rhythm.kind == Kind.MONTHLY_NTH:
                    found = _nth_weekday(year, month, _int(rhythm.weekday), _int(rhythm.nth))
                else:
                    found = date(year, month, min(_int(rhythm.monthday), _month_length(year, month)))
                if found is not None and lo <= found <= hi:
                    yield found
        case _:
            yield from _rule_dates(spec, lo, hi)


def _months(lo: date, hi: date) -> Iterator[tuple[int, int]]:
    for index in range(lo.year * 12 + lo.month - 1, hi.year * 12 + hi.month):
        year, month = divmod(index, 12)
        yield year, month + 1


def _month_length(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    """The nth (1.., or -1.. from the end) `weekday` of the month; None when the month has fewer."""
    length = _month_length(year, month)
    if nth > 0:
        day = 1 + (weekday - date(year, month, 1).weekday()) % 7 + 7 * (nth - 1)
    else:
        day = length - (date(year, month, length).weekday() - weekday) % 7 - 7 * (-nth - 1)
    return date(year, month, day) if 1 <= day <= length else None


def _first_date(spec: _Spec) -> date | None:
    start = spec.rhythm.start_date
    return next(_dates(spec, start, min(start + _lookahead(spec), _HIGH.date())), None)


def _lookahead(spec: _Spec) -> timedelta:
    return SIMPLE_LOOKAHEAD if spec.rule is None else timedelta(days=366 * RRULE_LOOKAHEAD_YEARS)


def _last_date(spec: _Spec) -> date | None:
    """The last local day the rhythm may meet on, when it has an end (None: open-ended)."""
    bounds: list[date] = []
    if spec.rhythm.end_date is not None:
        bounds.append(spec.rhythm.end_date)
    rule = spec.rule
    if rule is not None:
        if isinstance(rule.until, datetime):
            bounds.append(rule.until.astimezone(spec.zone).date() + timedelta(days=1))
        elif rule.until is not None:
            bounds.append(rule.until)
        if rule.count is not None:
            counted = _counted(rule, spec.rhythm.start_date)
            bounds.append(counted[-1] if counted else spec.rhythm.start_date - timedelta(days=1))
    return min(bounds) if bounds else None


# --------------------------------------------------------------------------- custom rules


def _rule_dates(spec: _Spec, lo: date, hi: date) -> Iterator[date]:
    rule = spec.rule
    assert rule is not None
    start = spec.rhythm.start_date
    until_utc: datetime | None = None
    if isinstance(rule.until, datetime):
        until_utc = rule.until
        hi = min(hi, rule.until.astimezone(spec.zone).date() + _MARGIN)
    elif rule.until is not None:
        hi = min(hi, rule.until)
    if rule.count is not None:
        counted = _counted(rule, start)
        for day in counted[bisect.bisect_left(counted, lo) :]:
            if day > hi:
                return
            yield day
        return
    for day in _expand(rule, start, lo, hi):
        if until_utc is None or _utc(spec, day) <= until_utc:
            yield day


@lru_cache(maxsize=256)
def _counted(rule: _Rule, start: date) -> tuple[date, ...]:
    """The first COUNT days of a counted rule (at most COUNT_HORIZON_YEARS ahead)."""
    days: list[date] = []
    if rule.count is None:
        return ()
    horizon = date(min(start.year + COUNT_HORIZON_YEARS, _HIGH.year - 1), 12, 31)
    for day in _expand(rule, start, start, horizon):
        days.append(day)
        if len(days) == rule.count:
            break
    return tuple(days)


def _with_defaults(rule: _Rule, start: date) -> _Rule:
    """RFC 5545's values taken from DTSTART when a rule names no day (as dateutil does)."""
    if rule.byday or rule.bymonthday:
        return rule
    if rule.freq == "WEEKLY":
        return replace(rule, byday=((0, start.weekday()),))
    if rule.freq == "MONTHLY":
        return replace(rule, bymonthday=(start.day,))
    if rule.freq == "YEARLY":
        return replace(rule, bymonthday=(start.day,), bymonth=rule.bymonth or (start.month,))
    return rule


def _expand(rule: _Rule, start: date, lo: date, hi: date) -> Iterator[date]:
    """The rule's days in [lo, hi] (and on or after DTSTART's day), increasing: period by period from
    the one holding `lo` (periods are counted from DTSTART's, every INTERVAL-th one)."""
    rule = _with_defaults(rule, start)
    lo = max(lo, start)
    hi = min(hi, _HIGH.date())
    if lo > hi:
        return
    n = rule.interval
    if rule.freq == "DAILY":
        k = -(-(lo - start).days // n)
        while (day := start + timedelta(days=k * n)) <= hi:
            if _matches(rule, day):
                yield day
            k += 1
    elif rule.freq == "WEEKLY":
        week0 = start - timedelta(days=(start.weekday() - rule.wkst) % 7)
        k = -(-((lo - week0).days // 7) // n)
        while (first := week0 + timedelta(weeks=k * n)) <= hi:
            for i in range(7):
                day = first + timedelta(days=i)
                if lo <= day <= hi and _matches(rule, day):
                    yield day
            k += 1
    elif rule.freq == "MONTHLY":
        month0 = start.year * 12 + start.month - 1
        k = -(-(lo.year * 12 + lo.month - 1 - month0) // n)
        while True:
            year, month = divmod(month0 + k * n, 12)
            if (year, month + 1) > (hi.year, hi.month):
                return
            days = [
                d
                for i in range(1, _month_length(year, month + 1) + 1)
                if _matches(rule, d := date(year, month + 1, i))
            ]
            for day in _setpos(days, rule.bysetpos):
                if lo <= day <= hi:
                    yield day
            k += 1
    else:  # YEARLY
        k = -(-(lo.year - start.year) // n)
        while (year := start.year + k * n) <= hi.year:
            days = [
                d
                for month in rule.bymonth or range(1, 13)
                for i in range(1, _month_length(year, month) + 1)
                if _matches(rule, d := date(year, month, i))
            ]
            for day in _setpos(days, rule.bysetpos):
                if lo <= day <= hi:
                    yield day
            k += 1


def _matches(rule: _Rule, day: date) -> bool:
    if rule.bymonth and day.month not in rule.bymonth:
        return False
    if rule.bymonthday:
        length = _month_length(day.year, day.month)
        if day.day not in rule.bymonthday and day.day - length - 1 not in rule.bymonthday:
            return False
    if rule.byday:
        weekday = day.weekday()
        if rule.byday[0][0] == 0:  # plain weekdays (never mixed with ordinals)
            return (0, weekday) in rule.byday
        if rule.freq == "YEARLY" and not rule.bymonth:  # the n-th such weekday of the year
            place, length = day.timetuple().tm_yday, 365 + calendar.isleap(day.year)
        else:  # ... of the month
            place, length = day.day, _month_length(day.year, day.month)
        first, last = (place - 1) // 7 + 1, -((length - place) // 7 + 1)
        return (first, weekday) in rule.byday or (last, weekday) in rule.byday
    return True


def _setpos(days: list[date], positions: tuple[int, ...]) -> list[date]:
    if not positions:
        return days
    size = len(days)
    return sorted({days[p - 1 if p > 0 else p] for p in positions if -size <= p <= size})


def _format_rule(spec: _Spec, rule: _Rule) -> str:
    start = spec.rhythm.start_date
    full = _with_defaults(rule, start)
    parts = [f"FREQ={full.freq}"]
    if full.interval != 1:
        parts.append(f"INTERVAL={full.interval}")
    if full.bymonth:
        parts.append("BYMONTH=" + ",".join(str(m) for m in full.bymonth))
    if full.bymonthday:
        parts.append("BYMONTHDAY=" + ",".join(str(d) for d in full.bymonthday))
    if full.byday:
        parts.append("BYDAY=" + ",".join(f"{n or ''}{WEEKDAY_CODES[wd]}" for n, wd in full.byday))
    if full.bysetpos:
        parts.append("BYSETPOS=" + ",".join(str(p) for p in full.bysetpos))
    if full.wkst:
        parts.append(f"WKST={WEEKDAY_CODES[full.wkst]}")
    end = spec.rhythm.end_date
    if rule.count is not None:
        counted = _counted(rule, start)
        if end is not None and counted and counted[-1] > end:  # the end date comes first
            parts.append(f"UNTIL={_stamp(_utc(spec, end))}")
        else:
            parts.append(f"COUNT={rule.count}")
    else:
        limits = [] if end is None else [_utc(spec, end)]
        if isinstance(rule.until, datetime):
            limits.append(rule.until)
        elif rule.until is not None:
            limits.append(_utc(spec, rule.until))
        if limits:
            parts.append(f"UNTIL={_stamp(min(limits))}")
    return ";".join(parts)


# --------------------------------------------------------------------------- parsing

_NUMBER = re.compile(r"[+-]?\d{1,4}")
_DAY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?")


def _invalid() -> ScheduleError:
    return ScheduleError("rrule_invalid")


def _numbers(value: str, low: int, high: int, *, signed: bool = False) -> tuple[int, ...]:
    """A comma list of integers with low <= |n| <= high (a sign only when `signed`), sorted, unique."""
    found: set[int] = set()
    for item in value.split(","):
        if not _NUMBER.fullmatch(item) or (item[0] == "-" and not signed):
            raise _invalid()
        number = int(item)
        if not low <= abs(number) <= high:
            raise _invalid()
        found.add(number)
    return tuple(sorted(found))


@lru_cache(maxsize=512)
def _parse(text: str) -> _Rule:
    if not isinstance(text, str):
        raise _invalid()
    body = text.strip().upper()
    if body.startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if not body or len(body) > MAX_RRULE_LENGTH or any(c.isspace() for c in body):
        raise _invalid()
    segments = body.split(";")
    if segments[-1] == "":
        segments.pop()
    parts: dict[str, str] = {}
    for segment in segments:
        name, sign, value = segment.partition("=")
        if not sign or not name or not value or name in parts:
            raise _invalid()
        parts[name] = value
    for name in parts:
        if name in UNSUPPORTED_PARTS:
            raise ScheduleError(f"rrule_unsupported:{name}")
    if any(name not in _KNOWN_PARTS for name in parts) or "FREQ" not in parts:
        raise _invalid()

    freq = parts["FREQ"]
    if freq in ("SECONDLY", "MINUTELY", "HOURLY"):
        raise ScheduleError("rrule_unsupported:FREQ")
    if freq not in FREQUENCIES:
        raise _invalid()

    interval = 1
    if "INTERVAL" in parts:
        if not parts["INTERVAL"].isdigit() or len(parts["INTERVAL"]) > 4:
            raise _invalid()
        interval = int(parts["INTERVAL"])
        if not 1 <= interval <= MAX_INTERVAL:
            raise ScheduleError("rrule_interval_invalid")

    count = None
    if "COUNT" in parts:
        if not parts["COUNT"].isdigit() or len(parts["COUNT"]) > 6:
            raise _invalid()
        count = int(parts["COUNT"])
        if not 1 <= count <= MAX_COUNT:
            raise ScheduleError("rrule_count_invalid")

    until: date | datetime | None = None
    if "UNTIL" in parts:
        if count is not None:
            raise _invalid()  # RFC 5545: COUNT and UNTIL MUST NOT occur together
        until = _parse_until(parts["UNTIL"])

    wkst = 0
    if "WKST" in parts:
        if parts["WKST"] not in WEEKDAY_CODES:
            raise _invalid()
        wkst = WEEKDAY_CODES.index(parts["WKST"])

    bymonth = _numbers(parts["BYMONTH"], 1, 12) if "BYMONTH" in parts else ()
    bymonthday: tuple[int, ...] = ()
    if "BYMONTHDAY" in parts:
        if freq == "WEEKLY":
            raise _invalid()  # RFC 5545: MUST NOT be specified with WEEKLY
        bymonthday = _numbers(parts["BYMONTHDAY"], 1, 31, signed=True)
    byday = _parse_byday(parts["BYDAY"], freq) if "BYDAY" in parts else ()
    bysetpos: tuple[int, ...] = ()
    if "BYSETPOS" in parts:
        if freq in ("DAILY", "WEEKLY"):
            raise ScheduleError("rrule_unsupported:BYSETPOS")
        if not (byday or bymonthday or bymonth):
            raise _invalid()  # RFC 5545: only with another BYxxx part
        bysetpos = _numbers(parts["BYSETPOS"], 1, 366, signed=True)
    return _Rule(freq, interval, byday, bymonthday, bymonth, bysetpos, count, until, wkst)


def _parse_until(value: str) -> date | datetime:
    match = _UNTIL.fullmatch(value)
    if match is None:
        raise _invalid()
    year, month, day, hour, minute, second, zulu = match.groups()
    try:
        if hour is None:
            return date(int(year), int(month), int(day))
        if not zulu:
            raise _invalid()  # a floating time: RFC 5545 wants UTC when DTSTART has a zone
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=UTC)
    except ValueError:
        raise _invalid() from None


def _parse_byday(value: str, freq: str) -> tuple[tuple[int, int], ...]:
    found: set[tuple[int, int]] = set()
    limit = 5 if freq == "MONTHLY" else 53
    for item in value.split(","):
        match = _DAY.fullmatch(item)
        if match is None:
            raise _invalid()
        ordinal = int(match.group(1) or 0)
        if match.group(1) is not None and (
            freq not in ("MONTHLY", "YEARLY") or not 1 <= abs(ordinal) <= limit
        ):
            raise _invalid()  # RFC 5545: ordinals only with MONTHLY or YEARLY
        found.add((ordinal, WEEKDAY_CODES.index(match.group(2))))
    if len({ordinal == 0 for ordinal, _ in found}) > 1:
        raise ScheduleError("rrule_unsupported:BYDAY")  # "MO,2TU": dateutil disagrees with the RFC
    return tuple(sorted(found, key=lambda pair: (pair[1], pair[0])))
