"""Rotating roles in a real browser, at phone size, with axe and the 320/390 px width check on every
page: a member reads the roles page and volunteers for the timekeeper's role → the meeting in two days
offers it to them → they accept it on the meeting's page → another member sees them hold it → the
same pages in Spanish. Screenshots at 390 px go to test-artifacts/ (roles-*.png)."""

import os
import re
from datetime import timedelta

import pytest
from django.core.management import call_command

from tests.browser.test_journey import ARTIFACTS, CHROMIUM, browser, check_page  # noqa: F401 - fixture
from tests.browser.test_matching_journey import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"roles-{name}.png"), full_page=True)


@pytest.fixture
def group(transactional_db):
    from django.utils import timezone

    from conftest import join, make_user_plain
    from mutua.circles import services
    from mutua.circles.models import Experience, Place
    from mutua.meetings import selectors
    from mutua.meetings.tests.conftest import weekly_at

    call_command("load_content", verbosity=0)
    founder = make_user_plain("founder@example.org", language="en")
    circle = services.circle_create(
        founder=founder,
        name="Tuesday evenings",
        experience=Experience.objects.get(slug="loss-of-a-child"),
        languages=["en"],
        mode="hybrid",
        place=Place.objects.get(slug="madrid"),
        description="A calm group.",
        pseudonym="Oak",
        confirms_experience=True,
        accepts_pledge=True,
        pledge_version=services.current_pledge().version,
    )
    join(circle, make_user_plain("ana@example.org", language="en"), "Ana")
    join(circle, make_user_plain("ben@example.org", language="en"), "Ben")
    start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    services.circle_schedule_set(circle=circle, rhythm=weekly_at(start), user=None)
    circle.refresh_from_db()
    return circle, selectors.key_slug(start)


def test_volunteer_be_offered_accept_and_be_seen(live_server, browser, group):  # noqa: F811
    circle, key = group
    base = live_server.url
    problems: list[str] = []
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, base, "ana@example.org")

    page.goto(f"{base}/groups/{circle.code}/meetings/")
    page.get_by_role("link", name="Roles at our meetings").click()
    page.wait_for_url(re.compile(f"/groups/{circle.code}/roles/$"))
    check_page(page, "roles page", problems)
    shot(page, "01-roles")
    timekeeper = page.locator("section.card", has=page.get_by_role("heading", name="Timekeeper"))
    timekeeper.get_by_role("button", name="Volunteer").click()
    page.wait_for_url(re.compile(f"/groups/{circle.code}/roles/$"))
    assert "You are in the rotation for: Timekeeper." in page.content()
    check_page(page, "roles page after volunteering", problems)
    shot(page, "02-volunteered")

    page.goto(f"{base}/groups/{circle.code}/meetings/{key}/")
    section = page.locator("section", has=page.get_by_role("heading", name="Roles at this meeting"))
    assert "Timekeeper: offered to you" in " ".join(section.inner_text().split())
    check_page(page, "meeting with an offer", problems)
    shot(page, "03-offer")
    section.get_by_role("button", name="Accept").click()
    page.wait_for_url(re.compile(f"/groups/{circle.code}/meetings/{key}/$"))
    section = page.locator("section", has=page.get_by_role("heading", name="Roles at this meeting"))
    assert "Timekeeper: you" in " ".join(section.inner_text().split())
    shot(page, "04-accepted")
    context.close()

    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, base, "ben@example.org")
    page.goto(f"{base}/groups/{circle.code}/meetings/{key}/")
    section = page.locator("section", has=page.get_by_role("heading", name="Roles at this meeting"))
    assert "Timekeeper: Ana" in " ".join(section.inner_text().split())
    # In Spanish (longer words) the pages still fit a phone and pass axe.
    page.select_option("#lang-select", "es")
    page.get_by_role("button", name="Change").click()
    page.wait_for_url(re.compile(f"/groups/{circle.code}/meetings/{key}/$"))
    assert page.get_by_role("heading", name="Roles en esta reunión").count() == 1
    check_page(page, "meeting in Spanish", problems)
    page.goto(f"{base}/groups/{circle.code}/roles/")
    check_page(page, "roles page in Spanish", problems)
    shot(page, "05-roles-es")
    context.close()
    assert problems == []
