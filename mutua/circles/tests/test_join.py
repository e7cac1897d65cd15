"""Joining, waiting lists and leaving (§3.2; P1, P2, P4, P7)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import client_for, join
from mutua.circles import services
from mutua.circles.models import CircleStatus, Membership, MembershipStatus, PledgeAcceptance
from mutua.core.errors import DomainError
from mutua.core.models import AuditEvent
from mutua.meetings.schedule import weekly


def test_p7_join_records_pledge_acceptance_with_versions(make_circle, make_user, content):
    circle = make_circle()
    person = make_user()
    m = join(circle, person, "Alba")
    assert m.status == MembershipStatus.MEMBER
    acceptance = PledgeAcceptance.objects.get(user=person, circle=circle)
    assert (acceptance.pledge_version, acceptance.agreements_version) == (1, circle.agreements_version)
    assert acceptance.accepted_at is not None


def test_p1_join_requires_confirming_the_shared_experience(make_circle, make_user, content):
    circle = make_circle()
    person = make_user()
    with pytest.raises(DomainError, match="share this group's experience"):
        services.membership_join(
            circle=circle,
            user=person,
            pseudonym="X",
            confirms_experience=False,
            accepts_pledge=True,
            pledge_version=1,
        )
    assert not Membership.objects.filter(user=person).exists()
    assert not PledgeAcceptance.objects.filter(user=person).exists()


def test_p7_join_with_stale_pledge_version_is_refused(make_circle, make_user, content):
    circle = make_circle()
    person = make_user()
    with pytest.raises(DomainError, match="changed"):
        services.membership_join(
            circle=circle,
            user=person,
            pseudonym="X",
            confirms_experience=True,
            accepts_pledge=True,
            pledge_version=0,
        )
    assert not Membership.objects.filter(user=person).exists()


def test_unverified_email_cannot_join(make_circle, make_user, content):
    circle = make_circle()
    person = make_user(verified=False)
    with pytest.raises(DomainError, match="confirm your email"):
        join(circle, person)


def test_joining_twice_is_a_clear_conflict_and_changes_nothing(make_circle, make_user):
    circle = make_circle()
    person = make_user()
    join(circle, person, "Alba")
    with pytest.raises(DomainError, match="already a member"):
        join(circle, person, "Other")
    assert Membership.objects.get(user=person).pseudonym == "Alba"
    circle.refresh_from_db()
    assert circle.member_count == 2


def test_pseudonym_must_be_unique_in_the_group_case_insensitively(make_circle, make_user):
    circle = make_circle()
    join(circle, make_user(), "Alba")
    with pytest.raises(DomainError, match="already uses that pseudonym"):
        join(circle, make_user(), "alba")


def test_pseudonym_cannot_be_an_email(make_circle, make_user):
    with pytest.raises(DomainError, match="@"):
        join(make_circle(), make_user(), "me@example.org")


def test_p4_full_group_puts_newcomer_on_waiting_list(make_circle, make_user):
    circle = make_circle(max_members=5)
    for _ in range(4):
        join(circle, make_user())
    circle.refresh_from_db()
    assert circle.member_count == 5 and circle.is_full
    late = make_user()
    m = join(circle, late)
    assert m.status == MembershipStatus.WAITING
    circle.refresh_from_db()
    assert circle.member_count == 5


def test_p4_freed_seat_is_offered_to_longest_waiting_who_must_accept(make_circle, make_user):
    circle = make_circle(max_members=5)
    members = [make_user() for _ in range(4)]
    for u in members:
        join(circle, u)
    first, second = make_user(), make_user()
    join(circle, first)
    join(circle, second)
    services.membership_leave(circle=circle, user=members[0])
    assert Membership.objects.get(user=first, circle=circle).status == MembershipStatus.OFFERED
    assert Membership.objects.get(user=second, circle=circle).status == MembershipStatus.WAITING
    # P2: the offer does not make anyone a member until they say yes.
    circle.refresh_from_db()
    assert circle.member_count == 4
    services.seat_accept(circle=circle, user=first)
    circle.refresh_from_db()
    assert circle.member_count == 5
    assert Membership.objects.get(user=first, circle=circle).status == MembershipStatus.MEMBER


def test_declined_seat_goes_to_the_next_person(make_circle, make_user):
    circle = make_circle(max_members=5)
    members = [make_user() for _ in range(4)]
    for u in members:
        join(circle, u)
    first, second = make_user(), make_user()
    join(circle, first)
    join(circle, second)
    services.membership_leave(circle=circle, user=members[1])
    services.seat_decline(circle=circle, user=first)
    assert Membership.objects.get(user=first, circle=circle).status == MembershipStatus.LEFT
    assert Membership.objects.get(user=second, circle=circle).status == MembershipStatus.OFFERED


def test_expired_offer_returns_person_to_back_of_list_and_passes_seat_on(make_circle, make_user):
    circle = make_circle(max_members=5)
    members = [make_user() for _ in range(4)]
    for u in members:
        join(circle, u)
    first, second = make_user(), make_user()
    join(circle, first)
    join(circle, second)
    services.membership_leave(circle=circle, user=members[2])
    Membership.objects.filter(user=first).update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    # Any write on the group refreshes offers; a third person joining the list is one.
    join(circle, make_user())
    assert Membership.objects.get(user=first, circle=circle).status == MembershipStatus.WAITING
    assert Membership.objects.get(user=second, circle=circle).status == MembershipStatus.OFFERED
    with pytest.raises(DomainError, match="no seat offer"):
        services.seat_accept(circle=circle, user=first)


def test_closed_group_refuses_newcomers(make_circle, make_user):
    circle = make_circle(open=False)
    with pytest.raises(DomainError, match="not taking newcomers"):
        join(circle, make_user())


def test_p2_leaving_is_one_step_with_no_reason_and_effective_on_next_request(make_circle, make_user):
    circle = make_circle()
    person = make_user()
    join(circle, person)
    c = client_for(person)
    assert c.get(f"/groups/{circle.code}/home/").status_code == 200
    response = c.post(f"/groups/{circle.code}/leave/")
    assert response.status_code == 302
    assert c.get(f"/groups/{circle.code}/home/").status_code == 404
    # The group's audit row names the member by membership id, never by person (P7).
    membership_id = circle.memberships.get(user=person).pk
    left = AuditEvent.objects.filter(action="membership.left", circle=circle, member_ref=membership_id)
    assert left.count() == 1


def test_leaving_twice_is_refused_cleanly(make_circle, make_user):
    circle = make_circle()
    person = make_user()
    join(circle, person)
    services.membership_leave(circle=circle, user=person)
    with pytest.raises(DomainError, match="not in this group"):
        services.membership_leave(circle=circle, user=person)
    assert client_for(person).post(f"/groups/{circle.code}/leave/").status_code == 404


def test_former_member_can_rejoin_with_a_fresh_acceptance(make_circle, make_user):
    circle = make_circle()
    person = make_user()
    join(circle, person, "Alba")
    services.membership_leave(circle=circle, user=person)
    m = join(circle, person, "Lluna")
    assert m.status == MembershipStatus.MEMBER and m.pseudonym == "Lluna"
    assert PledgeAcceptance.objects.filter(user=person, circle=circle).count() == 2


def test_p3_p4_group_forms_when_it_reaches_the_minimum(make_circle, make_user):
    """With a schedule (P3, decision 0004), the person who completes the minimum makes it active."""
    founder = make_user()
    circle = make_circle(founder=founder)
    start = timezone.now() + timedelta(days=1)
    services.circle_schedule_set(
        circle=circle, rhythm=weekly(start.weekday(), 19, "Europe/Madrid", start.date()), user=founder
    )
    circle.refresh_from_db()
    assert circle.status == CircleStatus.FORMING
    for _ in range(3):
        join(circle, make_user())
    circle.refresh_from_db()
    assert circle.status == CircleStatus.FORMING and circle.agreements_adopted_at is None
    join(circle, make_user())
    circle.refresh_from_db()
    assert circle.status == CircleStatus.ACTIVE and circle.agreements_adopted_at is not None


def test_join_page_keeps_input_and_shows_errors_in_spanish(make_circle, make_user):
    circle = make_circle()
    person = make_user(language="es")
    c = client_for(person)
    response = c.post(f"/groups/{circle.code}/join/", {"pseudonym": "Alba", "pledge_version": 1})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="Alba"' in body
    assert "Por favor" in body or "Confirma" in body
    assert not Membership.objects.filter(user=person).exists()


def test_join_page_full_journey_creates_membership(make_circle, make_user):
    circle = make_circle()
    person = make_user()
    c = client_for(person)
    response = c.post(
        f"/groups/{circle.code}/join/",
        {"pseudonym": "Alba", "confirms_experience": "on", "accepts_pledge": "on", "pledge_version": 1},
    )
    assert response.status_code == 302 and response["Location"] == f"/groups/{circle.code}/home/"
    # A newcomer reads the welcome step first (test_welcome.py), then the group's home.
    assert c.get(response["Location"])["Location"] == f"/groups/{circle.code}/welcome/"
    c.post(f"/groups/{circle.code}/welcome/")
    home = c.get(response["Location"]).content.decode()
    assert "Alba" in home and "Founder" in home
    assert person.email not in home
