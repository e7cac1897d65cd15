"""Matching in the JSON API: the same services and rules as the "Find me a group" pages."""

from datetime import datetime
from typing import Any, Literal

from django.http import Http404
from ninja import Field, Router, Schema, Status

from mutua.api.schemas import Message
from mutua.core.http import AuthenticatedHttpRequest
from mutua.matching import selectors, services
from mutua.matching.models import Interest

router = Router(tags=["matching"])


class InterestIn(Schema):
    experience: str = Field(..., max_length=80)
    other_experiences: list[str] = Field(default_factory=list, max_length=10)
    languages: list[str] = Field(..., min_length=1, max_length=10)
    timezone: str = Field(..., max_length=64)
    availability: list[int] = Field(..., min_length=1, max_length=168, description="weekday*24+hour, local")
    mode: Literal["online", "in_person", "either"]
    place: str = Field("", max_length=80)
    max_travel_km: int = Field(15, ge=1, le=300)
    women_only: bool = False
    is_woman: bool = False


class InterestOut(Schema):
    status: str
    experience: str
    languages: list[str]
    timezone: str
    availability: list[int]
    mode: str
    place: str
    max_travel_km: int
    women_only: bool
    waiting_since: datetime
    explanation: list[str]


class ProposalOut(Schema):
    code: str
    kind: str
    status: str
    experience: str
    language: str
    weekday: int
    hour: int
    place: str | None
    deadline: datetime
    group: str | None


class AcceptIn(Schema):
    """The same consent as joining a group (see `JoinIn`)."""

    pseudonym: str = Field(..., min_length=1, max_length=40, description="Your pseudonym in the group.")
    confirms_experience: bool = Field(..., description="Must be true: you share the group's experience.")
    accepts_pledge: bool = Field(
        ...,
        description=(
            "Must be true: you have read the basic agreements and accept the confidentiality pledge "
            "of version `pledge_version` (both from GET /pledge)."
        ),
    )
    pledge_version: int = Field(
        ..., ge=0, le=1_000_000, description="The version of the pledge you accept (GET /pledge)."
    )


def _interest_out(i: Interest) -> InterestOut:
    return InterestOut(
        status=i.status,
        experience=i.experience.slug,
        languages=i.languages,
        timezone=i.timezone,
        availability=i.availability,
        mode=i.mode,
        place=i.place.slug if i.place else "",
        max_travel_km=i.max_travel_km,
        women_only=i.women_only,
        waiting_since=i.waiting_since,
        explanation=selectors.explain(interest=i),
    )


@router.get("/me/interest", response={200: InterestOut, 404: Message})
def interest_get(request: AuthenticatedHttpRequest) -> Any:
    i = selectors.interest_of(user=request.user, include_withdrawn=False)
    if i is None:
        raise Http404
    return _interest_out(i)


@router.put("/me/interest", response={200: InterestOut, 400: Message})
def interest_put(request: AuthenticatedHttpRequest, payload: InterestIn) -> Any:
    interest = services.interest_save_by_slugs(
        user=request.user,
        experience=payload.experience,
        other_experiences=payload.other_experiences,
        place=payload.place or "",
        languages=payload.languages,
        timezone_name=payload.timezone,
        availability=payload.availability,
        mode=payload.mode,
        max_travel_km=payload.max_travel_km,
        women_only=payload.women_only,
        is_woman=payload.is_woman,
    )
    return _interest_out(interest)


@router.delete("/me/interest", response={204: None, 404: Message})
def interest_delete(request: AuthenticatedHttpRequest) -> Any:
    services.interest_withdraw(user=request.user)
    return Status(204, None)


@router.get("/me/proposals", response=list[ProposalOut])
def proposals(request: AuthenticatedHttpRequest) -> Any:
    out = []
    for p in selectors.proposals_for(user=request.user):
        weekday, hour = selectors.offer_when(p.offer, request.user.timezone)
        out.append(
            ProposalOut(
                code=p.offer.code,
                kind=p.offer.kind,
                status=p.status,
                experience=p.offer.experience.slug,
                language=p.offer.language,
                weekday=weekday,
                hour=hour,
                place=p.offer.place.slug if p.offer.place else None,
                deadline=p.offer.deadline,
                group=p.offer.circle.code if p.offer.circle and p.status == "accepted" else None,
            )
        )
    return out


@router.post("/proposals/{code}/accept", response={200: Message, 400: Message, 404: Message, 409: Message})
def proposal_accept(request: AuthenticatedHttpRequest, code: str, payload: AcceptIn) -> Any:
    services.proposal_accept(
        user=request.user,
        offer_code=code[:16],
        pseudonym=payload.pseudonym,
        confirms_experience=payload.confirms_experience,
        accepts_pledge=payload.accepts_pledge,
        pledge_version=payload.pledge_version,
    )
    return Message(detail="accepted")


@router.post("/proposals/{code}/decline", response={204: None, 404: Message, 409: Message})
def proposal_decline(request: AuthenticatedHttpRequest, code: str) -> Any:
    services.proposal_decline(user=request.user, offer_code=code[:16])
    return Status(204, None)
