"""A group's agreements in the JSON API: the same gate (`access_circle`) and the same reads and writes
(`governance.agreements`) as the agreements page. Reading is open to anyone in the group or its queue,
so a member asked to accept new agreements again (409 `consent_required`) can read them first; the
draft of the first agreements is the first member's alone, until the group adopts its own."""

from datetime import datetime

from ninja import Field, Router, Schema, Status

from mutua.api.routes import AgreementOut
from mutua.api.schemas import ConsentRequiredMessage, Message
from mutua.circles.consent import consent_is_current, current_pledge_version
from mutua.circles.policies import Need, access_circle
from mutua.core.http import AuthenticatedHttpRequest
from mutua.governance import agreements
from mutua.governance.agreements import OWN_AGREEMENTS_MAX, TEXT_MAX, TITLE_MAX

router = Router(tags=["agreements"])


class OwnAgreementOut(Schema):
    title: str
    text: str


class GroupAgreementsOut(Schema):
    version: int = Field(..., description="The version in force (accept it again when it changes).")
    adopted_at: datetime | None = Field(None, description="When the group adopted its agreements (UTC).")
    basic: list[AgreementOut] = Field(..., description="The host's basic agreements: they come first.")
    own: list[OwnAgreementOut] = Field(..., description="The group's own agreements of this version.")
    accepted_version: int = Field(..., description="The version you accepted.")
    consent_required: bool = Field(
        ..., description="You must accept this version (and the pledge) again: POST /groups/{code}/consent."
    )
    can_draft: bool = Field(
        ...,
        description=(
            "You are the group's first member and it has no agreements of its own yet: you may draft "
            "them (PUT /groups/{code}/agreements/draft) and propose them to the group."
        ),
    )
    draft: list[OwnAgreementOut] | None = Field(None, description="Your draft, only while you may draft.")


class AgreementItemIn(Schema):
    title: str = Field(..., min_length=1, max_length=TITLE_MAX)
    text: str = Field(..., min_length=1, max_length=TEXT_MAX)


class AgreementsDraftIn(Schema):
    items: list[AgreementItemIn] = Field(..., min_length=1, max_length=OWN_AGREEMENTS_MAX)


class AgreementsDraftOut(Schema):
    items: list[OwnAgreementOut]


class AgreementsProposalOut(Schema):
    code: str = Field(..., description="The proposal's code (the group decides on it).")
    status: str
    deadline: datetime


@router.get(
    "/groups/{code}/agreements",
    response={200: GroupAgreementsOut, 404: Message},
    description=(
        "The agreements in force: the host's basic ones, then the group's own of the current version. "
        "Open to anyone in the group or its queue, also while they must accept them again."
    ),
)
def group_agreements(request: AuthenticatedHttpRequest, code: str) -> GroupAgreementsOut:
    circle, membership = access_circle(request.user, code, Need.PARTICIPANT)
    view = agreements.agreements_view(circle=circle, membership=membership)
    return GroupAgreementsOut(
        version=view.version,
        adopted_at=view.adopted_at,
        basic=[AgreementOut(slug=a.slug, title=a.title, text=a.text) for a in view.basic],
        own=[OwnAgreementOut(title=a.title, text=a.text) for a in view.own],
        accepted_version=membership.agreements_version,
        consent_required=not consent_is_current(
            membership=membership, circle=circle, pledge_version=current_pledge_version()
        ),
        can_draft=view.can_draft,
        draft=[OwnAgreementOut(**i) for i in view.draft] if view.can_draft else None,
    )


@router.put(
    "/groups/{code}/agreements/draft",
    response={200: AgreementsDraftOut, 400: Message, 404: Message, 409: ConsentRequiredMessage},
    description=(
        "Save the draft of the group's first agreements (replaces the previous draft). Only the group's "
        "first member, and only until the group adopts agreements of its own: anyone else gets 409."
    ),
)
def agreements_draft_put(
    request: AuthenticatedHttpRequest, code: str, payload: AgreementsDraftIn
) -> AgreementsDraftOut:
    circle, _m = access_circle(request.user, code, Need.MEMBER)
    draft = agreements.agreements_draft_save(
        circle=circle, user=request.user, items=[i.dict() for i in payload.items]
    )
    return AgreementsDraftOut(items=[OwnAgreementOut(**i) for i in draft.items])


@router.post(
    "/groups/{code}/agreements/draft/propose",
    response={201: AgreementsProposalOut, 400: Message, 404: Message, 409: ConsentRequiredMessage},
    description=(
        "Put the draft to the group as an agreements proposal (by consent). Only the group's first "
        "member, while they may draft; the group decides as on any proposal."
    ),
)
def agreements_draft_propose(request: AuthenticatedHttpRequest, code: str) -> Status[AgreementsProposalOut]:
    circle, _m = access_circle(request.user, code, Need.MEMBER)
    proposal = agreements.agreements_propose(circle=circle, user=request.user)
    return Status(
        201, AgreementsProposalOut(code=proposal.code, status=proposal.status, deadline=proposal.deadline)
    )
