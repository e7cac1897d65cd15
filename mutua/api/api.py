"""The JSON API under /api/v1/. Every endpoint calls the same services, selectors and the same
`access_circle` gate as the pages; none has rules of its own."""

from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger, _csrf_needed
from ninja.security import HttpBearer, SessionAuth

from mutua.accounts.services import api_token_authenticate
from mutua.core.errors import DomainError
from mutua.core.errorviews import service_unavailable


class TokenAuth(HttpBearer):
    """`Authorization: Bearer mt_…` with a personal token created in the profile."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
            # The pages take the profile's language in UserPreferencesMiddleware, which runs before a
            # token is read: without this, a token's answers would follow Accept-Language instead.
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        return user


class VerifiedSessionAuth(SessionAuth):
    """The browser session (with CSRF protection on writes), for the site's own pages."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and getattr(user, "email_verified", False):
            return user
        return None


# Answers any operation can give besides its own, documented once for the whole schema so clients (and
# the schemathesis run, which validates every response against the schema) can rely on them.
_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail"],
}
_VALIDATION = {
    "type": "object",
    "properties": {"detail": {"type": "array", "items": {"type": "object"}}},
    "required": ["detail"],
}
COMMON_RESPONSES: dict[str, tuple[str, dict[str, Any]]] = {
    "400": (
        "The request broke a rule (the message says which) or held a character that is not allowed.",
        _ERROR,
    ),
    "422": ("The request did not match the schema (each problem is listed).", _VALIDATION),
    "429": ("Too many requests: wait and try again.", _ERROR),
    "503": ("The service is unavailable for a moment (e.g. the database); try again later.", _ERROR),
}
AUTH_RESPONSES = {
    "401": ("Not signed in: send `Authorization: Bearer <token>` or use the browser session.", _ERROR),
    "403": ("A browser-session write without its CSRF token.", _ERROR),
}


CONSENT_REF = "#/components/schemas/ConsentRequiredMessage"


class MutuaAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for path, operations in schema.get("paths", {}).items():
            for op in operations.values():
                responses = op.setdefault("responses", {})
                extra = dict(COMMON_RESPONSES)
                if op.get("security"):
                    extra.update(AUTH_RESPONSES)
                # Inside a group, a 409 may be the gate's `consent_required`: say what that answer holds.
                conflict = responses.get(409) or responses.get("409")
                if conflict and "/groups/{code}/" in path and "$ref" in str(conflict):
                    conflict["content"] = {"application/json": {"schema": {"$ref": CONSENT_REF}}}
                for status, (text, body) in extra.items():
                    # ninja keys its own answers by int: an operation that documents 400 itself must not
                    # get a second "400" (duplicate keys in the JSON; Swagger UI refuses the schema).
                    if status in responses or int(status) in responses:
                        continue
                    responses[status] = {
                        "description": text,
                        "content": {"application/json": {"schema": body}},
                    }
        return schema


class MutuaDocs(Swagger):
    """Swagger UI served from our own origin (static/vendor/swagger-ui-*), started by a script file, in
    a page of the site (its language, header and crisis link): ninja's own page loads it from a CDN
    with an inline script, which the site's Content-Security-Policy rightly blocks."""

    def render_page(self, request: HttpRequest, api: "NinjaAPI", **kwargs: Any) -> HttpResponse:
        url = self.get_openapi_url(api, kwargs)
        # No validator: it would fetch a badge from validator.swagger.io (the CSP blocks it anyway). No
        # deep links: each would be a link inside the button opening an operation (axe: nested-interactive).
        config = {**self.settings, "url": url, "validatorUrl": None, "deepLinking": False}
        context = {"swagger_settings": config, "openapi_url": url, "add_csrf": _csrf_needed(api)}
        return render(request, "api/docs.html", context)


api = MutuaAPI(
    title="Mutua API",
    version="1",
    description=(
        "Everything a member can do in Mutua's pages. Authenticate with a personal token "
        "(`Authorization: Bearer …`, created in your profile) or the browser session."
    ),
    auth=[TokenAuth(), VerifiedSessionAuth()],
    urls_namespace="api",
    docs=MutuaDocs(),
)

# "consent_required" (circles.consent.ConsentRequired): a member must accept new agreements or a new
# pledge first; they are a member, so it is a 409 with that code, not the outsider's 404.
STATUS_FOR_CODE = {
    "invalid": 400,
    "not_found": 404,
    "conflict": 409,
    "consent_required": 409,
    "rate_limited": 429,
}


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body = {**exc.details, "detail": str(exc), "code": exc.code}
    return api.create_response(request, body, status=STATUS_FOR_CODE.get(exc.code, 400))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The same 503 as the pages (DatabaseUnavailableMiddleware); ninja would otherwise answer it.
    return service_unavailable(request)


# Routers are imported after `api` exists so they can share its error handling.
from mutua.api import routes  # noqa: E402
from mutua.governance import agreements_api  # noqa: E402
from mutua.governance.api import router as proposals_router  # noqa: E402
from mutua.governance.roles_api import router as roles_router  # noqa: E402
from mutua.matching import api as matching_api  # noqa: E402
from mutua.meetings import api as meetings_api  # noqa: E402
from mutua.meetings import calendar_api  # noqa: E402
from mutua.notifications import api as notifications_api  # noqa: E402

api.add_router("", routes.router)
api.add_router("", matching_api.router)
api.add_router("", notifications_api.router)
api.add_router("", meetings_api.router)
api.add_router("", calendar_api.router)
api.add_router("", roles_router)
api.add_router("", agreements_api.router)
api.add_router("", proposals_router)

__all__ = ["api"]
