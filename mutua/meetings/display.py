"""How meetings read on a page: times in a zone, the rhythm in words, the commitment chart's bars.

No database here: the pages and the API pass in what the selectors read. Times are always shown in
the group's zone, and also in the viewer's when the two differ (a member abroad, or one whose
profile names another zone)."""

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from mutua.meetings.schedule import Kind, Occurrence, Rhythm
from mutua.meetings.selectors import Turnout

# "the first Tuesday": Italian needs the feminine for Sunday ("la prima domenica"), so Sunday has its
# own context; English, Spanish and Catalan say the same for every day.
NTH: dict[int, Promise] = {
    1: pgettext_lazy("before a weekday", "the first"),
    2: pgettext_lazy("before a weekday", "the second"),
    3: pgettext_lazy("before a weekday", "the third"),
    4: pgettext_lazy("before a weekday", "the fourth"),
    -1: pgettext_lazy("before a weekday", "the last"),
}
NTH_SUNDAY: dict[int, Promise] = {
    1: pgettext_lazy("before Sunday", "the first"),
    2: pgettext_lazy("before Sunday", "the second"),
    3: pgettext_lazy("before Sunday", "the third"),
    4: pgettext_lazy("before Sunday", "the fourth"),
    -1: pgettext_lazy("before Sunday", "the last"),
}
# Labels for the schedule form's "which week" choice.
NTH_CHOICES: list[tuple[int, Promise]] = [
    (1, gettext_lazy("First")),
    (2, gettext_lazy("Second")),
    (3, gettext_lazy("Third")),
    (4, gettext_lazy("Fourth")),
    (-1, gettext_lazy("Last")),
]


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def zone_city(name: str) -> str:
    """ "Europe/Madrid" → "Madrid", "America/Argentina/Buenos_Aires" → "Buenos Aires"."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def viewer_zone(user_zone: str, group_zone: str) -> str:
    """The zone the viewer reads times in: their profile's, or the group's when they chose none."""
    return user_zone or group_zone


def day_and_time(moment: datetime, tz: str) -> str:
    """ "Tuesday, Dec. 8, 2026, 19:00" in the reader's language, in zone `tz`."""
    local = moment.astimezone(zone(tz))
    return f"{date_format(local, 'l')}, {date_format(local, 'DATE_FORMAT')}, {local:%H:%M}"


def span(start: datetime, end: datetime, tz: str) -> str:
    """ "Tuesday, Dec. 8, 2026, 19:00–20:30" (the end's date too when it falls on another day)."""
    local_end = end.astimezone(zone(tz))
    if local_end.date() == start.astimezone(zone(tz)).date():
        return f"{day_and_time(start, tz)}–{local_end:%H:%M}"
    return f"{day_and_time(start, tz)} – {day_and_time(end, tz)}"


@dataclass(frozen=True)
class When:
    """One meeting's time as the viewer reads it."""

    group: str  # in the group's zone
    group_zone: str  # "Madrid"
    viewer: str  # in the viewer's zone ("" when it is the same zone)
    viewer_zone: str

    @property
    def differs(self) -> bool:
        return bool(self.viewer)


def when(occ: Occurrence, *, group_tz: str, viewer_tz: str) -> When:
    group = span(occ.start, occ.end, group_tz)
    mine = span(occ.start, occ.end, viewer_tz)
    # Two zones that read the same clock (Madrid and Paris) show the time once.
    return When(
        group=group,
        group_zone=zone_city(group_tz),
        viewer=mine if mine != group else "",
        viewer_zone=zone_city(viewer_tz),
    )


def rhythm_words(rhythm: Rhythm | None) -> str:
    """The rhythm as a sentence: "Every week on Tuesday at 19:00 (Madrid time)"."""
    if rhythm is None:
        return _("No meeting time yet")
    params: dict[str, object] = {"time": f"{rhythm.start_time:%H:%M}", "zone": zone_city(rhythm.tz)}
    if rhythm.weekday is not None and 0 <= rhythm.weekday <= 6:
        params["weekday"] = WEEKDAYS[rhythm.weekday]
    if rhythm.kind == Kind.WEEKLY and "weekday" in params:
        return _("Every week on %(weekday)s at %(time)s (%(zone)s time)") % params
    if rhythm.kind == Kind.FORTNIGHTLY and "weekday" in params:
        return _("Every two weeks on %(weekday)s at %(time)s (%(zone)s time)") % params
    if rhythm.kind == Kind.MONTHLY_NTH and "weekday" in params and rhythm.nth in NTH:
        nth = (NTH_SUNDAY if rhythm.weekday == 6 else NTH)[rhythm.nth]
        return _("Monthly on %(nth)s %(weekday)s at %(time)s (%(zone)s time)") % {**params, "nth": nth}
    if rhythm.kind == Kind.MONTHLY_DAY and rhythm.monthday is not None:
        params["day"] = rhythm.monthday
        if rhythm.monthday > 28:
            return (
                _("Monthly on day %(day)s (or the last day of a shorter month) at %(time)s (%(zone)s time)")
                % params
            )
        return _("Monthly on day %(day)s at %(time)s (%(zone)s time)") % params
    return _("A custom schedule, starting at %(time)s (%(zone)s time)") % params


def duration_words(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not rest:
        return _("%(n)s h") % {"n": hours}
    if not hours:
        return _("%(n)s min") % {"n": rest}
    return _("%(h)s h %(m)s min") % {"h": hours, "m": rest}


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    present: int
    label: str  # the meeting's date, for the table and the bar's title


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    top: int  # the value the full height stands for
    baseline: int  # y of the axis


CHART_HEIGHT = 120
CHART_BAR = 18
CHART_GAP = 8


def commitment_chart(turnout: Sequence[Turnout], *, group_tz: str, members: int) -> Chart:
    """Bars for "how many were present" at each past meeting, scaled to the group's size (or the
    largest count, if more people once checked in than are members now). Counts only, never names."""
    top = max([members, 1, *(t.present for t in turnout)])
    bars = []
    for i, t in enumerate(turnout):
        height = round(CHART_HEIGHT * t.present / top)
        local = t.start.astimezone(zone(group_tz))
        bars.append(
            Bar(
                x=i * (CHART_BAR + CHART_GAP) + CHART_GAP,
                y=CHART_HEIGHT - height,
                width=CHART_BAR,
                height=height,
                present=t.present,
                label=date_format(local, "SHORT_DATE_FORMAT"),
            )
        )
    width = max(len(bars), 1) * (CHART_BAR + CHART_GAP) + CHART_GAP
    return Chart(bars=bars, width=width, height=CHART_HEIGHT, top=top, baseline=CHART_HEIGHT)
