"""The one login throttle. Every way of logging in with a password — the login page, /admin/login/, any
form built on Django's AuthenticationForm — calls `django.contrib.auth.authenticate()`, which asks the
backends in settings.AUTHENTICATION_BACKENDS; this is the only one, so no path can skip the throttle.

Each attempt is counted *before* the password is checked, for the normalised email and for the client's
IP address (counters in the database, shared by every worker: mutua/core/ratelimit.py), and refused
when either count is over its limit. Counting first matters: had we checked first and counted only
failures afterwards, a burst of parallel attempts would all pass the check before any of them was
counted. The right password then clears the email's count and gives back the address's one attempt
(the address's failures are kept, or an attacker could clear them with an account of their own).
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from mutua.accounts.normalize import normalize_email
from mutua.core import ratelimit

BACKEND_PATH = "mutua.accounts.backends.ThrottledModelBackend"
# Set on the request when an attempt was refused by the throttle, so a login form can say so.
THROTTLED_ATTR = "mutua_login_throttled"
EMAIL_SCOPE = "login-email"
IP_SCOPE = "login-ip"


def client_ip(request: HttpRequest | None) -> str:
    # REMOTE_ADDR only: a client can forge X-Forwarded-For. Behind a proxy, the proxy (or a middleware
    # that trusts exactly one hop) must set REMOTE_ADDR.
    return str(request.META.get("REMOTE_ADDR", "")) if request is not None else ""


def ip_limit() -> int:
    # One address may be shared (a library, a household): it gets four times an email's attempts.
    return int(settings.LOGIN_RATE_LIMIT) * 4


def was_throttled(request: HttpRequest | None) -> bool:
    return bool(getattr(request, THROTTLED_ATTR, False))


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get("email")
        if username is None or password is None:
            return None
        email = normalize_email(username)
        ip = client_ip(request)
        over_email = ratelimit.hit(EMAIL_SCOPE, email) > int(settings.LOGIN_RATE_LIMIT)
        over_ip = bool(ip) and ratelimit.hit(IP_SCOPE, ip) > ip_limit()
        if over_email or over_ip:
            if request is not None:
                setattr(request, THROTTLED_ATTR, True)
            # PermissionDenied stops authenticate() from asking any other backend, and Django still
            # sends user_login_failed.
            raise PermissionDenied
        user = super().authenticate(request, username=email, password=password, **kwargs)
        if user is not None:
            ratelimit.reset(EMAIL_SCOPE, email)
            if ip:
                ratelimit.release(IP_SCOPE, ip)
        return user
