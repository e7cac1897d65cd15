"""Reads of groups, always for a viewer. Query counts do not grow with the page size."""

import math
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, QuerySet, Value, When

from mutua.circles.models import (
    Circle,
    CircleLanguage,
    Experience,
    ExperienceFamily,
    Membership,
    MembershipStatus,
    Mode,
    Place,
)

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class DirectoryFilters:
    experience: str = ""  # slug of a family (includes its items) or of one item
    language: str = ""
    mode: str = ""  # "in_person" and "online" both include hybrid groups
    place: str = ""  # slug of a Place
    radius_km: int = 25
    accepting: bool = False
    page: int = 1
    page_size: int = 20
    distances: dict[int, float] = field(default_factory=dict)


def places_within(place: Place, radius_km: float) -> dict[int, float]:
    """Places are a small host-managed list, so distances are computed in Python once per search
    and the database only sees an `IN` list — the same on SQLite and PostgreSQL."""
    out = {}
    for pk, lat, lon in Place.objects.values_list("pk", "latitude", "longitude"):
        d = haversine_km(place.latitude, place.longitude, lat, lon)
        if d <= radius_km:
            out[pk] = d
    return out


def _with_related(qs: QuerySet[Circle]) -> QuerySet[Circle]:
    return qs.select_related("experience", "experience__family", "place").prefetch_related("language_rows")


def directory_search(*, filters: DirectoryFilters) -> Page:
    qs = Circle.objects.filter(listed=True)
    if filters.experience:
        # Resolved to ids first so the database can use the (listed, experience) index instead of
        # joining the taxonomy for every group (bench/directory.py: ~30 ms → a few ms per query).
        ids = list(
            Experience.objects.filter(
                Q(family__slug=filters.experience) | Q(slug=filters.experience)
            ).values_list("pk", flat=True)
        )
        qs = qs.filter(experience_id__in=ids)
    if filters.language:
        qs = qs.filter(
            Exists(CircleLanguage.objects.filter(circle=OuterRef("pk"), language=filters.language))
        )
    if filters.mode == Mode.IN_PERSON:
        qs = qs.filter(mode__in=(Mode.IN_PERSON, Mode.HYBRID))
    elif filters.mode == Mode.ONLINE:
        qs = qs.filter(mode__in=(Mode.ONLINE, Mode.HYBRID))
    if filters.accepting:
        # `seats_held` is `Membership.objects.holding_seat()` denormalised by the one recount, so the
        # directory agrees with `Circle.accepting`, the API and join without a join of its own.
        qs = qs.filter(open=True, seats_held__lt=F("max_members"))
    order: list[Any] = ["name", "pk"]
    if filters.place:
        origin = Place.objects.filter(slug=filters.place).first()
        if origin is not None:
            filters.distances = places_within(origin, filters.radius_km)
            qs = qs.filter(place_id__in=list(filters.distances))
            if filters.distances:
                qs = qs.annotate(
                    distance=Case(
                        *[When(place_id=pk, then=Value(round(d, 3))) for pk, d in filters.distances.items()],
                        output_field=FloatField(),
                    )
                )
                order = ["distance", "name", "pk"]
    paginator = Paginator(_with_related(qs.order_by(*order)), filters.page_size)
    return paginator.get_page(filters.page)


def circle_public(*, code: str) -> Circle | None:
    """The public page of a group: listed or not (an unlisted group can be shared by link)."""
    return _with_related(Circle.objects.filter(code=code)).first()


def circles_of_user(*, user: Any) -> list[Membership]:
    return list(
        Membership.objects.live()
        .filter(user=user)
        .select_related("circle", "circle__experience", "circle__place")
        .prefetch_related("circle__language_rows")
        .order_by("status", "circle__name")
    )


def members_of(*, circle: Circle) -> list[str]:
    """Pseudonyms of current members only; never names or emails (P7)."""
    return list(
        circle.memberships.filter(status=MembershipStatus.MEMBER)
        .order_by("joined_at", "pk")
        .values_list("pseudonym", flat=True)
    )


def waiting_position(*, membership: Membership) -> int | None:
    if membership.status != MembershipStatus.WAITING or membership.waiting_since is None:
        return None
    ahead = membership.circle.memberships.filter(status=MembershipStatus.WAITING).filter(
        Q(waiting_since__lt=membership.waiting_since)
        | Q(waiting_since=membership.waiting_since, pk__lt=membership.pk)
    )
    return ahead.count() + 1


def experience_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Families with their items, for grouped <select>s, in the viewer's language."""
    families: dict[int, tuple[ExperienceFamily, list[Experience]]] = {}
    for exp in Experience.objects.select_related("family").order_by("family__order", "order", "slug"):
        families.setdefault(exp.family_id, (exp.family, []))[1].append(exp)
    return [(fam.name, [(e.slug, e.name) for e in items]) for fam, items in families.values()]


def place_choices() -> list[tuple[str, str]]:
    return sorted(((p.slug, p.name) for p in Place.objects.all()), key=lambda kv: kv[1])
