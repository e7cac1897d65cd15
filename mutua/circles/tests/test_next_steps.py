"""No dead ends (issue 7): a waiting list or a closed group offers similar groups with a free seat and
"Find me a group"; the leave page names the person's own group."""

import pytest

from conftest import client_for, join
from mutua.circles.models import Place
from mutua.circles.selectors import circles_similar
from mutua.core.i18n import Visitor


@pytest.fixture
def full(make_circle, make_user):
    """A full grief group in Barcelona (max 5) with one person waiting."""
    circle = make_circle(name="Full circle", max_members=5)
    for _ in range(4):
        join(circle, make_user())
    waiting = make_user()
    join(circle, waiting)
    return circle, waiting


def similar_codes(circle, visitor=None):
    return [c.code for c in circles_similar(circle=circle, visitor=visitor or Visitor())]


def test_similar_groups_share_family_and_language_are_near_or_online_and_have_a_seat(
    full, make_circle, make_user, content
):
    circle, _waiting = full
    same_item = make_circle(name="Z same item", place=content["sabadell"])
    same_family = make_circle(name="A same family", experience=content["partner"])
    online = make_circle(name="B online", experience=content["partner"], mode="online", place=None)
    make_circle(name="other family", experience=content["alcohol"])
    make_circle(name="other language", languages=["en"])
    make_circle(name="too far", place=content["madrid"])
    make_circle(name="closed", open=False)
    make_circle(name="unlisted", listed=False)
    other_full = make_circle(name="another full one", max_members=5)
    for _ in range(4):
        join(other_full, make_user())
    # The same item first, then the nearest, online last.
    assert similar_codes(circle) == [same_item.code, same_family.code, online.code]


def test_similar_groups_of_an_online_group_are_not_limited_by_place(make_circle, content):
    circle = make_circle(mode="online", place=None, open=False)
    madrid = make_circle(place=content["madrid"])
    assert similar_codes(circle) == [madrid.code]


def test_similar_groups_put_the_visitors_country_first_after_item_and_distance(make_circle, content):
    circle = make_circle(mode="online", place=None, open=False)
    lisbon = Place.objects.create(
        slug="lisbon",
        country="PT",
        latitude=38.72,
        longitude=-9.14,
        timezone="Europe/Lisbon",
        name_en="Lisbon",
        name_es="Lisboa",
        name_it="Lisbona",
        name_ca="Lisboa",
    )
    pt = make_circle(name="A Lisbon", place=lisbon)
    es = make_circle(name="B Madrid", place=content["madrid"])
    assert similar_codes(circle, Visitor("es", "ES")) == [es.code, pt.code]
    assert similar_codes(circle, Visitor("es", "PT")) == [pt.code, es.code]


def test_waiting_list_page_offers_similar_groups_and_find_me_a_group(full, make_circle):
    circle, waiting = full
    other = make_circle(name="Seats free here")
    body = client_for(waiting).get(f"/groups/{circle.code}/status/").content.decode()
    assert "Other groups you could join now" in body
    assert f"/groups/{other.code}/" in body and 'href="/find/"' in body


def test_waiting_list_page_says_so_when_nothing_similar_has_a_seat(full):
    circle, waiting = full
    body = client_for(waiting).get(f"/groups/{circle.code}/status/").content.decode()
    assert "No similar group has a free seat near here right now." in body and 'href="/find/"' in body


def test_closed_group_page_offers_similar_groups(make_circle, client):
    closed = make_circle(name="Closed circle", open=False)
    other = make_circle(name="Open circle")
    body = client.get(f"/groups/{closed.code}/").content.decode()
    assert "not taking newcomers" in body
    assert f"/groups/{other.code}/" in body and 'href="/find/"' in body


def test_full_group_page_offers_similar_groups_but_its_waiting_person_is_not_pushed_away(
    full, make_circle, client
):
    circle, waiting = full
    other = make_circle(name="Open circle")
    assert f"/groups/{other.code}/" in client.get(f"/groups/{circle.code}/").content.decode()
    mine = client_for(waiting).get(f"/groups/{circle.code}/").content.decode()
    assert "Other groups you could join now" not in mine


def test_a_group_taking_newcomers_shows_no_similar_groups(make_circle, client):
    circle = make_circle()
    make_circle(name="Open circle")
    assert "Other groups you could join now" not in client.get(f"/groups/{circle.code}/").content.decode()


def test_leave_page_names_the_members_own_group(make_circle, make_user):
    circle = make_circle(name="Tuesday grief circle")
    member = make_user()
    join(circle, member)
    body = client_for(member).get(f"/groups/{circle.code}/leave/").content.decode()
    assert "Leave “Tuesday grief circle”?" in body
    # Never in the title (P7: titles may be seen over a shoulder or in history).
    assert "Tuesday grief circle" not in body.split("</title>")[0]


def test_leave_page_names_the_group_of_the_waiting_list(full):
    circle, waiting = full
    body = client_for(waiting).get(f"/groups/{circle.code}/leave/").content.decode()
    assert "Leave the waiting list of “Full circle”?" in body


def test_outsider_still_gets_404_on_the_leave_page(make_circle, make_user):
    circle = make_circle(name="Secret name")
    response = client_for(make_user()).get(f"/groups/{circle.code}/leave/")
    assert response.status_code == 404 and b"Secret name" not in response.content


def test_a_person_offered_a_seat_is_not_shown_other_groups(make_circle, make_user):
    circle = make_circle(max_members=5)
    people = [make_user() for _ in range(5)]
    for person in people:
        join(circle, person)
    from mutua.circles import services

    services.membership_leave(circle=circle, user=people[0])  # people[4] is offered the freed seat
    body = client_for(people[4]).get(f"/groups/{circle.code}/status/").content.decode()
    assert "A seat is free for you" in body and "Other groups you could join now" not in body


def test_api_lists_similar_groups_like_the_pages(full, make_circle, client, content):
    circle, _waiting = full
    near = make_circle(name="Near", place=content["sabadell"])
    make_circle(name="Far", place=content["madrid"])
    data = client.get(f"/api/v1/groups/{circle.code}/similar").json()
    assert [g["code"] for g in data] == [near.code]
    assert data[0]["accepting_newcomers"] is True and 15 < data[0]["distance_km"] < 25
    assert client.get("/api/v1/groups/zzzzzzzzzz/similar").status_code == 404
