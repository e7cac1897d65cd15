"""Writers for interests, matching runs and proposals (§3.6).

P2 throughout: a run only *proposes*. A person joins a group by accepting their proposal, with the
same consent as any join (shared experience, agreements and pledge, pseudonym). A new group is
created when the minimum number of people have accepted; each of them is made a member with the
consent they gave when accepting (stored on their proposal), never with consent assumed at formation.
"""

import dataclasses
import logging
import time
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mutua.circles import services as circle_services
from mutua.circles.consent import FIRST_AGREEMENTS_VERSION
from mutua.circles.forms import GROUP_LANGUAGES
from mutua.circles.models import Circle, CircleStatus, Experience, Mode, Place
from mutua.circles.pseudonyms import pseudonym_key
from mutua.core.errors import DomainError
from mutua.core.i18n import require_timezone
from mutua.core.models import audit
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
    SeekerMode,
)

logger = logging.getLogger(__name__)

HOURS = range(24)
WEEKDAYS = range(7)


def next_monday(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


# --------------------------------------------------------------------------- interests


@transaction.atomic
def interest_save(
    *,
    user: Any,
    experience: Experience,
    other_experiences: list[Experience],
    languages: list[str],
    timezone_name: str,
    availability: list[int],
    mode: str,
    place: Place | None,
    max_travel_km: int,
    women_only: bool,
    is_woman: bool,
) -> Interest:
    """Register or update one's own interest. Returns it active (waiting) unless a proposal is open."""
    if not languages:
        raise DomainError(_("Choose at least one language."))
    if any(lang not in GROUP_LANGUAGES for lang in languages):
        raise DomainError(_("Unknown language."))
    require_timezone(timezone_name)
    slots = sorted({int(h) for h in availability if 0 <= int(h) < 168})
    if not slots:
        raise DomainError(_("Choose at least one hour when you are free."))
    if mode == SeekerMode.IN_PERSON and place is None:
        raise DomainError(_("Choose the area you can travel from."))
    if women_only and not is_woman:
        raise DomainError(_("Women-only groups are for women. Untick one of the two boxes."))
    interest = Interest.objects.filter(user=user).first()
    if interest is None:
        interest = Interest(user=user, waiting_since=timezone.now())
    elif interest.status == InterestStatus.WITHDRAWN:
        interest.status = InterestStatus.ACTIVE
        interest.waiting_since = timezone.now()
    interest.experience = experience
    interest.languages = list(dict.fromkeys(languages))
    interest.timezone = timezone_name
    interest.availability = slots
    interest.mode = mode
    interest.place = place
    interest.max_travel_km = max_travel_km
    interest.women_only = women_only
    interest.is_woman = is_woman
    interest.explanation = {}
    interest.save()
    interest.other_experiences.set([e for e in other_experiences if e.pk != experience.pk])
    return interest


@transaction.atomic
def interest_withdraw(*, user: Any) -> None:
    interest = Interest.objects.filter(user=user).exclude(status=InterestStatus.WITHDRAWN).first()
    if interest is None:
        raise DomainError(_("You are not waiting for a group."), "not_found")
    interest.status = InterestStatus.WITHDRAWN
    interest.save(update_fields=["status", "updated_at"])
    now = timezone.now()
    Proposal.objects.filter(user=user, status=ProposalStatus.PENDING).update(
        status=ProposalStatus.DECLINED, decided_at=now
    )


# --------------------------------------------------------------------------- runs


@transaction.atomic
def run_create(*, staff: Any, seed: int = 0) -> MatchingRun:
    """Queue a run. `staff` is the host staff member starting it, or None for the weekly schedule."""
    if staff is not None and not staff.is_staff:
        raise DomainError(_("Only host staff can start a matching run."), "not_found")
    if MatchingRun.objects.filter(status__in=(RunStatus.QUEUED, RunStatus.RUNNING)).exists():
        raise DomainError(_("A matching run is already in progress."), "conflict")
    run = MatchingRun.objects.create(created_by=staff, seed=seed)
    audit("matching.run_created", actor=staff, run=run.pk)
    from mutua.matching.tasks import run_matching

    transaction.on_commit(lambda: run_matching.enqueue(run.pk))
    return run


def _progress(run: MatchingRun, stage: str, pct: int) -> None:
    run.stage, run.progress = stage, pct
    MatchingRun.objects.filter(pk=run.pk).update(stage=stage, progress=pct)


def _circle_slot(circle: Circle, monday: date) -> int | None:
    if circle.meeting_weekday is None or circle.meeting_hour is None:
        return None
    try:
        return engine.local_slot_to_utc(circle.meeting_weekday, circle.meeting_hour, circle.timezone, monday)
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
    circles = Circle.objects.filter(open=True, status=CircleStatus.ACTIVE).select_related(
        "experience", "place"
    )
    for c in circles.prefetch_related("language_rows"):
        slot = _circle_slot(c, monday)
        free = c.max_members - c.seats_held
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
        proposed += [_pk(pid) for pid in g.members]
    circles = {c.pk: c for c in Circle.objects.filter(pk__in={s.group_id for s in result.seats})}
    for s in result.seats:
        c = circles[_pk(s.group_id)]
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
        proposed.append(_pk(s.person_id))
    Interest.objects.filter(pk__in=proposed).update(status=InterestStatus.PROPOSED, explanation={})
    for e in result.unplaced:
        Interest.objects.filter(pk=_pk(e.person_id)).update(explanation=_jsonable(e))


# --------------------------------------------------------------------------- proposals


def offers_expire() -> int:
    """Close offers past their deadline. A new group that did not reach the minimum lapses, and
    those who accepted return to the pool keeping their original waiting time (priority)."""
    now = timezone.now()
    lapsed = 0
    for offer in GroupOffer.objects.filter(status=OfferStatus.OPEN, deadline__lt=now):
        with transaction.atomic():
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
            Interest.objects.filter(user_id__in=users, status=InterestStatus.PROPOSED).update(
                status=InterestStatus.ACTIVE
            )
            lapsed += 1
    return lapsed


def _weekday_time(offer: GroupOffer, tz: str) -> tuple[int, int]:
    local = engine.utc_slot_to_local(offer.slot_utc, tz, offer.reference_monday)
    return local.weekday(), local.hour


def _form_circle(*, offer: GroupOffer, accepted: list[Proposal]) -> Circle:
    """Create the group once enough people said yes, and make each of them a member with exactly the
    consent they gave when accepting (stored on their proposal). A pseudonym clash never stops the
    group forming: the later person gets a placeholder and is asked to choose one
    (`circles.services.membership_join_consented`)."""
    tz = offer.place.timezone if offer.place else (accepted[0].user.timezone or "UTC")
    weekday, hour = _weekday_time(offer, tz)
    founder = accepted[0]
    with translation.override(offer.language if offer.language in ("en", "es", "it", "ca") else "en"):
        name = f"{offer.experience.name} · {WEEKDAY_NAMES[weekday]} {hour:02d}:00"
        circle = circle_services.circle_create_consented(
            founder=founder.user,
            name=name,
            experience=offer.experience,
            languages=[offer.language],
            mode=Mode.IN_PERSON if offer.place else Mode.ONLINE,
            place=offer.place,
            description=str(_("A group formed by Mutua's matching. Its members will write its description.")),
            listed=True,
            open=True,
            pseudonym=founder.pseudonym,
            consent=founder.consent,
        )
        Circle.objects.filter(pk=circle.pk).update(timezone=tz, meeting_weekday=weekday, meeting_hour=hour)
        for p in accepted[1:]:
            circle_services.membership_join_consented(
                circle=circle, user=p.user, pseudonym=p.pseudonym, consent=p.consent
            )
    offer.circle = circle
    offer.status = OfferStatus.FORMED
    offer.save(update_fields=["circle", "status"])
    Interest.objects.filter(user_id__in=[p.user_id for p in accepted]).update(status=InterestStatus.PLACED)
    audit("matching.group_formed", actor=None, circle=circle, offer=offer.pk, members=len(accepted))
    return circle


# Short names for table headers; Catalan's own abbreviations (dl., dt., dc.…) differ from a slice.
WEEKDAY_SHORT = [
    pgettext_lazy("weekday short", "Mon"),
    pgettext_lazy("weekday short", "Tue"),
    pgettext_lazy("weekday short", "Wed"),
    pgettext_lazy("weekday short", "Thu"),
    pgettext_lazy("weekday short", "Fri"),
    pgettext_lazy("weekday short", "Sat"),
    pgettext_lazy("weekday short", "Sun"),
]
WEEKDAY_NAMES = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


@transaction.atomic
def proposal_accept(
    *,
    user: Any,
    offer_code: str,
    pseudonym: str,
    confirms_experience: bool,
    accepts_pledge: bool,
    pledge_version: int | None,
) -> Proposal:
    """Say yes to a proposal, with the same consent as any join (checked now and stored with the
    proposal, so the group forms with exactly what was accepted) and a pseudonym nobody else in the
    group already uses or has chosen."""
    offers_expire()
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("offer", "offer__experience", "offer__place", "offer__circle")
        .filter(user=user, offer__code=offer_code)
        .first()
    )
    if proposal is None:
        raise DomainError(_("This proposal does not exist."), "not_found")
    if proposal.status != ProposalStatus.PENDING:
        raise DomainError(_("You have already answered this proposal, or it has closed."), "conflict")
    existing = proposal.offer.circle
    consent = circle_services.check_consent(
        confirms_experience=confirms_experience,
        accepts_pledge=accepts_pledge,
        pledge_version=pledge_version,
        agreements_version=existing.agreements_version if existing else FIRST_AGREEMENTS_VERSION,
    )
    pseudonym = circle_services.clean_pseudonym(pseudonym)
    # Lock the offer before comparing pseudonyms, so two people accepting at once are compared in turn.
    offer = GroupOffer.objects.select_for_update().get(pk=proposal.offer_id)
    if _pseudonym_clashes(offer=offer, proposal=proposal, pseudonym=pseudonym):
        raise DomainError(circle_services.PSEUDONYM_TAKEN)
    proposal.pseudonym = pseudonym
    proposal.status = ProposalStatus.ACCEPTED
    proposal.decided_at = timezone.now()
    proposal.confirms_experience = consent.confirms_experience
    proposal.pledge_version = consent.pledge_version
    proposal.agreements_version = consent.agreements_version
    proposal.consented_at = consent.given_at
    proposal.save(
        update_fields=[
            "pseudonym",
            "status",
            "decided_at",
            "confirms_experience",
            "pledge_version",
            "agreements_version",
            "consented_at",
        ]
    )
    if offer.circle is not None:
        # A seat in an existing group, or a new group that has already formed: join it now.
        circle_services.membership_join_consented(
            circle=offer.circle, user=user, pseudonym=proposal.pseudonym, consent=consent
        )
        Interest.objects.filter(user=user).update(status=InterestStatus.PLACED)
        return proposal
    accepted = list(
        offer.proposals.filter(status=ProposalStatus.ACCEPTED)
        .select_related("user")
        .order_by("decided_at", "pk")
    )
    if len(accepted) >= settings.MUTUA_MIN_MEMBERS:
        _form_circle(offer=offer, accepted=accepted)
    return proposal


def _pseudonym_clashes(*, offer: GroupOffer, proposal: Proposal, pseudonym: str) -> bool:
    """Whether the pseudonym looks like one already accepted for this offer or used in its group."""
    key = pseudonym_key(pseudonym)
    others = offer.proposals.filter(status=ProposalStatus.ACCEPTED).exclude(pk=proposal.pk)
    if any(pseudonym_key(p) == key for p in others.values_list("pseudonym", flat=True)):
        return True
    if offer.circle is not None:
        return (
            offer.circle.memberships.live()
            .filter(pseudonym_key=key)
            .exclude(user_id=proposal.user_id)
            .exists()
        )
    return False


@transaction.atomic
def proposal_decline(*, user: Any, offer_code: str) -> None:
    proposal = Proposal.objects.filter(user=user, offer__code=offer_code).first()
    if proposal is None:
        raise DomainError(_("This proposal does not exist."), "not_found")
    if proposal.status != ProposalStatus.PENDING:
        raise DomainError(_("You have already answered this proposal, or it has closed."), "conflict")
    proposal.status = ProposalStatus.DECLINED
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at"])
    # Back to waiting, keeping their place in the queue.
    Interest.objects.filter(user=user, status=InterestStatus.PROPOSED).update(status=InterestStatus.ACTIVE)
