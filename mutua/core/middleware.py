import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from mutua.core import errorviews
from mutua.core.errorviews import DATABASE_UNAVAILABLE, service_unavailable

logger = logging.getLogger("django.request")

# Views that work without a database, so they still answer during an outage: the crisis page (from
# the data file shipped with Mutua) and the health check (which reports the outage itself).
WORKS_WITHOUT_DATABASE = frozenset({"care:crisis", "core:healthz"})


class MutuaLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Login is the default for pages. The JSON API does its own authentication (tokens or session)
    and answers 401 in JSON rather than redirecting to a login page."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[Any, Any],
    ) -> HttpResponseBase | None:
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class RejectNulBytesMiddleware:
    """PostgreSQL cannot store or compare text containing NUL bytes and raises a DataError, which
    would surface as a 500. No legitimate input contains one, so refuse it up front with a 400 —
    in the path, the query string, or a JSON body. (Form fields already reject them.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            message = str(_("The request contained a character that is not allowed."))
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "invalid"}, status=400)
            # The page repeats the current address (the language switcher's "next"): without the
            # NUL bytes, which have no place in HTML either.
            request.path = request.path.replace("\x00", "")
            request.META["QUERY_STRING"] = request.META.get("QUERY_STRING", "").replace("\x00", "")
            return errorviews.bad_request(request)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", ""):
            return True
        if any("\x00" in v for values in request.GET.lists() for v in values[1]):
            return True
        if request.content_type == "application/json":
            body = request.body
            return b"\\u0000" in body or b"\x00" in body
        return False


class DatabaseUnavailableMiddleware:
    """When the database cannot be reached, answer 503 (JSON under /api/) instead of a 500 or, worse,
    a redirect to the login page for a person whose session simply could not be read.

    It sits right after AuthenticationMiddleware and loads the person there, while it can still
    decide: if that fails, only the views in WORKS_WITHOUT_DATABASE run; everything else gets the
    503 in `process_view`, before LoginRequiredMiddleware could mistake the person for a visitor.
    The session is never written or flushed, so the person is still logged in once it is back.
    Errors raised later by a view are turned into the same 503 by `process_exception`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            request.user.is_authenticated  # noqa: B018 - loads the session and the person now
        except DATABASE_UNAVAILABLE:
            request.database_unavailable = True  # type: ignore[attr-defined]
            # The views that still run must not try the database again for the person: an empty
            # cache makes the session read as empty in memory. Nothing marks it modified, so
            # SessionMiddleware neither saves nor deletes it and the cookie stays as it was.
            request.user = AnonymousUser()
            request.session._session_cache = {}  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[Any, Any],
    ) -> HttpResponse | None:
        if not getattr(request, "database_unavailable", False):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in WORKS_WITHOUT_DATABASE:
            return None
        return service_unavailable(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            return service_unavailable(request)
        return None


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer to a signed-in person and on every API answer, so
    that no shared computer's browser cache or proxy keeps a page that shows who is in which group.
    Public pages for visitors keep whatever caching they had."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/") or self._signed_in(request):
            response["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _signed_in(request: HttpRequest) -> bool:
        # The person was loaded on the way in (or replaced by AnonymousUser when the database is
        # down), so this reads memory only. A response that logs the person in or out is private too.
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated) or bool(
            getattr(request, "session", None) is not None and request.session.modified
        )


class ErrorPagesMiddleware:
    """With DEBUG on (as in `make run`), Django answers an unknown address, an `Http404`, a bad
    request and a crash with its own technical pages: English, no header, no crisis link. This puts
    Mutua's own pages there, so development shows what people will see. (With DEBUG off Django
    already calls the handlers in mutua/urls.py; this middleware then does nothing.)

    It is the last middleware, so its `process_exception` runs first: errors of a database that
    cannot be reached are left to DatabaseUnavailableMiddleware (503), PermissionDenied to Django,
    which calls handler403 in both modes. A crash's traceback still goes to the console log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # No view matched the address (Resolver404): Django built its technical 404 before any
        # view middleware could step in, so replace it here. Views' own 404s carry a resolver match.
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            return errorviews.not_found(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not settings.DEBUG or isinstance(exception, (PermissionDenied, *DATABASE_UNAVAILABLE)):
            return None
        if isinstance(exception, Http404):
            return errorviews.not_found(request, exception)
        if isinstance(exception, (BadRequest, SuspiciousOperation, MultiPartParserError)):
            return errorviews.bad_request(request, exception)
        logger.error("Internal Server Error: %s", request.path, exc_info=exception)
        return errorviews.server_error(request)
