from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mutua.accounts import services
from mutua.accounts.backends import BACKEND_PATH
from mutua.accounts.forms import ApiTokenForm, LoginForm, PasswordResetForm, ProfileForm, SignupForm
from mutua.care.selectors import country_choices
from mutua.core.access import account, public
from mutua.core.errors import DomainError
from mutua.core.i18n import current_language


@public
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("circles:mine")
    form = SignupForm(
        request.POST or None, initial={"language": current_language(), "timezone": "Europe/Madrid"}
    )
    if request.method == "POST" and form.is_valid():
        services.account_signup(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            display_name=form.cleaned_data["display_name"],
            language=form.cleaned_data["language"],
            timezone_name=form.cleaned_data["timezone"],
        )
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


@public
@require_safe
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html")


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
        return redirect("accounts:login")
    # The friendly path: the link logs a member in, once (using it changes the state its token
    # covers, so the same link cannot log in again).
    login(request, user, backend=BACKEND_PATH)
    messages.success(request, _("Your email address is confirmed. Welcome to Mutua."))
    return redirect("circles:mine")


class LogoutView(auth_views.LogoutView):
    """Logging out also tells the browser to drop what it kept from the session: cached pages (a
    shared computer's back button must not show someone's groups), cookies and storage."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


login_view = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
    )
)
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
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST or None,
        country_choices=country_choices(),
        initial={
            "display_name": user.display_name,  # type: ignore[union-attr]
            "language": user.language or current_language(),  # type: ignore[union-attr]
            "timezone": user.timezone,  # type: ignore[union-attr]
            "country": user.country,  # type: ignore[union-attr]
        },
    )
    if request.method == "POST" and form.is_valid():
        services.profile_update(
            user=user,  # type: ignore[arg-type]
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
def tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _row, new_token = services.api_token_create(user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        except DomainError as exc:
            form.add_error("name", str(exc))
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "new_token": new_token, "tokens": request.user.api_tokens.all()},  # type: ignore[union-attr]
    )


@account
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.api_token_revoke(user=request.user, token_id=token_id)  # type: ignore[arg-type]
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
            request.user.language = lang  # type: ignore[union-attr]
            request.user.save(update_fields=["language"])  # type: ignore[union-attr]
        response.set_cookie("django_language", lang, samesite="Lax", max_age=60 * 60 * 24 * 365)
    return response
