"""Authorisation in one place (§4 Security): every view carries an access marker, and a persona ×
route matrix pins the status each person gets. Outsiders and former members get 404 (P7)."""

import re
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
    schema = client.get("/api/v1/openapi.json").json()
    seen = 0
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            seen += 1
            if not op.get("security"):
                assert path.removeprefix("/api/v1") in public_ok, f"{method} {path} is public but not listed"
    assert seen > 20


PERSONAS = ["anonymous", "outsider", "waiting", "member", "former", "staff"]

# (method, path template, expected status per persona). "{code}" is the persona group's code.
LOGIN = 302  # redirect to the login page
MATRIX = [
    ("get", "/", dict(anonymous=200, outsider=200, waiting=200, member=200, former=200, staff=200)),
    ("get", "/help/", dict(anonymous=200, outsider=200, waiting=200, member=200, former=200, staff=200)),
    ("get", "/groups/", dict(anonymous=200, outsider=200, waiting=200, member=200, former=200, staff=200)),
    (
        "get",
        "/groups/{code}/",
        dict(anonymous=200, outsider=200, waiting=200, member=200, former=200, staff=200),
    ),
    (
        "get",
        "/groups/{code}/join/",
        dict(anonymous=LOGIN, outsider=200, waiting=302, member=302, former=200, staff=200),
    ),
    (
        "get",
        "/groups/{code}/home/",
        dict(anonymous=LOGIN, outsider=404, waiting=404, member=200, former=404, staff=404),
    ),
    (
        "get",
        "/groups/{code}/status/",
        dict(anonymous=LOGIN, outsider=404, waiting=200, member=302, former=404, staff=404),
    ),
    (
        "get",
        "/groups/{code}/leave/",
        dict(anonymous=LOGIN, outsider=404, waiting=200, member=200, former=404, staff=404),
    ),
    (
        "post",
        "/groups/{code}/seat/accept/",
        dict(anonymous=LOGIN, outsider=404, waiting=302, member=302, former=404, staff=404),
    ),
    (
        "get",
        "/groups/nonexistent99/home/",
        dict(anonymous=LOGIN, outsider=404, waiting=404, member=404, former=404, staff=404),
    ),
    (
        "get",
        "/groups/nonexistent99/",
        dict(anonymous=404, outsider=404, waiting=404, member=404, former=404, staff=404),
    ),
    (
        "get",
        "/me/groups/",
        dict(anonymous=LOGIN, outsider=200, waiting=200, member=200, former=200, staff=200),
    ),
    (
        "get",
        "/groups/new/",
        dict(anonymous=LOGIN, outsider=200, waiting=200, member=200, former=200, staff=200),
    ),
    (
        "get",
        "/account/profile/",
        dict(anonymous=LOGIN, outsider=200, waiting=200, member=200, former=200, staff=200),
    ),
    (
        "get",
        "/account/profile/tokens/",
        dict(anonymous=LOGIN, outsider=200, waiting=200, member=200, former=200, staff=200),
    ),
    ("get", "/find/", dict(anonymous=LOGIN, outsider=200, waiting=200, member=200, former=200, staff=200)),
    (
        "get",
        "/find/proposals/nonexistent99/",
        dict(anonymous=LOGIN, outsider=404, waiting=404, member=404, former=404, staff=404),
    ),
    (
        "get",
        "/admin/matching/matchingrun/",
        dict(anonymous=302, outsider=302, waiting=302, member=302, former=302, staff=200),
    ),
    (
        "get",
        "/api/v1/me/proposals",
        dict(anonymous=401, outsider=200, waiting=200, member=200, former=200, staff=200),
    ),
    ("get", "/admin/", dict(anonymous=302, outsider=302, waiting=302, member=302, former=302, staff=200)),
    (
        "get",
        "/api/v1/groups/{code}/home",
        dict(anonymous=401, outsider=404, waiting=404, member=200, former=404, staff=404),
    ),
    (
        "get",
        "/api/v1/me/groups",
        dict(anonymous=401, outsider=200, waiting=200, member=200, former=200, staff=200),
    ),
    (
        "get",
        "/api/v1/groups/{code}",
        dict(anonymous=200, outsider=200, waiting=200, member=200, former=200, staff=200),
    ),
]


@pytest.mark.parametrize("method,template,expected", MATRIX, ids=[f"{m} {t}" for m, t, _ in MATRIX])
@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_route_matrix(personas, persona, method, template, expected):
    user = None if persona == "anonymous" else personas[persona]
    client = client_for(user)
    path = template.format(code=personas["circle"].code)
    response = getattr(client, method)(path)
    assert response.status_code == expected[persona], f"{persona} {method.upper()} {path}"
    if expected[persona] == LOGIN and persona == "anonymous" and not path.startswith("/admin"):
        assert response["Location"].startswith("/account/login/")


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
    client.force_login(personas["staff"])
    page = client.get(f"/admin/circles/circle/{personas['circle'].pk}/change/").content.decode()
    assert personas["circle"].code in page
    pseudonyms = list(personas["circle"].memberships.values_list("pseudonym", flat=True))
    assert {"Kestrel", "Heron", "Wren"} <= set(pseudonyms)
    assert [p for p in pseudonyms if p in page] == []
    assert client.get("/admin/circles/membership/").status_code == 404
