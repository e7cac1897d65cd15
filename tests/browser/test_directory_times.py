"""The directory's day and time filters in a real browser (decision 0019): the browser's own zone reaches
the server through viewer-tz.js (hidden field and cookie), a New York group meeting at 13:00 is found
as "Tuesday evening" by a visitor in Madrid, and the public page shows both clocks. axe and no
sideways scroll at 320 and 390 px on each page."""

import re
from datetime import date, time

import pytest
from django.core.management import call_command

from tests.browser.test_journey import CHROMIUM, browser, check_page, shot  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not __import__("os").path.exists(CHROMIUM), reason="Debian's chromium is not installed"
    ),
]


@pytest.fixture
def groups(transactional_db):
    from conftest import make_user_plain
    from mutua.circles import services
    from mutua.circles.models import Experience
    from mutua.meetings.schedule import Kind, Rhythm

    call_command("load_content", verbosity=0)
    pledge = services.current_pledge()

    def group(name, tz, weekday, at):
        circle = services.circle_create(
            founder=make_user_plain(f"{name.split()[0].lower()}@example.org"),
            name=name,
            experience=Experience.objects.get(slug="loss-of-a-child"),
            languages=["en"],
            mode="online",
            place=None,
            description="We meet online. A calm space to share.",
            pseudonym="Oak",
            confirms_experience=True,
            accepts_pledge=True,
            pledge_version=pledge.version,
        )
        rhythm = Rhythm(Kind.WEEKLY, date(2026, 1, 1), at, 90, tz, weekday=weekday)
        return services.circle_schedule_set(circle=circle, rhythm=rhythm, user=None)

    return {
        "new_york": group("Brooklyn Tuesdays", "America/New_York", 1, time(13)),
        "madrid": group("Madrid Thursdays", "Europe/Madrid", 3, time(19)),
    }


def test_a_visitor_in_madrid_finds_a_new_york_group_on_tuesday_evening(live_server, browser, groups):  # noqa: F811
    context = browser.new_context(
        locale="en-GB", timezone_id="Europe/Madrid", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    problems: list[str] = []
    base = live_server.url
    page.goto(f"{base}/groups/")
    # The script has told the server the browser's zone (the cookie) and filled the form's field.
    assert page.locator("input[name=tz]").input_value() == "Europe/Madrid"
    assert any(c["name"] == "mutua_tz" and c["value"] == "Europe/Madrid" for c in context.cookies())
    page.locator("details.filters-panel > summary").click()
    page.get_by_label("Tuesday").check()
    page.select_option("#id_time_of_day", "evening")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile("weekday=1"))
    page.wait_for_load_state("networkidle")
    results = page.locator("#results")
    assert "Brooklyn Tuesdays" in results.inner_text()
    assert "Madrid Thursdays" not in results.inner_text()
    assert "Tuesday, evening" in page.locator("#filter-summary").inner_text()
    # The first page guessed the zone from the language (en-GB: London); the search knows it.
    assert page.locator("#times-zone").inner_text() == "(your time)"
    assert "(13:00 in New York)" in results.inner_text()
    check_page(page, "directory, Tuesday evening", problems)
    shot(page, "40-directory-times")

    page.get_by_role("link", name="Brooklyn Tuesdays").click()
    facts = page.locator("dl.facts").inner_text()
    assert "Every week on Tuesday at 13:00 (New York time)" in facts
    assert re.search(r"Tuesday \d+ \w+, 19:00 your time \(13:00 in New York\)", facts)
    check_page(page, "public page with both clocks", problems)
    shot(page, "41-public-both-clocks")
    context.close()
    assert problems == []
