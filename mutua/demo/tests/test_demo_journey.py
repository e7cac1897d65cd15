"""The demo shows the whole journey (issue 7): demo people can log in, a matching run fills free
seats in existing groups, and the demo person's "Find me a group" completes a new group that
reaches five yeses by logging in as the other demo seekers (README, "Try the whole journey")."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from mutua.circles.models import Circle, Experience, Membership, MembershipStatus
from mutua.circles.services import current_pledge
from mutua.demo.seed import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    JOURNEY_EXPERIENCE,
    JOURNEY_SEEKERS,
    SEAT_SEEKER,
    STAFF_EMAIL,
)
from mutua.matching import services as matching_services
from mutua.matching.models import OfferKind, Proposal, ProposalStatus

TUESDAY_7PM = [1 * 24 + 19, 1 * 24 + 20]


def logged_in(email: str) -> Client:
    c = Client()
    response = c.post("/account/login/", {"username": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"{email} cannot log in with the demo password"
    return c


@pytest.fixture
def demo(db: Any) -> None:
    call_command("seed_demo", verbosity=0)


def test_the_whole_journey(demo, django_capture_on_commit_callbacks):
    # Every demo person can log in: the named ones, the group members and the waiting seekers.
    User = get_user_model()
    for email in [DEMO_EMAIL, *JOURNEY_SEEKERS, SEAT_SEEKER, "member001@demo.mutua.test"]:
        logged_in(email)
    assert User.objects.filter(email__startswith="seeker11-").count() == 200
    logged_in(User.objects.filter(email__startswith="seeker11-").order_by("pk").last().email)

    # The demo person asks for a group on "Find me a group", as the README says.
    demo_client = logged_in(DEMO_EMAIL)
    experience = Experience.objects.get(slug=JOURNEY_EXPERIENCE)
    page = demo_client.get("/find/")
    assert page.status_code == 200
    saved = demo_client.post(
        "/find/",
        {
            "experience": experience.slug,
            "languages": ["es"],
            "timezone": "Europe/Madrid",
            "availability": TUESDAY_7PM,
            "mode": "online",
            "max_travel_km": 10,
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]

    # Host staff start a run (the admin's button calls this service).
    with django_capture_on_commit_callbacks(execute=True):
        run = matching_services.run_inline(seed=0)
    assert run.status == "done", run.summary

    # Free seats in existing groups were offered, to the seat seeker among others.
    seat_offers = Proposal.objects.filter(offer__kind=OfferKind.SEAT)
    assert seat_offers.count() >= 3
    seat = seat_offers.get(user__email=SEAT_SEEKER)

    # The demo person's proposal is a new group with the four seekers who can log in.
    mine = Proposal.objects.get(user__email=DEMO_EMAIL)
    assert mine.offer.kind == OfferKind.NEW_GROUP
    together = set(mine.offer.proposals.values_list("user__email", flat=True))
    assert together >= {DEMO_EMAIL, *JOURNEY_SEEKERS}
    proposal_path = f"/find/proposals/{mine.offer.code}/"
    assert demo_client.get(proposal_path).status_code == 200

    # Five yeses, each by its own person, form the group.
    pledge = current_pledge().version
    for email in [DEMO_EMAIL, *JOURNEY_SEEKERS]:
        c = logged_in(email)
        with django_capture_on_commit_callbacks(execute=True):
            accepted = c.post(
                proposal_path,
                {
                    "pseudonym": email.split("@")[0].capitalize(),
                    "confirms_experience": "on",
                    "accepts_pledge": "on",
                    "pledge_version": pledge,
                },
            )
        assert accepted.status_code == 302, accepted.content.decode().split("<main")[1][:1500]
    mine.offer.refresh_from_db()
    formed = Circle.objects.get(pk=mine.offer.circle_id)
    members = set(
        Membership.objects.filter(circle=formed, status=MembershipStatus.MEMBER).values_list(
            "user__email", flat=True
        )
    )
    assert members >= {DEMO_EMAIL, *JOURNEY_SEEKERS}

    # The seat seeker takes the seat in the existing group.
    c = logged_in(SEAT_SEEKER)
    with django_capture_on_commit_callbacks(execute=True):
        c.post(
            f"/find/proposals/{seat.offer.code}/",
            {
                "pseudonym": "Cinco",
                "confirms_experience": "on",
                "accepts_pledge": "on",
                "pledge_version": pledge,
            },
        )
    seat.refresh_from_db()
    assert seat.status == ProposalStatus.ACCEPTED
    assert (
        Membership.objects.get(user__email=SEAT_SEEKER, circle=seat.offer.circle).status
        == MembershipStatus.MEMBER
    )


def test_seed_demo_is_idempotent(demo):
    before = (get_user_model().objects.count(), Circle.objects.count(), Proposal.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (get_user_model().objects.count(), Circle.objects.count(), Proposal.objects.count()) == before
    assert get_user_model().objects.filter(email=STAFF_EMAIL, is_staff=True).exists()
