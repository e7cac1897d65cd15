"""Reads of proposals, always for one member of the group (P7: the gate let them in first).

Results stay hidden until the close, from every reader: while a proposal is open a member sees their
own stance and how many of the voters have answered ("4 of 6"), never who said what nor how many said
what. After the close, the counts and each voter's stance with its reason under their pseudonym (the
group decides together and an objection is there to be answered), except for a removal: counts only,
so nobody is exposed to the person it was about (decision 0021). Anyone no longer a member appears as
"a former member".
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.circles.models import Circle, Membership, MembershipStatus
from mutua.governance.models import (
    Comment,
    Proposal,
    ProposalKind,
    ProposalStance,
    ProposalStatus,
    StanceChoice,
    Voter,
)
from mutua.governance.services import ballots
from mutua.governance.tally import Stance, counted_voters


def _author(membership: Membership | None) -> str:
    if membership is None or membership.status != MembershipStatus.MEMBER:
        return _("a former member")
    return membership.pseudonym


@dataclass(frozen=True)
class ProposalRow:
    """A line of the group's list of proposals."""

    code: str
    kind: str
    kind_label: str
    title: str
    status: str
    opened_at: datetime
    deadline: datetime
    closed_at: datetime | None
    passed: bool | None  # None until closed
    is_about_me: bool
    awaiting_my_stance: bool  # open, I vote on it and have not answered yet
    my_stance: str | None
    outcome: str = ""  # what the group decided, in words (written by a member after the close)


@dataclass(frozen=True)
class Participation:
    """How many of the voters who count have answered: the only figure shown while it is open."""

    counted: int
    participated: int


@dataclass(frozen=True)
class StanceRow:
    author: str
    stance: str
    stance_label: str
    reason: str
    is_mine: bool


@dataclass(frozen=True)
class Results:
    """The result, once closed (never before)."""

    passed: bool
    reason: str  # governance.tally.Reason
    counts: dict[str, int]  # agree, abstain, disagree, object: among the voters who counted
    counted: int
    participated: int
    # Who said what, with reasons; empty for a removal (counts only).
    stances: list[StanceRow]
    names_shown: bool
    applied: bool  # passed and carried out
    not_applied: bool  # passed, but it could not be carried out (nothing of it was)


@dataclass(frozen=True)
class CommentRow:
    author: str
    text: str
    created_at: datetime
    is_mine: bool
    by_subject: bool  # the person the removal is about, answering


@dataclass(frozen=True)
class ProposalView:
    proposal: Proposal
    kind_label: str
    opened_by: str
    subject: str | None  # the member a removal is about
    is_open: bool
    my_stance: str | None
    my_reason: str
    is_voter: bool  # frozen at opening, still a member, not the subject
    can_vote: bool
    is_subject: bool
    can_withdraw: bool
    can_comment: bool
    can_set_outcome: bool
    participation: Participation
    results: Results | None  # None until closed
    comments: list[CommentRow]


def proposal_in(*, circle: Circle, code: str) -> Proposal | None:
    """The group's proposal with this code, or None (another group's code is None too)."""
    return (
        Proposal.objects.select_related("circle", "opened_by", "subject")
        .filter(circle=circle, code=code)
        .first()
    )


def removal_candidates(*, circle: Circle, membership: Membership) -> list[tuple[int, str]]:
    """The members a removal proposal may be about, for one member: every current member but them, as
    (reference for `proposal_open(subject_ref=...)`, pseudonym), by pseudonym."""
    others = (
        Membership.objects.filter(circle=circle, status=MembershipStatus.MEMBER)
        .exclude(pk=membership.pk)
        .order_by("pseudonym", "pk")
    )
    return list(others.values_list("pk", "pseudonym"))


def proposals_of(*, circle: Circle, membership: Membership) -> list[ProposalRow]:
    """The group's proposals for one member: open ones first (the nearest deadline first), then the
    rest, latest first. Three queries whatever their number."""
    proposals = list(Proposal.objects.filter(circle=circle).only(*ROW_FIELDS))
    voting = set(Voter.objects.filter(membership=membership).values_list("proposal_id", flat=True))
    mine = dict(
        ProposalStance.objects.filter(membership=membership, proposal__circle=circle).values_list(
            "proposal_id", "stance"
        )
    )
    is_member = membership.status == MembershipStatus.MEMBER
    now = timezone.now()
    rows = []
    for p in proposals:
        is_open = p.status == ProposalStatus.OPEN
        votes = is_member and p.pk in voting and p.subject_id != membership.pk
        rows.append(
            ProposalRow(
                code=p.code,
                kind=p.kind,
                kind_label=str(ProposalKind(p.kind).label),
                title=p.title,
                status=p.status,
                opened_at=p.opened_at,
                deadline=p.deadline,
                closed_at=p.closed_at,
                passed=p.passed if p.status == ProposalStatus.CLOSED else None,
                is_about_me=p.subject_id == membership.pk,
                awaiting_my_stance=is_open and votes and p.deadline > now and p.pk not in mine,
                my_stance=mine.get(p.pk),
                outcome=p.outcome,
            )
        )
    open_rows = sorted((r for r in rows if r.status == ProposalStatus.OPEN), key=lambda r: r.deadline)
    done = sorted(
        (r for r in rows if r.status != ProposalStatus.OPEN),
        key=lambda r: r.closed_at or r.opened_at,
        reverse=True,
    )
    return open_rows + done


ROW_FIELDS = (
    "code",
    "kind",
    "title",
    "status",
    "opened_at",
    "deadline",
    "closed_at",
    "passed",
    "outcome",
    "subject_id",
    "circle_id",
)


def _results(proposal: Proposal, membership: Membership) -> Results | None:
    if proposal.status != ProposalStatus.CLOSED or proposal.passed is None:
        return None
    counts = proposal.counts or {}
    names_shown = proposal.kind != ProposalKind.REMOVAL
    stances: list[StanceRow] = []
    if names_shown:
        # Only the voters who counted (frozen, still members, not the subject): the same people the
        # counts are about. A stance by someone who left since is not shown, as it was not counted.
        rows = (
            ProposalStance.objects.filter(proposal=proposal)
            .select_related("membership")
            .order_by("membership__pseudonym", "pk")
        )
        voters = set(Voter.objects.filter(proposal=proposal).values_list("membership_id", flat=True))
        for row in rows:
            if row.membership_id not in voters or row.membership.status != MembershipStatus.MEMBER:
                continue
            stances.append(
                StanceRow(
                    author=_author(row.membership),
                    stance=row.stance,
                    stance_label=str(StanceChoice(row.stance).label),
                    reason=row.reason,
                    is_mine=row.membership_id == membership.pk,
                )
            )
    return Results(
        passed=bool(proposal.passed),
        reason=proposal.reason,
        counts={str(s): int(counts.get(str(s), 0)) for s in Stance},
        counted=int(counts.get("counted", 0)),
        participated=int(counts.get("participated", 0)),
        stances=stances,
        names_shown=names_shown,
        applied=bool(proposal.passed) and proposal.applied_at is not None,
        not_applied=bool(proposal.passed) and proposal.applied_at is None,
    )


def proposal_view(*, proposal: Proposal, membership: Membership) -> ProposalView:
    """One proposal for one member: what they may do, their own stance, how many have answered, the
    discussion, and the result once (and only once) it has closed."""
    ballot = ballots([proposal])[proposal.pk]
    counted = counted_voters(ballot)
    own = ProposalStance.objects.filter(proposal=proposal, membership=membership).first()
    is_member = membership.status == MembershipStatus.MEMBER
    is_subject = proposal.subject_id is not None and proposal.subject_id == membership.pk
    is_voter = is_member and membership.pk in counted
    is_open = proposal.status == ProposalStatus.OPEN
    comments = [
        CommentRow(
            author=_author(c.membership),
            text=c.text,
            created_at=c.created_at,
            is_mine=c.membership_id == membership.pk,
            by_subject=proposal.subject_id is not None and c.membership_id == proposal.subject_id,
        )
        for c in Comment.objects.filter(proposal=proposal).select_related("membership")
    ]
    return ProposalView(
        proposal=proposal,
        kind_label=str(ProposalKind(proposal.kind).label),
        opened_by=_author(proposal.opened_by),
        subject=_author(proposal.subject) if proposal.subject_id else None,
        is_open=is_open,
        my_stance=own.stance if own else None,
        my_reason=own.reason if own else "",
        is_voter=is_voter,
        can_vote=is_voter and is_open and proposal.deadline > timezone.now(),
        is_subject=is_subject,
        can_withdraw=is_member and is_open and proposal.opened_by_id == membership.pk and not ballot.stances,
        can_comment=is_member and is_open,
        can_set_outcome=is_member and proposal.status == ProposalStatus.CLOSED,
        participation=Participation(counted=len(counted), participated=len(counted & ballot.stances.keys())),
        results=_results(proposal, membership),
        comments=comments,
    )
