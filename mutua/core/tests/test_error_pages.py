"""Every error page is Mutua's own, translated, with the crisis link, with DEBUG off (production)
and on (`make run`): never Django's English technical page (issue 7, "No dead ends")."""

import logging
from unittest import mock

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import OperationalError
from django.http import Http404, HttpResponse
from django.test import Client
from django.urls import path

from conftest import client_for
from mutua.core.access import public
from mutua.urls import urlpatterns as real_urlpatterns

EMERGENCY_NUMBERS = ('href="tel:112"', 'href="tel:999"', 'href="tel:911"')
# Words only Django's technical pages use.
TECHNICAL = ("URLconf", "Django tried these URL patterns", "Traceback", "DEBUG = True", "Request Method")


@public
def boom(request, kind: str) -> HttpResponse:
    if kind == "404":
        raise Http404("the group 'grief in Sabadell' does not exist")  # a message that must never show
    if kind == "403":
        raise PermissionDenied
    if kind == "400":
        raise BadRequest("bad")
    if kind == "db":
        raise OperationalError("server closed the connection")
    raise RuntimeError("a bug")


# This module doubles as a URLconf: the real routes plus one that fails on demand.
urlpatterns = [*real_urlpatterns, path("test-boom/<str:kind>/", boom)]
handler400 = "mutua.core.errorviews.bad_request"
handler403 = "mutua.core.errorviews.permission_denied"
handler404 = "mutua.core.errorviews.not_found"
handler500 = "mutua.core.errorviews.server_error"


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def mode(request, settings, db):
    settings.DEBUG = request.param
    settings.ROOT_URLCONF = __name__
    return request.param


def spanish() -> Client:
    c = Client(headers={"Accept-Language": "es"})
    c.raise_request_exception = False
    return c


def assert_own_page(response, status: int, spanish_title: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert '<html lang="es">' in body
    assert spanish_title in body
    # The crisis link, in the header and in the page itself.
    assert body.count('href="/help/"') >= 2 and "¿Necesitas ayuda ahora?" in body
    assert not any(word in body for word in TECHNICAL)
    return body


def test_an_unknown_address_is_our_own_404(mode):
    body = assert_own_page(spanish().get("/no-such-page/"), 404, "Página no encontrada")
    assert 'href="/groups/"' in body  # a way on: browse the groups


def test_a_404_raised_by_a_view_is_our_own_and_never_shows_its_message(mode):
    body = assert_own_page(spanish().get("/test-boom/404/"), 404, "Página no encontrada")
    assert "Sabadell" not in body and "grief" not in body


def test_a_group_that_does_not_exist_is_our_own_404(mode):
    assert_own_page(spanish().get("/groups/zzzzzzzzzz/"), 404, "Página no encontrada")


def test_a_signed_in_person_gets_find_me_a_group_on_the_404(mode, make_user):
    c = client_for(make_user(language="es"))
    body = assert_own_page(c.get("/no-such-page/"), 404, "Página no encontrada")
    assert 'href="/find/"' in body and 'href="/me/groups/"' in body


def test_permission_denied_is_our_own_403(mode):
    response = spanish().get("/test-boom/403/")
    body = assert_own_page(response, 403, "<h1>")
    assert "403.html" in [t.name for t in response.templates]
    assert "403 Forbidden" not in body


def test_a_bad_request_is_our_own_400(mode):
    response = spanish().get("/test-boom/400/")
    body = assert_own_page(response, 400, "<h1>")
    assert "400.html" in [t.name for t in response.templates]
    assert "Bad Request (400)" not in body


def test_nul_bytes_get_our_own_400_page_without_the_nul_bytes(mode):
    response = spanish().get("/groups/?experience=%00")
    body = assert_own_page(response, 400, "<h1>")
    assert "400.html" in [t.name for t in response.templates]
    assert "\x00" not in body


def test_a_crash_is_the_static_500_page_with_the_emergency_numbers(mode, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = spanish().get("/test-boom/crash/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Puede que lo que acabas de enviar no se haya guardado." in body
    assert "may not have been saved" in body and 'href="/help/"' in body
    assert all(number in body for number in EMERGENCY_NUMBERS)
    assert not any(word in body for word in TECHNICAL)
    # The developer still sees what broke, in the console.
    assert any(r.exc_info and "a bug" in str(r.exc_info[1]) for r in caplog.records)


def test_a_database_outage_in_a_view_is_still_503_not_500(mode):
    response = spanish().get("/test-boom/db/")
    assert response.status_code == 503 and int(response["Retry-After"]) > 0


def test_a_csrf_failure_is_our_own_page(mode, make_user):
    c = Client(enforce_csrf_checks=True, headers={"Accept-Language": "es"})
    response = c.post("/account/login/", {"username": "someone@example.org", "password": "x"})
    body = assert_own_page(response, 403, "Vuelve a intentarlo")
    assert "CSRF" not in body


def test_the_api_answers_json_for_an_unknown_address(mode):
    response = spanish().get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_trailing_slash_redirects_still_work_in_debug(settings, db):
    settings.DEBUG = True
    response = Client().get("/groups")
    assert response.status_code == 301 and response["Location"] == "/groups/"


def test_the_500_handler_needs_nothing_but_the_file(db):
    """The static page renders even when templates' context and translations are broken."""
    from mutua.core import errorviews

    with mock.patch("django.template.context_processors.request", side_effect=RuntimeError("broken")):
        try:
            raise RuntimeError("a bug")
        except RuntimeError:
            response = errorviews.server_error(None)  # type: ignore[arg-type]
    assert response.status_code == 500 and b"tel:112" in response.content


@pytest.mark.parametrize(
    ("headers", "cookies", "language", "title"),
    [
        ({"Accept-Language": "ca"}, {}, "ca", "Alguna cosa ha fallat"),
        ({"Accept-Language": "es-ES,es;q=0.9"}, {}, "es", "Algo ha fallado"),
        ({"Accept-Language": "ca"}, {"django_language": "it"}, "it", "Qualcosa è andato storto"),
        ({"Accept-Language": "fi"}, {}, "en", "Something went wrong"),
    ],
)
def test_the_500_page_puts_the_persons_language_first(mode, headers, cookies, language, title):
    c = Client(headers=headers)
    c.raise_request_exception = False
    for name, value in cookies.items():
        c.cookies[name] = value
    body = c.get("/test-boom/crash/").content.decode()
    assert f'<html lang="{language}">' in body
    assert body.count("<h1>") == 1 and f"<h1>{title}</h1>" in body
    assert body.index(f'<section lang="{language}">') < min(
        body.index(f'<section lang="{other}">') for other in {"en", "es", "it", "ca"} - {language}
    )
    # Still all four, with the crisis link and the emergency numbers in each.
    assert body.count("<section lang=") == 4 and body.count('href="tel:112"') == 4
