"""External listings in public: their own page and the directory section, with their source and a
link out, and never joinable."""

import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from conftest import client_for
from mutua.listings.selectors import listings_for_directory
from mutua.listings.services import listings_import

LINK_OUT = re.compile(r'<a [^>]*href="https://[^"]*"[^>]*>')


@pytest.fixture
def imported(source, sample_records):
    for record in sample_records:
        if record["slug"] == 8:
            record["url"] = "https://area83.example.org/meetings/tweed"
    listings_import(source=source, records=sample_records)
    return source


@pytest.mark.parametrize("who", [None, "member"])
def test_the_public_page_shows_the_source_and_links_out(imported, personas, who):
    response = client_for(personas[who] if who else None).get("/listings/area-83/8/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tweed Group" in body
    assert "This meeting is not run on Mutua; contact them through Area 83 Ontario." in body
    assert "St Andrews Church" in body and "55 Victoria St N" in body
    assert "Tuesday" in body and "7:30" in body and "America/Toronto" in body
    links = LINK_OUT.findall(body)
    assert links, "a link out"
    for link in links:
        assert 'href="https://area83.example.org/meetings/tweed"' in link
        assert 'rel="noopener noreferrer external"' in link
        assert "target=" not in link


def test_the_public_page_falls_back_to_the_sources_website(imported, client):
    body = client.get("/listings/area-83/1/").content.decode()
    assert 'href="https://area83.example.org/"' in body


def test_the_public_page_has_nothing_to_join(imported, personas):
    body = client_for(personas["member"]).get("/listings/area-83/8/").content.decode()
    assert "/join/" not in body
    assert "Join" not in body
    # The only forms are the site's own (log out, language).
    actions = re.findall(r'<form[^>]*action="([^"]*)"', body)
    assert actions == [reverse("accounts:logout"), reverse("accounts:set_language")]


def test_no_url_joins_an_external_listing(imported):
    for path in ("/listings/area-83/8/join/", "/listings/area-83/8/join", "/listings/area-83/8/rsvp/"):
        with pytest.raises(Resolver404):
            resolve(path)
    names = [p.name for p in __import__("mutua.listings.urls", fromlist=["urlpatterns"]).urlpatterns]
    assert names == ["public", "meeting_guide"]
    with pytest.raises(NoReverseMatch):
        reverse("listings:join", args=["area-83", "8"])


def test_the_public_page_only_reads(imported, client):
    assert client.post("/listings/area-83/8/").status_code == 405


@pytest.mark.parametrize(
    "path", ["/listings/area-83/999/", "/listings/elsewhere/8/", "/listings/area-83/8x/"]
)
def test_unknown_listings_are_404(imported, client, path):
    assert client.get(path).status_code == 404


def test_the_directory_selector_filters_and_reads_once(imported, content, sample_records):
    imported.experiences.set([content["alcohol"]])
    with CaptureQueriesContext(connection) as queries:
        found = listings_for_directory(experience_query="addictions", limit=5)
        [listing.source.name for listing in found]
    assert len(queries) == 1
    assert len(found) == 5
    assert [listing.days for listing in found] == sorted(listing.days for listing in found)
    assert listings_for_directory(experience_query="alcohol", limit=100).__len__() == 45
    assert listings_for_directory(experience_query="grief") == []
    assert listings_for_directory(experience_query="nonexistent") == []
    # 0 = Monday, as date.weekday(): Meeting Guide's 1.
    mondays = listings_for_directory(weekday=0, limit=100)
    assert mondays and {listing.days for listing in mondays} == {"1"}
    assert len(mondays) == sum(1 for r in sample_records if r["day"] == 1)
    sundays = listings_for_directory(weekday=6, limit=100)
    assert len(sundays) == sum(1 for r in sample_records if r["day"] == 0)
    assert len(listings_for_directory(language="en", limit=100)) == 45  # the source's default
    assert listings_for_directory(language="es") == []
    assert listings_for_directory(limit=0) == []


def test_a_meetings_own_language_type_counts_before_the_sources_default(source):
    listings_import(
        source=source,
        records=[
            {"slug": "s", "name": "Reunión", "day": 1, "time": "19:00", "types": ["O", "S"]},
            {"slug": "e", "name": "Meeting", "day": 1, "time": "19:00", "types": ["O"]},
        ],
    )
    assert [listing.slug for listing in listings_for_directory(language="es")] == ["s"]
    assert [listing.slug for listing in listings_for_directory(language="en")] == ["e"]


def test_the_directory_section_shows_source_time_area_and_link_out(imported, client):
    listings = listings_for_directory(weekday=1, limit=5)
    html = render_to_string("listings/_directory_section.html", {"listings": listings})
    assert "Meetings of other fellowships" in html
    assert "Tweed Group" in html and "Listed by Area 83 Ontario" in html
    assert "Tuesday" in html and "America/Toronto" in html and "Tweed, CA" in html
    assert reverse("listings:public", args=["area-83", "8"]) in html
    out = LINK_OUT.findall(html)
    assert out and all('rel="noopener noreferrer external"' in a and "target=" not in a for a in out)
    assert "/join/" not in html
    assert render_to_string("listings/_directory_section.html", {"listings": []}).strip() == ""


def test_the_section_speaks_the_visitors_language(imported):
    from django.utils import translation

    with translation.override("es"):
        html = render_to_string(
            "listings/_directory_section.html", {"listings": listings_for_directory(weekday=1)}
        )
    assert "Meetings of other fellowships" not in html
    assert "martes" in html.lower()
