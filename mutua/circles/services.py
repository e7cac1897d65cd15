"""The only writers of groups and memberships.

P2: every service that creates or changes a membership takes the acting person as `user` and only
ever touches that person's own row. There is no parameter for "another person" anywhere.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.circles.models import (
    Circle,
    CircleLanguage,
    CircleStatus,
    Experience,
    Membership,
    MembershipStatus,
    Mode,
    Place,
    Pledge,
    PledgeAcceptance,
)
from mutua.core.errors import DomainError
from mutua.core.models import audit

PSEUDONYM_MAX = 40


def current_pledge() -> Pledge:
    pledge = Pledge.objects.order_by("-version").first()
    if pledge is None:
        raise DomainError(
            _("This Mutua has no confidentiality pledge yet. Please tell the host."), "conflict"
        )
    return pledge


def clean_pseudonym(pseudonym: str) -> str:
    value = " ".join((pseudonym or "").split())
    if not value:
        raise DomainError(_("Choose a pseudonym: the name the group will know you by."))
    if len(value) > PSEUDONYM_MAX:
        raise DomainError(_("A pseudonym can have at most 40 characters."))
    if "@" in value:
        raise DomainError(_("A pseudonym cannot contain “@”: it must not be an email address."))
    return value


def _require_verified(user: Any) -> None:
    if not user.is_authenticated or not user.email_verified:
        raise DomainError(_("Please confirm your email address before joining a group."), "conflict")


def check_consent(*, confirms_experience: bool, pledge_version: int | None) -> Pledge:
    """The consent every join needs (P1, P7): the shared experience, and the current pledge."""
    if not confirms_experience:
        raise DomainError(_("Please confirm that you share this group's experience."))
    pledge = current_pledge()
    if pledge_version != pledge.version:
        raise DomainError(
            _("The agreements or the pledge have changed since you opened the page. Please read them again."),
            "conflict",
        )
    return pledge


def _ensure_pseudonym_free(*, circle: Circle, pseudonym: str, exclude_user: Any) -> None:
    taken = (
        circle.memberships.filter(
            status__in=(MembershipStatus.MEMBER, MembershipStatus.OFFERED, MembershipStatus.WAITING),
            pseudonym__iexact=pseudonym,
        )
        .exclude(user=exclude_user)
        .exists()
    )
    if taken:
        raise DomainError(_("Someone in this group already uses that pseudonym. Please choose another."))


def _lock(circle: Circle) -> Circle:
    """Serialise seat changes on one group (row lock on PostgreSQL; SQLite writes are serial)."""
    return Circle.objects.select_for_update().get(pk=circle.pk)


def _refresh(circle: Circle) -> None:
    """Recount members, expire stale seat offers, offer free seats to the longest waiting, and move a
    forming group to active when it reaches its minimum (adopting the basic agreements)."""
    now = timezone.now()
    expired = circle.memberships.filter(status=MembershipStatus.OFFERED, offer_expires_at__lt=now)
    for m in expired:
        # An unanswered offer returns the person to the back of the list rather than dropping them.
        m.status = MembershipStatus.WAITING
        m.offer_expires_at = None
        m.waiting_since = now
        m.save(update_fields=["status", "offer_expires_at", "waiting_since"])
    members = circle.memberships.filter(status=MembershipStatus.MEMBER).count()
    offered = circle.memberships.filter(status=MembershipStatus.OFFERED).count()
    free = circle.max_members - members - offered
    if free > 0:
        deadline = now + timedelta(days=settings.MUTUA_SEAT_OFFER_DAYS)
        for m in circle.memberships.filter(status=MembershipStatus.WAITING).order_by("waiting_since", "pk")[
            :free
        ]:
            m.status = MembershipStatus.OFFERED
            m.offer_expires_at = deadline
            m.save(update_fields=["status", "offer_expires_at"])
            audit("seat.offered", actor=None, circle=circle, membership=m.pk)
    fields = []
    if circle.member_count != members:
        circle.member_count = members
        fields.append("member_count")
    if circle.status == CircleStatus.FORMING and members >= circle.min_members:
        circle.status = CircleStatus.ACTIVE
        circle.agreements_adopted_at = now
        fields += ["status", "agreements_adopted_at"]
    if fields:
        circle.save(update_fields=fields)


def _record_acceptance(*, circle: Circle, user: Any, pledge: Pledge, membership: Membership) -> None:
    membership.pledge_version = pledge.version
    membership.agreements_version = circle.agreements_version
    PledgeAcceptance.objects.create(
        user=user, circle=circle, pledge_version=pledge.version, agreements_version=circle.agreements_version
    )


@transaction.atomic
def circle_create(
    *,
    founder: Any,
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
    pledge_version: int | None,
) -> Circle:
    """A member starts a group and becomes its first member. The founder holds no special rights (P5)."""
    _require_verified(founder)
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
    pledge = check_consent(confirms_experience=confirms_experience, pledge_version=pledge_version)
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
        joined_at=timezone.now(),
    )
    _record_acceptance(circle=circle, user=founder, pledge=pledge, membership=membership)
    membership.save()
    _refresh(circle)
    audit("circle.created", actor=founder, circle=circle)
    return circle


@transaction.atomic
def membership_join(
    *, circle: Circle, user: Any, pseudonym: str, confirms_experience: bool, pledge_version: int | None
) -> Membership:
    """Join by one's own choice (P2): confirm the shared experience (P1), accept the agreements and
    the confidentiality pledge (P7). A full group puts the person on its waiting list (P4)."""
    _require_verified(user)
    circle = _lock(circle)
    _refresh(circle)
    existing = Membership.objects.filter(circle=circle, user=user).first()
    if existing is not None and existing.status == MembershipStatus.MEMBER:
        raise DomainError(_("You are already a member of this group."), "conflict")
    if existing is not None and existing.status in (MembershipStatus.WAITING, MembershipStatus.OFFERED):
        raise DomainError(_("You are already on this group's waiting list."), "conflict")
    if not circle.open:
        raise DomainError(_("This group is not taking newcomers at the moment."), "conflict")
    pseudonym = clean_pseudonym(pseudonym)
    pledge = check_consent(confirms_experience=confirms_experience, pledge_version=pledge_version)
    _ensure_pseudonym_free(circle=circle, pseudonym=pseudonym, exclude_user=user)

    now = timezone.now()
    seats_taken = circle.memberships.filter(
        status__in=(MembershipStatus.MEMBER, MembershipStatus.OFFERED)
    ).count()
    has_seat = seats_taken < circle.max_members
    membership = existing or Membership(circle=circle, user=user)
    membership.pseudonym = pseudonym
    membership.left_at = None
    membership.offer_expires_at = None
    if has_seat:
        membership.status = MembershipStatus.MEMBER
        membership.joined_at = now
        membership.waiting_since = None
    else:
        membership.status = MembershipStatus.WAITING
        membership.waiting_since = now
    _record_acceptance(circle=circle, user=user, pledge=pledge, membership=membership)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:  # a double submit racing itself
        raise DomainError(_("You are already a member of this group."), "conflict") from exc
    _refresh(circle)
    audit("membership.joined" if has_seat else "membership.waiting", actor=user, circle=circle)
    return membership


@transaction.atomic
def membership_leave(*, circle: Circle, user: Any) -> None:
    """Leave in one step, no reason asked (P2). Effective on the next request: the gate reads the
    status on every request. A freed seat is offered to the longest-waiting person."""
    circle = _lock(circle)
    membership = Membership.objects.filter(
        circle=circle,
        user=user,
        status__in=(MembershipStatus.MEMBER, MembershipStatus.WAITING, MembershipStatus.OFFERED),
    ).first()
    if membership is None:
        raise DomainError(_("You are not in this group (any more)."), "not_found")
    membership.status = MembershipStatus.LEFT
    membership.left_at = timezone.now()
    membership.offer_expires_at = None
    membership.save(update_fields=["status", "left_at", "offer_expires_at"])
    _refresh(circle)
    audit("membership.left", actor=user, circle=circle)


@transaction.atomic
def seat_accept(*, circle: Circle, user: Any) -> Membership:
    circle = _lock(circle)
    _refresh(circle)
    membership = Membership.objects.filter(circle=circle, user=user).first()
    if membership is None or membership.status != MembershipStatus.OFFERED:
        raise DomainError(_("There is no seat offer for you in this group, or it has expired."), "conflict")
    pledge = current_pledge()
    if (
        membership.pledge_version != pledge.version
        or membership.agreements_version < circle.agreements_version
    ):
        raise DomainError(
            _("The agreements or the pledge have changed. Please leave the list and join again."), "conflict"
        )
    membership.status = MembershipStatus.MEMBER
    membership.joined_at = timezone.now()
    membership.offer_expires_at = None
    membership.save(update_fields=["status", "joined_at", "offer_expires_at"])
    _refresh(circle)
    audit("seat.accepted", actor=user, circle=circle)
    return membership


@transaction.atomic
def seat_decline(*, circle: Circle, user: Any) -> None:
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
