"""Believable demo data for trying every journey at once. Idempotent: a second run changes nothing.

Every demo membership and every request for a group is made by the demo person through the same
service a real person uses (P2): the seed never writes a membership row itself.

The whole journey (README, "Try the whole journey"): every demo person can log in with
DEMO_PASSWORD; the demo groups meet weekly, so a matching run can fill their free seats; four people
are waiting for a Spanish online group about separation or divorce, one short of the five a new
group needs, so the demo person's "Find me a group" completes it; and one person is waiting for a
seat in an existing online group.
"""

import base64
import json
import random
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from mutua.circles import services
from mutua.circles.models import Circle, Experience, Place
from mutua.core.errors import DomainError
from mutua.matching import services as matching_services
from mutua.matching.demo import create_demo_seekers
from mutua.meetings import services as meeting_services
from mutua.meetings.schedule import weekly

if TYPE_CHECKING:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mutua.accounts.models import User

DATA = Path(__file__).resolve().parent / "data" / "demo.json"
DEMO_PASSWORD = "mutua-demo-2026"  # noqa: S105 - documented demo credential, local demo only
DEMO_EMAIL = "demo@mutua.test"
STAFF_EMAIL = "host@mutua.test"
# The demo host's authenticator key (base32), published so anyone trying the demo can add it to an
# authenticator app: the admin asks staff for a code (django-otp). Never use it for a real account.
DEMO_TOTP_KEY = "MUTUADEMOHOSTSTAFFSECRETKEY23456"
TZ_BY_LANG = {"es": "Europe/Madrid", "ca": "Europe/Madrid", "it": "Europe/Rome", "en": "Europe/London"}
RANDOM_SEEKERS = 200

# The new group the demo person completes: four people already wait for it.
JOURNEY_EXPERIENCE = "separation-divorce"
JOURNEY_SEEKERS = [f"seeker{n}@mutua.test" for n in range(1, 5)]
# Weekday evenings, 18:00 to 22:00 in Madrid (`weekday * 24 + hour`): any evening hour the demo
# person ticks meets theirs.
WEEKDAY_EVENINGS = [day * 24 + hour for day in range(5) for hour in range(18, 22)]
# A seat in an existing group: an online Spanish group that meets on Wednesdays at 19:00.
SEAT_SEEKER = "seeker5@mutua.test"
SEAT_EXPERIENCE = "infertility"
SEAT_SLOT = (2, 19)


def _password_hash() -> str:
    # One hash for every demo person: hashing hundreds of passwords would make the seed slow.
    return make_password(DEMO_PASSWORD)


def _user(email: str, name: str, lang: str, password_hash: str, staff: bool = False) -> "User":
    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=None,
            display_name=name,
            language=lang,
            timezone=TZ_BY_LANG.get(lang, "UTC"),
            email_verified=True,
            is_staff=staff,
            is_superuser=staff,
        )
        user.password = password_hash
        user.save(update_fields=["password"])
    return user


def demo_staff_otp() -> "TOTPDevice | None":
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


def _weekly_meeting(circle: Circle, rng: random.Random, lang: str) -> None:
    """Give a demo group its weekly meeting (P3) in its own time zone, so a matching run can offer its
    free seats and members see their next meeting."""
    if circle.has_schedule:
        return
    tz = circle.place.timezone if circle.place else TZ_BY_LANG.get(lang, "Europe/Madrid")
    weekday, hour = rng.randrange(5), rng.choice([18, 19, 20])
    if circle.experience.slug == SEAT_EXPERIENCE:
        weekday, hour = SEAT_SLOT
    start = circle.created_at.astimezone(ZoneInfo(tz)).date() - timedelta(days=60)
    services.circle_schedule_set(circle=circle, rhythm=weekly(weekday, hour, tz, start), user=None)


def _wait_for_a_group(user: "User", experience: str, availability: list[int]) -> None:
    """The person asks for a group, through the same service as "Find me a group"."""
    matching_services.interest_save(
        user=user,
        experience=Experience.objects.get(slug=experience),
        other_experiences=[],
        languages=["es"],
        timezone_name="Europe/Madrid",
        availability=availability,
        mode="online",
        place=None,
        max_travel_km=10,
        women_only=False,
        is_woman=False,
    )


def _journey_people(password_hash: str) -> None:
    from mutua.matching.models import Interest

    for n, email in enumerate(JOURNEY_SEEKERS, start=1):
        person = _user(email, f"Seeker {n}", "es", password_hash)
        if not Interest.objects.filter(user=person).exists():
            _wait_for_a_group(person, JOURNEY_EXPERIENCE, WEEKDAY_EVENINGS)
    person = _user(SEAT_SEEKER, "Seeker 5", "es", password_hash)
    if not Interest.objects.filter(user=person).exists():
        weekday, hour = SEAT_SLOT
        _wait_for_a_group(person, SEAT_EXPERIENCE, [weekday * 24 + hour, weekday * 24 + hour + 1])


@transaction.atomic
def seed_demo() -> int:
    """Create the demo groups, people and requests once; returns how many groups it created."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    password_hash = _password_hash()
    rng = random.Random(2026)
    created = 0
    if not Circle.objects.filter(name=data["circles"][0]["name"]).exists():
        created = _groups(data, rng, password_hash)
        create_demo_seekers(RANDOM_SEEKERS, password_hash=password_hash)
    _journey_people(password_hash)
    return created


def _groups(data: dict[str, Any], rng: random.Random, password_hash: str) -> int:
    pledge = services.current_pledge()
    demo = _user(DEMO_EMAIL, "Demo", "es", password_hash)
    _user(STAFF_EMAIL, "Host staff", "en", password_hash, staff=True)
    pools: dict[str, list[User]] = {}
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
            pool.append(
                _user(f"member{counter:03d}@demo.mutua.test", f"Demo member {counter}", lang, password_hash)
            )
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
        _weekly_meeting(circle, rng, lang)
        if place is not None:
            # A made-up address, visible to members only (P7), so the meetings page shows one.
            meeting_services.place_set(
                circle=circle,
                user=founder,
                address=f"{place.name} · Demo Street {circle.pk} (not a real address)",
                access_notes="Ring the bell marked 'Room 2'. Step-free entrance at the side door.",
                dial_in="",
            )
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
