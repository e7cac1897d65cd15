"""Reads for the crisis page. The page must work even when the database is down (§4 Reliability),
so when the database cannot be read it falls back to the data file shipped with Mutua."""

import json
import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.db import DatabaseError

from mutua.care.models import CrisisCountry
from mutua.core.i18n import current_language

logger = logging.getLogger(__name__)
DATA_FILE = Path(__file__).resolve().parent / "data" / "crisis.json"


@dataclass
class LineView:
    name: str
    phone: str
    sms: str
    url: str
    hours: str
    description: str
    source_url: str
    checked_on: str


@dataclass
class CountryView:
    code: str
    name: str
    emergency_number: str
    lines: list[LineView] = field(default_factory=list)


@cache
def _shipped() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


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
                    hours=ln.get("hours", {}).get(lang, ""),
                    description=ln.get("description", {}).get(lang, ""),
                    source_url=ln.get("source_url", ""),
                    checked_on=ln.get("checked_on", ""),
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
                    checked_on=ln.checked_on.isoformat(),
                )
                for ln in c.lines.all()
            ]
            countries.append(view)
        if countries:
            return sorted(countries, key=lambda c: c.name), True
    except DatabaseError:
        logger.warning("crisis page served from the shipped data file: database unavailable")
    return _from_file(lang), False


def country_choices() -> list[tuple[str, str]]:
    try:
        rows = [(c.code, c.name) for c in CrisisCountry.objects.all()]
    except DatabaseError:
        rows = []
    return sorted(rows, key=lambda r: r[1])
