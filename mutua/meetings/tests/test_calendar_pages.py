"""One meeting as a .ics file (members only), the person's calendar page and the calendar API."""

from datetime import UTC, time, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from icalendar import Calendar

from conftest import client_for
from mutua.circles import services as circle_services
from mutua.meetings import calendar_services
from mutua.meetings import services as meeting_services
from mutua.meetings.models import CalendarFeed
from mutua.meetings.schedule import Kind
from mutua.meetings.selectors import key_slug
from mutua.meetings.tests.test_calendar_feed import future, rhythm, scheduled


@pytest.fixture
def owner(make_user: Any) -> Any:
    return make_user(language="en")


@pytest.fixture
def group(make_circle: Any, owner: Any) -> Any:
    return scheduled(
        make_circle, owner, rhythm(Kind.WEEKLY, time(19, 0), "Europe/Madrid", weekday=1), name="Tuesday grief"
    )


def ics_path(circle: Any, key: Any) -> str:
    return f"/groups/{circle.code}/meetings/{key_slug(key)}.ics"


# ---------------------------------------------------------------- one meeting


def test_member_downloads_a_moved_meeting_at_its_actual_time(group, owner):
    occ = future(group, 3)[2]
    new_start = occ.key + timedelta(days=1, hours=2)
    meeting_services.meeting_move(circle=group, user=owner, key=occ.key, new_start=new_start, new_duration=60)

    response = client_for(owner).get(ics_path(group, occ.key))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert f"meeting-{key_slug(occ.key)}.ics" in response["Content-Disposition"]
    cal = Calendar.from_ical(response.content)
    (event,) = cal.events
    assert event.start.astimezone(UTC) == new_start
    assert event.end.astimezone(UTC) == new_start + timedelta(minutes=60)
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Madrid"
    assert str(event["SUMMARY"]) == "Group meeting"
    assert "RRULE" not in event and "RECURRENCE-ID" not in event
    assert [tz.tz_name for tz in cal.timezones] == ["Europe/Madrid"]
    assert group.name not in response.content.decode()


def test_a_cancelled_meeting_downloads_as_cancelled(group, owner):
    occ = future(group, 1)[0]
    meeting_services.meeting_cancel(circle=group, user=owner, key=occ.key)
    (event,) = Calendar.from_ical(client_for(owner).get(ics_path(group, occ.key)).content).events
    assert str(event["STATUS"]) == "CANCELLED"


def test_download_follows_the_persons_choice_of_names(group, owner):
    calendar_services.calendar_feed_create(user=owner, show_names=True)
    occ = future(group, 1)[0]
    (event,) = Calendar.from_ical(client_for(owner).get(ics_path(group, occ.key)).content).events
    assert str(event["SUMMARY"]) == "Tuesday grief"


def test_outsiders_waiting_and_former_members_get_404(personas):
    circle = circle_services.circle_schedule_set(
        circle=personas["circle"],
        rhythm=rhythm(Kind.WEEKLY, time(19, 0), "Europe/Madrid", weekday=1),
        user=personas["member"],
    )
    path = ics_path(circle, future(circle, 1)[0].key)
    assert client_for(personas["member"]).get(path).status_code == 200
    for persona in ("waiting", "former", "outsider", "staff"):
        assert client_for(personas[persona]).get(path).status_code == 404, persona
    anonymous = client_for(None).get(path)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/account/login/")


def test_made_up_keys_get_404(group, owner):
    occ = future(group, 1)[0]
    client = client_for(owner)
    assert client.get(ics_path(group, occ.key)).status_code == 200
    for made_up in (
        occ.key + timedelta(hours=1),
        occ.key + timedelta(days=1),
        occ.key - timedelta(minutes=1),
    ):
        assert client.get(ics_path(group, made_up)).status_code == 404
    for text in ("20261399T1900Z", "tomorrow", "20261208T1800"):
        assert client.get(f"/groups/{group.code}/meetings/{text}.ics").status_code == 404
    assert client.get(f"/groups/nonexistent99/meetings/{key_slug(occ.key)}.ics").status_code == 404


# ---------------------------------------------------------------- the page


def test_page_explains_and_offers_to_make_an_address(owner):
    page = client_for(owner).get("/me/calendar/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "You have no calendar address yet." in text
    assert "may show the group&#x27;s name to anyone who sees your calendar" in text
    assert ".ics" not in text and "webcal:" not in text


def test_making_an_address_shows_it_once(client, group, owner):
    web = client_for(owner)
    made = web.post("/me/calendar/", {"show_names": "on"})
    assert made.status_code == 200
    feed = CalendarFeed.objects.get(user=owner, revoked_at__isnull=True)
    assert feed.show_names is True
    text = made.content.decode()
    https = text.split('id="calendar-url" value="', 1)[1].split('"', 1)[0]
    assert https.startswith("http") and https.endswith(".ics")
    assert 'href="webcal://' + https.split("://", 1)[1] + '"' in text
    assert client.get(urlsplit(https).path).status_code == 200
    token = urlsplit(https).path.removeprefix("/calendar/").removesuffix(".ics")
    # Never again.
    again = web.get("/me/calendar/").content.decode()
    assert token not in again
    assert "You have a calendar address" in again and "Meetings show each group" in again


def test_replacing_asks_first_then_stops_the_old_address(client, owner):
    old = calendar_services.calendar_feed_create(user=owner, show_names=True)
    web = client_for(owner)
    confirm = web.get("/me/calendar/replace/")
    assert confirm.status_code == 200
    assert "The old address stops working" in confirm.content.decode()
    assert client.get(f"/calendar/{old}.ics").status_code == 200
    done = web.post("/me/calendar/replace/")
    assert done.status_code == 200
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    https = done.content.decode().split('id="calendar-url" value="', 1)[1].split('"', 1)[0]
    assert client.get(urlsplit(https).path).status_code == 200
    assert CalendarFeed.objects.get(user=owner, revoked_at__isnull=True).show_names is True


def test_stopping_asks_first_then_the_address_answers_404(client, owner):
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)
    web = client_for(owner)
    confirm = web.get("/me/calendar/revoke/")
    assert confirm.status_code == 200 and "stops working at once" in confirm.content.decode()
    assert client.get(f"/calendar/{raw}.ics").status_code == 200
    done = web.post("/me/calendar/revoke/", follow=True)
    assert "Your calendar address is stopped." in done.content.decode()
    assert client.get(f"/calendar/{raw}.ics").status_code == 404
    assert "You have no calendar address yet." in done.content.decode()


def test_names_choice_changes_without_a_new_address(client, owner):
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)
    web = client_for(owner)
    assert web.post("/me/calendar/names/", {"show_names": "on"}).status_code == 302
    assert CalendarFeed.objects.get(user=owner, revoked_at__isnull=True).show_names is True
    web.post("/me/calendar/names/", {})
    assert CalendarFeed.objects.get(user=owner, revoked_at__isnull=True).show_names is False
    assert client.get(f"/calendar/{raw}.ics").status_code == 200


def test_nobody_changes_anothers_feed_through_the_pages(client, owner, make_user):
    theirs = calendar_services.calendar_feed_create(user=owner, show_names=False)
    other = client_for(make_user())
    other.post("/me/calendar/revoke/")
    other.post("/me/calendar/names/", {"show_names": "on"})
    other.post("/me/calendar/replace/")
    assert client.get(f"/calendar/{theirs}.ics").status_code == 200
    assert CalendarFeed.objects.get(user=owner, revoked_at__isnull=True).show_names is False


def test_linked_from_my_groups_and_the_profile(owner):
    web = client_for(owner)
    for page in ("/me/groups/", "/account/profile/"):
        assert 'href="/me/calendar/"' in web.get(page).content.decode(), page


# ---------------------------------------------------------------- the API


def api(client: Any, method: str, body: dict[str, Any] | None = None) -> Any:
    import json

    call = getattr(client, method)
    if body is None:
        return call("/api/v1/me/calendar")
    return call("/api/v1/me/calendar", data=json.dumps(body), content_type="application/json")


def test_api_makes_shows_changes_and_stops_the_feed(client, owner, group):
    web = client_for(owner)
    assert api(web, "get").json() == {"active": False, "show_names": False, "created_at": None}
    made = api(web, "post", {"show_names": False})
    assert made.status_code == 201
    body = made.json()
    assert body["active"] is True and body["show_names"] is False
    assert body["url"].endswith(f"/calendar/{body['token']}.ics")
    assert body["webcal_url"] == "webcal://" + body["url"].split("://", 1)[1]
    assert client.get(urlsplit(body["url"]).path).status_code == 200
    state = api(web, "get")
    assert state.status_code == 200
    assert set(state.json()) == {"active", "show_names", "created_at"}
    assert body["token"] not in state.content.decode()
    changed = api(web, "put", {"show_names": True})
    assert changed.status_code == 200 and changed.json()["show_names"] is True
    assert api(web, "delete").status_code == 204
    assert client.get(urlsplit(body["url"]).path).status_code == 404
    assert api(web, "delete").status_code == 404
    assert api(web, "put", {"show_names": True}).status_code == 404
    assert api(web, "get").json()["active"] is False


def test_api_post_replaces_the_old_address(client, owner):
    web = client_for(owner)
    assert api(web, "post", {}).status_code == 422
    first = api(web, "post", {"show_names": False}).json()
    second = api(web, "post", {"show_names": True}).json()
    assert client.get(urlsplit(first["url"]).path).status_code == 404
    assert client.get(urlsplit(second["url"]).path).status_code == 200


def test_api_needs_a_person(client):
    assert api(client, "get").status_code == 401
    assert api(client, "post", {"show_names": False}).status_code == 401
    assert api(client, "delete").status_code == 401


def test_the_feed_is_read_fresh_each_time(client, group, owner):
    raw = calendar_services.calendar_feed_create(user=owner, show_names=False)
    before = Calendar.from_ical(client.get(f"/calendar/{raw}.ics").content)
    assert "EXDATE" not in next(e for e in before.events if "RRULE" in e)
    occ = future(group, 1)[0]
    meeting_services.meeting_cancel(circle=group, user=owner, key=occ.key)
    after = Calendar.from_ical(client.get(f"/calendar/{raw}.ics").content)
    master = next(e for e in after.events if "RRULE" in e)
    assert [d.dt for d in master["EXDATE"].dts] == [occ.key]
    assert timezone.now() < occ.key
