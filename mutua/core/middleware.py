from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest


class MutuaLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Login is the default for pages. The JSON API does its own authentication (tokens or session)
    and answers 401 in JSON rather than redirecting to a login page."""

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
