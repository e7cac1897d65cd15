"""The meetings API: the same gate and services as the pages (§3.10). Outsiders get 404, a member
whose consent is stale 409, a broken rule 400 in the person's language; times are UTC with the
group's zone named."""

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import client_for, join
from mutua.accounts.services import api_token_create
from mutua.circles.models import Membership, MembershipStatus
from mutua.meetings import selectors
from mutua.meetings.models import CheckIn, Rsvp
from mutua.meetings.selectors import key_slug
from mutua.notifications.models import Kind, Notification


def bearer(user):
    _row, raw = api_token_create(user=user, name="test")
    return {"Authorization": f"Bearer {raw}"}


def call(user, method, path, body=None):
    c = client_for(None)
    kwargs = {"headers": bearer(user)}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(c, method)(f"/api/v1{path}", **kwargs)


def test_the_meetings_list_has_the_next_meeting_in_utc_with_the_groups_zone(group_at):
    g = group_at(24 * 60)
    r = call(g.ana, "get", f"/groups/{g.circle.code}/meetings")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["timezone"] == "Europe/Madrid"
    assert data["next"]["key"] == key_slug(g.key)
    assert data["next"]["start"] == g.key.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(data["upcoming"]) == 8 and data["upcoming"][0]["key"] == key_slug(g.key)
    assert data["room"]["url"] == selectors.current_room(circle=g.circle).url
    assert data["schedule"]["kind"] == "weekly" and data["schedule"]["words"].startswith("Every week on")
    assert data["reminder"] == "day_before"
    assert len(data["commitment"]) == 12 and all(set(t) == {"start", "present"} for t in data["commitment"])


@pytest.mark.parametrize(
    "method,suffix,body",
    [
        ("get", "/meetings", None),
        ("get", "/meetings/{key}", None),
        ("put", "/meetings/{key}/rsvp", {"answer": "coming"}),
        ("post", "/meetings/{key}/checkin", None),
        ("post", "/meetings/{key}/cancel", None),
        ("post", "/meetings/{key}/restore", None),
        ("get", "/schedule", None),
        ("post", "/room", None),
        ("put", "/meetings/reminder", {"reminder": "none"}),
        ("get", "/meetings/attendance", None),
    ],
)
def test_outsiders_and_people_waiting_get_404_and_stale_consent_409(
    group_at, make_user, method, suffix, body
):
    g = group_at(10, max_members=5)
    for _ in range(2):
        join(g.circle, make_user())
    waiting = make_user()
    assert join(g.circle, waiting).status == MembershipStatus.WAITING
    path = f"/groups/{g.circle.code}" + suffix.replace("{key}", key_slug(g.key))
    assert call(make_user(), method, path, body).status_code == 404
    assert call(waiting, method, path, body).status_code == 404
    Membership.objects.filter(user=g.ana).update(pledge_version=0)
    r = call(g.ana, method, path, body)
    assert r.status_code == 409 and r.json()["code"] == "consent_required"
    assert not Rsvp.objects.exists() and not CheckIn.objects.exists()
    assert not selectors.changes_of(circle=g.circle)


def test_a_made_up_key_is_404(group_at):
    g = group_at(60)
    fake = key_slug(g.key + timedelta(minutes=3))
    assert call(g.ana, "get", f"/groups/{g.circle.code}/meetings/{fake}").status_code == 404
    r = call(g.ana, "put", f"/groups/{g.circle.code}/meetings/{fake}/rsvp", {"answer": "coming"})
    assert r.status_code == 404 and not Rsvp.objects.exists()


def test_rsvp_with_a_note_and_who_answered(group_at):
    g = group_at(24 * 60)
    path = f"/groups/{g.circle.code}/meetings/{key_slug(g.key)}"
    r = call(g.ana, "put", f"{path}/rsvp", {"answer": "not_coming", "note": "Away"})
    assert r.status_code == 200 and r.json() == {"answer": "not_coming", "note": "Away"}
    seen = call(g.ben, "get", path).json()
    assert seen["not_coming"] == [{"pseudonym": "Ana", "note": "Away"}] and seen["my_answer"] == ""
    assert seen["rsvp_open"] is True and seen["checkin_open"] is False
    assert call(g.ana, "get", path).json()["my_answer"] == "not_coming"
    r = call(g.ana, "put", f"{path}/rsvp", {"answer": "coming", "note": "x" * 201})
    assert r.status_code == 422


def test_checkin_takes_no_body_and_writes_only_ones_own_row(group_at):
    g = group_at(10)
    ben = Membership.objects.get(circle=g.circle, user=g.ben)
    path = f"/groups/{g.circle.code}/meetings/{key_slug(g.key)}/checkin"
    r = call(g.ana, "post", path, {"membership": ben.pk, "user": g.ben.pk, "pseudonym": "Ben"})
    assert r.status_code == 200, r.content
    assert list(CheckIn.objects.values_list("membership__user", flat=True)) == [g.ana.pk]


def test_checkin_before_the_window_is_400_in_the_persons_language(group_at):
    g = group_at(24 * 60)
    g.ana.language = "es"
    g.ana.save(update_fields=["language"])
    r = call(g.ana, "post", f"/groups/{g.circle.code}/meetings/{key_slug(g.key)}/checkin")
    assert r.status_code == 400
    assert r.json()["detail"] != "Check-in opens 30 minutes before the meeting starts."
    assert "30 minutos" in r.json()["detail"]


def test_cancel_move_restore_tell_the_others(group_at):
    g = group_at(24 * 60)
    path = f"/groups/{g.circle.code}/meetings/{key_slug(g.key)}"
    r = call(g.ana, "post", f"{path}/cancel")
    assert r.status_code == 200 and r.json()["cancelled"] is True
    r = call(g.ana, "post", f"{path}/restore")
    assert r.status_code == 200 and r.json()["cancelled"] is False
    # Without an offset the new start is read in the group's zone.
    local = (g.key + timedelta(hours=3)).astimezone(ZoneInfo("Europe/Madrid"))
    r = call(
        g.ana,
        "post",
        f"{path}/move",
        {"start": local.replace(tzinfo=None).isoformat(), "duration_minutes": 60, "place_note": "Park"},
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["moved"] is True and data["start"] == (g.key + timedelta(hours=3)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert data["key"] == key_slug(g.key) and data["place_note"] == "Park"
    told = Notification.objects.filter(kind=Kind.MEETING_CHANGED)
    assert not told.filter(user=g.ana).exists()
    assert told.filter(user=g.ben).count() == 3 and told.filter(user=g.founder).count() == 3


def test_schedule_get_and_put(group_at):
    g = group_at(60)
    path = f"/groups/{g.circle.code}/schedule"
    assert call(g.ana, "get", path).json()["schedule"]["kind"] == "weekly"
    body = {
        "kind": "monthly_nth",
        "weekday": 4,
        "nth": -1,
        "start_date": "2026-01-01",
        "start_time": "19:30",
        "duration_minutes": 120,
        "timezone": "Europe/Rome",
    }
    r = call(g.ana, "put", path, body)
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["timezone"] == "Europe/Rome" and data["schedule"]["nth"] == -1
    assert data["words"] == "On the last Friday of every month at 19:30 (Rome time)"
    r = call(g.ana, "put", path, {**body, "kind": "weekly", "weekday": None})
    assert r.status_code == 400 and "day of the week" in r.json()["detail"]
    r = call(g.ana, "put", path, {**body, "timezone": "Mars/Olympus"})
    assert r.status_code == 400 and "time zone" in r.json()["detail"]


def test_room_regenerate_and_reminder_and_attendance(group_at):
    g = group_at(60)
    old = selectors.current_room(circle=g.circle)
    r = call(g.ana, "post", f"/groups/{g.circle.code}/room")
    assert r.status_code == 201 and r.json()["url"] != old.url
    listed = call(g.ben, "get", f"/groups/{g.circle.code}/meetings").json()
    assert listed["room"]["url"] == r.json()["url"]
    r = call(g.ana, "put", f"/groups/{g.circle.code}/meetings/reminder", {"reminder": "two_hours"})
    assert r.status_code == 200 and r.json() == {"reminder": "two_hours"}
    assert call(g.ben, "get", f"/groups/{g.circle.code}/meetings").json()["reminder"] == "day_before"
    r = call(g.ana, "get", f"/groups/{g.circle.code}/meetings/attendance")
    assert r.status_code == 200 and isinstance(r.json(), list)


def test_an_in_person_group_has_no_room_in_the_api(group_at):
    g = group_at(60, mode="in_person")
    assert call(g.ana, "get", f"/groups/{g.circle.code}/meetings").json()["room"] is None
    r = call(g.ana, "post", f"/groups/{g.circle.code}/room")
    assert r.status_code == 400 and "in person" in r.json()["detail"]
