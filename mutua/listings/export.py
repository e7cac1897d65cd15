"""Mutua's own groups as a Meeting Guide feed (`/meeting-guide.json`): the export side of listings.

Only groups that are listed in the directory, chose "List the group in the Meeting Guide feed"
(`MeetingPlace.in_meeting_guide`) and have a schedule with meetings ahead are in it. Each one carries
only what its public page already shows: its code (as the slug) and name, the day and time on the
group's clock with its time zone, the languages it meets in, its area, and a link to its public page.
The exact address and the room link are added only when the group ticked "publish" for each; the
members, the description's topic words beyond the name, and everything said inside never are.

The area's coordinates are rounded to `COORDINATE_DECIMALS` decimal places: 0.01° is about 1.1 km
north–south and 0.85 km east–west at Barcelona's latitude, so a host's area that happens to be a
single building does not become a map pin on it.

Meeting Guide lists weekly meetings only (days 0 = Sunday … 6 = Saturday; Mutua counts 0 = Monday).
Rhythms that fall on a fixed weekday (every two weeks, the n-th weekday of the month) are listed on
that weekday with a note saying how often and when the next meeting is; a day of the month, or a
custom rule whose meetings do not keep to a few weekdays at least monthly, cannot be said that way and
is left out. docs/meeting-guide.md has the whole list of what is and is not published, and why.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mutua.circles.models import Circle, Mode
from mutua.core.i18n import language_codes, tr
from mutua.core.models import AuditEvent
from mutua.listings.feed import LANGUAGE_TYPES
from mutua.meetings.display import rhythm_words
from mutua.meetings.models import Meeting, Room
from mutua.meetings.schedule import Change, Kind, Rhythm, next_occurrence, occurrences

COORDINATE_DECIMALS = 2
CACHE_SECONDS = 300
# A custom rule is read off its meetings over the coming year: each weekday it lists must come at
# least this often (about monthly), and none of its meetings may fall on another weekday.
RRULE_SAMPLE = timedelta(weeks=52)
RRULE_MIN_PER_WEEKDAY = 12
# Audit actions that change what a group's listing says (besides its MeetingPlace row, which has its
# own `updated_at`): the schedule and, when published, the room link.
LISTING_ACTIONS = ("meetings.schedule_set", "meetings.room_regenerated")

# ISO 639-1 → Meeting Guide type code ("es" → "S"): the importer's table, read the other way.
LANGUAGE_CODES = {language: code for code, language in LANGUAGE_TYPES.items()}


@dataclass(frozen=True)
class Days:
    """The weekdays a rhythm meets on (0 = Monday, as `date.weekday()`), and whether it meets on each
    of them every week (if not, the listing carries a note saying how often)."""

    weekdays: tuple[int, ...]
    every_week: bool


def meeting_guide_day(weekday: int) -> int:
    """Mutua's weekday (0 = Monday … 6 = Sunday) as Meeting Guide's (0 = Sunday … 6 = Saturday)."""
    return (weekday + 1) % 7


def meeting_days(rhythm: Rhythm, now: datetime) -> Days | None:
    """The weekdays to list a rhythm on, or None when it cannot be listed as a weekly meeting."""
    if rhythm.kind == Kind.WEEKLY and rhythm.weekday is not None:
        return Days((rhythm.weekday,), every_week=True)
    if rhythm.kind in (Kind.FORTNIGHTLY, Kind.MONTHLY_NTH) and rhythm.weekday is not None:
        return Days((rhythm.weekday,), every_week=False)
    if rhythm.kind != Kind.RRULE:
        return None  # a day of the month falls on every weekday in turn
    zone = ZoneInfo(rhythm.tz)
    counts = Counter(o.key.astimezone(zone).weekday() for o in occurrences(rhythm, now, now + RRULE_SAMPLE))
    kept = tuple(sorted(day for day, n in counts.items() if n >= RRULE_MIN_PER_WEEKDAY))
    if not kept or len(kept) != len(counts):
        return None
    weeks = RRULE_SAMPLE // timedelta(weeks=1)
    return Days(kept, every_week=all(counts[day] >= weeks for day in kept))


def language_types(languages: list[str]) -> list[str]:
    """Meeting Guide's codes for the group's languages ("en" → "EN", "es" → "S"). A language the
    format has no code for (Catalan, for one) is left out rather than invented."""
    return sorted({LANGUAGE_CODES[lang] for lang in languages if lang in LANGUAGE_CODES})


def note_language(languages: list[str]) -> str:
    """The language of a listing's notes: the site's own if the group meets in it, else the first
    (alphabetically) of the group's languages that Mutua speaks, else the site's."""
    spoken = language_codes()
    if settings.LANGUAGE_CODE in languages:
        return str(settings.LANGUAGE_CODE)
    return next((lang for lang in sorted(languages) if lang in spoken), str(settings.LANGUAGE_CODE))


def feed_circles() -> list[Circle]:
    """The groups in the feed, with everything their listing needs, in four queries whatever their
    number: the groups (with area, meeting place and the last change of schedule or room), their
    languages, their current room, and their cancelled or moved meetings."""
    last_change = (
        AuditEvent.objects.filter(circle=OuterRef("pk"), action__in=LISTING_ACTIONS)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    changes = Meeting.objects.filter(
        Q(cancelled=True) | Q(new_start__isnull=False) | Q(new_duration__isnull=False)
    )
    return list(
        Circle.objects.filter(
            listed=True,
            meeting_place__in_meeting_guide=True,
            schedule_start_date__isnull=False,
            schedule_start_time__isnull=False,
        )
        .exclude(schedule_kind="")
        .select_related("place", "meeting_place")
        .prefetch_related(
            "language_rows",
            Prefetch("rooms", queryset=Room.objects.current(), to_attr="feed_rooms"),
            Prefetch("meetings", queryset=changes, to_attr="feed_changes"),
        )
        .annotate(last_listing_change=Subquery(last_change))
        .order_by("code")
    )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _notes(circle: Circle, rhythm: Rhythm, days: Days, next_start: datetime) -> str:
    parts = []
    if circle.mode == Mode.ONLINE:
        parts.append(_("Meets online."))
    elif circle.mode == Mode.HYBRID:
        parts.append(_("Meets in person and online."))
    if not days.every_week:
        local = next_start.astimezone(ZoneInfo(rhythm.tz)).date()
        parts.append(
            _("%(rhythm)s. Next meeting: %(date)s.")
            % {"rhythm": rhythm_words(rhythm), "date": date_format(local, "DATE_FORMAT")}
        )
    return " ".join(parts)


def meeting_of(circle: Circle, *, now: datetime) -> dict[str, Any] | None:
    """One group's listing, from a group read by `feed_circles` (no query here), or None when its
    rhythm cannot be listed or has no meeting ahead."""
    rhythm = circle.rhythm
    if rhythm is None:
        return None
    changes = tuple(
        Change(key=m.key, cancelled=m.cancelled, new_start=m.new_start, new_duration_minutes=m.new_duration)
        for m in getattr(circle, "feed_changes", [])
    )
    upcoming = next_occurrence(rhythm, now, changes)
    days = meeting_days(rhythm, now)
    if upcoming is None or days is None:
        return None
    languages = circle.languages
    place = circle.meeting_place
    start = rhythm.start_time
    end = (datetime.combine(now.date(), start) + timedelta(minutes=rhythm.duration_minutes)).time()
    listing: dict[str, Any] = {
        "slug": circle.code,
        "name": circle.name,
        "day": meeting_guide_day(days.weekdays[0])
        if len(days.weekdays) == 1
        else [meeting_guide_day(d) for d in days.weekdays],
        "time": f"{start:%H:%M}",
        "end_time": f"{end:%H:%M}",
        "timezone": rhythm.tz,
        "types": language_types(languages),
        "url": settings.SITE_URL + reverse("circles:public", args=[circle.code]),
    }
    with translation.override(note_language(languages)):
        if notes := _notes(circle, rhythm, days, upcoming.start):
            listing["notes"] = notes
    # The members' address may span lines ("Carrer de Verdi 12\n2n 1a"): one line for the feed.
    address = ", ".join(" ".join(line.split()) for line in place.address.splitlines() if line.strip())
    if place.publish_address and address and circle.mode != Mode.ONLINE:
        listing["formatted_address"] = address
        listing["approximate"] = "no"
    elif circle.place is not None:
        # The area in the site's language, whatever the group's: groups of one area share one
        # location string, which is how meeting finders group meetings by place.
        area = tr(circle.place, "name", str(settings.LANGUAGE_CODE))
        listing["formatted_address"] = f"{area}, {circle.place.country}"
        listing["region"] = area
        listing["latitude"] = round(circle.place.latitude, COORDINATE_DECIMALS)
        listing["longitude"] = round(circle.place.longitude, COORDINATE_DECIMALS)
        listing["approximate"] = "yes"
    rooms = getattr(circle, "feed_rooms", [])
    if place.publish_room and rooms and circle.mode != Mode.IN_PERSON:
        listing["conference_url"] = rooms[0].url
    moments = [circle.created_at, place.updated_at, getattr(circle, "last_listing_change", None)]
    listing["updated"] = _stamp(max(m for m in moments if m is not None))
    return listing


def meeting_guide_feed(*, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every listing of the feed, ordered by slug (a stable order: diffs of the feed stay small)."""
    moment = now or timezone.now()
    listings = (meeting_of(circle, now=moment) for circle in feed_circles())
    return [listing for listing in listings if listing is not None]
