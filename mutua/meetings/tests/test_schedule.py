"""The meeting schedule (pure core): every kind, the daylight-saving rule pinned in four zones across
both 2026 transitions, month ends, exceptions, next_occurrence, every error code, the RRULE subset and
the termination of rules that (almost) never meet. Expected values are written out by hand."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mutua.meetings import schedule
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
    weekly,
)

MO, TU, WE, TH, FR, SA, SU = range(7)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def rhythm(kind: Kind = Kind.WEEKLY, **fields: object) -> Rhythm:
    values: dict[str, object] = dict(
        start_date=date(2026, 1, 1), start_time=time(19, 0), duration_minutes=90, tz="Europe/Madrid"
    )
    values.update(fields)
    return Rhythm(kind=kind, **values)


def local_days(r: Rhythm, start: datetime, end: datetime) -> list[date]:
    zone = ZoneInfo(r.tz)
    return [o.start.astimezone(zone).date() for o in occurrences(r, start, end)]


def year_2026(r: Rhythm) -> list[date]:
    return local_days(r, utc(2026, 1, 1), utc(2027, 1, 1))


# --------------------------------------------------------------------------- weekly, fortnightly


def test_weekly_tuesdays_at_19_local() -> None:
    r = rhythm(weekday=TU)
    found = occurrences(r, utc(2026, 1, 1), utc(2026, 2, 1))
    assert [o.start for o in found] == [utc(2026, 1, d, 18) for d in (6, 13, 20, 27)]
    assert all(o.end - o.start == timedelta(minutes=90) for o in found)
    assert all(o.key == o.start and not o.cancelled and not o.moved for o in found)
    assert all(o.start.tzinfo is UTC and o.key.tzinfo is UTC for o in found)


@pytest.mark.parametrize(
    ("start_date", "first"),
    [
        (date(2026, 1, 6), date(2026, 1, 6)),  # on the weekday: that day
        (date(2026, 1, 7), date(2026, 1, 13)),  # the day after: next week
        (date(2026, 1, 5), date(2026, 1, 6)),  # the day before
    ],
)
def test_weekly_start_date_on_or_after(start_date: date, first: date) -> None:
    r = rhythm(weekday=TU, start_date=start_date)
    assert local_days(r, utc(2025, 12, 1), utc(2026, 1, 20))[0] == first


def test_weekly_helper_builds_a_weekly_rhythm() -> None:
    r = weekly(WE, 18, "Europe/Rome", date(2026, 2, 1))
    assert (r.kind, r.weekday, r.start_time, r.tz, r.duration_minutes) == (
        Kind.WEEKLY,
        WE,
        time(18),
        "Europe/Rome",
        90,
    )
    assert local_days(r, utc(2026, 1, 1), utc(2026, 2, 12)) == [date(2026, 2, 4), date(2026, 2, 11)]


def test_end_date_is_inclusive() -> None:
    r = rhythm(weekday=TU, end_date=date(2026, 1, 20))
    assert local_days(r, utc(2026, 1, 1), utc(2026, 3, 1)) == [date(2026, 1, d) for d in (6, 13, 20)]
    r = rhythm(weekday=TU, end_date=date(2026, 1, 19))
    assert local_days(r, utc(2026, 1, 1), utc(2026, 3, 1)) == [date(2026, 1, d) for d in (6, 13)]


def test_end_date_on_start_date_gives_one_meeting_or_none() -> None:
    assert year_2026(rhythm(weekday=TU, start_date=date(2026, 1, 6), end_date=date(2026, 1, 6))) == [
        date(2026, 1, 6)
    ]
    assert year_2026(rhythm(weekday=TU, start_date=date(2026, 1, 7), end_date=date(2026, 1, 12))) == []


def test_window_is_half_open_on_the_start() -> None:
    r = rhythm(weekday=TU)
    # 6 Jan 2026 19:00 Madrid = 18:00 UTC: in [18:00, …), not in [… , 18:00).
    assert local_days(r, utc(2026, 1, 6, 18), utc(2026, 1, 6, 18, 1)) == [date(2026, 1, 6)]
    assert local_days(r, utc(2026, 1, 6, 17), utc(2026, 1, 6, 18)) == []
    assert occurrences(r, utc(2026, 1, 7), utc(2026, 1, 6)) == []  # an inverted window is empty


def test_fortnightly_first_is_the_weekday_on_or_after_start() -> None:
    r = rhythm(Kind.FORTNIGHTLY, weekday=MO, start_date=date(2026, 1, 1))  # a Thursday
    assert year_2026(r)[:3] == [date(2026, 1, 5), date(2026, 1, 19), date(2026, 2, 2)]
    r = rhythm(Kind.FORTNIGHTLY, weekday=TH, start_date=date(2026, 1, 1))  # on the weekday
    assert year_2026(r)[:2] == [date(2026, 1, 1), date(2026, 1, 15)]


def test_fortnightly_parity_across_a_year_boundary_with_53_iso_weeks() -> None:
    # 2026 has 53 ISO weeks: the week parity must come from the first meeting, not the week number.
    r = rhythm(Kind.FORTNIGHTLY, weekday=MO, start_date=date(2026, 12, 21))
    days = local_days(r, utc(2026, 12, 1), utc(2027, 2, 1))
    assert days == [date(2026, 12, 21), date(2027, 1, 4), date(2027, 1, 18)]


def test_fortnightly_parity_does_not_depend_on_the_window() -> None:
    r = rhythm(Kind.FORTNIGHTLY, weekday=MO, start_date=date(2026, 1, 5))
    # A window starting on an "off" Monday finds the next "on" Monday, not the window's own.
    assert local_days(r, utc(2026, 1, 12), utc(2026, 2, 1)) == [date(2026, 1, 19)]
    far = local_days(r, utc(2031, 6, 1), utc(2031, 8, 1))
    assert far and all((d - date(2026, 1, 5)).days % 14 == 0 for d in far)
    assert far == [
        date(2031, 6, 2),
        date(2031, 6, 16),
        date(2031, 6, 30),
        date(2031, 7, 14),
        date(2031, 7, 28),
    ]


# --------------------------------------------------------------------------- monthly


def test_second_tuesday() -> None:
    r = rhythm(Kind.MONTHLY_NTH, weekday=TU, nth=2)
    expected = [13, 10, 10, 14, 12, 9, 14, 11, 8, 13, 10, 8]
    assert year_2026(r) == [date(2026, m, d) for m, d in zip(range(1, 13), expected, strict=True)]


def test_last_friday_is_not_the_fourth() -> None:
    r = rhythm(Kind.MONTHLY_NTH, weekday=FR, nth=-1)
    expected = [30, 27, 27, 24, 29, 26, 31, 28, 25, 30, 27, 25]
    assert year_2026(r) == [date(2026, m, d) for m, d in zip(range(1, 13), expected, strict=True)]
    fourth = year_2026(rhythm(Kind.MONTHLY_NTH, weekday=FR, nth=4))
    assert fourth[0] == date(2026, 1, 23) and fourth[4] == date(2026, 5, 22)


def test_first_monday_and_fourth_thursday() -> None:
    assert year_2026(rhythm(Kind.MONTHLY_NTH, weekday=MO, nth=1))[:3] == [
        date(2026, 1, 5),
        date(2026, 2, 2),
        date(2026, 3, 2),
    ]
    assert year_2026(rhythm(Kind.MONTHLY_NTH, weekday=TH, nth=4))[10] == date(2026, 11, 26)


@pytest.mark.parametrize("nth", [5, 0, -2, 6, None])
def test_fifth_weekday_and_other_ordinals_are_refused(nth: int | None) -> None:
    with pytest.raises(ScheduleError) as error:
        validate(rhythm(Kind.MONTHLY_NTH, weekday=FR, nth=nth))
    assert error.value.code == "nth_invalid"


def test_monthly_nth_start_date_after_this_months_meeting() -> None:
    r = rhythm(Kind.MONTHLY_NTH, weekday=TU, nth=2, start_date=date(2026, 1, 14))
    assert year_2026(r)[0] == date(2026, 2, 10)
    r = rhythm(Kind.MONTHLY_NTH, weekday=TU, nth=2, start_date=date(2026, 1, 13))
    assert year_2026(r)[0] == date(2026, 1, 13)


def test_day_31_is_the_last_day_of_shorter_months() -> None:
    r = rhythm(Kind.MONTHLY_DAY, monthday=31)
    expected = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    assert year_2026(r) == [date(2026, m, d) for m, d in zip(range(1, 13), expected, strict=True)]


@pytest.mark.parametrize(
    ("monthday", "feb_2027", "feb_2028"),
    [(31, 28, 29), (30, 28, 29), (29, 28, 29), (28, 28, 28), (15, 15, 15)],
)
def test_month_day_in_february_and_in_a_leap_year(monthday: int, feb_2027: int, feb_2028: int) -> None:
    r = rhythm(Kind.MONTHLY_DAY, monthday=monthday)
    assert local_days(r, utc(2027, 2, 1), utc(2027, 3, 1)) == [date(2027, 2, feb_2027)]
    assert local_days(r, utc(2028, 2, 1), utc(2028, 3, 1)) == [date(2028, 2, feb_2028)]


def test_day_30_in_april_and_31_in_april() -> None:
    assert local_days(rhythm(Kind.MONTHLY_DAY, monthday=30), utc(2026, 4, 1), utc(2026, 5, 1)) == [
        date(2026, 4, 30)
    ]
    assert local_days(rhythm(Kind.MONTHLY_DAY, monthday=31), utc(2026, 4, 1), utc(2026, 5, 1)) == [
        date(2026, 4, 30)
    ]


def test_month_day_start_date_after_the_day() -> None:
    r = rhythm(Kind.MONTHLY_DAY, monthday=10, start_date=date(2026, 1, 15))
    assert year_2026(r)[0] == date(2026, 2, 10)
    # A clamped day before start_date does not count: day 31 from 29 Apr 2026 → 30 Apr.
    r = rhythm(Kind.MONTHLY_DAY, monthday=31, start_date=date(2026, 4, 29))
    assert year_2026(r)[0] == date(2026, 4, 30)


# --------------------------------------------------------------------------- custom rules


def test_rrule_two_days_a_week() -> None:
    r = rhythm(Kind.RRULE, rrule="FREQ=WEEKLY;BYDAY=TU,TH")
    days = local_days(r, utc(2026, 1, 1), utc(2026, 1, 15))
    assert days == [date(2026, 1, d) for d in (1, 6, 8, 13)]


def test_rrule_dtstart_counts_only_when_it_matches() -> None:
    r = rhythm(Kind.RRULE, rrule="FREQ=WEEKLY;BYDAY=TU", start_date=date(2026, 1, 5))  # a Monday
    assert local_days(r, utc(2026, 1, 1), utc(2026, 1, 14)) == [date(2026, 1, 6), date(2026, 1, 13)]


def test_rrule_monthday_31_skips_short_months_unlike_monthly_day() -> None:
    r = rhythm(Kind.RRULE, rrule="FREQ=MONTHLY;BYMONTHDAY=31")
    assert [d.month for d in year_2026(r)] == [1, 3, 5, 7, 8, 10, 12]


def test_rrule_defaults_come_from_dtstart() -> None:
    # WEEKLY: the start's weekday; MONTHLY: the start's day (skipping months without it); YEARLY.
    assert year_2026(rhythm(Kind.RRULE, rrule="FREQ=WEEKLY", start_date=date(2026, 1, 7)))[:2] == [
        date(2026, 1, 7),
        date(2026, 1, 14),
    ]
    assert [
        d.month for d in year_2026(rhythm(Kind.RRULE, rrule="FREQ=MONTHLY", start_date=date(2026, 1, 30)))
    ] == [
        1,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        11,
        12,
    ]
    leap = rhythm(Kind.RRULE, rrule="FREQ=YEARLY", start_date=date(2024, 2, 29))
    assert local_days(leap, utc(2024, 1, 1), utc(2033, 1, 1)) == [date(y, 2, 29) for y in (2024, 2028, 2032)]


def test_rrule_count_counts_from_dtstart() -> None:
    r = rhythm(Kind.RRULE, rrule="FREQ=DAILY;COUNT=3", start_date=date(2026, 1, 10))
    assert year_2026(r) == [date(2026, 1, 10), date(2026, 1, 11), date(2026, 1, 12)]
    # A window later than the counted meetings is empty; a window over the last one finds it.
    assert local_days(r, utc(2026, 1, 12), utc(2026, 2, 1)) == [date(2026, 1, 12)]
    assert local_days(r, utc(2026, 1, 13), utc(2026, 2, 1)) == []


def test_rrule_count_and_end_date_whichever_comes_first() -> None:
    r = rhythm(
        Kind.RRULE, rrule="FREQ=DAILY;COUNT=5", start_date=date(2026, 1, 10), end_date=date(2026, 1, 12)
    )
    assert year_2026(r) == [date(2026, 1, 10), date(2026, 1, 11), date(2026, 1, 12)]
    assert "UNTIL=20260112T180000Z" in to_rrule(r) and "COUNT" not in to_rrule(r)
    r = rhythm(
        Kind.RRULE, rrule="FREQ=DAILY;COUNT=2", start_date=date(2026, 1, 10), end_date=date(2026, 1, 12)
    )
    assert year_2026(r) == [date(2026, 1, 10), date(2026, 1, 11)]
    assert to_rrule(r) == "FREQ=DAILY;COUNT=2"


def test_rrule_until_date_is_an_inclusive_local_day() -> None:
    r = rhythm(Kind.RRULE, rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20260120")
    assert year_2026(r) == [date(2026, 1, d) for d in (6, 13, 20)]
    assert to_rrule(r) == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260120T180000Z"


def test_rrule_until_utc_is_an_instant() -> None:
    # 20 Jan 19:00 Madrid = 18:00 UTC: an UNTIL at 17:59:59Z stops before it, 18:00:00Z keeps it.
    r = rhythm(Kind.RRULE, rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20260120T175959Z")
    assert year_2026(r) == [date(2026, 1, 6), date(2026, 1, 13)]
    r = rhythm(Kind.RRULE, rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20260120T180000Z")
    assert year_2026(r)[-1] == date(2026, 1, 20)
    # With an end date, the earlier of the two is written.
    r = rhythm(Kind.RRULE, rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20260120T180000Z", end_date=date(2026, 1, 14))
    assert to_rrule(r).endswith("UNTIL=20260114T180000Z")


def test_rrule_last_weekday_of_the_month_by_setpos() -> None:
    r = rhythm(Kind.RRULE, rrule="FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1")
    assert year_2026(r)[:5] == [
        date(2026, 1, 30),
        date(2026, 2, 27),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 29),
    ]


def test_rrule_setpos_picks_in_the_whole_period_before_dtstart_filters() -> None:
    # The first weekday of January 2026 is the 1st, before DTSTART (the 15th): none that month.
    r = rhythm(Kind.RRULE, rrule="FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1", start_date=date(2026, 1, 15))
    assert year_2026(r)[:2] == [date(2026, 2, 2), date(2026, 3, 2)]


def test_rrule_summer_break_with_bymonth() -> None:
    r = rhythm(Kind.RRULE, rrule="FREQ=MONTHLY;BYMONTH=1,2,3,4,5,6,9,10,11,12;BYDAY=1MO")
    assert [d.month for d in year_2026(r)] == [1, 2, 3, 4, 5, 6, 9, 10, 11, 12]


def test_rrule_every_other_month_and_yearly_ordinals() -> None:
    r = rhythm(Kind.RRULE, rrule="FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU")
    assert [d.month for d in year_2026(r)] == [1, 3, 5, 7, 9, 11]
    thanksgiving = rhythm(Kind.RRULE, rrule="FREQ=YEARLY;BYMONTH=11;BYDAY=4TH")
    assert year_2026(thanksgiving) == [date(2026, 11, 26)]
    twentieth_monday = rhythm(Kind.RRULE, rrule="FREQ=YEARLY;BYDAY=20MO")
    assert year_2026(twentieth_monday) == [date(2026, 5, 18)]
    last_day_of_year = rhythm(Kind.RRULE, rrule="FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=12")
    assert year_2026(last_day_of_year) == [date(2026, 12, 31)]


def test_rrule_daily_with_interval() -> None:
    r = rhythm(Kind.RRULE, rrule="FREQ=DAILY;INTERVAL=10", start_date=date(2026, 1, 1))
    assert year_2026(r)[:3] == [date(2026, 1, 1), date(2026, 1, 11), date(2026, 1, 21)]
    assert len(year_2026(r)) == 37


def test_rrule_weekly_interval_counts_weeks_from_dtstart_week_with_wkst() -> None:
    # RFC 5545's own example: WEEKLY;INTERVAL=2;BYDAY=TU,SU from Tue 5 Aug 1997 differs by WKST.
    monday = rhythm(
        Kind.RRULE, rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", start_date=date(1997, 8, 5)
    )
    sunday = rhythm(
        Kind.RRULE, rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", start_date=date(1997, 8, 5)
    )
    window = (utc(1997, 8, 1), utc(1997, 9, 30))
    assert local_days(monday, *window) == [date(1997, 8, d) for d in (5, 10, 19, 24)]
    assert local_days(sunday, *window) == [date(1997, 8, d) for d in (5, 17, 19, 31)]


# --------------------------------------------------------------------------- daylight saving

# A Sunday 19:00 meeting stays at 19:00 on the local clock; its UTC start moves by an hour.
WEEKLY_PINS = [
    ("Europe/Madrid", date(2026, 3, 22), utc(2026, 3, 22, 18), utc(2026, 3, 29, 17)),
    ("Europe/Madrid", date(2026, 10, 18), utc(2026, 10, 18, 17), utc(2026, 10, 25, 18)),
    ("Europe/Rome", date(2026, 3, 22), utc(2026, 3, 22, 18), utc(2026, 3, 29, 17)),
    ("Europe/Rome", date(2026, 10, 18), utc(2026, 10, 18, 17), utc(2026, 10, 25, 18)),
    ("Europe/London", date(2026, 3, 22), utc(2026, 3, 22, 19), utc(2026, 3, 29, 18)),
    ("Europe/London", date(2026, 10, 18), utc(2026, 10, 18, 18), utc(2026, 10, 25, 19)),
    ("America/New_York", date(2026, 3, 1), utc(2026, 3, 2, 0), utc(2026, 3, 8, 23)),
    ("America/New_York", date(2026, 10, 25), utc(2026, 10, 25, 23), utc(2026, 11, 2, 0)),
]


@pytest.mark.parametrize(("tz", "sunday", "before", "after"), WEEKLY_PINS)
def test_weekly_19h_stays_19h_local_across_a_transition(
    tz: str, sunday: date, before: datetime, after: datetime
) -> None:
    r = rhythm(weekday=SU, tz=tz, start_date=sunday)
    found = occurrences(r, before - timedelta(hours=1), after + timedelta(hours=1))
    assert [o.start for o in found] == [before, after]
    assert [o.start.astimezone(ZoneInfo(tz)).time() for o in found] == [time(19), time(19)]
    assert [o.end - o.start for o in found] == [timedelta(minutes=90)] * 2


# (zone, day, wall time) → the UTC start and the local wall clock reading of that start.
GAP_PINS = [  # spring forward: a nonexistent time is read with the offset before the gap
    ("Europe/Madrid", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 30), time(3, 30)),
    ("Europe/Rome", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 30), time(3, 30)),
    ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 30), time(3, 30)),
    ("Europe/London", date(2026, 3, 29), time(1, 30), utc(2026, 3, 29, 1, 30), time(2, 30)),
    ("Europe/London", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 30), time(2, 30)),  # exists
]
FOLD_PINS = [  # fall back: an ambiguous time is the first of the two (summer time)
    ("Europe/Madrid", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30), time(2, 30)),
    ("Europe/Rome", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30), time(2, 30)),
    ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30), time(1, 30)),
    ("Europe/London", date(2026, 10, 25), time(1, 30), utc(2026, 10, 25, 0, 30), time(1, 30)),
]


def every_kind_on(day: date, at: time, tz: str) -> list[Rhythm]:
    """A rhythm of each kind with a meeting on `day` (a Sunday) at `at`."""
    nth = (day.day - 1) // 7 + 1
    last = (day + timedelta(days=7)).month != day.month
    common: dict[str, object] = dict(start_date=day - timedelta(days=20), start_time=at, tz=tz)
    return [
        rhythm(Kind.WEEKLY, weekday=SU, **common),
        rhythm(Kind.FORTNIGHTLY, weekday=SU, **{**common, "start_date": day - timedelta(days=14)}),
        rhythm(Kind.MONTHLY_NTH, weekday=SU, nth=-1 if last else nth, **common),
        rhythm(Kind.MONTHLY_DAY, monthday=day.day, **common),
        rhythm(Kind.RRULE, rrule="FREQ=DAILY", **common),
    ]


@pytest.mark.parametrize(("tz", "day", "at", "start", "wall"), GAP_PINS + FOLD_PINS)
def test_transition_day_times_follow_the_rule_for_every_kind(
    tz: str, day: date, at: time, start: datetime, wall: time
) -> None:
    for r in every_kind_on(day, at, tz):
        found = [o for o in occurrences(r, utc(2026, 1, 1), utc(2027, 1, 1)) if o.key.date() == day]
        assert [o.start for o in found] == [start], r.kind
        assert found[0].key == start and found[0].start.astimezone(ZoneInfo(tz)).time() == wall
        assert found[0].end == start + timedelta(minutes=90)
        # The day before and the week after are ordinary: the wall time itself.
        others = [o for o in occurrences(r, utc(2026, 1, 1), utc(2027, 1, 1)) if o.key.date() != day]
        assert all(o.start.astimezone(ZoneInfo(tz)).time() == at for o in others), r.kind


@pytest.mark.parametrize(("tz", "day", "at", "start", "wall"), GAP_PINS + FOLD_PINS)
def test_next_occurrence_on_a_transition_day(
    tz: str, day: date, at: time, start: datetime, wall: time
) -> None:
    r = rhythm(weekday=SU, start_time=at, tz=tz, start_date=day - timedelta(days=7))
    assert next_occurrence(r, start - timedelta(hours=3)) == Occurrence(
        start, start, start + timedelta(minutes=90)
    )
    assert next_occurrence(r, start + timedelta(minutes=89)) == Occurrence(
        start, start, start + timedelta(minutes=90)
    )


def test_fold_pin_is_not_the_second_reading() -> None:
    # The ambiguous 01:30 of New York's fall-back day: 05:30Z (EDT), not 06:30Z (EST).
    r = rhythm(weekday=SU, start_time=time(1, 30), tz="America/New_York", start_date=date(2026, 11, 1))
    assert occurrences(r, utc(2026, 11, 1), utc(2026, 11, 2))[0].start == utc(2026, 11, 1, 5, 30)


def test_start_time_fold_and_seconds_are_ignored() -> None:
    r = rhythm(
        weekday=SU, start_time=time(1, 30, 42, fold=1), tz="America/New_York", start_date=date(2026, 11, 1)
    )
    assert occurrences(r, utc(2026, 11, 1), utc(2026, 11, 2))[0].start == utc(2026, 11, 1, 5, 30)


def test_southern_hemisphere_and_odd_offsets() -> None:
    # Sydney springs forward on 4 Oct 2026 (02:00 → 03:00); Chatham (+12:45/+13:45) on 27 Sep 2026.
    sydney = rhythm(weekday=SU, start_time=time(2, 30), tz="Australia/Sydney", start_date=date(2026, 10, 4))
    assert occurrences(sydney, utc(2026, 10, 1), utc(2026, 10, 5))[0].start == utc(2026, 10, 3, 16, 30)
    chatham = rhythm(weekday=SU, start_time=time(3, 0), tz="Pacific/Chatham", start_date=date(2026, 9, 27))
    assert occurrences(chatham, utc(2026, 9, 25), utc(2026, 9, 28))[0].start == utc(2026, 9, 26, 14, 15)


# --------------------------------------------------------------------------- exceptions


def tuesdays() -> Rhythm:
    return rhythm(weekday=TU)  # 19:00 Madrid = 18:00 UTC in winter


JAN = (utc(2026, 1, 1), utc(2026, 2, 1))


def test_cancelled_occurrence_is_included_and_marked() -> None:
    found = occurrences(tuesdays(), *JAN, changes=(Change(key=utc(2026, 1, 13, 18), cancelled=True),))
    assert [(o.start.day, o.cancelled) for o in found] == [(6, False), (13, True), (20, False), (27, False)]


def test_move_to_another_day_inside_the_window() -> None:
    move = Change(key=utc(2026, 1, 13, 18), new_start=utc(2026, 1, 22, 17))
    found = occurrences(tuesdays(), *JAN, changes=(move,))
    assert [o.start for o in found] == [
        utc(2026, 1, 6, 18),
        utc(2026, 1, 20, 18),
        utc(2026, 1, 22, 17),
        utc(2026, 1, 27, 18),
    ]
    moved = found[2]
    assert moved.key == utc(2026, 1, 13, 18) and moved.moved and not moved.cancelled
    assert moved.end == utc(2026, 1, 22, 18, 30)


def test_move_out_of_the_window() -> None:
    move = Change(key=utc(2026, 1, 27, 18), new_start=utc(2026, 2, 2, 18))
    found = occurrences(tuesdays(), *JAN, changes=(move,))
    assert [o.start.day for o in found] == [6, 13, 20]
    february = occurrences(tuesdays(), utc(2026, 2, 1), utc(2026, 2, 3), changes=(move,))
    assert [(o.key, o.start, o.moved) for o in february] == [
        (utc(2026, 1, 27, 18), utc(2026, 2, 2, 18), True)
    ]


def test_move_into_the_window_from_far_away() -> None:
    # The key is a meeting two years later than the window.
    key = utc(2028, 1, 4, 18)  # a Tuesday 19:00 Madrid
    move = Change(key=key, new_start=utc(2026, 1, 8, 10), new_duration_minutes=30)
    found = occurrences(tuesdays(), *JAN, changes=(move,))
    assert [o.start for o in found][1] == utc(2026, 1, 8, 10)
    assert found[1] == Occurrence(key, utc(2026, 1, 8, 10), utc(2026, 1, 8, 10, 30), moved=True)
    # ... and no longer at its own place.
    assert key not in [o.start for o in occurrences(tuesdays(), utc(2028, 1, 1), utc(2028, 1, 10), (move,))]


def test_unknown_keys_are_ignored() -> None:
    changes = (
        Change(key=utc(2026, 1, 13, 17), cancelled=True),  # an hour off
        Change(key=utc(2026, 1, 14, 18), new_start=utc(2026, 1, 15, 18)),  # a Wednesday
        Change(key=utc(2025, 12, 30, 18), new_start=utc(2026, 1, 16, 18)),  # before start_date
    )
    assert occurrences(tuesdays(), *JAN, changes=changes) == occurrences(tuesdays(), *JAN)


def test_change_keys_in_any_zone_and_the_last_change_counts() -> None:
    madrid = datetime(2026, 1, 13, 19, tzinfo=ZoneInfo("Europe/Madrid"))
    changes = (Change(key=madrid, cancelled=True), Change(key=utc(2026, 1, 13, 18), new_duration_minutes=60))
    found = occurrences(tuesdays(), *JAN, changes=changes)
    assert found[1] == Occurrence(utc(2026, 1, 13, 18), utc(2026, 1, 13, 18), utc(2026, 1, 13, 19))


def test_moved_and_cancelled() -> None:
    change = Change(key=utc(2026, 1, 13, 18), cancelled=True, new_start=utc(2026, 1, 14, 18))
    found = occurrences(tuesdays(), *JAN, changes=(change,))
    assert [(o.start.day, o.cancelled, o.moved) for o in found][1] == (14, True, True)


def test_moved_to_its_own_start_is_not_moved() -> None:
    change = Change(key=utc(2026, 1, 13, 18), new_start=utc(2026, 1, 13, 18))
    assert not any(o.moved for o in occurrences(tuesdays(), *JAN, changes=(change,)))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        occurrences(tuesdays(), datetime(2026, 1, 1), utc(2026, 2, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        next_occurrence(tuesdays(), datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        occurrences(tuesdays(), *JAN, changes=(Change(key=datetime(2026, 1, 13, 18)),))  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        naive = datetime(2026, 1, 14)  # noqa: DTZ001
        occurrences(tuesdays(), *JAN, changes=(Change(key=utc(2026, 1, 13, 18), new_start=naive),))
    with pytest.raises(ValueError, match="positive"):
        occurrences(tuesdays(), *JAN, changes=(Change(key=utc(2026, 1, 13, 18), new_duration_minutes=0),))


# --------------------------------------------------------------------------- next_occurrence


def test_next_occurrence_during_a_meeting_is_that_meeting() -> None:
    during = next_occurrence(tuesdays(), utc(2026, 1, 13, 19))  # started at 18:00, ends 19:30
    assert during is not None and during.start == utc(2026, 1, 13, 18)
    at_the_end = next_occurrence(tuesdays(), utc(2026, 1, 13, 19, 30))  # end > after, strictly
    assert at_the_end is not None and at_the_end.start == utc(2026, 1, 20, 18)


def test_next_occurrence_before_start_date_is_the_first() -> None:
    first = next_occurrence(rhythm(weekday=TU, start_date=date(2030, 5, 1)), utc(2026, 1, 1))
    assert first is not None and first.start == utc(2030, 5, 7, 17)


def test_next_occurrence_after_the_end_date_is_none() -> None:
    r = rhythm(weekday=TU, end_date=date(2026, 1, 20))
    assert next_occurrence(r, utc(2026, 1, 20, 19, 29)) is not None
    assert next_occurrence(r, utc(2026, 1, 20, 19, 30)) is None
    assert next_occurrence(r, utc(2040, 1, 1)) is None


def test_next_occurrence_skips_cancelled_unless_asked() -> None:
    cancel = (Change(key=utc(2026, 1, 13, 18), cancelled=True),)
    skipped = next_occurrence(tuesdays(), utc(2026, 1, 7), cancel)
    assert skipped is not None and skipped.start == utc(2026, 1, 20, 18)
    kept = next_occurrence(tuesdays(), utc(2026, 1, 7), cancel, include_cancelled=True)
    assert kept is not None and kept.cancelled and kept.start == utc(2026, 1, 13, 18)


def test_next_occurrence_all_remaining_cancelled_is_none() -> None:
    r = rhythm(weekday=TU, end_date=date(2026, 1, 20))
    cancel = tuple(Change(key=utc(2026, 1, d, 18), cancelled=True) for d in (13, 20))
    assert next_occurrence(r, utc(2026, 1, 7), cancel) is None


def test_next_occurrence_finds_moves() -> None:
    earlier = (Change(key=utc(2026, 1, 20, 18), new_start=utc(2026, 1, 8, 9)),)
    found = next_occurrence(tuesdays(), utc(2026, 1, 7), earlier)
    assert found is not None and found.start == utc(2026, 1, 8, 9) and found.key == utc(2026, 1, 20, 18)
    # Moved two years past the end of the rhythm, beyond any look-ahead.
    r = rhythm(weekday=TU, end_date=date(2026, 1, 20))
    far = (Change(key=utc(2026, 1, 20, 18), new_start=utc(2028, 3, 1, 9)),)
    found = next_occurrence(r, utc(2026, 1, 14), far)
    assert found is not None and found.start == utc(2028, 3, 1, 9)
    # A long moved meeting still running is found from its new start, even before start_date.
    before = (Change(key=utc(2026, 1, 6, 18), new_start=utc(2025, 12, 30, 10), new_duration_minutes=480),)
    found = next_occurrence(tuesdays(), utc(2025, 12, 30, 17), before)
    assert found is not None and found.start == utc(2025, 12, 30, 10)


def test_next_occurrence_of_a_sparse_custom_rule() -> None:
    leap = rhythm(Kind.RRULE, rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29")
    found = next_occurrence(leap, utc(2029, 1, 1))
    assert found is not None and found.start == utc(2032, 2, 29, 18)


def test_next_occurrence_of_a_counted_rule_after_its_last() -> None:
    r = rhythm(Kind.RRULE, rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=2")
    assert next_occurrence(r, utc(2026, 1, 13, 19)) is not None
    assert next_occurrence(r, utc(2026, 1, 13, 19, 30)) is None


# --------------------------------------------------------------------------- to_rrule


@pytest.mark.parametrize(
    ("r", "text"),
    [
        (rhythm(weekday=TU), "FREQ=WEEKLY;BYDAY=TU"),
        (rhythm(Kind.FORTNIGHTLY, weekday=SU), "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU;WKST=MO"),
        (rhythm(Kind.MONTHLY_NTH, weekday=TU, nth=2), "FREQ=MONTHLY;BYDAY=2TU"),
        (rhythm(Kind.MONTHLY_NTH, weekday=FR, nth=-1), "FREQ=MONTHLY;BYDAY=-1FR"),
        (rhythm(Kind.MONTHLY_DAY, monthday=15), "FREQ=MONTHLY;BYMONTHDAY=15"),
        (rhythm(Kind.MONTHLY_DAY, monthday=30), "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1"),
        (rhythm(Kind.MONTHLY_DAY, monthday=31), "FREQ=MONTHLY;BYMONTHDAY=-1"),
        (rhythm(Kind.RRULE, rrule="rrule:freq=weekly;byday=th,tu;"), "FREQ=WEEKLY;BYDAY=TU,TH"),
        (rhythm(Kind.RRULE, rrule="FREQ=WEEKLY", start_date=date(2026, 1, 7)), "FREQ=WEEKLY;BYDAY=WE"),
        (rhythm(Kind.RRULE, rrule="FREQ=YEARLY;INTERVAL=2"), "FREQ=YEARLY;INTERVAL=2;BYMONTH=1;BYMONTHDAY=1"),
        (
            rhythm(Kind.RRULE, rrule="FREQ=MONTHLY;BYDAY=-1FR,1MO;BYSETPOS=1;WKST=SU"),
            "FREQ=MONTHLY;BYDAY=1MO,-1FR;BYSETPOS=1;WKST=SU",
        ),
        # UNTIL: the UTC start of a meeting on the end date (19:00 CEST = 17:00Z).
        (rhythm(weekday=TU, end_date=date(2026, 6, 30)), "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260630T170000Z"),
        (
            rhythm(weekday=TU, end_date=date(2026, 6, 30), tz="America/New_York"),
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260630T230000Z",
        ),
    ],
)
def test_to_rrule(r: Rhythm, text: str) -> None:
    assert to_rrule(r) == text


def test_first_local_start() -> None:
    r = rhythm(weekday=SU, start_time=time(2, 30), start_date=date(2026, 3, 24))
    first = first_local_start(r)
    # The nominal wall time on the first day, even when that day skips it (a feed's DTSTART).
    assert first == datetime(2026, 3, 29, 2, 30, tzinfo=ZoneInfo("Europe/Madrid"))
    assert (
        first is not None
        and first.astimezone(UTC) == occurrences(r, *(utc(2026, 3, 1), utc(2026, 4, 1)))[0].key
    )
    assert (
        first_local_start(rhythm(weekday=SU, start_date=date(2026, 3, 24), end_date=date(2026, 3, 28)))
        is None
    )


# --------------------------------------------------------------------------- errors

ERROR_CASES: dict[str, Rhythm] = {
    "kind_invalid": rhythm("yearly", weekday=MO),
    "duration_invalid": rhythm(weekday=MO, duration_minutes=14),
    "timezone_unknown": rhythm(weekday=MO, tz="Europe/Atlantis"),
    "end_before_start": rhythm(weekday=MO, end_date=date(2025, 12, 31)),
    "weekday_required": rhythm(Kind.FORTNIGHTLY),
    "weekday_invalid": rhythm(weekday=7),
    "nth_invalid": rhythm(Kind.MONTHLY_NTH, weekday=MO, nth=5),
    "monthday_invalid": rhythm(Kind.MONTHLY_DAY, monthday=32),
    "rrule_required": rhythm(Kind.RRULE, rrule="  "),
    "rrule_invalid": rhythm(Kind.RRULE, rrule="FREQ=WEEKLY;BYDAY=XX"),
    "rrule_interval_invalid": rhythm(Kind.RRULE, rrule="FREQ=DAILY;INTERVAL=53"),
    "rrule_count_invalid": rhythm(Kind.RRULE, rrule="FREQ=DAILY;COUNT=1001"),
    "rrule_unsupported:FREQ": rhythm(Kind.RRULE, rrule="FREQ=HOURLY"),
    "rrule_unsupported:BYDAY": rhythm(Kind.RRULE, rrule="FREQ=MONTHLY;BYDAY=MO,2TU"),
    "rrule_unsupported:BYSETPOS": rhythm(Kind.RRULE, rrule="FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=1"),
    "rrule_unsupported:BYHOUR": rhythm(Kind.RRULE, rrule="FREQ=DAILY;BYHOUR=9"),
    "rrule_unsupported:BYMINUTE": rhythm(Kind.RRULE, rrule="FREQ=DAILY;BYMINUTE=30"),
    "rrule_unsupported:BYSECOND": rhythm(Kind.RRULE, rrule="FREQ=DAILY;BYSECOND=0"),
    "rrule_unsupported:BYWEEKNO": rhythm(Kind.RRULE, rrule="FREQ=YEARLY;BYWEEKNO=20"),
    "rrule_unsupported:BYYEARDAY": rhythm(Kind.RRULE, rrule="FREQ=YEARLY;BYYEARDAY=100"),
    "rrule_unsupported:RSCALE": rhythm(Kind.RRULE, rrule="RSCALE=HEBREW;FREQ=YEARLY"),
    "rrule_unsupported:SKIP": rhythm(Kind.RRULE, rrule="FREQ=MONTHLY;SKIP=FORWARD"),
    "no_occurrences": rhythm(Kind.RRULE, rrule="FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30"),
}


def test_every_error_code_is_listed_and_tested() -> None:
    assert set(ERROR_CASES) == set(ERROR_CODES)
    assert len(ERROR_CODES) == len(set(ERROR_CODES))


@pytest.mark.parametrize("code", list(ERROR_CASES))
def test_error_code(code: str) -> None:
    with pytest.raises(ScheduleError) as error:
        validate(ERROR_CASES[code])
    assert error.value.code == code and str(error.value) == code


@pytest.mark.parametrize("code", [c for c in ERROR_CASES if c != "no_occurrences"])
def test_expansion_refuses_what_validate_refuses(code: str) -> None:
    for call in (
        lambda r: occurrences(r, *JAN),
        lambda r: next_occurrence(r, utc(2026, 1, 1)),
        to_rrule,
        first_local_start,
    ):
        with pytest.raises(ScheduleError) as error:
            call(ERROR_CASES[code])
        assert error.value.code == code


@pytest.mark.parametrize(
    ("r", "code"),
    [
        (rhythm(weekday=MO, duration_minutes=481), "duration_invalid"),
        (rhythm(weekday=MO, duration_minutes=True), "duration_invalid"),
        (rhythm(weekday=MO, tz=""), "timezone_unknown"),
        (rhythm(weekday=MO, tz="../etc/passwd"), "timezone_unknown"),
        (rhythm(weekday=MO, tz="Europe"), "timezone_unknown"),
        (rhythm(Kind.WEEKLY), "weekday_required"),
        (rhythm(Kind.MONTHLY_NTH, nth=1), "weekday_required"),
        (rhythm(weekday=-1), "weekday_invalid"),
        (rhythm(Kind.MONTHLY_NTH, weekday=MO), "nth_invalid"),
        (rhythm(Kind.MONTHLY_DAY), "monthday_invalid"),
        (rhythm(Kind.MONTHLY_DAY, monthday=0), "monthday_invalid"),
        (rhythm(Kind.RRULE), "rrule_required"),
        # A rhythm whose end date comes before its first meeting meets never.
        (rhythm(weekday=MO, start_date=date(2026, 1, 6), end_date=date(2026, 1, 11)), "no_occurrences"),
        (rhythm(Kind.RRULE, rrule="FREQ=DAILY;UNTIL=20251231"), "no_occurrences"),
    ],
)
def test_more_errors(r: Rhythm, code: str) -> None:
    with pytest.raises(ScheduleError) as error:
        validate(r)
    assert error.value.code == code


@pytest.mark.parametrize(
    "r",
    [
        rhythm(weekday=MO, duration_minutes=15),
        rhythm(weekday=SU, duration_minutes=480),
        rhythm(Kind.MONTHLY_NTH, weekday=MO, nth=-1),
        rhythm(Kind.MONTHLY_DAY, monthday=1, weekday=99),  # fields of other kinds are ignored
        rhythm(Kind.RRULE, rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),  # within ten years
        rhythm(weekday=MO, tz="UTC", end_date=date(2026, 1, 5)),
    ],
)
def test_valid_rhythms(r: Rhythm) -> None:
    validate(r)


# --------------------------------------------------------------------------- parse_rrule


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("FREQ=WEEKLY", {"FREQ": "WEEKLY", "INTERVAL": 1, "WKST": 0}),
        (
            "RRULE:freq=monthly;byday=2tu,-1fr;interval=2",
            {"FREQ": "MONTHLY", "INTERVAL": 2, "WKST": 0, "BYDAY": ((2, 1), (-1, 4))},
        ),
        (
            " FREQ=MONTHLY;BYMONTHDAY=-1,15,15;BYSETPOS=-1;BYMONTH=+12,1;WKST=SU; ",
            {
                "FREQ": "MONTHLY",
                "INTERVAL": 1,
                "WKST": 6,
                "BYMONTHDAY": (-1, 15),
                "BYSETPOS": (-1,),
                "BYMONTH": (1, 12),
            },
        ),
        ("FREQ=DAILY;COUNT=10", {"FREQ": "DAILY", "INTERVAL": 1, "WKST": 0, "COUNT": 10}),
        (
            "FREQ=DAILY;UNTIL=20261231",
            {"FREQ": "DAILY", "INTERVAL": 1, "WKST": 0, "UNTIL": date(2026, 12, 31)},
        ),
        (
            "FREQ=DAILY;UNTIL=20261231T230000Z",
            {"FREQ": "DAILY", "INTERVAL": 1, "WKST": 0, "UNTIL": utc(2026, 12, 31, 23)},
        ),
        ("FREQ=YEARLY;BYDAY=+53MO", {"FREQ": "YEARLY", "INTERVAL": 1, "WKST": 0, "BYDAY": ((53, 0),)}),
        ("FREQ=WEEKLY;INTERVAL=52", {"FREQ": "WEEKLY", "INTERVAL": 52, "WKST": 0}),
    ],
)
def test_parse_rrule_accepts(text: str, parts: dict[str, object]) -> None:
    assert parse_rrule(text) == parts


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "rrule_invalid"),
        ("WEEKLY", "rrule_invalid"),
        ("FREQ=WEEKLY;;BYDAY=MO", "rrule_invalid"),
        ("FREQ=WEEKLY;FREQ=DAILY", "rrule_invalid"),
        ("FREQ=FORTNIGHTLY", "rrule_invalid"),
        ("BYDAY=MO", "rrule_invalid"),  # no FREQ
        ("FREQ=WEEKLY;BYDAY=MO;X-NAME=1", "rrule_invalid"),
        ("FREQ=WEEKLY;BYEASTER=0", "rrule_invalid"),
        ("FREQ=WEEKLY;DTSTART=20260101T190000", "rrule_invalid"),
        ("FREQ=WEEKLY; BYDAY=MO", "rrule_invalid"),
        ("DTSTART:20260101T190000\nRRULE:FREQ=WEEKLY", "rrule_invalid"),
        ("FREQ=WEEKLY;BYDAY=2MO", "rrule_invalid"),  # ordinals only monthly and yearly
        ("FREQ=DAILY;BYDAY=-1FR", "rrule_invalid"),
        ("FREQ=MONTHLY;BYDAY=6MO", "rrule_invalid"),
        ("FREQ=MONTHLY;BYDAY=0MO", "rrule_invalid"),
        ("FREQ=YEARLY;BYDAY=54MO", "rrule_invalid"),
        ("FREQ=MONTHLY;BYDAY=MO,", "rrule_invalid"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "rrule_invalid"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "rrule_invalid"),
        ("FREQ=MONTHLY;BYMONTHDAY=-32", "rrule_invalid"),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "rrule_invalid"),  # RFC 5545: not with WEEKLY
        ("FREQ=MONTHLY;BYMONTH=13", "rrule_invalid"),
        ("FREQ=MONTHLY;BYMONTH=-1", "rrule_invalid"),
        ("FREQ=MONTHLY;BYSETPOS=1", "rrule_invalid"),  # BYSETPOS alone
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0", "rrule_invalid"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=367", "rrule_invalid"),
        ("FREQ=WEEKLY;INTERVAL=two", "rrule_invalid"),
        ("FREQ=WEEKLY;INTERVAL=-1", "rrule_invalid"),
        ("FREQ=WEEKLY;COUNT=ten", "rrule_invalid"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20261231", "rrule_invalid"),  # RFC 5545: not both
        ("FREQ=WEEKLY;UNTIL=20261231T190000", "rrule_invalid"),  # floating, not UTC
        ("FREQ=WEEKLY;UNTIL=20261332", "rrule_invalid"),
        ("FREQ=WEEKLY;UNTIL=2026-12-31", "rrule_invalid"),
        ("FREQ=WEEKLY;WKST=XX", "rrule_invalid"),
        ("FREQ=WEEKLY;BYDAY=" + ",".join(["MO"] * 100), "rrule_invalid"),  # too long
        ("FREQ=WEEKLY;INTERVAL=0", "rrule_interval_invalid"),
        ("FREQ=WEEKLY;INTERVAL=1000", "rrule_interval_invalid"),
        ("FREQ=WEEKLY;COUNT=0", "rrule_count_invalid"),
        ("FREQ=SECONDLY", "rrule_unsupported:FREQ"),
        ("FREQ=MINUTELY", "rrule_unsupported:FREQ"),
        ("FREQ=DAILY;BYSETPOS=1;BYDAY=MO", "rrule_unsupported:BYSETPOS"),
        ("FREQ=YEARLY;BYDAY=MO,-1SU", "rrule_unsupported:BYDAY"),
        ("FREQ=WEEKLY;BYDAY=MO;BYHOUR=19;BYMINUTE=0", "rrule_unsupported:BYHOUR"),
    ],
)
def test_parse_rrule_refuses(text: str, code: str) -> None:
    with pytest.raises(ScheduleError) as error:
        parse_rrule(text)
    assert error.value.code == code


# --------------------------------------------------------------------------- bounded work


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",  # never
        "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31",  # never
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",  # from 2026: never (2026 + 4k is not leap)
        "FREQ=MONTHLY;BYDAY=5FR;BYMONTH=2;BYSETPOS=2",  # never: one day per period at most
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31;COUNT=1000",
    ],
)
def test_rules_that_never_meet_terminate(text: str) -> None:
    r = rhythm(Kind.RRULE, rrule=text)
    assert occurrences(r, utc(2026, 1, 1), utc(2028, 1, 1)) == []
    assert occurrences(r, utc(2300, 1, 1), utc(2302, 1, 1)) == []
    assert next_occurrence(r, utc(2026, 1, 1)) is None
    with pytest.raises(ScheduleError, match="no_occurrences"):
        validate(r)
    assert first_local_start(r) is None


def test_rare_rules_terminate() -> None:
    r = rhythm(Kind.RRULE, rrule="FREQ=MONTHLY;BYMONTHDAY=31;BYDAY=MO")  # months whose 31st is a Monday
    assert year_2026(r) == [date(2026, 8, 31)]
    r = rhythm(Kind.RRULE, rrule="FREQ=YEARLY;BYDAY=53TH")  # years with 53 Thursdays
    assert local_days(r, utc(2026, 1, 1), utc(2033, 1, 1)) == [date(2026, 12, 31), date(2032, 12, 30)]


def counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    calls = [0]
    original = getattr(schedule, name)

    def counted(*args: object) -> object:
        calls[0] += 1
        return original(*args)

    monkeypatch.setattr(schedule, name, counted)
    return calls


def test_simple_kinds_jump_to_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    utc_calls = counting(monkeypatch, "_utc")
    nth_calls = counting(monkeypatch, "_nth_weekday")
    window = (utc(2090, 1, 1), utc(2090, 2, 1))
    assert len(occurrences(rhythm(weekday=TU), *window)) == 5
    assert len(occurrences(rhythm(Kind.FORTNIGHTLY, weekday=TU), *window)) in (2, 3)
    assert utc_calls[0] <= 12  # keys computed around the window only, not since 2026
    assert len(occurrences(rhythm(Kind.MONTHLY_NTH, weekday=TU, nth=2), *window)) == 1
    assert nth_calls[0] <= 3


def test_custom_rules_iterate_from_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = counting(monkeypatch, "_matches")
    found = occurrences(rhythm(Kind.RRULE, rrule="FREQ=DAILY;INTERVAL=3"), utc(2090, 1, 1), utc(2090, 2, 1))
    assert len(found) in (10, 11)
    assert calls[0] <= 20  # days of the window (and its margins) only
