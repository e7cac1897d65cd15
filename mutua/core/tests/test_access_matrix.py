"""Authorisation in one place (§4 Security): every view carries an access marker, and a persona ×
route matrix pins the status each person gets. Outsiders and former members get 404 (P7)."""

import json
import re
import zoneinfo
from datetime import timedelta
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import client_for
from mutua.core.access import ACCESS_ATTR

# Django's own admin and the API (which authenticates per operation, checked in the API tests)
# are the only URL trees without our markers.
EXEMPT_PREFIXES = ("admin/", "api/v1/")


def walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    out = []
    for p in patterns:
        if isinstance(p, URLResolver):
            out += walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            out.append((prefix + str(p.pattern), p.callback))
    return out


def test_every_view_has_an_access_marker():
    routes = walk(get_resolver().url_patterns)
    assert len(routes) > 20
    missing = [
        route
        for route, view in routes
        if not route.startswith(EXEMPT_PREFIXES) and not hasattr(view, ACCESS_ATTR)
    ]
    assert missing == []


def test_every_api_operation_requires_auth_unless_explicitly_public(client, db):
    public_ok = {"/directory", "/experiences", "/places", "/languages", "/pledge", "/groups/{code}"}
    public_ok |= {"/groups/{code}/similar"}
    schema = client.get("/api/v1/openapi.json").json()
    seen = 0
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            seen += 1
            if not op.get("security"):
                assert path.removeprefix("/api/v1") in public_ok, f"{method} {path} is public but not listed"
    assert seen > 20


PERSONAS = [
    "anonymous",
    "outsider",
    "waiting",
    "member",
    "former",
    "staff",
    "founder",
    "requester",
    "under_removal",
]

# The persona group is full (maximum 5): the member is in it, "waiting" is on its waiting list, "former"
# left it, the outsider never joined, and host staff (superuser, second factor not verified) are not in it.
# "founder" is the group's first member after the group adopted its own agreements (P5): they get exactly
# what the member gets on every route, so a row cannot give them anything else. "requester" asked to join
# (a pending join request, `circles.join_requests`): like an outsider for everything in the group, plus
# their own neutral status and withdrawal. "under_removal" is a member an open removal proposal is about
# (`{proposal}`, `{pcode}`): still a member until it passes, so the member's status on every row unless
# the row says otherwise (they read it and answer in its thread, but take no stance).
LOGIN = "login"  # a 302 to a login page (pages); the API answers 401 instead


def row(method: str, template: str, body: dict[str, Any] | None = None, **expected: int | str) -> Any:
    """One route: the status each persona gets. `all=` sets every persona, `signed_in=` every persona
    but the anonymous one; named personas override."""
    base = expected.pop("all", None)
    signed_in = expected.pop("signed_in", base)
    assert "founder" not in expected, f"{method} {template}: the founder gets what the member gets"
    statuses = {p: (base if p == "anonymous" else signed_in) for p in PERSONAS}
    statuses.update(expected)
    statuses["founder"] = statuses["member"]
    if "under_removal" not in expected:
        statuses["under_removal"] = statuses["member"]
    assert None not in statuses.values(), f"{method} {template}: a persona has no expected status"
    return (method, template, body, statuses)


JOIN = {"pseudonym": "Newcomer", "confirms_experience": True, "accepts_pledge": True, "pledge_version": 1}
# The persona group adopted its own agreements (version 2) and everyone in it accepted them.
CONSENT = {"accepts_pledge": True, "pledge_version": 1, "agreements_version": 2}
AGREEMENTS = {"items": [{"title": "Phones away", "text": "We put our phones away."}]}
PROFILE = {"display_name": "Someone", "language": "en", "timezone": "Europe/Madrid", "country": ""}
ACCEPT = {**JOIN}
REMINDER = {"reminder": "none"}
RSVP = {"answer": "not_coming", "note": "Away"}
MOVE = {"start": "2000-01-01T10:00:00Z"}  # valid for the schema; the service refuses the past (400)
QUESTION = {"kind": "question", "title": "Shall we meet in August?"}
SCHEDULE = {
    "kind": "weekly",
    "weekday": 1,
    "start_date": "2026-01-06",
    "start_time": "19:00",
    "duration_minutes": 90,
    "timezone": "Europe/Madrid",
}

MATRIX = [
    # Public pages: the same for everybody, and no writes.
    row("get", "/", all=200),
    row("get", "/about/", all=200),
    row("get", "/healthz", all=200),
    row("get", "/help/", all=200),
    row("get", "/groups/", all=200),
    row("get", "/groups/{code}/", all=200),
    row("get", "/groups/nonexistent99/", all=404),
    # Meetings of other fellowships (listings): public pages; the sample names no listing.
    row("get", "/listings/{source}/{slug}/", all=404),
    # The Meeting Guide feed of the groups that opted in: public, read-only.
    row("get", "/meeting-guide.json", all=200),
    # Joining: outsiders and former members see the form; people already in are sent on.
    row(
        "get", "/groups/{code}/join/", anonymous=LOGIN, signed_in=200, waiting=302, member=302, requester=302
    ),
    row(
        "post", "/groups/{code}/join/", anonymous=LOGIN, signed_in=400, waiting=302, member=302, requester=302
    ),
    # Inside the group: outsiders, former members and staff get the 404 of a group that does not exist.
    row("get", "/groups/{code}/home/", anonymous=LOGIN, signed_in=404, member=200),
    row("get", "/groups/nonexistent99/home/", anonymous=LOGIN, signed_in=404),
    row(
        "get",
        "/groups/{code}/status/",
        anonymous=LOGIN,
        signed_in=404,
        waiting=200,
        member=302,
        requester=200,
    ),
    # A requester's "leave" is the withdrawal page.
    row(
        "get", "/groups/{code}/leave/", anonymous=LOGIN, signed_in=404, waiting=200, member=200, requester=302
    ),
    row(
        "post",
        "/groups/{code}/leave/",
        anonymous=LOGIN,
        signed_in=404,
        waiting=302,
        member=302,
        requester=302,
    ),
    row(
        "post",
        "/groups/{code}/seat/accept/",
        anonymous=LOGIN,
        signed_in=404,
        waiting=302,
        member=302,
        requester=302,
    ),
    row(
        "post",
        "/groups/{code}/seat/decline/",
        anonymous=LOGIN,
        signed_in=404,
        waiting=302,
        member=302,
        requester=302,
    ),
    # Consent is current for both, so the page sends them on; an empty form is refused.
    row(
        "get",
        "/groups/{code}/consent/",
        anonymous=LOGIN,
        signed_in=404,
        waiting=302,
        member=302,
        requester=302,
    ),
    row(
        "post",
        "/groups/{code}/consent/",
        anonymous=LOGIN,
        signed_in=404,
        waiting=400,
        member=400,
        requester=400,
    ),
    row("get", "/groups/{code}/pseudonym/", anonymous=LOGIN, signed_in=404, member=200),
    row("post", "/groups/{code}/pseudonym/", anonymous=LOGIN, signed_in=404, member=400),
    # The welcome step and the requests to join: members only; the requester's own withdrawal. {ref} is
    # the requester's request (members answering with an empty form get 400).
    row("get", "/groups/{code}/welcome/", anonymous=LOGIN, signed_in=404, member=200),
    row("post", "/groups/{code}/welcome/", anonymous=LOGIN, signed_in=404, member=302),
    row("get", "/groups/{code}/requests/", anonymous=LOGIN, signed_in=404, member=200),
    row("post", "/groups/{code}/requests/{ref}/", anonymous=LOGIN, signed_in=404, member=400),
    row(
        "get",
        "/groups/{code}/request/withdraw/",
        anonymous=LOGIN,
        signed_in=404,
        waiting=302,
        member=302,
        requester=200,
    ),
    row(
        "post",
        "/groups/{code}/request/withdraw/",
        anonymous=LOGIN,
        signed_in=404,
        waiting=302,
        member=302,
        requester=302,
    ),
    # One's own pages.
    row("get", "/me/groups/", anonymous=LOGIN, signed_in=200),
    row("get", "/groups/new/", anonymous=LOGIN, signed_in=200),
    row("post", "/groups/new/", anonymous=LOGIN, signed_in=400),
    row("get", "/find/", anonymous=LOGIN, signed_in=200),
    row("post", "/find/", anonymous=LOGIN, signed_in=200),
    row("get", "/find/withdraw/", anonymous=LOGIN, signed_in=200),
    row("post", "/find/withdraw/", anonymous=LOGIN, signed_in=302),
    row("get", "/find/proposals/{code}/", anonymous=LOGIN, signed_in=404),
    row("post", "/find/proposals/{code}/", anonymous=LOGIN, signed_in=404),
    row("post", "/find/proposals/{code}/decline/", anonymous=LOGIN, signed_in=404),
    row("get", "/find/proposals/nonexistent99/", anonymous=LOGIN, signed_in=404),
    # Accounts.
    row("get", "/account/signup/", anonymous=200, signed_in=302),
    row("post", "/account/signup/", anonymous=200, signed_in=302),
    row("get", "/account/signup/check-email/", all=200),
    row("get", "/account/verify/{token}/", all=400),
    row("post", "/account/verify/{token}/", all=400),
    row("get", "/account/login/", anonymous=200, signed_in=302),
    row("post", "/account/login/", anonymous=200, signed_in=302),
    row("post", "/account/logout/", all=302),
    row("get", "/account/password/reset/", all=200),
    row("post", "/account/password/reset/", all=200),
    row("get", "/account/password/reset/sent/", all=200),
    row("get", "/account/password/reset/{uidb64}/{token}/", all=200),
    row("post", "/account/password/reset/{uidb64}/{token}/", all=200),
    row("get", "/account/password/reset/complete/", all=200),
    row("get", "/account/profile/", anonymous=LOGIN, signed_in=200),
    row("post", "/account/profile/", anonymous=LOGIN, signed_in=200),
    row("get", "/account/profile/tokens/", anonymous=LOGIN, signed_in=200),
    row("post", "/account/profile/tokens/", anonymous=LOGIN, signed_in=200),
    row("post", "/account/profile/tokens/{token_id}/revoke/", anonymous=LOGIN, signed_in=302),
    row("post", "/account/language/", all=302),
    # Staff enrol a second factor here; the persona has one already, so it is sent on to the admin.
    row("get", "/account/staff/two-factor/", anonymous=LOGIN, signed_in=404, staff=302),
    row("post", "/account/staff/two-factor/", anonymous=LOGIN, signed_in=404, staff=302),
    # The admin: only staff with a verified second factor (tests/test_staff_otp.py covers the rest).
    row("get", "/admin/", all=LOGIN, staff=200),
    row("get", "/admin/matching/matchingrun/", all=LOGIN, staff=200),
    # The API: 401 without credentials; group operations as in the pages.
    row("get", "/api/v1/directory", all=200),
    row("get", "/api/v1/experiences", all=200),
    row("get", "/api/v1/places", all=200),
    row("get", "/api/v1/languages", all=200),
    row("get", "/api/v1/pledge", all=200),
    row("get", "/api/v1/groups/{code}", all=200),
    row("get", "/api/v1/groups/nonexistent99", all=404),
    row("get", "/api/v1/groups/{code}/similar", all=200),
    row("get", "/api/v1/groups/nonexistent99/similar", all=404),
    row("get", "/api/v1/groups/{code}/home", anonymous=401, signed_in=404, member=200),
    # The group is full: an outsider or former member joins its waiting list (201); those in it get 409.
    row(
        "post",
        "/api/v1/groups/{code}/join",
        JOIN,
        anonymous=401,
        signed_in=201,
        waiting=409,
        member=409,
        requester=409,
    ),
    row(
        "post",
        "/api/v1/groups/{code}/leave",
        anonymous=401,
        signed_in=404,
        waiting=204,
        member=204,
        requester=204,
    ),
    row(
        "post",
        "/api/v1/groups/{code}/seat/accept",
        anonymous=401,
        signed_in=404,
        waiting=409,
        member=409,
        requester=409,
    ),
    row(
        "post",
        "/api/v1/groups/{code}/seat/decline",
        anonymous=401,
        signed_in=404,
        waiting=409,
        member=409,
        requester=409,
    ),
    # Join requests: one's own (GET, DELETE), the group's for members (GET, PUT with {ref} the requester's).
    row("get", "/api/v1/groups/{code}/request", anonymous=401, signed_in=404, requester=200),
    row("delete", "/api/v1/groups/{code}/request", anonymous=401, signed_in=404, requester=204),
    row("get", "/api/v1/groups/{code}/requests", anonymous=401, signed_in=404, member=200),
    row(
        "put",
        "/api/v1/groups/{code}/requests/{ref}",
        {"decision": "welcome"},
        anonymous=401,
        signed_in=404,
        member=200,
    ),
    row(
        "post",
        "/api/v1/groups/{code}/consent",
        CONSENT,
        anonymous=401,
        signed_in=404,
        waiting=200,
        member=200,
        requester=200,
    ),
    row(
        "post",
        "/api/v1/groups/{code}/pseudonym",
        {"pseudonym": "Lark"},
        anonymous=401,
        signed_in=404,
        member=200,
    ),
    row("get", "/api/v1/me", anonymous=401, signed_in=200),
    row("put", "/api/v1/me", PROFILE, anonymous=401, signed_in=200),
    row("get", "/api/v1/me/groups", anonymous=401, signed_in=200),
    row("get", "/api/v1/me/tokens", anonymous=401, signed_in=200),
    row("post", "/api/v1/me/tokens", {"name": "phone"}, anonymous=401, signed_in=201),
    row("delete", "/api/v1/me/tokens/{token_id}", anonymous=401, signed_in=404),
    row("get", "/api/v1/me/interest", anonymous=401, signed_in=404),
    row("put", "/api/v1/me/interest", {}, anonymous=401, signed_in=422),
    row("delete", "/api/v1/me/interest", anonymous=401, signed_in=404),
    row("get", "/api/v1/me/proposals", anonymous=401, signed_in=200),
    row("post", "/api/v1/proposals/{code}/accept", ACCEPT, anonymous=401, signed_in=404),
    row("post", "/api/v1/proposals/{code}/decline", anonymous=401, signed_in=404),
    # Notifications: one's own only; another person's (or none) is 404.
    row("get", "/inbox/", anonymous=LOGIN, signed_in=200),
    row("post", "/inbox/read-all/", anonymous=LOGIN, signed_in=302),
    row("get", "/inbox/settings/", anonymous=LOGIN, signed_in=200),
    row("post", "/inbox/settings/", anonymous=LOGIN, signed_in=400),
    row("post", "/inbox/{code}/open/", anonymous=LOGIN, signed_in=404),
    row("get", "/inbox/{code}/open/", anonymous=LOGIN, signed_in=404),
    row("get", "/api/v1/me/notifications", anonymous=401, signed_in=200),
    row("post", "/api/v1/me/notifications/read", anonymous=401, signed_in=200),
    row("post", "/api/v1/me/notifications/{code}/read", anonymous=401, signed_in=404),
    row("get", "/api/v1/me/notification-preferences", anonymous=401, signed_in=200),
    row("put", "/api/v1/me/notification-preferences", {}, anonymous=401, signed_in=422),
    # Meetings: members only, everybody else the 404 of a group that does not exist. {key} is the persona
    # group's next meeting (a day ahead: answers are open, check-in is not). The group meets in person,
    # so the room pages send a member back and the API refuses a room (400).
    row("get", "/groups/{code}/meetings/", anonymous=LOGIN, signed_in=404, member=200),
    row("post", "/groups/{code}/meetings/reminder/", anonymous=LOGIN, signed_in=404, member=400),
    row("get", "/groups/{code}/meetings/room/", anonymous=LOGIN, signed_in=404, member=302),
    row("post", "/groups/{code}/meetings/room/", anonymous=LOGIN, signed_in=404, member=302),
    row("get", "/groups/{code}/meetings/place/", anonymous=LOGIN, signed_in=404, member=200),
    row("post", "/groups/{code}/meetings/place/", anonymous=LOGIN, signed_in=404, member=302),
    # The persona group is active: its meeting time changes by a proposal, the page sends members there.
    row("get", "/groups/{code}/meetings/schedule/", anonymous=LOGIN, signed_in=404, member=302),
    row("post", "/groups/{code}/meetings/schedule/", anonymous=LOGIN, signed_in=404, member=302),
    row("get", "/groups/{code}/meetings/attendance/", anonymous=LOGIN, signed_in=404, member=200),
    row("get", "/groups/{code}/meetings/{key}/", anonymous=LOGIN, signed_in=404, member=200),
    row("get", "/groups/{code}/meetings/20200107T1800Z/", anonymous=LOGIN, signed_in=404),
    row("post", "/groups/{code}/meetings/{key}/rsvp/", anonymous=LOGIN, signed_in=404, member=400),
    row("post", "/groups/{code}/meetings/{key}/checkin/", anonymous=LOGIN, signed_in=404, member=302),
    row("get", "/groups/{code}/meetings/{key}/cancel/", anonymous=LOGIN, signed_in=404, member=200),
    row("post", "/groups/{code}/meetings/{key}/cancel/", anonymous=LOGIN, signed_in=404, member=302),
    row("get", "/groups/{code}/meetings/{key}/move/", anonymous=LOGIN, signed_in=404, member=200),
    row("post", "/groups/{code}/meetings/{key}/move/", anonymous=LOGIN, signed_in=404, member=400),
    row("get", "/groups/{code}/meetings/{key}/restore/", anonymous=LOGIN, signed_in=404, member=200),
    row("post", "/groups/{code}/meetings/{key}/restore/", anonymous=LOGIN, signed_in=404, member=302),
    row("get", "/api/v1/groups/{code}/meetings", anonymous=401, signed_in=404, member=200),
    row("get", "/api/v1/groups/{code}/meetings/attendance", anonymous=401, signed_in=404, member=200),
    row("put", "/api/v1/groups/{code}/meetings/reminder", REMINDER, anonymous=401, signed_in=404, member=200),
    row("get", "/api/v1/groups/{code}/meetings/{key}", anonymous=401, signed_in=404, member=200),
    row("get", "/api/v1/groups/{code}/meetings/20200107T1800Z", anonymous=401, signed_in=404),
    row("put", "/api/v1/groups/{code}/meetings/{key}/rsvp", RSVP, anonymous=401, signed_in=404, member=200),
    row("post", "/api/v1/groups/{code}/meetings/{key}/checkin", anonymous=401, signed_in=404, member=400),
    row("post", "/api/v1/groups/{code}/meetings/{key}/cancel", anonymous=401, signed_in=404, member=200),
    row("post", "/api/v1/groups/{code}/meetings/{key}/move", MOVE, anonymous=401, signed_in=404, member=400),
    row("post", "/api/v1/groups/{code}/meetings/{key}/restore", anonymous=401, signed_in=404, member=200),
    row("get", "/api/v1/groups/{code}/schedule", anonymous=401, signed_in=404, member=200),
    row("put", "/api/v1/groups/{code}/schedule", SCHEDULE, anonymous=401, signed_in=404, member=409),
    row("post", "/api/v1/groups/{code}/room", anonymous=401, signed_in=404, member=400),
    # Rotating roles: members only; answering an offer nobody made is refused (pages: a message).
    row("get", "/groups/{code}/roles/", anonymous=LOGIN, signed_in=404, member=200),
    row("post", "/groups/{code}/roles/volunteer/", anonymous=LOGIN, signed_in=404, member=400),
    row("post", "/groups/{code}/roles/{key}/{role}/accept/", anonymous=LOGIN, signed_in=404, member=302),
    row("post", "/groups/{code}/roles/{key}/{role}/decline/", anonymous=LOGIN, signed_in=404, member=302),
    row("post", "/groups/{code}/roles/{key}/{role}/swap/", anonymous=LOGIN, signed_in=404, member=302),
    row("post", "/groups/{code}/roles/20200107T1800Z/{role}/accept/", anonymous=LOGIN, signed_in=404),
    row("get", "/api/v1/groups/{code}/roles", anonymous=401, signed_in=404, member=200),
    row(
        "put",
        "/api/v1/groups/{code}/roles/{role}/volunteer",
        {"on": False},
        anonymous=401,
        signed_in=404,
        member=200,
    ),
    row("get", "/api/v1/groups/{code}/meetings/{key}/roles", anonymous=401, signed_in=404, member=200),
    row(
        "post",
        "/api/v1/groups/{code}/meetings/{key}/roles/{role}/accept",
        anonymous=401,
        signed_in=404,
        member=409,
    ),
    row(
        "post",
        "/api/v1/groups/{code}/meetings/{key}/roles/{role}/decline",
        anonymous=401,
        signed_in=404,
        member=409,
    ),
    row(
        "post",
        "/api/v1/groups/{code}/meetings/{key}/roles/{role}/swap",
        {"with_ref": 1},
        anonymous=401,
        signed_in=404,
        member=409,
    ),
    # Calendar: the feed's secret address is public (a wrong token is the site's 404); one meeting as a
    # file is for members (a made-up key is a 404); the calendar page and its links are one's own.
    row("get", "/calendar/{token}.ics", all=404),
    row("get", "/groups/{code}/meetings/{key}.ics", anonymous=LOGIN, signed_in=404, member=200),
    row("get", "/me/calendar/", anonymous=LOGIN, signed_in=200),
    row("post", "/me/calendar/", anonymous=LOGIN, signed_in=200),
    row("get", "/me/calendar/replace/", anonymous=LOGIN, signed_in=302),
    row("post", "/me/calendar/replace/", anonymous=LOGIN, signed_in=302),
    row("get", "/me/calendar/revoke/", anonymous=LOGIN, signed_in=302),
    row("post", "/me/calendar/revoke/", anonymous=LOGIN, signed_in=302),
    row("post", "/me/calendar/names/", anonymous=LOGIN, signed_in=302),
    row("get", "/me/calendar/go/{ref}/", anonymous=LOGIN, signed_in=404),
    row("get", "/me/calendar/go/{ref}/{key}/", anonymous=LOGIN, signed_in=404),
    # Agreements: members read them; the draft is the first member's only until the group adopts its own,
    # which the persona group did, so nobody drafts or proposes from a draft (409 in the API, sent back
    # in the pages). People in the queue read them (they accepted them), nobody else.
    row("get", "/groups/{code}/agreements/", anonymous=LOGIN, signed_in=404, member=200),
    row("post", "/groups/{code}/agreements/draft/", anonymous=LOGIN, signed_in=404, member=400),
    row("get", "/groups/{code}/agreements/propose/", anonymous=LOGIN, signed_in=404, member=302),
    row("post", "/groups/{code}/agreements/propose/", anonymous=LOGIN, signed_in=404, member=302),
    # Like the waiting: people in the queue may read what they will accept.
    row(
        "get",
        "/api/v1/groups/{code}/agreements",
        anonymous=401,
        signed_in=404,
        waiting=200,
        member=200,
        requester=200,
    ),
    row(
        "put", "/api/v1/groups/{code}/agreements/draft", AGREEMENTS, anonymous=401, signed_in=404, member=409
    ),
    row("post", "/api/v1/groups/{code}/agreements/draft/propose", anonymous=401, signed_in=404, member=409),
    # Decisions: members only. {proposal} and {pcode} are an open removal about "under_removal", opened by
    # another member: they read it and may answer (the empty page forms are refused), but take no stance.
    row("get", "/groups/{code}/decisions/", anonymous=LOGIN, signed_in=404, member=200),
    row("get", "/groups/{code}/decisions/new/", anonymous=LOGIN, signed_in=404, member=200),
    row("post", "/groups/{code}/decisions/new/", anonymous=LOGIN, signed_in=404, member=400),
    row("get", "/groups/{code}/decisions/{proposal}/", anonymous=LOGIN, signed_in=404, member=200),
    row("get", "/groups/{code}/decisions/zz99nothing/", anonymous=LOGIN, signed_in=404),
    row("post", "/groups/{code}/decisions/{proposal}/stance/", anonymous=LOGIN, signed_in=404, member=400),
    row("post", "/groups/{code}/decisions/{proposal}/comment/", anonymous=LOGIN, signed_in=404, member=400),
    # Only the opener withdraws: everyone else is sent back to the proposal.
    row("get", "/groups/{code}/decisions/{proposal}/withdraw/", anonymous=LOGIN, signed_in=404, member=302),
    row("post", "/groups/{code}/decisions/{proposal}/withdraw/", anonymous=LOGIN, signed_in=404, member=302),
    row("post", "/groups/{code}/decisions/{proposal}/outcome/", anonymous=LOGIN, signed_in=404, member=400),
    row("get", "/api/v1/groups/{code}/proposals", anonymous=401, signed_in=404, member=200),
    row("post", "/api/v1/groups/{code}/proposals", QUESTION, anonymous=401, signed_in=404, member=201),
    row("get", "/api/v1/groups/{code}/proposals/{pcode}", anonymous=401, signed_in=404, member=200),
    row("get", "/api/v1/groups/{code}/proposals/zz99nothing", anonymous=401, signed_in=404),
    row(
        "put",
        "/api/v1/groups/{code}/proposals/{pcode}/stance",
        {"stance": "agree"},
        anonymous=401,
        signed_in=404,
        member=200,
        under_removal=409,
    ),
    row(
        "post",
        "/api/v1/groups/{code}/proposals/{pcode}/comments",
        {"text": "I see."},
        anonymous=401,
        signed_in=404,
        member=201,
    ),
    row("post", "/api/v1/groups/{code}/proposals/{pcode}/withdraw", anonymous=401, signed_in=404, member=409),
    row(
        "put",
        "/api/v1/groups/{code}/proposals/{pcode}/outcome",
        {"outcome": "Decided."},
        anonymous=401,
        signed_in=404,
        member=409,
    ),
    row("get", "/api/v1/me/calendar", anonymous=401, signed_in=200),
    row("post", "/api/v1/me/calendar", {"show_names": False}, anonymous=401, signed_in=201),
    row("put", "/api/v1/me/calendar", {"show_names": True}, anonymous=401, signed_in=404),
    row("delete", "/api/v1/me/calendar", anonymous=401, signed_in=404),
]


@pytest.fixture
def personas(personas, monkeypatch):
    """The persona group with a weekly meeting a day from now; `{key}` in a route names it."""
    from django.utils import timezone

    from mutua.circles import services
    from mutua.meetings import selectors
    from mutua.meetings.schedule import weekly

    circle = personas["circle"]
    personas["founder"] = founder_after_adoption(circle)
    personas["requester"] = join_requester(circle)
    monkeypatch.setitem(SAMPLES, "ref", personas["requester"].memberships.get().request_ref)
    start = timezone.now().astimezone(zoneinfo.ZoneInfo(circle.timezone)) + timedelta(days=1)
    rhythm = weekly(start.weekday(), start.hour, circle.timezone, start.date() - timedelta(days=7))
    services.circle_schedule_set(circle=circle, rhythm=rhythm, user=None)
    circle.refresh_from_db()
    upcoming = selectors.next_meeting(circle=circle)
    assert upcoming is not None
    monkeypatch.setitem(SAMPLES, "key", selectors.key_slug(upcoming.key))
    personas["under_removal"], removal = under_removal(personas)
    monkeypatch.setitem(SAMPLES, "proposal", removal)
    monkeypatch.setitem(SAMPLES, "pcode", removal)
    return personas


def under_removal(personas: dict[str, Any]) -> tuple[Any, str]:
    """A member of the persona group whom an open removal proposal is about, opened by another member
    (neither is the member or the founder persona). Returns that person and the proposal's code."""
    from mutua.governance import services

    circle = personas["circle"]
    named = {personas["member"].pk, personas["founder"].pk}
    others = [m for m in circle.memberships.filter(status="member").order_by("pk") if m.user_id not in named]
    subject, opener = others[0], others[1]
    proposal = services.proposal_open(
        circle=circle, user=opener.user, kind="removal", title="About a member", subject_ref=subject.pk
    )
    return subject.user, proposal.code


def join_requester(circle: Any) -> Any:
    """A person who asked to join the persona group while it reviewed newcomers, and whose request is
    still open. The group then went back to open (the tick would admit them; it does not run here), so
    every other row keeps its meaning for the other personas."""
    from conftest import make_user_plain
    from mutua.circles import services
    from mutua.circles.models import Circle, Pledge

    Circle.objects.filter(pk=circle.pk).update(reviews_newcomers=True)
    circle.refresh_from_db()
    person = make_user_plain("requester@example.org")
    pledge = Pledge.objects.order_by("-version").values_list("version", flat=True).first()
    asked = services.membership_join(
        circle=circle,
        user=person,
        pseudonym="Asker",
        confirms_experience=True,
        accepts_pledge=True,
        pledge_version=pledge,
        message="Hello",
    )
    assert asked.status == "requested"
    Circle.objects.filter(pk=circle.pk).update(reviews_newcomers=False)
    circle.refresh_from_db()
    return person


def founder_after_adoption(circle: Any) -> Any:
    """The group's first member drafts its own agreements, the group adopts them, and everyone in it
    accepts the new version: the first member is now an ordinary member (P5). Returns that person."""
    from mutua.circles import services
    from mutua.circles.models import Pledge
    from mutua.governance import agreements
    from mutua.governance.tests.adoption import adopt

    founding = agreements.founding_membership(circle)
    assert founding is not None
    agreements.agreements_draft_save(circle=circle, user=founding.user, items=AGREEMENTS["items"])
    adopt(circle, AGREEMENTS["items"])
    assert circle.agreements_version == CONSENT["agreements_version"]
    pledge = Pledge.objects.order_by("-version").values_list("version", flat=True).first()
    for m in circle.memberships.live():
        services.membership_consent_renew(
            circle=circle, user=m.user, accepts_pledge=True, pledge_version=pledge, agreements_version=2
        )
    return founding.user


@pytest.mark.parametrize("method,template,body,expected", MATRIX, ids=[f"{m} {t}" for m, t, _b, _e in MATRIX])
@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_route_matrix(personas, persona, method, template, body, expected):
    user = None if persona == "anonymous" else personas[persona]
    client = client_for(user)
    path = concrete(template, personas["circle"].code)
    if body is None:
        response = getattr(client, method)(path)
    else:
        response = getattr(client, method)(path, data=json.dumps(body), content_type="application/json")
    want = expected[persona]
    got = f"{persona} {method.upper()} {path}: {response.status_code} {response.content[:300]!r}"
    if want == LOGIN:
        assert response.status_code == 302, got
        assert response["Location"].startswith(("/account/login/", "/admin/login/")), response["Location"]
    else:
        assert response.status_code == want, got


# Sample values for URL parameters other than the persona group's code. They name nothing that exists:
# a route that needs a real object of another kind is covered by its own feature tests.
SAMPLES = {
    "token_id": "999999",
    "token": "not-a-token",
    "uidb64": "MQ",
    "token_hash": "x",
    "role": "coordinator",
}


def template_of(route: str) -> str:
    """`groups/<str:code>/join/` → `/groups/{code}/join/` (the matrix's own notation)."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def concrete(template: str, code: str) -> str:
    return re.sub(
        r"{(\w+)}", lambda m: code if m.group(1) == "code" else SAMPLES.get(m.group(1), "zz99"), template
    )


def test_every_route_and_every_api_operation_is_in_the_matrix(personas, client):
    """A new page, form target or API operation cannot ship without deciding who may reach it: each
    method a page answers (anything but 405 for a member) and each operation of the OpenAPI schema
    must have a row in MATRIX."""
    from django.db import transaction

    covered = {(m, t) for m, t, _b, _e in MATRIX}
    code = personas["circle"].code
    missing = []
    pages = [r for r, _v in walk(get_resolver().url_patterns) if not r.startswith(EXEMPT_PREFIXES)]
    assert len(pages) > 20
    for route in pages:
        template = template_of(route)
        for method in ("get", "post"):
            # Each probe runs in a savepoint that is rolled back, so a POST (leave, revoke…) changes nothing.
            with transaction.atomic():
                # A fresh client each time: an earlier probe (logout) must not change who is asking.
                status = getattr(client_for(personas["member"]), method)(concrete(template, code)).status_code
                transaction.set_rollback(True)
            if status != 405 and (method, template) not in covered:
                missing.append(f"{method.upper()} {template} ({status})")
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method in operations:
            if (method, path) not in covered:
                missing.append(f"{method.upper()} {path}")
    assert missing == [], "not in the persona matrix:\n" + "\n".join(missing)


def test_outsider_404_is_identical_to_a_group_that_does_not_exist(personas):
    client = client_for(personas["outsider"])
    real = client.get(f"/groups/{personas['circle'].code}/home/")
    fake = client.get("/groups/zzzzzzzzzz/home/")
    assert real.status_code == fake.status_code == 404
    # The only difference allowed is the requested path echoed back (the language switcher's "next").
    code = personas["circle"].code

    def normalise(body: bytes, c: str) -> bytes:
        body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)
        return body.replace(c.encode(), b"X")

    assert normalise(real.content, code) == normalise(fake.content, "zzzzzzzzzz")


def test_staff_cannot_read_members_in_the_admin(personas, client):
    client = client_for(personas["staff"])  # past the second factor
    page = client.get(f"/admin/circles/circle/{personas['circle'].pk}/change/").content.decode()
    assert personas["circle"].code in page
    pseudonyms = list(personas["circle"].memberships.values_list("pseudonym", flat=True))
    assert {"Kestrel", "Heron", "Wren"} <= set(pseudonyms)
    assert [p for p in pseudonyms if p in page] == []
    assert client.get("/admin/circles/membership/").status_code == 404
