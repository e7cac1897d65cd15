"""`@circle_view` is the only way to mark a page "circle", and it calls the gate: the marker means the
gate ran. Every such page answers an outsider, a former member and a missing group with 404."""

import re
from datetime import timedelta

import pytest
from django.urls import get_resolver
from django.utils import timezone

from conftest import client_for, join
from mutua.circles import services
from mutua.circles.policies import GATED_VIEWS
from mutua.core import access
from mutua.core.tests.test_access_matrix import walk
from mutua.governance import services as governance_services
from mutua.meetings import selectors as meeting_selectors
from mutua.meetings.schedule import weekly

CIRCLE_ROUTES = [
    (route, view)
    for route, view in walk(get_resolver().url_patterns)
    if getattr(view, access.ACCESS_ATTR, None) == access.CIRCLE
]


def test_there_are_circle_pages():
    names = {view.__name__ for _route, view in CIRCLE_ROUTES}
    assert {"home", "status", "leave", "seat_accept", "seat_decline", "consent", "pseudonym"} <= names
    assert {"meeting_list", "meeting_detail", "rsvp", "checkin", "cancel", "move", "restore"} <= names
    assert {"room", "place", "schedule", "reminder", "attendance"} <= names


def test_every_view_marked_circle_was_made_by_the_gate_decorator():
    assert [route for route, view in CIRCLE_ROUTES if view not in GATED_VIEWS] == []


def test_every_group_scoped_route_is_marked_circle():
    """A route taking a group code is either the public page, the join page (which shows only public
    facts) or a gated page."""
    not_gated = {
        route
        for route, view in walk(get_resolver().url_patterns)
        if "<str:code>" in route
        and route.startswith("groups/")
        and getattr(view, access.ACCESS_ATTR, None) != access.CIRCLE
    }
    assert not_gated == {"groups/<str:code>/", "groups/<str:code>/join/"}


def test_the_bare_marker_is_gone():
    assert not hasattr(access, "circle")


@pytest.fixture
def people(make_circle, make_user):
    founder = make_user()
    circle = make_circle(founder=founder, mode="hybrid")
    # A rhythm, so a meeting's address names a real meeting (a made-up one is a 404 for anyone).
    start = timezone.now() + timedelta(days=1)
    services.circle_schedule_set(
        circle=circle, rhythm=weekly(start.weekday(), 12, "UTC", start.date()), user=founder
    )
    circle.refresh_from_db()
    upcoming = meeting_selectors.next_meeting(circle=circle)
    assert upcoming is not None
    former = make_user()
    join(circle, former)
    services.membership_leave(circle=circle, user=former)
    # A proposal, so a proposal's address names a real one (a made-up code is a 404 for anyone).
    proposal = governance_services.proposal_open(circle=circle, user=founder, kind="question", title="Tea?")
    return {
        "circle": circle,
        "outsider": make_user(),
        "former": former,
        "founder": founder,
        "key": meeting_selectors.key_slug(upcoming.key),
        "proposal": proposal.code,
    }


def concrete(route, code, key, proposal="zz99"):
    # `ref` names a join request: a made-up one (members get the form's 400, everybody else the 404).
    route = re.sub(r"<(?:\w+:)?ref>", "zz99", route)
    route = re.sub(r"<(?:\w+:)?proposal>", proposal, route)
    # A role at a meeting: a real role name (`governance.models.Role`).
    route = re.sub(r"<(?:\w+:)?role>", "coordinator", route)
    return "/" + re.sub(r"<(?:\w+:)?key>", key, route.replace("<str:code>", code))


@pytest.mark.parametrize("route,view", CIRCLE_ROUTES, ids=[r for r, _v in CIRCLE_ROUTES])
@pytest.mark.parametrize("persona", ["outsider", "former"])
def test_outsiders_and_former_members_get_404_on_every_circle_page(people, persona, route, view):
    c = client_for(people[persona])
    path = concrete(route, people["circle"].code, people["key"], people["proposal"])
    missing = concrete(route, "zzzzzzzzzz", people["key"], people["proposal"])
    assert "<" not in path, f"{route}: a parameter the test does not fill"
    for method in ("get", "post"):
        assert getattr(c, method)(path).status_code == 404, f"{persona} {method} {path}"
        assert getattr(c, method)(missing).status_code == 404, f"{persona} {method} {missing}"


@pytest.mark.parametrize("route,view", CIRCLE_ROUTES, ids=[r for r, _v in CIRCLE_ROUTES])
def test_a_member_reaches_every_circle_page(people, route, view):
    """The 404s above are meaningful: the same addresses answer a member (any status but 404/405 for
    at least one method), so a route that 404s for everyone would not pass unnoticed."""
    c = client_for(people["founder"])
    path = concrete(route, people["circle"].code, people["key"], people["proposal"])
    answers = {method: getattr(c, method)(path).status_code for method in ("get", "post")}
    assert any(status not in (404, 405) for status in answers.values()), f"{path}: {answers}"
