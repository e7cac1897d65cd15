"""The crisis path (§3.7, P9): one click from every page, host data with sources, works without a database."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError

from conftest import client_for

REQUIRED = {"ES": "112", "IT": "112", "GB": "999", "IE": "112", "US": "911"}


@pytest.fixture
def crisis_data(db):
    call_command("load_content")


def test_crisis_page_lists_required_countries_with_sources(client, crisis_data):
    from mutua.care.models import CrisisCountry

    for code, number in REQUIRED.items():
        country = CrisisCountry.objects.get(code=code)
        assert country.emergency_number == number
        assert country.lines.exists()
        for line in country.lines.all():
            assert line.source_url.startswith("https://") and line.checked_on
    body = client.get("/help/").content.decode()
    assert 'href="tel:988"' in body and 'href="tel:116123"' in body and 'href="tel:024"' in body


def test_crisis_page_puts_the_viewers_country_first(make_user, crisis_data):
    body = client_for(make_user(country="IT")).get("/help/").content.decode()
    assert body.index('id="country-IT"') < body.index('id="country-ES"')


@pytest.mark.parametrize("path", ["/", "/groups/", "/account/login/", "/about/"])
def test_every_page_links_to_crisis_and_says_not_a_substitute(client, db, path):
    body = client.get(path).content.decode()
    assert 'href="/help/"' in body
    assert "not a substitute for professional care" in body


def test_crisis_page_works_when_the_database_is_down(client, crisis_data):
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("database is down"),
    ):
        response = client.get("/help/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="tel:112"' in body and 'href="tel:988"' in body


def test_crisis_page_works_for_a_signed_in_person_when_the_database_is_down(make_user, crisis_data):
    c = client_for(make_user())
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("database is down"),
    ):
        response = c.get("/help/")
    assert response.status_code == 200
    assert 'href="tel:112"' in response.content.decode()


def test_anonymous_italian_visitor_sees_italy_first(client, crisis_data):
    body = client.get("/help/", headers={"Accept-Language": "it"}).content.decode()
    assert body.index('id="country-IT"') < body.index('id="country-DE"')
