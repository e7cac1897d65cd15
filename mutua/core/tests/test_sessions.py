"""Sessions: no-store for signed-in pages and the API, and an inactivity timeout (with a patched clock)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from conftest import client_for
from mutua.accounts.middleware import LAST_ACTIVITY_KEY
from mutua.accounts.services import api_token_create

# Cache-Control: no-store


def test_a_signed_in_persons_pages_are_no_store(make_user):
    c = client_for(make_user())
    for path in ("/", "/groups/", "/me/groups/", "/account/profile/", "/help/"):
        assert c.get(path)["Cache-Control"] == "no-store", path


def test_a_signed_in_persons_redirects_are_no_store_too(make_user):
    response = client_for(make_user()).get("/me/groups")  # CommonMiddleware adds the slash
    assert response.status_code == 301
    assert response["Cache-Control"] == "no-store"


def test_api_answers_are_no_store_with_a_token(make_user):
    _row, raw = api_token_create(user=make_user(), name="cache")
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_api_answers_are_no_store_without_a_token(client, db):
    for path in ("/api/v1/directory", "/api/v1/me"):
        assert client.get(path)["Cache-Control"] == "no-store", path


@pytest.mark.parametrize("path", ["/", "/about/", "/groups/", "/help/"])
def test_public_pages_for_visitors_keep_their_caching(client, db, path):
    """Only signed-in people's answers change: a visitor's public page is as Django made it."""
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# Inactivity timeout


@pytest.fixture
def clock():
    """A clock the test moves by hand; everything that asks django.utils.timezone.now sees it."""
    state = {"now": timezone.now()}

    def advance(**delta: float) -> None:
        state["now"] += timedelta(**delta)

    with mock.patch("django.utils.timezone.now", side_effect=lambda: state["now"]):
        yield advance


def _signed_in(c: Client) -> bool:
    response = c.get("/me/groups/")
    if response.status_code == 302:
        assert response["Location"].startswith("/account/login/")
        return False
    assert response.status_code == 200
    return True


def test_a_person_idle_longer_than_the_timeout_must_log_in_again(make_user, clock, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 3600
    c = client_for(make_user())
    assert _signed_in(c)
    clock(seconds=3601)
    assert not _signed_in(c)
    clock(seconds=1)
    assert not _signed_in(c)  # the session is gone, not just refused once


def test_the_login_page_says_why_after_an_idle_logout(make_user, clock, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 3600
    c = client_for(make_user())
    assert _signed_in(c)
    clock(seconds=3601)
    page = c.get("/me/groups/", follow=True)
    assert page.redirect_chain[-1][0].startswith("/account/login/")
    assert b"logged out after a while without activity" in page.content
    # Said once: the next page does not repeat it.
    assert b"without activity" not in c.get("/account/login/").content


def test_a_person_idle_just_under_the_timeout_stays_signed_in(make_user, clock, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 3600
    c = client_for(make_user())
    assert _signed_in(c)
    clock(seconds=3590)
    assert _signed_in(c)


def test_activity_keeps_the_session_alive(make_user, clock, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 3600
    c = client_for(make_user())
    for _ in range(6):  # three hours, a request every 30 minutes
        assert _signed_in(c)
        clock(minutes=30)
    assert _signed_in(c)


def test_the_timeout_is_configurable(make_user, clock, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 300
    c = client_for(make_user())
    assert _signed_in(c)
    clock(seconds=301)
    assert not _signed_in(c)


def test_the_default_timeout_is_one_hour():
    from django.conf import settings

    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 3600


def test_the_api_with_a_browser_session_times_out_too(make_user, clock, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 600
    c = client_for(make_user())
    assert c.get("/api/v1/me").status_code == 200
    clock(seconds=601)
    assert c.get("/api/v1/me").status_code == 401


def test_the_last_activity_is_written_at_most_once_a_minute(make_user, clock):
    c = client_for(make_user())
    c.get("/me/groups/")
    first = c.session[LAST_ACTIVITY_KEY]
    clock(seconds=50)
    response = c.get("/me/groups/")
    assert c.session[LAST_ACTIVITY_KEY] == first
    assert "sessionid" not in response.cookies  # the session was not saved again
    clock(seconds=15)
    c.get("/me/groups/")
    assert c.session[LAST_ACTIVITY_KEY] == first + 65


def test_visitors_get_no_session_from_the_timeout(client, db):
    response = client.get("/groups/")
    assert "sessionid" not in response.cookies
