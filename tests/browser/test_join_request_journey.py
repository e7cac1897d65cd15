"""A newcomer asks to join a group that reviews newcomers (issue 9), in a real browser: the group chose
by a proposal to welcome newcomers first → the newcomer asks with a message and sees a neutral status
→ a member reads the request on the group's home and welcomes them, the others welcome them too → the
newcomer is a member and sees the welcome step once, then the group. axe and no sideways scroll at
390 px and 320 px on every page; screenshots in /tmp/shots/join/."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.browser.test_journey import CHROMIUM, browser, check_page  # noqa: F401 - fixture
from tests.browser.test_matching_journey import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not __import__("os").path.exists(CHROMIUM), reason="Debian's chromium is not installed"
    ),
]

SHOTS = Path("/tmp/shots/join")  # noqa: S108 - screenshots for a person to look at, not secrets


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def both_widths(page, label, problems, name):
    """axe and sideways scroll at 390 px, then at 320 px, with a screenshot at each."""
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 844})
        check_page(page, f"{label} at {width} px", problems)
        shot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 390, "height": 844})


def reviewing_group():
    """A group of three with a weekly meeting that decided, by consent, to review newcomers."""
    from conftest import join, make_user_plain
    from mutua.circles import services
    from mutua.circles.models import Experience
    from mutua.governance import services as governance
    from mutua.meetings.schedule import weekly

    pledge = services.current_pledge()
    oak = make_user_plain("oak@example.org", language="en", timezone="Europe/Madrid")
    circle = services.circle_create(
        founder=oak,
        name="Thursday evenings",
        experience=Experience.objects.get(slug="loss-of-a-child"),
        languages=["en"],
        mode="online",
        place=None,
        description="A calm group.",
        pseudonym="Oak",
        confirms_experience=True,
        accepts_pledge=True,
        pledge_version=pledge.version,
    )
    start = timezone.localdate() + timedelta(days=3)
    services.circle_schedule_set(
        circle=circle, rhythm=weekly(start.weekday(), 19, "Europe/Madrid", start), user=oak
    )
    others = [make_user_plain(f"{name.lower()}@example.org") for name in ("Ash", "Birch")]
    for person, name in zip(others, ("Ash", "Birch"), strict=True):
        join(circle, person, name)
    proposal = governance.proposal_open(
        circle=circle,
        user=oak,
        kind="openness",
        title="Welcome newcomers first",
        payload={"openness": "review"},
    )
    for person in (oak, *others):
        governance.stance_set(proposal=proposal, user=person, stance="agree")
    circle.refresh_from_db()
    assert circle.reviews_newcomers, "the openness proposal passed and took effect"
    return circle, oak, others


def test_a_newcomer_asks_is_welcomed_and_sees_the_welcome_step(live_server, browser, transactional_db):  # noqa: F811
    from conftest import make_user_plain
    from mutua.circles.join_requests import join_request_respond
    from mutua.circles.models import Membership, MembershipStatus

    call_command("load_content", verbosity=0)
    circle, oak, others = reviewing_group()
    newcomer = make_user_plain("lark@example.org", language="en", timezone="Europe/London")
    base = live_server.url
    problems: list[str] = []

    # 1. The newcomer finds the group: it welcomes newcomers first, and they ask with a message.
    them = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = them.new_page()
    login(page, base, "lark@example.org")
    page.goto(f"{base}/groups/{circle.code}/")
    assert "welcomes newcomers first" in page.content()
    page.get_by_role("link", name="Ask to join").click()
    page.wait_for_url(re.compile(f"/groups/{circle.code}/join/"))
    both_widths(page, "join page of a reviewing group", problems, "01-join")
    page.get_by_label(re.compile("This is my experience too")).check()
    page.get_by_label(re.compile("I have read the agreements")).check()
    page.get_by_label(re.compile("pseudonym", re.I)).fill("Lark")
    page.get_by_label(re.compile("A short message")).fill(
        "I lost my son two years ago. I'd like to listen first."
    )
    page.get_by_role("button", name="Ask to join").click()
    page.wait_for_url(re.compile(f"/groups/{circle.code}/status/"))
    assert "The group is looking at your request" in page.content()
    both_widths(page, "request status", problems, "02-status")
    # Nothing inside the group yet.
    response = page.goto(f"{base}/groups/{circle.code}/home/")
    assert response is not None and response.status == 404

    # 2. A member sees the request on the group's home and welcomes them.
    us = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    member = us.new_page()
    login(member, base, "oak@example.org")
    member.goto(f"{base}/groups/{circle.code}/home/")
    assert "Asking to join" in member.content() and "Lark" in member.content()
    member.get_by_role("link", name="See and answer").click()
    member.wait_for_url(re.compile(f"/groups/{circle.code}/requests/"))
    assert "I lost my son two years ago" in member.content()
    both_widths(member, "requests to join", problems, "03-requests")
    member.get_by_label("Welcome them").check()
    member.get_by_role("button", name="Save my answer").click()
    member.wait_for_url(re.compile(f"/groups/{circle.code}/requests/$"))
    assert "Oak welcomes them." in member.content()
    shot(member, "04-requests-answered-390")
    assert Membership.objects.get(user=newcomer).status == MembershipStatus.REQUESTED

    # 3. The two others welcome them too (their pages are the same): everyone has, so Lark is in at once.
    ref = Membership.objects.get(user=newcomer).request_ref
    for person in others:
        join_request_respond(circle=circle, user=person, request_ref=ref, decision="welcome")
    assert Membership.objects.get(user=newcomer).status == MembershipStatus.MEMBER

    # 4. The newcomer opens the group: the welcome step first, once.
    page.goto(f"{base}/groups/{circle.code}/home/")
    page.wait_for_url(re.compile(f"/groups/{circle.code}/welcome/"))
    content = page.content()
    for words in (
        "Welcome to",
        "Our agreements",
        "When we meet",
        "Next meeting",
        "pass your turn",
        "emergency",
    ):
        assert words in content, words
    both_widths(page, "welcome step", problems, "05-welcome")
    page.get_by_role("button", name="Continue to the group").click()
    page.wait_for_url(re.compile(f"/groups/{circle.code}/home/"))
    assert "Lark" in page.content() and "Oak" in page.content()
    shot(page, "06-home-390")
    page.goto(f"{base}/groups/{circle.code}/home/")
    assert page.url.endswith(f"/groups/{circle.code}/home/")  # once: not sent there again
    them.close()
    us.close()
    assert problems == []
