"""The only writers of groups and memberships.

P2: every service that creates or changes a membership takes the acting person as `user` and only
ever touches that person's own row. There is no parameter for "another person" anywhere.
"""

import itertools
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mutua.circles.consent import (
    CHANGED,
    Consent,
    ConsentRequired,
    check_consent,
    check_pledge,
    consent_is_current,
    current_pledge,
    current_pledge_version,
)
from mutua.circles.meeting_times import rhythm_slots
from mutua.circles.models import (
    QUEUED_STATUSES,
    Circle,
    CircleLanguage,
    CircleSlot,
    CircleStatus,
    Experience,
    Membership,
    MembershipStatus,
    Mode,
    Place,
    PledgeAcceptance,
    RequestOutcome,
)
from mutua.circles.pseudonyms import PSEUDONYM_MAX, clean_pseudonym, pseudonym_key
from mutua.circles.selectors import SLOT_ZONES_KEY, slot_zones
from mutua.core import ratelimit
from mutua.core.errors import DomainError
from mutua.core.models import audit
from mutua.meetings.schedule import Rhythm, ScheduleError
from mutua.meetings.schedule import validate as validate_rhythm
from mutua.meetings.services import room_ensure
from mutua.meetings.texts import schedule_error_message
from mutua.notifications.models import Kind
from mutua.notifications.services import notify

if TYPE_CHECKING:
    from mutua.accounts.models import User
    from mutua.governance.models import Proposal

__all__ = [
    "PSEUDONYM_MAX",
    "check_consent",
    "clean_pseudonym",
    "current_pledge",
]

# Joining is how an outsider could probe which pseudonyms a group uses (a refused pseudonym is
# taken; an accepted one can be dropped by leaving). Each attempt with valid consent counts, per
# person and group, in a window shared by all workers (`core.ratelimit`).
JOIN_RATE_SCOPE = "circle-join"
JOIN_RATE_LIMIT = 5
JOIN_RATE_WINDOW_SECONDS = 24 * 3600

JOINING_CHANGED = _("How this group takes newcomers has just changed. Please open the join page again.")

PSEUDONYM_TAKEN = _(
    "Someone in this group already uses that pseudonym, or one that looks the same. Please choose another."
)


def _require_verified(user: "User") -> None:
    if not user.is_authenticated or not user.email_verified:
        raise DomainError(_("Please confirm your email address before joining a group."), "conflict")


def _require_given(consent: Consent) -> None:
    """Consent recorded earlier (a matching proposal) is checked for what cannot go stale: the person
    confirmed the shared experience (P1). A stale pledge is let through and closes the gate instead."""
    if consent.confirms_experience is not True:
        raise DomainError(_("Please confirm that you share this group's experience."))


def _refuse_removed(*, circle: Circle, user: "User") -> None:
    """Someone the group removed (a passed removal proposal) does not join it again by themself. The
    answer is the one a closed group gives, so it tells nobody else anything (decision 0021)."""
    if Membership.objects.filter(circle=circle, user=user, removed_at__isnull=False).exists():
        raise DomainError(_("This group is not taking newcomers at the moment."), "conflict")


def _pseudonym_taken(*, circle: Circle, key: str, exclude_user: "User") -> bool:
    return circle.memberships.live().filter(pseudonym_key=key).exclude(user=exclude_user).exists()


def _placeholder(*, circle: Circle, user: "User") -> tuple[str, str]:
    """A neutral pseudonym nobody in the group uses, for the last-resort case at formation."""
    for n in itertools.count(circle.memberships.live().count() + 1):
        name = gettext("Member %(n)s") % {"n": n}
        key = pseudonym_key(name)
        if not _pseudonym_taken(circle=circle, key=key, exclude_user=user):
            return name, key
    raise AssertionError("unreachable")


def _lock(circle: Circle) -> Circle:
    """Serialise seat changes on one group (row lock on PostgreSQL; SQLite writes are serial)."""
    return Circle.objects.select_for_update().get(pk=circle.pk)


def _refresh(circle: Circle) -> None:
    """The one recount: expire stale seat offers, offer free seats to the longest waiting, keep the
    denormalised `member_count` and `seats_held`, and move a forming group to active when it reaches
    its minimum and has a schedule (adopting the basic agreements)."""
    now = timezone.now()
    expired = circle.memberships.filter(status=MembershipStatus.OFFERED, offer_expires_at__lt=now)
    status_url = reverse("circles:status", args=[circle.code])
    for m in expired:
        # An unanswered offer returns the person to the back of the list rather than dropping them.
        m.status = MembershipStatus.WAITING
        m.offer_expires_at = None
        m.waiting_since = now
        m.save(update_fields=["status", "offer_expires_at", "waiting_since"])
        notify(m.user_id, Kind.OFFER_LAPSED, url=status_url)
    held = circle.memberships.holding_seat().count()
    free = circle.max_members - held
    if free > 0:
        deadline = now + timedelta(days=settings.MUTUA_SEAT_OFFER_DAYS)
        for m in circle.memberships.filter(status=MembershipStatus.WAITING).order_by("waiting_since", "pk")[
            :free
        ]:
            m.status = MembershipStatus.OFFERED
            m.offer_expires_at = deadline
            m.save(update_fields=["status", "offer_expires_at"])
            held += 1
            audit("seat.offered", actor=None, circle=circle, membership=m.pk)
            notify(m.user_id, Kind.SEAT_OFFERED, url=status_url, due_at=deadline)
    members = circle.memberships.filter(status=MembershipStatus.MEMBER).count()
    fields = []
    if circle.member_count != members:
        circle.member_count = members
        fields.append("member_count")
    if circle.seats_held != held:
        circle.seats_held = held
        fields.append("seats_held")
    # Decision 0004 (revisited): active = its minimum, a schedule, and adopted agreements. Until group
    # proposals exist, reaching the minimum with a schedule adopts the basic agreements.
    if circle.status == CircleStatus.FORMING and members >= circle.min_members and circle.has_schedule:
        circle.status = CircleStatus.ACTIVE
        circle.agreements_adopted_at = now
        fields += ["status", "agreements_adopted_at"]
    if fields:
        circle.save(update_fields=fields)


def _record_acceptance(*, circle: Circle, user: "User", consent: Consent, membership: Membership) -> None:
    """Write down what the person accepted, with the versions and the moment they accepted."""
    membership.pledge_version = consent.pledge_version
    membership.agreements_version = consent.agreements_version
    if consent.pledge_version > 0:
        PledgeAcceptance.objects.create(
            user=user,
            circle=circle,
            pledge_version=consent.pledge_version,
            agreements_version=consent.agreements_version,
            accepted_at=consent.given_at,
        )


def circle_create(
    *,
    founder: "User",
    name: str,
    experience: Experience,
    secondary_experiences: list[Experience] | None = None,
    languages: list[str],
    mode: str,
    place: Place | None,
    description: str,
    max_members: int | None = None,
    listed: bool = True,
    open: bool = True,  # noqa: A002 - mirrors the model field
    pseudonym: str,
    confirms_experience: bool,
    accepts_pledge: bool,
    pledge_version: int | None,
) -> Circle:
    """A member starts a group and becomes its first member. The founder holds no special rights (P5)."""
    _require_verified(founder)
    consent = check_consent(
        confirms_experience=confirms_experience, accepts_pledge=accepts_pledge, pledge_version=pledge_version
    )
    circle = circle_create_consented(
        founder=founder,
        name=name,
        experience=experience,
        secondary_experiences=secondary_experiences,
        languages=languages,
        mode=mode,
        place=place,
        description=description,
        max_members=max_members,
        listed=listed,
        open=open,
        pseudonym=pseudonym,
        consent=consent,
    )
    # The founder starts the group and wrote its description: the welcome step is for people who join it
    # (a group formed by matching welcomes its first member too: that path does not come through here).
    circle.memberships.filter(user=founder).update(welcomed_at=timezone.now())
    return circle


@transaction.atomic
def circle_create_consented(
    *,
    founder: "User",
    name: str,
    experience: Experience,
    secondary_experiences: list[Experience] | None = None,
    languages: list[str],
    mode: str,
    place: Place | None,
    description: str,
    max_members: int | None = None,
    listed: bool = True,
    open: bool = True,  # noqa: A002 - mirrors the model field
    pseudonym: str,
    consent: Consent,
) -> Circle:
    """Create a group with consent the founder gave earlier (`circle_create` checks it now; matching
    passes what the person accepted with their proposal)."""
    _require_verified(founder)
    _require_given(consent)
    pseudonym = clean_pseudonym(pseudonym)
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Give the group a name."))
    if not languages:
        raise DomainError(_("Choose at least one language."))
    if mode not in Mode.values:
        raise DomainError(_("Choose how the group meets."))
    if mode in (Mode.IN_PERSON, Mode.HYBRID) and place is None:
        raise DomainError(_("Choose the area where the group meets in person."))
    if mode == Mode.ONLINE:
        place = None
    max_members = max_members or settings.MUTUA_MAX_MEMBERS
    if not 5 <= max_members <= 12:
        raise DomainError(_("A group's maximum size is between 5 and 12."))
    circle = Circle.objects.create(
        name=name[:80],
        experience=experience,
        mode=mode,
        place=place,
        description=description.strip(),
        max_members=max_members,
        listed=listed,
        open=open,
    )
    if secondary_experiences:
        circle.secondary_experiences.set([e for e in secondary_experiences if e.pk != experience.pk])
    CircleLanguage.objects.bulk_create(
        [CircleLanguage(circle=circle, language=lang) for lang in dict.fromkeys(languages)]
    )
    membership = Membership(
        circle=circle,
        user=founder,
        status=MembershipStatus.MEMBER,
        pseudonym=pseudonym,
        pseudonym_key=pseudonym_key(pseudonym),
        joined_at=timezone.now(),
    )
    _record_acceptance(circle=circle, user=founder, consent=consent, membership=membership)
    membership.save()
    room_ensure(circle=circle)
    _refresh(circle)
    audit("circle.created", actor=founder, circle=circle)
    return circle


def _schedule_columns(rhythm: Rhythm | None) -> dict[str, object]:
    if rhythm is None:
        return {
            "schedule_kind": "",
            "schedule_start_date": None,
            "schedule_start_time": None,
            "schedule_weekday": None,
            "schedule_nth": None,
            "schedule_monthday": None,
            "schedule_rrule": "",
            "schedule_end_date": None,
        }
    return {
        "timezone": rhythm.tz,
        "schedule_kind": str(rhythm.kind),
        "schedule_start_date": rhythm.start_date,
        "schedule_start_time": rhythm.start_time,
        "schedule_duration": rhythm.duration_minutes,
        "schedule_weekday": rhythm.weekday,
        "schedule_nth": rhythm.nth,
        "schedule_monthday": rhythm.monthday,
        "schedule_rrule": rhythm.rrule,
        "schedule_end_date": rhythm.end_date,
    }


def _slot_rows(circle: Circle, now: datetime) -> list[CircleSlot]:
    rhythm = circle.rhythm
    minutes = rhythm_slots(rhythm, now) if rhythm is not None else set()
    return [
        CircleSlot(circle=circle, timezone=circle.timezone, minute_of_week=m, until=circle.schedule_end_date)
        for m in sorted(minutes)
    ]


def circle_slots_refresh(*, circle: Circle, now: datetime | None = None) -> None:
    """The one writer of `CircleSlot` (decision 0019): the minutes of the week the group's meetings start
    at, on its own clock, for the directory's day and time filters. Called when the rhythm changes and
    daily for every group (`slots_refresh_all`), because a day-of-month or custom rhythm falls on other
    weekdays as the months go by."""
    rows = _slot_rows(circle, now or timezone.now())
    CircleSlot.objects.filter(circle=circle).delete()
    CircleSlot.objects.bulk_create(rows)
    if circle.timezone not in slot_zones():
        # A zone nobody had: drop the cached list now, and again once the rows are visible to others
        # (a process reading it in between would cache the list without it).
        cache.delete(SLOT_ZONES_KEY)
        transaction.on_commit(lambda: cache.delete(SLOT_ZONES_KEY))


def slots_refresh_all(*, now: datetime | None = None, batch: int = 500) -> int:
    """Recompute every group's slots (`manage.py directory_slots_refresh`; idempotent). Returns the
    number of groups with a schedule."""
    now = now or timezone.now()
    scheduled = 0
    ids = list(Circle.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        with transaction.atomic():
            circles = list(Circle.objects.filter(pk__in=chunk))
            rows = [row for circle in circles for row in _slot_rows(circle, now)]
            scheduled += sum(1 for circle in circles if circle.has_schedule)
            CircleSlot.objects.filter(circle_id__in=chunk).delete()
            CircleSlot.objects.bulk_create(rows)
    cache.delete(SLOT_ZONES_KEY)
    return scheduled


@transaction.atomic
def circle_schedule_set(*, circle: Circle, rhythm: Rhythm, user: "User | None") -> Circle:
    """Give the group its meeting rhythm, or change it. `user` is the member doing it (any member: P5,
    until the group's own proposals decide it) or None when matching forms the group from its slot.
    The other members are told; a forming group with its minimum becomes active (`_refresh`)."""
    try:
        validate_rhythm(rhythm)
    except ScheduleError as error:
        raise DomainError(schedule_error_message(error.code)) from error
    circle = _lock(circle)
    if user is not None and not circle.memberships.filter(user=user, status=MembershipStatus.MEMBER).exists():
        raise DomainError(_("Only members of the group can change when it meets."))
    had = circle.has_schedule
    columns = _schedule_columns(rhythm)
    for column, value in columns.items():
        setattr(circle, column, value)
    circle.save(update_fields=list(columns))
    circle_slots_refresh(circle=circle)
    _refresh(circle)
    audit("meetings.schedule_set", actor=user, circle=circle)
    if had and user is not None:
        url = reverse("meetings:list", args=[circle.code])
        others = (
            circle.memberships.filter(status=MembershipStatus.MEMBER)
            .exclude(user=user)
            .values_list("user_id", flat=True)
        )
        for uid in others:
            notify(uid, Kind.MEETING_CHANGED, url=url)
    return circle


def membership_join(
    *,
    circle: Circle,
    user: "User",
    pseudonym: str,
    confirms_experience: bool,
    accepts_pledge: bool,
    pledge_version: int | None,
    message: str = "",
    agreements_version: int | None = None,
) -> Membership:
    """Join by one's own choice (P2): confirm the shared experience (P1), accept the agreements and
    the confidentiality pledge (P7). A full group puts the person on its waiting list (P4); a group
    that reviews newcomers gets a join request instead, with the optional `message`
    (`circles.join_requests`): the returned membership's status says which. `agreements_version` is
    the version of the group's agreements the person was shown, when known (the join page): if the
    group adopted others since, nothing is recorded as accepted.

    Not atomic itself on purpose: the attempt is counted before the atomic join, so a refusal (a
    pseudonym already taken) still counts against the limit instead of being rolled back with it."""
    _require_verified(user)
    consent = check_consent(
        confirms_experience=confirms_experience,
        accepts_pledge=accepts_pledge,
        pledge_version=pledge_version,
        agreements_version=circle.agreements_version,
    )
    if agreements_version is not None and agreements_version != circle.agreements_version:
        raise DomainError(CHANGED, "conflict")
    _refuse_removed(circle=circle, user=user)
    pseudonym = clean_pseudonym(pseudonym)
    attempts = ratelimit.hit(JOIN_RATE_SCOPE, f"{user.pk}:{circle.pk}", window=JOIN_RATE_WINDOW_SECONDS)
    if attempts > JOIN_RATE_LIMIT:
        raise DomainError(
            _("You have tried to join this group too many times today. Please try again tomorrow."),
            "rate_limited",
        )
    if circle.reviews_newcomers:
        from mutua.circles.join_requests import join_request_create  # it builds on this module

        return join_request_create(
            circle=circle, user=user, pseudonym=pseudonym, consent=consent, message=message
        )
    return _join(circle=circle, user=user, pseudonym=pseudonym, consent=consent, placeholder_on_clash=False)


def membership_join_consented(
    *, circle: Circle, user: "User", pseudonym: str, consent: Consent
) -> Membership:
    """Join with consent given earlier: a matching proposal accepted before the group formed. A
    pseudonym that clashes never stops the group forming: the person gets a neutral placeholder and
    is asked to choose a pseudonym. A pledge that changed since is recorded as accepted then, so the
    gate asks the person to accept the new one before they see anything."""
    return _join(circle=circle, user=user, pseudonym=pseudonym, consent=consent, placeholder_on_clash=True)


@transaction.atomic
def _join(
    *, circle: Circle, user: "User", pseudonym: str, consent: Consent, placeholder_on_clash: bool
) -> Membership:
    _require_verified(user)
    _require_given(consent)
    circle = _lock(circle)
    _refresh(circle)
    existing = Membership.objects.filter(circle=circle, user=user).first()
    if existing is not None and existing.status == MembershipStatus.MEMBER:
        raise DomainError(_("You are already a member of this group."), "conflict")
    if existing is not None and existing.is_queued:
        raise DomainError(_("You are already on this group's waiting list."), "conflict")
    if existing is not None and existing.status == MembershipStatus.REQUESTED and not placeholder_on_clash:
        # The request is settled by the members or the deadline (`join_requests`), never around them.
        raise DomainError(_("You have already asked to join this group."), "conflict")
    if not circle.open:
        raise DomainError(_("This group is not taking newcomers at the moment."), "conflict")
    if circle.reviews_newcomers and not placeholder_on_clash:
        # It began reviewing newcomers since the page was read. Consent given earlier (matching, an
        # admitted join request) was already agreed, so only the direct join is sent back.
        raise DomainError(JOINING_CHANGED, "conflict")
    pseudonym = clean_pseudonym(pseudonym)
    key = pseudonym_key(pseudonym)
    must_choose = False
    if _pseudonym_taken(circle=circle, key=key, exclude_user=user):
        if not placeholder_on_clash:
            raise DomainError(PSEUDONYM_TAKEN)
        pseudonym, key = _placeholder(circle=circle, user=user)
        must_choose = True

    now = timezone.now()
    # After `_refresh` every free seat is offered to the queue, so a free seat here means nobody waits.
    has_seat = circle.memberships.holding_seat().count() < circle.max_members
    # An admitted join request recorded its consent when the person asked: not written again.
    asked = existing is not None and existing.status == MembershipStatus.REQUESTED
    membership = existing or Membership(circle=circle, user=user)
    membership.pseudonym = pseudonym
    membership.pseudonym_key = key
    membership.must_choose_pseudonym = must_choose
    membership.left_at = None
    membership.offer_expires_at = None
    # Someone who comes back is a newcomer again: the welcome step, and no old request's outcome.
    membership.welcomed_at = None
    membership.request_outcome = ""
    if has_seat:
        membership.status = MembershipStatus.MEMBER
        membership.joined_at = now
        membership.waiting_since = None
    else:
        membership.status = MembershipStatus.WAITING
        membership.waiting_since = now
    if not asked:
        _record_acceptance(circle=circle, user=user, consent=consent, membership=membership)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:  # a double submit racing itself, or the same pseudonym at once
        raise DomainError(_("You are already a member of this group."), "conflict") from exc
    _refresh(circle)
    audit("membership.joined" if has_seat else "membership.waiting", actor=user, circle=circle)
    return membership


@transaction.atomic
def membership_leave(*, circle: Circle, user: "User") -> None:
    """Leave in one step, no reason asked (P2). Effective on the next request: the gate reads the
    status on every request. A freed seat is offered to the longest-waiting person."""
    circle = _lock(circle)
    membership = Membership.objects.live().filter(circle=circle, user=user).first()
    if membership is None:
        raise DomainError(_("You are not in this group (any more)."), "not_found")
    membership.status = MembershipStatus.LEFT
    membership.left_at = timezone.now()
    membership.offer_expires_at = None
    membership.save(update_fields=["status", "left_at", "offer_expires_at"])
    _refresh(circle)
    audit("membership.left", actor=user, circle=circle)


@transaction.atomic
def seat_accept(*, circle: Circle, user: "User") -> Membership:
    """Take an offered seat. The consent given when joining the list must still be current (the
    gate's rule): otherwise ConsentRequired, and the person accepts again first."""
    circle = _lock(circle)
    _refresh(circle)
    membership = Membership.objects.filter(circle=circle, user=user).first()
    if membership is None or membership.status != MembershipStatus.OFFERED:
        raise DomainError(_("There is no seat offer for you in this group, or it has expired."), "conflict")
    if not consent_is_current(membership=membership, circle=circle, pledge_version=current_pledge_version()):
        raise ConsentRequired(circle=circle, membership=membership)
    membership.status = MembershipStatus.MEMBER
    membership.joined_at = timezone.now()
    membership.offer_expires_at = None
    membership.save(update_fields=["status", "joined_at", "offer_expires_at"])
    _refresh(circle)
    audit("seat.accepted", actor=user, circle=circle)
    notify(user, Kind.JOIN_CONFIRMED, url=reverse("circles:home", args=[circle.code]))
    return membership


@transaction.atomic
def seat_decline(*, circle: Circle, user: "User") -> None:
    """Declining an offered seat leaves the waiting list; the seat goes to the next person."""
    circle = _lock(circle)
    membership = Membership.objects.filter(circle=circle, user=user, status=MembershipStatus.OFFERED).first()
    if membership is None:
        raise DomainError(_("There is no seat offer for you in this group, or it has expired."), "conflict")
    membership.status = MembershipStatus.LEFT
    membership.left_at = timezone.now()
    membership.offer_expires_at = None
    membership.save(update_fields=["status", "left_at", "offer_expires_at"])
    _refresh(circle)
    audit("seat.declined", actor=user, circle=circle)


@transaction.atomic
def membership_consent_renew(
    *,
    circle: Circle,
    user: "User",
    accepts_pledge: bool,
    pledge_version: int | None,
    agreements_version: int | None,
) -> Membership:
    """Accept the current pledge and the group's current agreements again (after either changed).
    Open to anyone with a live relation to the group: members to see it again, people offered a seat
    to take it."""
    membership = Membership.objects.live().select_for_update().filter(circle=circle, user=user).first()
    if membership is None:
        raise DomainError(_("You are not in this group (any more)."), "not_found")
    pledge = check_pledge(accepts_pledge=accepts_pledge, pledge_version=pledge_version)
    current = Circle.objects.values_list("agreements_version", flat=True).get(pk=circle.pk)
    if agreements_version != current:
        raise DomainError(CHANGED, "conflict")
    consent = Consent(
        confirms_experience=True,
        pledge_version=pledge.version,
        agreements_version=current,
        given_at=timezone.now(),
    )
    _record_acceptance(circle=circle, user=user, consent=consent, membership=membership)
    membership.save(update_fields=["pledge_version", "agreements_version"])
    audit("consent.renewed", actor=user, circle=circle)
    return membership


@transaction.atomic
def membership_pseudonym_change(*, circle: Circle, user: "User", pseudonym: str) -> Membership:
    """A member chooses another pseudonym (or their first, after a placeholder at formation). Only
    members: they already see the group's pseudonyms, so this reveals nothing new."""
    circle = _lock(circle)
    membership = Membership.objects.filter(circle=circle, user=user, status=MembershipStatus.MEMBER).first()
    if membership is None:
        raise DomainError(_("You are not in this group (any more)."), "not_found")
    pseudonym = clean_pseudonym(pseudonym)
    key = pseudonym_key(pseudonym)
    if _pseudonym_taken(circle=circle, key=key, exclude_user=user):
        raise DomainError(PSEUDONYM_TAKEN)
    membership.pseudonym = pseudonym
    membership.pseudonym_key = key
    membership.must_choose_pseudonym = False
    membership.save(update_fields=["pseudonym", "pseudonym_key", "must_choose_pseudonym"])
    return membership


# --------------------------------------------------------------------------- group decisions
#
# What a passed proposal changes (governance.services.proposal_close calls these in the transaction
# that closes it). They are the group's decisions, not a person's (P2, P5): none takes a `user`, each
# takes the passed `proposal` of this group it carries out, and refuses anything else.


def _check_decision(*, circle: Circle, proposal: "Proposal", kind: str) -> None:
    if proposal.circle_id != circle.pk or proposal.kind != kind or proposal.passed is not True:
        raise ValueError("a group decision needs a passed proposal of its kind in this group")


def _decision_audit(action: str, *, circle: Circle, proposal: "Proposal", **data: object) -> None:
    audit(action, actor=None, circle=circle, proposal=proposal.code, **data)


@transaction.atomic
def circle_agreements_adopt(*, circle: Circle, items: list[dict[str, str]], proposal: "Proposal") -> Circle:
    """The group adopts a new set of its own agreements (after the host's basic ones): version + 1.
    Every member accepts it again before seeing the group (the gate: `consent_is_current`)."""
    from mutua.governance.agreements import clean_agreement_items
    from mutua.governance.models import AgreementsDraft, OwnAgreement, ProposalKind

    _check_decision(circle=circle, proposal=proposal, kind=ProposalKind.AGREEMENTS)
    cleaned = clean_agreement_items(items)
    circle = _lock(circle)
    version = circle.agreements_version + 1
    OwnAgreement.objects.bulk_create(
        [
            OwnAgreement(circle=circle, version=version, order=order, title=item["title"], text=item["text"])
            for order, item in enumerate(cleaned)
        ]
    )
    circle.agreements_version = version
    circle.agreements_adopted_at = timezone.now()
    circle.save(update_fields=["agreements_version", "agreements_adopted_at"])
    # The first member's drafting right ends with the group's own agreements (P5).
    AgreementsDraft.objects.filter(circle=circle).delete()
    _decision_audit("agreements.adopted", circle=circle, proposal=proposal, version=version)
    return circle


@transaction.atomic
def circle_capacity_set(*, circle: Circle, max_members: int, proposal: "Proposal") -> Circle:
    """The group's maximum size, 5 to 12 and never below its current members (nobody is pushed out).
    Seats freed by a larger size are offered to the waiting list at once (`_refresh`)."""
    from mutua.governance.models import ProposalKind

    _check_decision(circle=circle, proposal=proposal, kind=ProposalKind.CAPACITY)
    circle = _lock(circle)
    if not 5 <= max_members <= 12:
        raise DomainError(_("A group's maximum size is between 5 and 12."))
    members = circle.memberships.filter(status=MembershipStatus.MEMBER).count()
    if max_members < members:
        raise DomainError(_("The group has more members than that now. Nobody has to leave."), "conflict")
    circle.max_members = max_members
    circle.save(update_fields=["max_members"])
    _refresh(circle)
    _decision_audit("circle.capacity_set", circle=circle, proposal=proposal, max_members=max_members)
    return circle


@transaction.atomic
def circle_openness_set(*, circle: Circle, openness: str, proposal: "Proposal") -> Circle:
    """How newcomers join: "open" (straight away), "review" (they ask, the members welcome them) or
    "closed". A dissolved group stays closed."""
    from mutua.governance.models import Openness, ProposalKind

    _check_decision(circle=circle, proposal=proposal, kind=ProposalKind.OPENNESS)
    if openness not in Openness.values:
        raise DomainError(_("Choose how newcomers join."))
    circle = _lock(circle)
    if circle.dissolved_at is not None:
        raise DomainError(_("This group has ended."), "conflict")
    circle.open = openness != Openness.CLOSED
    circle.reviews_newcomers = openness == Openness.REVIEW
    circle.save(update_fields=["open", "reviews_newcomers"])
    _decision_audit("circle.openness_set", circle=circle, proposal=proposal, openness=openness)
    return circle


@transaction.atomic
def membership_remove(*, circle: Circle, membership: Membership, proposal: "Proposal") -> Membership:
    """The group's removal of a member who broke its agreements: the only way a membership ends without
    its person (P2). The person gets a neutral notice; nothing records why (the audit row names the
    proposal only). They cannot join this group again by themself. Someone who already left is left
    as they are."""
    from mutua.governance.models import ProposalKind

    _check_decision(circle=circle, proposal=proposal, kind=ProposalKind.REMOVAL)
    if proposal.subject_id != membership.pk or membership.circle_id != circle.pk:
        raise ValueError("a removal ends the membership it is about, in its own group")
    circle = _lock(circle)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_live:
        return membership
    now = timezone.now()
    membership.status = MembershipStatus.LEFT
    membership.left_at = now
    membership.removed_at = now
    membership.offer_expires_at = None
    membership.save(update_fields=["status", "left_at", "removed_at", "offer_expires_at"])
    _refresh(circle)
    _decision_audit("membership.removed", circle=circle, proposal=proposal)
    notify(membership.user_id, Kind.MEMBERSHIP_ENDED, url=reverse("circles:directory"))
    return membership


@transaction.atomic
def circle_dissolve(*, circle: Circle, proposal: "Proposal") -> Circle:
    """The group ends: closed to newcomers, out of the directory, its queue ended (each person told,
    neutrally). Its members stay, and see it, until the retention job deletes its content
    (MUTUA_DISSOLVED_RETENTION_DAYS after this; decision 0021)."""
    from mutua.governance.models import ProposalKind

    _check_decision(circle=circle, proposal=proposal, kind=ProposalKind.DISSOLUTION)
    circle = _lock(circle)
    if circle.dissolved_at is not None:
        return circle
    now = timezone.now()
    circle.dissolved_at = now
    circle.open = False
    circle.listed = False
    circle.reviews_newcomers = False
    fields = ["dissolved_at", "open", "listed", "reviews_newcomers"]
    if circle.has_schedule:
        # No meeting from the day it ends: pages, reminders and calendar feeds all read the rhythm,
        # and the past meetings (attendance) stay readable until the retention job. A rhythm that
        # had not started yet is cleared.
        last_day = now.astimezone(ZoneInfo(circle.timezone)).date() - timedelta(days=1)
        if circle.schedule_start_date is not None and last_day >= circle.schedule_start_date:
            circle.schedule_end_date = last_day
            fields.append("schedule_end_date")
        else:
            columns = _schedule_columns(None)
            for column, value in columns.items():
                setattr(circle, column, value)
            fields += list(columns)
    circle.save(update_fields=fields)
    directory = reverse("circles:directory")
    for m in circle.memberships.filter(status__in=[*QUEUED_STATUSES, MembershipStatus.REQUESTED]):
        requested = m.status == MembershipStatus.REQUESTED
        m.status = MembershipStatus.LEFT
        m.left_at = now
        m.offer_expires_at = None
        fields = ["status", "left_at", "offer_expires_at"]
        if requested:
            m.request_outcome = RequestOutcome.CLOSED
            fields.append("request_outcome")
        m.save(update_fields=fields)
        notify(m.user_id, Kind.JOIN_REQUEST_CLOSED if requested else Kind.MEMBERSHIP_ENDED, url=directory)
    _refresh(circle)
    _decision_audit("circle.dissolved", circle=circle, proposal=proposal)
    return circle


# --------------------------------------------------------------------------- scheduled


def seat_offer_reminders(*, now: datetime | None = None) -> int:
    """Remind each person offered a seat, once per offer, when its deadline is near."""
    now = now or timezone.now()
    soon = now + timedelta(hours=settings.MUTUA_REMINDER_HOURS)
    due = Membership.objects.filter(
        status=MembershipStatus.OFFERED, offer_expires_at__gte=now, offer_expires_at__lte=soon
    ).select_related("circle")
    sent = 0
    for m in due:
        assert m.offer_expires_at is not None  # filtered above
        with transaction.atomic():
            made = notify(
                m.user_id,
                Kind.SEAT_OFFER_EXPIRING,
                url=reverse("circles:status", args=[m.circle.code]),
                due_at=m.offer_expires_at,
                once_key=f"seat-expiring:{m.pk}:{int(m.offer_expires_at.timestamp())}",
            )
        sent += made is not None
    return sent


def seat_offers_tick() -> None:
    """Periodic task (`circles.tasks.seat_offers_tick`, every 5 minutes), the owner of seat-offer
    expiry: apply it to every group (the seat goes to the next person, who is told), then remind those
    whose offer ends soon. A write on a group also applies it to that group (`_refresh`), under the
    group's lock, because the write must count seats right; nothing else does. Idempotent."""
    now = timezone.now()
    stale = (
        Membership.objects.filter(status=MembershipStatus.OFFERED, offer_expires_at__lt=now)
        .values_list("circle_id", flat=True)
        .distinct()
    )
    for circle_id in list(stale):
        with transaction.atomic():
            _refresh(_lock(Circle(pk=circle_id)))
    seat_offer_reminders(now=now)
