"""Proposals and decisions (§3.4, P5): the only writers of proposals, voters, stances and comments.

Any member opens a proposal of any kind; the members of that moment are its voters (frozen: a member
who joins later does not vote on it; one who leaves stops counting; the person a removal is about never
votes). Stances are private until the close; the pure `tally` decides. A proposal closes at its
deadline (the periodic `proposals_tick`) or as soon as every counted voter has a stance, exactly once
however many closes race (`proposal_close`), and a passed one takes effect through the owning services
in the same transaction (decision 0021).
"""

import logging
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.circles import services as circle_services
from mutua.circles.consent import ConsentRequired, consent_is_current, current_pledge_version
from mutua.circles.models import Circle, CircleSlot, Membership, MembershipStatus, PledgeAcceptance
from mutua.core.errors import DomainError
from mutua.core.models import audit
from mutua.governance.agreements import clean_agreement_items
from mutua.governance.models import (
    AgreementsDraft,
    Comment,
    Openness,
    OwnAgreement,
    ProfessionalInvitation,
    Proposal,
    ProposalKind,
    ProposalStance,
    ProposalStatus,
    Voter,
)
from mutua.governance.tally import NEEDS_REASON, Ballot, Process, Rules, Stance, everyone_has_spoken, tally
from mutua.meetings.models import Meeting, MeetingPlace, Room
from mutua.meetings.schedule import Kind as RhythmKind
from mutua.meetings.schedule import Rhythm, ScheduleError
from mutua.meetings.schedule import validate as validate_rhythm
from mutua.meetings.texts import schedule_error_message
from mutua.notifications.models import Kind
from mutua.notifications.services import notify

if TYPE_CHECKING:
    from mutua.accounts.models import User

logger = logging.getLogger(__name__)

TITLE_MAX = 120
BODY_MAX = 4000
REASON_MAX = 1000
COMMENT_MAX = 2000
OUTCOME_MAX = 2000
PURPOSE_MAX = 1000
DAYS_MIN, DAYS_MAX = 1, 30
# An invited professional's period: at most a year (the care capability grants access later, per visit).
PROFESSIONAL_MAX_DAYS = 366
# A passed proposal whose effect failed with an unexpected error is tried again by the periodic task;
# after this many failures it is closed as passed but not applied (nothing of it applied).
APPLY_ATTEMPTS = 3
# "Closes soon": a day before the deadline, and never in the first half of its time (a one-day proposal
# reminds after twelve hours, not right after it opened).
CLOSING_SOON = timedelta(hours=24)
# A review reminder is sent on its day, or within this many days after if no tick ran that day.
REVIEW_GRACE_DAYS = 7

NOT_A_MEMBER = _("You are not in this group (any more).")
NOT_OPEN = _("This proposal is closed. Stances can no longer change.")
GROUP_ENDED = _("This group has ended.")


# --------------------------------------------------------------------------- who acts


def _acting_member(*, circle: Circle, user: "User") -> Membership:
    """The person's own membership, as a current member who accepted the current agreements and pledge
    (the gate's rule, checked again here for the API and for a page read before a change)."""
    membership = Membership.objects.filter(circle=circle, user=user, status=MembershipStatus.MEMBER).first()
    if membership is None:
        raise DomainError(NOT_A_MEMBER, "not_found")
    pledge_version = current_pledge_version()
    if not consent_is_current(membership=membership, circle=circle, pledge_version=pledge_version):
        raise ConsentRequired(circle=circle, membership=membership, pledge_version=pledge_version)
    return membership


def _lock_open(proposal: Proposal) -> Proposal:
    """Lock the proposal's row (PostgreSQL; SQLite writes are serial) and read it again: a stance, a
    withdrawal and a close of the same proposal happen one after another."""
    return Proposal.objects.select_for_update(of=("self",)).select_related("circle").get(pk=proposal.pk)


def proposal_url(proposal: Proposal) -> str:
    """Where a notification about the proposal leads (behind the gate; no group name in it)."""
    return reverse("governance:proposal", args=[proposal.circle.code, proposal.code])


# --------------------------------------------------------------------------- payloads


def schedule_payload(rhythm: Rhythm) -> dict[str, Any]:
    """A rhythm as a SCHEDULE proposal's payload (JSON; the same field names as the meetings API)."""
    return {
        "kind": str(rhythm.kind),
        "start_date": rhythm.start_date.isoformat(),
        "start_time": rhythm.start_time.strftime("%H:%M"),
        "duration_minutes": rhythm.duration_minutes,
        "timezone": rhythm.tz,
        "weekday": rhythm.weekday,
        "nth": rhythm.nth,
        "monthday": rhythm.monthday,
        "rrule": rhythm.rrule,
        "end_date": rhythm.end_date.isoformat() if rhythm.end_date else None,
    }


def _optional_int(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(value)
    return int(value)


def rhythm_from_payload(payload: Mapping[str, Any]) -> Rhythm:
    """The rhythm a SCHEDULE payload describes, checked by `meetings.schedule.validate`; only the fields
    its kind uses are kept, as on the schedule page."""
    try:
        kind = RhythmKind(payload["kind"])
        start_date = date.fromisoformat(payload["start_date"])
        start_time = time.fromisoformat(payload["start_time"]).replace(second=0, microsecond=0, tzinfo=None)
        end_date = date.fromisoformat(payload["end_date"]) if payload.get("end_date") else None
        duration = _optional_int(payload.get("duration_minutes", 90))
        weekday = _optional_int(payload.get("weekday"))
        nth = _optional_int(payload.get("nth"))
        monthday = _optional_int(payload.get("monthday"))
        rrule = str(payload.get("rrule") or "").strip()
        tz = str(payload["timezone"])
    except (KeyError, TypeError, ValueError) as error:
        raise DomainError(_("Say how often and when the group would meet.")) from error
    uses_weekday = kind in (RhythmKind.WEEKLY, RhythmKind.FORTNIGHTLY, RhythmKind.MONTHLY_NTH)
    rhythm = Rhythm(
        kind=kind,
        start_date=start_date,
        start_time=start_time,
        duration_minutes=duration if duration is not None else 90,
        tz=tz,
        weekday=weekday if uses_weekday else None,
        nth=nth if kind == RhythmKind.MONTHLY_NTH else None,
        monthday=monthday if kind == RhythmKind.MONTHLY_DAY else None,
        rrule=rrule if kind == RhythmKind.RRULE else "",
        end_date=end_date,
    )
    try:
        validate_rhythm(rhythm)
    except ScheduleError as error:
        raise DomainError(schedule_error_message(error.code)) from error
    return rhythm


def _mapping(payload: object) -> Mapping[str, Any]:
    if payload is None:
        return {}
    if not isinstance(payload, Mapping):
        raise DomainError(_("This proposal's details are not in the right form."))
    return payload


def _clean_professional(payload: Mapping[str, Any]) -> dict[str, Any]:
    purpose = str(payload.get("purpose") or "").strip()
    if not purpose:
        raise DomainError(_("Say what the professional would do."))
    if len(purpose) > PURPOSE_MAX:
        raise DomainError(_("Keep the purpose to %(n)s characters.") % {"n": PURPOSE_MAX})
    try:
        starts = date.fromisoformat(str(payload.get("starts")))
        ends = date.fromisoformat(str(payload.get("ends")))
    except ValueError as error:
        raise DomainError(_("Give the first and the last day of the invitation.")) from error
    if starts < timezone.localdate():
        raise DomainError(_("The invitation cannot start in the past."))
    if ends < starts:
        raise DomainError(_("The end comes before the start."))
    if (ends - starts).days > PROFESSIONAL_MAX_DAYS:
        raise DomainError(_("An invitation lasts a year at most."))
    return {"purpose": purpose, "starts": starts.isoformat(), "ends": ends.isoformat()}


def clean_payload(*, circle: Circle, kind: str, payload: object) -> dict[str, Any]:
    """What a proposal of `kind` would change, checked now (and again by the owning service when it
    passes). Kinds without details (removal, dissolution, question) keep none."""
    data = _mapping(payload)
    if kind == ProposalKind.AGREEMENTS:
        # The group's whole new set of own agreements (it replaces the set in force).
        return {"items": clean_agreement_items(data.get("items"))}
    if kind == ProposalKind.SCHEDULE:
        return schedule_payload(rhythm_from_payload(data))
    if kind == ProposalKind.CAPACITY:
        try:
            size = _optional_int(data.get("max_members"))
        except ValueError:
            size = None
        if size is None or not 5 <= size <= 12:
            raise DomainError(_("A group's maximum size is between 5 and 12."))
        if size < circle.memberships.filter(status=MembershipStatus.MEMBER).count():
            raise DomainError(_("The group has more members than that now. Nobody has to leave."))
        if size == circle.max_members:
            raise DomainError(_("That is the group's size already."))
        return {"max_members": size}
    if kind == ProposalKind.OPENNESS:
        openness = data.get("openness")
        if openness not in Openness.values:
            raise DomainError(_("Choose how newcomers join."))
        if openness == circle.openness:
            raise DomainError(_("That is how the group takes newcomers already."))
        return {"openness": openness}
    if kind == ProposalKind.PROFESSIONAL:
        return _clean_professional(data)
    return {}


def _share(value: float | None, default: float) -> float:
    share = default if value is None else value
    if isinstance(share, bool) or not isinstance(share, int | float) or not math.isfinite(share):
        raise DomainError(_("A share of members is between 0 and 1."))
    if not 0 <= share <= 1:
        raise DomainError(_("A share of members is between 0 and 1."))
    return float(share)


# --------------------------------------------------------------------------- opening


@transaction.atomic
def proposal_open(
    *,
    circle: Circle,
    user: "User",
    kind: str,
    title: str,
    body: str = "",
    payload: object = None,
    process: str = "consent",
    days: int | None = None,
    subject_ref: int | None = None,
    min_participation: float | None = None,
    quorum: float | None = None,
) -> Proposal:
    """Any member opens a proposal to the group. The members of this moment are its voters (the person
    a removal is about excepted); each is told, and that person is told it concerns them. A removal is
    always decided by consent of every other member, whatever `process` says."""
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    membership = _acting_member(circle=circle, user=user)
    if circle.dissolved_at is not None:
        raise DomainError(GROUP_ENDED, "conflict")
    if kind not in ProposalKind.values:
        raise DomainError(_("Choose what the proposal is about."))
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Give the proposal a title."))
    if len(title) > TITLE_MAX:
        raise DomainError(_("Keep the title to %(n)s characters.") % {"n": TITLE_MAX})
    body = (body or "").strip()
    if len(body) > BODY_MAX:
        raise DomainError(_("Keep the text to %(n)s characters.") % {"n": BODY_MAX})
    if process not in Process.__members__.values():
        raise DomainError(_("Choose how the group decides."))
    if kind == ProposalKind.REMOVAL:
        process = Process.CONSENT
    days = settings.MUTUA_PROPOSAL_DAYS if days is None else days
    if isinstance(days, bool) or not isinstance(days, int) or not DAYS_MIN <= days <= DAYS_MAX:
        raise DomainError(
            _("A proposal stays open from %(min)s to %(max)s days.") % {"min": DAYS_MIN, "max": DAYS_MAX}
        )
    min_share = _share(min_participation, settings.MUTUA_CONSENT_MIN_PARTICIPATION)
    quorum_share = _share(quorum, settings.MUTUA_MAJORITY_QUORUM)
    cleaned = clean_payload(circle=circle, kind=kind, payload=payload)

    subject = None
    if kind == ProposalKind.REMOVAL:
        subject = (
            Membership.objects.filter(circle=circle, pk=subject_ref, status=MembershipStatus.MEMBER).first()
            if isinstance(subject_ref, int) and not isinstance(subject_ref, bool)
            else None
        )
        if subject is None:
            raise DomainError(_("Choose a current member of the group."))
        if subject.pk == membership.pk:
            raise DomainError(_("You can leave the group yourself at any time; nobody needs to decide it."))
        already = Proposal.objects.filter(
            circle=circle, kind=ProposalKind.REMOVAL, status=ProposalStatus.OPEN, subject=subject
        )
        if already.exists():
            raise DomainError(_("A proposal about this member is already open."), "conflict")
    elif subject_ref is not None:
        raise DomainError(_("Only a proposal to ask a member to leave is about a member."))

    now = timezone.now()
    proposal = Proposal.objects.create(
        circle=circle,
        kind=kind,
        process=process,
        title=title,
        body=body,
        payload=cleaned,
        opened_by=membership,
        subject=subject,
        deadline=now + timedelta(days=days),
        min_participation=min_share,
        quorum=quorum_share,
    )
    # The voters, frozen now: the current members, except the person a removal is about. Professionals
    # are never members, so never voters (none can be invited into a group yet: the care capability).
    voters = circle.memberships.filter(status=MembershipStatus.MEMBER)
    if subject is not None:
        voters = voters.exclude(pk=subject.pk)
    rows = list(voters.values_list("pk", "user_id"))
    Voter.objects.bulk_create([Voter(proposal=proposal, membership_id=pk) for pk, _uid in rows])
    audit("proposal.opened", actor=user, circle=circle, proposal=proposal.code, kind=kind)
    url = proposal_url(proposal)
    for _pk, uid in rows:
        if uid != user.pk:
            notify(uid, Kind.PROPOSAL_OPENED, url=url)
    if subject is not None:
        notify(subject.user_id, Kind.PROPOSAL_ABOUT_YOU, url=url)
    return proposal


# --------------------------------------------------------------------------- taking part


@transaction.atomic
def stance_set(*, proposal: Proposal, user: "User", stance: str, reason: str = "") -> ProposalStance:
    """The person's own stance, changeable until the close. Only the voters frozen at opening who are
    still members take one; the person a removal is about never does. Disagreeing or objecting needs a
    reason. The last stance missing closes the proposal at once."""
    proposal = _lock_open(proposal)
    membership = _acting_member(circle=proposal.circle, user=user)
    if proposal.status != ProposalStatus.OPEN or proposal.deadline <= timezone.now():
        raise DomainError(NOT_OPEN, "conflict")
    if proposal.subject_id == membership.pk:
        raise DomainError(
            _("This proposal is about you: you can answer in its discussion, not vote."), "conflict"
        )
    if not Voter.objects.filter(proposal=proposal, membership=membership).exists():
        raise DomainError(_("You joined after this proposal opened, so you do not vote on it."), "conflict")
    if stance not in Stance.__members__.values():
        raise DomainError(_("Choose your stance."))
    reason = (reason or "").strip()
    if Stance(stance) in NEEDS_REASON and not reason:
        raise DomainError(_("Please say why: a reason is needed to disagree or object."))
    if len(reason) > REASON_MAX:
        raise DomainError(_("Keep the reason to %(n)s characters.") % {"n": REASON_MAX})
    row, _created = ProposalStance.objects.update_or_create(
        proposal=proposal, membership=membership, defaults={"stance": stance, "reason": reason}
    )
    if everyone_has_spoken(_ballot(proposal)):
        proposal_close(proposal_id=proposal.pk)
    return row


@transaction.atomic
def comment_add(*, proposal: Proposal, user: "User", text: str) -> Comment:
    """A message in the proposal's discussion (plain text), while it is open. Every current member may
    write, the person a removal is about too (they answer here, though they do not vote)."""
    proposal = _lock_open(proposal)
    membership = _acting_member(circle=proposal.circle, user=user)
    if proposal.status != ProposalStatus.OPEN:
        raise DomainError(_("This proposal is closed. Its discussion is closed too."), "conflict")
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write something first."))
    if len(text) > COMMENT_MAX:
        raise DomainError(_("Keep your message to %(n)s characters.") % {"n": COMMENT_MAX})
    return Comment.objects.create(proposal=proposal, membership=membership, text=text)


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, user: "User") -> Proposal:
    """The person who opened it takes it back, while nobody has taken a stance."""
    proposal = _lock_open(proposal)
    membership = _acting_member(circle=proposal.circle, user=user)
    if proposal.opened_by_id != membership.pk:
        raise DomainError(_("Only the member who opened a proposal can withdraw it."), "conflict")
    if proposal.status != ProposalStatus.OPEN:
        raise DomainError(NOT_OPEN, "conflict")
    if ProposalStance.objects.filter(proposal=proposal).exists():
        raise DomainError(_("Members have already answered, so it stays open until it closes."), "conflict")
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.closed_at = timezone.now()
    proposal.save(update_fields=["status", "closed_at"])
    audit("proposal.withdrawn", actor=user, circle=proposal.circle, proposal=proposal.code)
    return proposal


@transaction.atomic
def outcome_set(*, proposal: Proposal, user: "User", outcome: str, review_on: date | None = None) -> Proposal:
    """Any member writes down, after the close, what the group decided, and may set a day to look at it
    again (every member is reminded that day)."""
    proposal = _lock_open(proposal)
    _acting_member(circle=proposal.circle, user=user)
    if proposal.status != ProposalStatus.CLOSED:
        raise DomainError(_("The outcome is written once the proposal has closed."), "conflict")
    outcome = (outcome or "").strip()
    if not outcome:
        raise DomainError(_("Say in a few words what the group decided."))
    if len(outcome) > OUTCOME_MAX:
        raise DomainError(_("Keep the outcome to %(n)s characters.") % {"n": OUTCOME_MAX})
    if review_on is not None and review_on <= timezone.localdate():
        raise DomainError(_("Choose a review day after today."))
    proposal.outcome = outcome
    proposal.review_on = review_on
    proposal.save(update_fields=["outcome", "review_on"])
    audit("proposal.outcome_set", actor=user, circle=proposal.circle, proposal=proposal.code)
    return proposal


# --------------------------------------------------------------------------- closing


def _rules(proposal: Proposal) -> Rules:
    return Rules(
        process=Process(proposal.process),
        min_participation=proposal.min_participation,
        quorum=proposal.quorum,
        all_must_consent=proposal.kind == ProposalKind.REMOVAL,
    )


def ballots(proposals: Iterable[Proposal]) -> dict[int, Ballot]:
    """Each proposal's ballot as the tally reads it, in two queries for any number of proposals: the
    frozen voters (who has left since), the stances, and the person a removal is about."""
    by_pk = {p.pk: p for p in proposals}
    eligible: dict[int, set[int]] = {pk: set() for pk in by_pk}
    left: dict[int, set[int]] = {pk: set() for pk in by_pk}
    stances: dict[int, dict[int, Stance]] = {pk: {} for pk in by_pk}
    voters = Voter.objects.filter(proposal_id__in=by_pk).values_list(
        "proposal_id", "membership_id", "membership__status"
    )
    for pid, mid, status in voters:
        eligible[pid].add(mid)
        if status != MembershipStatus.MEMBER:
            left[pid].add(mid)
    for pid, mid, stance in ProposalStance.objects.filter(proposal_id__in=by_pk).values_list(
        "proposal_id", "membership_id", "stance"
    ):
        stances[pid][mid] = Stance(stance)
    return {
        pk: Ballot(
            eligible=frozenset(eligible[pk]),
            stances=stances[pk],
            excluded=frozenset({p.subject_id}) if p.subject_id else frozenset(),
            left=frozenset(left[pk]),
        )
        for pk, p in by_pk.items()
    }


def _ballot(proposal: Proposal) -> Ballot:
    return ballots([proposal])[proposal.pk]


def _apply(proposal: Proposal) -> None:
    """A passed proposal takes effect through the service that owns what it changes."""
    circle = proposal.circle
    payload = proposal.payload
    if proposal.kind == ProposalKind.AGREEMENTS:
        circle_services.circle_agreements_adopt(circle=circle, items=payload["items"], proposal=proposal)
    elif proposal.kind == ProposalKind.SCHEDULE:
        circle_services.circle_schedule_set(circle=circle, rhythm=rhythm_from_payload(payload), user=None)
    elif proposal.kind == ProposalKind.CAPACITY:
        circle_services.circle_capacity_set(
            circle=circle, max_members=payload["max_members"], proposal=proposal
        )
    elif proposal.kind == ProposalKind.OPENNESS:
        circle_services.circle_openness_set(circle=circle, openness=payload["openness"], proposal=proposal)
    elif proposal.kind == ProposalKind.PROFESSIONAL:
        clean = _clean_professional_recorded(payload)
        ProfessionalInvitation.objects.create(circle=circle, proposal=proposal, **clean)
    elif proposal.kind == ProposalKind.REMOVAL:
        # The subject's row is gone only if their account was erased: nothing is left to end.
        subject = Membership.objects.filter(pk=proposal.subject_id).first() if proposal.subject_id else None
        if subject is not None:
            circle_services.membership_remove(circle=circle, membership=subject, proposal=proposal)
    elif proposal.kind == ProposalKind.DISSOLUTION:
        circle_services.circle_dissolve(circle=circle, proposal=proposal)
        # Nothing else is decided in a group that has ended: its other open proposals end unapplied.
        Proposal.objects.filter(circle=circle, status=ProposalStatus.OPEN).exclude(pk=proposal.pk).update(
            status=ProposalStatus.WITHDRAWN, closed_at=timezone.now()
        )


def _clean_professional_recorded(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The invitation as recorded: the dates checked when it opened (its start may have passed since)."""
    return {
        "purpose": str(payload["purpose"]),
        "starts_on": date.fromisoformat(payload["starts"]),
        "ends_on": date.fromisoformat(payload["ends"]),
    }


def _close(proposal_id: int, now: datetime, *, apply: bool) -> Proposal | None:
    """Close one proposal if it is open and due, inside the caller's transaction. The conditional
    UPDATE (open → closed) is the claim: of two closes at once, only the one whose UPDATE changed the
    row goes on to apply the proposal (the other waits on the row lock, then finds it closed)."""
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("circle")
        .filter(pk=proposal_id, status=ProposalStatus.OPEN)
        .first()
    )
    if proposal is None:
        return None
    ballot = _ballot(proposal)
    if proposal.deadline > now and not everyone_has_spoken(ballot):
        return None
    result = tally(_rules(proposal), ballot)
    counts = {str(stance): n for stance, n in result.counts.items()}
    counts |= {"counted": result.counted, "participated": result.participated}
    claimed = Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.OPEN).update(
        status=ProposalStatus.CLOSED,
        closed_at=now,
        passed=result.passed,
        reason=str(result.reason),
        counts=counts,
    )
    if claimed != 1:
        return None
    proposal.status = ProposalStatus.CLOSED
    proposal.closed_at = now
    proposal.passed = result.passed
    proposal.reason = str(result.reason)
    proposal.counts = counts
    if result.passed and apply:
        _apply(proposal)
        proposal.applied_at = timezone.now()
        Proposal.objects.filter(pk=proposal.pk).update(applied_at=proposal.applied_at)
    audit(
        "proposal.closed",
        circle=proposal.circle,
        proposal=proposal.code,
        kind=proposal.kind,
        passed=result.passed,
        applied=proposal.applied_at is not None,
    )
    url = proposal_url(proposal)
    members = Membership.objects.filter(circle_id=proposal.circle_id, status=MembershipStatus.MEMBER)
    for uid in members.values_list("user_id", flat=True):
        notify(uid, Kind.PROPOSAL_CLOSED, url=url)
    return proposal


def proposal_close(*, proposal_id: int, now: datetime | None = None) -> Proposal | None:
    """Close the proposal if it is open and due (its deadline has passed, or every counted voter has a
    stance): write the tally, and apply a passed one through the owning services, all in one
    transaction. Idempotent: returns None when there was nothing to do (not due, or already closed by
    another caller at the same moment).

    A passed proposal whose effect is refused by the owning service's rules (a DomainError: the group
    has grown past the proposed size, say) closes as passed but not applied, with nothing of it applied.
    Any other error rolls everything back (it stays open), is logged, and the periodic task tries again;
    after APPLY_ATTEMPTS failures it too closes as passed but not applied."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _close(proposal_id, now, apply=True)
    except DomainError as error:
        logger.warning("proposal %s passed but its effect was refused (%s)", proposal_id, error.code)
        with transaction.atomic():
            closed = _close(proposal_id, now, apply=False)
            if closed is not None:
                audit("proposal.not_applied", circle=closed.circle, proposal=closed.code, error=error.code)
            return closed
    except Exception:
        logger.exception("closing proposal %s failed; everything was rolled back", proposal_id)
        with transaction.atomic():
            Proposal.objects.filter(pk=proposal_id, status=ProposalStatus.OPEN).update(
                apply_failures=F("apply_failures") + 1
            )
            failures = (
                Proposal.objects.filter(pk=proposal_id).values_list("apply_failures", flat=True).first()
            )
            if failures is not None and failures >= APPLY_ATTEMPTS:
                closed = _close(proposal_id, now, apply=False)
                if closed is not None:
                    audit("proposal.not_applied", circle=closed.circle, proposal=closed.code, error="failed")
                return closed
        return None


# --------------------------------------------------------------------------- periodic


def _closing_soon(proposal: Proposal, now: datetime) -> bool:
    halfway = proposal.opened_at + (proposal.deadline - proposal.opened_at) / 2
    return proposal.deadline - CLOSING_SOON <= now < proposal.deadline and now >= halfway


def proposals_tick(*, now: datetime | None = None) -> None:
    """Periodic (`governance.tasks.proposals_close_due`, every 5 minutes; idempotent): close what is
    due (the deadline passed, every counted voter has spoken — someone who left may have been the last
    one missing —, or an earlier attempt failed), remind the voters without a stance a day before the
    deadline, once, and remind every member of a decision whose review day has come, once."""
    now = now or timezone.now()
    open_proposals = list(Proposal.objects.filter(status=ProposalStatus.OPEN).order_by("deadline", "pk"))
    open_ballots = ballots(open_proposals)
    for proposal in open_proposals:
        ballot = open_ballots[proposal.pk]
        if proposal.deadline <= now or proposal.apply_failures or everyone_has_spoken(ballot):
            proposal_close(proposal_id=proposal.pk, now=now)
        elif _closing_soon(proposal, now):
            _remind_closing(proposal, ballot)
    _remind_reviews(now)


def _remind_closing(proposal: Proposal, ballot: Ballot) -> None:
    silent = (ballot.eligible - ballot.excluded - ballot.left) - ballot.stances.keys()
    if not silent:
        return
    with transaction.atomic():
        proposal = Proposal.objects.select_related("circle").get(pk=proposal.pk)
        url = proposal_url(proposal)
        for uid in Membership.objects.filter(pk__in=silent).values_list("user_id", flat=True):
            notify(
                uid,
                Kind.PROPOSAL_CLOSING,
                url=url,
                due_at=proposal.deadline,
                once_key=f"proposal-closing:{proposal.code}",
            )


def _remind_reviews(now: datetime) -> None:
    today = timezone.localdate(now)
    due = Proposal.objects.filter(
        status=ProposalStatus.CLOSED,
        review_on__lte=today,
        review_on__gt=today - timedelta(days=REVIEW_GRACE_DAYS),
        circle__dissolved_at__isnull=True,
    ).select_related("circle")
    for proposal in due:
        assert proposal.review_on is not None  # filtered above
        url = proposal_url(proposal)
        key = f"review:{proposal.code}:{proposal.review_on.isoformat()}"
        with transaction.atomic():
            members = Membership.objects.filter(circle_id=proposal.circle_id, status=MembershipStatus.MEMBER)
            for uid in members.values_list("user_id", flat=True):
                notify(uid, Kind.REVIEW_DUE, url=url, once_key=key)


# --------------------------------------------------------------------------- retention


def dissolved_groups_purge(*, now: datetime | None = None) -> int:
    """Delete the content of groups dissolved more than MUTUA_DISSOLVED_RETENTION_DAYS ago (decision
    0021): proposals (with their voters, stances, thread and invitations), own agreements and draft,
    meetings (with answers and check-ins), place and rooms, memberships (with roles and join answers),
    consent records and directory slots; the group's name and description are blanked. What stays is a
    stub: the group's code, its taxonomy and the audit trail (ids and action names only). Returns the
    number of groups purged. Idempotent."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.MUTUA_DISSOLVED_RETENTION_DAYS)
    due = Circle.objects.filter(dissolved_at__lte=cutoff, purged_at__isnull=True).values_list("pk", flat=True)
    purged = 0
    for circle_id in list(due):
        with transaction.atomic():
            circle = Circle.objects.select_for_update().get(pk=circle_id)
            if circle.purged_at is not None:
                continue
            Proposal.objects.filter(circle=circle).delete()
            OwnAgreement.objects.filter(circle=circle).delete()
            AgreementsDraft.objects.filter(circle=circle).delete()
            Meeting.objects.filter(circle=circle).delete()
            MeetingPlace.objects.filter(circle=circle).delete()
            Room.objects.filter(circle=circle).delete()
            Membership.objects.filter(circle=circle).delete()
            PledgeAcceptance.objects.filter(circle=circle).delete()
            CircleSlot.objects.filter(circle=circle).delete()
            circle.name = ""
            circle.description = ""
            circle.member_count = 0
            circle.seats_held = 0
            circle.purged_at = now
            circle.save(update_fields=["name", "description", "member_count", "seats_held", "purged_at"])
            audit("circle.purged", circle=circle)
            purged += 1
    return purged
