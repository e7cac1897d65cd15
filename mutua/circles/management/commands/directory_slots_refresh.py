"""`manage.py directory_slots_refresh`: recompute when every group meets, for the directory's day and
time filters (decision 0019), at once. Idempotent. The periodic task `circles.tasks.
directory_slots_refresh` does the same daily; run this after loading groups by other means than the
services."""

from typing import Any

from django.core.management.base import BaseCommand

from mutua.circles.services import slots_refresh_all


class Command(BaseCommand):
    help = "Recompute the meeting times the directory filters on, for every group (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        scheduled = slots_refresh_all()
        self.stdout.write(f"{scheduled} groups with a schedule")
