"""The email confirmation link works once, dies with a password change, and never logs staff in."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.tasks.signals import task_enqueued

from conftest import PASSWORD, client_for
from mutua.accounts import services
from mutua.accounts.tokens import user_for_verification_code, verification_code
from mutua.core.errors import DomainError

User = get_user_model()
SIGNUP = {
    "display_name": "N",
    "password": "blue-river-lamp-77",
    "language": "en",
    "timezone": "Europe/Madrid",
}


def send_link(user, capture) -> str:
    mail.outbox.clear()
    with capture(execute=True):
        services.send_verification(user)
    assert len(mail.outbox) == 1
    return re.search(r"/account/verify/\S+/", mail.outbox[0].body).group(0)


def test_link_logs_a_member_in_once(client, make_user, django_capture_on_commit_callbacks):
    user = make_user(email="new@example.org", verified=False)
    path = send_link(user, django_capture_on_commit_callbacks)
    first = client.post(path)
    assert first.status_code == 302 and first["Location"] == "/me/groups/"
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.email_verified
    # Someone else opening the same link later (a forwarded mail, a shared inbox) gets nothing.
    other = client_for(None)
    second = other.post(path)
    assert second.status_code == 400
    assert "_auth_user_id" not in other.session
    assert b"not valid any more" in second.content


def test_opening_the_link_changes_nothing_until_the_person_presses_the_button(
    client, make_user, django_capture_on_commit_callbacks
):
    """Mail scanners and link previews open links by GET; the single-use link must survive them."""
    user = make_user(email="new@example.org", verified=False)
    path = send_link(user, django_capture_on_commit_callbacks)
    for _ in range(3):
        page = client_for(None).get(path)
        assert page.status_code == 200
        assert b'method="post"' in page.content
    user.refresh_from_db()
    assert not user.email_verified
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/me/groups/"
    user.refresh_from_db()
    assert user.email_verified


def test_link_cannot_log_in_again_even_after_logout(client, make_user, django_capture_on_commit_callbacks):
    user = make_user(email="new@example.org", verified=False)
    path = send_link(user, django_capture_on_commit_callbacks)
    assert client.post(path).status_code == 302
    client.post("/account/logout/")
    again = client.post(path)
    assert again.status_code == 400
    assert "_auth_user_id" not in client.session


def test_link_is_refused_after_a_password_change(client, make_user, django_capture_on_commit_callbacks):
    user = make_user(email="new@example.org", verified=False)
    path = send_link(user, django_capture_on_commit_callbacks)
    user.set_password("a-brand-new-password-9")
    user.save()
    response = client.post(path)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert not user.email_verified


@pytest.mark.parametrize(
    "flags", [{"is_staff": True}, {"is_superuser": True}, {"is_staff": True, "is_superuser": True}]
)
def test_link_confirms_staff_but_never_logs_them_in(
    client, make_user, django_capture_on_commit_callbacks, flags
):
    staff = make_user(email="host@example.org", verified=False, **flags)
    path = send_link(staff, django_capture_on_commit_callbacks)
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/account/login/"
    assert "_auth_user_id" not in client.session
    staff.refresh_from_db()
    assert staff.email_verified
    assert client.get("/admin/").status_code == 302  # the admin still asks for a login
    assert client.post(path).status_code == 400


def test_the_token_itself_dies_once_used(make_user):
    """The token covers state that using it changes, so it fails even where nothing else checks."""
    user = make_user(email="new@example.org", verified=False)
    code = verification_code(user)
    assert user_for_verification_code(code) == user
    services.account_verify(code=code)
    assert user_for_verification_code(code) is None


def test_two_requests_racing_with_one_link_confirm_once(make_user, monkeypatch):
    user = make_user(email="new@example.org", verified=False)
    code = verification_code(user)
    # The second request read the person before the first one confirmed the address.
    stale = User.objects.get(pk=user.pk)
    services.account_verify(code=code)
    monkeypatch.setattr(services, "user_for_verification_code", lambda _code: stale)
    with pytest.raises(DomainError):
        services.account_verify(code=code)


def test_a_password_reset_token_is_not_a_confirmation_link(client, make_user):
    user = make_user(email="new@example.org", verified=False)
    code = verification_code(user)
    uid = code.partition(".")[0]
    response = client.get(f"/account/verify/{uid}.{default_token_generator.make_token(user)}/")
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_link_for_one_person_does_not_work_for_another(client, make_user):
    alice = make_user(email="alice@example.org", verified=False)
    bob = make_user(email="bob@example.org", verified=False)
    alice_uid = verification_code(alice).partition(".")[0]
    bob_token = verification_code(bob).partition(".")[2]
    assert client.get(f"/account/verify/{alice_uid}.{bob_token}/").status_code == 400
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("email", ["taken@example.org", "fresh@example.org"])
def test_signup_sends_nothing_during_the_request_on_either_branch(
    client, make_user, email, django_capture_on_commit_callbacks
):
    make_user(email="taken@example.org")
    seen = []

    def record(sender, task_result, **kwargs):
        seen.append(task_result.task.name)

    task_enqueued.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post("/account/signup/", {**SIGNUP, "email": email})
        assert response.status_code == 302
        # The mail (welcome or "you already have an account") leaves after the response, on both branches.
        assert mail.outbox == [] and seen == [] and len(callbacks) == 1
        callbacks[0]()
    finally:
        task_enqueued.disconnect(record)
    assert len(seen) == 1 and len(mail.outbox) == 1


def test_task_arguments_never_hold_the_link(client, db, django_capture_on_commit_callbacks):
    """Task rows are visible to host staff in the admin: a link there would be a login for them."""
    seen = []

    def record(sender, task_result, **kwargs):
        seen.append((task_result.task.name, task_result.args, task_result.kwargs))

    task_enqueued.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/account/signup/", {**SIGNUP, "email": "new@example.org"})
    finally:
        task_enqueued.disconnect(record)
    user = User.objects.get(email="new@example.org")
    assert seen == [("send_verification_email", [user.pk], {})]
    code = re.search(r"/account/verify/(\S+)/", mail.outbox[0].body).group(1)
    assert code not in repr(seen)


def test_unverified_login_with_the_right_password_sends_a_fresh_link(
    client, make_user, django_capture_on_commit_callbacks
):
    make_user(email="late@example.org", verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/login/", {"username": "late@example.org", "password": PASSWORD})
    assert b"confirm your email" in response.content
    path = re.search(r"/account/verify/\S+/", mail.outbox[0].body).group(0)
    assert client.post(path).status_code == 302
    assert "_auth_user_id" in client.session
