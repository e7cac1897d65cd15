"""P4: "holds a seat" has one definition (members and open seat offers), and the directory,
`Circle.accepting`/`is_full`, the API and join all agree on it."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import client_for, join
from mutua.accounts.services import api_token_create
from mutua.circles import services
from mutua.circles.models import Circle, Membership, MembershipStatus
from mutua.circles.selectors import DirectoryFilters, directory_search


def accepting_codes():
    return {c.code for c in directory_search(filters=DirectoryFilters(accepting=True)).object_list}


def api_view(circle):
    return client_for(None).get(f"/api/v1/groups/{circle.code}").json()


@pytest.fixture
def four_members_one_offer(make_circle, make_user):
    """Max 5: 4 members and 1 person holding an open seat offer."""
    circle = make_circle(max_members=5)
    members = [make_user() for _ in range(4)]
    for u in members:
        join(circle, u)
    waiting = make_user()
    join(circle, waiting)
    services.membership_leave(circle=circle, user=members[0])
    circle.refresh_from_db()
    assert circle.member_count == 4
    assert Membership.objects.get(user=waiting).status == MembershipStatus.OFFERED
    return circle, waiting


def test_an_open_offer_holds_its_seat_everywhere(four_members_one_offer, make_user):
    circle, _waiting = four_members_one_offer
    assert circle.memberships.holding_seat().count() == 5
    assert circle.seats_held == 5
    assert circle.is_full and not circle.accepting
    assert circle.code not in accepting_codes()
    data = api_view(circle)
    assert data["full"] is True and data["accepting_newcomers"] is False
    # …and a newcomer does land on the waiting list, as all of them said.
    assert join(Circle.objects.get(pk=circle.pk), make_user()).status == MembershipStatus.WAITING


def test_an_expired_offer_still_holds_the_seat_for_the_queue(four_members_one_offer, make_user):
    """The next write sends the person to the back of the list and offers the seat to whoever is then
    first (here the same person), so a newcomer never gets it: everyone must say full."""
    circle, waiting = four_members_one_offer
    Membership.objects.filter(user=waiting).update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    circle.refresh_from_db()
    assert circle.is_full and circle.code not in accepting_codes() and api_view(circle)["full"] is True
    assert join(circle, make_user()).status == MembershipStatus.WAITING
    assert Membership.objects.get(user=waiting).status == MembershipStatus.OFFERED


def test_when_the_offer_is_declined_and_nobody_waits_the_seat_is_free_everywhere(
    four_members_one_offer, make_user
):
    circle, waiting = four_members_one_offer
    services.seat_decline(circle=circle, user=waiting)
    circle.refresh_from_db()
    assert circle.seats_held == 4 and not circle.is_full and circle.accepting
    assert circle.code in accepting_codes()
    data = api_view(circle)
    assert data["full"] is False and data["accepting_newcomers"] is True
    assert join(circle, make_user()).status == MembershipStatus.MEMBER


def test_api_join_agrees_with_full(four_members_one_offer, make_user):
    circle, _waiting = four_members_one_offer
    person = make_user()
    _row, raw = api_token_create(user=person, name="t")
    r = client_for(None).post(
        f"/api/v1/groups/{circle.code}/join",
        data=json.dumps(
            {"pseudonym": "Late", "confirms_experience": True, "accepts_pledge": True, "pledge_version": 1}
        ),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert r.status_code == 201
    assert r.json()["status"] == "waiting" and r.json()["group"]["full"] is True


def test_seats_held_column_follows_every_change(make_circle, make_user):
    circle = make_circle(max_members=5)
    people = [make_user() for _ in range(5)]
    for u in people:
        join(circle, u)
    circle.refresh_from_db()
    assert (circle.member_count, circle.seats_held) == (5, 5)  # people[4] waits
    services.membership_leave(circle=circle, user=people[0])
    circle.refresh_from_db()
    assert (circle.member_count, circle.seats_held) == (4, 5)  # people[4] is offered the seat
    services.seat_accept(circle=circle, user=people[4])
    circle.refresh_from_db()
    assert (circle.member_count, circle.seats_held) == (5, 5)
    services.membership_leave(circle=circle, user=people[1])
    circle.refresh_from_db()
    assert (circle.member_count, circle.seats_held) == (4, 4)  # nobody waits


def test_live_statuses_are_defined_once():
    """No module spells out the live statuses itself: they come from `circles.models.LIVE_STATUSES`."""
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and path.name != "models.py"
        and "MembershipStatus.MEMBER, MembershipStatus.WAITING" in path.read_text()
    ]
    assert offenders == []
