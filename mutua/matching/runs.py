"""Running a match and closing what it proposed (§3.6): build the engine's instance, solve, check,
write offers and proposals, lapse offers past their deadline and remind before they close.

The background task (`tasks.run_matching`) calls `run_execute`, and the periodic task
(`tasks.proposals_tick`) calls `proposals_tick`; `services.run_create` queues the first.
This module imports neither, so the import graph has no cycle: services → tasks → runs, services → runs.
"""

import dataclasses
import logging
import time
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mutua.circles.models import Circle, CircleStatus, Experience, Membership, Mode, Place
from mutua.matching import engine
from mutua.matching.models import (
    GroupOffer,
    Interest,
    InterestStatus,
    MatchingRun,
    OfferKind,
    OfferStatus,
    Proposal,
    ProposalStatus,
    RunStatus,
)
from mutua.notifications.models import Kind
from mutua.notifications.services import notify

logger = logging.getLogger(__name__)


def next_monday(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def _progress(run: MatchingRun, stage: str, pct: int) -> None:
    run.stage, run.progress = stage, pct
    MatchingRun.objects.filter(pk=run.pk).update(stage=stage, progress=pct)


def _circle_slot(circle: Circle, monday: date) -> int | None:
    slot = circle.weekly_slot
    if slot is None:
        return None
    try:
        return engine.local_slot_to_utc(slot[0], slot[1], circle.timezone, monday)
    except ValueError:
        return None


def build_instance(*, monday: date) -> tuple[engine.Instance, dict[int, Interest]]:
    now = timezone.now()
    interests = {
        i.pk: i
        for i in Interest.objects.filter(status=InterestStatus.ACTIVE)
        .select_related("experience", "place")
        .prefetch_related("other_experiences")
    }
    people = []
    for i in interests.values():
        others = [e.slug for e in i.other_experiences.all()]
        people.append(
            engine.Person(
                id=i.pk,
                experience=i.experience.slug,
                languages=frozenset(i.languages),
                availability=engine.local_availability_to_utc(
                    [(h // 24, h % 24) for h in i.availability], i.timezone, monday
                ),
                mode=engine.Mode(i.mode),
                lat=i.place.latitude if i.place else None,
                lon=i.place.longitude if i.place else None,
                max_travel_km=float(i.max_travel_km) if i.place else 0.0,
                requires=frozenset({"woman"}) if i.women_only else frozenset(),
                attributes=frozenset({"woman"}) if i.is_woman else frozenset(),
                waited_days=(now - i.waiting_since).total_seconds() / 86400,
                secondary_experience=others[0] if others else None,
                utc_offset_minutes=engine.utc_offset_minutes(i.timezone, monday),
            )
        )
    groups = []
    # Seats are offered only where a newcomer joins straight away: a group that reviews newcomers
    # hears each one ask first (decision 0021), and a dissolved group takes nobody.
    circles = Circle.objects.filter(
        open=True, reviews_newcomers=False, dissolved_at__isnull=True, status=CircleStatus.ACTIVE
    ).select_related("experience", "place")
    for c in circles.prefetch_related("language_rows"):
        slot = _circle_slot(c, monday)
        free = c.free_seats
        if slot is None or free <= 0 or not c.languages:
            continue
        in_person = c.mode != Mode.ONLINE and c.place is not None
        groups.append(
            engine.ExistingGroup(
                id=c.pk,
                experience=c.experience.slug,
                language=c.languages[0],
                slot=slot,
                free_seats=free,
                mode=engine.Mode.IN_PERSON if in_person else engine.Mode.ONLINE,
                venue=engine.Venue(c.place.pk, c.place.latitude, c.place.longitude)
                if in_person and c.place
                else None,
            )
        )
    venues = [engine.Venue(p.pk, p.latitude, p.longitude) for p in Place.objects.all()]
    instance = engine.Instance(
        people=people,
        groups=groups,
        venues=venues,
        min_size=settings.MUTUA_MIN_MEMBERS,
        max_size=settings.MUTUA_MAX_MEMBERS,
    )
    return instance, interests


def _pk(value: object) -> int:
    """The engine's ids are whatever we gave it; we always give primary keys."""
    if not isinstance(value, int):
        raise TypeError(f"expected a primary key, got {value!r}")
    return value


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return value


def run_execute(*, run_id: int) -> MatchingRun:
    """Runs one matching: expire old offers, build the instance, solve, check, write proposals."""
    run = MatchingRun.objects.get(pk=run_id)
    if run.status not in (RunStatus.QUEUED, RunStatus.FAILED):
        return run
    MatchingRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    t0 = time.perf_counter()
    try:
        offers_expire()
        _progress(run, "loading", 10)
        monday = next_monday()
        instance, interests = build_instance(monday=monday)
        t_load = time.perf_counter()
        _progress(run, "matching", 40)
        result = engine.match(instance, seed=run.seed)
        t_match = time.perf_counter()
        violations = engine.check_result(instance, result)
        if violations:
            raise RuntimeError(f"{len(violations)} constraint violations in the engine's solution")
        _progress(run, "saving", 80)
        _write_result(run=run, result=result, interests=interests, monday=monday)
        t_save = time.perf_counter()
    except Exception:
        logger.exception("matching run %s failed", run.pk)
        MatchingRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now())
        run.refresh_from_db()
        return run
    run.summary = {
        "waiting": len(instance.people),
        "existing_groups_with_seats": len(instance.groups),
        "placed": result.placed,
        "upper_bound": result.upper_bound,
        "new_groups": len(result.new_groups),
        "seats": len(result.seats),
        "unplaced": len(result.unplaced),
        "seconds": {
            "load": round(t_load - t0, 3),
            "match": round(t_match - t_load, 3),
            "save": round(t_save - t_match, 3),
        },
    }
    run.status, run.progress, run.stage, run.finished_at = RunStatus.DONE, 100, "done", timezone.now()
    run.save(update_fields=["summary", "status", "progress", "stage", "finished_at"])
    return run


@transaction.atomic
def _write_result(
    *, run: MatchingRun, result: engine.MatchResult, interests: dict[int, Interest], monday: date
) -> None:
    deadline = timezone.now() + timedelta(days=settings.MUTUA_PROPOSAL_DAYS)
    experiences = {e.slug: e for e in Experience.objects.all()}
    proposed: list[int] = []
    for g in result.new_groups:
        offer = GroupOffer.objects.create(
            run=run,
            kind=OfferKind.NEW_GROUP,
            experience=experiences[g.experience],
            language=g.language,
            slot_utc=g.slot,
            reference_monday=monday,
            place_id=_pk(g.venue_id) if g.venue_id is not None else None,
            women_only="woman" in g.rules,
            deadline=deadline,
        )
        Proposal.objects.bulk_create(
            [Proposal(offer=offer, user_id=interests[_pk(pid)].user_id) for pid in g.members]
        )
        _tell_proposed(offer, [interests[_pk(pid)].user_id for pid in g.members])
        proposed += [_pk(pid) for pid in g.members]
    circles = {c.pk: c for c in Circle.objects.filter(pk__in={s.group_id for s in result.seats})}
    # A group's decision to remove someone stands: that person is never offered a seat in it again
    # (the engine knows no such pairs, so the seat simply stays free this run).
    removed = set(
        Membership.objects.filter(circle_id__in=circles, removed_at__isnull=False).values_list(
            "circle_id", "user_id"
        )
    )
    for s in result.seats:
        c = circles[_pk(s.group_id)]
        if (c.pk, interests[_pk(s.person_id)].user_id) in removed:
            continue
        offer = GroupOffer.objects.create(
            run=run,
            kind=OfferKind.SEAT,
            experience=c.experience,
            language=c.languages[0],
            slot_utc=_circle_slot(c, monday) or 0,
            reference_monday=monday,
            place=c.place,
            circle=c,
            deadline=deadline,
        )
        Proposal.objects.create(offer=offer, user_id=interests[_pk(s.person_id)].user_id)
        _tell_proposed(offer, [interests[_pk(s.person_id)].user_id])
        proposed.append(_pk(s.person_id))
    Interest.objects.filter(pk__in=proposed).update(status=InterestStatus.PROPOSED, explanation={})
    for e in result.unplaced:
        Interest.objects.filter(pk=_pk(e.person_id)).update(explanation=_jsonable(e))


def _tell_proposed(offer: GroupOffer, user_ids: list[int]) -> None:
    url = reverse("matching:proposal", args=[offer.code])
    for user_id in user_ids:
        notify(user_id, Kind.PROPOSAL_RECEIVED, url=url, due_at=offer.deadline)


def offers_expire() -> int:
    """Close offers past their deadline. A new group that did not reach the minimum lapses, and
    those who accepted return to the pool keeping their original waiting time (priority).

    Called by the periodic task (`proposals_tick`) and by each matching run, never by a request: an
    answer after the deadline is refused without closing anything (decision 17)."""
    now = timezone.now()
    lapsed = 0
    for pk in GroupOffer.objects.filter(status=OfferStatus.OPEN, deadline__lt=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            # Locked and read again: the scheduler and a person's request may close the same offer.
            offer = GroupOffer.objects.select_for_update().filter(pk=pk, status=OfferStatus.OPEN).first()
            if offer is None:
                continue
            pending = offer.proposals.filter(status=ProposalStatus.PENDING)
            users = list(pending.values_list("user_id", flat=True))
            pending.update(status=ProposalStatus.LAPSED, decided_at=now)
            if offer.kind == OfferKind.NEW_GROUP and offer.circle_id is None:
                accepted = list(
                    offer.proposals.filter(status=ProposalStatus.ACCEPTED).values_list("user_id", flat=True)
                )
                offer.proposals.filter(status=ProposalStatus.ACCEPTED).update(status=ProposalStatus.LAPSED)
                users += accepted
                offer.status = OfferStatus.LAPSED
            else:
                offer.status = OfferStatus.FORMED if offer.circle_id else OfferStatus.LAPSED
            offer.save(update_fields=["status"])
            for user_id in users:
                notify(
                    user_id,
                    Kind.OFFER_LAPSED,
                    url=reverse("matching:find"),
                    once_key=f"offer-lapsed:{offer.pk}",
                )
            Interest.objects.filter(user_id__in=users, status=InterestStatus.PROPOSED).update(
                status=InterestStatus.ACTIVE
            )
            lapsed += 1
    return lapsed


def proposal_reminders(*, now: datetime | None = None) -> int:
    """Remind each person who has not answered an open proposal, once, when its deadline is near."""
    now = now or timezone.now()
    soon = now + timedelta(hours=settings.MUTUA_REMINDER_HOURS)
    sent = 0
    due = Proposal.objects.filter(
        status=ProposalStatus.PENDING,
        offer__status=OfferStatus.OPEN,
        offer__deadline__gte=now,
        offer__deadline__lte=soon,
    ).select_related("offer")
    for p in due:
        with transaction.atomic():
            made = notify(
                p.user_id,
                Kind.PROPOSAL_DEADLINE,
                url=reverse("matching:proposal", args=[p.offer.code]),
                due_at=p.offer.deadline,
                once_key=f"proposal-deadline:{p.pk}",
            )
        sent += made is not None
    return sent


def proposals_tick() -> None:
    """Periodic task (`matching.tasks.proposals_tick`, every 5 minutes): close proposals past their
    deadline, then remind those whose deadline is near. Both are idempotent."""
    offers_expire()
    proposal_reminders()
