"""How meetings read on a page: times in a zone, the rhythm in words, the commitment chart's bars.
Words for dates, times and rhythms come from `meetings.describe` (shared with the directory).

No database here: the pages and the API pass in what the selectors read. Times are always shown in
the group's zone, and also in the viewer's when the two differ (a member abroad, or one whose
profile names another zone)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutua.core.i18n import zone_of
from mutua.meetings.describe import describe_rhythm, format_date, format_time, no_rhythm_text, zone_place
from mutua.meetings.schedule import Occurrence, Rhythm
from mutua.meetings.selectors import Turnout

# Labels for the schedule form's "which week" choice.
NTH_CHOICES: list[tuple[int, Promise]] = [
    (1, gettext_lazy("First")),
    (2, gettext_lazy("Second")),
    (3, gettext_lazy("Third")),
    (4, gettext_lazy("Fourth")),
    (-1, gettext_lazy("Last")),
]


# A zone for a stored name, UTC when unknown: the one definition is `core.i18n.zone_of`.
zone = zone_of


def zone_city(name: str) -> str:
    """ "Europe/Madrid" → "Madrid", "America/Argentina/Buenos_Aires" → "Buenos Aires"."""
    return zone_place(name)


def viewer_zone(user_zone: str, group_zone: str) -> str:
    """The zone the viewer reads times in: their profile's, or the group's when they chose none."""
    return user_zone or group_zone


def day_and_time(moment: datetime, tz: str) -> str:
    """ "Tuesday 8 December, 19:00" in the reader's language, on the clock of zone `tz` (the words of
    `meetings.describe`, shared with the directory and the public page)."""
    local = moment.astimezone(zone(tz))
    return _("%(date)s, %(time)s") % {"date": format_date(local.date()), "time": format_time(local)}


def span(start: datetime, end: datetime, tz: str) -> str:
    """ "Tuesday 8 December, 19:00–20:30" (the end's date too when it falls on another day)."""
    local_end = end.astimezone(zone(tz))
    if local_end.date() == start.astimezone(zone(tz)).date():
        return f"{day_and_time(start, tz)}–{format_time(local_end)}"
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
    """The rhythm in a sentence, on the group's clock, naming its zone: "Every week on Tuesday at 19:00
    (Madrid time)". The words are `meetings.describe`'s, the one place that says when a group meets."""
    if rhythm is None:
        return no_rhythm_text()
    return _("%(rhythm)s (%(place)s time)") % {
        "rhythm": describe_rhythm(rhythm),
        "place": zone_place(rhythm.tz),
    }


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

    @property
    def any(self) -> bool:
        """Somebody checked in at one of the meetings (an all-empty chart says nothing)."""
        return any(bar.present for bar in self.bars)


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
                label=format_date(local.date(), weekday=False),
            )
        )
    width = max(len(bars), 1) * (CHART_BAR + CHART_GAP) + CHART_GAP
    return Chart(bars=bars, width=width, height=CHART_HEIGHT, top=top, baseline=CHART_HEIGHT)
