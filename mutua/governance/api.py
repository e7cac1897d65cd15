"""A group's proposals and decisions in the JSON API: the same gate (`access_circle`), selectors and
services as the decisions pages. While a proposal is open its `results` are null: only how many of
the voters have answered shows, never who said what (P5, decision 0021). A stance, a message, a
withdrawal are always the caller's own (P2). Times are UTC."""

from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404
from ninja import Field, Router, Schema, Status

from mutua.api.schemas import ConsentRequiredMessage, Message
from mutua.circles.models import Circle, Membership
from mutua.circles.policies import Need, access_circle
from mutua.core.http import AuthenticatedHttpRequest
from mutua.governance import display, selectors, services
from mutua.governance.agreements import OWN_AGREEMENTS_MAX
from mutua.governance.agreements_api import AgreementItemIn
from mutua.governance.models import Proposal, ProposalKind
from mutua.governance.services import (
    BODY_MAX,
    COMMENT_MAX,
    DAYS_MAX,
    DAYS_MIN,
    OUTCOME_MAX,
    PURPOSE_MAX,
    REASON_MAX,
    TITLE_MAX,
)
from mutua.meetings.api import ScheduleIn

router = Router(tags=["proposals"])

KindName = Literal[
    "agreements", "schedule", "capacity", "openness", "professional", "removal", "dissolution", "question"
]
StanceName = Literal["agree", "abstain", "disagree", "object"]

READ = {404: Message, 409: ConsentRequiredMessage}
WRITE = {400: Message, 404: Message, 409: ConsentRequiredMessage}


# --------------------------------------------------------------------------- schemas


class DecisionProfessionalIn(Schema):
    purpose: str = Field(..., min_length=1, max_length=PURPOSE_MAX, description="What they would do.")
    starts: date = Field(..., description="The first day of the invitation.")
    ends: date = Field(..., description="The last day (a year at most after the first).")


class DecisionIn(Schema):
    kind: KindName
    title: str = Field(..., min_length=1, max_length=TITLE_MAX)
    body: str = Field("", max_length=BODY_MAX, description="What and why (plain text).")
    process: Literal["consent", "majority"] = Field(
        "consent", description="A removal is always decided by consent of everyone else."
    )
    days: int | None = Field(None, ge=DAYS_MIN, le=DAYS_MAX, description="Empty: the host's default.")
    min_participation: float | None = Field(
        None, ge=0, le=1, description="Consent: the share of voters who must answer. Empty: the default."
    )
    quorum: float | None = Field(None, ge=0, le=1, description="Majority: the quorum. Empty: the default.")
    agreements: list[AgreementItemIn] | None = Field(
        None,
        max_length=OWN_AGREEMENTS_MAX,
        description="kind agreements: the group's whole new set of its own agreements.",
    )
    schedule: ScheduleIn | None = Field(None, description="kind schedule: the new rhythm.")
    max_members: int | None = Field(None, ge=5, le=12, description="kind capacity.")
    openness: Literal["open", "review", "closed"] | None = Field(None, description="kind openness.")
    professional: DecisionProfessionalIn | None = Field(None, description="kind professional.")
    subject: str | None = Field(
        None, max_length=40, description="kind removal: the pseudonym of the member it is about."
    )


class DecisionRowOut(Schema):
    code: str
    kind: KindName
    kind_label: str
    title: str
    status: Literal["open", "closed", "withdrawn"]
    opened_at: datetime
    deadline: datetime
    closed_at: datetime | None
    passed: bool | None = Field(None, description="Null until it closes.")
    about_me: bool = Field(..., description="A removal about you.")
    awaiting_my_stance: bool
    my_stance: StanceName | None
    outcome: str = Field("", description="What the group decided, in words (after the close).")


class DecisionStanceRowOut(Schema):
    author: str = Field(..., description="A pseudonym, or “a former member”.")
    stance: StanceName
    reason: str


class DecisionResultOut(Schema):
    passed: bool
    reason: str = Field(..., description="Why, as a code: passed, objection, participation_too_low, …")
    reason_words: str = Field(..., description="Why, in a sentence in your language.")
    counts: dict[str, int] = Field(..., description="Per stance, among the voters who counted.")
    counted: int
    participated: int
    stances: list[DecisionStanceRowOut] = Field(..., description="Who said what (empty for a removal).")
    applied: bool
    not_applied: bool = Field(..., description="It passed but could not take effect; nothing changed.")


class DecisionCommentOut(Schema):
    author: str
    text: str
    created_at: datetime
    by_subject: bool = Field(..., description="Written by the member a removal is about.")


class DecisionOut(Schema):
    code: str
    kind: KindName
    kind_label: str
    title: str
    body: str
    process: Literal["consent", "majority"]
    status: Literal["open", "closed", "withdrawn"]
    payload: dict[str, Any] = Field(..., description="What it would change, per kind.")
    opened_by: str
    subject: str | None = Field(None, description="The member a removal is about.")
    opened_at: datetime
    deadline: datetime
    closed_at: datetime | None
    voters: int = Field(..., description="Voters who count now.")
    answered: int = Field(..., description="Of them, how many have a stance (the only figure while open).")
    my_stance: StanceName | None
    my_reason: str
    can_vote: bool
    is_subject: bool
    can_withdraw: bool
    can_comment: bool
    can_set_outcome: bool
    results: DecisionResultOut | None = Field(None, description="Null while open (and when withdrawn).")
    outcome: str
    review_on: date | None
    comments: list[DecisionCommentOut]


class DecisionStanceIn(Schema):
    stance: StanceName
    reason: str = Field("", max_length=REASON_MAX, description="Needed to disagree or object.")


class DecisionStanceOut(Schema):
    stance: StanceName
    reason: str


class DecisionCommentIn(Schema):
    text: str = Field(..., min_length=1, max_length=COMMENT_MAX)


class DecisionOutcomeIn(Schema):
    outcome: str = Field(..., min_length=1, max_length=OUTCOME_MAX)
    review_on: date | None = Field(None, description="A day after today: every member is reminded then.")


# --------------------------------------------------------------------------- helpers


def _proposal(
    request: AuthenticatedHttpRequest, code: str, pcode: str
) -> tuple[Circle, Membership, Proposal]:
    circle, membership = access_circle(request.user, code, Need.MEMBER)
    proposal = selectors.proposal_in(circle=circle, code=pcode)
    if proposal is None:
        raise Http404
    return circle, membership, proposal


def _payload(data: DecisionIn) -> dict[str, Any] | None:
    kind = str(data.kind)
    if kind == ProposalKind.AGREEMENTS and data.agreements is not None:
        return {"items": [item.dict() for item in data.agreements]}
    if kind == ProposalKind.SCHEDULE and data.schedule is not None:
        return data.schedule.model_dump(mode="json")
    if kind == ProposalKind.CAPACITY and data.max_members is not None:
        return {"max_members": data.max_members}
    if kind == ProposalKind.OPENNESS and data.openness is not None:
        return {"openness": data.openness}
    if kind == ProposalKind.PROFESSIONAL and data.professional is not None:
        return data.professional.model_dump(mode="json")
    return None


def _out(proposal: Proposal, membership: Membership) -> DecisionOut:
    view = selectors.proposal_view(proposal=proposal, membership=membership)
    results = None
    if view.results is not None:
        r = view.results
        results = DecisionResultOut(
            passed=r.passed,
            reason=r.reason,
            reason_words=display.reason_words(r, proposal),
            counts=r.counts,
            counted=r.counted,
            participated=r.participated,
            stances=[
                DecisionStanceRowOut(author=s.author, stance=s.stance, reason=s.reason)  # type: ignore[arg-type]
                for s in r.stances
            ],
            applied=r.applied,
            not_applied=r.not_applied,
        )
    return DecisionOut(
        code=proposal.code,
        kind=proposal.kind,  # type: ignore[arg-type]  # one of ProposalKind.values
        kind_label=view.kind_label,
        title=proposal.title,
        body=proposal.body,
        process=proposal.process,  # type: ignore[arg-type]  # one of ProcessChoice.values
        status=proposal.status,  # type: ignore[arg-type]  # one of ProposalStatus.values
        payload=dict(proposal.payload or {}),
        opened_by=view.opened_by,
        subject=view.subject,
        opened_at=proposal.opened_at,
        deadline=proposal.deadline,
        closed_at=proposal.closed_at,
        voters=view.participation.counted,
        answered=view.participation.participated,
        my_stance=view.my_stance,  # type: ignore[arg-type]  # one of Stance values or None
        my_reason=view.my_reason,
        can_vote=view.can_vote,
        is_subject=view.is_subject,
        can_withdraw=view.can_withdraw,
        can_comment=view.can_comment,
        can_set_outcome=view.can_set_outcome,
        results=results,
        outcome=proposal.outcome,
        review_on=proposal.review_on,
        comments=[
            DecisionCommentOut(author=c.author, text=c.text, created_at=c.created_at, by_subject=c.by_subject)
            for c in view.comments
        ],
    )


# --------------------------------------------------------------------------- operations


@router.get("/groups/{code}/proposals", response={200: list[DecisionRowOut], **READ})
def proposals(request: AuthenticatedHttpRequest, code: str) -> list[DecisionRowOut]:
    """The group's proposals: the open ones first (nearest deadline first), then the others, latest
    first. Members only."""
    circle, membership = access_circle(request.user, code, Need.MEMBER)
    return [
        DecisionRowOut(
            code=r.code,
            kind=r.kind,  # type: ignore[arg-type]  # one of ProposalKind.values
            kind_label=r.kind_label,
            title=r.title,
            status=r.status,  # type: ignore[arg-type]  # one of ProposalStatus.values
            opened_at=r.opened_at,
            deadline=r.deadline,
            closed_at=r.closed_at,
            passed=r.passed,
            about_me=r.is_about_me,
            awaiting_my_stance=r.awaiting_my_stance,
            my_stance=r.my_stance,  # type: ignore[arg-type]  # one of Stance values or None
            outcome=r.outcome,
        )
        for r in selectors.proposals_of(circle=circle, membership=membership)
    ]


@router.post("/groups/{code}/proposals", response={201: DecisionOut, **WRITE})
def proposal_open(request: AuthenticatedHttpRequest, code: str, payload: DecisionIn) -> Status[DecisionOut]:
    """Open a proposal to the group (any member). Give the field of its kind: `agreements`,
    `schedule`, `max_members`, `openness`, `professional`, or `subject` (a removal); a dissolution and
    a question need none. Every other member is told; the person a removal is about is told too."""
    circle, membership = access_circle(request.user, code, Need.MEMBER)
    subject_ref = None
    if payload.subject is not None:
        candidates = {p: pk for pk, p in selectors.removal_candidates(circle=circle, membership=membership)}
        # 0 names nobody: the service then refuses with its own words (not a member / not a removal).
        subject_ref = candidates.get(payload.subject, 0)
    proposal = services.proposal_open(
        circle=circle,
        user=request.user,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        payload=_payload(payload),
        process=payload.process,
        days=payload.days,
        subject_ref=subject_ref,
        min_participation=payload.min_participation,
        quorum=payload.quorum,
    )
    return Status(201, _out(proposal, membership))


@router.get("/groups/{code}/proposals/{pcode}", response={200: DecisionOut, **READ})
def proposal(request: AuthenticatedHttpRequest, code: str, pcode: str) -> DecisionOut:
    """One proposal: its text and change, how many have answered, your own stance, the discussion,
    and the result once (only once) it has closed."""
    _circle, membership, p = _proposal(request, code, pcode)
    return _out(p, membership)


@router.put("/groups/{code}/proposals/{pcode}/stance", response={200: DecisionStanceOut, **WRITE})
def stance(
    request: AuthenticatedHttpRequest, code: str, pcode: str, payload: DecisionStanceIn
) -> DecisionStanceOut:
    """Your own stance, changeable until it closes; a reason is needed to disagree or object. The person
    a removal is about, and members who joined after it opened, get 409."""
    _circle, _m, p = _proposal(request, code, pcode)
    row = services.stance_set(proposal=p, user=request.user, stance=payload.stance, reason=payload.reason)
    return DecisionStanceOut(stance=row.stance, reason=row.reason)  # type: ignore[arg-type]


@router.post("/groups/{code}/proposals/{pcode}/comments", response={201: DecisionCommentOut, **WRITE})
def comment(
    request: AuthenticatedHttpRequest, code: str, pcode: str, payload: DecisionCommentIn
) -> Status[DecisionCommentOut]:
    """A message in the proposal's discussion (plain text) while it is open; the person a removal is
    about may answer here."""
    _circle, membership, p = _proposal(request, code, pcode)
    row = services.comment_add(proposal=p, user=request.user, text=payload.text)
    return Status(
        201,
        DecisionCommentOut(
            author=membership.pseudonym,
            text=row.text,
            created_at=row.created_at,
            by_subject=p.subject_id == membership.pk,
        ),
    )


@router.post("/groups/{code}/proposals/{pcode}/withdraw", response={200: DecisionOut, **WRITE})
def withdraw(request: AuthenticatedHttpRequest, code: str, pcode: str) -> DecisionOut:
    """Withdraw your own proposal while nobody has taken a stance (anyone else: 409)."""
    _circle, membership, p = _proposal(request, code, pcode)
    return _out(services.proposal_withdraw(proposal=p, user=request.user), membership)


@router.put("/groups/{code}/proposals/{pcode}/outcome", response={200: DecisionOut, **WRITE})
def outcome(
    request: AuthenticatedHttpRequest, code: str, pcode: str, payload: DecisionOutcomeIn
) -> DecisionOut:
    """After the close, any member writes down what the group decided, with an optional review day."""
    _circle, membership, p = _proposal(request, code, pcode)
    return _out(
        services.outcome_set(
            proposal=p, user=request.user, outcome=payload.outcome, review_on=payload.review_on
        ),
        membership,
    )
