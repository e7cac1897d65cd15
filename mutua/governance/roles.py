"""Rotating practical roles at a group's meetings (P5): the only writers and readers of `RoleVolunteer`
and `RoleAssignment`.

Members volunteer for a role; before each meeting (`roles_tick`, up to ROLE_HORIZON ahead) Mutua offers
each role to the volunteer the pure `rotation.choose` names. Nobody is given a role without saying yes
(P2): a role is OFFERED until that person accepts it. Declining passes it on at once; a swap is an
offer to a volunteer the holder names, who accepts or declines like any offer; an offer nobody answers
within OFFER_ANSWER_WITHIN passes on too. A role is a task, not power: nothing in Mutua reads these
rows to allow or refuse anything (`tests/test_roles.py` checks it).

Who holds a role is shown to the group by pseudonym once they said yes; who was asked, who declined and
who volunteers are never shown to anyone else (the count of volunteers is)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mutua.circles.models import Circle, Membership, MembershipStatus
from mutua.core.errors import DomainError
from mutua.governance.models import AssignmentStatus, Role, RoleAssignment, RoleVolunteer
from mutua.governance.rotation import ROLE_ORDER, choose
from mutua.meetings import selectors as meeting_selectors
from mutua.meetings.models import Answer, Meeting, Rsvp
from mutua.meetings.schedule import Occurrence
from mutua.notifications.models import Kind
from mutua.notifications.services import notify

if TYPE_CHECKING:
    from mutua.accounts.models import User

# Roles are offered for the meetings that start within this time from now.
ROLE_HORIZON = timedelta(days=3)
# An offer nobody answers within this time is passed on to the next volunteer.
OFFER_ANSWER_WITHIN = timedelta(hours=24)
# The roles page shows the roles of this many coming meetings.
COMING_MEETINGS = 4

LIVE = (AssignmentStatus.OFFERED, AssignmentStatus.ACCEPTED)

# What each role does, in plain words (the roles page and the API).
ROLE_WORDS: dict[str, Promise] = {
    Role.COORDINATOR: _(
        "Opens the meeting on time, reminds everyone of our agreements, and closes it. "
        "They lead nothing and decide nothing for the group."
    ),
    Role.TIMEKEEPER: _(
        "Keeps an eye on the time so everyone gets a fair turn to speak, "
        "and says gently when a turn or the meeting is nearly over."
    ),
    Role.WELCOMER: _(
        "Greets newcomers, tells them how a meeting goes, and checks on anyone who seems left out."
    ),
}


def role_label(role: str) -> str:
    return str(dict(Role.choices).get(role, role))


# --------------------------------------------------------------------------------------- helpers


def _member(*, circle: Circle, user: "User") -> Membership:
    """The acting person's own membership (services check again what the gate checked)."""
    membership = Membership.objects.filter(circle=circle, user=user, status=MembershipStatus.MEMBER).first()
    if membership is None:
        raise DomainError(_("Only members of the group can do this."))
    return membership


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise DomainError(_("There is no such role."), code="not_found")


def _meeting_url(circle: Circle, key: datetime) -> str:
    return reverse("meetings:detail", args=[circle.code, meeting_selectors.key_slug(key)])


def _open_meeting(*, circle: Circle, key: datetime, now: datetime) -> Meeting:
    """The meeting's row, locked (roles at one meeting change one at a time), when roles there can
    still change: it is in the schedule, not cancelled and not started."""
    occ = meeting_selectors.occurrence(circle=circle, key=key)
    if occ is None:
        raise DomainError(_("This meeting is not in the group's schedule."), code="not_found")
    if occ.cancelled:
        raise DomainError(_("This meeting is cancelled."))
    if occ.start <= now:
        raise DomainError(_("This meeting has started; its roles can no longer change."))
    row, _created = Meeting.objects.get_or_create(circle=circle, key=key)
    return Meeting.objects.select_for_update().get(pk=row.pk)


def _live(meeting: Meeting) -> "QuerySet[RoleAssignment]":
    return RoleAssignment.objects.filter(meeting=meeting, status__in=LIVE)


def _still_open(*, circle: Circle, key: datetime, now: datetime) -> bool:
    occ = meeting_selectors.occurrence(circle=circle, key=key)
    return occ is not None and not occ.cancelled and occ.start > now


def _offer(*, circle: Circle, meeting: Meeting, role: str, membership_id: int) -> RoleAssignment:
    assignment = RoleAssignment.objects.create(
        meeting=meeting, role=role, membership_id=membership_id, status=AssignmentStatus.OFFERED
    )
    user_id = Membership.objects.values_list("user_id", flat=True).get(pk=membership_id)
    notify(user_id, Kind.ROLE_OFFERED, url=_meeting_url(circle, meeting.key))
    return assignment


def _choose_for(*, circle: Circle, meeting: Meeting, role: str, now: datetime) -> int | None:
    """Gather what `rotation.choose` needs for one role at one meeting, and ask it."""
    volunteers = list(
        RoleVolunteer.objects.filter(
            membership__circle=circle, membership__status=MembershipStatus.MEMBER, role=role
        ).values_list("membership_id", flat=True)
    )
    if not volunteers:
        return None
    answers = dict(Rsvp.objects.filter(meeting=meeting).values_list("membership_id", "answer"))
    # Held = said yes at an earlier meeting that was not cancelled, or is offered one still to come
    # (so two coming meetings do not both go to the same person). An offer left unanswered at a past
    # meeting was never held.
    held = (
        RoleAssignment.objects.filter(
            meeting__circle=circle, role=role, meeting__key__lt=meeting.key, meeting__cancelled=False
        )
        .filter(
            Q(status=AssignmentStatus.ACCEPTED) | Q(status=AssignmentStatus.OFFERED, meeting__key__gte=now)
        )
        .values("membership_id")
        .annotate(last=Max("meeting__key"), times=Count("id"))
    )
    last_held = {h["membership_id"]: h["last"] for h in held}
    held_count = {h["membership_id"]: h["times"] for h in held}
    at_meeting = RoleAssignment.objects.filter(meeting=meeting)
    declined = set(
        at_meeting.filter(role=role, status=AssignmentStatus.DECLINED).values_list("membership_id", flat=True)
    )
    taken = set(at_meeting.filter(status__in=LIVE).exclude(role=role).values_list("membership_id", flat=True))
    return choose(
        role=role,
        volunteers=volunteers,
        coming={m for m, a in answers.items() if a == Answer.COMING},
        not_coming={m for m, a in answers.items() if a == Answer.NOT_COMING},
        last_held=last_held,
        held_count=held_count,
        declined=declined,
        taken_this_meeting=taken,
    )


def _fill(*, circle: Circle, meeting: Meeting, now: datetime) -> list[RoleAssignment]:
    """Offer every role that has nobody (asked or holding it) at this locked meeting, in ROLE_ORDER."""
    # Someone who left the group no longer holds or is asked for anything.
    RoleAssignment.objects.filter(meeting=meeting, status__in=LIVE).exclude(
        membership__status=MembershipStatus.MEMBER
    ).update(status=AssignmentStatus.DECLINED)
    filled = set(_live(meeting).values_list("role", flat=True))
    made = []
    for role in ROLE_ORDER:
        if role in filled:
            continue
        chosen = _choose_for(circle=circle, meeting=meeting, role=role, now=now)
        if chosen is not None:
            made.append(_offer(circle=circle, meeting=meeting, role=role, membership_id=chosen))
    return made


# --------------------------------------------------------------------------------------- services


@transaction.atomic
def role_volunteer(*, circle: Circle, user: "User", role: str, on: bool) -> bool:
    """Join (`on`) or leave the rotation of one role, for oneself. Leaving passes on the offers one
    has not answered yet (roles already accepted stay: one said yes to those meetings). Joining may
    bring an offer at once for a meeting in the next days that has nobody for the role."""
    membership = _member(circle=circle, user=user)
    _check_role(role)
    now = timezone.now()
    if on:
        _row, created = RoleVolunteer.objects.get_or_create(membership=membership, role=role)
        if created:
            for occ in _soon(circle=circle, now=now):
                _fill(circle=circle, meeting=_open_meeting(circle=circle, key=occ.key, now=now), now=now)
        return True
    RoleVolunteer.objects.filter(membership=membership, role=role).delete()
    pending = RoleAssignment.objects.filter(
        membership=membership, role=role, status=AssignmentStatus.OFFERED, meeting__key__gte=now
    ).select_related("meeting")
    for assignment in pending:
        meeting = Meeting.objects.select_for_update().get(pk=assignment.meeting_id)
        RoleAssignment.objects.filter(pk=assignment.pk, status=AssignmentStatus.OFFERED).update(
            status=AssignmentStatus.DECLINED
        )
        if _still_open(circle=circle, key=meeting.key, now=now):
            _fill(circle=circle, meeting=meeting, now=now)
    return False


@transaction.atomic
def role_offer_next(*, circle: Circle, key: datetime, now: datetime | None = None) -> list[RoleAssignment]:
    """For one coming meeting: offer each role that has nobody to the volunteer the rotation names,
    and tell them (a neutral notification linking to the meeting). Idempotent: a role already offered
    or held is left alone. Returns the new offers."""
    now = now or timezone.now()
    if not RoleVolunteer.objects.filter(
        membership__circle=circle, membership__status=MembershipStatus.MEMBER
    ).exists():
        return []
    try:
        meeting = _open_meeting(circle=circle, key=key, now=now)
    except DomainError:
        return []
    return _fill(circle=circle, meeting=meeting, now=now)


def _own(*, meeting: Meeting, membership: Membership, role: str) -> RoleAssignment | None:
    return RoleAssignment.objects.filter(
        meeting=meeting, role=role, membership=membership, status__in=LIVE
    ).first()


@transaction.atomic
def role_accept(*, circle: Circle, user: "User", key: datetime, role: str) -> RoleAssignment:
    """Say yes to a role offered to you at one meeting."""
    membership = _member(circle=circle, user=user)
    _check_role(role)
    meeting = _open_meeting(circle=circle, key=key, now=timezone.now())
    assignment = _own(meeting=meeting, membership=membership, role=role)
    if assignment is None:
        raise DomainError(_("This role is not offered to you."), code="conflict")
    if assignment.status != AssignmentStatus.ACCEPTED:
        assignment.status = AssignmentStatus.ACCEPTED
        assignment.save(update_fields=["status", "updated_at"])
    return assignment


@transaction.atomic
def role_decline(*, circle: Circle, user: "User", key: datetime, role: str) -> RoleAssignment:
    """Say no to a role offered to you, or give back one you accepted, until the meeting starts. The
    role is offered to the next volunteer at once."""
    membership = _member(circle=circle, user=user)
    _check_role(role)
    now = timezone.now()
    meeting = _open_meeting(circle=circle, key=key, now=now)
    assignment = _own(meeting=meeting, membership=membership, role=role)
    if assignment is None:
        raise DomainError(_("This role is not offered to you."), code="conflict")
    assignment.status = AssignmentStatus.DECLINED
    assignment.save(update_fields=["status", "updated_at"])
    _fill(circle=circle, meeting=meeting, now=now)
    return assignment


@transaction.atomic
def role_swap(*, circle: Circle, user: "User", key: datetime, role: str, with_ref: int) -> RoleAssignment:
    """Hand your role at one meeting (offered to you or accepted) to another volunteer you name. It is
    an offer to them (P2: nobody gets a role without saying yes); if they decline, the rotation
    offers it to the next volunteer. Returns their offer."""
    membership = _member(circle=circle, user=user)
    _check_role(role)
    now = timezone.now()
    meeting = _open_meeting(circle=circle, key=key, now=now)
    mine = _own(meeting=meeting, membership=membership, role=role)
    if mine is None:
        raise DomainError(_("You can only hand on a role you hold or are offered."), code="conflict")
    other = Membership.objects.filter(
        pk=with_ref, circle=circle, status=MembershipStatus.MEMBER, role_volunteering__role=role
    ).first()
    if other is None or other.pk == membership.pk:
        raise DomainError(_("Choose someone else who volunteers for this role."))
    if Rsvp.objects.filter(meeting=meeting, membership=other, answer=Answer.NOT_COMING).exists():
        raise DomainError(_("They said they can't come to this meeting."))
    mine.status = AssignmentStatus.DECLINED
    mine.save(update_fields=["status", "updated_at"])
    return _offer(circle=circle, meeting=meeting, role=role, membership_id=other.pk)


def _soon(*, circle: Circle, now: datetime) -> list[Occurrence]:
    """The group's meetings that start within ROLE_HORIZON and are not cancelled."""
    return [
        occ
        for occ in meeting_selectors.meetings_between(circle=circle, start=now, end=now + ROLE_HORIZON)
        if not occ.cancelled and occ.start > now
    ]


def roles_tick(*, now: datetime | None = None) -> int:
    """Periodic (governance.role_tasks): pass on offers nobody answered within OFFER_ANSWER_WITHIN, then
    offer the roles of every meeting in the next ROLE_HORIZON that has nobody for them. Idempotent;
    returns how many offers it made."""
    now = now or timezone.now()
    made = 0
    stale = (
        RoleAssignment.objects.filter(
            status=AssignmentStatus.OFFERED, updated_at__lt=now - OFFER_ANSWER_WITHIN, meeting__key__gt=now
        )
        .values_list("meeting_id", flat=True)
        .distinct()
    )
    for meeting_id in list(stale):
        made += _pass_on_stale(meeting_id=meeting_id, now=now)
    circles = Circle.objects.filter(
        dissolved_at__isnull=True,
        memberships__status=MembershipStatus.MEMBER,
        memberships__role_volunteering__isnull=False,
    ).distinct()
    for circle in circles:
        for occ in _soon(circle=circle, now=now):
            made += len(role_offer_next(circle=circle, key=occ.key, now=now))
    return made


@transaction.atomic
def _pass_on_stale(*, meeting_id: int, now: datetime) -> int:
    """An offer left unanswered is treated as declined (it never counts as held), and passed on."""
    meeting = Meeting.objects.select_for_update().select_related("circle").get(pk=meeting_id)
    changed = RoleAssignment.objects.filter(
        meeting=meeting, status=AssignmentStatus.OFFERED, updated_at__lt=now - OFFER_ANSWER_WITHIN
    ).update(status=AssignmentStatus.DECLINED)
    if not changed or not _still_open(circle=meeting.circle, key=meeting.key, now=now):
        return 0
    return len(_fill(circle=meeting.circle, meeting=meeting, now=now))


# --------------------------------------------------------------------------------------- selectors


@dataclass(frozen=True)
class RoleSeat:
    """One role at one meeting, as one member sees it."""

    role: str
    label: str
    holder: str = ""  # the pseudonym of whoever said yes ("" while nobody has)
    asked: bool = False  # offered to someone who has not answered yet (never says whom)
    mine: str = ""  # "offered" or "accepted" when it is the viewer's, else ""
    # When it is the viewer's: the other volunteers they may hand it to, as (ref, pseudonym).
    swap_to: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class MeetingRoles:
    seats: list[RoleSeat]
    can_change: bool  # roles can still be accepted, declined or handed on (before the start)
    volunteering: frozenset[str] = field(default_factory=frozenset)  # the viewer's roles


def _seats(
    *,
    circle: Circle,
    membership: Membership,
    meeting_ids: dict[datetime, int],
) -> dict[datetime, list[RoleSeat]]:
    """The roles of several meetings (by key), with one query for all their assignments."""
    by_meeting: dict[int, dict[str, RoleAssignment]] = {}
    for a in (
        RoleAssignment.objects.filter(
            meeting_id__in=meeting_ids.values(), status__in=LIVE, membership__status=MembershipStatus.MEMBER
        )
        .select_related("membership")
        .order_by("pk")
    ):
        by_meeting.setdefault(a.meeting_id, {})[a.role] = a
    mine_anywhere = any(
        a.membership_id == membership.pk for roles in by_meeting.values() for a in roles.values()
    )
    others: dict[str, list[tuple[int, str]]] = {}
    if mine_anywhere:
        for ref, pseudonym, role in (
            RoleVolunteer.objects.filter(
                membership__circle=circle, membership__status=MembershipStatus.MEMBER
            )
            .exclude(membership=membership)
            .order_by("membership__pseudonym")
            .values_list("membership_id", "membership__pseudonym", "role")
        ):
            others.setdefault(role, []).append((ref, pseudonym))
    # Who said they can't come to each meeting: never offered a role there, so not listed to hand to.
    away: dict[int, set[int]] = {}
    if mine_anywhere:
        for meeting_id, member_id in Rsvp.objects.filter(
            meeting_id__in=meeting_ids.values(), answer=Answer.NOT_COMING
        ).values_list("meeting_id", "membership_id"):
            away.setdefault(meeting_id, set()).add(member_id)
    result = {}
    for key, meeting_id in meeting_ids.items():
        seats = []
        for role in ROLE_ORDER:
            held = by_meeting.get(meeting_id, {}).get(role)
            is_mine = held is not None and held.membership_id == membership.pk
            seats.append(
                RoleSeat(
                    role=role,
                    label=role_label(role),
                    holder=held.membership.pseudonym
                    if held and held.status == AssignmentStatus.ACCEPTED
                    else "",
                    asked=bool(held and held.status == AssignmentStatus.OFFERED),
                    mine=str(held.status) if held is not None and is_mine else "",
                    swap_to=tuple(
                        (ref, name)
                        for ref, name in others.get(role, ())
                        if ref not in away.get(meeting_id, set())
                    )
                    if is_mine
                    else (),
                )
            )
        result[key] = seats
    return result


def meeting_roles(
    *, circle: Circle, membership: Membership, occ: Occurrence, now: datetime | None = None
) -> MeetingRoles:
    """The roles at one meeting for the meeting page: who holds each (pseudonyms), and what is offered
    to the viewer."""
    now = now or timezone.now()
    meeting_id = Meeting.objects.filter(circle=circle, key=occ.key).values_list("pk", flat=True).first()
    seats = _seats(circle=circle, membership=membership, meeting_ids={occ.key: meeting_id or 0})[occ.key]
    return MeetingRoles(
        seats=seats,
        can_change=not occ.cancelled and occ.start > now,
        volunteering=frozenset(
            RoleVolunteer.objects.filter(membership=membership).values_list("role", flat=True)
        ),
    )


@dataclass(frozen=True)
class RoleInfo:
    role: str
    label: str
    words: str
    mine: bool  # the viewer volunteers for it
    volunteers: int  # how many members do


@dataclass(frozen=True)
class ComingRoles:
    occurrence: Occurrence
    seats: list[RoleSeat]


@dataclass(frozen=True)
class RolesOverview:
    roles: list[RoleInfo]
    meetings: list[ComingRoles]


def roles_overview(*, circle: Circle, membership: Membership, now: datetime | None = None) -> RolesOverview:
    """The roles page: what each role is, the viewer's own choices, how many volunteer, and the roles
    of the next few meetings."""
    now = now or timezone.now()
    counts = dict(
        RoleVolunteer.objects.filter(membership__circle=circle, membership__status=MembershipStatus.MEMBER)
        .values("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    mine = set(RoleVolunteer.objects.filter(membership=membership).values_list("role", flat=True))
    roles = [
        RoleInfo(
            role=role,
            label=role_label(role),
            words=str(ROLE_WORDS[role]),
            mine=role in mine,
            volunteers=counts.get(role, 0),
        )
        for role in ROLE_ORDER
    ]
    coming = [o for o in meeting_selectors.upcoming(circle=circle, now=now) if not o.cancelled]
    coming = [o for o in coming if o.start > now][:COMING_MEETINGS]
    ids = dict(
        Meeting.objects.filter(circle=circle, key__in=[o.key for o in coming]).values_list("key", "pk")
    )
    seats = _seats(
        circle=circle, membership=membership, meeting_ids={o.key: ids.get(o.key, 0) for o in coming}
    )
    return RolesOverview(
        roles=roles, meetings=[ComingRoles(occurrence=o, seats=seats[o.key]) for o in coming]
    )
