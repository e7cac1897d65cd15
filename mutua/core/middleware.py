from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class MutuaLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Login is the default for pages. The JSON API does its own authentication (tokens or session)
    and answers 401 in JSON rather than redirecting to a login page."""

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class RejectNulBytesMiddleware:
    """PostgreSQL cannot store or compare text containing NUL bytes and raises a DataError, which
    would surface as a 500. No legitimate input contains one, so refuse it up front with a 400 —
    in the path, the query string, or a JSON body. (Form fields already reject them.)"""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        if self._has_nul(request):
            message = str(_("The request contained a character that is not allowed."))
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "invalid"}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
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
