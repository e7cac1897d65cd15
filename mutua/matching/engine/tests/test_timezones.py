"""Local availability -> UTC hour-of-week, across daylight-saving transitions."""

from datetime import date

import pytest

from mutua.matching.engine.timezones import (
    local_availability_to_utc,
    local_slot_to_utc,
    utc_offset_minutes,
    utc_slot_to_local,
)

MON = 0
SUN = 6


def test_berlin_winter_and_summer_weeks_differ_by_one_hour():
    # Monday 19:00 in Berlin is 18:00 UTC in winter (CET) and 17:00 UTC in summer (CEST).
    assert local_availability_to_utc([(MON, 19)], "Europe/Berlin", date(2026, 3, 23)) == {18}
    assert local_availability_to_utc([(MON, 19)], "Europe/Berlin", date(2026, 3, 30)) == {17}


def test_week_containing_the_transition_uses_the_offset_of_each_day():
    # 2026-03-29 (Sunday) Berlin switches to CEST at 02:00; Monday is still CET.
    got = local_availability_to_utc([(MON, 19), (SUN, 19)], "Europe/Berlin", date(2026, 3, 23))
    assert got == {18, 6 * 24 + 17}


def test_nonexistent_local_hour_is_dropped():
    assert local_availability_to_utc([(SUN, 2)], "Europe/Berlin", date(2026, 3, 23)) == frozenset()


def test_repeated_local_hour_gives_both_occurrences():
    # 2026-10-25 (Sunday) 02:00-03:00 happens twice in Berlin: 00:00 and 01:00 UTC.
    assert local_availability_to_utc([(SUN, 2)], "Europe/Berlin", date(2026, 10, 19)) == {144, 145}


def test_us_transition_is_on_a_different_date_than_europe():
    # New York switched on 2026-03-08; in the week of 2026-03-23 it is UTC-4, Berlin still UTC+1.
    ny = local_availability_to_utc([(MON, 14)], "America/New_York", date(2026, 3, 23))
    be = local_availability_to_utc([(MON, 19)], "Europe/Berlin", date(2026, 3, 23))
    assert ny == be == {18}
    assert local_availability_to_utc([(MON, 14)], "America/New_York", date(2026, 3, 2)) == {19}


def test_half_hour_zone_keeps_only_whole_utc_hours():
    # Kolkata is UTC+5:30: local 19-21 is 13:30-15:30 UTC, which fully contains only 14:00-15:00.
    assert local_availability_to_utc([(MON, 19), (MON, 20)], "Asia/Kolkata", date(2026, 3, 23)) == {14}
    assert local_availability_to_utc([(MON, 19)], "Asia/Kolkata", date(2026, 3, 23)) == frozenset()


def test_wraps_around_the_week():
    # Monday 00:00 in Tokyo is Sunday 15:00 UTC of the previous week -> hour 159.
    assert local_availability_to_utc([(MON, 0)], "Asia/Tokyo", date(2026, 3, 23)) == {159}


def test_reference_week_must_start_on_monday():
    with pytest.raises(ValueError):
        local_availability_to_utc([(MON, 19)], "UTC", date(2026, 3, 24))
    with pytest.raises(ValueError):
        local_availability_to_utc([(7, 1)], "UTC", date(2026, 3, 23))


def test_group_slot_conversion_and_round_trip():
    ref = date(2026, 3, 30)
    slot = local_slot_to_utc(MON, 19, "Europe/Berlin", ref)
    assert slot == 17
    local = utc_slot_to_local(slot, "Europe/Berlin", ref)
    assert (local.weekday(), local.hour) == (MON, 19)
    with pytest.raises(ValueError):
        local_slot_to_utc(MON, 19, "Asia/Kolkata", ref)  # starts at :30 UTC
    with pytest.raises(ValueError):
        local_slot_to_utc(SUN, 2, "Europe/Berlin", date(2026, 3, 23))  # does not exist


def test_utc_offset_for_cohesion():
    assert utc_offset_minutes("Europe/Berlin", date(2026, 1, 5)) == 60
    assert utc_offset_minutes("Europe/Berlin", date(2026, 7, 6)) == 120
    assert utc_offset_minutes("Asia/Kathmandu", date(2026, 7, 6)) == 345
