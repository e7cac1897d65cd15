"""Load the host's curated content for groups (taxonomy of experiences, places, basic agreements,
the confidentiality pledge) from the data files shipped with Mutua (`circles/data/*.json`).
Idempotent: rows are matched by slug (the pledge by version) and updated in place, so a host can
re-run it after an upgrade. Rows a host added in the admin are left alone."""

import json
from pathlib import Path
from typing import Any

from mutua.circles.models import BasicAgreement, Experience, ExperienceFamily, Place, Pledge
from mutua.core.i18n import translated_values

DATA = Path(__file__).resolve().parent / "data"


def read(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load_experiences() -> dict[str, int]:
    counts = {"families": 0, "experiences": 0}
    for f_order, fam in enumerate(read("experiences.json")):
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
    return counts


def load_places() -> dict[str, int]:
    count = 0
    for p in read("places.json"):
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
        count += 1
    return {"places": count}


def load_agreements() -> dict[str, int]:
    agreements = read("agreements.json")
    count = 0
    for order, a in enumerate(agreements["basic"]):
        BasicAgreement.objects.update_or_create(
            slug=a["slug"],
            defaults={
                "order": order,
                **translated_values(a["title"], "title"),
                **translated_values(a["text"], "text"),
            },
        )
        count += 1
    pledge = agreements["pledge"]
    Pledge.objects.update_or_create(
        version=pledge["version"],
        defaults={**translated_values(pledge["title"], "title"), **translated_values(pledge["text"], "text")},
    )
    return {"agreements": count}
