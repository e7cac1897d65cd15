"""A group's rhythm and its next meeting in words, in the reader's language. One place for every page
that says when a group meets: the public page, the directory, the API and the members' meetings page.

Weekday names are the catalogue's ("Tuesday": martes, martedì, dimarts, lowercase in es, it and ca, as
they are mid-sentence). Times are on the 24-hour clock without a leading zero ("9:30", "19:00"). The
sentences with a time are plural forms on the hour, so each language can agree its article with it
("a la 1:00" but "a las 19:00"; "all'1:00" but "alle 19:00").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext

from mutua.meetings.schedule import Kind, Rhythm, ScheduleError, parse_rrule

__all__ = ["describe_next", "describe_rhythm", "format_date", "format_time", "no_rhythm_text", "zone_place"]


def _weekday(n: int) -> str:
    return [
        gettext("Monday"),
        gettext("Tuesday"),
        gettext("Wednesday"),
        gettext("Thursday"),
        gettext("Friday"),
        gettext("Saturday"),
        gettext("Sunday"),
    ][n]


def _on_weekday(n: int) -> str:
    # With its article where the language needs one ("el martes", "il martedì", "la domenica").
    return [
        pgettext("on a weekday", "on Monday"),
        pgettext("on a weekday", "on Tuesday"),
        pgettext("on a weekday", "on Wednesday"),
        pgettext("on a weekday", "on Thursday"),
        pgettext("on a weekday", "on Friday"),
        pgettext("on a weekday", "on Saturday"),
        pgettext("on a weekday", "on Sunday"),
    ][n]


def _nth_weekday(nth: int, weekday: int) -> str:
    """The n-th weekday: "the second Tuesday", "the last Sunday". Sunday has its own strings: it is
    feminine in Italian ("la seconda domenica")."""
    name = _weekday(weekday)
    if weekday == 6:
        phrases = {
            1: pgettext("nth Sunday of the month", "the first %(weekday)s"),
            2: pgettext("nth Sunday of the month", "the second %(weekday)s"),
            3: pgettext("nth Sunday of the month", "the third %(weekday)s"),
            4: pgettext("nth Sunday of the month", "the fourth %(weekday)s"),
            5: pgettext("nth Sunday of the month", "the fifth %(weekday)s"),
            -1: pgettext("nth Sunday of the month", "the last %(weekday)s"),
        }
    else:
        phrases = {
            1: pgettext("nth weekday of the month", "the first %(weekday)s"),
            2: pgettext("nth weekday of the month", "the second %(weekday)s"),
            3: pgettext("nth weekday of the month", "the third %(weekday)s"),
            4: pgettext("nth weekday of the month", "the fourth %(weekday)s"),
            5: pgettext("nth weekday of the month", "the fifth %(weekday)s"),
            -1: pgettext("nth weekday of the month", "the last %(weekday)s"),
        }
    return phrases.get(nth, phrases[1]) % {"weekday": name}


def _and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(list)s and %(last)s") % {"list": ", ".join(items[:-1]), "last": items[-1]}


def format_time(moment: time | datetime) -> str:
    """A time as "19:00" or "9:30": the 24-hour clock, as people in all four languages read a meeting time."""
    return f"{moment.hour}:{moment.minute:02d}"


def _day_month(day: date) -> str:
    months = [
        pgettext("day and month", "%(day)s January"),
        pgettext("day and month", "%(day)s February"),
        pgettext("day and month", "%(day)s March"),
        pgettext("day and month", "%(day)s April"),
        pgettext("day and month", "%(day)s May"),
        pgettext("day and month", "%(day)s June"),
        pgettext("day and month", "%(day)s July"),
        pgettext("day and month", "%(day)s August"),
        pgettext("day and month", "%(day)s September"),
        pgettext("day and month", "%(day)s October"),
        pgettext("day and month", "%(day)s November"),
        pgettext("day and month", "%(day)s December"),
    ]
    return months[day.month - 1] % {"day": day.day}


def format_date(day: date, *, weekday: bool = True, year: bool = False) -> str:
    """A date as "Tuesday 8 December" (es "martes 8 de diciembre"); with `year`, "8 December 2026"."""
    text = _day_month(day)
    if year:
        text = gettext("%(day_month)s %(year)s") % {"day_month": text, "year": day.year}
    if weekday:
        text = gettext("%(weekday)s %(day_month)s") % {"weekday": _weekday(day.weekday()), "day_month": text}
    return text


def zone_place(tz: str) -> str:
    """The place a time zone is named after, as people say it: "America/New_York" → "New York"."""
    if tz in ("UTC", "Etc/UTC", "Etc/UCT", "UCT", "Universal", "Zulu"):
        return "UTC"
    return tz.rsplit("/", 1)[-1].replace("_", " ")


def _offset(tz: str, at: datetime) -> object:
    return at.astimezone(ZoneInfo(tz)).utcoffset()


def _pattern(rhythm: Rhythm) -> str:
    at = format_time(rhythm.start_time)
    hour = rhythm.start_time.hour
    if rhythm.kind == Kind.WEEKLY and rhythm.weekday is not None:
        return ngettext(
            "Every week %(on_weekday)s at %(time)s", "Every week %(on_weekday)s at %(time)s", hour
        ) % {"on_weekday": _on_weekday(rhythm.weekday), "time": at}
    if rhythm.kind == Kind.FORTNIGHTLY and rhythm.weekday is not None:
        return ngettext(
            "Every two weeks %(on_weekday)s at %(time)s", "Every two weeks %(on_weekday)s at %(time)s", hour
        ) % {"on_weekday": _on_weekday(rhythm.weekday), "time": at}
    if rhythm.kind == Kind.MONTHLY_NTH and rhythm.weekday is not None:
        return _monthly_nth(rhythm.nth or 1, rhythm.weekday, at, hour)
    if rhythm.kind == Kind.MONTHLY_DAY and rhythm.monthday:
        return _monthly_day(rhythm.monthday, at, hour)
    if rhythm.kind == Kind.RRULE:
        return _custom(rhythm.rrule, at, hour)
    return _own_rhythm(at, hour)


def _monthly_nth(nth: int, weekday: int, at: str, hour: int) -> str:
    return ngettext(
        "On %(nth_weekday)s of every month at %(time)s", "On %(nth_weekday)s of every month at %(time)s", hour
    ) % {"nth_weekday": _nth_weekday(nth, weekday), "time": at}


def _monthly_day(monthday: int, at: str, hour: int) -> str:
    if monthday >= 31 or monthday == -1:
        return ngettext(
            "On the last day of every month at %(time)s", "On the last day of every month at %(time)s", hour
        ) % {"time": at}
    return ngettext(
        "On day %(day)s of every month at %(time)s", "On day %(day)s of every month at %(time)s", hour
    ) % {"day": monthday, "time": at}


def _own_rhythm(at: str, hour: int) -> str:
    return ngettext("On a rhythm of its own, at %(time)s", "On a rhythm of its own, at %(time)s", hour) % {
        "time": at
    }


def _custom(rrule: str, at: str, hour: int) -> str:
    """The custom rules people write most, in words; any other in general terms."""
    try:
        rule = parse_rrule(rrule)
    except ScheduleError:
        return _own_rhythm(at, hour)
    freq, interval = rule["FREQ"], rule.get("INTERVAL", 1)
    byday = rule.get("BYDAY") or ()
    if set(rule) - {"FREQ", "INTERVAL", "WKST", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL"}:
        return _own_rhythm(at, hour)
    if not isinstance(byday, tuple) or not isinstance(interval, int):
        return _own_rhythm(at, hour)
    plain_days = [wd for ordinal, wd in byday if ordinal == 0]
    if freq == "DAILY" and interval == 1 and not byday and "BYMONTHDAY" not in rule:
        return ngettext("Every day at %(time)s", "Every day at %(time)s", hour) % {"time": at}
    if freq == "WEEKLY" and byday and len(plain_days) == len(byday):
        days = _and_list([_on_weekday(wd) for wd in sorted(plain_days)])
        if interval == 1:
            return ngettext(
                "Every week %(on_weekday)s at %(time)s", "Every week %(on_weekday)s at %(time)s", hour
            ) % {"on_weekday": days, "time": at}
        if interval == 2:
            return ngettext(
                "Every two weeks %(on_weekday)s at %(time)s",
                "Every two weeks %(on_weekday)s at %(time)s",
                hour,
            ) % {"on_weekday": days, "time": at}
        return ngettext(
            "Every %(n)s weeks %(on_weekday)s at %(time)s",
            "Every %(n)s weeks %(on_weekday)s at %(time)s",
            hour,
        ) % {"n": interval, "on_weekday": days, "time": at}
    if freq == "MONTHLY" and interval == 1:
        monthdays = rule.get("BYMONTHDAY") or ()
        if len(byday) == 1 and not monthdays:
            ordinal, wd = byday[0]
            if ordinal in (1, 2, 3, 4, 5, -1):
                return _monthly_nth(ordinal, wd, at, hour)
        if not byday and isinstance(monthdays, tuple) and len(monthdays) == 1:
            return _monthly_day(int(monthdays[0]), at, hour)
    return _own_rhythm(at, hour)


def describe_rhythm(rhythm: Rhythm, *, viewer_tz: str | None = None) -> str:
    """The rhythm as "Every week on Tuesday at 19:00", in the active language, on the group's clock.
    When `viewer_tz` is given and the group's clock shows another time there now, the group's place is
    named ("…at 13:00 (New York time)"), so nobody reads it as their own time. An end date is added
    ("…, until 8 December 2026")."""
    text = _pattern(rhythm)
    if rhythm.end_date is not None:
        text = gettext("%(rhythm)s, until %(date)s") % {
            "rhythm": text,
            "date": format_date(rhythm.end_date, weekday=False, year=True),
        }
    if viewer_tz and viewer_tz != rhythm.tz:
        now = datetime.now(UTC)
        if _offset(viewer_tz, now) != _offset(rhythm.tz, now):
            text = gettext("%(rhythm)s (%(place)s time)") % {"rhythm": text, "place": zone_place(rhythm.tz)}
    return capfirst(text)


def no_rhythm_text() -> str:
    return gettext("No meeting time yet; the group is forming.")


def _time_in(local: datetime, tz: str, *, with_weekday: bool) -> str:
    """A time and its place, "13:00 in New York" ("Wednesday 8:00 in Sydney" when that is another day
    there); "18:00 UTC"."""
    clock = format_time(local)
    if with_weekday:
        clock = pgettext("weekday and time", "%(weekday)s %(time)s") % {
            "weekday": _weekday(local.weekday()),
            "time": clock,
        }
    place = zone_place(tz)
    if place == "UTC":
        return pgettext("time in UTC", "%(time)s UTC") % {"time": clock}
    return pgettext("time in a place", "%(time)s in %(place)s") % {"time": clock, "place": place}


def describe_next(start: datetime, *, group_tz: str, viewer_tz: str, viewer_tz_known: bool = True) -> str:
    """A meeting's start for a reader, on their clock and on the group's: "Tuesday 8 December, 19:00
    your time (13:00 in New York)". When the reader's zone was only guessed (no profile, no browser),
    it is named instead of "your time": "…, 19:00 in Madrid (13:00 in New York)"."""
    here = start.astimezone(ZoneInfo(viewer_tz))
    there = start.astimezone(ZoneInfo(group_tz))
    day = format_date(here.date())
    same_clock = here.utcoffset() == there.utcoffset()
    if same_clock and viewer_tz_known:
        return gettext("%(date)s, %(time)s") % {"date": day, "time": format_time(here)}
    if same_clock:
        return gettext("%(date)s, %(here)s") % {
            "date": day,
            "here": _time_in(here, group_tz, with_weekday=False),
        }
    elsewhere = _time_in(there, group_tz, with_weekday=there.date() != here.date())
    if viewer_tz_known:
        return gettext("%(date)s, %(time)s your time (%(there)s)") % {
            "date": day,
            "time": format_time(here),
            "there": elsewhere,
        }
    return gettext("%(date)s, %(here)s (%(there)s)") % {
        "date": day,
        "here": _time_in(here, viewer_tz, with_weekday=False),
        "there": elsewhere,
    }
