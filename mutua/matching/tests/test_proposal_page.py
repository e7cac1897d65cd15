"""Where the proposal page leads after a yes: into the group when the person now has a seat in it,
back to the proposal while a new group still waits for enough people."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import client_for, join
from mutua.circles.consent import current_pledge_version
from mutua.circles.models import Experience, Membership, MembershipStatus
from mutua.matching.models import GroupOffer, OfferKind, Proposal, ProposalStatus
from mutua.matching.tests.test_matching_flow import meet_on_tuesdays_at_19, register, start_run


def _yes(pseudonym: str) -> dict[str, object]:
    return {
        "pseudonym": pseudonym,
        "confirms_experience": "on",
        "accepts_pledge": "on",
        "pledge_version": current_pledge_version(),
    }


@pytest.fixture
def loaded(db):
    call_command("load_content", verbosity=0)


def test_yes_to_a_seat_leads_into_the_group(make_user, make_circle, django_capture_on_commit_callbacks):
    call_command("load_content", verbosity=0)  # after make_circle's own content, which it updates
    circle = make_circle(experience=Experience.objects.get(slug="alcohol"), mode="online", place=None)
    for _ in range(4):
        join(circle, make_user())
    meet_on_tuesdays_at_19(circle)
    seeker = make_user()
    register(seeker, availability=[1 * 24 + 19])
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    offer = GroupOffer.objects.get(kind=OfferKind.SEAT)
    r = client_for(seeker).post(reverse("matching:proposal", args=[offer.code]), _yes("Nueva"))
    assert r.status_code == 302
    assert r["Location"] == reverse("circles:home", kwargs={"code": circle.code})
    assert Membership.objects.get(user=seeker, circle=circle).status == MembershipStatus.MEMBER


def test_yes_to_a_new_group_that_has_not_formed_stays_on_the_proposal(
    loaded, make_user, django_capture_on_commit_callbacks
):
    people = [make_user() for _ in range(6)]
    for p in people:
        register(p)
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    offer = GroupOffer.objects.get(kind=OfferKind.NEW_GROUP)
    r = client_for(people[0]).post(reverse("matching:proposal", args=[offer.code]), _yes("Alba"))
    assert r.status_code == 302
    assert r["Location"] == reverse("matching:proposal", kwargs={"code": offer.code})
    assert Proposal.objects.get(user=people[0]).status == ProposalStatus.ACCEPTED
    offer.refresh_from_db()
    assert offer.circle_id is None


def test_the_yes_that_forms_the_group_leads_into_it(loaded, make_user, django_capture_on_commit_callbacks):
    """The fifth yes forms the group inside the service: the page must see the group just formed (the
    offer as it is after the yes, not the copy it read before), and lead the person into it."""
    from django.conf import settings

    people = [make_user() for _ in range(6)]
    for p in people:
        register(p)
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    offer = GroupOffer.objects.get(kind=OfferKind.NEW_GROUP)
    proposed = [p.user for p in offer.proposals.order_by("pk")]
    needed = settings.MUTUA_MIN_MEMBERS
    for i, person in enumerate(proposed[: needed - 1]):
        r = client_for(person).post(reverse("matching:proposal", args=[offer.code]), _yes(f"Persona{i}"))
        assert r["Location"] == reverse("matching:proposal", kwargs={"code": offer.code})
    last = proposed[needed - 1]
    r = client_for(last).post(reverse("matching:proposal", args=[offer.code]), _yes("Ultima"))
    offer.refresh_from_db()
    assert offer.circle is not None
    assert r.status_code == 302
    assert r["Location"] == reverse("circles:home", kwargs={"code": offer.circle.code})
