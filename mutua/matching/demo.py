"""Believable people waiting for a group, for the demo and the end-to-end test. Each registers their
own interest through the same service a real person uses."""

import random
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from mutua.circles.models import Experience, Place
from mutua.matching import services

if TYPE_CHECKING:
    from mutua.accounts.models import User

CITIES = {
    "es": ("Europe/Madrid", ["madrid", "barcelona"]),
    "ca": ("Europe/Madrid", ["barcelona", "girona"]),
    "it": ("Europe/Rome", ["milan", "rome"]),
    "en": ("Europe/London", ["london", "dublin"]),
}
POPULAR = [
    "alcohol",
    "loss-of-a-partner",
    "depression",
    "anxiety",
    "relative-psychosis",
    "cancer",
    "gambling",
]


def create_demo_seekers(n: int = 200, seed: int = 11, password_hash: str | None = None) -> list["User"]:
    """`password_hash` (one hash for all, see mutua/demo/seed.py) lets the demo log in as any of them."""
    rng = random.Random(seed)
    User = get_user_model()
    experiences = {e.slug: e for e in Experience.objects.filter(slug__in=POPULAR)}
    if not experiences:
        experiences = {e.slug: e for e in Experience.objects.all()[:7]}
    slugs = list(experiences)
    places = {p.slug: p for p in Place.objects.all()}
    people = []
    for k in range(n):
        lang = rng.choices(["es", "ca", "it", "en"], [5, 2, 3, 3])[0]
        tz, cities = CITIES[lang]
        email = f"seeker{seed}-{k:04d}@demo.mutua.test"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email,
            password=None,
            display_name=f"Seeker {k}",
            language=lang,
            timezone=tz,
            email_verified=True,
        )
        # Evenings on two or three weekdays, sometimes a weekend morning (~10 hours a week).
        slots: set[int] = set()
        for day in rng.sample(range(5), rng.choice([2, 3])):
            start = rng.choice([18, 19])
            slots.update(day * 24 + h for h in range(start, start + 3))
        if rng.random() < 0.4:
            day = rng.choice([5, 6])
            slots.update(day * 24 + h for h in (10, 11, 12))
        mode = rng.choices(["online", "in_person", "either"], [3, 3, 4])[0]
        city = rng.choice(cities)
        place = places.get(city) or next(iter(places.values()), None)
        services.interest_save(
            user=user,
            experience=experiences[rng.choices(slugs, [1 / (i + 1) for i in range(len(slugs))])[0]],
            other_experiences=[],
            languages=[lang] + (["es"] if lang == "ca" else []) + (["en"] if rng.random() < 0.15 else []),
            timezone_name=tz,
            availability=sorted(slots),
            mode=mode,
            place=place if mode != "online" else None,
            max_travel_km=rng.choice([10, 20, 40]),
            women_only=False,
            is_woman=rng.random() < 0.5,
        )
        people.append(user)
    if password_hash is not None:
        User.objects.filter(pk__in=[p.pk for p in people]).update(password=password_hash)
    return people
