"""The inbox: one's own notifications only, newest first, paginated, unread marked; opening or
"mark all as read" are POSTs; the header says how many are unread, also to screen readers."""

import re

from django.utils import timezone

from conftest import client_for
from mutua.notifications import services
from mutua.notifications.models import Kind, Notification
from mutua.notifications.texts import TEXTS


def many(user, n, kind=Kind.GROUP_FORMED):
    return [services.notify(user, kind, url=f"/find/?n={i}") for i in range(n)]


def test_empty_inbox_says_so_kindly(make_user):
    body = client_for(make_user()).get("/inbox/").content.decode()
    assert "Nothing new. When something needs you, it will appear here." in body
    assert "Mark all as read" not in body


def test_inbox_lists_newest_first_and_paginates(make_user):
    user = make_user()
    made = many(user, 23)
    client = client_for(user)
    first = client.get("/inbox/").content.decode()
    codes = re.findall(r'action="/inbox/(\w+)/open/"', first)
    assert codes == [n.code for n in reversed(made)][:20]
    second = client.get("/inbox/?page=2").content.decode()
    assert re.findall(r'action="/inbox/(\w+)/open/"', second) == [n.code for n in reversed(made)][20:]
    assert "Page 2 of 2" in second


def test_inbox_shows_only_ones_own(make_user):
    mine, theirs = make_user(), make_user()
    services.notify(theirs, Kind.SEAT_OFFERED, url="/inbox/")
    body = client_for(mine).get("/inbox/").content.decode()
    assert str(TEXTS[Kind.SEAT_OFFERED].title) not in body


def test_reading_the_inbox_changes_nothing(make_user):
    user = make_user()
    many(user, 2)
    client_for(user).get("/inbox/")
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 2


def test_unread_count_in_the_header_for_screen_readers(make_user):
    user = make_user()
    many(user, 2)
    body = client_for(user).get("/me/groups/").content.decode()
    assert 'aria-label="Inbox, 2 unread"' in body
    services.notifications_mark_all_read(user=user)
    body = client_for(user).get("/me/groups/").content.decode()
    assert "unread" not in body and ">Inbox</a>" in body


def test_unread_are_marked_and_mark_all_as_read(make_user):
    user = make_user()
    old = many(user, 1)[0]
    Notification.objects.filter(pk=old.pk).update(read_at=timezone.now())
    many(user, 2)
    client = client_for(user)
    body = client.get("/inbox/").content.decode()
    assert body.count(">New</span>") == 2
    response = client.post("/inbox/read-all/")
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert ">New</span>" not in client.get("/inbox/").content.decode()


def test_opening_marks_read_and_goes_to_the_page(make_user):
    user = make_user()
    n = services.notify(user, Kind.SEAT_OFFERED, url="/groups/abc/status/")
    response = client_for(user).post(f"/inbox/{n.code}/open/")
    assert response.status_code == 302 and response["Location"] == "/groups/abc/status/"
    n.refresh_from_db()
    assert n.read_at is not None
    # An email's link GETs it: the same page, and nothing written (it stays as it was).
    Notification.objects.filter(pk=n.pk).update(read_at=None)
    response = client_for(user).get(f"/inbox/{n.code}/open/")
    assert response.status_code == 302 and response["Location"] == "/groups/abc/status/"
    assert Notification.objects.get(pk=n.pk).read_at is None


def test_another_persons_notification_is_404_and_stays_unread(make_user):
    owner, other = make_user(), make_user()
    n = services.notify(owner, Kind.SEAT_OFFERED, url="/inbox/")
    assert client_for(other).post(f"/inbox/{n.code}/open/").status_code == 404
    assert client_for(other).get(f"/inbox/{n.code}/open/").status_code == 404
    assert client_for(other).post(f"/api/v1/me/notifications/{n.code}/read").status_code == 404
    client_for(other).post("/inbox/read-all/")
    n.refresh_from_db()
    assert n.read_at is None


def test_preferences_page_saves_each_choice(make_user):
    user = make_user()
    client = client_for(user)
    page = client.get("/inbox/settings/").content.decode()
    assert 'name="seat_offered" value="email"' in page
    data = {kind: "inbox" for kind in Kind.values}
    data[Kind.JOIN_CONFIRMED] = "email"
    assert client.post("/inbox/settings/", data).status_code == 302
    from mutua.notifications.selectors import preferences_for

    chosen = preferences_for(viewer=user)
    assert chosen[Kind.JOIN_CONFIRMED] is True and chosen[Kind.SEAT_OFFERED] is False
    assert client.post("/inbox/settings/", {**data, "seat_offered": "sms"}).status_code == 400
    assert preferences_for(viewer=user)[Kind.SEAT_OFFERED] is False


def test_inbox_links_to_settings_and_profile_links_to_settings(make_user):
    client = client_for(make_user())
    assert 'href="/inbox/settings/"' in client.get("/inbox/").content.decode()
    assert 'href="/inbox/settings/"' in client.get("/account/profile/").content.decode()


# --------------------------------------------------------------------------- API


def test_api_lists_marks_read_and_sets_preferences(make_user):
    user = make_user()
    made = many(user, 21)
    client = client_for(user)
    data = client.get("/api/v1/me/notifications").json()
    assert data["unread"] == 21 and data["pages"] == 2 and len(data["items"]) == 20
    assert data["items"][0]["code"] == made[-1].code and data["items"][0]["read"] is False
    assert data["items"][0]["title"] == str(TEXTS[Kind.GROUP_FORMED].title)
    assert client.get("/api/v1/me/notifications?page=2").json()["items"][0]["code"] == made[0].code
    one = client.post(f"/api/v1/me/notifications/{made[0].code}/read").json()
    assert one["read"] is True
    assert client.post("/api/v1/me/notifications/read").json() == {"marked": 20}
    assert client.get("/api/v1/me/notifications").json()["unread"] == 0

    prefs = client.get("/api/v1/me/notification-preferences").json()
    assert {p["kind"]: p["email"] for p in prefs}[Kind.SEAT_OFFERED] is True
    response = client.put(
        "/api/v1/me/notification-preferences",
        data='[{"kind": "seat_offered", "email": false}]',
        content_type="application/json",
    )
    assert response.status_code == 200
    assert {p["kind"]: p["email"] for p in response.json()}[Kind.SEAT_OFFERED] is False
    bad = client.put(
        "/api/v1/me/notification-preferences",
        data='[{"kind": "nope", "email": true}]',
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
