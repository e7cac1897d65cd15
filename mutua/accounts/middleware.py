import zoneinfo
from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Activates a signed-in person's chosen language and time zone. Language order: profile, then
    the cookie and browser (Django's LocaleMiddleware), then English."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        try:
            authenticated = user is not None and user.is_authenticated
        except DatabaseError:
            # The database is down. Carry on as anonymous so the pages that can work without it
            # (the crisis page) still do, and leave the session untouched so nobody is logged out.
            request.user = AnonymousUser()
            request.session._session_cache = {}  # type: ignore[attr-defined]
            authenticated = False
            user = None
        if authenticated and user is not None:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language  # type: ignore[attr-defined]
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language() or "en")
        return response
