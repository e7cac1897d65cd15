"""Every newcomer's welcome step (§3.2, decision 0021): shown once, right after becoming a member by
any path (join, seat accepted, join request admitted, group formed by matching), with the agreements,
the rhythm and next meeting, how a meeting works, and the crisis path."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import client_for, join
from mutua.circles import services
from mutua.circles.join_requests import join_request_respond
from mutua.circles.models import Circle, Membership, MembershipStatus
from mutua.meetings.schedule import weekly


def welcome_url(circle):
    return f"/groups/{circle.code}/welcome/"


def home_url(circle):
    return f"/groups/{circle.code}/home/"


def shown_once(c, circle):
    """The home sends the newcomer to the welcome step; after "Continue to the group" it no longer does."""
    first = c.get(home_url(circle))
    assert first.status_code == 302 and first["Location"] == welcome_url(circle)
    page = c.get(welcome_url(circle))
    assert page.status_code == 200 and "Continue to the group" in page.content.decode()
    go = c.post(welcome_url(circle))
    assert go.status_code == 302 and go["Location"] == home_url(circle)
    assert c.get(home_url(circle)).status_code == 200
    # Still there to read again, from the home's link.
    assert welcome_url(circle) in c.get(home_url(circle)).content.decode()
    assert c.get(welcome_url(circle)).status_code == 200


def join_page(c, circle, pseudonym="Alba"):
    return c.post(
        f"/groups/{circle.code}/join/",
        {
            "pseudonym": pseudonym,
            "confirms_experience": "on",
            "accepts_pledge": "on",
            "pledge_version": 1,
            "agreements_version": circle.agreements_version,
        },
    )


def test_after_joining_on_the_join_page(make_circle, make_user):
    circle = make_circle()
    person = make_user()
    c = client_for(person)
    assert join_page(c, circle).status_code == 302
    shown_once(c, circle)


def test_after_taking_an_offered_seat(make_circle, make_user):
    circle = make_circle(max_members=5)
    leaver = make_user()
    join(circle, leaver)
    for _ in range(3):
        join(circle, make_user())
    waiting = make_user()
    join(circle, waiting)
    assert Membership.objects.get(user=waiting).status == MembershipStatus.WAITING
    services.membership_leave(circle=circle, user=leaver)
    assert Membership.objects.get(user=waiting).status == MembershipStatus.OFFERED
    c = client_for(waiting)
    assert c.post(f"/groups/{circle.code}/seat/accept/").status_code == 302
    shown_once(c, circle)


def test_after_a_join_request_is_admitted(make_circle, make_user):
    founder = make_user()
    circle = make_circle(founder=founder)
    Circle.objects.filter(pk=circle.pk).update(reviews_newcomers=True)
    circle.refresh_from_db()
    newcomer = make_user()
    m = services.membership_join(
        circle=circle,
        user=newcomer,
        pseudonym="Lark",
        confirms_experience=True,
        accepts_pledge=True,
        pledge_version=1,
    )
    join_request_respond(circle=circle, user=founder, request_ref=m.request_ref, decision="welcome")
    shown_once(client_for(newcomer), circle)


def test_after_a_group_forms_by_matching(make_user, django_capture_on_commit_callbacks):
    from mutua.circles.consent import current_pledge_version
    from mutua.matching import services as matching
    from mutua.matching.models import GroupOffer, OfferKind
    from mutua.matching.tests.test_matching_flow import register, start_run

    call_command("load_content", verbosity=0)
    people = [make_user() for _ in range(5)]
    for p in people:
        register(p)
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    offer = GroupOffer.objects.get(kind=OfferKind.NEW_GROUP)
    for i, p in enumerate(people):
        matching.proposal_accept(
            user=p,
            offer_code=offer.code,
            pseudonym=f"Person {i}",
            confirms_experience=True,
            accepts_pledge=True,
            pledge_version=current_pledge_version(),
        )
    circle = Circle.objects.get()
    # The first to accept founded it (circle_create_consented): a newcomer like the others.
    for p in (people[0], people[3]):
        shown_once(client_for(p), circle)


def test_a_founder_who_creates_a_group_goes_straight_to_its_home(make_circle, make_user):
    founder = make_user()
    circle = make_circle(founder=founder)
    assert client_for(founder).get(home_url(circle)).status_code == 200


def test_someone_who_comes_back_is_welcomed_again(make_circle, make_user):
    circle = make_circle()
    person = make_user()
    join(circle, person)  # welcomed then
    services.membership_leave(circle=circle, user=person)
    c = client_for(person)
    assert join_page(c, circle, pseudonym="Back").status_code == 302
    shown_once(c, circle)


def test_reading_the_welcome_step_writes_nothing(make_circle, make_user):
    circle = make_circle()
    person = make_user()
    join(circle, person, welcomed=False)
    c = client_for(person)
    for _ in range(2):
        assert c.get(welcome_url(circle)).status_code == 200
    assert Membership.objects.get(user=person).welcomed_at is None
    assert c.get(home_url(circle))["Location"] == welcome_url(circle)


def test_the_welcome_step_says_what_a_newcomer_needs(make_circle, make_user):
    from mutua.governance.models import OwnAgreement

    circle = make_circle(mode="online", place=None)
    start = timezone.now() + timedelta(days=2)
    services.circle_schedule_set(
        circle=circle, rhythm=weekly(start.weekday(), 19, "Europe/Madrid", start.date()), user=None
    )
    OwnAgreement.objects.create(
        circle=circle, version=circle.agreements_version, title="Phones away", text="We silence them."
    )
    OwnAgreement.objects.create(
        circle=circle, version=circle.agreements_version + 1, title="Not yet", text="A draft."
    )
    person = make_user()
    join(circle, person, "Lark", welcomed=False)
    page = client_for(person).get(welcome_url(circle)).content.decode()
    assert "Lark" in page
    # The agreements in force: the host's basic ones and the group's own of the current version.
    assert "Respect" in page and "Phones away" in page and "Not yet" not in page
    # When the group meets, and the next meeting.
    assert "Every week" in page and "Next meeting" in page
    # How a meeting works: rounds, passing, confidentiality.
    assert "rounds" in page and "pass your turn" in page and "stays in the group" in page
    # The crisis path.
    assert 'href="/help/"' in page and "emergency number" in page


def test_a_group_without_a_meeting_time_says_so(make_circle, make_user):
    circle = make_circle()
    person = make_user()
    join(circle, person, welcomed=False)
    page = client_for(person).get(welcome_url(circle)).content.decode()
    assert "The group has no meeting time yet." in page and "still forming" in page


@pytest.mark.parametrize("who", ["outsider", "waiting", "former"])
def test_only_members_reach_the_welcome_step(personas, who):
    c = client_for(personas[who])
    circle = personas["circle"]
    assert c.get(welcome_url(circle)).status_code == 404
    assert c.post(welcome_url(circle)).status_code == 404


def test_members_before_the_welcome_step_existed_are_not_sent_to_it(make_circle, make_user):
    """Migration 0009 marks existing members as welcomed (they are not newcomers)."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("mutua.circles.migrations.0009_join_requests_welcome")
    circle = make_circle()
    member = make_user()
    join(circle, member, welcomed=False)
    Membership.objects.filter(circle=circle).update(welcomed_at=None)
    migration.members_already_welcomed(apps, None)
    assert Membership.objects.get(user=member).welcomed_at is not None
    assert client_for(member).get(home_url(circle)).status_code == 200
