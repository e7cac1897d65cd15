"""Starting a group (§3.2): the founder becomes its first member and holds no special rights (P5)."""

from conftest import client_for
from mutua.circles.models import Circle, CircleStatus, Membership, PledgeAcceptance

FORM = {
    "name": "Tuesday evenings",
    "experience": "alcohol",
    "languages": ["es", "ca"],
    "mode": "in_person",
    "place": "barcelona",
    "description": "We meet on Tuesdays.",
    "max_members": 8,
    "listed": "on",
    "open": "on",
    "pseudonym": "Roure",
    "confirms_experience": "on",
    "accepts_pledge": "on",
    "pledge_version": 1,
}


def test_start_a_group_makes_the_founder_its_first_member(make_user, content):
    person = make_user()
    response = client_for(person).post("/groups/new/", FORM)
    circle = Circle.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/groups/{circle.code}/home/"
    assert (circle.status, circle.member_count, circle.max_members) == (CircleStatus.FORMING, 1, 8)
    assert sorted(circle.languages) == ["ca", "es"]
    assert Membership.objects.get(circle=circle).pseudonym == "Roure"
    assert PledgeAcceptance.objects.filter(circle=circle, user=person).count() == 1
    assert len(circle.code) >= 10 and "alcohol" not in circle.code


def test_in_person_group_needs_an_area_and_keeps_input(make_user, content):
    response = client_for(make_user()).post("/groups/new/", {**FORM, "place": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_place"' in body and 'value="Tuesday evenings"' in body
    assert not Circle.objects.exists()


def test_online_group_drops_any_place(make_user, content):
    client_for(make_user()).post("/groups/new/", {**FORM, "mode": "online"})
    assert Circle.objects.get().place is None


def test_maximum_size_outside_5_to_12_is_refused(make_user, content):
    response = client_for(make_user()).post("/groups/new/", {**FORM, "max_members": 20})
    assert response.status_code == 400
    assert not Circle.objects.exists()


def test_unverified_person_cannot_start_a_group(make_user, content):
    response = client_for(make_user(verified=False)).post("/groups/new/", FORM)
    assert response.status_code == 400
    assert b"confirm your email" in response.content
    assert not Circle.objects.exists()
