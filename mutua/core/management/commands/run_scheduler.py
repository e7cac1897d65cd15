"""Run time-driven jobs (settings.MUTUA_SCHEDULED_JOBS): `manage.py run_scheduler` loops until
stopped; `--once` runs every job once and exits (for cron or a one-off)."""

import contextlib
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mutua.core import scheduler


class Command(BaseCommand):
    help = "Run the scheduled jobs (reminders, expiring offers) in a loop; --once runs each job once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job once and exit")

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        jobs = scheduler.registered_jobs()
        if once:
            for path in scheduler.run_due(jobs, now=0.0):
                self.stdout.write(f"ran {path}")
            return
        self.stdout.write(f"scheduler: {len(jobs)} jobs")
        with contextlib.suppress(KeyboardInterrupt):
            scheduler.run_forever(jobs)
