"""Error pages, Mutua's own in both modes: with DEBUG off Django calls these handlers (mutua/urls.py);
with DEBUG on, `ErrorPagesMiddleware` calls them instead of Django's technical pages, so a person
trying `make run` never meets an English debug page without the crisis link.

The 400, 403 and 404 pages are ordinary translated pages with the site's header (the crisis link is
there and in the page). The 500 and 503 pages are rendered when something may be broken, so neither
touches the database: they are rendered without a request (no context processors, no session, no
user); the 500 page is a static file in all four languages."""

import logging
import re
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from mutua.core.access import public

logger = logging.getLogger(__name__)

# The errors a database that cannot be reached raises (refused or dropped connection, server restart).
# Other database errors (a bad query, a broken constraint) are bugs and stay 500s.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

# How long clients (and people) should wait before trying again. A restarting database is back within
# seconds to a minute; asking for more would only keep people away longer than needed.
RETRY_AFTER_SECONDS = 30


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The one answer for "the database cannot be reached": 503 with Retry-After, JSON under /api/,
    otherwise a page in the language of the cookie or the browser (the profile cannot be read)."""
    if request.path.startswith("/api/"):
        with translation.override(translation.get_language_from_request(request)):
            detail = _("The service is unavailable for a moment. Please try again in a few minutes.")
        response: HttpResponse = JsonResponse({"detail": detail, "code": "unavailable"}, status=503)
    else:
        language = translation.get_language_from_request(request)
        with translation.override(language):
            body = render_to_string("503.html", {"LANG": language, "SITE_NAME": settings.SITE_NAME})
        response = HttpResponse(body, status=503)
        response["Content-Language"] = language
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Never let a proxy or the browser keep an outage page once the database is back.
    response["Cache-Control"] = "no-store"
    return response


@public
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        detail = _("The request contained something that is not allowed.")
        return JsonResponse({"detail": detail, "code": "invalid"}, status=400)
    return render(request, "400.html", status=400)


@public
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("You cannot do this."), "code": "forbidden"}, status=403)
    return render(request, "403.html", status=403)


@public
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The message of the Http404 is never shown: it could say more than "not found" (P7).
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return render(request, "404.html", status=404)


@public
def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception, so it can be inspected. A database that cannot
    # be reached (say, while a session is being saved after the view) is an outage, not a bug: 503.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable(request)
    # A static page: the failure may be in the database, the templates' context or the translations.
    page: str = render_to_string("500.html")
    try:
        language = translation.get_language_from_request(request) if request is not None else "en"
        page = person_language_first(page, language)
    except Exception:  # noqa: BLE001 - the page in its shipped order is always a good answer
        logger.exception("could not put the person's language first on the 500 page")
    return HttpResponseServerError(page)


SECTION = re.compile(r'<section lang="([a-z-]+)">.*?</section>', re.S)


def person_language_first(page: str, language: str) -> str:
    """The static 500 page holds all four languages; the person's own (from the cookie or the
    browser, never the profile: the database may be what failed) comes first, with the page's
    `lang` and its one h1. Pure string work on the shipped file."""
    sections = {m.group(1): m.group(0) for m in SECTION.finditer(page)}
    if language not in sections or page.count("<section") != len(sections):
        return page
    order = [language, *(code for code in sections if code != language)]
    body = "\n".join(
        sections[code].replace("<h1>", "<h2>").replace("</h1>", "</h2>")
        if i
        else sections[code].replace("<h2>", "<h1>").replace("</h2>", "</h1>")
        for i, code in enumerate(order)
    )
    start = page.index("<section")
    end = page.rindex("</section>") + len("</section>")
    head = page[:start].replace('<html lang="en">', f'<html lang="{language}">', 1)
    return head + body + page[end:]


@public
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired session or a stale form: say so plainly, in the person's language."""
    return render(request, "403_csrf.html", status=403)
