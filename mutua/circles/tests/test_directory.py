"""The public directory (§3.1): filters, distance, pagination, and constant query counts."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import join
from mutua.circles.selectors import DirectoryFilters, directory_search, places_within
from mutua.matching.engine.geo import haversine_km


def codes(page):
    return {c.code for c in page.object_list}


def test_haversine_matches_known_distance():
    # Barcelona – Madrid is about 505 km as the crow flies.
    assert 500 < haversine_km(41.3874, 2.1686, 40.4168, -3.7038) < 510
    assert haversine_km(1, 1, 1, 1) == 0


def test_places_within_uses_the_one_formula(content):
    near = places_within(content["bcn"], 30)
    assert set(near) == {content["bcn"].pk, content["sabadell"].pk}
    assert near[content["bcn"].pk] == 0
    expected = float(haversine_km(41.3874, 2.1686, 41.5463, 2.1086))
    assert abs(near[content["sabadell"].pk] - expected) < 1e-9


def test_family_filter_includes_its_items_and_item_filter_is_exact(make_circle, content):
    child = make_circle(experience=content["child"])
    partner = make_circle(experience=content["partner"])
    alcohol = make_circle(experience=content["alcohol"])
    assert codes(directory_search(filters=DirectoryFilters(experience="grief"))) == {child.code, partner.code}
    assert codes(directory_search(filters=DirectoryFilters(experience="alcohol"))) == {alcohol.code}


def test_language_filter(make_circle):
    es = make_circle(languages=["es"])
    bilingual = make_circle(languages=["ca", "es"])
    en = make_circle(languages=["en"])
    assert codes(directory_search(filters=DirectoryFilters(language="es"))) == {es.code, bilingual.code}
    assert codes(directory_search(filters=DirectoryFilters(language="en"))) == {en.code}


def test_mode_filter_counts_hybrid_as_both(make_circle, content):
    inp = make_circle(mode="in_person")
    online = make_circle(mode="online", place=None)
    hybrid = make_circle(mode="hybrid")
    assert codes(directory_search(filters=DirectoryFilters(mode="in_person"))) == {inp.code, hybrid.code}
    assert codes(directory_search(filters=DirectoryFilters(mode="online"))) == {online.code, hybrid.code}


def test_distance_filter_and_order(make_circle, content):
    bcn = make_circle(place=content["bcn"])
    sabadell = make_circle(place=content["sabadell"])
    madrid = make_circle(place=content["madrid"])
    near = directory_search(filters=DirectoryFilters(place="barcelona", radius_km=25))
    assert [c.code for c in near.object_list] == [bcn.code, sabadell.code]
    assert madrid.code not in codes(
        directory_search(filters=DirectoryFilters(place="barcelona", radius_km=100))
    )
    assert madrid.code in codes(directory_search(filters=DirectoryFilters(place="barcelona", radius_km=600)))


def test_accepting_filter_excludes_full_and_closed(make_circle, make_user):
    open_one = make_circle()
    closed = make_circle(open=False)
    full = make_circle(max_members=5)
    for _ in range(4):
        join(full, make_user())
    found = codes(directory_search(filters=DirectoryFilters(accepting=True)))
    assert open_one.code in found and closed.code not in found and full.code not in found


def test_unlisted_groups_are_not_in_the_directory_but_have_a_public_page(make_circle, client):
    hidden = make_circle(listed=False)
    assert hidden.code not in codes(directory_search(filters=DirectoryFilters()))
    assert client.get(f"/groups/{hidden.code}/").status_code == 200


def test_pagination_and_constant_query_count(make_circle, make_user, client):
    founder = make_user()
    for i in range(45):
        make_circle(founder=founder, name=f"Group {i:02d}")
    page1 = directory_search(filters=DirectoryFilters(page_size=20))
    page3 = directory_search(filters=DirectoryFilters(page=3, page_size=20))
    assert page1.paginator.count == 45 and len(page1.object_list) == 20 and len(page3.object_list) == 5
    assert not set(codes(page1)) & set(codes(page3))

    def count(size):
        with CaptureQueriesContext(connection) as ctx:
            page = directory_search(filters=DirectoryFilters(page_size=size, place="barcelona"))
            for c in page.object_list:
                _ = (c.experience.name, c.place.name, c.languages, c.size_band)
        return len(ctx)

    assert count(5) == count(40)


def test_directory_page_renders_results_and_htmx_partial(make_circle, client):
    circle = make_circle(name="Tuesday evenings")
    full = client.get("/groups/?experience=grief")
    assert full.status_code == 200 and b"Tuesday evenings" in full.content and b"<html" in full.content
    partial = client.get("/groups/?experience=grief", headers={"HX-Request": "true"})
    assert b"Tuesday evenings" in partial.content and b"<html" not in partial.content
    assert circle.code.encode() in partial.content


def test_directory_empty_state_offers_next_steps(client, content):
    body = client.get("/groups/?experience=alcohol").content
    assert b"No group matches" in body and b"/groups/new/" in body


def test_directory_bad_filter_values_do_not_crash(client, content):
    r = client.get("/groups/?experience=nope&radius=abc&page=-3&mode=x")
    assert r.status_code == 200 and b"error-summary" in r.content


def test_public_page_never_shows_members_or_emails(make_circle, make_user, client):
    person = make_user(email="hidden@example.org")
    circle = make_circle()
    join(circle, person, "Secretname")
    body = client.get(f"/groups/{circle.code}/").content.decode()
    assert "Secretname" not in body and "Founder" not in body and "hidden@example.org" not in body
    assert circle.experience.name in body
