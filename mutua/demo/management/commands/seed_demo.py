"""`manage.py seed_demo` (run by `make run`): the curated content, then the demo groups and people.
Idempotent and quick on a second run."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from mutua.demo.seed import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    DEMO_TOTP_KEY,
    JOURNEY_SEEKERS,
    RANDOM_SEEKERS,
    SEAT_SEEKER,
    STAFF_EMAIL,
    demo_staff_otp,
    seed_demo,
)


class Command(BaseCommand):
    help = "Load the curated content and believable demo groups and people (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("load_content", stdout=self.stdout)
        created = seed_demo()
        if created:
            self.stdout.write(
                f"{created} demo groups created, {RANDOM_SEEKERS} demo people waiting for a group"
            )
        else:
            self.stdout.write("demo data already present")
        device = demo_staff_otp()
        self.stdout.write(
            f"Demo logins (password {DEMO_PASSWORD}): {DEMO_EMAIL} (member of two groups), "
            f"{STAFF_EMAIL} (host staff, /admin/), {', '.join(JOURNEY_SEEKERS)} (waiting for a new "
            f'group), {SEAT_SEEKER} (waiting for a seat). The whole journey: README, "Try the whole journey".'
        )
        if device is not None:
            self.stdout.write(
                f"/admin/ then asks the host for a six-digit code: add the key {DEMO_TOTP_KEY} to an "
                f"authenticator app (or run: oathtool --totp -b {DEMO_TOTP_KEY})"
            )
