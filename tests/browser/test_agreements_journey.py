"""The group's agreements in a real browser, at phone size, with axe and the 320/390 px width check on
every page: the founder of a forming group drafts its first agreements (a half-filled row is refused
and said why), proposes them, the group adopts them; a member is sent to accept the new version and
reads what is new; the founder's page then has no editor. The same pages in Spanish. Screenshots at
390 px go to test-artifacts/ (agreements-*.png)."""

import os
import re

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
    page.screenshot(path=str(ARTIFACTS / f"agreements-{name}.png"), full_page=True)


@pytest.fixture
def group(transactional_db):
    from conftest import join, make_user_plain
    from mutua.circles import services
    from mutua.circles.models import Experience

    call_command("load_content", verbosity=0)
    founder = make_user_plain("founder@example.org", language="en")
    circle = services.circle_create(
        founder=founder,
        name="Tuesday evenings",
        experience=Experience.objects.get(slug="loss-of-a-child"),
        languages=["en"],
        mode="online",
        place=None,
        description="A calm group.",
        pseudonym="Oak",
        confirms_experience=True,
        accepts_pledge=True,
        pledge_version=services.current_pledge().version,
    )
    # Ben reads Mutua in Spanish.
    members = [
        make_user_plain(f"{n}@example.org", language=lang) for n, lang in (("ana", "en"), ("ben", "es"))
    ]
    for user, name in zip(members, ("Ana", "Ben"), strict=True):
        join(circle, user, name)
    return circle, founder, members


def test_draft_propose_adopt_and_accept_again(live_server, browser, group):  # noqa: F811
    from mutua.governance.models import Proposal
    from mutua.governance.services import stance_set

    circle, founder, members = group
    base = live_server.url
    problems: list[str] = []
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, base, "founder@example.org")

    page.goto(f"{base}/groups/{circle.code}/agreements/")
    check_page(page, "agreements page, founder, empty draft", problems)
    shot(page, "01-editor")
    page.fill("#id_items-0-title", "Phones away")
    page.fill("#id_items-0-text", "We put our phones away during the meeting.")
    page.fill("#id_items-1-title", "Start on time")
    page.get_by_role("button", name="Save the draft").click()
    assert "Say in a sentence what this agreement means." in page.content()
    check_page(page, "agreements page, a half-filled row", problems)
    shot(page, "02-error")
    page.fill("#id_items-1-text", "We start at the time we agreed.")
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(re.compile(f"/groups/{circle.code}/agreements/$"))
    page.get_by_role("link", name="Propose these to the group").click()
    check_page(page, "confirm the proposal", problems)
    shot(page, "03-confirm")
    page.get_by_role("button", name="Propose these to the group").click()
    page.wait_for_load_state()
    proposal = Proposal.objects.get(circle=circle)
    for user in (founder, *members):
        stance_set(proposal=proposal, user=user, stance="agree")

    # A member is sent to accept the new version, and reads what is new.
    member = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}).new_page()
    login(member, base, "ana@example.org")
    member.goto(f"{base}/groups/{circle.code}/agreements/")
    member.wait_for_url(re.compile(f"/groups/{circle.code}/consent/$"))
    body = member.content()
    assert "New: Phones away" in body and "We start at the time we agreed." in body
    check_page(member, "accept the new agreements", problems)
    shot(member, "04-consent")
    member.get_by_label(re.compile("I have read the agreements")).check()
    member.get_by_role("button", name="Accept and continue").click()
    member.goto(f"{base}/groups/{circle.code}/agreements/")
    assert "Version 2" in member.content()
    check_page(member, "agreements page, member, version 2", problems)

    # The founder accepts too, and finds the page every member finds: no editor.
    page.goto(f"{base}/groups/{circle.code}/consent/")
    page.get_by_label(re.compile("I have read the agreements")).check()
    page.get_by_role("button", name="Accept and continue").click()
    page.goto(f"{base}/groups/{circle.code}/agreements/")
    assert page.locator("#id_items-0-title").count() == 0
    assert "Phones away" in page.content()
    shot(page, "05-adopted")

    spanish = browser.new_context(locale="es-ES", viewport={"width": 390, "height": 844}).new_page()
    login(spanish, base, "ben@example.org")
    spanish.goto(f"{base}/groups/{circle.code}/agreements/")
    spanish.wait_for_url(re.compile(f"/groups/{circle.code}/consent/$"))
    assert "Nuevo: Phones away" in spanish.content()
    check_page(spanish, "consent page (es)", problems)
    shot(spanish, "06-consent-es")
    assert problems == [], "\n".join(problems)
