"""`@circle_view` is the only way to mark a page "circle", and it calls the gate: the marker means the
gate ran. Every such page answers an outsider, a former member and a missing group with 404."""

import pytest
from django.urls import get_resolver

from conftest import client_for, join
from mutua.circles import services
from mutua.circles.policies import GATED_VIEWS
from mutua.core import access
from mutua.core.tests.test_access_matrix import walk

CIRCLE_ROUTES = [
    (route, view)
    for route, view in walk(get_resolver().url_patterns)
    if getattr(view, access.ACCESS_ATTR, None) == access.CIRCLE
]


def test_there_are_circle_pages():
    names = {view.__name__ for _route, view in CIRCLE_ROUTES}
    assert {"home", "status", "leave", "seat_accept", "seat_decline", "consent", "pseudonym"} <= names


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
    circle = make_circle()
    former = make_user()
    join(circle, former)
    services.membership_leave(circle=circle, user=former)
    return {"circle": circle, "outsider": make_user(), "former": former}


@pytest.mark.parametrize("route,view", CIRCLE_ROUTES, ids=[r for r, _v in CIRCLE_ROUTES])
@pytest.mark.parametrize("persona", ["outsider", "former"])
def test_outsiders_and_former_members_get_404_on_every_circle_page(people, persona, route, view):
    c = client_for(people[persona])
    path = "/" + route.replace("<str:code>", people["circle"].code)
    missing = "/" + route.replace("<str:code>", "zzzzzzzzzz")
    for method in ("get", "post"):
        assert getattr(c, method)(path).status_code == 404, f"{persona} {method} {path}"
        assert getattr(c, method)(missing).status_code == 404, f"{persona} {method} {missing}"
