"""Local weekly availability -> UTC hour-of-week of a reference week.

Why a reference week: a group meets at one local time every week, but its UTC time moves when
either the group's or a member's zone changes daylight-saving time.  The engine therefore
matches for one concrete week (normally the week of the first meeting): hour-of-week 0 is
Monday 00:00 UTC of that week.  Callers convert each person's local availability for that week
with :func:`local_availability_to_utc`.

Rules, chosen so that a person is never proposed a time they did not offer:

* A UTC hour counts as available only if the whole hour lies inside the person's local
  availability.  This matters for zones with 30/45-minute offsets (India, Nepal, ...).
* A local hour that does not exist (spring-forward gap) contributes nothing.
* A local hour that occurs twice (fall-back) contributes both occurrences.
* Hours falling before Monday 00:00 UTC or after Sunday 24:00 UTC wrap around the week: the
  meeting recurs weekly, so Sunday 23:00 UTC of the previous week is hour 167.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

HOURS_PER_WEEK = 168
_QUARTERS = HOURS_PER_WEEK * 4


def _check_monday(reference_monday: date) -> datetime:
    if reference_monday.weekday() != 0:
        raise ValueError(f"reference week must start on a Monday, got {reference_monday}")
    return datetime(reference_monday.year, reference_monday.month, reference_monday.day, tzinfo=UTC)


def _local_instants(wall: datetime, tz: ZoneInfo) -> list[datetime]:
    """All real UTC instants whose wall-clock time in ``tz`` is ``wall`` (0, 1 or 2 of them)."""
    out = []
    for fold in (0, 1):
        aware = wall.replace(tzinfo=tz, fold=fold)
        utc = aware.astimezone(UTC)
        if utc.astimezone(tz).replace(tzinfo=None) == wall and utc not in out:
            out.append(utc)
    return out


def local_availability_to_utc(
    local_slots: Iterable[tuple[int, int]], tz: str, reference_monday: date
) -> frozenset[int]:
    """Convert local ``(weekday, hour)`` slots (Monday = 0) to UTC hours-of-week.

    ``local_slots`` are one-hour blocks of wall-clock time in ``tz`` during the week starting
    on ``reference_monday`` (local dates).
    """
    start = _check_monday(reference_monday)
    zone = ZoneInfo(tz)
    quarters: set[int] = set()
    for weekday, hour in local_slots:
        if not (0 <= weekday < 7 and 0 <= hour < 24):
            raise ValueError(f"bad local slot {(weekday, hour)}")
        base = datetime(reference_monday.year, reference_monday.month, reference_monday.day) + timedelta(  # noqa: DTZ001 - wall clock
            days=weekday, hours=hour
        )
        for q in range(4):
            for inst in _local_instants(base + timedelta(minutes=15 * q), zone):
                minutes = int((inst - start).total_seconds()) // 60
                quarters.add((minutes // 15) % _QUARTERS)
    return frozenset(h for h in range(HOURS_PER_WEEK) if all(4 * h + q in quarters for q in range(4)))


def local_slot_to_utc(weekday: int, hour: int, tz: str, reference_monday: date) -> int:
    """UTC hour-of-week of a group meeting at local ``weekday``/``hour`` in the reference week.

    Raises ``ValueError`` if that local time does not exist, is ambiguous, or does not start on
    a whole UTC hour (30/45-minute zones): the engine's slots are whole UTC hours.
    """
    start = _check_monday(reference_monday)
    wall = datetime(reference_monday.year, reference_monday.month, reference_monday.day) + timedelta(  # noqa: DTZ001 - wall clock
        days=weekday, hours=hour
    )
    inst = _local_instants(wall, ZoneInfo(tz))
    if len(inst) != 1:
        raise ValueError(f"local time {wall} in {tz} is {'ambiguous' if inst else 'nonexistent'}")
    minutes = int((inst[0] - start).total_seconds()) // 60
    if minutes % 60:
        raise ValueError(f"local time {wall} in {tz} does not start on a whole UTC hour")
    return (minutes // 60) % HOURS_PER_WEEK


def utc_slot_to_local(slot: int, tz: str, reference_monday: date) -> datetime:
    """Local wall-clock start of UTC hour-of-week ``slot`` (to show a proposal to a person)."""
    start = _check_monday(reference_monday)
    return (start + timedelta(hours=slot % HOURS_PER_WEEK)).astimezone(ZoneInfo(tz))


def utc_offset_minutes(tz: str, reference_monday: date) -> int:
    """Offset of ``tz`` from UTC at the middle of the reference week (for cohesion only)."""
    mid = _check_monday(reference_monday) + timedelta(days=3, hours=12)
    off = mid.astimezone(ZoneInfo(tz)).utcoffset()
    return int(off.total_seconds()) // 60 if off is not None else 0
