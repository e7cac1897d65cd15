"""An outsider cannot probe a group's pseudonyms by joining and leaving without limit: join attempts
are counted per person and group (in the shared database counters)."""

import json

import pytest

from conftest import client_for, join
from mutua.accounts.services import api_token_create
from mutua.circles import services
from mutua.circles.models import Membership, MembershipStatus
from mutua.core.errors import DomainError

LIMIT = services.JOIN_RATE_LIMIT


def cycle(circle, person, pseudonym):
    join(circle, person, pseudonym)
    services.membership_leave(circle=circle, user=person)


def test_join_leave_cycles_are_limited_per_person_and_group(make_circle, make_user):
    circle = make_circle()
    prober = make_user()
    for i in range(LIMIT):
        cycle(circle, prober, f"Probe{i}")
    with pytest.raises(DomainError, match="too many times today") as exc:
        join(circle, prober, "Probe-last")
    assert exc.value.code == "rate_limited"
    assert Membership.objects.get(user=prober).status == MembershipStatus.LEFT
    # Someone else, and the same person elsewhere, are not affected.
    assert join(circle, make_user(), "Other").status == MembershipStatus.MEMBER
    assert join(make_circle(), prober, "Probe").status == MembershipStatus.MEMBER


def test_refused_pseudonym_guesses_count_too(make_circle, make_user):
    circle = make_circle()
    join(circle, make_user(), "Kestrel")
    prober = make_user()
    for _ in range(LIMIT):
        with pytest.raises(DomainError, match="already uses"):
            join(circle, prober, "kestrel")
    with pytest.raises(DomainError, match="too many times today"):
        join(circle, prober, "Fresh")
    assert not Membership.objects.filter(user=prober).exists()


def test_rate_limit_window_ends(make_circle, make_user):
    from mutua.core import ratelimit

    circle = make_circle()
    prober = make_user()
    for i in range(LIMIT):
        cycle(circle, prober, f"Probe{i}")
    ratelimit.reset(services.JOIN_RATE_SCOPE, f"{prober.pk}:{circle.pk}")
    assert join(circle, prober, "Back").status == MembershipStatus.MEMBER


def test_rate_limited_join_in_the_page_and_the_api(make_circle, make_user):
    circle = make_circle()
    prober = make_user()
    for i in range(LIMIT):
        cycle(circle, prober, f"Probe{i}")
    page = client_for(prober).post(
        f"/groups/{circle.code}/join/",
        {"pseudonym": "Again", "confirms_experience": "on", "accepts_pledge": "on", "pledge_version": 1},
    )
    assert page.status_code == 400 and b"too many times today" in page.content
    _row, raw = api_token_create(user=prober, name="t")
    r = client_for(None).post(
        f"/api/v1/groups/{circle.code}/join",
        data=json.dumps(
            {"pseudonym": "Again", "confirms_experience": True, "accepts_pledge": True, "pledge_version": 1}
        ),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert Membership.objects.get(user=prober).status == MembershipStatus.LEFT


def test_leaving_is_never_limited(make_circle, make_user):
    circle = make_circle()
    person = make_user()
    for i in range(LIMIT):
        cycle(circle, person, f"P{i}")
    assert Membership.objects.get(user=person).status == MembershipStatus.LEFT
