import zoneinfo
from functools import cache
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from mutua.accounts import services
from mutua.accounts.backends import was_throttled
from mutua.accounts.models import User
from mutua.accounts.normalize import check_email
from mutua.core.organisation import organisation_name
from mutua.core.widgets import TimeZoneSelect


@cache
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(
        tz for tz in zoneinfo.available_timezones() if "/" in tz and not tz.startswith(("Etc/", "SystemV/"))
    )
    return [(tz, tz.replace("_", " ")) for tz in [*names, "UTC"]]


def language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class NormalizedEmailField(forms.EmailField):
    """An email field that yields the one normal form (mutua/accounts/normalize.py) and validates
    that form, so ｍａｒｔａ@ｅｘａｍｐｌｅ.org is accepted as marta@example.org."""

    def to_python(self, value: object) -> str:
        text = super().to_python(value) or ""
        return check_email(text) if text else text


def _name_help() -> str:
    # Read when the form is shown, in the person's language (settings are never read at import).
    return _("Only you and %(organisation)s can see it. In each group you choose a pseudonym.") % {
        "organisation": organisation_name()
    }


class SignupForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        help_text=lazy(_name_help, str)(),
    )
    email = NormalizedEmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters. A few unrelated words work well."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=language_choices)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices, widget=TimeZoneSelect)

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password


class LoginForm(AuthenticationForm):
    """Django's login form. The throttle itself is in the authentication backend, which every login
    path goes through (mutua/accounts/backends.py); this form only says when it refused."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email and password do not match. Check both and try again."),
        "throttled": _("Too many attempts. Please wait 15 minutes, or reset your password."),
        "unverified": _("Please confirm your email address first. We have sent you a new link."),
    }

    def __init__(self, request: HttpRequest | None = None, *args: object, **kwargs: object) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Email address")

    def get_invalid_login_error(self) -> ValidationError:
        if was_throttled(self.request):
            return ValidationError(self.error_messages["throttled"], code="throttled")
        return super().get_invalid_login_error()

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not user.email_verified:
            services.send_verification(user)
            raise forms.ValidationError(self.error_messages["unverified"], code="unverified")


class PasswordResetForm(forms.Form):
    """Asks for an address and queues the reset email through one service (no lookup here)."""

    email = NormalizedEmailField(
        label=_("Email address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def save(self, **_kwargs: object) -> None:
        # PasswordResetView passes mail settings (templates, domain, token generator); the task that
        # sends the mail decides those itself, after the response.
        services.password_reset_request(email=self.cleaned_data["email"])


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=80)
    language = forms.ChoiceField(label=_("Language"), choices=language_choices)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices, widget=TimeZoneSelect)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args: Any, country_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = cast(forms.ChoiceField, self.fields["country"])
        country.choices = [("", _("Not set")), *country_choices]


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80, help_text=_("For example: my phone app."))
