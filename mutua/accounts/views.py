from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutua.accounts import services
from mutua.accounts.backends import BACKEND_PATH
from mutua.accounts.forms import ApiTokenForm, LoginForm, PasswordResetForm, ProfileForm, SignupForm
from mutua.care.selectors import country_choices
from mutua.core.access import account, public
from mutua.core.errors import DomainError
from mutua.core.http import AuthenticatedHttpRequest
from mutua.core.i18n import current_language

# Where a person was going when sign-up or login interrupted them ("Join" on a group page), kept in
# the session of the browser that signed up. Not in the confirmation link: a link in a mailbox that
# names a group would tell whoever reads the mailbox which group the person wanted (P7), and the
# task that sends it keeps only the person's id (task rows are visible to host staff).
NEXT_SESSION_KEY = "mutua_next"


def safe_next(request: HttpRequest, value: object) -> str:
    """`value` if it is a path on this site, else "": never an open redirect to another host."""
    if not isinstance(value, str) or not value.startswith("/"):
        return ""
    allowed = url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return value if allowed else ""


def remember_next(request: HttpRequest, value: object) -> None:
    """Keep a safe destination for after the email is confirmed (or the next login here)."""
    target = safe_next(request, value)
    if target:
        request.session[NEXT_SESSION_KEY] = target


def pop_next(request: HttpRequest) -> str:
    """The remembered destination, once, re-checked (the session may predate a host change)."""
    return safe_next(request, request.session.pop(NEXT_SESSION_KEY, ""))


@public
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url or "circles:mine")
    form = SignupForm(
        request.POST or None, initial={"language": current_language(), "timezone": "Europe/Madrid"}
    )
    if request.method == "POST" and form.is_valid():
        # Remembered on both branches (new account or address already taken), so the answer is the
        # same either way; whoever logs in or confirms in this browser then lands where they meant to.
        remember_next(request, next_url)
        services.account_signup(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            display_name=form.cleaned_data["display_name"],
            language=form.cleaned_data["language"],
            timezone_name=form.cleaned_data["timezone"],
        )
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@public
@require_safe
def signup_done(request: HttpRequest) -> HttpResponse:
    # The person may confirm on another device (a phone's mail app); this page then offers the login
    # that still leads to where they were going.
    next_url = safe_next(request, request.session.get(NEXT_SESSION_KEY, ""))
    return render(request, "accounts/signup_done.html", {"next": next_url})


@public
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link (GET) changes nothing: it shows a button. Mail scanners and link previews
    open links by GET, and the link works once, so only the person's own click (POST) confirms."""
    if request.method == "GET":
        if not services.verification_link_is_valid(code=token):
            return render(
                request, "accounts/verify_failed.html", {"error": services.LINK_NOT_VALID}, status=400
            )
        return render(request, "accounts/verify_confirm.html")
    try:
        user = services.account_verify(code=token)
    except DomainError as exc:
        return render(request, "accounts/verify_failed.html", {"error": exc.message}, status=400)
    if user.is_staff or user.is_superuser:
        # A link in a mailbox must never open the admin: staff log in with their password (and their
        # second factor) like any other time.
        messages.success(request, _("Your email address is confirmed. Please log in."))
        next_url = safe_next(request, request.session.get(NEXT_SESSION_KEY, ""))
        login_url = reverse("accounts:login")
        return redirect(f"{login_url}?{urlencode({'next': next_url})}" if next_url else login_url)
    # The friendly path: the link logs a member in, once (using it changes the state its token
    # covers, so the same link cannot log in again). Read the destination before logging in:
    # login() keeps the session's data but the key is popped here so it is used once.
    next_url = pop_next(request)
    login(request, user, backend=BACKEND_PATH)
    messages.success(request, _("Your email address is confirmed. Welcome to Mutua."))
    return redirect(next_url or "circles:mine")


class LogoutView(auth_views.LogoutView):
    """Logging out also tells the browser to drop what it kept from the session: cached pages (a
    shared computer's back button must not show someone's groups), cookies and storage."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


class LoginView(auth_views.LoginView):
    """Django's login, plus the destination remembered at sign-up: a person who confirmed their
    address on another device and logs in here still lands where they were going."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        request = request or self.request
        return super().get_redirect_url(request) or safe_next(
            request, request.session.get(NEXT_SESSION_KEY, "")
        )

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)  # logs in and redirects, the remembered place included
        self.request.session.pop(NEXT_SESSION_KEY, None)
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        # Not confirmed yet: a new link is on its way, and it should lead where this login would have.
        if form.has_error(NON_FIELD_ERRORS, "unverified"):
            remember_next(self.request, self.get_redirect_url())
        return super().form_invalid(form)


login_view = public(LoginView.as_view())
logout_view = public(LogoutView.as_view())
password_reset = public(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        form_class=PasswordResetForm,
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete"),
    )
)
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)


@account
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST or None,
        country_choices=country_choices(),
        initial={
            "display_name": user.display_name,
            "language": user.language or current_language(),
            "timezone": user.timezone,
            "country": user.country,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.profile_update(
            user=user,
            display_name=form.cleaned_data["display_name"],
            language=form.cleaned_data["language"],
            timezone_name=form.cleaned_data["timezone"],
            country=form.cleaned_data["country"],
        )
        translation.activate(form.cleaned_data["language"])
        messages.success(request, _("Your profile is saved."))
        response = redirect("accounts:profile")
        response.set_cookie("django_language", form.cleaned_data["language"], samesite="Lax")
        return response
    return render(request, "accounts/profile.html", {"form": form})


@account
@require_http_methods(["GET", "POST"])
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _row, new_token = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error("name", str(exc))
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "new_token": new_token, "tokens": request.user.api_tokens.all()},
    )


@account
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    try:
        services.api_token_revoke(user=request.user, token_id=token_id)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The token is revoked. Apps using it can no longer connect."))
    return redirect("accounts:tokens")


@public
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher: a plain form, no JavaScript. Saved to the profile when signed in."""
    lang = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if lang in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.profile_set_language(user=request.user, language=lang)
        response.set_cookie("django_language", lang, samesite="Lax", max_age=60 * 60 * 24 * 365)
    return response
