"""Believable demo data for trying every journey at once. Idempotent: a second run changes nothing.

Every demo membership is made by the demo person joining through the same service a real person
uses (P2): the seed never writes a membership row itself."""

import base64
import json
import random
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from mutua.circles import services
from mutua.circles.models import Circle, Experience, Place
from mutua.core.errors import DomainError

ROOT = Path(__file__).resolve().parents[3]
DEMO_PASSWORD = "mutua-demo-2026"  # noqa: S105 - documented demo credential, local demo only
DEMO_EMAIL = "demo@mutua.test"
STAFF_EMAIL = "host@mutua.test"
# The demo host's authenticator key (base32), published so anyone trying the demo can add it to an
# authenticator app: the admin asks staff for a code (django-otp). Never use it for a real account.
DEMO_TOTP_KEY = "MUTUADEMOHOSTSTAFFSECRETKEY23456"
TZ_BY_LANG = {"es": "Europe/Madrid", "ca": "Europe/Madrid", "it": "Europe/Rome", "en": "Europe/London"}


def _user(email: str, name: str, lang: str, staff: bool = False) -> Any:
    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            display_name=name,
            language=lang,
            timezone=TZ_BY_LANG.get(lang, "UTC"),
            email_verified=True,
            is_staff=staff,
            is_superuser=staff,
        )
    return user


def demo_staff_otp() -> Any:
    """Give the demo host a confirmed TOTP device with the published demo key (idempotent)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    staff = get_user_model().objects.filter(email=STAFF_EMAIL, is_staff=True).first()
    if staff is None:
        return None
    key = base64.b32decode(DEMO_TOTP_KEY).hex()
    device, _created = TOTPDevice.objects.update_or_create(
        user=staff, name="demo authenticator", defaults={"key": key, "confirmed": True}
    )
    return device


@transaction.atomic
def seed_demo() -> int:
    data = json.loads((ROOT / "core/data/demo.json").read_text(encoding="utf-8"))
    if Circle.objects.filter(name=data["circles"][0]["name"]).exists():
        return 0
    rng = random.Random(2026)
    pledge = services.current_pledge()
    demo = _user(DEMO_EMAIL, "Demo", "es")
    _user(STAFF_EMAIL, "Host staff", "en", staff=True)
    pools: dict[str, list[Any]] = {}
    counter = 0
    created = 0
    for spec in data["circles"]:
        lang = spec["languages"][0]
        names = data["pseudonyms"].get(lang) or data["pseudonyms"]["en"]
        pool = pools.setdefault(lang, [])
        target = int(spec["target_members"])
        # People are reused across groups, as in life: someone may belong to two groups.
        while len(pool) < target + 3:
            counter += 1
            pool.append(_user(f"member{counter:03d}@demo.mutua.test", f"Demo member {counter}", lang))
        people = rng.sample(pool, target)
        founder, rest = people[0], people[1:]
        place = Place.objects.filter(slug=spec["place"]).first() if spec.get("place") else None
        pseudos = rng.sample(names, min(len(names), target))
        circle = services.circle_create(
            founder=founder,
            name=spec["name"],
            experience=Experience.objects.get(slug=spec["experience"]),
            secondary_experiences=list(
                Experience.objects.filter(slug__in=spec.get("secondary_experiences", []))
            ),
            languages=spec["languages"],
            mode=spec["mode"],
            place=place,
            description=spec["description"],
            max_members=spec.get("max_members", 10),
            listed=spec.get("listed", True),
            open=True,
            pseudonym=pseudos[0],
            confirms_experience=True,
            accepts_pledge=True,
            pledge_version=pledge.version,
        )
        for i, person in enumerate(rest, start=1):
            try:
                services.membership_join(
                    circle=circle,
                    user=person,
                    pseudonym=pseudos[i % len(pseudos)] + ("" if i < len(pseudos) else f" {i}"),
                    confirms_experience=True,
                    accepts_pledge=True,
                    pledge_version=pledge.version,
                )
            except DomainError:
                continue
        if not spec.get("open", True):
            Circle.objects.filter(pk=circle.pk).update(open=False)
        created += 1
    # The demo person joins two Spanish-speaking groups with free seats, as anyone would.
    joinable = Circle.objects.filter(language_rows__language="es", open=True).order_by("pk")
    for circle in [c for c in joinable if not c.is_full][:2]:
        services.membership_join(
            circle=circle,
            user=demo,
            pseudonym="Demo",
            confirms_experience=True,
            accepts_pledge=True,
            pledge_version=pledge.version,
        )
    return created


class Command(BaseCommand):
    help = "Load the curated content and believable demo groups and people (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("load_content")
        created = seed_demo()
        if created:
            from mutua.matching.demo import create_demo_seekers

            create_demo_seekers(200)
            self.stdout.write("200 demo people waiting for a group (start a matching run in /admin/)")
        self.stdout.write(f"{created} demo groups created" if created else "demo data already present")
        device = demo_staff_otp()
        self.stdout.write(
            f"Demo logins (password {DEMO_PASSWORD}): {DEMO_EMAIL} (member of two groups), "
            f"{STAFF_EMAIL} (host staff, /admin/)"
        )
        if device is not None:
            self.stdout.write(
                f"/admin/ then asks the host for a six-digit code: add the key {DEMO_TOTP_KEY} to an "
                f"authenticator app (or run: oathtool --totp -b {DEMO_TOTP_KEY})"
            )
