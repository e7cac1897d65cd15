"""Find me a group in a real browser: the availability grid works by keyboard, the proposal can be
accepted, and axe-core finds no WCAG 2.2 A/AA violation on these pages."""

import re

import pytest
from django.core.management import call_command

from tests.browser.test_journey import CHROMIUM, browser, check_axe, shot  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not __import__("os").path.exists(CHROMIUM), reason="Debian's chromium is not installed"
    ),
]


@pytest.fixture
def world(transactional_db):
    from conftest import make_user_plain
    from mutua.matching.tests.test_matching_flow import EVENINGS, register

    call_command("load_content", verbosity=0)
    others = [make_user_plain(f"o{i}@example.org") for i in range(5)]
    for o in others:
        register(o, availability=EVENINGS)
    me = make_user_plain("me@example.org", timezone="Europe/Madrid")
    staff = make_user_plain("staff@example.org", is_staff=True)
    return me, staff


def login(page, base, email):
    page.goto(f"{base}/account/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", "a-long-test-password-42")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile("/me/groups/"))


def test_find_me_a_group_by_keyboard_then_accept(live_server, browser, world):  # noqa: F811
    from mutua.matching import services
    from mutua.matching.models import GroupOffer

    me, staff = world
    context = browser.new_context(locale="en-GB", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    base = live_server.url
    login(page, base, me.email)
    page.goto(f"{base}/find/")
    check_axe(page, "find", problems)
    page.select_option("#id_experience", "alcohol")
    page.get_by_label("español").check()
    # Keyboard only: focus Tuesday 19:00 and tick it with the space bar, then Wednesday 19:00.
    page.focus("#av-43")
    page.keyboard.press("Space")
    page.focus("#av-67")
    page.keyboard.press("Space")
    page.get_by_label("Online").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile("/find/$"))
    assert page.locator("#av-43").is_checked() and page.locator("#av-67").is_checked()
    shot(page, "10-find-saved")

    services.run_execute(run_id=services.run_create(staff=staff).pk)
    offer = GroupOffer.objects.get()
    page.goto(f"{base}/find/proposals/{offer.code}/")
    check_axe(page, "proposal", problems)
    shot(page, "11-proposal")
    assert "o0@example.org" not in page.content()
    page.get_by_label(re.compile("I share")).check()
    page.get_by_label(re.compile("I have read")).check()
    page.get_by_label(re.compile("pseudonym", re.I)).fill("Oak")
    page.get_by_role("button", name=re.compile("Yes, I want to join")).click()
    page.wait_for_load_state()
    check_axe(page, "after accept", problems)
    context.close()
    assert problems == []
