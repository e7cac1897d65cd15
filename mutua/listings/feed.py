"""Meeting Guide feeds: read JSON and CSV, and check every record (pure: no ORM, no network).

The format is Code for Recovery's Meeting Guide specification (github.com/code4recovery/spec): a JSON
list of meetings, each with at least `slug`, `name`, `day` (0 = Sunday … 6 = Saturday, or a list) and
`time` ("HH:MM", 24-hour). Spreadsheet exports carry the same columns in words ("Day" = "Monday",
"Time" = "7:00 PM"); `parse_csv` turns their rows into records with the JSON keys, so one checker
serves both.

Real feeds are untidy, and the checker accepts what the format's prose allows even where its draft
schema is stricter: integer slugs (stored as strings), empty or null postal codes, empty notes,
addresses outside the United States. A record that cannot be shown correctly is skipped with a code
and a message; it is never half-imported. Input that is not a feed at all raises `FeedError`.

Only what a public listing shows is kept. Contact people (`contact_1_name` …), their emails and
phones, and payment handles are left out on purpose: Mutua links to the source instead.
"""

import csv
import datetime as dt
import io
import json
import math
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, time
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from mutua.core.errors import DomainError

TYPES_FILE = Path(__file__).resolve().parent / "data" / "types.json"

MAX_SLUG = 255
MAX_TEXT = 255
MAX_NOTES = 10_000
MAX_URL = 500
MAX_TYPES = 40

# Meeting Guide's day numbers (0 = Sunday), by English name and common abbreviation.
DAY_NAMES = {
    "sunday": 0,
    "sun": 0,
    "monday": 1,
    "mon": 1,
    "tuesday": 2,
    "tue": 2,
    "tues": 2,
    "wednesday": 3,
    "wed": 3,
    "thursday": 4,
    "thu": 4,
    "thur": 4,
    "thurs": 4,
    "friday": 5,
    "fri": 5,
    "saturday": 6,
    "sat": 6,
}

# Meeting types that name the language a meeting is held in (codes of types.json → ISO 639-1).
LANGUAGE_TYPES = {
    "AF": "af",
    "AM": "am",
    "AR": "ar",
    "BG": "bg",
    "DA": "da",
    "DE": "de",
    "EL": "el",
    "EN": "en",
    "FA": "fa",
    "FI": "fi",
    "FR": "fr",
    "HE": "he",
    "HI": "hi",
    "HR": "hr",
    "HU": "hu",
    "IS": "is",
    "ITA": "it",
    "JA": "ja",
    "KA": "ka",
    "KOR": "ko",
    "LT": "lt",
    "ML": "ml",
    "MT": "mt",
    "NE": "ne",
    "NL": "nl",
    "NO": "no",
    "POL": "pl",
    "POR": "pt",
    "PUN": "pa",
    "RUS": "ru",
    "S": "es",
    "SK": "sk",
    "SL": "sl",
    "SV": "sv",
    "TH": "th",
    "TL": "tl",
    "TUR": "tr",
    "UK": "uk",
}

# CSV headers, lower-cased with "_", "-" and "." read as spaces, and the record key each one fills.
CSV_HEADERS = {
    "slug": "slug",
    "id": "slug",
    "meeting id": "slug",
    "name": "name",
    "meeting": "name",
    "meeting name": "name",
    "day": "day",
    "days": "day",
    "weekday": "day",
    "time": "time",
    "start time": "time",
    "start": "time",
    "end time": "end_time",
    "end": "end_time",
    "time zone": "timezone",
    "timezone": "timezone",
    "location": "location",
    "location name": "location",
    "address": "address",
    "street address": "address",
    "formatted address": "formatted_address",
    "city": "city",
    "state": "state",
    "province": "state",
    "postal code": "postal_code",
    "zip": "postal_code",
    "zip code": "postal_code",
    "postcode": "postal_code",
    "country": "country",
    "region": "region",
    "types": "types",
    "type": "types",
    "notes": "notes",
    "meeting notes": "notes",
    "updated": "updated",
    "last updated": "updated",
    "url": "url",
    "meeting url": "url",
    "conference url": "conference_url",
    "online meeting url": "conference_url",
    "group": "group",
    "group name": "group",
    "latitude": "latitude",
    "lat": "latitude",
    "longitude": "longitude",
    "lng": "longitude",
    "lon": "longitude",
}
REQUIRED_KEYS = ("slug", "name", "day", "time")
# The key `parse_csv` adds to each record: the spreadsheet line it came from, for the report.
LINE_KEY = "_line"


class FeedError(DomainError):
    """The input as a whole is not a usable feed. Nothing was imported; `skipped` lists the records'
    reasons when every record was refused."""

    def __init__(self, message: str | Promise, skipped: Sequence["Skipped"] = ()) -> None:
        super().__init__(message, code="invalid")
        self.skipped = list(skipped)


@dataclass(frozen=True)
class Skipped:
    """A record left out, and why. `position` counts records from 1; `line` is the CSV line."""

    position: int
    code: str
    message: str
    slug: str = ""
    name: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Meeting:
    """One checked record, with the values an `ExternalListing` stores."""

    slug: str
    name: str
    days: str  # Meeting Guide day digits, ascending: "2", "135"
    time: dt.time
    end_time: dt.time | None
    timezone: str
    types: list[str] = field(default_factory=list)
    languages: str = ""  # ",en,es," (searchable with a plain `contains`)
    notes: str = ""
    location: str = ""
    formatted_address: str = ""
    address: str = ""
    city: str = ""
    state: str = ""
    region: str = ""
    postal_code: str | None = None
    country: str = ""
    latitude: float | None = None
    longitude: float | None = None
    conference_url: str = ""
    url: str = ""
    group: str = ""
    updated: datetime | None = None

    def fields(self) -> dict[str, Any]:
        return asdict(self)


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --------------------------------------------------------------------------- whole inputs


def parse_json(data: bytes) -> list[Any]:
    """The list of records in a Meeting Guide JSON feed, or `FeedError`."""
    try:
        value = json.loads(data)
    except json.JSONDecodeError as exc:
        raise FeedError(
            _("This is not valid JSON (line %(line)s, column %(column)s).")
            % {"line": exc.lineno, "column": exc.colno}
        ) from exc
    except (UnicodeDecodeError, RecursionError) as exc:
        raise FeedError(_("This is not valid JSON.")) from exc
    if not isinstance(value, list):
        raise FeedError(_("A Meeting Guide feed is a list of meetings, and this file holds something else."))
    return value


def _decode(data: bytes) -> str:
    # Spreadsheets save UTF-8 with a byte-order mark, or Windows-1252 on older systems.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FeedError(_("This file is not readable text."))


def _header_key(header: str) -> str:
    return " ".join(re.sub(r"[_\-.]", " ", header).lower().split())


def parse_csv(data: bytes) -> list[dict[str, Any]]:
    """The records in a spreadsheet feed (CSV, with a header row in words), keyed as in JSON.

    Header case, spacing and underscores do not matter; unknown columns are ignored; blank lines are
    not records. The delimiter is a comma, a semicolon (European spreadsheets) or a tab, whichever the
    header row uses most. Each record also carries `_line`, its line in the file."""
    text = _decode(data)
    if "\x00" in text:
        raise FeedError(_("This file is not readable text."))
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise FeedError(_("The file is empty."))
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[dict[str, Any]] = []
    try:
        header: list[str] | None = None
        start = 1  # the line a row starts on (a quoted cell may span several)
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [CSV_HEADERS.get(_header_key(cell), "") for cell in row]
                missing = [key for key in REQUIRED_KEYS if key not in header]
                if missing:
                    names = {
                        "slug": _("Slug (or ID)"),
                        "name": _("Name"),
                        "day": _("Day"),
                        "time": _("Time"),
                    }
                    raise FeedError(
                        _("The spreadsheet has no column for: %(columns)s.")
                        % {"columns": ", ".join(str(names[key]) for key in missing)}
                    )
                continue
            record: dict[str, Any] = {}
            for key, cell in zip(header, row, strict=False):
                # The first column of a kind wins ("Slug" before a later "ID").
                if key and key not in record:
                    record[key] = cell
            record[LINE_KEY] = line
            records.append(record)
    except csv.Error as exc:
        raise FeedError(
            _("The spreadsheet cannot be read near line %(line)s.") % {"line": reader.line_num}
        ) from exc
    return records


# --------------------------------------------------------------------------- values


def _text(raw: dict[str, Any], key: str, max_length: int = MAX_TEXT) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Invalid("invalid_field", _("“%(field)s” is not text.") % {"field": key})
    text = str(value).strip()
    if len(text) > max_length:
        raise _Invalid(
            "invalid_field",
            _("“%(field)s” is longer than %(n)s characters.") % {"field": key, "n": max_length},
        )
    return text


def parse_slug(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _Invalid("missing_slug", _("It has no slug (the meeting's identifier)."))
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _Invalid("invalid_slug", _("Its slug is neither text nor a whole number."))
    slug = str(value).strip()
    if len(slug) > MAX_SLUG or "/" in slug or any(ord(c) < 32 for c in slug):
        raise _Invalid("invalid_slug", _("Its slug is too long or holds a slash or a control character."))
    return slug


def _one_day(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        day = value
    elif isinstance(value, str):
        word = value.strip().lower().rstrip(".")
        if word in DAY_NAMES:
            return DAY_NAMES[word]
        if not word.isdigit():
            raise ValueError
        day = int(word)
    else:
        raise ValueError
    if not 0 <= day <= 6:
        raise ValueError
    return day


def parse_days(value: Any) -> str:
    """Meeting Guide day digits, ascending and without repeats: 2 → "2"; [5, 1, 3] → "135";
    "Monday" → "1"; "Monday, Wednesday" → "13"."""
    if value is None or value == "" or value == []:
        raise _Invalid("missing_day", _("It has no day."))
    items: list[Any]
    if isinstance(value, list):
        items = value
    elif isinstance(value, str):
        items = [part for part in re.split(r"[,;/]", value) if part.strip()]
    else:
        items = [value]
    try:
        days = sorted({_one_day(item) for item in items})
    except ValueError:
        raise _Invalid(
            "invalid_day", _("Its day is not one of 0 (Sunday) to 6 (Saturday) or a day's name.")
        ) from None
    if not days:
        raise _Invalid("missing_day", _("It has no day."))
    return "".join(str(d) for d in days)


_TIME_24 = re.compile(r"(\d{1,2})[:.h](\d{2})(?::(\d{2}))?")
_TIME_12 = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s*m\.?")


def parse_time(value: Any) -> time:
    """ "19:30", "7:30" and "19:30:00" as in JSON feeds; "7:30 PM", "7 pm", "7:30p.m.", "noon" and
    "midnight" as spreadsheets write them. Raises ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip().lower()
    if text == "noon":
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    if m := _TIME_12.fullmatch(text):
        hour, minute = int(m[1]), int(m[2] or 0)
        if not 1 <= hour <= 12:
            raise ValueError(value)
        hour = hour % 12 + (12 if m[3] == "p" else 0)
        return time(hour, minute)
    if m := _TIME_24.fullmatch(text):
        return time(int(m[1]), int(m[2]), int(m[3] or 0))
    raise ValueError(value)


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: str) -> bool:
    return name in _zones()


def _url(raw: dict[str, Any], key: str) -> str:
    url = _text(raw, key, MAX_URL)
    if not url:
        return ""
    parts = urlsplit(url)
    # Only web links: a "javascript:" or "data:" link out would run in Mutua's page.
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise _Invalid("invalid_url", _("Its “%(field)s” is not a web address.") % {"field": key})
    return url


def _coordinate(raw: dict[str, Any], key: str, limit: float) -> float | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > limit:
        raise _Invalid("invalid_coordinates", _("Its latitude or longitude is not a valid number."))
    return number


_UPDATED_FORMATS = ("%Y-%m-%d %H:%M:%S", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M", "%m/%d/%Y")


def _updated(raw: dict[str, Any]) -> datetime | None:
    """The feed's `updated` (UTC, "YYYY-MM-DD HH:MM:SS"; ISO 8601 and US spreadsheet dates too)."""
    text = _text(raw, "updated")
    if not text:
        return None
    moment = None
    for fmt in _UPDATED_FORMATS:
        try:
            moment = datetime.strptime(text, fmt)  # noqa: DTZ007 - the format says UTC; set below
            break
        except ValueError:
            continue
    if moment is None:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise _Invalid("invalid_updated", _("Its “updated” date cannot be read.")) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@cache
def _type_codes_by_word() -> dict[str, str]:
    """Meeting-type names in every language of types.json ("open", "abierta"), lower-cased → code."""
    data = json.loads(TYPES_FILE.read_text(encoding="utf-8"))
    words: dict[str, str] = {}
    for code, labels in data.items():
        for label in labels.values():
            words.setdefault(str(label).strip().lower(), code)
    return words


def _types(raw: dict[str, Any]) -> list[str]:
    value = raw.get("types")
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        raise _Invalid("invalid_field", _("“%(field)s” is not a list.") % {"field": "types"})
    codes = {code.lower(): code for code in set(_type_codes_by_word().values())}
    out: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int):
            continue
        word = str(item).strip()
        if not word or len(word) > 64:
            continue
        code = codes.get(word.lower()) or _type_codes_by_word().get(word.lower()) or word
        if code not in out:
            out.append(code)
    return out[:MAX_TYPES]


def _languages(types: list[str], default: str) -> str:
    found = sorted({LANGUAGE_TYPES[t] for t in types if t in LANGUAGE_TYPES})
    if not found and default:
        found = [default]
    return f",{','.join(found)}," if found else ""


# --------------------------------------------------------------------------- records


def clean_record(raw: Any, *, timezone: str, language: str = "") -> Meeting:
    """One record as a `Meeting`, or `_Invalid` with the reason. `timezone` and `language` are the
    source's defaults, for records that name neither."""
    if not isinstance(raw, dict):
        raise _Invalid("not_a_meeting", _("It is not a meeting (a JSON object)."))
    slug = parse_slug(raw.get("slug"))
    name = _text(raw, "name")
    if not name:
        raise _Invalid("missing_name", _("It has no name."))
    days = parse_days(raw.get("day"))
    if raw.get("time") is None or raw.get("time") == "":
        raise _Invalid("missing_time", _("It has no start time."))
    try:
        start = parse_time(raw.get("time"))
    except ValueError:
        raise _Invalid(
            "invalid_time", _("Its start time cannot be read (expected 19:30 or 7:30 PM).")
        ) from None
    end = None
    if raw.get("end_time") not in (None, ""):
        try:
            end = parse_time(raw.get("end_time"))
        except ValueError:
            raise _Invalid("invalid_end_time", _("Its end time cannot be read.")) from None
    zone = _text(raw, "timezone", 64) or timezone
    if not is_time_zone(zone):
        raise _Invalid("invalid_timezone", _("Its time zone “%(zone)s” is unknown.") % {"zone": zone})
    types = _types(raw)
    return Meeting(
        slug=slug,
        name=name,
        days=days,
        time=start,
        end_time=end,
        timezone=zone,
        types=types,
        languages=_languages(types, language),
        notes=_text(raw, "notes", MAX_NOTES),
        location=_text(raw, "location"),
        formatted_address=_text(raw, "formatted_address", MAX_URL),
        address=_text(raw, "address"),
        city=_text(raw, "city"),
        state=_text(raw, "state"),
        region=_text(raw, "region"),
        postal_code=_text(raw, "postal_code", 32) or None,
        country=_text(raw, "country", 64),
        latitude=_coordinate(raw, "latitude", 90),
        longitude=_coordinate(raw, "longitude", 180),
        conference_url=_url(raw, "conference_url"),
        url=_url(raw, "url"),
        group=_text(raw, "group"),
        updated=_updated(raw),
    )


def clean_records(
    records: Sequence[Any], *, timezone: str, language: str = ""
) -> tuple[list[Meeting], list[Skipped]]:
    """Every record checked: the meetings to import, and each record skipped with its reason. A slug
    seen twice keeps its first record (the slug is the meeting's identity)."""
    meetings: list[Meeting] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for position, raw in enumerate(records, start=1):
        line = slug = name = None
        if isinstance(raw, dict):
            line = raw.get(LINE_KEY) if type(raw.get(LINE_KEY)) is int else None
            slug = raw.get("slug")
            name = raw.get("name")
        try:
            meeting = clean_record(raw, timezone=timezone, language=language)
            if meeting.slug in seen:
                raise _Invalid("duplicate_slug", _("Another meeting earlier in the feed has the same slug."))
        except _Invalid as exc:
            skipped.append(
                Skipped(
                    position,
                    exc.code,
                    exc.message,
                    slug="" if slug is None else str(slug)[:MAX_SLUG],
                    name="" if name is None else str(name)[:MAX_TEXT],
                    line=line,
                )
            )
            continue
        seen.add(meeting.slug)
        meetings.append(meeting)
    return meetings, skipped
