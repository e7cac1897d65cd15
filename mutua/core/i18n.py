"""Curated content (taxonomy, places, agreements, crisis lines) is translated *data*, not gettext.

Models keep one column per interface language (`name_en`, `name_es`, …) so the host can edit every
translation in the admin. `tr()` picks the active language and falls back to English.
"""

import zoneinfo
from typing import Any

from django.conf import settings
from django.utils.translation import get_language

LANGUAGE_CODES: tuple[str, ...] = ("en", "es", "it", "ca")


def current_language() -> str:
    lang = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return lang if lang in LANGUAGE_CODES else "en"


def tr(obj: Any, field: str, language: str | None = None) -> str:
    lang = language or current_language()
    value = getattr(obj, f"{field}_{lang}", "") or getattr(obj, f"{field}_en", "")
    return str(value or "")


def translated_values(data: dict[str, str], field: str) -> dict[str, str]:
    """Map a {"en": …, "es": …} object from a data file onto the per-language columns."""
    return {f"{field}_{lang}": data.get(lang) or data.get("en", "") for lang in LANGUAGE_CODES}


def require_timezone(name: str) -> str:
    """The one check that a time zone name is a real IANA zone (pages, API and services alike)."""
    from django.utils.translation import gettext_lazy as _

    from mutua.core.errors import DomainError

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(_("Unknown time zone.")) from exc
    return name
