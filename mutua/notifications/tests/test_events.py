"""Each kind is recorded at the event it names, for the person concerned only, with a link that is
a page behind login (and, for a group, its gate); reminders are sent once."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from mutua.circles import services as circle_services
from mutua.circles.models import Membership, MembershipStatus
from mutua.matching import services as matching_services
from mutua.matching.models import GroupOffer, ProposalStatus
from mutua.matching.tests.test_matching_flow import accept, register, start_run
from mutua.notifications.models import Kind, Notification
from mutua.notifications.tests.conftest import free_a_seat


def kinds_of(user):
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("kind", flat=True))


def test_seat_offered_when_a_seat_frees_to_the_first_waiting_only(full_group):
    free_a_seat(full_group)
    offer = Membership.objects.get(user=full_group["first"])
    assert offer.status == MembershipStatus.OFFERED
    n = Notification.objects.get(user=full_group["first"])
    assert n.kind == Kind.SEAT_OFFERED and n.due_at == offer.offer_expires_at
    assert n.url == f"/groups/{full_group['circle'].code}/status/"
    assert kinds_of(full_group["second"]) == []
    assert all(kinds_of(m) == [] for m in full_group["members"][:-1])


def test_join_confirmed_when_the_offered_seat_is_taken(full_group):
    free_a_seat(full_group)
    circle_services.seat_accept(circle=full_group["circle"], user=full_group["first"])
    assert kinds_of(full_group["first"]) == [Kind.SEAT_OFFERED, Kind.JOIN_CONFIRMED]
    n = Notification.objects.get(user=full_group["first"], kind=Kind.JOIN_CONFIRMED)
    assert n.url == f"/groups/{full_group['circle'].code}/home/"


def test_an_unanswered_seat_offer_lapses_and_the_next_person_is_offered(full_group):
    free_a_seat(full_group)
    Membership.objects.filter(user=full_group["first"]).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1)
    )
    circle_services.seat_offers_tick()
    assert kinds_of(full_group["first"]) == [Kind.SEAT_OFFERED, Kind.OFFER_LAPSED]
    assert kinds_of(full_group["second"]) == [Kind.SEAT_OFFERED]
    # Nothing more on a second tick: the expiry was applied once.
    circle_services.seat_offers_tick()
    assert kinds_of(full_group["first"]) == [Kind.SEAT_OFFERED, Kind.OFFER_LAPSED]


def test_seat_offer_reminder_once_when_the_deadline_is_near(full_group):
    free_a_seat(full_group)
    first = full_group["first"]
    circle_services.seat_offers_tick()
    assert kinds_of(first) == [Kind.SEAT_OFFERED]  # 7 days left: no reminder yet
    Membership.objects.filter(user=first).update(offer_expires_at=timezone.now() + timedelta(hours=10))
    circle_services.seat_offers_tick()
    circle_services.seat_offers_tick()
    assert kinds_of(first) == [Kind.SEAT_OFFERED, Kind.SEAT_OFFER_EXPIRING]
    assert kinds_of(full_group["second"]) == []


@pytest.fixture
def loaded(db):
    call_command("load_content", verbosity=0)


@pytest.fixture
def proposed(loaded, make_user, django_capture_on_commit_callbacks):
    people = [make_user() for _ in range(6)]
    for p in people:
        register(p)
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    return people, GroupOffer.objects.get()


def test_proposal_received_by_each_person_proposed(proposed):
    people, offer = proposed
    for p in people:
        n = Notification.objects.get(user=p)
        assert n.kind == Kind.PROPOSAL_RECEIVED and n.due_at == offer.deadline
        assert n.url == f"/find/proposals/{offer.code}/"


def test_group_formed_for_those_who_said_yes_and_join_confirmed_for_a_later_yes(proposed):
    people, offer = proposed
    for p in people[:5]:
        accept(p, offer)
    offer.refresh_from_db()
    home = f"/groups/{offer.circle.code}/home/"
    for p in people[:5]:
        assert kinds_of(p) == [Kind.PROPOSAL_RECEIVED, Kind.GROUP_FORMED]
        assert Notification.objects.get(user=p, kind=Kind.GROUP_FORMED).url == home
    accept(people[5], offer)
    assert kinds_of(people[5]) == [Kind.PROPOSAL_RECEIVED, Kind.JOIN_CONFIRMED]


def test_proposal_deadline_reminder_once_and_only_to_those_who_have_not_answered(proposed):
    people, offer = proposed
    accept(people[0], offer)
    matching_services.proposals_tick()
    assert Notification.objects.filter(kind=Kind.PROPOSAL_DEADLINE).count() == 0  # a week left
    GroupOffer.objects.filter(pk=offer.pk).update(deadline=timezone.now() + timedelta(hours=5))
    matching_services.proposals_tick()
    matching_services.proposals_tick()
    reminded = set(Notification.objects.filter(kind=Kind.PROPOSAL_DEADLINE).values_list("user_id", flat=True))
    assert reminded == {p.pk for p in people[1:]}
    assert Notification.objects.filter(kind=Kind.PROPOSAL_DEADLINE).count() == 5


def test_offer_lapsed_for_everyone_when_a_new_group_does_not_form(proposed):
    people, offer = proposed
    accept(people[0], offer)
    matching_services.proposal_decline(user=people[1], offer_code=offer.code)
    GroupOffer.objects.filter(pk=offer.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    matching_services.proposals_tick()
    matching_services.proposals_tick()
    lapsed = set(Notification.objects.filter(kind=Kind.OFFER_LAPSED).values_list("user_id", flat=True))
    # Whoever said yes or did not answer is told; whoever said no already knows.
    assert lapsed == {p.pk for p in people} - {people[1].pk}
    assert Notification.objects.filter(kind=Kind.OFFER_LAPSED).count() == 5
    assert not offer.proposals.filter(status=ProposalStatus.PENDING).exists()
