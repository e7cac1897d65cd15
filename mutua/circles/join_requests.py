"""Joining a group that reviews newcomers, and every newcomer's welcome step (decision 0021).

A group may decide (an openness proposal) to review newcomers. Joining it then asks the group first: the
person gives the same consent as any join (the shared experience, the agreements, the pledge) and an
optional short message, and gets a membership with status `requested` (live: it reserves the
pseudonym, sees only its own neutral status, and no group content). The members welcome the request or
object to it with a reason. It is consent again:

- every current member has welcomed it → admitted at once;
- every current member has answered and one objects → closed at once;
- otherwise at the deadline: no objection → admitted, an objection → closed.

Answers can change until then. Admitted means the normal join with the consent already given (member
if a seat is free, else the waiting list). Closed means "not this time": the requester never learns
who answered what, nor any reason (P7: the reasons are for the members). Withdrawing is one step.

P2: only the person asks (`join_request_create`, through `circles.services.membership_join`) or
withdraws; members only answer. The admission acts on the person's own request, as a seat offer's
expiry acts on the person's own place in the queue.

Every newcomer, whichever way they became a member, is sent once to the group's welcome step (the
group's home sends a member whose `welcomed_at` is empty there); "Continue to the group" marks it seen.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, cast

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.circles import services
from mutua.circles.consent import Consent
from mutua.circles.models import (
    BasicAgreement,
    Circle,
    Membership,
    MembershipStatus,
    PledgeAcceptance,
    RequestOutcome,
)
from mutua.circles.pseudonyms import clean_pseudonym, pseudonym_key
from mutua.core.codes import new_code
from mutua.core.errors import DomainError
from mutua.core.models import audit
from mutua.notifications.models import Kind
from mutua.notifications.services import notify

if TYPE_CHECKING:
    from mutua.accounts.models import User
    from mutua.governance.models import JoinResponse, OwnAgreement

MESSAGE_MAX = 500
REASON_MAX = 1000
# After "not this time", the same person may ask the same group again only after this many days, so a
# refused request cannot be repeated at the members every day (they are told of each one).
ASK_AGAIN_DAYS = 30

Decision = Literal["welcome", "object"]
WELCOME: Decision = "welcome"
OBJECT: Decision = "object"

# What the requester sees of their own request (pages and API): neutral words, never who or why.
StateName = Literal["requested", "welcomed", "not_this_time", "withdrawn"]
PENDING: StateName = "requested"
WELCOMED: StateName = "welcomed"
NOT_THIS_TIME: StateName = "not_this_time"
WITHDRAWN: StateName = "withdrawn"


# --------------------------------------------------------------------------- services


@transaction.atomic
def join_request_create(
    *, circle: Circle, user: "User", pseudonym: str, consent: Consent, message: str = ""
) -> Membership:
    """Ask to join a group that reviews newcomers, with consent the caller checked now
    (`services.membership_join` checks it, counts the attempt and sends a reviewing group here)."""
    services._require_verified(user)
    services._require_given(consent)
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise DomainError(_("Please keep your message to 500 characters or fewer."))
    circle = services._lock(circle)
    services._refresh(circle)
    services._refuse_removed(circle=circle, user=user)
    existing = Membership.objects.filter(circle=circle, user=user).first()
    if existing is not None and existing.status == MembershipStatus.REQUESTED:
        raise DomainError(_("You have already asked to join this group."), "conflict")
    if existing is not None and existing.status == MembershipStatus.MEMBER:
        raise DomainError(_("You are already a member of this group."), "conflict")
    if existing is not None and existing.is_queued:
        raise DomainError(_("You are already on this group's waiting list."), "conflict")
    if circle.openness == "closed":
        raise DomainError(_("This group is not taking newcomers at the moment."), "conflict")
    if circle.openness != "review":
        raise DomainError(services.JOINING_CHANGED, "conflict")
    now = timezone.now()
    if (
        existing is not None
        and existing.request_outcome == RequestOutcome.CLOSED
        and existing.left_at is not None
        and existing.left_at > now - timedelta(days=ASK_AGAIN_DAYS)
    ):
        again = existing.left_at + timedelta(days=ASK_AGAIN_DAYS)
        raise DomainError(
            _("You asked to join this group recently. You can ask again from %(date)s.")
            % {"date": timezone.localtime(again).date().isoformat()},
            "conflict",
        )
    pseudonym = clean_pseudonym(pseudonym)
    key = pseudonym_key(pseudonym)
    if services._pseudonym_taken(circle=circle, key=key, exclude_user=user):
        raise DomainError(services.PSEUDONYM_TAKEN)
    membership = existing or Membership(circle=circle, user=user)
    membership.status = MembershipStatus.REQUESTED
    membership.pseudonym = pseudonym
    membership.pseudonym_key = key
    membership.must_choose_pseudonym = False
    membership.joined_at = None
    membership.waiting_since = None
    membership.offer_expires_at = None
    membership.left_at = None
    membership.welcomed_at = None
    membership.request_message = message
    membership.request_deadline = now + timedelta(days=settings.MUTUA_JOIN_REQUEST_DAYS)
    membership.request_ref = new_code()
    membership.request_outcome = ""
    services._record_acceptance(circle=circle, user=user, consent=consent, membership=membership)
    membership.save()
    if existing is not None:
        # Answers to an earlier request of the same person do not carry over to this one.
        _responses_to(membership).delete()
    audit("join_request.created", actor=user, circle=circle)
    url = reverse("circles:requests", args=[circle.code])
    for uid in circle.memberships.filter(status=MembershipStatus.MEMBER).values_list("user_id", flat=True):
        notify(uid, Kind.JOIN_REQUEST, url=url, due_at=membership.request_deadline)
    return membership


@transaction.atomic
def join_request_respond(
    *, circle: Circle, user: "User", request_ref: str, decision: str, reason: str = ""
) -> "JoinResponse":
    """A current member welcomes a request or objects to it (an objection needs a reason). The answer
    can change until the request is resolved; answering may resolve it at once (everyone answered)."""
    from mutua.governance.models import JoinResponse

    circle = services._lock(circle)
    member = Membership.objects.filter(circle=circle, user=user, status=MembershipStatus.MEMBER).first()
    if member is None:
        raise DomainError(_("Only members of the group can answer a request to join."), "not_found")
    request = _pending(circle=circle, ref=request_ref)
    if request is None:
        raise DomainError(_("This request is no longer open."), "not_found")
    reason = (reason or "").strip()
    if decision == OBJECT:
        if not reason:
            raise DomainError(_("Please say why you object. Only the group's members will read it."))
        if len(reason) > REASON_MAX:
            raise DomainError(_("Please keep your reason to 1000 characters or fewer."))
    elif decision == WELCOME:
        reason = ""
    else:
        raise DomainError(_("Choose whether to welcome this person or to object."))
    response, _created = JoinResponse.objects.update_or_create(
        request=request, membership=member, defaults={"decision": decision, "reason": reason}
    )
    audit("join_request.answered", actor=user, circle=circle, request=request.pk)
    _resolve(circle=circle, request=request, now=timezone.now())
    return response


@transaction.atomic
def join_request_withdraw(*, circle: Circle, user: "User") -> Membership:
    """The person withdraws their own request, in one step."""
    circle = services._lock(circle)
    membership = (
        Membership.objects.select_for_update()
        .filter(circle=circle, user=user, status=MembershipStatus.REQUESTED)
        .first()
    )
    if membership is None:
        raise DomainError(_("You have no open request to join this group."), "not_found")
    _end(membership, RequestOutcome.WITHDRAWN, timezone.now())
    audit("join_request.withdrawn", actor=user, circle=circle)
    return membership


def join_requests_tick(*, now: datetime | None = None) -> int:
    """Periodic (every 5 minutes, `circles.tasks.join_requests_tick`): resolve every open request that
    is due (its deadline passed, everyone answered, or the group no longer reviews newcomers).
    Idempotent; each request in its own transaction. Returns the number resolved."""
    now = now or timezone.now()
    pending = Membership.objects.filter(status=MembershipStatus.REQUESTED).values_list("circle_id", "pk")
    resolved = 0
    for circle_id, pk in list(pending):
        with transaction.atomic():
            circle = services._lock(Circle(pk=circle_id))
            request = Membership.objects.filter(pk=pk, status=MembershipStatus.REQUESTED).first()
            if request is not None:
                resolved += _resolve(circle=circle, request=request, now=now) != ""
    return resolved


@transaction.atomic
def welcome_done(*, circle: Circle, user: "User") -> Membership:
    """The member went past the group's welcome step ("Continue to the group")."""
    membership = (
        Membership.objects.select_for_update()
        .filter(circle=circle, user=user, status=MembershipStatus.MEMBER)
        .first()
    )
    if membership is None:
        raise DomainError(_("You are not in this group (any more)."), "not_found")
    if membership.welcomed_at is None:
        membership.welcomed_at = timezone.now()
        membership.save(update_fields=["welcomed_at"])
    return membership


def _pending(*, circle: Circle, ref: str) -> Membership | None:
    if not ref:
        return None
    return (
        Membership.objects.select_for_update()
        .filter(circle=circle, status=MembershipStatus.REQUESTED, request_ref=ref[:16])
        .first()
    )


def _responses_to(request: Membership) -> Any:
    from mutua.governance.models import JoinResponse

    return JoinResponse.objects.filter(request=request)


def _decide(*, circle: Circle, request: Membership, now: datetime) -> str:
    """What the request comes to now: RequestOutcome.ADMITTED or CLOSED, or "" (not yet). The group's
    lock is held."""
    if circle.openness == "closed":
        return RequestOutcome.CLOSED
    if circle.openness == "open":
        # The group stopped reviewing newcomers: those who asked join as anyone would now.
        return RequestOutcome.ADMITTED
    members = set(circle.memberships.filter(status=MembershipStatus.MEMBER).values_list("pk", flat=True))
    answers = {
        m: d for m, d in _responses_to(request).values_list("membership_id", "decision") if m in members
    }
    objected = OBJECT in answers.values()
    everyone = bool(members) and set(answers) == members
    due = request.request_deadline is None or request.request_deadline <= now
    if everyone or due:
        return RequestOutcome.CLOSED if objected else RequestOutcome.ADMITTED
    return ""


def _resolve(*, circle: Circle, request: Membership, now: datetime) -> str:
    outcome = _decide(circle=circle, request=request, now=now)
    if outcome == RequestOutcome.ADMITTED:
        try:
            with transaction.atomic():
                _admit(circle=circle, request=request)
        except DomainError:
            # The join itself refused (the person's address is no longer confirmed): not this time,
            # rather than a request retried forever.
            outcome = RequestOutcome.CLOSED
    if outcome == RequestOutcome.CLOSED:
        _end(request, RequestOutcome.CLOSED, now)
        audit("join_request.closed", actor=None, circle=circle, request=request.pk)
        notify(request.user_id, Kind.JOIN_REQUEST_CLOSED, url=reverse("circles:public", args=[circle.code]))
    return str(outcome)


def _admit(*, circle: Circle, request: Membership) -> None:
    """The normal join with the consent the person gave when asking (a changed pledge or agreements
    since then: the gate asks them to accept again, as after matching)."""
    accepted = (
        PledgeAcceptance.objects.filter(circle=circle, user_id=request.user_id).values_list(
            "accepted_at", flat=True
        )
    ).first()
    consent = Consent(
        confirms_experience=True,
        pledge_version=request.pledge_version,
        agreements_version=request.agreements_version,
        given_at=accepted or timezone.now(),
    )
    user = request.user
    membership = services.membership_join_consented(
        circle=circle, user=user, pseudonym=request.pseudonym, consent=consent
    )
    Membership.objects.filter(pk=membership.pk).update(request_outcome=RequestOutcome.ADMITTED)
    audit("join_request.admitted", actor=None, circle=circle, request=request.pk)
    if membership.status == MembershipStatus.MEMBER:
        notify(user, Kind.JOIN_CONFIRMED, url=reverse("circles:welcome", args=[circle.code]))
    else:
        # Welcomed, but every seat is taken: the waiting list, and the answer on the status page.
        notify(user, Kind.JOIN_REQUEST_CLOSED, url=reverse("circles:status", args=[circle.code]))


def _end(membership: Membership, outcome: str, now: datetime) -> None:
    membership.status = MembershipStatus.LEFT
    membership.left_at = now
    membership.request_outcome = outcome
    membership.save(update_fields=["status", "left_at", "request_outcome"])


# --------------------------------------------------------------------------- selectors


@dataclass(frozen=True)
class Answer:
    pseudonym: str
    decision: Decision
    reason: str
    yours: bool


@dataclass(frozen=True)
class RequestRow:
    """An open request as the members see it: the newcomer's pseudonym and message, every member's
    answer so far (the group decides together, decision 0021), and the viewer's own."""

    ref: str
    pseudonym: str
    message: str
    deadline: datetime | None
    answers: list[Answer] = field(default_factory=list)
    your_decision: Decision | Literal[""] = ""
    your_reason: str = ""
    unanswered: int = 0


def requests_open(*, circle: Circle, membership: Membership) -> list[RequestRow]:
    """The group's open requests with its current members' answers, for a member (`membership`, let
    in by the gate). Three queries, whatever the number of requests."""
    from mutua.governance.models import JoinResponse

    requests = list(
        circle.memberships.filter(status=MembershipStatus.REQUESTED).order_by("request_deadline", "pk")
    )
    if not requests:
        return []
    members = dict(circle.memberships.filter(status=MembershipStatus.MEMBER).values_list("pk", "pseudonym"))
    answers: dict[int, list[Answer]] = {}
    own: dict[int, tuple[Decision, str]] = {}
    rows = (
        JoinResponse.objects.filter(request__in=requests, membership_id__in=members)
        .order_by("updated_at", "pk")
        .values_list("request_id", "membership_id", "decision", "reason")
    )
    for request_id, member_id, stored, reason in rows:
        decision = cast(Decision, stored)
        yours = member_id == membership.pk
        answers.setdefault(request_id, []).append(Answer(members[member_id], decision, reason, yours))
        if yours:
            own[request_id] = (decision, reason)
    return [
        RequestRow(
            ref=r.request_ref,
            pseudonym=r.pseudonym,
            message=r.request_message,
            deadline=r.request_deadline,
            answers=answers.get(r.pk, []),
            your_decision=own[r.pk][0] if r.pk in own else "",
            your_reason=own[r.pk][1] if r.pk in own else "",
            unanswered=len(members) - len(answers.get(r.pk, [])),
        )
        for r in requests
    ]


@dataclass(frozen=True)
class RequestState:
    """What the requester sees of their own request: a neutral state and, while open, by when the
    answer comes at the latest. Never who answered, how, or why."""

    state: StateName
    message: str
    deadline: datetime | None


def request_state(*, membership: Membership | None) -> RequestState | None:
    """The neutral state of the person's own request to join, or None when their relation to the group
    did not come from one (or ended otherwise)."""
    if membership is None:
        return None
    if membership.status == MembershipStatus.REQUESTED:
        return RequestState(PENDING, membership.request_message, membership.request_deadline)
    if membership.status == MembershipStatus.LEFT and membership.request_outcome == RequestOutcome.CLOSED:
        return RequestState(NOT_THIS_TIME, "", None)
    if membership.status == MembershipStatus.LEFT and membership.request_outcome == RequestOutcome.WITHDRAWN:
        return RequestState(WITHDRAWN, "", None)
    if membership.is_live and membership.request_outcome == RequestOutcome.ADMITTED:
        return RequestState(WELCOMED, "", None)
    return None


def own_request(*, circle: Circle, user: Any) -> RequestState | None:
    """The viewer's own request to join this group (any state), for the API."""
    if user is None or not user.is_authenticated:
        return None
    return request_state(membership=circle.memberships.filter(user=user).first())


@dataclass(frozen=True)
class Welcome:
    """What every newcomer reads once: the agreements in force (the host's basic ones, then the group's
    own), and whether the group meets yet (the next meeting is read by the page, on the viewer's clock)."""

    basic: list[BasicAgreement]
    own: list["OwnAgreement"]
    has_schedule: bool
    forming: bool


def welcome_of(*, circle: Circle) -> Welcome:
    from mutua.governance.agreements import agreements_current

    basic, own, _version = agreements_current(circle=circle)
    return Welcome(basic=basic, own=own, has_schedule=circle.has_schedule, forming=circle.status == "forming")


def request_is_open(*, circle: Circle, ref: str) -> bool:
    return circle.memberships.filter(status=MembershipStatus.REQUESTED, request_ref=ref[:16]).exists()
