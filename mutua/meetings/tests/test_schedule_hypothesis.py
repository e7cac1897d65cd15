"""Hypothesis: the schedule agrees with an independent expansion by python-dateutil.

For random rhythms of every kind (custom rules drawn from the accepted RRULE subset), zones with odd
transitions, start times in the small hours and random cancellations and moves, `occurrences()` over
two years equals `dateutil.rrule.rrulestr(to_rrule(rhythm), dtstart=...)` with the exceptions applied
here, from the rule's own definition. dateutil builds every instance from its local wall-clock fields
with DTSTART's tzinfo (a naive local time `.replace(tzinfo=ZoneInfo(tz))`, fold=0), then we convert to
UTC: the module's daylight-saving rule. DTSTART is given aware because to_rrule's UNTIL is UTC
(dateutil refuses a UTC UNTIL with a naive DTSTART)."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, assume, event, given, note, settings
from hypothesis import strategies as st

from mutua.meetings.schedule import (
    ERROR_CODES,
    Change,
    Kind,
    Occurrence,
    Rhythm,
    ScheduleError,
    first_local_start,
    next_occurrence,
    occurrences,
    parse_rrule,
    to_rrule,
    validate,
)

ZONES = [
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/London",
    "America/New_York",
    "America/Sao_Paulo",  # DST until 2019, switching at midnight
    "America/Santiago",  # switches at 24:00
    "Australia/Sydney",
    "Australia/Lord_Howe",  # a 30-minute shift
    "Asia/Kolkata",
    "Pacific/Chatham",  # +12:45 / +13:45
    "Africa/Casablanca",
    "UTC",
]
CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SIMPLE = (Kind.WEEKLY, Kind.FORTNIGHTLY, Kind.MONTHLY_NTH, Kind.MONTHLY_DAY)
MOVE_RANGE = timedelta(days=300)  # moves stay this close to their key
# Hypothesis takes naive bounds for its datetimes (and makes them aware with `timezones`).
NAIVE_2015 = datetime(2015, 1, 1)  # noqa: DTZ001
NAIVE_2036 = datetime(2036, 1, 1)  # noqa: DTZ001
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def comma(values: list[Any]) -> str:
    return ",".join(str(v) for v in values)


@st.composite
def rule_texts(draw: st.DrawFn, *, decorated: bool = True, date_until: bool = True) -> str:
    """A rule of the subset parse_rrule accepts (it may never meet: validate says so)."""
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    parts = {"FREQ": freq}
    interval = draw(st.one_of(st.just(1), st.integers(1, 4), st.integers(1, 52)))
    if interval > 1 or draw(st.booleans()):
        parts["INTERVAL"] = str(interval)
    if draw(st.integers(0, 3)) == 0:
        parts["BYMONTH"] = comma(draw(st.lists(st.integers(1, 12), min_size=1, max_size=8, unique=True)))
    if freq != "WEEKLY" and draw(st.integers(0, 2)) == 0:
        days = st.one_of(st.integers(1, 31), st.integers(-31, -1), st.sampled_from([28, 29, 30, 31, -1]))
        parts["BYMONTHDAY"] = comma(draw(st.lists(days, min_size=1, max_size=4, unique=True)))
    styles = ["none", "plain", "ordinal"] if freq in ("MONTHLY", "YEARLY") else ["none", "plain"]
    style = draw(st.sampled_from(styles))
    if style == "plain":
        parts["BYDAY"] = comma(draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=4, unique=True)))
    elif style == "ordinal":
        limit = 53 if freq == "YEARLY" and "BYMONTH" not in parts else 5
        ordinal = st.one_of(st.sampled_from([1, 2, -1]), st.integers(1, limit), st.integers(-limit, -1))
        sign = draw(st.sampled_from(["", "+"]))
        days = draw(st.lists(st.tuples(ordinal, st.sampled_from(CODES)), min_size=1, max_size=3, unique=True))
        parts["BYDAY"] = comma([f"{sign if n > 0 else ''}{n}{wd}" for n, wd in days])
    if (
        freq in ("MONTHLY", "YEARLY")
        and len(parts) > 1 + ("INTERVAL" in parts)
        and draw(st.integers(0, 2)) == 0
    ):
        position = st.one_of(
            st.integers(1, 5), st.integers(-5, -1), st.integers(1, 366), st.integers(-366, -1)
        )
        parts["BYSETPOS"] = comma(draw(st.lists(position, min_size=1, max_size=3, unique=True)))
    if draw(st.integers(0, 3)) == 0:
        parts["WKST"] = draw(st.sampled_from(CODES))
    ends = ["none", "none", "count", "until_utc"] + (["until_date"] if date_until else [])
    end = draw(st.sampled_from(ends))
    if end == "count":
        parts["COUNT"] = str(draw(st.integers(1, 60)))
    elif end == "until_date":
        parts["UNTIL"] = draw(st.dates(date(2015, 1, 1), date(2035, 12, 31))).strftime("%Y%m%d")
    elif end == "until_utc":
        moment = draw(st.datetimes(NAIVE_2015, NAIVE_2036))
        parts["UNTIL"] = moment.strftime("%Y%m%dT%H%M%SZ")
    order = draw(st.permutations(list(parts)))
    text = ";".join(f"{name}={parts[name]}" for name in order)
    if decorated:
        text = draw(st.sampled_from(["", "RRULE:", "rrule:"])) + text + draw(st.sampled_from(["", ";"]))
        text = draw(st.sampled_from([str.upper, str.lower]))(text)
    return text


@st.composite
def rhythms(draw: st.DrawFn, kinds: tuple[Kind, ...] = tuple(Kind), **overrides: Any) -> Rhythm:
    kind = draw(st.sampled_from(kinds))
    start_date = draw(st.dates(date(2015, 1, 1), date(2030, 12, 31)))
    hour = draw(st.one_of(st.sampled_from([1, 2]), st.integers(0, 3), st.integers(0, 23)))  # transitions
    minute = draw(st.one_of(st.sampled_from([0, 30, 45]), st.integers(0, 59)))
    fields: dict[str, Any] = dict(
        kind=kind,
        start_date=start_date,
        start_time=time(hour, minute),
        duration_minutes=draw(st.integers(15, 480)),
        tz=draw(st.sampled_from(ZONES)),
        end_date=draw(st.none() | st.integers(0, 900).map(lambda n: start_date + timedelta(days=n))),
    )
    if kind in (Kind.WEEKLY, Kind.FORTNIGHTLY, Kind.MONTHLY_NTH):
        fields["weekday"] = draw(st.one_of(st.just(6), st.integers(0, 6)))  # transitions are on Sundays
    if kind == Kind.MONTHLY_NTH:
        fields["nth"] = draw(st.sampled_from([1, 2, 3, 4, -1]))
    if kind == Kind.MONTHLY_DAY:
        fields["monthday"] = draw(st.one_of(st.integers(28, 31), st.integers(1, 31)))
    if kind == Kind.RRULE:
        fields["rrule"] = draw(rule_texts())
    fields.update(overrides)
    return Rhythm(**fields)


def windows(draw: st.DrawFn, r: Rhythm) -> tuple[datetime, datetime]:
    """Two years, starting somewhere from two months before start_date to 2.5 years after."""
    day = r.start_date + timedelta(days=draw(st.integers(-60, 900)))
    start = datetime.combine(day, time(0), UTC) + timedelta(minutes=draw(st.integers(0, 1439)))
    return start, start + timedelta(days=730)


def dateutil_keys(
    text: str, r: Rhythm, lo: datetime, hi: datetime, dtstart: datetime | None = None
) -> list[datetime]:
    """The UTC starts in [lo, hi) of `text` expanded by dateutil from DTSTART (default: start_date at
    start_time in the group's zone)."""
    zone = ZoneInfo(r.tz)
    rule = rrulestr(text, dtstart=dtstart or datetime.combine(r.start_date, r.start_time, tzinfo=zone))
    keys = []
    for local in rule:
        key = local.astimezone(UTC)  # fold=0: the module's rule
        if key >= hi + timedelta(days=2):
            break
        if lo <= key < hi:
            keys.append(key)
    return keys


def changes_for(draw: st.DrawFn, pool: list[datetime]) -> tuple[Change, ...]:
    zones = st.sampled_from([UTC, ZoneInfo("Europe/Madrid"), ZoneInfo("America/New_York")])
    real = st.sampled_from(pool) if pool else st.nothing()
    bogus = st.one_of(
        real.map(lambda k: k + timedelta(hours=1)) if pool else st.nothing(),
        st.datetimes(NAIVE_2015, NAIVE_2036, timezones=st.just(UTC)),
    )
    changes = []
    for _ in range(draw(st.integers(0, 6))):
        key = draw(st.one_of(real, real, bogus) if pool else bogus)
        new_start = None
        if draw(st.booleans()):
            days = draw(st.one_of(st.integers(-3, 3), st.integers(-MOVE_RANGE.days + 1, MOVE_RANGE.days - 1)))
            shift = timedelta(days=days, minutes=draw(st.integers(-1440, 1440)))
            new_start = (key + shift).astimezone(draw(zones))
        changes.append(
            Change(
                key=key.astimezone(draw(zones)),
                cancelled=draw(st.booleans()),
                new_start=new_start,
                new_duration_minutes=draw(st.none() | st.integers(15, 480)),
            )
        )
    return tuple(changes)


def expected(
    r: Rhythm, keys: list[datetime], changes: tuple[Change, ...], keep: Callable[[Occurrence], bool]
) -> list[Occurrence]:
    """The reference occurrences: each generated key with its last change applied."""
    table = {change.key.astimezone(UTC): change for change in changes}
    found = []
    for key in keys:
        change = table.get(key)
        start, minutes, cancelled = key, r.duration_minutes, False
        if change is not None:
            start = key if change.new_start is None else change.new_start.astimezone(UTC)
            minutes = change.new_duration_minutes or minutes
            cancelled = change.cancelled
        occurrence = Occurrence(key, start, start + timedelta(minutes=minutes), cancelled, start != key)
        if keep(occurrence):
            found.append(occurrence)
    return sorted(found, key=lambda o: (o.start, o.key))


def meets(r: Rhythm) -> bool:
    try:
        validate(r)
    except ScheduleError as error:
        assert error.code == "no_occurrences"
        return False
    return True


@FAST
@given(st.data())
def test_occurrences_match_dateutil(data: st.DataObject) -> None:
    r = data.draw(rhythms())
    ws, we = windows(data.draw, r)
    text = to_rrule(r)
    note(f"to_rrule: {text}")
    if not meets(r):  # never within the look-ahead (or the end date comes first): nothing in the window
        assert occurrences(r, ws, we) == []
        return
    pool = dateutil_keys(text, r, ws - MOVE_RANGE, we + MOVE_RANGE)
    changes = changes_for(data.draw, pool)
    reference = expected(r, pool, changes, lambda o: ws <= o.start < we)
    assert occurrences(r, ws, we, changes) == reference
    zone = ZoneInfo(r.tz)
    event(f"kind {r.kind}")
    event("some" if reference else "none in the window")
    if any(o.key.astimezone(zone).time() != time(r.start_time.hour, r.start_time.minute) for o in reference):
        event("a shifted (nonexistent) wall time")
    if any(o.moved for o in reference):
        event("a moved occurrence")
    if any(o.cancelled for o in reference):
        event("a cancelled occurrence")


@FAST
@given(st.data())
def test_simple_kinds_to_rrule_is_exact_with_either_dtstart(data: st.DataObject) -> None:
    r = data.draw(rhythms(SIMPLE))
    ws, we = windows(data.draw, r)
    ours = [o.start for o in occurrences(r, ws, we)]
    assert ours == dateutil_keys(to_rrule(r), r, ws, we)
    first = first_local_start(r)
    if first is None:
        assert ours == []
        return
    # DTSTART = the first occurrence: what RFC 5545 readers (which always count DTSTART) need.
    assert ours == dateutil_keys(to_rrule(r), r, ws, we, dtstart=first)
    assert first.time() == r.start_time and first.tzinfo == ZoneInfo(r.tz)
    since_start = datetime.combine(r.start_date - timedelta(days=3), time(0), UTC)
    assert (
        first.astimezone(UTC)
        == dateutil_keys(to_rrule(r), r, since_start, since_start + timedelta(days=400))[0]
    )


@FAST
@given(st.data())
def test_custom_rule_text_itself_matches_dateutil(data: st.DataObject) -> None:
    """The user's own text (not to_rrule's normal form) given to dateutil: no date UNTIL (dateutil reads
    it as midnight and wants UTC anyway) and no end date."""
    text = data.draw(rule_texts(decorated=False, date_until=False))
    r = data.draw(rhythms((Kind.RRULE,), rrule=text, end_date=None))
    assume(meets(r))
    ws, we = windows(data.draw, r)
    assert [o.start for o in occurrences(r, ws, we)] == dateutil_keys(text, r, ws, we)


def transitions(tz: str) -> list[tuple[date, time]]:
    """The zone's offset changes 2015–2031: (local day, the wall time the clock leaves)."""
    zone, found = ZoneInfo(tz), []
    day = date(2015, 1, 1)
    while day < date(2032, 1, 1):
        lo = datetime.combine(day, time(0), UTC) - timedelta(hours=14)
        hi = lo + timedelta(days=1)
        if lo.astimezone(zone).utcoffset() != hi.astimezone(zone).utcoffset():
            while hi - lo > timedelta(minutes=1):  # the instant of the change, to the minute
                mid = lo + (hi - lo) / 2
                if mid.astimezone(zone).utcoffset() == lo.astimezone(zone).utcoffset():
                    lo = mid
                else:
                    hi = mid
            wall = hi.astimezone(zone) - (hi.astimezone(zone).utcoffset() - lo.astimezone(zone).utcoffset())
            wall = wall.replace(second=0, microsecond=0) + timedelta(minutes=1 if wall.second else 0)
            found.append((wall.date(), wall.time()))
        day += timedelta(days=1)
    return found


TRANSITIONS = {tz: transitions(tz) for tz in ZONES if tz not in ("UTC", "Asia/Kolkata")}


@st.composite
def transition_rhythms(draw: st.DrawFn) -> Rhythm:
    """A rhythm of any kind that meets on a day the clock changes, near the change's wall time."""
    tz = draw(st.sampled_from(sorted(TRANSITIONS)))
    day, wall = draw(st.sampled_from(TRANSITIONS[tz]))
    minutes = wall.hour * 60 + wall.minute + draw(st.integers(-90, 90))
    at = time(min(max(minutes, 0), 1439) // 60, min(max(minutes, 0), 1439) % 60)
    kind = draw(st.sampled_from(list(Kind)))
    fields: dict[str, Any] = dict(
        start_time=at, tz=tz, start_date=day - timedelta(days=draw(st.integers(0, 40)))
    )
    if kind == Kind.FORTNIGHTLY:
        fields["start_date"] = day - timedelta(days=14 * draw(st.integers(0, 3)))
    if kind in (Kind.WEEKLY, Kind.FORTNIGHTLY, Kind.MONTHLY_NTH):
        fields["weekday"] = day.weekday()
    if kind == Kind.MONTHLY_NTH:
        last = (day + timedelta(days=7)).month != day.month
        fields["nth"] = -1 if last and draw(st.booleans()) else (day.day - 1) // 7 + 1
        assume(fields["nth"] <= 4)
    if kind == Kind.MONTHLY_DAY:
        fields["monthday"] = day.day
    if kind == Kind.RRULE:
        code = CODES[day.weekday()]
        fields["rrule"] = draw(st.sampled_from(["FREQ=DAILY", f"FREQ=WEEKLY;BYDAY={code}", "FREQ=YEARLY"]))
        if fields["rrule"] == "FREQ=YEARLY":
            fields["start_date"] = day
    return draw(rhythms((kind,), **fields))


@FAST
@given(st.data())
def test_transition_days_match_dateutil(data: st.DataObject) -> None:
    r = data.draw(transition_rhythms())
    zone = ZoneInfo(r.tz)
    assume(r.end_date is None or r.end_date >= r.start_date + timedelta(days=40))
    ws = datetime.combine(r.start_date, time(0), UTC) - timedelta(days=1)
    we = ws + timedelta(days=730)
    ours = occurrences(r, ws, we)
    assert [o.start for o in ours] == dateutil_keys(to_rrule(r), r, ws, we)
    for o in ours:
        day = o.key.astimezone(zone).date()
        first = datetime.combine(day, r.start_time, tzinfo=zone)
        if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != first.replace(tzinfo=None):
            event("a nonexistent wall time")
        elif first.utcoffset() != first.replace(fold=1).utcoffset():
            event("an ambiguous wall time")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_next_occurrence_is_the_first_still_running(data: st.DataObject) -> None:
    r = data.draw(rhythms())
    assume(meets(r))
    ws, _ = windows(data.draw, r)
    after = ws + timedelta(minutes=data.draw(st.integers(0, 730 * 1440)))
    ahead = timedelta(days=400) if r.kind in SIMPLE else timedelta(days=3660)
    pool = dateutil_keys(to_rrule(r), r, after - 2 * MOVE_RANGE, after + ahead + MOVE_RANGE)
    changes = changes_for(data.draw, pool)
    include = data.draw(st.booleans())
    candidates = expected(r, pool, changes, lambda o: o.end > after and (include or not o.cancelled))
    found = next_occurrence(r, after, changes, include_cancelled=include)
    if candidates and not candidates[0].moved and candidates[0].start > after + ahead - timedelta(days=60):
        assume(False)  # beyond the documented look-ahead
    assert found == (candidates[0] if candidates else None)


@FAST
@given(st.data())
def test_windows_add_up(data: st.DataObject) -> None:
    r = data.draw(rhythms())
    ws, we = windows(data.draw, r)
    middle = ws + timedelta(minutes=data.draw(st.integers(0, 730 * 1440)))
    pool = [o.key for o in occurrences(r, ws - MOVE_RANGE, we + MOVE_RANGE)]
    changes = changes_for(data.draw, pool)
    whole = occurrences(r, ws, we, changes)
    assert whole == occurrences(r, ws, middle, changes) + occurrences(r, middle, we, changes)
    assert whole == sorted(whole, key=lambda o: o.start)


NAMES = ["FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS"]
NAMES += ["BYHOUR", "BYWEEKNO", "BYYEARDAY", "RSCALE", "X-FOO", "freq", ""]
VALUES = [
    "DAILY",
    "WEEKLY",
    "MONTHLY",
    "YEARLY",
    "HOURLY",
    "MO",
    "TU,SU",
    "2TU",
    "-1FR,1MO",
    "+5SA",
    "MO,2TU",
]
VALUES += ["0", "1", "2", "-1", "15,-1", "31", "53", "367", "1,,2", "20261231", "20261231T180000Z"]
VALUES += ["20261231T180000", "20260230", "", "=", "MO;"]
PARTS = st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(VALUES)), max_size=5)
FREQ = st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "NEVER"])
RULES = st.tuples(
    st.lists(FREQ.map(lambda f: ("FREQ", f)), max_size=1), PARTS, st.sampled_from(["", "RRULE:", ";"])
)


@settings(max_examples=300, deadline=None)
@given(RULES.map(lambda r: r[2] + ";".join(f"{name}={value}" for name, value in r[0] + r[1])))
def test_parse_rrule_accepts_a_subset_of_what_dateutil_reads_and_refuses_with_a_code(text: str) -> None:
    try:
        parts = parse_rrule(text)
    except ScheduleError as error:
        assert error.code in ERROR_CODES
        event(error.code)
        return
    event("accepted")
    assert parts["FREQ"] in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
    # dateutil reads it too (with a DTSTART as aware as the UNTIL, which dateutil insists on).
    aware = isinstance(parts.get("UNTIL"), datetime)
    rrulestr(text.strip().rstrip(";"), dtstart=datetime(2026, 1, 1, 19, tzinfo=UTC if aware else None))
