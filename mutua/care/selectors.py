"""Reads for the crisis page. The page must work even when the database is down (§4 Reliability),
so when the database cannot be read it falls back to the data file shipped with Mutua."""

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.db import DatabaseError
from django.utils.translation import get_language_info

from mutua.care.models import CrisisCountry
from mutua.core.i18n import current_language

logger = logging.getLogger(__name__)
DATA_FILE = Path(__file__).resolve().parent / "data" / "crisis.json"


def language_name(code: str) -> str:
    """A language's name in the interface language ("es" → "Spanish", «español», …), from Django's
    own catalogue, so it needs no database. An unknown code is shown as it is."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


@dataclass
class LineView:
    name: str
    phone: str
    sms: str
    url: str
    hours: str
    description: str
    source_url: str
    checked_on: date | None
    languages: list[str] = field(default_factory=list)

    @property
    def language_names(self) -> str:
        return ", ".join(language_name(code) for code in self.languages)


@dataclass
class CountryView:
    code: str
    name: str
    emergency_number: str
    lines: list[LineView] = field(default_factory=list)

    def answers_in(self, language: str) -> bool:
        return any(language in line.languages for line in self.lines)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _codes(value: str | Sequence[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    return [code.strip() for code in items if code.strip()]


@cache
def _shipped() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


def _from_file(lang: str) -> list[CountryView]:
    out = []
    for c in _shipped()["countries"]:
        country = CountryView(
            code=c["code"],
            name=c["name"].get(lang) or c["name"]["en"],
            emergency_number=c["emergency_number"],
        )
        for ln in c["lines"]:
            country.lines.append(
                LineView(
                    name=ln["name"].get(lang) or ln["name"]["en"],
                    phone=ln.get("phone", ""),
                    sms=ln.get("sms", ""),
                    url=ln.get("url", ""),
                    hours=ln.get("hours", {}).get(lang) or ln.get("hours", {}).get("en", ""),
                    description=ln.get("description", {}).get(lang)
                    or ln.get("description", {}).get("en", ""),
                    source_url=ln.get("source_url", ""),
                    checked_on=_date(ln.get("checked_on", "")),
                    languages=_codes(ln.get("languages", [])),
                )
            )
        out.append(country)
    return sorted(out, key=lambda c: c.name)


def crisis_countries() -> tuple[list[CountryView], bool]:
    """Returns (countries, from_database). Never raises for a database outage."""
    lang = current_language()
    try:
        countries = []
        for c in CrisisCountry.objects.prefetch_related("lines").order_by("name_en"):
            view = CountryView(code=c.code, name=c.name, emergency_number=c.emergency_number)
            view.lines = [
                LineView(
                    name=ln.name,
                    phone=ln.phone,
                    sms=ln.sms,
                    url=ln.url,
                    hours=ln.hours,
                    description=ln.description,
                    source_url=ln.source_url,
                    checked_on=ln.checked_on,
                    languages=_codes(ln.languages),
                )
                for ln in c.lines.all()
            ]
            countries.append(view)
        if countries:
            return sorted(countries, key=lambda c: c.name), True
    except DatabaseError:
        logger.warning("crisis page served from the shipped data file: database unavailable")
    return _from_file(lang), False


def order_for_viewer(
    countries: list[CountryView], *, preferred: Sequence[str], language: str
) -> list[CountryView]:
    """The countries the viewer most likely needs first: those named in `preferred` (their profile's
    country, then the regions their browser names, in that order); then countries with a line that
    answers in the viewer's language; then the rest, by name."""
    rank = {code: i for i, code in reversed(list(enumerate(c.upper() for c in preferred if c)))}
    return sorted(
        countries,
        key=lambda c: (rank.get(c.code, len(rank)), not c.answers_in(language), c.name),
    )


def country_choices() -> list[tuple[str, str]]:
    try:
        rows = [(c.code, c.name) for c in CrisisCountry.objects.all()]
    except DatabaseError:
        rows = []
    return sorted(rows, key=lambda r: r[1])
