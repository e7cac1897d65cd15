"""Sign-up, verification, login throttling, password reset, profile and tokens."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from conftest import PASSWORD, client_for

SIGNUP = {
    "display_name": "Marta",
    "email": "marta@example.org",
    "password": "blue-river-lamp-77",
    "language": "es",
    "timezone": "Europe/Madrid",
}


def test_signup_creates_unverified_account_and_sends_link(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/signup/", SIGNUP)
    assert response.status_code == 302 and response["Location"] == "/account/signup/check-email/"
    user = get_user_model().objects.get(email="marta@example.org")
    assert not user.email_verified and user.language == "es"
    assert user.password.startswith(("md5$", "argon2"))
    assert len(mail.outbox) == 1
    link = re.search(r"http\S+/account/verify/\S+/", mail.outbox[0].body).group(0)
    assert link.startswith("http://127.0.0.1:8000/account/verify/")
    assert "Confirma" in mail.outbox[0].subject  # in the person's chosen language


def test_signup_answer_is_the_same_whether_email_is_registered_or_not(
    client, make_user, django_capture_on_commit_callbacks
):
    make_user(email="taken@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        new = client.post("/account/signup/", {**SIGNUP, "email": "fresh@example.org"})
        taken = client.post("/account/signup/", {**SIGNUP, "email": "taken@example.org"})
    assert new.status_code == taken.status_code == 302
    assert new["Location"] == taken["Location"]
    assert get_user_model().objects.filter(email="taken@example.org").count() == 1
    # The existing owner is told by email instead, so nothing leaks to the person asking.
    assert [m.to for m in mail.outbox] == [["fresh@example.org"], ["taken@example.org"]]
    assert "already have one" in mail.outbox[1].body


def test_verification_link_verifies_and_logs_in(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/signup/", SIGNUP)
    path = re.search(r"/account/verify/\S+/", mail.outbox[0].body).group(0)
    assert client.get(path).status_code == 200  # a page with a button; nothing changes yet
    assert not get_user_model().objects.get(email="marta@example.org").email_verified
    response = client.post(path)
    assert response.status_code == 302
    assert get_user_model().objects.get(email="marta@example.org").email_verified
    assert client.get("/me/groups/").status_code == 200


def test_tampered_verification_link_is_refused(client, db):
    response = client.get("/account/verify/not-a-real-token/")
    assert response.status_code == 400
    assert b"not valid" in response.content


def test_signup_errors_keep_input_and_save_nothing(client, db):
    response = client.post("/account/signup/", {**SIGNUP, "password": "short"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="marta@example.org"' in body and 'id="error-summary"' in body
    assert 'href="#id_password"' in body
    assert not get_user_model().objects.exists()


def test_unverified_person_cannot_log_in_and_gets_a_new_link(
    client, make_user, django_capture_on_commit_callbacks
):
    make_user(email="late@example.org", verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/login/", {"username": "late@example.org", "password": PASSWORD})
    assert response.status_code == 200
    assert b"confirm your email" in response.content
    assert len(mail.outbox) == 1


def test_login_is_rate_limited_per_email(client, make_user, settings):
    settings.LOGIN_RATE_LIMIT = 3
    make_user(email="a@example.org")
    for _ in range(3):
        r = client.post("/account/login/", {"username": "a@example.org", "password": "wrong"})
        assert b"do not match" in r.content
    # Even the right password is refused while throttled.
    r = client.post("/account/login/", {"username": "a@example.org", "password": PASSWORD})
    assert b"Too many attempts" in r.content
    assert "_auth_user_id" not in client.session


def test_login_works_and_resets_the_counter(client, make_user, settings):
    settings.LOGIN_RATE_LIMIT = 3
    make_user(email="b@example.org")
    client.post("/account/login/", {"username": "b@example.org", "password": "wrong"})
    r = client.post("/account/login/", {"username": "B@example.org", "password": PASSWORD})
    assert r.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("email", ["someone@example.org", "nobody@example.org"])
def test_password_reset_answers_the_same_for_any_email(
    client, make_user, email, django_capture_on_commit_callbacks
):
    make_user(email="someone@example.org")
    # The mail is queued as a task once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/password/reset/", {"email": email})
    assert response.status_code == 302 and response["Location"] == "/account/password/reset/sent/"
    assert len(mail.outbox) == (1 if email == "someone@example.org" else 0)


def test_password_reset_link_sets_a_new_password(client, make_user, django_capture_on_commit_callbacks):
    user = make_user(email="someone@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/password/reset/", {"email": user.email})
    path = re.search(r"/account/password/reset/\S+/\S+/", mail.outbox[0].body).group(0)
    r = client.get(path, follow=True)
    form_url = r.redirect_chain[-1][0]
    r = client.post(
        form_url, {"new_password1": "green-apple-river-9", "new_password2": "green-apple-river-9"}
    )
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.check_password("green-apple-river-9")


def test_profile_update_changes_language_and_interface(make_user):
    user = make_user()
    c = client_for(user)
    r = c.post(
        "/account/profile/",
        {"display_name": "Marta", "language": "it", "timezone": "Europe/Rome", "country": ""},
    )
    assert r.status_code == 302
    user.refresh_from_db()
    assert (user.language, user.timezone) == ("it", "Europe/Rome")
    assert c.get("/account/profile/")["Content-Language"] == "it"


def test_profile_rejects_unknown_time_zone_and_keeps_old_value(make_user):
    user = make_user()
    r = client_for(user).post(
        "/account/profile/", {"display_name": "M", "language": "en", "timezone": "Mars/Base"}
    )
    assert r.status_code == 200 and b"error-summary" in r.content
    user.refresh_from_db()
    assert user.timezone != "Mars/Base"


def test_tokens_are_shown_once_listed_and_revocable(make_user):
    user = make_user()
    c = client_for(user)
    r = c.post("/account/profile/tokens/", {"name": "phone"})
    raw = re.search(r"mt_[A-Za-z0-9_\-]+", r.content.decode()).group(0)
    assert user.api_tokens.count() == 1
    assert raw not in c.get("/account/profile/tokens/").content.decode()
    api = client_for(None)
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    token = user.api_tokens.get()
    assert c.post(f"/account/profile/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_cannot_revoke_someone_elses_token(make_user):
    owner, other = make_user(), make_user()
    c = client_for(owner)
    c.post("/account/profile/tokens/", {"name": "phone"})
    token = owner.api_tokens.get()
    client_for(other).post(f"/account/profile/tokens/{token.pk}/revoke/")
    assert owner.api_tokens.count() == 1


def test_language_switcher_sets_cookie_and_profile(make_user):
    user = make_user()
    c = client_for(user)
    r = c.post("/account/language/", {"language": "ca", "next": "/groups/"})
    assert r.status_code == 302 and r["Location"] == "/groups/"
    user.refresh_from_db()
    assert user.language == "ca"


def test_language_switcher_refuses_offsite_next(client, db):
    r = client.post("/account/language/", {"language": "es", "next": "https://evil.example/"})
    assert r["Location"] == "/"


def test_repeated_signups_for_one_address_send_at_most_three_emails(
    client, make_user, django_capture_on_commit_callbacks
):
    make_user(email="target@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            r = client.post("/account/signup/", {**SIGNUP, "email": "target@example.org"})
            assert r.status_code == 302 and r["Location"] == "/account/signup/check-email/"
    assert len(mail.outbox) == 3
