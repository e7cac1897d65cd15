"""Queue a matching run, e.g. weekly from cron: `manage.py matching_run` (add --wait to run inline)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutua.core.errors import DomainError
from mutua.matching import services


class Command(BaseCommand):
    help = "Queue a matching run (for a weekly schedule); --wait runs it here and prints the summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--wait", action="store_true", help="run in this process instead of the worker")

    def handle(self, *args: Any, seed: int, wait: bool, **options: Any) -> None:
        try:
            run = services.run_inline(seed=seed) if wait else services.run_create(staff=None, seed=seed)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"run #{run.pk}: {run.status} {run.summary}")
