"""When the database cannot be reached: 503 with Retry-After (JSON under /api/), in the person's language,
honest about what may be lost, never a redirect to login, and the crisis page still answers.

The outage is real, not a mock: the default connection is swapped for one pointed at a database that
refuses connections (a closed local port on PostgreSQL, a file in a missing directory on SQLite).
"""

import copy
import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.core.management import call_command
from django.db import OperationalError, connections
from django.db.utils import load_backend
from django.test import Client, RequestFactory
from django.utils import timezone

from conftest import client_for
from mutua.accounts.services import api_token_create
from mutua.core import errorviews

EMERGENCY_NUMBERS = ('href="tel:112"', 'href="tel:999"', 'href="tel:911"')


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def database_refusing_connections() -> Iterator[None]:
    """Within the block, every use of the default database fails to connect, as during an outage.
    The test's own connection (and its transaction) is put back untouched afterwards."""
    original = connections["default"]
    broken = copy.deepcopy(original.settings_dict)
    if original.vendor == "sqlite":
        broken["NAME"] = "/nonexistent-mutua-outage/db.sqlite3"
    else:
        broken.update(HOST="127.0.0.1", PORT=str(_closed_port()))
        broken["OPTIONS"] = {**broken.get("OPTIONS", {}), "connect_timeout": 3}
    wrapper = load_backend(broken["ENGINE"]).DatabaseWrapper(broken, "default")
    connections["default"] = wrapper
    try:
        yield
    finally:
        wrapper.close()
        connections["default"] = original


@pytest.fixture
def crisis_data(db):
    call_command("load_content")


def test_the_outage_helper_really_refuses_connections(db):
    from mutua.accounts.models import User

    with database_refusing_connections(), pytest.raises(OperationalError):
        User.objects.count()
    assert User.objects.count() == 0  # and the test database is back afterwards


def test_a_page_answers_503_with_retry_after_and_the_truth(client, db):
    with database_refusing_connections():
        response = client.get("/groups/", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "may not have been saved" in body
    assert 'href="/help/"' in body
    assert all(number in body for number in EMERGENCY_NUMBERS)


def test_the_503_page_is_in_the_language_of_the_cookie(db):
    c = Client()
    c.cookies["django_language"] = "es"
    with database_refusing_connections():
        response = c.get("/groups/", headers={"Accept-Language": "it"})
    assert response.status_code == 503
    assert response["Content-Language"] == "es"
    body = response.content.decode()
    assert '<html lang="es">' in body
    assert "Líneas de ayuda en crisis" in body  # "Crisis lines", already translated


def test_the_503_page_follows_the_browser_language_without_a_cookie(client, db):
    with database_refusing_connections():
        response = client.get("/groups/", headers={"Accept-Language": "it-IT,it;q=0.9"})
    assert response.status_code == 503
    body = response.content.decode()
    assert '<html lang="it">' in body and "Linee di aiuto per le crisi" in body


def test_a_form_sent_during_the_outage_is_told_it_may_be_lost(client, db):
    with database_refusing_connections():
        response = client.post("/account/login/", {"username": "someone@example.org", "password": "x" * 12})
    assert response.status_code == 503
    assert "may not have been saved" in response.content.decode()


def test_a_signed_in_person_is_neither_sent_to_login_nor_logged_out(make_user):
    c = client_for(make_user())
    session_cookie = c.cookies["sessionid"].value
    with database_refusing_connections():
        for path in ("/me/groups/", "/account/profile/", "/groups/"):
            response = c.get(path)
            assert response.status_code == 503, path
            assert "/account/login/" not in response.get("Location", ""), path
            assert "sessionid" not in response.cookies, path  # the session cookie is left alone
        response = c.post("/account/profile/", {"display_name": "New"})
        assert response.status_code == 503
    # Once the database is back, the person is still logged in with the same session.
    assert c.cookies["sessionid"].value == session_cookie
    assert c.get("/me/groups/").status_code == 200


def test_the_api_answers_json_503_with_a_token(make_user):
    _row, raw = api_token_create(user=make_user(), name="outage")
    with database_refusing_connections():
        response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["code"] == "unavailable" and body["detail"]


def test_the_api_answers_json_503_with_a_session_and_anonymously(make_user):
    clients = (client_for(make_user()), Client())
    with database_refusing_connections():
        for c in clients:
            response = c.get("/api/v1/directory")
            assert response.status_code == 503
            assert json.loads(response.content)["code"] == "unavailable"
            assert int(response["Retry-After"]) > 0


def test_the_api_answers_json_503_in_debug_mode_too(make_user, settings):
    """With DEBUG on, django-ninja would answer an unhandled error itself (a 500 with a traceback)."""
    settings.DEBUG = True
    _row, raw = api_token_create(user=make_user(), name="outage")
    with database_refusing_connections():
        response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"


def test_the_crisis_page_still_answers(crisis_data, make_user):
    for c in (Client(), client_for(make_user())):
        with database_refusing_connections():
            response = c.get("/help/")
        assert response.status_code == 200
        body = response.content.decode()
        assert 'href="tel:112"' in body and 'href="tel:988"' in body


def test_a_database_error_after_the_view_is_503_too(make_user):
    """The session is written after the view (here: the once-a-minute activity time). If the database
    drops then, Django's 500 handler sees the error and answers 503 instead."""
    c = client_for(make_user())
    c.raise_request_exception = False
    c.get("/me/groups/")
    later = timezone.now() + timedelta(minutes=5)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        mock.patch(
            "django.contrib.sessions.backends.db.SessionStore.save",
            side_effect=OperationalError("server closed the connection"),
        ),
    ):
        response = c.get("/me/groups/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0


class _OutageRequest(WSGIRequest):
    """A request whose person and session cannot be read, as while the database is down."""

    @property
    def user(self):  # type: ignore[override]
        raise OperationalError("database is down")

    @property
    def session(self):  # type: ignore[override]
        raise OperationalError("database is down")


def test_the_503_page_never_touches_the_person_the_session_or_the_database(db, django_assert_num_queries):
    """Rendered without context processors: nothing may read the person, the session or a table."""
    for path, expected in (("/groups/", '<html lang="ca">'), ("/api/v1/me", '"code": "unavailable"')):
        request = RequestFactory().get(path, headers={"Accept-Language": "ca"})
        request.__class__ = _OutageRequest
        with django_assert_num_queries(0):
            response = errorviews.service_unavailable(request)
        assert response.status_code == 503
        assert expected in response.content.decode()


def test_other_errors_get_the_static_500_page_in_four_languages(client, db):
    client.raise_request_exception = False
    with mock.patch("mutua.core.views.render", side_effect=RuntimeError("bug")):
        response = client.get("/about/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "lost" not in body.replace("may not have been saved", "")
    assert "may not have been saved" in body
    for language in ("en", "es", "it", "ca"):
        assert f'lang="{language}"' in body
    assert 'href="/help/"' in body and all(number in body for number in EMERGENCY_NUMBERS)


def test_the_500_page_is_static():
    """No template tags at all: it must render when the template context or translations are broken."""
    from django.template.loader import get_template

    source = get_template("500.html").template.source
    assert "{%" not in source and "{{" not in source


def test_the_500_handler_answers_503_for_an_outage_and_500_for_anything_else():
    request = RequestFactory().get("/")
    try:
        raise OperationalError("database is down")
    except OperationalError:
        assert errorviews.server_error(request).status_code == 503
    try:
        raise ValueError("a bug")
    except ValueError:
        assert errorviews.server_error(request).status_code == 500


# /healthz


def test_healthz_is_ok_when_database_and_tasks_are(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"
    assert "no-store" in response["Cache-Control"]


def test_healthz_reports_the_database_when_it_refuses_connections(client, make_user):
    signed_in = client_for(make_user())  # a session that cannot be read must not hide the answer
    with database_refusing_connections():
        for c in (client, signed_in):
            response = c.get("/healthz")
            assert response.status_code == 503
            assert response.content == b"unavailable: database"  # nothing about hosts, ports or errors


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _ready_task(waited: timedelta, scheduled: bool = False):
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    task = DBTaskResult.objects.create(
        task_path="mutua.matching.tasks.run_matching",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=now - waited if scheduled else get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=now - waited)
    return task


def test_healthz_reports_tasks_when_a_ready_task_waits_too_long(client, db, db_tasks, settings):
    settings.HEALTHZ_TASK_MAX_WAIT_SECONDS = 600
    _ready_task(timedelta(minutes=2))
    assert client.get("/healthz").status_code == 200  # a fresh task is normal
    _ready_task(timedelta(minutes=11))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.content == b"unavailable: tasks"


def test_healthz_counts_a_scheduled_task_from_its_run_after(client, db, db_tasks):
    from django_tasks_db.models import DBTaskResult

    task = _ready_task(timedelta(minutes=20), scheduled=True)
    assert client.get("/healthz").status_code == 503
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now() + timedelta(hours=1))
    assert client.get("/healthz").status_code == 200  # due in the future: not late


def test_healthz_ignores_finished_tasks(client, db, db_tasks):
    from django_tasks_db.models import DBTaskResult

    task = _ready_task(timedelta(hours=3))
    DBTaskResult.objects.filter(pk=task.pk).update(status="SUCCESSFUL")
    assert client.get("/healthz").status_code == 200
