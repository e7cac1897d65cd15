"""P2: nobody can add another person to a group — no form, API field, import or admin action."""

import inspect
import json

from django.contrib import admin

from conftest import client_for
from mutua.accounts.services import api_token_create
from mutua.circles import services
from mutua.circles.models import Circle, Membership


def memberships_of(user):
    return list(Membership.objects.filter(user=user))


def test_p2_join_form_ignores_another_persons_id(make_circle, make_user):
    circle = make_circle()
    actor, victim = make_user(), make_user()
    client_for(actor).post(
        f"/groups/{circle.code}/join/",
        {
            "pseudonym": "Alba",
            "confirms_experience": "on",
            "accepts_pledge": "on",
            "pledge_version": 1,
            "user": victim.pk,
            "user_id": victim.pk,
            "email": victim.email,
            "member": victim.pk,
        },
    )
    assert memberships_of(victim) == []
    assert len(memberships_of(actor)) == 1


def test_p2_api_join_ignores_another_persons_id(make_circle, make_user):
    circle = make_circle()
    actor, victim = make_user(), make_user()
    _row, raw = api_token_create(user=actor, name="t")
    body = {
        "pseudonym": "Alba",
        "confirms_experience": True,
        "accepts_pledge": True,
        "pledge_version": 1,
        "user": victim.pk,
        "user_id": victim.pk,
        "email": victim.email,
    }
    client_for(None).post(
        f"/api/v1/groups/{circle.code}/join",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert memberships_of(victim) == []
    assert len(memberships_of(actor)) == 1


def test_p2_create_group_form_cannot_enrol_others(make_user, content):
    actor, victim = make_user(), make_user()
    client_for(actor).post(
        "/groups/new/",
        {
            "name": "New",
            "experience": "alcohol",
            "languages": ["es"],
            "mode": "online",
            "description": "x",
            "max_members": 10,
            "listed": "on",
            "open": "on",
            "pseudonym": "Me",
            "confirms_experience": "on",
            "accepts_pledge": "on",
            "pledge_version": 1,
            "members": [victim.pk],
            "user": victim.pk,
        },
    )
    assert Circle.objects.count() == 1
    assert memberships_of(victim) == []
    assert len(memberships_of(actor)) == 1


def test_p2_leave_and_seat_endpoints_act_only_on_the_requester(make_circle, make_user):
    circle = make_circle()
    member, other = make_user(), make_user()
    from conftest import join

    join(circle, member)
    client_for(other).post(f"/groups/{circle.code}/leave/", {"user": member.pk})
    assert Membership.objects.get(user=member).status == "member"


def test_p2_admin_offers_no_way_to_add_a_member(make_user, client):
    assert Membership not in admin.site._registry
    circle_admin = admin.site._registry[Circle]
    assert not circle_admin.get_inlines(None, None)
    assert circle_admin.has_add_permission(None) is False
    client = client_for(make_user(is_staff=True, is_superuser=True))  # past the second factor
    assert client.get("/admin/circles/membership/add/").status_code == 404


def test_p2_services_only_take_the_acting_person():
    """Every membership-writing service names exactly one person: the one acting."""
    writers = [
        services.membership_join,
        services.membership_leave,
        services.seat_accept,
        services.seat_decline,
        services.circle_create,
    ]
    for fn in writers:
        people = [
            p
            for p in inspect.signature(fn).parameters
            if p in {"user", "founder", "member", "person", "target", "users", "members"}
        ]
        assert people in (["user"], ["founder"]), (fn.__name__, people)


def test_p2_nobody_can_accept_someone_elses_proposal(make_user, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    from mutua.matching import services as matching
    from mutua.matching.models import GroupOffer, Proposal
    from mutua.matching.tests.test_matching_flow import register

    call_command("load_content", verbosity=0)
    people = [make_user() for _ in range(5)]
    for p in people:
        register(p)
    with django_capture_on_commit_callbacks(execute=True):
        matching.run_create(staff=make_user(is_staff=True))
    offer = GroupOffer.objects.get()
    intruder = make_user()
    _row, raw = api_token_create(user=intruder, name="t")
    body = {
        "pseudonym": "X",
        "confirms_experience": True,
        "accepts_pledge": True,
        "pledge_version": 1,
        "user": people[0].pk,
    }
    r = client_for(None).post(
        f"/api/v1/proposals/{offer.code}/accept",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert r.status_code == 404
    page = client_for(intruder).post(
        f"/find/proposals/{offer.code}/",
        {
            "pseudonym": "X",
            "confirms_experience": "on",
            "accepts_pledge": "on",
            "pledge_version": 1,
            "user": people[0].pk,
        },
    )
    assert page.status_code == 404
    assert set(Proposal.objects.values_list("status", flat=True)) == {"pending"}
    assert Membership.objects.count() == 0
