"""Rotating roles in the JSON API: the same gate (`access_circle`), selectors and services as the pages.
Nothing here names another person except by the pseudonym of whoever said yes to a role, and the
volunteers one may hand one's own role to; every action is the caller's own (P2)."""

from datetime import datetime
from typing import Literal

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.params.functions import Path as PathParam

from mutua.api.schemas import Message
from mutua.circles.models import Circle, Membership
from mutua.circles.policies import Need, access_circle
from mutua.core.http import AuthenticatedHttpRequest
from mutua.governance import roles
from mutua.governance.models import RoleAssignment
from mutua.meetings import selectors as meeting_selectors
from mutua.meetings.schedule import Occurrence

router = Router(tags=["roles"])

RoleName = Literal["coordinator", "timekeeper", "welcomer"]

KEY = PathParam(
    ...,
    pattern=r"^\d{8}T\d{4}Z$",
    description="A meeting's key: the UTC start its rhythm generates for it, e.g. 20261208T1800Z.",
)


class RoleKindOut(Schema):
    role: RoleName
    label: str
    description: str = Field(..., description="What the role does, in plain words.")
    volunteering: bool = Field(..., description="You are in this role's rotation.")
    volunteers: int = Field(..., description="How many members are in this role's rotation.")


class RoleSwapTargetOut(Schema):
    ref: int = Field(..., description="Pass as `with_ref` to hand your role to them.")
    pseudonym: str


class RoleSeatOut(Schema):
    role: RoleName
    label: str
    holder: str = Field("", description="The pseudonym of whoever said yes; empty while nobody has.")
    asked: bool = Field(..., description="Offered to someone who has not answered yet (never says whom).")
    mine: Literal["", "offered", "accepted"] = Field(..., description="Your own part in it, if any.")
    swap_to: list[RoleSwapTargetOut] = Field(
        ..., description="When it is yours: the other volunteers you may hand it to."
    )


class MeetingRolesOut(Schema):
    key: str
    start: datetime = Field(..., description="UTC.")
    can_change: bool = Field(..., description="Roles can still be accepted, declined or handed on.")
    roles: list[RoleSeatOut]


class RolesOut(Schema):
    roles: list[RoleKindOut]
    meetings: list[MeetingRolesOut] = Field(..., description="The roles of the next few meetings.")


class RoleVolunteerIn(Schema):
    on: bool = Field(..., description="true: join this role's rotation; false: leave it.")


class RoleVolunteerOut(Schema):
    role: RoleName
    volunteering: bool


class RoleSwapIn(Schema):
    with_ref: int = Field(..., ge=1, description="The `ref` of another volunteer for this role.")


class RoleAnswerOut(Schema):
    role: RoleName
    status: Literal["offered", "accepted", "declined"]


def _seat(seat: roles.RoleSeat) -> RoleSeatOut:
    return RoleSeatOut(
        role=seat.role,  # type: ignore[arg-type]  # one of Role.values
        label=seat.label,
        holder=seat.holder,
        asked=seat.asked,
        mine=seat.mine,  # type: ignore[arg-type]  # "", "offered" or "accepted"
        swap_to=[RoleSwapTargetOut(ref=ref, pseudonym=p) for ref, p in seat.swap_to],
    )


def _meeting(request: AuthenticatedHttpRequest, code: str, key: str) -> tuple[Circle, Membership, Occurrence]:
    """The gate, then the meeting the key names: a key the rhythm does not generate is a 404."""
    circle, membership = access_circle(request.user, code, Need.MEMBER)
    moment = meeting_selectors.key_from_slug(key)
    occ = meeting_selectors.occurrence(circle=circle, key=moment) if moment is not None else None
    if occ is None:
        raise Http404
    return circle, membership, occ


MEMBER_ONLY = {404: Message, 409: Message}
WRITE = {400: Message, 404: Message, 409: Message}


@router.get("/groups/{code}/roles", response={200: RolesOut, **MEMBER_ONLY})
def roles_list(request: AuthenticatedHttpRequest, code: str) -> RolesOut:
    """The practical roles at the group's meetings: what each is, whether you volunteer, and who holds
    each at the next few meetings. A role is a task, not power."""
    circle, membership = access_circle(request.user, code, Need.MEMBER)
    data = roles.roles_overview(circle=circle, membership=membership)
    return RolesOut(
        roles=[
            RoleKindOut(
                role=r.role,  # type: ignore[arg-type]  # one of Role.values
                label=r.label,
                description=r.words,
                volunteering=r.mine,
                volunteers=r.volunteers,
            )
            for r in data.roles
        ],
        meetings=[
            MeetingRolesOut(
                key=meeting_selectors.key_slug(m.occurrence.key),
                start=m.occurrence.start,
                can_change=True,
                roles=[_seat(s) for s in m.seats],
            )
            for m in data.meetings
        ],
    )


@router.put("/groups/{code}/roles/{role}/volunteer", response={200: RoleVolunteerOut, **WRITE})
def roles_volunteer(
    request: AuthenticatedHttpRequest, code: str, role: RoleName, payload: RoleVolunteerIn
) -> RoleVolunteerOut:
    """Join or leave one role's rotation, for yourself. Leaving passes on offers you have not answered."""
    circle, _m = access_circle(request.user, code, Need.MEMBER)
    on = roles.role_volunteer(circle=circle, user=request.user, role=role, on=payload.on)
    return RoleVolunteerOut(role=role, volunteering=on)


@router.get("/groups/{code}/meetings/{key}/roles", response={200: MeetingRolesOut, **MEMBER_ONLY})
def meeting_roles(request: AuthenticatedHttpRequest, code: str, key: str = KEY) -> MeetingRolesOut:
    """The roles at one meeting: who holds each (pseudonyms), and what is offered to you."""
    circle, membership, occ = _meeting(request, code, key)
    data = roles.meeting_roles(circle=circle, membership=membership, occ=occ)
    return MeetingRolesOut(
        key=meeting_selectors.key_slug(occ.key),
        start=occ.start,
        can_change=data.can_change,
        roles=[_seat(s) for s in data.seats],
    )


def _answer(row: RoleAssignment) -> RoleAnswerOut:
    return RoleAnswerOut(role=row.role, status=row.status)  # type: ignore[arg-type]  # model choices


@router.post("/groups/{code}/meetings/{key}/roles/{role}/accept", response={200: RoleAnswerOut, **WRITE})
def meeting_role_accept(
    request: AuthenticatedHttpRequest, code: str, role: RoleName, key: str = KEY
) -> RoleAnswerOut:
    """Say yes to a role offered to you at this meeting."""
    circle, _m, occ = _meeting(request, code, key)
    return _answer(roles.role_accept(circle=circle, user=request.user, key=occ.key, role=role))


@router.post("/groups/{code}/meetings/{key}/roles/{role}/decline", response={200: RoleAnswerOut, **WRITE})
def meeting_role_decline(
    request: AuthenticatedHttpRequest, code: str, role: RoleName, key: str = KEY
) -> RoleAnswerOut:
    """Say no to a role offered to you, or give back one you accepted; the next volunteer is asked."""
    circle, _m, occ = _meeting(request, code, key)
    return _answer(roles.role_decline(circle=circle, user=request.user, key=occ.key, role=role))


@router.post("/groups/{code}/meetings/{key}/roles/{role}/swap", response={200: RoleAnswerOut, **WRITE})
def meeting_role_swap(
    request: AuthenticatedHttpRequest, code: str, role: RoleName, payload: RoleSwapIn, key: str = KEY
) -> RoleAnswerOut:
    """Hand your role at this meeting to another volunteer: it is offered to them, and theirs once they
    say yes. The answer is their offer."""
    circle, _m, occ = _meeting(request, code, key)
    return _answer(
        roles.role_swap(circle=circle, user=request.user, key=occ.key, role=role, with_ref=payload.with_ref)
    )
