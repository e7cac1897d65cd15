"""A small group with a rhythm whose meeting starts when a test needs it."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from conftest import join
from mutua.circles import services as circle_services
from mutua.circles.models import Circle
from mutua.meetings.schedule import Kind, Rhythm


def minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def soon(minutes: int) -> datetime:
    """A whole-minute UTC moment `minutes` from now (negative: in the past)."""
    return minute(timezone.now() + timedelta(minutes=minutes)).astimezone(ZoneInfo("UTC"))


def weekly_at(start: datetime, tz: str = "Europe/Madrid", duration: int = 90) -> Rhythm:
    """A weekly rhythm one of whose meetings starts exactly at `start` (its first one, from that day)."""
    local = start.astimezone(ZoneInfo(tz))
    return Rhythm(
        kind=Kind.WEEKLY,
        start_date=local.date() - timedelta(weeks=20),
        start_time=local.time().replace(second=0, microsecond=0, tzinfo=None),
        duration_minutes=duration,
        tz=tz,
        weekday=local.weekday(),
    )


@dataclass
class Group:
    circle: Circle
    founder: Any
    ana: Any
    ben: Any
    key: datetime  # the meeting the test is about

    def reload(self) -> Circle:
        self.circle.refresh_from_db()
        return self.circle


@pytest.fixture
def group_at(make_circle: Any, make_user: Any) -> Any:
    """`group_at(minutes)`: a hybrid group of three whose weekly meeting starts `minutes` from now."""

    def make(minutes: int = 10, tz: str = "Europe/Madrid", duration: int = 90, **circle: Any) -> Group:
        founder = make_user(timezone=tz)
        c = make_circle(founder=founder, mode=circle.pop("mode", "hybrid"), **circle)
        ana, ben = make_user(timezone=tz), make_user(timezone=tz)
        join(c, ana, "Ana")
        join(c, ben, "Ben")
        key = soon(minutes)
        circle_services.circle_schedule_set(circle=c, rhythm=weekly_at(key, tz, duration), user=founder)
        c.refresh_from_db()
        return Group(circle=c, founder=founder, ana=ana, ben=ben, key=key)

    return make
