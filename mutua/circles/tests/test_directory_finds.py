"""The directory finds the near group (issue 7): a family or one item, the family's groups when an item
has none near, the visitor's language and country first, folded filters on a phone, next steps."""

import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from conftest import client_for, names
from mutua.circles.models import Place
from mutua.circles.selectors import DirectoryFilters, directory_search
from mutua.core.i18n import Visitor, visitor_of


def codes(page):
    return [c.code for c in page.object_list]


@pytest.fixture
def world(content):
    """Two places outside Spain, for the ordering tests."""
    london = Place.objects.create(
        slug="london",
        country="GB",
        latitude=51.5072,
        longitude=-0.1276,
        timezone="Europe/London",
        **names("name", "London"),
    )
    new_york = Place.objects.create(
        slug="new-york",
        country="US",
        latitude=40.7128,
        longitude=-74.006,
        timezone="America/New_York",
        **names("name", "New York"),
    )
    return {**content, "london": london, "new_york": new_york}


# --- a family or one item -------------------------------------------------------------------------


def test_page_accepts_a_family_and_lists_all_its_items(make_circle, client, content):
    child = make_circle(name="Child circle", experience=content["child"])
    partner = make_circle(name="Partner circle", experience=content["partner"])
    alcohol = make_circle(name="Alcohol circle", experience=content["alcohol"])
    body = client.get("/groups/?experience=grief").content.decode()
    assert "error-summary" not in body
    assert child.name in body and partner.name in body and alcohol.name not in body
    # The family is an option of its own, selected, at the head of its items.
    assert re.search(r'<optgroup label="Grief and loss"><option value="grief" selected>', body)


def test_item_with_no_group_near_shows_its_family_groups_near(make_circle, content):
    partner = make_circle(experience=content["partner"], place=content["sabadell"])
    make_circle(experience=content["partner"], place=content["madrid"])  # too far
    make_circle(experience=content["alcohol"], place=content["bcn"])  # another family
    filters = DirectoryFilters(experience="loss-of-a-child", place="barcelona", radius_km=25)
    page = directory_search(filters=filters)
    assert filters.fallback is True
    assert filters.family == content["family"] and filters.item == content["child"]
    assert codes(page) == [partner.code]


def test_no_fallback_when_the_item_has_a_group(make_circle, content):
    child = make_circle(experience=content["child"])
    make_circle(experience=content["partner"])
    filters = DirectoryFilters(experience="loss-of-a-child", place="barcelona")
    assert codes(directory_search(filters=filters)) == [child.code]
    assert filters.fallback is False


def test_fallback_keeps_the_other_filters(make_circle, content):
    make_circle(experience=content["partner"], languages=["en"])
    make_circle(experience=content["partner"], open=False)
    filters = DirectoryFilters(experience="loss-of-a-child", language="es", accepting=True)
    assert codes(directory_search(filters=filters)) == []
    assert filters.fallback is False


def test_fallback_sentence_names_item_place_and_family(make_circle, client, content):
    make_circle(name="Partner circle", experience=content["partner"], place=content["sabadell"])
    body = client.get("/groups/?experience=loss-of-a-child&place=barcelona&radius=25").content.decode()
    assert "Loss of a child: no group near Barcelona yet." in body
    assert "Grief and loss: 1 group meets nearby." in body
    assert "Partner circle" in body
    anywhere = client.get("/groups/?experience=loss-of-a-child").content.decode()
    assert (
        "Loss of a child: no group yet." in anywhere and "Grief and loss: 1 group you could join." in anywhere
    )


def test_api_says_when_the_family_fallback_was_used(make_circle, client, content):
    partner = make_circle(experience=content["partner"])
    data = client.get("/api/v1/directory?experience=loss-of-a-child&place=barcelona").json()
    assert data["fallback"] is True and data["fallback_family"] == "grief"
    assert [i["code"] for i in data["items"]] == [partner.code]
    exact = client.get("/api/v1/directory?experience=loss-of-a-partner").json()
    assert exact["fallback"] is False and exact["fallback_family"] is None


# --- the visitor's language and country first ------------------------------------------------------


@pytest.fixture
def spread(make_circle, world):
    """Named so that alphabetical order is the wrong answer for a Spanish visitor."""
    return {
        "london": make_circle(name="A London", languages=["en"], place=world["london"]),
        "new_york": make_circle(name="B New York", languages=["en"], place=world["new_york"]),
        "online_es": make_circle(name="F Online", languages=["es"], mode="online", place=None),
        "bcn_es": make_circle(name="D Barcelona", languages=["es"], place=world["bcn"]),
        "bcn_en": make_circle(name="E Barcelona English", languages=["en"], place=world["bcn"]),
    }


def api_codes(client, query="", accept_language=""):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    return [i["code"] for i in client.get(f"/api/v1/directory{query}", headers=headers).json()["items"]]


def test_spanish_visitor_sees_spanish_groups_in_spain_first(client, spread):
    s = spread
    got = api_codes(client, accept_language="es-ES,es;q=0.9,en;q=0.5")
    # Spanish in Spain, Spanish online, then English in Spain, then the rest by name.
    assert got == [
        s["bcn_es"].code,
        s["online_es"].code,
        s["bcn_en"].code,
        s["london"].code,
        s["new_york"].code,
    ]


def test_english_visitor_in_britain_sees_london_first(client, spread):
    s = spread
    got = api_codes(client, accept_language="en-GB")
    # English in Britain; English elsewhere by name; Spanish online (reachable) before Spanish in Spain.
    assert got == [
        s["london"].code,
        s["new_york"].code,
        s["bcn_en"].code,
        s["online_es"].code,
        s["bcn_es"].code,
    ]


def test_without_any_hint_the_order_is_by_name(client, spread):
    s = spread
    assert api_codes(client) == [
        s["london"].code,
        s["new_york"].code,
        s["bcn_es"].code,
        s["bcn_en"].code,
        s["online_es"].code,
    ]


def test_the_profile_wins_over_the_browser(spread, make_user):
    s = spread
    person = make_user(language="es", country="ES")
    got = api_codes(client_for(person), accept_language="en-US")
    assert got[:2] == [s["bcn_es"].code, s["online_es"].code]


def test_the_page_orders_like_the_api(client, spread):
    body = client.get("/groups/", headers={"Accept-Language": "es-ES"}).content.decode()
    positions = [
        body.index(f"/groups/{spread[k].code}/") for k in ("bcn_es", "online_es", "bcn_en", "london")
    ]
    assert positions == sorted(positions)


def test_language_and_country_first_then_distance(make_circle, content):
    far_es = make_circle(name="A", languages=["es"], place=content["madrid"])
    near_en = make_circle(name="B", languages=["en"], place=content["bcn"])
    mid_es = make_circle(name="C", languages=["es"], place=content["sabadell"])
    near_es = make_circle(name="D", languages=["es"], place=content["bcn"])
    filters = DirectoryFilters(place="barcelona", radius_km=600, visitor=Visitor("es", "ES"))
    assert codes(directory_search(filters=filters)) == [near_es.code, mid_es.code, far_es.code, near_en.code]


def test_ties_are_broken_by_name_then_creation(make_circle, content):
    first = make_circle(name="Same")
    second = make_circle(name="Same")
    filters = DirectoryFilters(visitor=Visitor("es", "ES"))
    assert codes(directory_search(filters=filters)) == [first.code, second.code]


@pytest.mark.parametrize(
    "header,cookie,expected",
    [
        # Without a zone from the browser, the country's usual one is a guess (not "known"), else UTC.
        ("es-ES,es;q=0.9,en;q=0.8", "", Visitor("es", "ES", "Europe/Madrid")),
        ("es", "", Visitor("es", "", "UTC")),  # a bare language names no country
        # A group language the interface lacks.
        ("fr-CA,fr;q=0.9", "", Visitor("fr", "CA", "America/Toronto")),
        ("zh-Hant-TW, it;q=0.5", "", Visitor("it", "TW", "Asia/Taipei")),
        ("es-ES", "ca", Visitor("ca", "ES", "Europe/Madrid")),  # the language the person chose on the site
        ("", "", Visitor("", "", "UTC")),
        ("*", "", Visitor("", "", "UTC")),
    ],
)
def test_visitor_from_the_browser(header, cookie, expected):
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=header)
    if cookie:
        request.COOKIES["django_language"] = cookie
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert visitor_of(request) == expected


def test_visitor_from_the_profile_with_the_browser_filling_gaps(make_user):
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="en-GB")
    request.user = make_user(language="it", country="", timezone="Europe/Rome")
    assert visitor_of(request) == Visitor("it", "GB", "Europe/Rome", timezone_known=True)


def test_query_count_is_constant_with_ordering_and_fallback(make_circle, make_user, content):
    founder = make_user()
    for i in range(12):
        make_circle(founder=founder, name=f"Group {i:02d}", experience=content["partner"])

    def count(size):
        with CaptureQueriesContext(connection) as ctx:
            filters = DirectoryFilters(
                experience="loss-of-a-child", place="barcelona", page_size=size, visitor=Visitor("es", "ES")
            )
            page = directory_search(filters=filters)
            for c in page.object_list:
                _ = (c.experience.name, c.place.name, c.languages, c.size_band)
        assert filters.fallback
        return len(ctx)

    assert count(3) == count(12)


# --- folded filters and next steps --------------------------------------------------------------------


def test_filters_are_folded_so_a_phone_shows_results_first(client, content):
    body = client.get("/groups/").content.decode()
    # Folded, and marked for the script to open on a wide screen.
    assert '<details class="filters-panel" data-open-wide>' in body
    assert body.index("<summary>") < body.index('id="results"')


def test_chosen_filters_fold_behind_a_summary(make_circle, client, content):
    make_circle()
    body = client.get("/groups/?experience=grief&place=barcelona&language=es").content.decode()
    assert '<details class="filters-panel" data-open-wide>' in body
    summary = re.search(r"<summary>(.*?)</summary>", body, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", summary)
    assert "Filters: Grief and loss (all), Barcelona, español, 25 km" in text and "change" in text
    # Results come before nothing else but the title and that one line.
    assert body.index("<summary>") < body.index('id="results"')


def test_filters_open_when_a_value_is_wrong(client, content):
    body = client.get("/groups/?experience=nope&language=es").content.decode()
    assert '<details class="filters-panel" data-open-wide open>' in body and "error-summary" in body


def test_htmx_search_updates_the_summary_out_of_band(make_circle, client):
    make_circle(name="Tuesday evenings")
    r = client.get("/groups/?experience=grief", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in r and 'id="results"' in r and "Tuesday evenings" in r
    assert re.search(r'<span id="filter-summary">Filters: Grief and loss \(all\)', r)


def test_empty_directory_suggests_find_me_a_group_then_wider_then_starting_one(client, content):
    body = client.get("/groups/?experience=loss-of-a-child&place=barcelona&mode=in_person").content.decode()
    find, new = body.index('href="/find/"'), body.index('href="/groups/new/"')
    wider = re.findall(r'<ul class="wider">(.*?)</ul>', body, re.S)[0]
    assert find < body.index('<ul class="wider">') < new
    links = re.findall(r'href="([^"]+)"', wider)
    assert "/groups/?experience=grief&amp;mode=online" in links
    assert "/groups/?experience=grief" in links
    assert "/groups/?experience=grief&amp;place=barcelona&amp;radius=100&amp;mode=in_person" in links


def test_empty_online_search_offers_no_online_link_again(client, content):
    body = client.get("/groups/?mode=online").content.decode()
    assert "Online groups" not in body and 'href="/find/"' in body


def test_the_distance_shown_is_the_distance_searched(client, content):
    """Without a distance in the address the search uses 25 km; the list must say so too (the
    browser would otherwise show its first choice, 5 km, and the next search would use it)."""
    body = client.get("/groups/?experience=grief").content.decode()
    assert '<option value="25" selected>' in body
