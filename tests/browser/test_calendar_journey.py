"""The calendar feed in a real browser, in Spanish at phone size, with axe and the 320/390 px check on
every page: My groups → the calendar page → make an address with the group's name → the address is
shown once and the feed holds the group → stop it, after a confirmation → the address answers 404.

Screenshots at 390 px go to test-artifacts/."""

import os
import re
from datetime import date, time

import pytest
from django.core.management import call_command
from icalendar import Calendar

from tests.browser.test_journey import ARTIFACTS, CHROMIUM, browser, check_page  # noqa: F401 - fixture
from tests.browser.test_matching_journey import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"calendar-{name}.png"), full_page=True)


@pytest.fixture
def member(transactional_db):
    from conftest import make_user_plain
    from mutua.circles import services
    from mutua.circles.models import Experience, Place
    from mutua.meetings.schedule import Kind, Rhythm

    call_command("load_content", verbosity=0)
    person = make_user_plain("lucia@example.org", language="es", timezone="Europe/Madrid")
    circle = services.circle_create(
        founder=person,
        name="Martes de duelo",
        experience=Experience.objects.get(slug="loss-of-a-child"),
        languages=["es"],
        mode="hybrid",
        place=Place.objects.get(slug="madrid"),
        description="Un grupo tranquilo.",
        pseudonym="Roble",
        confirms_experience=True,
        accepts_pledge=True,
        pledge_version=services.current_pledge().version,
    )
    rhythm = Rhythm(
        kind=Kind.MONTHLY_NTH,
        start_date=date(2026, 1, 1),
        start_time=time(19, 0),
        duration_minutes=90,
        tz="Europe/Madrid",
        weekday=1,
        nth=2,
    )
    services.circle_schedule_set(circle=circle, rhythm=rhythm, user=person)
    return person, circle


def test_make_use_and_stop_a_calendar_address(live_server, browser, member):  # noqa: F811
    person, circle = member
    base = live_server.url
    problems: list[str] = []
    context = browser.new_context(locale="es-ES", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, base, person.email)

    page.get_by_role("link", name="Añade tus reuniones a tu app de calendario").click()
    page.wait_for_url(re.compile("/me/calendar/$"))
    assert "Todavía no tienes una dirección de calendario." in page.locator("main").inner_text()
    check_page(page, "calendar page", problems)
    shot(page, "01-none")

    page.get_by_label("Mostrar el nombre de cada grupo en mi calendario").check()
    page.get_by_role("button", name="Crear mi dirección de calendario").click()
    address = page.get_by_label("Dirección para añadir a tu app de calendario").input_value()
    assert re.fullmatch(r"https?://[^/]+/calendar/[A-Za-z0-9_-]{43}\.ics", address), address
    webcal = page.get_by_role("link", name="Abrir en mi app de calendario").get_attribute("href")
    assert webcal == "webcal://" + address.split("://", 1)[1]
    check_page(page, "address shown once", problems)
    shot(page, "02-address")
    path = address[address.index("/calendar/") :]
    feed = page.request.get(base + path)
    assert feed.status == 200 and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(feed.body()).events
    assert [str(e["SUMMARY"]) for e in events] == ["Martes de duelo"]

    page.goto(f"{base}/me/calendar/")
    assert path not in page.content()
    assert "Las reuniones muestran el nombre de cada grupo." in page.locator("main").inner_text()
    check_page(page, "calendar page with an address", problems)

    page.get_by_role("link", name="Desactivar la dirección").click()
    page.wait_for_url(re.compile("/me/calendar/revoke/$"))
    check_page(page, "stop the address?", problems)
    shot(page, "03-stop")
    page.get_by_role("button", name="Desactivar la dirección").click()
    page.wait_for_url(re.compile("/me/calendar/$"))
    assert "Tu dirección de calendario está desactivada." in page.locator("main").inner_text()
    assert page.request.get(base + path).status == 404
    check_page(page, "after stopping", problems)
    context.close()
    assert problems == []
