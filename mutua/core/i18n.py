"""Languages, and curated content (taxonomy, places, agreements, crisis lines) as translated *data*.

`settings.LANGUAGES` is the one list of interface languages; everything else asks `language_codes()`.
`GROUP_LANGUAGES` is the one list of languages a group may meet in (a wider list: people meet in
languages the interface is not translated into).

Models keep one column per interface language (`name_en`, `name_es`, …) so the host can edit every
translation in the admin. `tr()` picks the active language and falls back to English.
"""

import zoneinfo
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Visitor:
    """What a page may assume about who is looking, to put what suits them first: a language a group
    may meet in ("" when unknown) and an ISO 3166 country code ("" when unknown)."""

    language: str = ""
    country: str = ""


def visitor_of(request: Any) -> Visitor:
    """The person's profile first (language, country); else what the browser says: the language cookie
    or the first `Accept-Language` tag a group may meet in, and the first region any tag names
    ("es-ES" → "ES"). A bare language names no country: Spanish is spoken in many."""
    language = country = ""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        language = str(getattr(user, "language", "") or "")
        country = str(getattr(user, "country", "") or "").upper()
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
    return Visitor(language=language, country=country)


def require_timezone(name: str) -> str:
    """The one check that a time zone name is a real IANA zone (pages, API and services alike)."""
    from django.utils.translation import gettext_lazy as _

    from mutua.core.errors import DomainError

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(_("Unknown time zone.")) from exc
    return name
