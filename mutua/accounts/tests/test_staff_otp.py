"""Host staff need a second factor (TOTP) before the admin (DESIGN §2). Staff log in through the one
login form, then `/admin/login/` asks for a code; without a device they are sent to set one up."""

import base64
import re
from binascii import unhexlify
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from mutua.core.models import AuditEvent

KEY = "3132333435363738393031323334353637383930"  # the RFC 6238 test key, hex


def code(key_hex: str, offset_steps: int = 0) -> str:
    totp = TOTP(unhexlify(key_hex), step=30, t0=0, digits=6)
    totp.time = totp.time + offset_steps * 30
    return f"{totp.token():06d}"


@pytest.fixture
def staff(make_user):
    return make_user(is_staff=True, is_superuser=True)


@pytest.fixture
def staff_with_device(staff):
    TOTPDevice.objects.create(user=staff, name="phone", key=KEY, confirmed=True)
    return staff


def password_session(user) -> Client:
    """A staff member who has only passed the password step."""
    c = Client()
    c.force_login(user)
    return c


def test_staff_with_only_a_password_cannot_reach_any_admin_page(staff_with_device):
    c = password_session(staff_with_device)
    for url in ("/admin/", "/admin/core/auditevent/", "/admin/accounts/user/"):
        response = c.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_staff_without_a_device_are_sent_to_set_one_up(staff):
    c = password_session(staff)
    response = c.get("/admin/login/?next=/admin/core/auditevent/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/account/staff/two-factor/"
    assert parse_qs(location.query)["next"] == ["/admin/core/auditevent/"]


def test_anonymous_admin_login_is_the_one_login_form(staff_with_device):
    c = Client()
    response = c.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=/admin/")
    # The admin login no longer takes a password: posting one logs nobody in.
    posted = c.post("/admin/login/", {"username": staff_with_device.email, "password": PASSWORD})
    assert posted.status_code == 302
    assert "_auth_user_id" not in c.session
    assert c.get("/admin/").status_code == 302


def test_a_right_code_opens_the_admin_and_a_wrong_one_is_refused(staff_with_device):
    c = password_session(staff_with_device)
    page = c.get("/admin/login/?next=/admin/accounts/user/")
    assert page.status_code == 200
    assert 'name="token"' in page.content.decode()
    assert 'autocomplete="one-time-code"' in page.content.decode()

    wrong = c.post("/admin/login/", {"token": "000000", "next": "/admin/accounts/user/"})
    assert wrong.status_code == 200
    assert "not right" in wrong.content.decode()
    assert c.get("/admin/").status_code == 302
    assert TOTPDevice.objects.get().throttling_failure_count == 1

    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    old_key = c.session.session_key
    right = c.post("/admin/login/", {"token": code(KEY), "next": "/admin/accounts/user/"})
    assert right.status_code == 302 and right["Location"] == "/admin/accounts/user/"
    assert c.session.session_key != old_key, "a session that gains privilege gets a new key"
    assert c.get("/admin/").status_code == 200
    assert c.get("/admin/accounts/user/").status_code == 200


def test_a_code_works_once(staff_with_device):
    token = code(KEY)
    first = password_session(staff_with_device)
    assert first.post("/admin/login/", {"token": token}).status_code == 302
    assert first.get("/admin/").status_code == 200
    second = password_session(staff_with_device)
    replay = second.post("/admin/login/", {"token": token})
    assert replay.status_code == 200
    assert second.get("/admin/").status_code == 302


def test_after_many_wrong_codes_even_the_right_one_waits(staff_with_device):
    TOTPDevice.objects.update(throttling_failure_count=10, throttling_failure_timestamp=timezone.now())
    c = password_session(staff_with_device)
    response = c.post("/admin/login/", {"token": code(KEY)})
    assert response.status_code == 200
    assert "Too many wrong codes" in response.content.decode()
    assert c.get("/admin/").status_code == 302


def test_an_outside_next_is_not_followed(staff_with_device):
    c = password_session(staff_with_device)
    response = c.post("/admin/login/", {"token": code(KEY), "next": "https://elsewhere.example/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_enrolment_shows_a_secret_once_and_confirms_it_with_a_code(staff):
    c = password_session(staff)
    page = c.get("/account/staff/two-factor/?next=/admin/")
    assert page.status_code == 200
    body = page.content.decode()
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    secret = base64.b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in body
    assert "otpauth://totp/" in body and f"secret={secret}" in body
    assert 'src="data:image/svg+xml' in body
    # Strict CSP: the page needs no inline script or style; and it is never cached.
    assert not re.search(r"<script(?![^>]*\bsrc=)", body) and "style=" not in body and "<style" not in body
    assert "no-store" in page["Cache-Control"]
    # Reloading shows the same key until it is confirmed.
    assert secret in c.get("/account/staff/two-factor/").content.decode().replace(" ", "")

    wrong = c.post("/account/staff/two-factor/", {"token": "123456", "next": "/admin/"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert c.get("/admin/").status_code == 302

    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    right = c.post("/account/staff/two-factor/", {"token": code(device.key), "next": "/admin/"})
    assert right.status_code == 302 and right["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert c.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action="staff.otp_enrolled", actor=staff, circle=None).count() == 1

    # Once in use, the secret is never shown again, even to its owner.
    again = c.get("/account/staff/two-factor/")
    assert again.status_code == 302
    assert secret not in again.content.decode()
    other_session = password_session(staff)
    followed = other_session.get("/account/staff/two-factor/", follow=True)
    assert secret not in followed.content.decode().replace(" ", "")
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_people_who_are_not_staff_have_no_second_factor_pages(make_user):
    c = password_session(make_user())
    assert c.get("/account/staff/two-factor/").status_code == 404
    assert not TOTPDevice.objects.exists()
    response = c.get("/admin/login/")
    assert response.status_code == 403
    assert "For host staff only" in response.content.decode()
    assert c.get("/admin/").status_code == 302


def test_the_admin_never_shows_a_device_key(staff_with_device):
    from conftest import client_for

    c = client_for(staff_with_device)
    device = TOTPDevice.objects.get(name="phone")
    body = c.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert KEY not in body
    assert base64.b32encode(device.bin_key).decode() not in body


def test_seed_demo_gives_the_demo_host_a_known_authenticator_key(db, make_user, capsys):
    from mutua.demo.seed import DEMO_TOTP_KEY, STAFF_EMAIL, demo_staff_otp

    host = make_user(email=STAFF_EMAIL, is_staff=True, is_superuser=True)
    first = demo_staff_otp()
    second = demo_staff_otp()
    assert first.pk == second.pk and TOTPDevice.objects.filter(user=host).count() == 1
    assert first.confirmed and base64.b32encode(first.bin_key).decode() == DEMO_TOTP_KEY
    # A person with the printed key in an authenticator app gets into the admin.
    c = password_session(host)
    assert c.post("/admin/login/", {"token": code(first.key)}).status_code == 302
    assert c.get("/admin/").status_code == 200


@pytest.mark.slow
def test_seed_demo_command_prints_how_to_get_codes_and_stays_idempotent(db, capsys, settings):
    from mutua.demo.seed import DEMO_TOTP_KEY

    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert out.count(DEMO_TOTP_KEY) >= 2
    assert TOTPDevice.objects.filter(user__email="host@mutua.test", confirmed=True).count() == 1
