"""Load the host's crisis lines from the data file shipped with Mutua (`care/data/crisis.json`).
Idempotent: rows are matched by code and slug and updated in place. Called by `manage.py
load_content` (in circles, which loads the rest of the curated content)."""

import json
from pathlib import Path

from mutua.care.models import CrisisCountry, CrisisLine
from mutua.core.i18n import translated_values

DATA = Path(__file__).resolve().parent / "data" / "crisis.json"


def load_crisis_lines() -> dict[str, int]:
    counts = {"countries": 0, "lines": 0}
    for c in json.loads(DATA.read_text(encoding="utf-8"))["countries"]:
        country, _ = CrisisCountry.objects.update_or_create(
            code=c["code"],
            defaults={"emergency_number": c["emergency_number"], **translated_values(c["name"], "name")},
        )
        counts["countries"] += 1
        for order, ln in enumerate(c["lines"]):
            CrisisLine.objects.update_or_create(
                slug=ln["slug"],
                defaults={
                    "country": country,
                    "order": order,
                    "phone": ln.get("phone", ""),
                    "sms": ln.get("sms", ""),
                    "url": ln.get("url", ""),
                    "languages": ",".join(ln.get("languages", [])),
                    "source_url": ln["source_url"],
                    "checked_on": ln["checked_on"],
                    **translated_values(ln["name"], "name"),
                    **translated_values(ln.get("hours", {}), "hours"),
                    **translated_values(ln.get("description", {}), "description"),
                },
            )
            counts["lines"] += 1
    return counts
