"""Languages, and curated content (taxonomy, places, agreements, crisis lines) as translated *data*.

`settings.LANGUAGES` is the one list of interface languages; everything else asks `language_codes()`.
`GROUP_LANGUAGES` is the one list of languages a group may meet in (a wider list: people meet in
languages the interface is not translated into).

Models keep one column per interface language (`name_en`, `name_es`, …) so the host can edit every
translation in the admin. `tr()` picks the active language and falls back to English.
"""

import zoneinfo
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation.trans_real import parse_accept_lang_header

# Languages a group may meet in, in the order the forms offer them. Names are shown in their own
# language, as people look for them.
GROUP_LANGUAGES: tuple[str, ...] = (
    "en",
    "es",
    "ca",
    "it",
    "fr",
    "de",
    "pt",
    "gl",
    "eu",
    "ro",
    "ar",
    "uk",
    "pl",
    "nl",
)


def language_codes() -> tuple[str, ...]:
    """The interface languages, from `settings.LANGUAGES` (read when asked, not at import time)."""
    return tuple(code for code, _name in settings.LANGUAGES)


def supported_language(code: str | None) -> str:
    """`code` when it is an interface language (a region is dropped: "es-ES" → "es"), else the default."""
    base = (code or "").split("-")[0].lower()
    return base if base in language_codes() else settings.LANGUAGE_CODE.split("-")[0]


def current_language() -> str:
    return supported_language(get_language() or settings.LANGUAGE_CODE)


def tr(obj: Any, field: str, language: str | None = None) -> str:
    lang = language or current_language()
    value = getattr(obj, f"{field}_{lang}", "") or getattr(obj, f"{field}_en", "")
    return str(value or "")


def translated_values(data: dict[str, str], field: str) -> dict[str, str]:
    """Map a {"en": …, "es": …} object from a data file onto the per-language columns."""
    return {f"{field}_{lang}": data.get(lang) or data.get("en", "") for lang in language_codes()}


# The browser's own time zone, as `static/js/viewer-tz.js` reports it (Intl), for pages without a form.
TZ_COOKIE = "mutua_tz"


@dataclass(frozen=True)
class Visitor:
    """What a page may assume about who is looking, to put what suits them first: a language a group
    may meet in ("" when unknown), an ISO 3166 country code ("" when unknown), and the time zone to
    show times in (`timezone_known`: it is theirs, from the profile or the browser, not a guess)."""

    language: str = ""
    country: str = ""
    timezone: str = "UTC"
    timezone_known: bool = False


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def known_timezone(name: object) -> str:
    """`name` when it is an IANA zone this system knows, else "": for zones sent by browsers and
    clients, which are never trusted (no path is opened for a name outside the list)."""
    if not isinstance(name, str) or not name or len(name) > 64:
        return ""
    return name if name in _zone_names() else ""


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    """The zone a stored name means, or UTC when the name is not a zone this system knows (one
    place for "show times in this zone, never fail on a bad name")."""
    return zoneinfo.ZoneInfo(known_timezone(name) or "UTC")


# Countries that span zones: the zone most of their people live in (zone.tab lists another first).
_COUNTRY_ZONE_OVERRIDES = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "RU": "Europe/Moscow",
    "US": "America/New_York",
}


@cache
def _country_zones() -> dict[str, str]:
    """The first zone `zone.tab` lists for each country, from the system's time-zone data or, without
    it, the tzdata package's copy."""
    text = ""
    for folder in zoneinfo.TZPATH:
        candidate = Path(folder) / "zone.tab"
        if candidate.is_file():
            text = candidate.read_text(encoding="utf-8")
            break
    if not text:
        try:
            text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
        except (ModuleNotFoundError, FileNotFoundError):
            text = ""
    zones: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and not line.startswith("#"):
            zones.setdefault(parts[0].upper(), parts[2])
    return zones | _COUNTRY_ZONE_OVERRIDES


def country_timezone(country: str) -> str:
    """The usual zone of a country ("ES" → "Europe/Madrid"), or "" when unknown."""
    return known_timezone(_country_zones().get((country or "").upper(), ""))


def visitor_of(request: Any, browser_tz: str = "") -> Visitor:
    """The person's profile first (language, country, time zone); else what the browser says: the
    language cookie or the first `Accept-Language` tag a group may meet in, the first region any tag
    names ("es-ES" → "ES"), and the zone the browser reports (`browser_tz`, a form field, else the
    `TZ_COOKIE`). A bare language names no country: Spanish is spoken in many. Without a zone, the
    country's usual one is a guess, and UTC the last resort."""
    language = country = tz = ""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        language = str(getattr(user, "language", "") or "")
        country = str(getattr(user, "country", "") or "").upper()
        tz = known_timezone(getattr(user, "timezone", ""))
    tags = [tag for tag, _q in parse_accept_lang_header(request.headers.get("Accept-Language", "")[:255])]
    if not language:
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if cookie in language_codes():
            language = cookie
    if not language:
        language = next((t.split("-")[0] for t in tags if t.split("-")[0] in GROUP_LANGUAGES), "")
    if not country:
        regions = (part for tag in tags for part in tag.split("-")[1:])
        country = next((r.upper() for r in regions if len(r) == 2 and r.isalpha()), "")
    tz = tz or known_timezone(browser_tz) or known_timezone(request.COOKIES.get(TZ_COOKIE, ""))
    if tz:
        return Visitor(language=language, country=country, timezone=tz, timezone_known=True)
    return Visitor(language=language, country=country, timezone=country_timezone(country) or "UTC")


def require_timezone(name: str) -> str:
    """The one check that a time zone name is a real IANA zone (pages, API and services alike)."""
    from django.utils.translation import gettext_lazy as _

    from mutua.core.errors import DomainError

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(_("Unknown time zone.")) from exc
    return name
