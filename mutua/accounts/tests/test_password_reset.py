"""Password reset: no account-existence leak (same answer, same work, mail sent by a task after the
response), the sign-up cap per address, and API tokens revoked with the old password."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AdminPasswordChangeForm, PasswordChangeForm
from django.core import mail
from django.db import connection
from django.tasks.signals import task_enqueued
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD, client_for
from mutua.accounts import services

User = get_user_model()
NEW_PASSWORD = "green-apple-river-9"


@pytest.fixture
def enqueued():
    seen = []

    def record(sender, task_result, **kwargs):
        seen.append((task_result.task.name, task_result.args, task_result.kwargs))

    task_enqueued.connect(record)
    yield seen
    task_enqueued.disconnect(record)


@pytest.mark.parametrize("email", ["someone@example.org", "nobody@example.org"])
def test_request_does_the_same_work_whether_or_not_the_account_exists(
    client, make_user, email, enqueued, django_capture_on_commit_callbacks
):
    make_user(email="someone@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/account/password/reset/", {"email": email.upper()})
    assert response.status_code == 302 and response["Location"] == "/account/password/reset/sent/"
    # Nothing is sent while the person waits for the answer, on either branch…
    assert mail.outbox == [] and enqueued == [] and len(callbacks) == 1
    callbacks[0]()
    # …then exactly one task, whose only argument is the normalised address (no link, no token).
    assert enqueued == [("send_password_reset_email", [email], {})]
    assert len(mail.outbox) == (1 if email == "someone@example.org" else 0)


def test_request_runs_the_same_queries_for_a_registered_and_an_unknown_address(
    client, make_user, django_capture_on_commit_callbacks
):
    make_user(email="someone@example.org")
    counts = []
    for email in ["someone@example.org", "nobody@example.org"]:
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False):
            client.post("/account/password/reset/", {"email": email})
        counts.append([q["sql"].split()[0] for q in queries.captured_queries])
    assert counts[0] == counts[1]


def test_the_reset_link_is_built_by_the_task_not_stored_in_its_arguments(
    client, make_user, enqueued, django_capture_on_commit_callbacks
):
    make_user(email="someone@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/password/reset/", {"email": "someone@example.org"})
    link = re.search(r"http\S+/account/password/reset/(\S+)/(\S+)/", mail.outbox[0].body)
    assert link.group(0).startswith("http://127.0.0.1:8000/")
    assert link.group(2) not in repr(enqueued) and link.group(1) not in repr(enqueued)


def test_at_most_three_reset_emails_per_address_and_window(
    client, make_user, django_capture_on_commit_callbacks
):
    make_user(email="someone@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(15):
            response = client.post("/account/password/reset/", {"email": "someone@example.org"})
            assert response.status_code == 302 and response["Location"] == "/account/password/reset/sent/"
    assert len(mail.outbox) == services.SIGNUP_EMAILS_PER_WINDOW == 3


def test_a_deactivated_account_gets_no_reset_email(client, make_user, django_capture_on_commit_callbacks):
    make_user(email="gone@example.org", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/password/reset/", {"email": "gone@example.org"})
    assert response.status_code == 302 and mail.outbox == []


def reset_password_by_link(client, email, capture) -> object:
    with capture(execute=True):
        client.post("/account/password/reset/", {"email": email})
    path = re.search(r"/account/password/reset/\S+/\S+/", mail.outbox[-1].body).group(0)
    form_url = client.get(path, follow=True).redirect_chain[-1][0]
    return client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)


def bearer(raw: str) -> int:
    return client_for(None).get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code


def test_password_reset_revokes_api_tokens_and_says_so(client, make_user, django_capture_on_commit_callbacks):
    user = make_user(email="someone@example.org")
    other = make_user()
    _token, raw = services.api_token_create(user=user, name="phone")
    _other_token, other_raw = services.api_token_create(user=other, name="laptop")
    assert bearer(raw) == 200
    response = reset_password_by_link(client, user.email, django_capture_on_commit_callbacks)
    assert response.redirect_chain[-1][0] == "/account/password/reset/complete/"
    assert b"API tokens you had are revoked" in response.content
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert bearer(raw) == 401
    assert not user.api_tokens.exists()
    assert bearer(other_raw) == 200  # nobody else's tokens


@pytest.mark.parametrize("form_class", [AdminPasswordChangeForm, PasswordChangeForm])
def test_every_password_change_form_revokes_api_tokens(make_user, form_class):
    user = make_user()
    _token, raw = services.api_token_create(user=user, name="phone")
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    if form_class is PasswordChangeForm:
        data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    form = form_class(user, data)
    assert form.is_valid(), form.errors
    form.save()
    assert bearer(raw) == 401


def test_saving_a_person_without_a_password_change_keeps_tokens(client, make_user):
    user = make_user(email="someone@example.org")
    _token, raw = services.api_token_create(user=user, name="phone")
    # Logging in saves last_login; editing the profile saves other fields: neither is a password change.
    assert client.post("/account/login/", {"username": user.email, "password": PASSWORD}).status_code == 302
    client.post("/account/profile/", {"display_name": "M", "language": "en", "timezone": "Europe/Rome"})
    user.refresh_from_db()
    user.save()
    assert bearer(raw) == 200


def test_the_tokens_page_says_a_password_change_revokes_them(make_user):
    response = client_for(make_user()).get("/account/profile/tokens/")
    assert b"Changing or resetting your password revokes all your tokens." in response.content
