"""A second factor for host staff (DESIGN §2: staff sign in with TOTP before the admin).

Staff log in like everyone else, through the one throttled login form (`accounts:login`). The admin
then asks for a code from their authenticator app (`/admin/login/`, answered by `admin_login`); a
staff member without a device is sent to `otp_enrol`, which shows a new secret once and confirms it
with a first code. django-otp keeps the devices, refuses a code used twice and slows down guessing
after each wrong code (its throttling, stored on the device row, so it holds across workers).

The first enrolment is trust on first use: whoever holds a staff password before its owner enrols
could enrol their own authenticator. Hosts create staff accounts and ask them to enrol at once; a
superuser can remove a lost device in the admin so its owner enrols again.
"""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from mutua.accounts.models import User
from mutua.core.access import account
from mutua.core.http import AuthenticatedHttpRequest
from mutua.core.models import audit

DEVICE_NAME = "authenticator"


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Six-digit code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "off"}
        ),
    )

    def clean_token(self) -> str:
        token = "".join(str(self.cleaned_data["token"]).split())
        if not token.isdigit():
            raise forms.ValidationError(gettext_lazy("Enter the digits only."), code="invalid")
        return token


def confirmed_devices(user: User) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def _check(device: TOTPDevice, token: str) -> str | None:
    """None when the code is right; otherwise the message to show."""
    allowed, _extra = device.verify_is_allowed()
    if not allowed:
        return _("Too many wrong codes. Please wait a moment, then try the newest code.")
    if device.verify_token(token):
        return None
    return _("That code is not right, or it was already used. Try the newest code from your app.")


def _verified(request: HttpRequest, device: TOTPDevice, next_url: str) -> HttpResponseRedirect:
    otp_login(request, device)
    # The session now carries more privilege than before: give it a new key.
    request.session.cycle_key()
    return HttpResponseRedirect(next_url)


def admin_login(request: HttpRequest) -> HttpResponse:
    """`/admin/login/`. Anonymous people go to the one login form; staff who logged in there are asked
    for their code (or sent to set up an authenticator); anyone else is told this is for staff."""
    next_url = _next_url(request)
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(next_url, reverse("accounts:login"))
    if not (user.is_active and user.is_staff):
        return render(request, "accounts/otp_staff_only.html", status=403)
    if user.is_verified():  # type: ignore[attr-defined]  # set by django-otp's middleware
        return HttpResponseRedirect(next_url)
    devices = confirmed_devices(user)
    if not devices:
        return HttpResponseRedirect(f"{reverse('accounts:otp_enrol')}?{urlencode({'next': next_url})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = ""
        for device in devices:
            error = _check(device, form.cleaned_data["token"]) or ""
            if not error:
                return _verified(request, device, next_url)
        form.add_error("token", error)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


@account
@never_cache
@require_http_methods(["GET", "POST"])
def otp_enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app: for staff without a confirmed device only, so a secret is shown
    once and never again once it is in use."""
    user = request.user
    if not user.is_staff:
        raise Http404
    next_url = _next_url(request)
    if confirmed_devices(user):
        return HttpResponseRedirect(f"{reverse('admin:login')}?{urlencode({'next': next_url})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = _check(device, form.cleaned_data["token"])
        if error is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            audit("staff.otp_enrolled", actor=user)
            messages.success(request, _("Your authenticator app is set up."))
            return _verified(request, device, next_url)
        form.add_error("token", error)
    secret = b32encode(device.bin_key).decode()
    uri = device.config_url
    context = {
        "form": form,
        "next": next_url,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "otpauth_uri": uri,
        # An SVG data URI: no script, no inline style, allowed by the policy's img-src data:.
        "qr_data_uri": segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
    }
    return render(request, "accounts/otp_enrol.html", context)
