import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

# Where the session keeps the time (whole seconds since the epoch) of the person's last request.
LAST_ACTIVITY_KEY = "mutua_last_activity"
# Refreshing the time on every request would write the session row on every request; once a minute
# is precise enough for a timeout counted in tens of minutes.
LAST_ACTIVITY_RESOLUTION_SECONDS = 60


IDLE_MESSAGE = gettext_lazy(
    "For your privacy, you were logged out after a while without activity. Please log in again."
)


class SessionIdleTimeoutMiddleware:
    """Logs a person out after SESSION_IDLE_TIMEOUT_SECONDS without a request, so a session left open
    on a shared or lost device does not stay usable for the whole SESSION_COOKIE_AGE.

    It runs after DatabaseUnavailableMiddleware: when the database is down the session reads as empty
    in memory, so nobody is logged out by an outage."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            now = int(timezone.now().timestamp())
            last = session.get(LAST_ACTIVITY_KEY)
            if isinstance(last, int) and now - last > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                # Flushes the session (a new, empty one) and makes the person anonymous; the login
                # requirement then sends them to the login page like anyone else.
                logout(request)
                messages.info(
                    request,
                    IDLE_MESSAGE,
                )
            elif not isinstance(last, int) or now - last >= LAST_ACTIVITY_RESOLUTION_SECONDS:
                session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


class UserPreferencesMiddleware:
    """Activates a signed-in person's chosen language and time zone. Language order: profile, then
    the cookie and browser (Django's LocaleMiddleware), then English."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The person is already loaded (DatabaseUnavailableMiddleware did it, and stands in an
        # anonymous user when the database cannot be reached), so this never queries.
        user = request.user
        if user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language() or "en")
        return response
