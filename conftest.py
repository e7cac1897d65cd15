"""Shared fixtures: a tiny curated taxonomy and the personas of the access matrix."""

from typing import Any

import pytest
from django.test import Client

from mutua.circles import services
from mutua.circles.models import BasicAgreement, Experience, ExperienceFamily, Place, Pledge
from mutua.core.i18n import language_codes

PASSWORD = "a-long-test-password-42"  # noqa: S105 - test fixture


def names(field: str, text: str) -> dict[str, str]:
    return {f"{field}_{lang}": f"{text}" if lang == "en" else f"{text} ({lang})" for lang in language_codes()}


@pytest.fixture(autouse=True)
def _english_and_fast(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def content(db: Any) -> dict[str, Any]:
    fam = ExperienceFamily.objects.create(slug="grief", order=1, **names("name", "Grief and loss"))
    fam2 = ExperienceFamily.objects.create(slug="addictions", order=0, **names("name", "Addictions"))
    child = Experience.objects.create(family=fam, slug="loss-of-a-child", **names("name", "Loss of a child"))
    partner = Experience.objects.create(
        family=fam, slug="loss-of-a-partner", **names("name", "Loss of a partner")
    )
    alcohol = Experience.objects.create(family=fam2, slug="alcohol", **names("name", "Alcohol"))
    bcn = Place.objects.create(
        slug="barcelona",
        country="ES",
        latitude=41.3874,
        longitude=2.1686,
        timezone="Europe/Madrid",
        **names("name", "Barcelona"),
    )
    sabadell = Place.objects.create(
        slug="sabadell",
        country="ES",
        latitude=41.5463,
        longitude=2.1086,
        timezone="Europe/Madrid",
        **names("name", "Sabadell"),
    )
    madrid = Place.objects.create(
        slug="madrid",
        country="ES",
        latitude=40.4168,
        longitude=-3.7038,
        timezone="Europe/Madrid",
        **names("name", "Madrid"),
    )
    BasicAgreement.objects.create(
        slug="respect", order=0, **names("title", "Respect"), **names("text", "We respect.")
    )
    pledge = Pledge.objects.create(
        version=1, **names("title", "Pledge"), **names("text", "What is said stays here.")
    )
    return {
        "child": child,
        "partner": partner,
        "alcohol": alcohol,
        "bcn": bcn,
        "sabadell": sabadell,
        "madrid": madrid,
        "pledge": pledge,
        "family": fam,
    }


_counter = {"n": 0}


@pytest.fixture
def make_user(db: Any) -> Any:
    from django.contrib.auth import get_user_model

    def make(email: str | None = None, verified: bool = True, **extra: Any) -> Any:
        _counter["n"] += 1
        email = email or f"person{_counter['n']}@example.org"
        return get_user_model().objects.create_user(
            email=email,
            password=PASSWORD,
            display_name=f"Person {_counter['n']}",
            email_verified=verified,
            **extra,
        )

    return make


@pytest.fixture
def make_circle(content: dict[str, Any], make_user: Any) -> Any:
    def make(founder: Any = None, **kwargs: Any) -> Any:
        founder = founder or make_user()
        defaults: dict[str, Any] = dict(
            name="Thursday circle",
            experience=content["child"],
            languages=["es"],
            mode="in_person",
            place=content["bcn"],
            description="A calm group.",
            pseudonym="Founder",
            confirms_experience=True,
            accepts_pledge=True,
            # The current pledge: a test may load the shipped content, which carries a newer version.
            pledge_version=Pledge.objects.order_by("-version").first().version,  # type: ignore[union-attr]
        )
        defaults.update(kwargs)
        return services.circle_create(founder=founder, **defaults)

    return make


def join(circle: Any, user: Any, pseudonym: str | None = None, welcomed: bool = True) -> Any:
    """Join as a person who has been in the group a while: past its welcome step (`welcomed`), so its
    home opens at once (the welcome step itself: circles/tests/test_welcome.py)."""
    membership = services.membership_join(
        circle=circle,
        user=user,
        pseudonym=pseudonym or f"P{user.pk}",
        confirms_experience=True,
        accepts_pledge=True,
        pledge_version=Pledge.objects.order_by("-version").first().version,  # type: ignore[union-attr]
    )
    if welcomed and membership.status == "member":
        from mutua.circles.join_requests import welcome_done

        membership = welcome_done(circle=circle, user=user)
    return membership


@pytest.fixture
def personas(make_user: Any, make_circle: Any) -> dict[str, Any]:
    """A full group of 5 (max 5) with one person waiting and one who left, plus outsiders."""
    founder = make_user()
    circle = make_circle(founder=founder, max_members=5)
    member = make_user()
    join(circle, member, "Kestrel")
    for _ in range(2):
        join(circle, make_user())
    former = make_user()
    join(circle, former, "Wren")
    services.membership_leave(circle=circle, user=former)
    join(circle, make_user())  # takes the freed seat: the group is full again (5)
    waiting = make_user()
    join(circle, waiting, "Heron")
    circle.refresh_from_db()
    return {
        "circle": circle,
        "member": member,
        "waiting": waiting,
        "former": former,
        "outsider": make_user(),
        "staff": make_user(is_staff=True, is_superuser=True),
        "unverified": make_user(verified=False),
    }


def client_for(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
        if user.is_staff:
            otp_verify(c, user)
    return c


def otp_verify(c: Client, user: Any) -> None:
    """Staff pass their second factor (django-otp) in this client's session, as after a valid code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = c.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def make_user_plain(email: str, **extra: Any) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        email=email, password=PASSWORD, display_name=email.split("@")[0], email_verified=True, **extra
    )
