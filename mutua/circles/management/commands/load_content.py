"""`manage.py load_content`: the host's curated content (taxonomy, places, agreements, pledge, crisis
lines) from the data files shipped with Mutua. Idempotent. It lives in circles, the app that owns
most of that content; crisis lines come from care, which circles may depend on (care depends on
core only)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from mutua.care.content import load_crisis_lines
from mutua.circles.content import load_agreements, load_experiences, load_places


@transaction.atomic
def load_content() -> dict[str, int]:
    return {**load_experiences(), **load_places(), **load_agreements(), **load_crisis_lines()}


class Command(BaseCommand):
    help = "Load or update the curated content shipped with Mutua (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_content()
        self.stdout.write(", ".join(f"{v} {k}" for k, v in counts.items()))
