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


# --------------------------------------------------------------------------- words that care (issue 12)


def order(body: str, *codes: str) -> list[str]:
    """The given country codes in the order the page shows them."""
    return sorted(codes, key=lambda code: body.index(f'id="country-{code}"'))


def test_crisis_page_opens_with_a_human_paragraph_before_any_line(client, crisis_data):
    body = client.get("/help/", headers={"Accept-Language": "en"}).content.decode()
    warm = body.index("You don't have to go through this alone.")
    assert warm < body.index(
        "Check the opening hours. If no line is open right now, call the emergency number."
    )
    assert warm < body.index('class="card crisis-country"')


def test_the_not_a_substitute_line_appears_once_at_the_end(client, crisis_data):
    body = client.get("/help/").content.decode()
    assert body.count("not a substitute for professional care") == 1
    assert body.index("not a substitute for professional care") > body.rindex('class="card crisis-country"')


def test_the_standalone_page_also_says_it_once_at_the_end(client, crisis_data):
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("database is down"),
    ):
        body = client.get("/help/", headers={"Accept-Language": "es"}).content.decode()
    assert '<html lang="es">' in body
    assert body.count("Mutua no sustituye la atención profesional.") == 1
    assert body.index("Mutua no sustituye") > body.rindex('class="card crisis-country"')


@pytest.mark.parametrize(
    "lang,hours,languages",
    [
        ("en", "Opening hours: 24 hours a day, every day", "They answer in: Spanish"),
        ("es", "Horario: 24 horas al día, todos los días", "Atienden en: Español"),
    ],
)
def test_each_line_says_its_hours_and_languages(client, crisis_data, lang, hours, languages):
    body = client.get("/help/", headers={"Accept-Language": lang}).content.decode()
    start = body.index('id="country-ES"')
    spain = body[start : body.index("</section>", start)]
    assert hours in spain and languages in spain


def test_lines_that_close_at_night_show_their_hours(client, crisis_data):
    body = client.get("/help/", headers={"Accept-Language": "en"}).content.decode()
    assert "Opening hours: Every day, 13:00 to 22:00" in body


def test_the_checked_date_follows_the_language(client, crisis_data):
    es = client.get("/help/", headers={"Accept-Language": "es"}).content.decode()
    assert "comprobado el 10 de mayo de 2024" in es
    it = client.get("/help/", headers={"Accept-Language": "it"}).content.decode()
    assert "verificato il 10 " in it and "2024-05-10" not in it


def test_an_english_speaker_sees_english_speaking_countries_before_the_rest(client, crisis_data):
    body = client.get("/help/", headers={"Accept-Language": "en"}).content.decode()
    shown = order(body, "GB", "IE", "US", "FR", "DE", "IT", "ES")
    assert set(shown[:3]) == {"GB", "IE", "US"}


@pytest.mark.parametrize(
    "header,first", [("en-US,en;q=0.9", "US"), ("en-IE", "IE"), ("en-GB", "GB"), ("fr-FR,en;q=0.5", "FR")]
)
def test_the_browsers_region_comes_first(client, crisis_data, header, first):
    body = client.get("/help/", headers={"Accept-Language": header}).content.decode()
    assert order(body, "ES", "IT", "GB", "IE", "US", "FR", "DE")[0] == first


def test_a_spanish_speaker_sees_spain_then_countries_with_a_line_in_spanish(client, crisis_data):
    body = client.get("/help/", headers={"Accept-Language": "es"}).content.decode()
    assert order(body, "ES", "US", "GB", "IE", "IT", "FR", "DE")[:2] == ["ES", "US"]


def test_the_profile_country_wins_over_the_browser(make_user, crisis_data):
    c = client_for(make_user(country="IE"))
    body = c.get("/help/", headers={"Accept-Language": "en-US"}).content.decode()
    assert order(body, "IE", "US", "GB")[0] == "IE"


def test_the_region_order_holds_when_the_database_is_down(client, crisis_data):
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("database is down"),
    ):
        body = client.get("/help/", headers={"Accept-Language": "en-IE"}).content.decode()
    assert order(body, "ES", "IT", "GB", "IE", "US", "FR", "DE")[0] == "IE"
    assert "They answer in: English" in body


def test_order_for_viewer_is_pure_and_deterministic():
    from mutua.care.selectors import CountryView, LineView, order_for_viewer

    def country(code, *langs):
        line = LineView("l", "", "", "", "", "", "https://x", None, list(langs))
        return CountryView(code=code, name=code, emergency_number="112", lines=[line])

    countries = [country("DE", "de"), country("ES", "es"), country("GB", "en"), country("US", "en", "es")]
    codes = lambda cs: [c.code for c in cs]  # noqa: E731
    assert codes(order_for_viewer(countries, preferred=[], language="en")) == ["GB", "US", "DE", "ES"]
    assert codes(order_for_viewer(countries, preferred=["", "us", "GB"], language="en")) == [
        "US",
        "GB",
        "DE",
        "ES",
    ]
    assert codes(order_for_viewer(countries, preferred=["ES", "ES"], language="es")) == [
        "ES",
        "US",
        "DE",
        "GB",
    ]
