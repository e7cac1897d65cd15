"""A seat offer reaches the person who waits (issue 7, "Nobody is ever told anything"), in a real browser:
a member leaves a full group → the first person waiting gets a neutral email whose link opens the
inbox → the header counts one unread → the inbox card leads to the offer → the person takes the seat
and is in the group. axe and the phone widths on every page."""

import re

import pytest
from django.core import mail
from django.core.management import call_command

from tests.browser.test_journey import CHROMIUM, browser, check_page, shot  # noqa: F401 - fixture
from tests.browser.test_matching_journey import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not __import__("os").path.exists(CHROMIUM), reason="Debian's chromium is not installed"
    ),
]


def test_a_seat_offer_arrives_by_email_and_in_the_inbox(live_server, browser, transactional_db):  # noqa: F811
    from conftest import join, make_user_plain
    from mutua.circles import services
    from mutua.circles.models import Experience, MembershipStatus, Place

    call_command("load_content", verbosity=0)
    pledge = services.current_pledge()
    founder = make_user_plain("founder@example.org")
    circle = services.circle_create(
        founder=founder,
        name="Thursday evenings",
        experience=Experience.objects.get(slug="loss-of-a-child"),
        languages=["en"],
        mode="online",
        place=Place.objects.get(slug="london"),
        description="A calm group.",
        pseudonym="Oak",
        confirms_experience=True,
        accepts_pledge=True,
        pledge_version=pledge.version,
        max_members=5,
    )
    members = [make_user_plain(f"m{i}@example.org") for i in range(4)]
    for i, m in enumerate(members):
        join(circle, m, ["Ash", "Birch", "Elm", "Yew"][i])
    waiting = make_user_plain("waiting@example.org", language="en")
    assert join(circle, waiting, "Willow").status == MembershipStatus.WAITING

    mail.outbox.clear()
    services.membership_leave(circle=circle, user=members[0])

    # The email: to the person waiting only, neutral (P7), its link opens the inbox.
    assert [m.to for m in mail.outbox] == [["waiting@example.org"]]
    message = mail.outbox[0]
    text = message.subject + message.body
    for secret in (circle.name, circle.code, "Willow", "Oak", "child", "grief"):
        assert secret.lower() not in text.lower()
    link = re.search(r"https?://\S+/inbox/", message.body)
    assert link is not None, message.body

    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems: list[str] = []
    base = live_server.url
    login(page, base, "waiting@example.org")
    inbox_link = page.get_by_role("link", name="Inbox, 1 unread")
    assert inbox_link.count() == 1

    # The link in the email (its host is the site's configured address; the path is what matters).
    page.goto(base + "/inbox/")
    check_page(page, "inbox with an offer", problems)
    shot(page, "seat-offer-inbox")
    card_button = page.get_by_role("button", name="See the offer")
    assert card_button.count() == 1
    card_button.click()
    page.wait_for_url(re.compile(f"/groups/{circle.code}/status/"))
    check_page(page, "seat offer", problems)
    shot(page, "seat-offer-status")
    # Opening the card marked it read.
    assert page.get_by_role("link", name="Inbox, 1 unread").count() == 0

    page.get_by_role("button", name="Take the seat").click()
    # In: the group's welcome step first, once, then its home.
    page.wait_for_url(re.compile(f"/groups/{circle.code}/welcome/"))
    check_page(page, "welcome step after taking the seat", problems)
    page.get_by_role("button", name="Continue to the group").click()
    page.wait_for_url(re.compile(f"/groups/{circle.code}/home/"))
    assert "Willow" in page.content()
    check_page(page, "group home after taking the seat", problems)
    waiting_membership = circle.memberships.get(user=waiting)
    assert waiting_membership.status == MembershipStatus.MEMBER
    context.close()
    assert problems == []
