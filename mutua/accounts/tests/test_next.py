"""No dead ends (issue 7): "Join" → login → "Create account" → confirm the address ends on that
group's join step, logged in. Only local destinations are followed: never an open redirect."""

import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.core import mail

from conftest import PASSWORD, client_for
from mutua.accounts.views import NEXT_SESSION_KEY

SIGNUP = {
    "display_name": "Newcomer",
    "password": "blue-river-lamp-77",
    "language": "en",
    "timezone": "Europe/Madrid",
}
EVIL = [
    "https://evil.example/",
    "//evil.example/groups/",
    "/\\evil.example/",
    "https:/evil.example/",
    "javascript:alert(1)",
    "http://testserver.evil.example/",
    " //evil.example/",
]


def main_form(response) -> str:
    """The page's own form (the header's language switcher also carries the current address)."""
    return re.search(
        r'<form method="post" novalidate class="narrow">.*?</form>', response.content.decode(), re.S
    ).group(0)


def link_in_mail() -> str:
    assert len(mail.outbox) == 1
    return re.search(r"/account/verify/\S+/", mail.outbox[0].body).group(0)


def signup(client, capture, data, path="/account/signup/"):
    mail.outbox.clear()
    with capture(execute=True):
        response = client.post(path, data)
    assert response.status_code == 302 and response["Location"] == "/account/signup/check-email/"
    return link_in_mail()


def test_join_login_create_account_confirm_lands_on_the_join_step(
    client, make_circle, django_capture_on_commit_callbacks
):
    circle = make_circle()
    join_path = f"/groups/{circle.code}/join/"
    # The public page's "Join" sends a visitor to log in, keeping the destination.
    page = client.get(f"/groups/{circle.code}/")
    assert join_path.encode() in page.content
    to_login = client.get(join_path)
    assert to_login.status_code == 302
    assert to_login["Location"] == f"/account/login/?next={quote(join_path)}"
    # The login page's "Create an account" carries it on.
    login_page = client.get(to_login["Location"])
    assert b"Log in to carry on where you were." in login_page.content
    signup_href = f"/account/signup/?next={quote(join_path)}"
    assert signup_href.encode() in login_page.content
    # The sign-up form keeps it through the POST.
    form = client.get(signup_href)
    assert f'name="next" value="{join_path}"'.encode() in form.content
    link = signup(
        client, django_capture_on_commit_callbacks, {**SIGNUP, "email": "new@example.org", "next": join_path}
    )
    # The mail itself never names the group or where the person was going (P7).
    assert circle.code not in mail.outbox[0].body and circle.name not in mail.outbox[0].body
    confirm = client.get(link)
    assert confirm.status_code == 200
    landed = client.post(link)
    assert landed.status_code == 302 and landed["Location"] == join_path
    assert "_auth_user_id" in client.session
    step = client.get(join_path)
    assert step.status_code == 200 and b'name="pseudonym"' in step.content
    # The destination is used once: a later login goes to the usual place.
    client.post("/account/logout/")
    again = client.post("/account/login/", {"username": "new@example.org", "password": SIGNUP["password"]})
    assert again["Location"] == "/me/groups/"


def test_confirming_on_another_device_then_logging_in_here_still_lands_on_the_join_step(
    client, make_circle, django_capture_on_commit_callbacks
):
    circle = make_circle()
    join_path = f"/groups/{circle.code}/join/"
    link = signup(
        client, django_capture_on_commit_callbacks, {**SIGNUP, "email": "new@example.org", "next": join_path}
    )
    # The phone's mail app opens the link in another browser: no remembered destination there,
    # so it lands on the person's own page, logged in.
    phone = client_for(None)
    assert phone.post(link)["Location"] == "/me/groups/"
    # Back on the computer, the "check your email" page offers the login that leads on.
    waiting = client.get("/account/signup/check-email/")
    login_href = f"/account/login/?next={quote(join_path)}"
    assert login_href.encode() in waiting.content
    # Even the header's plain "Log in" (no next in the address) lands there.
    page = client.get("/account/login/")
    assert f'name="next" value="{join_path}"'.encode() in page.content
    done = client.post("/account/login/", {"username": "new@example.org", "password": SIGNUP["password"]})
    assert done.status_code == 302 and done["Location"] == join_path
    # Used once: nothing is left to send a later visit there again.
    assert NEXT_SESSION_KEY not in client.session


def test_unconfirmed_login_sends_a_link_that_leads_to_where_the_login_was_going(
    client, make_user, make_circle, django_capture_on_commit_callbacks
):
    circle = make_circle()
    join_path = f"/groups/{circle.code}/join/"
    make_user(email="late@example.org", verified=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(
            "/account/login/", {"username": "late@example.org", "password": PASSWORD, "next": join_path}
        )
    assert refused.status_code == 200 and b"confirm your email" in refused.content
    assert client.post(link_in_mail())["Location"] == join_path


def test_staff_confirming_are_sent_to_log_in_with_the_destination_kept(
    client, make_circle, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    circle = make_circle()
    join_path = f"/groups/{circle.code}/join/"
    link = signup(
        client, django_capture_on_commit_callbacks, {**SIGNUP, "email": "host@example.org", "next": join_path}
    )
    get_user_model().objects.filter(email="host@example.org").update(is_staff=True)
    response = client.post(link)
    location = urlsplit(response["Location"])
    assert location.path == "/account/login/" and parse_qs(location.query) == {"next": [join_path]}
    assert "_auth_user_id" not in client.session


def test_signed_in_person_opening_signup_goes_on_to_next(client, make_user, make_circle):
    circle = make_circle()
    join_path = f"/groups/{circle.code}/join/"
    client.force_login(make_user())
    assert client.get(f"/account/signup/?next={quote(join_path)}")["Location"] == join_path
    assert client.get("/account/signup/?next=https://evil.example/")["Location"] == "/me/groups/"


@pytest.mark.parametrize("evil", EVIL)
def test_signup_refuses_to_remember_another_site(client, db, django_capture_on_commit_callbacks, evil):
    form = client.get("/account/signup/", {"next": evil})
    assert 'name="next"' not in main_form(form)
    assert 'href="/account/login/"' in form.content.decode()
    link = signup(
        client, django_capture_on_commit_callbacks, {**SIGNUP, "email": "new@example.org", "next": evil}
    )
    landed = client.post(link)
    assert landed.status_code == 302 and landed["Location"] == "/me/groups/"


@pytest.mark.parametrize("evil", EVIL)
def test_login_refuses_to_redirect_to_another_site(client, make_user, evil):
    make_user(email="someone@example.org")
    page = client.get("/account/login/", {"next": evil})
    assert 'name="next" value=""' in main_form(page)
    assert b"carry on where you were" not in page.content
    assert 'href="/account/signup/"' in page.content.decode()
    done = client.post(
        "/account/login/", {"username": "someone@example.org", "password": PASSWORD, "next": evil}
    )
    assert done.status_code == 302 and done["Location"] == "/me/groups/"


def test_a_session_holding_another_site_is_not_followed(
    client, make_user, django_capture_on_commit_callbacks
):
    """Defence in depth: whatever is in the session is checked again before it is followed."""
    make_user(email="someone@example.org")
    session = client.session
    session[NEXT_SESSION_KEY] = "https://evil.example/"
    session.save()
    done = client.post("/account/login/", {"username": "someone@example.org", "password": PASSWORD})
    assert done["Location"] == "/me/groups/"
