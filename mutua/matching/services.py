"""Writers for interests, matching runs and proposals (§3.6).

P2 throughout: a run only *proposes*. A person joins a group by accepting their proposal, with the
same consent as any join (shared experience, agreements and pledge, pseudonym). A new group is
created when the minimum number of people have accepted; each of them is made a member with the
consent they gave when accepting (stored on their proposal), never with consent assumed at formation.
"""

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mutua.circles import selectors as circle_selectors
from mutua.circles import services as circle_services
from mutua.circles.consent import FIRST_AGREEMENTS_VERSION
from mutua.circles.forms import GROUP_LANGUAGES
from mutua.circles.models import Circle, Experience, Mode, Place
from mutua.circles.pseudonyms import pseudonym_key
from mutua.core.errors import DomainError
from mutua.core.i18n import require_timezone, supported_language
from mutua.core.models import audit
from mutua.matching import engine
from mutua.matching.models import (
    GroupOffer,
    Interest,
    InterestStatus,
    MatchingRun,
    OfferStatus,
    Proposal,
    ProposalStatus,
    RunStatus,
    SeekerMode,
)
from mutua.matching.runs import (
    build_instance,
    next_monday,
    offers_expire,
    proposal_reminders,
    proposals_tick,
    run_execute,
)
from mutua.matching.tasks import run_matching
from mutua.meetings.schedule import weekly
from mutua.notifications.models import Kind
from mutua.notifications.services import notify

if TYPE_CHECKING:
    from mutua.accounts.models import User

# Running a match and the periodic proposals tick live in `runs` (the tasks call them); these names
# stay importable from here.
__all__ = [
    "build_instance",
    "next_monday",
    "offers_expire",
    "proposal_reminders",
    "proposals_tick",
    "run_execute",
]

logger = logging.getLogger(__name__)

HOURS = range(24)
WEEKDAYS = range(7)


# --------------------------------------------------------------------------- interests


@transaction.atomic
def interest_save(
    *,
    user: "User",
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


def interest_save_by_slugs(
    *,
    user: "User",
    experience: str,
    other_experiences: list[str],
    place: str,
    languages: list[str],
    timezone_name: str,
    availability: list[int],
    mode: str,
    max_travel_km: int,
    women_only: bool,
    is_woman: bool,
) -> Interest:
    """`interest_save` for the page and the API, which name the experience and the place by slug."""
    chosen = circle_selectors.experience_or_none(experience)
    if chosen is None:
        raise DomainError(_("Unknown experience."))
    area = circle_selectors.place_by_slug(place)
    if place and area is None:
        raise DomainError(_("Unknown place."))
    return interest_save(
        user=user,
        experience=chosen,
        other_experiences=circle_selectors.experiences_by_slugs(other_experiences),
        languages=languages,
        timezone_name=timezone_name,
        availability=availability,
        mode=mode,
        place=area,
        max_travel_km=max_travel_km,
        women_only=women_only,
        is_woman=is_woman,
    )


@transaction.atomic
def interest_withdraw(*, user: "User") -> None:
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
def run_create(*, staff: "User | None", seed: int = 0, queue: bool = True) -> MatchingRun:
    """Start a run: refuse while one is in progress, audit, and queue it for the worker (or, with
    `queue=False`, leave it for the caller to execute inline, as `run_inline` does). `staff` is the
    host staff member starting it, or None for the weekly schedule or the command line."""
    if staff is not None and not staff.is_staff:
        raise DomainError(_("Only host staff can start a matching run."), "not_found")
    if MatchingRun.objects.filter(status__in=(RunStatus.QUEUED, RunStatus.RUNNING)).exists():
        raise DomainError(_("A matching run is already in progress."), "conflict")
    run = MatchingRun.objects.create(created_by=staff, seed=seed)
    audit("matching.run_created", actor=staff, run=run.pk)
    if queue:
        transaction.on_commit(lambda: run_matching.enqueue(run.pk))
    return run


def run_inline(*, seed: int = 0) -> MatchingRun:
    """Start a run and execute it in this process (`manage.py matching_run --wait`): the same checks
    and audit as any run, without the worker."""
    run = run_create(staff=None, seed=seed, queue=False)
    return run_execute(run_id=run.pk)


# --------------------------------------------------------------------------- proposals


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
    with translation.override(supported_language(offer.language)):
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
        # The group meets weekly at the slot its members were matched on, from the coming week.
        circle_services.circle_schedule_set(
            circle=circle, rhythm=weekly(weekday, hour, tz, timezone.localdate()), user=None
        )
        for p in accepted[1:]:
            circle_services.membership_join_consented(
                circle=circle, user=p.user, pseudonym=p.pseudonym, consent=p.consent
            )
    offer.circle = circle
    offer.status = OfferStatus.FORMED
    offer.save(update_fields=["circle", "status"])
    Interest.objects.filter(user_id__in=[p.user_id for p in accepted]).update(status=InterestStatus.PLACED)
    audit("matching.group_formed", actor=None, circle=circle, offer=offer.pk, members=len(accepted))
    home = reverse("circles:home", args=[circle.code])
    for p in accepted:
        notify(p.user_id, Kind.GROUP_FORMED, url=home)
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
    user: "User",
    offer_code: str,
    pseudonym: str,
    confirms_experience: bool,
    accepts_pledge: bool,
    pledge_version: int | None,
) -> Proposal:
    """Say yes to a proposal, with the same consent as any join (checked now and stored with the
    proposal, so the group forms with exactly what was accepted) and a pseudonym nobody else in the
    group already uses or has chosen."""
    # No sweep of expired offers here: the periodic task `proposals_tick` closes them (decision 17);
    # an answer after the deadline is refused below, whether or not the task has run yet.
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
    if offer.deadline < timezone.now():
        raise DomainError(_("You have already answered this proposal, or it has closed."), "conflict")
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
        notify(user, Kind.JOIN_CONFIRMED, url=reverse("circles:home", args=[offer.circle.code]))
        return proposal
    accepted = list(
        offer.proposals.filter(status=ProposalStatus.ACCEPTED)
        .select_related("user")
        .order_by("decided_at", "pk")
    )
    if len(accepted) >= settings.MUTUA_MIN_MEMBERS:
        _form_circle(offer=offer, accepted=accepted)
    # The caller reads `proposal.offer.circle` to know whether the group formed: give it the offer as
    # it is now, not the copy read before the lock.
    proposal.offer = offer
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
def proposal_decline(*, user: "User", offer_code: str) -> None:
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
