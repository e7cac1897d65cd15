"""Load the host's curated content (taxonomy, places, agreements, pledge, crisis lines) from the
data files shipped with Mutua. Idempotent: rows are matched by slug and updated in place, so a host
can re-run it after an upgrade. Rows a host added in the admin are left alone."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from mutua.care.models import CrisisCountry, CrisisLine
from mutua.circles.models import BasicAgreement, Experience, ExperienceFamily, Place, Pledge
from mutua.core.i18n import translated_values

ROOT = Path(__file__).resolve().parents[3]


def read(rel: str) -> Any:
    return json.loads((ROOT / rel).read_text(encoding="utf-8"))


@transaction.atomic
def load_content() -> dict[str, int]:
    counts = {"families": 0, "experiences": 0, "places": 0, "agreements": 0, "countries": 0, "lines": 0}
    for f_order, fam in enumerate(read("circles/data/experiences.json")):
        family, _ = ExperienceFamily.objects.update_or_create(
            slug=fam["slug"], defaults={"order": f_order, **translated_values(fam["name"], "name")}
        )
        counts["families"] += 1
        for i_order, item in enumerate(fam["items"]):
            Experience.objects.update_or_create(
                slug=item["slug"],
                defaults={
                    "family": family,
                    "order": i_order,
                    **translated_values(item["name"], "name"),
                    **translated_values(item.get("description", {}), "description"),
                },
            )
            counts["experiences"] += 1
    for p in read("circles/data/places.json"):
        Place.objects.update_or_create(
            slug=p["slug"],
            defaults={
                "country": p["country"],
                "latitude": p["lat"],
                "longitude": p["lon"],
                "timezone": p["timezone"],
                **translated_values(p["name"], "name"),
            },
        )
        counts["places"] += 1
    agreements = read("circles/data/agreements.json")
    for order, a in enumerate(agreements["basic"]):
        BasicAgreement.objects.update_or_create(
            slug=a["slug"],
            defaults={
                "order": order,
                **translated_values(a["title"], "title"),
                **translated_values(a["text"], "text"),
            },
        )
        counts["agreements"] += 1
    pledge = agreements["pledge"]
    Pledge.objects.update_or_create(
        version=pledge["version"],
        defaults={**translated_values(pledge["title"], "title"), **translated_values(pledge["text"], "text")},
    )
    for c in read("care/data/crisis.json")["countries"]:
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


class Command(BaseCommand):
    help = "Load or update the curated content shipped with Mutua (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_content()
        self.stdout.write(", ".join(f"{v} {k}" for k, v in counts.items()))
