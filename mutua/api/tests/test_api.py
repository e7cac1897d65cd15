"""The JSON API goes through the same services and gate as the pages (§3.10)."""

import json

import pytest

from conftest import client_for
from mutua.accounts.services import api_token_create
from mutua.circles.models import Membership, MembershipStatus


def bearer(user):
    _row, raw = api_token_create(user=user, name="test")
    return {"Authorization": f"Bearer {raw}"}


def test_openapi_schema_is_served(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/directory",
        "/api/v1/groups/{code}/join",
        "/api/v1/groups/{code}/leave",
        "/api/v1/me",
        "/api/v1/me/groups",
        "/api/v1/me/tokens",
    ):
        assert path in schema["paths"], path


def test_directory_search_via_api(make_circle, client, content):
    a = make_circle(name="Near", place=content["bcn"])
    make_circle(name="Far", place=content["madrid"])
    data = client.get("/api/v1/directory?place=barcelona&radius_km=30").json()
    assert [i["code"] for i in data["items"]] == [a.code]
    assert data["items"][0]["distance_km"] == 0
    assert "members" not in data["items"][0]


def test_join_and_leave_via_api_with_token(make_circle, make_user):
    circle = make_circle()
    person = make_user()
    c = client_for(None)
    h = bearer(person)
    r = c.post(
        f"/api/v1/groups/{circle.code}/join",
        data=json.dumps(
            {"pseudonym": "Alba", "confirms_experience": True, "accepts_pledge": True, "pledge_version": 1}
        ),
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "member"
    home = c.get(f"/api/v1/groups/{circle.code}/home", headers=h).json()
    assert set(home["members"]) == {"Founder", "Alba"}
    assert c.post(f"/api/v1/groups/{circle.code}/leave", headers=h).status_code == 204
    assert c.get(f"/api/v1/groups/{circle.code}/home", headers=h).status_code == 404
    assert c.post(f"/api/v1/groups/{circle.code}/leave", headers=h).status_code == 404


def test_api_domain_errors_are_json_4xx(make_circle, make_user):
    circle = make_circle()
    person = make_user()
    c = client_for(None)
    h = bearer(person)
    body = {"pseudonym": "Alba", "confirms_experience": False, "accepts_pledge": True, "pledge_version": 1}
    r = c.post(
        f"/api/v1/groups/{circle.code}/join",
        data=json.dumps(body),
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 400 and "experience" in r.json()["detail"]
    body["confirms_experience"] = True
    c.post(
        f"/api/v1/groups/{circle.code}/join",
        data=json.dumps(body),
        content_type="application/json",
        headers=h,
    )
    r = c.post(
        f"/api/v1/groups/{circle.code}/join",
        data=json.dumps(body),
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = c.post(
        f"/api/v1/groups/{circle.code}/join", data="{not json", content_type="application/json", headers=h
    )
    assert 400 <= r.status_code < 500


def test_api_session_writes_need_csrf(make_circle, make_user):
    from django.test import Client

    circle = make_circle()
    person = make_user()
    c = Client(enforce_csrf_checks=True)
    c.force_login(person)
    r = c.post(
        f"/api/v1/groups/{circle.code}/join",
        data=json.dumps(
            {"pseudonym": "Alba", "confirms_experience": True, "accepts_pledge": True, "pledge_version": 1}
        ),
        content_type="application/json",
    )
    assert r.status_code in (401, 403)
    assert not Membership.objects.filter(user=person).exists()


def test_unverified_token_owner_is_refused(make_user):
    person = make_user(verified=False)
    assert client_for(None).get("/api/v1/me", headers=bearer(person)).status_code == 401


def test_profile_via_api(make_user):
    person = make_user()
    c = client_for(None)
    h = bearer(person)
    r = c.put(
        "/api/v1/me",
        data=json.dumps({"display_name": "M", "language": "ca", "timezone": "Europe/Madrid", "country": ""}),
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 200 and r.json()["language"] == "ca"
    r = c.put(
        "/api/v1/me",
        data=json.dumps({"display_name": "M", "language": "ca", "timezone": "Nowhere/X", "country": ""}),
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 400
    person.refresh_from_db()
    assert person.timezone == "Europe/Madrid"


def test_api_waiting_list_and_seat_offer(make_circle, make_user):
    circle = make_circle(max_members=5)
    from conftest import join

    members = [make_user() for _ in range(4)]
    for m in members:
        join(circle, m)
    late = make_user()
    c = client_for(None)
    h = bearer(late)
    r = c.post(
        f"/api/v1/groups/{circle.code}/join",
        data=json.dumps(
            {"pseudonym": "Late", "confirms_experience": True, "accepts_pledge": True, "pledge_version": 1}
        ),
        content_type="application/json",
        headers=h,
    )
    assert r.json()["status"] == "waiting" and r.json()["waiting_position"] == 1
    assert c.get(f"/api/v1/groups/{circle.code}/home", headers=h).status_code == 404
    from mutua.circles.services import membership_leave

    membership_leave(circle=circle, user=members[0])
    mine = c.get("/api/v1/me/groups", headers=h).json()
    assert mine[0]["status"] == "offered" and mine[0]["offer_expires_at"]
    assert c.post(f"/api/v1/groups/{circle.code}/seat/accept", headers=h).json()["status"] == "member"
    assert Membership.objects.get(user=late).status == MembershipStatus.MEMBER


@pytest.mark.parametrize("path", ["/api/v1/me/tokens/99999999999999999999", "/api/v1/me/tokens/0"])
def test_out_of_range_ids_are_4xx(make_user, path):
    r = client_for(None).delete(path, headers=bearer(make_user()))
    assert 400 <= r.status_code < 500
