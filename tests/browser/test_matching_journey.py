"""Find me a group in a real browser: the availability grid works by keyboard (one tab stop, arrows,
space, Shift+arrows, the Monday shortcut) and the form submits the chosen hours; the proposal can be
accepted; axe-core finds no WCAG 2.2 A/AA violation and no page scrolls sideways on a phone."""

import re

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
    check_page(page, "find", problems)
    page.select_option("#id_experience", "alcohol")
    page.get_by_label("español").check()

    # Keyboard only. The grid is one tab stop: Tab from the time zone lands on its first box.
    page.focus("#id_timezone")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "av-7"  # Monday 07:00
    assert page.locator("table.availability input[tabindex='0']").count() == 1
    # Arrows move: down 12 rows to 19:00, right one day to Tuesday; space ticks Tuesday 19:00.
    for _ in range(12):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "av-43"
    page.keyboard.press("Space")
    # Shift+arrows choose Wednesday–Thursday 20:00–21:00 (from Wednesday 20:00); space ticks them all.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "av-68"
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    assert "Chosen" in page.text_content("[data-grid-status]")
    page.keyboard.press("Space")
    range_slots = [68, 69, 92, 93]  # Wednesday 20:00, 21:00; Thursday 20:00, 21:00
    assert all(page.locator(f"#av-{v}").is_checked() for v in range_slots)
    assert not page.locator("#av-67").is_checked() and not page.locator("#av-44").is_checked()
    # Leaving the grid takes one Tab; coming back lands where you were.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.hasAttribute('data-grid-copy')")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "av-93"
    # "Copy Monday to Tuesday–Friday": tick Monday 19:00 with the keyboard, then copy Monday.
    page.focus("#av-19")
    page.keyboard.press("Space")
    page.locator("[data-grid-copy]").press("Enter")
    expected = [d * 24 + 19 for d in range(5)]
    assert all(page.locator(f"#av-{v}").is_checked() for v in expected)
    assert not page.locator("#av-139").is_checked()  # Saturday is not a weekday
    # Copying makes Tuesday–Friday the same as Monday: the range ticked above is gone.
    assert not any(page.locator(f"#av-{v}").is_checked() for v in range_slots)
    check_page(page, "find (grid in use)", problems)
    page.get_by_label("Online").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile("/find/$"))
    from mutua.matching.models import Interest

    assert sorted(Interest.objects.get(user=me).availability) == expected
    assert all(page.locator(f"#av-{v}").is_checked() for v in expected)
    shot(page, "10-find-saved")

    services.run_execute(run_id=services.run_create(staff=staff).pk)
    offer = GroupOffer.objects.get()
    page.goto(f"{base}/find/proposals/{offer.code}/")
    check_page(page, "proposal", problems)
    shot(page, "11-proposal")
    assert "o0@example.org" not in page.content()
    # "No, thank you" is a secondary action and must not look like the main one (issue 7: a CSS
    # specificity bug painted it as the primary button): accent text on a light ground.
    colours = "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]"
    yes_bg, yes_text = page.get_by_role("button", name=re.compile("Yes, I want to join")).evaluate(colours)
    no_bg, no_text = page.get_by_role("button", name=re.compile("No, thank")).evaluate(colours)
    assert no_bg != yes_bg and no_text == yes_bg
    page.get_by_label(re.compile("I share|my experience too")).check()
    page.get_by_label(re.compile("I have read")).check()
    page.get_by_label(re.compile("pseudonym", re.I)).fill("Oak")
    page.get_by_role("button", name=re.compile("Yes, I want to join")).click()
    page.wait_for_load_state()
    check_page(page, "after accept", problems)
    context.close()
    assert problems == []


def test_grid_without_javascript_is_plain_checkboxes_that_submit(live_server, browser, world):  # noqa: F811
    from mutua.matching.models import Interest

    me, _staff = world
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 800})
    page = context.new_page()
    login(page, live_server.url, me.email)
    page.goto(f"{live_server.url}/find/")
    # The keyboard help and the copy button need the script: without it they stay out of sight.
    assert not page.locator("#id_availability_keys").is_visible()
    assert not page.locator("[data-grid-copy]").is_visible()
    assert page.locator("table.availability input[tabindex]").count() == 0
    page.select_option("#id_experience", "alcohol")
    page.get_by_label("español").check()
    page.check("#av-43")
    page.check("#av-44")
    page.get_by_label("Online").check()
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile("/find/$"))
    assert sorted(Interest.objects.get(user=me).availability) == [43, 44]
    context.close()
