"""Reads of groups, always for a viewer. Query counts do not grow with the page size."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Case, Exists, F, FloatField, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from mutua.circles.meeting_times import zone_ranges
from mutua.circles.models import (
    BasicAgreement,
    Circle,
    CircleLanguage,
    CircleQuerySet,
    CircleSlot,
    Experience,
    ExperienceFamily,
    Membership,
    MembershipStatus,
    Mode,
    Place,
)
from mutua.core.i18n import Visitor
from mutua.matching.engine.geo import haversine_km
from mutua.meetings.models import Meeting
from mutua.meetings.schedule import Change, next_occurrence

if TYPE_CHECKING:
    from mutua.accounts.models import User

# How far "near" reaches for the similar groups offered on the waiting-list and closed-group pages.
SIMILAR_RADIUS_KM = 50


@dataclass
class DirectoryFilters:
    experience: str = ""  # slug of a family (includes its items) or of one item
    language: str = ""
    mode: str = ""  # "in_person" and "online" both include hybrid groups
    place: str = ""  # slug of a Place
    radius_km: int = 25
    accepting: bool = False
    # When the group meets, on the visitor's clock (`visitor.timezone`, decision 0019): meetings starting
    # on one of these weekdays (0 = Monday; none = any day) in this band (`meeting_times.TimeOfDay`).
    weekdays: tuple[int, ...] = ()
    time_of_day: str = ""
    page: int = 1
    page_size: int = 20
    # Who is looking: groups in their language, then in their country, come first.
    visitor: Visitor = field(default_factory=Visitor)
    # The moment the search is for (offsets in force, the next meetings); now when not given.
    now: datetime | None = None
    # Filled in by the search, for the page to explain what it shows.
    distances: dict[int, float] = field(default_factory=dict)
    origin: Place | None = None
    item: Experience | None = None  # the experience chosen, when it is one item
    family: ExperienceFamily | None = None  # the chosen family, or the chosen item's family
    # Set when the chosen item had no group (near the place): the page shows its family's groups.
    fallback: bool = False
    # The zones groups meet in (`slot_zones()`), read once per search when a day or time is chosen.
    slot_zones: list[str] = field(default_factory=list)

    @property
    def times_chosen(self) -> bool:
        return bool(self.weekdays or self.time_of_day)


def places_within(place: Place, radius_km: float) -> dict[int, float]:
    """Places are a small host-managed list, so distances are computed once per search (with the
    matching engine's haversine, the one distance formula) and the database only sees an `IN` list
    — the same on SQLite and PostgreSQL."""
    rows = list(Place.objects.values_list("pk", "latitude", "longitude"))
    if not rows:
        return {}
    pks = [pk for pk, _lat, _lon in rows]
    lats = np.array([lat for _pk, lat, _lon in rows], dtype=np.float64)
    lons = np.array([lon for _pk, _lat, lon in rows], dtype=np.float64)
    km = haversine_km(place.latitude, place.longitude, lats, lons)
    return {pk: float(d) for pk, d in zip(pks, km, strict=True) if d <= radius_km}


def _with_related(qs: QuerySet[Circle]) -> QuerySet[Circle]:
    return qs.select_related("experience", "experience__family", "place").prefetch_related("language_rows")


def _visitor_first(qs: QuerySet[Circle], visitor: Visitor) -> tuple[QuerySet[Circle], list[Any]]:
    """Rank groups for who is looking: their language first, then in their country, then online
    (reachable from anywhere), then elsewhere. Unknown language or country ranks nothing."""
    order: list[Any] = []
    if visitor.language:
        # An uncorrelated `IN` list is built once per query; a correlated EXISTS would run per group.
        speakers = CircleLanguage.objects.filter(language=visitor.language).values("circle_id")
        qs = qs.annotate(
            language_rank=Case(
                When(pk__in=speakers, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        order.append("language_rank")
    if visitor.country:
        qs = qs.annotate(
            country_rank=Case(
                When(place__country=visitor.country, then=Value(0)),
                When(mode=Mode.ONLINE, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        order.append("country_rank")
    return qs, order


def _with_distance(qs: QuerySet[Circle], distances: dict[int, float]) -> QuerySet[Circle]:
    whens = [When(place_id=pk, then=Value(round(d, 3))) for pk, d in distances.items()]
    return qs.annotate(distance=Case(*whens, default=Value(None), output_field=FloatField()))


def _directory_queryset(filters: DirectoryFilters, experience_ids: list[int] | None) -> QuerySet[Circle]:
    qs: CircleQuerySet = Circle.objects.filter(listed=True)
    if experience_ids is not None:
        # Resolved to ids first so the database can use the (listed, experience) index instead of
        # joining the taxonomy for every group (bench/directory.py: ~30 ms → a few ms per query).
        qs = qs.filter(experience_id__in=experience_ids)
    if filters.language:
        qs = qs.filter(
            Exists(CircleLanguage.objects.filter(circle=OuterRef("pk"), language=filters.language))
        )
    if filters.mode == Mode.IN_PERSON:
        qs = qs.filter(mode__in=(Mode.IN_PERSON, Mode.HYBRID))
    elif filters.mode == Mode.ONLINE:
        qs = qs.filter(mode__in=(Mode.ONLINE, Mode.HYBRID))
    if filters.accepting:
        qs = qs.accepting()
    if filters.times_chosen:
        qs = qs.filter(pk__in=_meeting_at(filters))
    found: QuerySet[Circle] = qs
    if filters.origin is not None:
        found = found.filter(place_id__in=list(filters.distances))
        if filters.distances:
            found = _with_distance(found, filters.distances)
    found, order = _visitor_first(found, filters.visitor)
    if filters.origin is not None and filters.distances:
        order.append(F("distance").asc(nulls_last=True))
    return _with_related(found.order_by(*order, "name", "pk"))


def _meeting_at(filters: DirectoryFilters) -> QuerySet[CircleSlot, int]:
    """Ids of groups with a meeting starting on the chosen days and band on the visitor's clock: one
    uncorrelated `IN` subquery on `CircleSlot`, a clause per UTC offset in use (decision 0019)."""
    now = filters.now or timezone.now()
    ranges = zone_ranges(
        filters.slot_zones,
        filters.weekdays,
        filters.time_of_day,
        viewer_tz=filters.visitor.timezone,
        at=now,
    )
    when = Q()
    for zones, spans in ranges:
        minutes = Q()
        for lo, hi in spans:
            minutes |= Q(minute_of_week__gte=lo, minute_of_week__lt=hi)
        when |= Q(timezone__in=zones) & minutes
    if not ranges:
        return CircleSlot.objects.none().values_list("circle_id", flat=True)
    current = Q(until__isnull=True) | Q(until__gte=(now - timedelta(days=1)).date())
    return CircleSlot.objects.filter(when & current).values_list("circle_id", flat=True)


# The zones groups meet in change only when a group gets a zone nobody had: the list is cached, dropped
# by the slots' writer (`services.circle_slots_refresh`); another process's local cache may lag by
# `SLOT_ZONES_SECONDS` (a group in a brand-new zone then joins the day and time filters that late).
SLOT_ZONES_KEY = "circles:slot-zones"
SLOT_ZONES_SECONDS = 600


def slot_zones() -> list[str]:
    """The zones of the groups' slots (a `SELECT DISTINCT` scans the whole table: ~3 ms at 20,000
    groups on PostgreSQL, so it is cached)."""
    zones: list[str] | None = cache.get(SLOT_ZONES_KEY)
    if zones is None:
        zones = sorted(CircleSlot.objects.order_by().values_list("timezone", flat=True).distinct())
        cache.set(SLOT_ZONES_KEY, zones, SLOT_ZONES_SECONDS)
    return zones


# A moved meeting may start well after its key: exceptions whose key is this far back still count.
_CHANGES_LOOKBACK = timedelta(days=62)


def with_next_meetings(circles: list[Circle], *, now: datetime | None = None) -> list[Circle]:
    """Set `circle.next_meeting` (a `meetings.schedule.Occurrence`, or None) on each group: its next
    meeting not cancelled, moves applied. One query for the exceptions of all of them."""
    now = now or timezone.now()
    scheduled = [c.pk for c in circles if c.has_schedule]
    changes: dict[int, list[Change]] = defaultdict(list)
    if scheduled:
        rows = Meeting.objects.filter(circle_id__in=scheduled).filter(
            Q(cancelled=True) | Q(new_start__isnull=False) | Q(new_duration__isnull=False),
            Q(key__gte=now - _CHANGES_LOOKBACK) | Q(new_start__gte=now - _CHANGES_LOOKBACK),
        )
        for row in rows.only("circle_id", "key", "cancelled", "new_start", "new_duration"):
            changes[row.circle_id].append(
                Change(
                    key=row.key,
                    cancelled=row.cancelled,
                    new_start=row.new_start,
                    new_duration_minutes=row.new_duration,
                )
            )
    for circle in circles:
        rhythm = circle.rhythm
        circle.next_meeting = (
            next_occurrence(rhythm, now, tuple(changes[circle.pk])) if rhythm is not None else None
        )
    return circles


def _listed(page: Page[Circle], now: datetime | None) -> Page[Circle]:
    page.object_list = with_next_meetings(list(page.object_list), now=now)
    return page


def directory_search(*, filters: DirectoryFilters) -> Page[Circle]:
    """The directory, for a visitor. A family includes all its items. When the chosen item has no
    group matching the other filters, the page shows the groups of its family instead and says so
    (`filters.fallback`): a person looking for "loss of a child" near Barcelona wants to hear about
    the grief groups that meet there. Each group on the page carries its `next_meeting`."""
    if filters.times_chosen:
        filters.slot_zones = slot_zones()
    experience_ids: list[int] | None = None
    if filters.experience:
        matches = list(
            Experience.objects.filter(Q(family__slug=filters.experience) | Q(slug=filters.experience))
            .select_related("family")
            .order_by("pk")
        )
        filters.item = next((e for e in matches if e.slug == filters.experience), None)
        filters.family = filters.item.family if filters.item else (matches[0].family if matches else None)
        experience_ids = [filters.item.pk] if filters.item else [e.pk for e in matches]
    if filters.place:
        filters.origin = Place.objects.filter(slug=filters.place).first()
        if filters.origin is not None:
            filters.distances = places_within(filters.origin, filters.radius_km)
    page = Paginator(_directory_queryset(filters, experience_ids), filters.page_size).get_page(filters.page)
    if page.paginator.count == 0 and filters.item is not None:
        family_ids = list(
            Experience.objects.filter(family_id=filters.item.family_id).values_list("pk", flat=True)
        )
        if len(family_ids) > 1:
            wider = Paginator(_directory_queryset(filters, family_ids), filters.page_size).get_page(
                filters.page
            )
            if wider.paginator.count:
                filters.fallback = True
                return _listed(wider, filters.now)
    return _listed(page, filters.now)


def circles_similar(*, circle: Circle, visitor: Visitor, limit: int = 3) -> list[Circle]:
    """Listed groups taking newcomers that could suit someone waiting for (or turned away by) `circle`:
    the same family, a shared language, and near its area or online. The same item comes first, then
    the nearest, then as in the directory."""
    family_ids = Experience.objects.filter(family_id=circle.experience.family_id).values("pk")
    qs: QuerySet[Circle] = (
        Circle.objects.accepting()
        .filter(listed=True, experience_id__in=family_ids)
        .exclude(pk=circle.pk)
        .filter(
            Exists(
                CircleLanguage.objects.filter(
                    circle=OuterRef("pk"),
                    language__in=CircleLanguage.objects.filter(circle=circle).values("language"),
                )
            )
        )
        .annotate(
            item_rank=Case(
                When(experience_id=circle.experience_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
    )
    order: list[Any] = ["item_rank"]
    if circle.place is not None:
        distances = places_within(circle.place, SIMILAR_RADIUS_KM)
        qs = _with_distance(qs.filter(Q(place_id__in=list(distances)) | Q(mode=Mode.ONLINE)), distances)
        order.append(F("distance").asc(nulls_last=True))
    qs, visitor_order = _visitor_first(qs, visitor)
    return list(_with_related(qs.order_by(*order, *visitor_order, "name", "pk"))[:limit])


def membership_of(*, circle: Circle, user: Any) -> Membership | None:
    """The viewer's own relation to a group (any status, "left" included), or None."""
    if user is None or not user.is_authenticated:
        return None
    return circle.memberships.filter(user=user).first()


def basic_agreements() -> list[BasicAgreement]:
    return list(BasicAgreement.objects.all())


def experience_by_slug(slug: str) -> Experience:
    """One item of the taxonomy; forms offer only existing slugs."""
    return Experience.objects.get(slug=slug)


def place_by_slug(slug: str) -> Place | None:
    return Place.objects.filter(slug=slug).first() if slug else None


def experience_or_none(slug: str) -> Experience | None:
    return Experience.objects.filter(slug=slug).first()


def experiences_by_slugs(slugs: list[str]) -> list[Experience]:
    return list(Experience.objects.filter(slug__in=slugs))


def experience_families() -> list[ExperienceFamily]:
    """The taxonomy: families in order, each with its items prefetched (`family.items.all()`)."""
    return list(ExperienceFamily.objects.prefetch_related("items"))


def places() -> list[Place]:
    return list(Place.objects.all())


def circle_public(*, code: str, now: datetime | None = None) -> Circle | None:
    """The public page of a group: listed or not (an unlisted group can be shared by link), with its
    `next_meeting`."""
    circle = _with_related(Circle.objects.filter(code=code)).first()
    if circle is not None:
        with_next_meetings([circle], now=now)
    return circle


def circles_of_user(*, user: "User") -> list[Membership]:
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


def experience_choices(*, with_families: bool = False) -> list[tuple[str, list[tuple[str, str]]]]:
    """Families with their items, for grouped <select>s, in the viewer's language. With
    `with_families`, each group starts with an option for the whole family (its slug)."""
    families: dict[int, tuple[ExperienceFamily, list[Experience]]] = {}
    for exp in Experience.objects.select_related("family").order_by("family__order", "order", "slug"):
        families.setdefault(exp.family_id, (exp.family, []))[1].append(exp)
    out = []
    for fam, items in families.values():
        options = [(e.slug, e.name) for e in items]
        if with_families:
            options.insert(0, (fam.slug, gettext("%(family)s (all)") % {"family": fam.name}))
        out.append((fam.name, options))
    return out


def place_choices() -> list[tuple[str, str]]:
    return sorted(((p.slug, p.name) for p in Place.objects.all()), key=lambda kv: kv[1])
