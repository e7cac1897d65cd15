"""One login throttle for every path (the login page and /admin/login/), per normalised email and per IP
address, counted in the database so every worker process sees the same counts."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed

from conftest import PASSWORD
from mutua.accounts.backends import THROTTLED_ATTR
from mutua.core import ratelimit


@pytest.fixture
def failed_requests():
    """The requests whose login failed, as Django reports them (whatever the form on the page)."""
    seen = []

    def record(sender, credentials, request=None, **kwargs):
        seen.append(request)

    user_login_failed.connect(record)
    yield seen
    user_login_failed.disconnect(record)


# Every URL that takes a password. /admin/login/ is in the list whatever it does with one (it may
# take the password itself, or send people to the one login page and only ask staff for their code).
LOGIN_PATHS = ["/account/login/", "/admin/login/"]


def test_staff_30_wrong_passwords_then_the_right_one_is_refused(client, make_user, failed_requests):
    make_user(email="host@example.org", is_staff=True, is_superuser=True)
    for n in range(30):
        path = LOGIN_PATHS[n % 2]
        client.post(path, {"username": "host@example.org", "password": "guess-guess-1", "next": "/admin/"})
    for path in LOGIN_PATHS:
        failed_requests.clear()
        response = client.post(
            path, {"username": "HOST@example.org", "password": PASSWORD, "next": "/admin/"}
        )
        assert "_auth_user_id" not in client.session, path
        assert client.get("/admin/").status_code == 302
        if failed_requests:
            # Refused by the throttle itself, before the password was checked.
            assert getattr(failed_requests[0], THROTTLED_ATTR, False), path
    response = client.post("/account/login/", {"username": "host@example.org", "password": PASSWORD})
    assert b"Too many attempts" in response.content


def test_staff_right_password_logs_in_when_not_throttled(client, make_user, failed_requests):
    # The control for the test above: the same request is accepted without the failures before it.
    make_user(email="host@example.org", is_staff=True, is_superuser=True)
    client.post("/account/login/", {"username": "host@example.org", "password": "guess-guess-1"})
    response = client.post("/account/login/", {"username": "host@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_any_caller_of_authenticate_is_throttled(rf, make_user, settings):
    """The throttle is in the authentication backend, so a login path that has none of its own (a
    future API login, a third-party form) is still counted and refused."""
    settings.LOGIN_RATE_LIMIT = 3
    user = make_user(email="a@example.org")
    for _ in range(3):
        assert authenticate(rf.post("/x/"), username="a@example.org", password="guess-guess-1") is None
    request = rf.post("/x/")
    assert authenticate(request, username="a@example.org", password=PASSWORD) is None
    assert getattr(request, THROTTLED_ATTR, False)
    # From another address, and once the email's window is reset, the same call works.
    ratelimit.reset("login-email", "a@example.org")
    assert authenticate(rf.post("/x/"), username="A@example.org", password=PASSWORD) == user


def test_per_ip_throttle_spans_different_emails(client, make_user, settings):
    settings.LOGIN_RATE_LIMIT = 2  # per address: 4 × 2 = 8
    make_user(email="victim@example.org")
    for n in range(8):
        response = client.post(
            "/account/login/",
            {"username": f"guess{n}@example.org", "password": "guess-guess-1"},
            REMOTE_ADDR="203.0.113.9",
        )
        assert b"do not match" in response.content
    # No single email reached its limit, but the address did: even a right password is refused there…
    response = client.post(
        "/account/login/", {"username": "victim@example.org", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert b"Too many attempts" in response.content
    assert "_auth_user_id" not in client.session
    # …and not from another address.
    response = client.post(
        "/account/login/",
        {"username": "victim@example.org", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_successful_logins_do_not_use_up_an_address(make_user, settings):
    from django.test import Client

    settings.LOGIN_RATE_LIMIT = 1  # per address: 4
    users = [make_user() for _ in range(6)]
    for user in users:
        c = Client(REMOTE_ADDR="192.0.2.1")
        response = c.post("/account/login/", {"username": user.email, "password": PASSWORD})
        assert response.status_code == 302, user.email
    assert ratelimit.count("login-ip", "192.0.2.1") == 0


def test_the_right_password_clears_the_email_count(client, make_user, settings):
    settings.LOGIN_RATE_LIMIT = 3
    make_user(email="b@example.org")
    for _ in range(2):
        client.post("/account/login/", {"username": "b@example.org", "password": "guess-guess-1"})
    assert (
        client.post("/account/login/", {"username": "b@example.org", "password": PASSWORD}).status_code == 302
    )
    client.post("/account/logout/")
    for _ in range(2):
        client.post("/account/login/", {"username": "b@example.org", "password": "guess-guess-1"})
    assert (
        client.post("/account/login/", {"username": "b@example.org", "password": PASSWORD}).status_code == 302
    )


# Each step runs in its own Python process: nothing is shared with the test process but the database.
WORKER = textwrap.dedent(
    """
    import json, sys
    import django
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    step = sys.argv[1]
    out = {}
    if step == "setup":
        if sys.argv[2] == "migrate":
            call_command("migrate", verbosity=0)
        User = get_user_model()
        for email in ("target@example.org", "control@example.org"):
            User.objects.create_user(email=email, password=sys.argv[3], email_verified=True)
    elif step == "fail":
        from django.contrib.auth import authenticate
        from django.test import RequestFactory

        out["answers"] = [
            authenticate(RequestFactory().post("/"), username="target@example.org", password="guess-guess-1")
            for _ in range(int(sys.argv[2]))
        ]
    elif step == "login":
        for email in ("target@example.org", "control@example.org"):
            c = Client()
            r = c.post("/account/login/", {"username": email, "password": sys.argv[2]})
            out[email] = {
                "logged_in": "_auth_user_id" in c.session,
                "throttled": b"Too many attempts" in r.content,
            }
    print(json.dumps(out))
    """
)


@pytest.fixture
def shared_database(request, tmp_path):
    """A database URL that separate processes can share, and whether it still needs migrating.

    On PostgreSQL, the test database itself (committed, so the other processes see the rows; the
    transactional_db fixture empties it afterwards). On SQLite the test database lives in memory, which
    no other process can open, so the processes share a fresh temporary file instead."""
    db = django_settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        request.getfixturevalue("transactional_db")
        from django.db import connection

        s = connection.settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}", "no-migrate"
    return f"sqlite:///{tmp_path / 'shared.sqlite3'}", "migrate"


def run_worker(database_url: str, *args: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mutua.settings",
        "DATABASE_URL": database_url,
        "LOGIN_RATE_LIMIT": "3",
        "TASKS_BACKEND": "immediate",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", WORKER, *args],
        env=env,
        cwd=Path(django_settings.BASE_DIR),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_failures_counted_in_one_process_block_another(shared_database):
    url, migrate = shared_database
    run_worker(url, "setup", migrate, PASSWORD)
    # Process 1: three wrong passwords through authenticate(), as any login path does.
    assert run_worker(url, "fail", "3") == {"answers": [None, None, None]}
    # Process 2 has never seen a failure in its own memory, yet refuses the right password.
    result = run_worker(url, "login", PASSWORD)
    assert result["target@example.org"] == {"logged_in": False, "throttled": True}
    # The same process logs in an account nobody attacked: the refusal above is the shared count.
    assert result["control@example.org"] == {"logged_in": True, "throttled": False}
