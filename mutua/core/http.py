"""Typed requests for views that only a signed-in person can reach.

Django types `request.user` as "a person or an anonymous visitor". Views marked `account` or
`circle` (see `mutua.core.access`) are only ever reached by a signed-in person, because
`MutuaLoginRequiredMiddleware` sends everyone else to the login page first, and API operations
with an `auth=` are only run once the token or session check found a person. Annotating such a
view's request as `AuthenticatedHttpRequest` states that promise once, instead of a
`# type: ignore` on every use of `request.user`:

    @account
    def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
        request.user.timezone  # a `User`, never an `AnonymousUser`

The annotation checks nothing at run time: use it only where the login requirement already holds
(a view marked `public` keeps `HttpRequest` and tests `request.user.is_authenticated`).
"""

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    # Only for the annotation: `core` imports nothing above it at run time.
    from mutua.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request from a signed-in person (`request.user` is a `User`)."""

    user: "User"
