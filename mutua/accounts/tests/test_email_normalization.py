"""One normal form for email addresses (NFKC + casefold + strip), used for storage, lookup and the
throttles, compared by exact equality. Runs on SQLite and PostgreSQL: `iexact` differs between them
(PostgreSQL's UPPER('ı') is 'I'), which let a dotless ı reach an account past its throttle."""

import importlib
import re
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AdminUserCreationForm
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms import modelform_factory

from conftest import PASSWORD
from mutua.accounts.normalize import check_email, normalize_email

User = get_user_model()

# Ways people (or an attacker) write maria@example.org that must all be the same address.
VARIANTS = [
    "Maria@Example.org",
    "MARIA@EXAMPLE.ORG",
    "  maria@example.org\t",
    "\u3000maria@example.org\u00a0",  # ideographic space, no-break space
    "ｍａｒｉａ＠ｅｘａｍｐｌｅ．ｏｒｇ",  # full-width
    "maria@EXAMPLE.ORG",
]
# Look-alikes that are *other* addresses: casefold keeps ı and turns İ into i + combining dot.
LOOKALIKES = ["marıa@example.org", "MARİA@example.org", "MARİA@EXAMPLE.ORG"]


@pytest.mark.parametrize("raw", VARIANTS)
def test_variants_normalise_to_one_address(raw):
    assert normalize_email(raw) == "maria@example.org"


@pytest.mark.parametrize("raw", ["Straße@example.org", "STRASSE@example.org", "STRAẞE@EXAMPLE.ORG"])
def test_casefold_not_just_lower(raw):
    # lower() leaves ß alone; casefold, the Unicode caseless form, gives "ss".
    assert normalize_email(raw) == "strasse@example.org"


@pytest.mark.parametrize("raw", LOOKALIKES)
def test_dotless_and_dotted_i_are_other_addresses(raw):
    assert normalize_email(raw) != "maria@example.org"
    assert normalize_email(raw) == normalize_email(normalize_email(raw))  # idempotent


@pytest.mark.parametrize("raw", ["ma ria@example.org", "maria@exa\u3000mple.org", "maria\t@example.org"])
def test_whitespace_inside_an_address_is_refused(raw, db):
    with pytest.raises(ValidationError):
        check_email(raw)
    with pytest.raises(ValidationError):
        User.objects.create_user(email=raw, password=PASSWORD)
    assert not User.objects.exists()


def test_create_user_stores_the_normal_form(db):
    user = User.objects.create_user(email="\u3000ＭＡＲＩＡ@Example.ORG ", password=PASSWORD)
    assert User.objects.values_list("email", flat=True).get(pk=user.pk) == "maria@example.org"


def test_any_save_stores_the_normal_form(make_user):
    user = make_user(email="maria@example.org")
    user.email = "Other@EXAMPLE.org"
    user.save()
    assert User.objects.values_list("email", flat=True).get(pk=user.pk) == "other@example.org"


@pytest.mark.parametrize("raw", VARIANTS)
def test_natural_key_lookup_finds_every_variant(make_user, raw):
    user = make_user(email="maria@example.org")
    assert User.objects.get_by_natural_key(raw) == user


@pytest.mark.parametrize("raw", LOOKALIKES)
def test_natural_key_lookup_is_exact_on_both_databases(make_user, raw):
    make_user(email="maria@example.org")
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key(raw)


@pytest.mark.parametrize("raw", VARIANTS)
def test_login_with_any_variant_reaches_the_account(client, make_user, raw):
    user = make_user(email="maria@example.org")
    response = client.post("/account/login/", {"username": raw, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_per_email_throttle_counts_every_variant_as_one_address(client, make_user, settings):
    settings.LOGIN_RATE_LIMIT = 5
    make_user(email="maria@example.org")
    for raw in VARIANTS[:5]:
        response = client.post("/account/login/", {"username": raw, "password": "wrong-password-1"})
        assert b"do not match" in response.content
    response = client.post("/account/login/", {"username": "maria@example.org", "password": PASSWORD})
    assert b"Too many attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_per_email_throttle_counts_caseless_variants_as_one_address(client, make_user, settings):
    settings.LOGIN_RATE_LIMIT = 3
    make_user(email="strasse@example.org")
    for raw in ["Straße@example.org", "straße@example.org", "STRAẞE@example.org"]:
        client.post("/account/login/", {"username": raw, "password": "wrong-password-1"})
    response = client.post("/account/login/", {"username": "strasse@example.org", "password": PASSWORD})
    assert b"Too many attempts" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("raw", LOOKALIKES)
def test_lookalike_address_cannot_bypass_the_throttle(client, make_user, settings, raw):
    # On PostgreSQL the old `iexact` lookup matched marıa@ to maria@ while the throttle counted it as
    # another address: with the account throttled, the right password still got in.
    settings.LOGIN_RATE_LIMIT = 3
    make_user(email="maria@example.org")
    for _ in range(3):
        client.post("/account/login/", {"username": "maria@example.org", "password": "wrong-password-1"})
    response = client.post("/account/login/", {"username": raw, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


SIGNUP = {
    "display_name": "Marta",
    "password": "blue-river-lamp-77",
    "language": "en",
    "timezone": "Europe/Madrid",
}
TARGET_VARIANTS = [
    "Target@Example.org",
    " target@example.org ",
    "TARGET@EXAMPLE.ORG",
    "ｔａｒｇｅｔ@example.org",
    "target@ｅｘａｍｐｌｅ.org",
]


def test_signup_with_variants_finds_the_existing_account_and_counts_one_address(
    client, make_user, django_capture_on_commit_callbacks
):
    make_user(email="target@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        for raw in TARGET_VARIANTS:
            response = client.post("/account/signup/", {**SIGNUP, "email": raw})
            assert response.status_code == 302 and response["Location"] == "/account/signup/check-email/"
    assert User.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["target@example.org"]] * 3
    assert all("already have one" in m.body for m in mail.outbox)


def test_signup_stores_the_normal_form(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/signup/", {**SIGNUP, "email": "ｎｅｗ@Example.ORG"})
    assert response.status_code == 302
    assert list(User.objects.values_list("email", flat=True)) == ["new@example.org"]
    assert mail.outbox[0].to == ["new@example.org"]


def test_password_reset_with_variants_counts_one_address(
    client, make_user, django_capture_on_commit_callbacks
):
    make_user(email="target@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        for raw in TARGET_VARIANTS:
            response = client.post("/account/password/reset/", {"email": raw})
            assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["target@example.org"]] * 3
    assert all(re.search(r"/account/password/reset/\S+/\S+/", m.body) for m in mail.outbox)


def admin_creation_form(data):
    # The form Django's UserAdmin builds for "add person" (ModelAdmin.get_form with add_fieldsets).
    form_class = modelform_factory(User, form=AdminUserCreationForm, fields=["email"])
    return form_class(data={"usable_password": "true", "password1": PASSWORD, "password2": PASSWORD, **data})


def test_admin_user_creation_stores_the_normal_form(db):
    form = admin_creation_form({"email": "New.Person@Example.ORG"})
    assert form.is_valid(), form.errors
    user = form.save()
    assert User.objects.values_list("email", flat=True).get(pk=user.pk) == "new.person@example.org"


def test_admin_user_creation_refuses_a_variant_of_an_existing_address(make_user):
    make_user(email="maria@example.org")
    form = admin_creation_form({"email": "MARIA@Example.org"})
    assert not form.is_valid()
    assert "email" in form.errors
    assert User.objects.count() == 1


def _migration():
    return importlib.import_module("mutua.accounts.migrations.0002_normalize_emails")


def test_data_migration_normalises_rows_and_leaves_collisions_alone(db, capsys):
    rows = {}
    for email in ["solo@example.org", "maria@example.org", "x1@x.org", "ana@x.org", "x2@x.org"]:
        rows[email] = User.objects.create_user(email=email, password=PASSWORD).pk
    # Write addresses as older code could have stored them (bypassing save(), which normalises).
    raw = {
        "solo@example.org": "  Solo@EXAMPLE.org",
        "x1@x.org": "Maria@Example.org",  # collides with maria@example.org, which is already normal
        "ana@x.org": "Ana@X.org",  # collides with x2@x.org below; neither is normal
        "x2@x.org": "ANA@X.ORG",
    }
    for email, stored in raw.items():
        User.objects.filter(pk=rows[email]).update(email=stored)
    _migration().normalize_existing(django_apps, SimpleNamespace(connection=connection))
    emails = dict(User.objects.values_list("pk", "email"))
    assert emails[rows["solo@example.org"]] == "solo@example.org"
    assert emails[rows["maria@example.org"]] == "maria@example.org"
    # Never merged, never deleted, never given another person's address: left for staff to resolve.
    assert emails[rows["x1@x.org"]] == "Maria@Example.org"
    assert emails[rows["ana@x.org"]] == "Ana@X.org"
    assert emails[rows["x2@x.org"]] == "ANA@X.ORG"
    assert User.objects.get_by_natural_key("MARIA@example.org").pk == rows["maria@example.org"]
    printed = capsys.readouterr().out
    assert "3 account(s)" in printed and "@" not in printed


def test_signup_refuses_an_address_with_spaces_inside(client, db):
    response = client.post("/account/signup/", {**SIGNUP, "email": "ma ria@example.org"})
    assert response.status_code == 200 and b"error-summary" in response.content
    assert not User.objects.exists()
