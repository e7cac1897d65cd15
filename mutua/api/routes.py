from datetime import UTC, datetime
from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.params.functions import Path as PathParam
from pydantic import field_validator

from mutua.accounts import selectors as account_selectors
from mutua.accounts import services as account_services
from mutua.api.schemas import Message
from mutua.circles import join_requests, selectors, services
from mutua.circles.consent import consent_is_current, current_pledge_version
from mutua.circles.models import BasicAgreement, Circle, Experience, Membership, Place
from mutua.circles.policies import Need, access_circle
from mutua.core.http import AuthenticatedHttpRequest
from mutua.core.i18n import GROUP_LANGUAGES, language_codes, visitor_of
from mutua.meetings.describe import describe_rhythm

router = Router()


class ExperienceOut(Schema):
    slug: str
    name: str
    family: str


class FamilyOut(Schema):
    slug: str
    name: str
    items: list[ExperienceOut]


class PlaceOut(Schema):
    slug: str
    name: str
    country: str
    latitude: float
    longitude: float


class AgreementOut(Schema):
    slug: str
    title: str
    text: str


class PledgeOut(Schema):
    version: int
    title: str
    text: str
    agreements: list[AgreementOut]


class RhythmOut(Schema):
    kind: Literal["weekly", "fortnightly", "monthly_nth", "monthly_day", "rrule"]
    text: str = Field(..., description='In words, on the group\'s clock: "Every week on Tuesday at 19:00".')
    timezone: str = Field(..., description="The group's IANA time zone, e.g. Europe/Madrid.")


class NextMeetingOut(Schema):
    start: datetime = Field(..., description="UTC.")
    timezone: str = Field(..., description="The group's IANA time zone, to show it on the group's clock.")


class CirclePublicOut(Schema):
    code: str
    name: str
    experience: ExperienceOut
    languages: list[str]
    mode: str
    area: PlaceOut | None
    description: str
    size_band: str
    status: str
    accepting_newcomers: bool = Field(
        ..., description="Open to newcomers and a seat is free: joining makes you a member."
    )
    open_to_newcomers: bool
    full: bool = Field(
        ...,
        description=(
            "Every seat is held by a member or an open seat offer: joining puts you on the waiting list."
        ),
    )
    agreements_version: int = Field(..., description="The version of the group's agreements in force.")
    distance_km: float | None = None
    rhythm: RhythmOut | None = Field(None, description="When the group meets; null while it has no schedule.")
    next_meeting: NextMeetingOut | None = Field(
        None,
        description=(
            "The next meeting not cancelled (moves applied), in the directory and on GET /groups/{code}; "
            "null when there is none, and in other lists."
        ),
    )


class DirectoryOut(Schema):
    items: list[CirclePublicOut]
    count: int
    page: int
    pages: int
    fallback: bool = Field(
        False,
        description=(
            "No group about the chosen experience matched the other filters, so `items` are the groups "
            "of its whole family (`fallback_family`) that do."
        ),
    )
    fallback_family: str | None = Field(
        None, description="With `fallback`: the slug of the family whose groups are listed instead."
    )


class MembershipOut(Schema):
    group: CirclePublicOut
    status: str
    pseudonym: str
    waiting_position: int | None = None
    offer_expires_at: datetime | None = None
    consent_required: bool = Field(
        False,
        description=(
            "The agreements or the pledge changed since you accepted them: accept them again "
            "(POST /groups/{code}/consent) before seeing the group or taking a seat."
        ),
    )
    must_choose_pseudonym: bool = Field(
        False,
        description="You were given a placeholder pseudonym: choose one (POST /groups/{code}/pseudonym).",
    )
    request_answer_by: datetime | None = Field(
        None,
        description=(
            "Status `requested` (the group reviews newcomers and is looking at your request): the answer "
            "comes by then at the latest (GET /groups/{code}/request)."
        ),
    )


class CircleHomeOut(Schema):
    group: CirclePublicOut
    you: str
    members: list[str]
    agreements: list[AgreementOut]


class JoinIn(Schema):
    """Joining needs the same consent as the join page: all three fields, explicitly."""

    pseudonym: str = Field(..., min_length=1, max_length=40, description="Your pseudonym in the group.")
    confirms_experience: bool = Field(..., description="Must be true: you share the group's experience.")
    accepts_pledge: bool = Field(
        ...,
        description=(
            "Must be true: you have read the group's agreements and accept the confidentiality pledge "
            "of version `pledge_version` (both from GET /pledge)."
        ),
    )
    pledge_version: int = Field(
        ..., ge=0, le=1_000_000, description="The version of the pledge you accept (GET /pledge)."
    )
    message: str = Field(
        "",
        max_length=500,
        description="Only for a group that reviews newcomers: a short message to its members (optional).",
    )


class JoinRequestStateOut(Schema):
    """Your own request to join a group that reviews newcomers. Neutral on purpose: who answered, how
    and why is for the group's members only."""

    state: Literal["requested", "welcomed", "not_this_time", "withdrawn"] = Field(
        ...,
        description=(
            "`requested`: the group is looking at it; `welcomed`: you are in (or on its waiting list); "
            "`not_this_time`: not accepted this time; `withdrawn`: you withdrew it."
        ),
    )
    message: str = Field("", description="Your message to the group, while the request is open.")
    answer_by: datetime | None = Field(
        None, description="While open: the answer comes by then at the latest."
    )


class JoinRequestAnswerView(Schema):
    pseudonym: str
    decision: Literal["welcome", "object"]
    reason: str = Field("", description="An objection's reason (members only).")
    yours: bool


class JoinRequestOut(Schema):
    """An open request to join the group, as its members see it (the group decides together)."""

    ref: str = Field(..., description="The request's reference, for PUT /groups/{code}/requests/{ref}.")
    pseudonym: str
    message: str
    answer_by: datetime | None
    answers: list[JoinRequestAnswerView]
    your_decision: Literal["", "welcome", "object"]
    unanswered: int = Field(..., description="Members who have not answered yet.")


class JoinRequestAnswerIn(Schema):
    decision: Literal["welcome", "object"]
    reason: str = Field(
        "", max_length=1000, description="Needed to object: why (only the group's members read it)."
    )


class JoinRequestAnswerOut(Schema):
    decision: Literal["welcome", "object"]
    reason: str
    still_open: bool = Field(..., description="False when your answer settled the request.")


class ConsentIn(Schema):
    """Accept the current pledge and the group's current agreements again, after either changed."""

    accepts_pledge: bool = Field(..., description="Must be true: you accept the agreements and the pledge.")
    pledge_version: int = Field(
        ..., ge=0, le=1_000_000, description="The current pledge version (GET /pledge)."
    )
    agreements_version: int = Field(
        ..., ge=0, le=1_000_000, description="The group's current agreements version (GET /groups/{code})."
    )


class PseudonymIn(Schema):
    pseudonym: str = Field(..., min_length=1, max_length=40, description="Your new pseudonym in the group.")


class ProfileOut(Schema):
    display_name: str
    language: str
    timezone: str
    country: str


class ProfileIn(Schema):
    display_name: str = Field(..., min_length=1, max_length=80)
    language: str = Field(
        ...,
        max_length=8,
        description="An interface language code.",
        # The enum is filled in when the schema is generated, from settings.LANGUAGES.
        json_schema_extra=lambda schema: schema.update(enum=list(language_codes())),
    )
    timezone: str = Field(..., max_length=64)
    country: str = Field("", max_length=2)

    @field_validator("language")
    @classmethod
    def _interface_language(cls, value: str) -> str:
        # Checked when a request arrives, against settings.LANGUAGES: the one list of languages.
        if value not in language_codes():
            raise ValueError("not an interface language")
        return value


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)


def _agreement(a: BasicAgreement) -> AgreementOut:
    return AgreementOut(slug=a.slug, title=a.title, text=a.text)


def _experience(e: Experience) -> ExperienceOut:
    return ExperienceOut(slug=e.slug, name=e.name, family=e.family.slug)


def _place(p: Place | None) -> PlaceOut | None:
    if p is None:
        return None
    return PlaceOut(slug=p.slug, name=p.name, country=p.country, latitude=p.latitude, longitude=p.longitude)


def _rhythm(c: Circle) -> RhythmOut | None:
    rhythm = c.rhythm
    if rhythm is None:
        return None
    return RhythmOut(kind=rhythm.kind.value, text=describe_rhythm(rhythm), timezone=rhythm.tz)


def _next_meeting(c: Circle) -> NextMeetingOut | None:
    upcoming = getattr(c, "next_meeting", None)
    if upcoming is None:
        return None
    return NextMeetingOut(start=upcoming.start.astimezone(UTC), timezone=c.timezone)


def _circle(c: Circle, distance: float | None = None) -> CirclePublicOut:
    return CirclePublicOut(
        code=c.code,
        name=c.name,
        experience=_experience(c.experience),
        languages=c.languages,
        mode=c.mode,
        area=_place(c.place),
        description=c.description,
        size_band=c.size_band,
        status=c.status,
        accepting_newcomers=c.accepting,
        open_to_newcomers=c.open,
        full=c.is_full,
        agreements_version=c.agreements_version,
        distance_km=distance,
        rhythm=_rhythm(c),
        next_meeting=_next_meeting(c),
    )


def _membership(m: Membership, pledge_version: int | None = None) -> MembershipOut:
    if pledge_version is None:
        pledge_version = current_pledge_version()
    return MembershipOut(
        group=_circle(m.circle),
        status=m.status,
        request_answer_by=m.request_deadline if m.status == "requested" else None,
        pseudonym=m.pseudonym,
        waiting_position=selectors.waiting_position(membership=m),
        offer_expires_at=m.offer_expires_at,
        consent_required=not consent_is_current(membership=m, circle=m.circle, pledge_version=pledge_version),
        must_choose_pseudonym=m.must_choose_pseudonym,
    )


class DirectoryQuery(Schema):
    experience: str = Field("", max_length=80, description="Slug of an experience or of a family")
    language: str = Field("", max_length=8)
    mode: Literal["", "in_person", "online"] = ""
    place: str = Field("", max_length=80, description="Slug of a place; with radius_km")
    radius_km: int = Field(25, ge=1, le=500)
    accepting: bool = False
    weekday: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        [],
        max_length=7,
        description="Repeatable. Groups with a meeting starting on one of these days (0 = Monday), on "
        "the visitor's clock (see `tz`).",
    )
    time_of_day: Literal["", "morning", "afternoon", "evening", "night"] = Field(
        "",
        description="Groups with a meeting starting in this band on the visitor's clock: morning 6:00–12:00, "
        "afternoon 12:00–18:00, evening 18:00–22:00, night 22:00–6:00.",
    )
    tz: str = Field(
        "",
        max_length=64,
        description="The visitor's IANA time zone, used when the token's owner has none in a profile; an "
        "unknown zone is ignored. Without either, the zone of the country in `Accept-Language`, else UTC.",
    )
    page: int = Field(1, ge=1, le=100_000)


@router.get(
    "/directory",
    response=DirectoryOut,
    auth=None,
    tags=["directory"],
    description=(
        "Listed groups. Groups in the visitor's language come first (the signed-in person's profile, "
        "else `Accept-Language`), then those in their country (profile, else the region in "
        "`Accept-Language`, e.g. es-ES), then online ones, then by distance when `place` is given. "
        "When an experience item has no group, its family's groups are listed (`fallback`). `weekday` and "
        "`time_of_day` keep groups with a meeting then, on the visitor's clock (profile, else `tz`, else "
        "the country's zone, else UTC); a group without a schedule has none."
    ),
)
def directory(request: HttpRequest, q: Query[DirectoryQuery]) -> DirectoryOut:
    filters = selectors.DirectoryFilters(
        visitor=visitor_of(request, browser_tz=q.tz),
        experience=q.experience,
        language=q.language,
        mode=q.mode,
        place=q.place,
        radius_km=q.radius_km,
        accepting=q.accepting,
        weekdays=tuple(q.weekday),
        time_of_day=q.time_of_day,
        page=q.page,
    )
    page = selectors.directory_search(filters=filters)
    items = [_circle(c, getattr(c, "distance", None)) for c in page.object_list]
    return DirectoryOut(
        items=items,
        count=page.paginator.count,
        page=page.number,
        pages=page.paginator.num_pages,
        fallback=filters.fallback,
        fallback_family=filters.family.slug if filters.fallback and filters.family else None,
    )


@router.get("/experiences", response=list[FamilyOut], auth=None, tags=["directory"])
def experiences(request: HttpRequest) -> list[FamilyOut]:
    out = []
    for fam in selectors.experience_families():
        items = [ExperienceOut(slug=e.slug, name=e.name, family=fam.slug) for e in fam.items.all()]
        out.append(FamilyOut(slug=fam.slug, name=fam.name, items=items))
    return out


@router.get("/places", response=list[PlaceOut], auth=None, tags=["directory"])
def places(request: HttpRequest) -> list[PlaceOut]:
    return [p for p in (_place(p) for p in selectors.places()) if p is not None]


@router.get("/languages", response=list[str], auth=None, tags=["directory"])
def languages(request: HttpRequest) -> list[str]:
    """Languages a group may meet in."""
    return list(GROUP_LANGUAGES)


@router.get("/pledge", response={200: PledgeOut, 409: Message}, auth=None, tags=["groups"])
def pledge(request: HttpRequest) -> PledgeOut:
    p = services.current_pledge()
    agreements = [_agreement(a) for a in selectors.basic_agreements()]
    return PledgeOut(version=p.version, title=p.title, text=p.text, agreements=agreements)


@router.get("/groups/{code}", response={200: CirclePublicOut, 404: Message}, auth=None, tags=["groups"])
def group_public(request: HttpRequest, code: str) -> CirclePublicOut:
    circle = selectors.circle_public(code=code[:16])
    if circle is None:
        raise Http404
    return _circle(circle)


@router.get(
    "/groups/{code}/similar",
    response={200: list[CirclePublicOut], 404: Message},
    auth=None,
    tags=["groups"],
    description=(
        "Up to three listed groups taking newcomers now that could suit someone waiting for this group "
        "or turned away by it: the same family of experiences, a shared language, near its area or "
        "online; the same experience first, then the nearest. The pages show them on the waiting-list "
        "page and on a full or closed group's page."
    ),
)
def group_similar(request: HttpRequest, code: str) -> list[CirclePublicOut]:
    circle = selectors.circle_public(code=code[:16])
    if circle is None:
        raise Http404
    similar = selectors.circles_similar(circle=circle, visitor=visitor_of(request))
    return [_circle(c, getattr(c, "distance", None)) for c in similar]


@router.get("/groups/{code}/home", response={200: CircleHomeOut, 404: Message, 409: Message}, tags=["groups"])
def group_home(request: AuthenticatedHttpRequest, code: str) -> CircleHomeOut:
    circle, membership = access_circle(request.user, code, Need.MEMBER)
    # Read again as the directory shows it (its area, experience and languages); the gate just found it.
    public = selectors.circle_public(code=circle.code)
    if public is None:
        raise Http404
    agreements = [_agreement(a) for a in selectors.basic_agreements()]
    return CircleHomeOut(
        group=_circle(public),
        you=membership.pseudonym,
        members=selectors.members_of(circle=circle),
        agreements=agreements,
    )


@router.post(
    "/groups/{code}/join",
    response={201: MembershipOut, 202: MembershipOut, 400: Message, 404: Message, 409: Message, 429: Message},
    tags=["groups"],
    description=(
        "Join (201: `member`, or `waiting` when the group is full). A group that reviews newcomers is "
        "asked first: 202 with status `requested`, and `message` goes to its members."
    ),
)
def group_join(request: AuthenticatedHttpRequest, code: str, payload: JoinIn) -> Status[MembershipOut]:
    circle = selectors.circle_public(code=code[:16])
    if circle is None:
        raise Http404
    membership = services.membership_join(
        circle=circle,
        user=request.user,
        pseudonym=payload.pseudonym,
        confirms_experience=payload.confirms_experience,
        accepts_pledge=payload.accepts_pledge,
        pledge_version=payload.pledge_version,
        message=payload.message,
    )
    return Status(202 if membership.status == "requested" else 201, _membership(membership))


@router.get("/groups/{code}/request", response={200: JoinRequestStateOut, 404: Message}, tags=["groups"])
def join_request_mine(request: AuthenticatedHttpRequest, code: str) -> JoinRequestStateOut:
    """Your own request to join this group, in neutral words; 404 when you have made none."""
    circle = selectors.circle_public(code=code[:16])
    state = join_requests.own_request(circle=circle, user=request.user) if circle else None
    if state is None:
        raise Http404
    return JoinRequestStateOut(state=state.state, message=state.message, answer_by=state.deadline)


@router.delete(
    "/groups/{code}/request",
    response={204: None, 404: Message},
    tags=["groups"],
    description="Withdraw your request.",
)
def join_request_withdraw(request: AuthenticatedHttpRequest, code: str) -> Status[None]:
    circle, _m = access_circle(request.user, code, Need.PARTICIPANT)
    join_requests.join_request_withdraw(circle=circle, user=request.user)
    return Status(204, None)


@router.get(
    "/groups/{code}/requests",
    response={200: list[JoinRequestOut], 404: Message, 409: Message},
    tags=["groups"],
)
def join_requests_open(request: AuthenticatedHttpRequest, code: str) -> list[JoinRequestOut]:
    """Open requests to join the group, with every member's answer so far (members only)."""
    circle, membership = access_circle(request.user, code, Need.MEMBER)
    return [
        JoinRequestOut(
            ref=r.ref,
            pseudonym=r.pseudonym,
            message=r.message,
            answer_by=r.deadline,
            answers=[
                JoinRequestAnswerView(
                    pseudonym=a.pseudonym, decision=a.decision, reason=a.reason, yours=a.yours
                )
                for a in r.answers
            ],
            your_decision=r.your_decision,
            unanswered=r.unanswered,
        )
        for r in join_requests.requests_open(circle=circle, membership=membership)
    ]


@router.put(
    "/groups/{code}/requests/{ref}",
    response={200: JoinRequestAnswerOut, 400: Message, 404: Message, 409: Message},
    tags=["groups"],
    description="Welcome a request to join, or object with a reason. You can change it while it is open.",
)
def join_request_answer(
    request: AuthenticatedHttpRequest,
    code: str,
    ref: Annotated[str, PathParam(max_length=16)],
    payload: JoinRequestAnswerIn,
) -> JoinRequestAnswerOut:
    circle, _m = access_circle(request.user, code, Need.MEMBER)
    answer = join_requests.join_request_respond(
        circle=circle, user=request.user, request_ref=ref, decision=payload.decision, reason=payload.reason
    )
    return JoinRequestAnswerOut(
        decision=payload.decision,
        reason=answer.reason,
        still_open=join_requests.request_is_open(circle=circle, ref=ref),
    )


@router.post("/groups/{code}/leave", response={204: None, 404: Message}, tags=["groups"])
def group_leave(request: AuthenticatedHttpRequest, code: str) -> Status[None]:
    circle, _m = access_circle(request.user, code, Need.PARTICIPANT)
    services.membership_leave(circle=circle, user=request.user)
    return Status(204, None)


@router.post(
    "/groups/{code}/seat/accept",
    response={200: MembershipOut, 404: Message, 409: Message},
    tags=["groups"],
    description=(
        "Take an offered seat. 409 with code `consent_required` when the agreements or the pledge "
        "changed since you joined the list: accept them again (POST /groups/{code}/consent) first."
    ),
)
def seat_accept(request: AuthenticatedHttpRequest, code: str) -> MembershipOut:
    circle, _m = access_circle(request.user, code, Need.PARTICIPANT)
    return _membership(services.seat_accept(circle=circle, user=request.user))


@router.post(
    "/groups/{code}/consent",
    response={200: MembershipOut, 400: Message, 404: Message, 409: Message},
    tags=["groups"],
    description=(
        "Accept the current pledge and the group's current agreements again. Needed when another "
        "operation answered 409 with code `consent_required`."
    ),
)
def group_consent(request: AuthenticatedHttpRequest, code: str, payload: ConsentIn) -> MembershipOut:
    circle, _m = access_circle(request.user, code, Need.PARTICIPANT)
    membership = services.membership_consent_renew(
        circle=circle,
        user=request.user,
        accepts_pledge=payload.accepts_pledge,
        pledge_version=payload.pledge_version,
        agreements_version=payload.agreements_version,
    )
    return _membership(membership)


@router.post(
    "/groups/{code}/pseudonym",
    response={200: MembershipOut, 400: Message, 404: Message, 409: Message},
    tags=["groups"],
)
def group_pseudonym(request: AuthenticatedHttpRequest, code: str, payload: PseudonymIn) -> MembershipOut:
    circle, _m = access_circle(request.user, code, Need.MEMBER)
    membership = services.membership_pseudonym_change(
        circle=circle, user=request.user, pseudonym=payload.pseudonym
    )
    return _membership(membership)


@router.post("/groups/{code}/seat/decline", response={204: None, 404: Message, 409: Message}, tags=["groups"])
def seat_decline(request: AuthenticatedHttpRequest, code: str) -> Status[None]:
    circle, _m = access_circle(request.user, code, Need.PARTICIPANT)
    services.seat_decline(circle=circle, user=request.user)
    return Status(204, None)


@router.get("/me/groups", response=list[MembershipOut], tags=["me"])
def my_groups(request: AuthenticatedHttpRequest) -> list[MembershipOut]:
    pledge_version = current_pledge_version()
    return [_membership(m, pledge_version) for m in selectors.circles_of_user(user=request.user)]


@router.get("/me", response=ProfileOut, tags=["me"])
def me(request: AuthenticatedHttpRequest) -> ProfileOut:
    u = request.user
    return ProfileOut(
        display_name=u.display_name, language=u.language, timezone=u.timezone, country=u.country
    )


@router.put("/me", response={200: ProfileOut, 400: Message}, tags=["me"])
def me_update(request: AuthenticatedHttpRequest, payload: ProfileIn) -> ProfileOut:
    u = account_services.profile_update(
        user=request.user,
        display_name=payload.display_name,
        language=payload.language,
        timezone_name=payload.timezone,
        country=payload.country,
    )
    return ProfileOut(
        display_name=u.display_name, language=u.language, timezone=u.timezone, country=u.country
    )


@router.get("/me/tokens", response=list[TokenOut], tags=["me"])
def tokens(request: AuthenticatedHttpRequest) -> list[TokenOut]:
    return [TokenOut.from_orm(t) for t in account_selectors.api_tokens_of(user=request.user)]


@router.post("/me/tokens", response={201: TokenCreatedOut, 400: Message}, tags=["me"])
def token_create(request: AuthenticatedHttpRequest, payload: TokenIn) -> Status[TokenCreatedOut]:
    row, raw = account_services.api_token_create(user=request.user, name=payload.name)
    return Status(
        201,
        TokenCreatedOut(
            id=row.pk,
            name=row.name,
            prefix=row.prefix,
            created_at=row.created_at,
            last_used_at=None,
            token=raw,
        ),
    )


@router.delete("/me/tokens/{token_id}", response={204: None, 404: Message}, tags=["me"])
def token_revoke(
    request: AuthenticatedHttpRequest, token_id: int = PathParam(..., ge=1, le=2**62)
) -> Status[None]:
    account_services.api_token_revoke(user=request.user, token_id=token_id)
    return Status(204, None)
