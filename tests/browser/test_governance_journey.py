"""A group governs itself in a real browser (issue 9), at phone size, with axe and the 320/390 px width
check on every page:

a member proposes a new agreement by consent → four agree and one objects with a reason → it does not
pass (nobody saw the objection before the close; afterwards everyone reads it) → it is amended (a new
proposal) and passes → members accept the new agreements again (the gate's consent page) → the group
decides to welcome newcomers first → a newcomer asks to join, is welcomed and sees the welcome step.

Screenshots at 390 px go to test-artifacts/ and /tmp/shots/governance/."""

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.browser.test_journey import ARTIFACTS, CHROMIUM, browser, check_page  # noqa: F401 - fixture
from tests.browser.test_matching_journey import login

SHOTS = Path(os.environ.get("MUTUA_GOVERNANCE_SHOTS", "/tmp/shots/governance"))  # noqa: S108

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]

NAMES = ("Oak", "Ash", "Birch", "Cedar", "Dove")
OBJECTION = "Some of us are on call for a child. A phone face down must be allowed."


def shot(page, name):
    """A full-page screenshot at 390 px, kept with the other journeys' and in /tmp/shots/governance/."""
    ARTIFACTS.mkdir(exist_ok=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    # The width check just resized the page: let it repaint all the way down before the capture.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(150)
    page.screenshot(path=str(ARTIFACTS / f"governance-{name}.png"), full_page=True)
    shutil.copy(ARTIFACTS / f"governance-{name}.png", SHOTS / f"{name}.png")


@pytest.fixture
def group(transactional_db):
    """An active group of five (a weekly meeting, its minimum reached), everyone reading in English."""
    from conftest import join, make_user_plain
    from mutua.circles import services
    from mutua.circles.models import Experience, Place
    from mutua.meetings.schedule import weekly

    call_command("load_content", verbosity=0)
    people = [
        make_user_plain(f"{n.lower()}@example.org", language="en", timezone="Europe/Madrid") for n in NAMES
    ]
    circle = services.circle_create(
        founder=people[0],
        name="Tuesday evenings",
        experience=Experience.objects.get(slug="loss-of-a-child"),
        languages=["en"],
        mode="online",
        place=Place.objects.get(slug="madrid"),
        description="A calm group.",
        pseudonym=NAMES[0],
        confirms_experience=True,
        accepts_pledge=True,
        pledge_version=services.current_pledge().version,
    )
    for person, name in zip(people[1:], NAMES[1:], strict=True):
        join(circle, person, name)
    start = timezone.localdate() + timedelta(days=2)
    services.circle_schedule_set(
        circle=circle, rhythm=weekly(start.weekday(), 19, "Europe/Madrid", start), user=None
    )
    circle.refresh_from_db()
    assert circle.status == "active"
    return circle, dict(zip(NAMES, people, strict=True))


def new_context(browser):  # noqa: F811
    return browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})


def stance(page, choice, reason=""):
    page.get_by_label(choice, exact=True).check()
    if reason:
        page.get_by_label(re.compile("Your reason")).fill(reason)
    page.get_by_role("button", name=re.compile("(Send|Change) my stance")).click()


def test_a_group_decides_its_agreements_then_welcomes_a_newcomer(live_server, browser, group):  # noqa: F811, PLR0915
    from conftest import make_user_plain
    from mutua.circles import services as circle_services
    from mutua.circles.join_requests import join_request_respond
    from mutua.circles.models import Membership, MembershipStatus
    from mutua.governance import services
    from mutua.governance.models import Proposal

    circle, people = group
    base = live_server.url
    decisions = f"{base}/groups/{circle.code}/decisions/"
    problems: list[str] = []

    # 1. Ash proposes a new agreement by consent, from the group's home.
    ash_context = new_context(browser)
    ash = ash_context.new_page()
    login(ash, base, "ash@example.org")
    ash.goto(f"{base}/groups/{circle.code}/home/")
    ash.get_by_role("link", name="See the group's decisions").click()
    ash.wait_for_url(re.compile("/decisions/$"))
    assert "No proposal is open right now." in ash.content()
    check_page(ash, "decisions, none yet", problems)
    ash.get_by_role("link", name="Make a proposal").click()
    ash.wait_for_url(re.compile("/decisions/new/$"))
    check_page(ash, "choose a kind", problems)
    shot(ash, "01-kinds")
    ash.get_by_role("link", name="Change our agreements").click()
    ash.wait_for_url(re.compile(r"/decisions/new/\?kind=agreements$"))
    ash.get_by_label("Title of your proposal").fill("Phones away in meetings")
    ash.get_by_label(re.compile("What and why")).fill("Phones distract us when someone is sharing.")
    ash.locator("#id_items-0-title").fill("Phones away")
    ash.locator("#id_items-0-text").fill("We put our phones away for the whole meeting.")
    assert ash.get_by_label(re.compile("Consent: it passes unless someone objects")).is_checked()
    check_page(ash, "new agreements proposal", problems)
    shot(ash, "02-new-agreements")
    ash.get_by_role("button", name="Open the proposal").click()
    ash.wait_for_url(re.compile(r"/decisions/\w+/$"))
    first = Proposal.objects.get()
    main = ash.locator("main").inner_text()
    assert "Your proposal is open" in ash.content()
    assert "New" in main and "We put our phones away for the whole meeting." in main
    assert "0 of 5 members have answered." in main
    stance(ash, "Agree")
    ash.wait_for_url(re.compile(f"/decisions/{first.code}/$"))
    assert "You answered: Agree." in ash.locator("main").inner_text()
    check_page(ash, "proposal with my stance", problems)
    shot(ash, "03-proposal-agreed")

    # 2. Birch and Cedar agree (their pages are the same); Dove objects, and must give a reason.
    for name in ("Birch", "Cedar"):
        services.stance_set(proposal=first, user=people[name], stance="agree")
    dove_context = new_context(browser)
    dove = dove_context.new_page()
    login(dove, base, "dove@example.org")
    dove.goto(decisions)
    assert "Waiting for your stance" in dove.content()
    dove.get_by_role("link", name="Phones away in meetings").click()
    dove.wait_for_url(re.compile(f"/decisions/{first.code}/$"))
    stance(dove, "Object")
    assert "a reason is needed to disagree or object" in dove.content()
    check_page(dove, "objection without a reason", problems)
    shot(dove, "04-objection-needs-a-reason")
    stance(dove, "Object", OBJECTION)
    dove.wait_for_url(re.compile(f"/decisions/{first.code}/$"))
    assert "You answered: Object." in dove.locator("main").inner_text()

    # Oak has not answered: four of five have, and nobody's stance or reason shows before the close.
    oak_context = new_context(browser)
    oak = oak_context.new_page()
    login(oak, base, "oak@example.org")
    oak.goto(f"{decisions}{first.code}/")
    main = oak.locator("main").inner_text()
    assert "4 of 5 members have answered." in main
    assert OBJECTION not in oak.content() and "Who said what" not in main
    check_page(oak, "proposal before the close", problems)
    shot(oak, "05-four-of-five")
    # Oak agrees: everyone has spoken, it closes at once, and the objection stops it.
    stance(oak, "Agree")
    oak.wait_for_url(re.compile(f"/decisions/{first.code}/$"))
    assert "Everyone has answered, so it has closed." in oak.content()
    main = oak.locator("main").inner_text()
    assert "It did not pass. Someone objected, with a reason." in main
    assert "5 of 5 members took part." in main
    assert f"Dove: Object — {OBJECTION}" in main
    check_page(oak, "proposal that did not pass", problems)
    shot(oak, "06-did-not-pass")
    circle.refresh_from_db()
    assert circle.agreements_version == 1

    # 3. Ash amends it: a new proposal, from the group's own agreements (none adopted yet).
    ash.goto(f"{decisions}new/?kind=agreements")
    ash.get_by_label("Title of your proposal").fill("Phones away, except on call")
    ash.locator("#id_items-0-title").fill("Phones away")
    ash.locator("#id_items-0-text").fill(
        "We put our phones away for the whole meeting. Someone on call for a child keeps theirs face down."
    )
    ash.get_by_role("button", name="Open the proposal").click()
    ash.wait_for_url(re.compile(r"/decisions/\w+/$"))
    second = Proposal.objects.exclude(pk=first.pk).get()
    stance(ash, "Agree")
    ash.wait_for_url(re.compile(f"/decisions/{second.code}/$"))
    for name in ("Oak", "Birch", "Cedar"):
        services.stance_set(proposal=second, user=people[name], stance="agree")
    dove.goto(f"{decisions}{second.code}/")
    stance(dove, "Agree")
    # Dove's stance was the last one: the proposal passed, the new agreements are in force, and the gate
    # asks Dove (like everyone) to accept them before anything else in the group.
    dove.wait_for_url(re.compile(f"/groups/{circle.code}/consent/$"))
    circle.refresh_from_db()
    assert circle.agreements_version == 2

    # 4. Dove reads and accepts the new agreements; the decision's page then says it passed.
    content = dove.locator("main").inner_text()
    assert "Someone on call for a child keeps theirs face down." in content
    check_page(dove, "accept the new agreements", problems)
    shot(dove, "07-accept-again")
    dove.get_by_label(re.compile("I have read the agreements")).check()
    dove.get_by_role("button", name="Accept and continue").click()
    dove.wait_for_url(re.compile(f"/groups/{circle.code}/"))
    dove.goto(f"{decisions}{second.code}/")
    main = dove.locator("main").inner_text()
    assert "It passed. Nobody objected, and enough members took part." in main
    assert "It has taken effect." in main
    check_page(dove, "proposal that passed", problems)
    shot(dove, "08-passed")
    # Any member writes down the outcome.
    dove.locator("details summary", has_text="Write down the outcome").click()
    dove.get_by_label("What the group decided").fill("Phones away, except for whoever is on call.")
    dove.get_by_role("button", name="Save the outcome").click()
    dove.wait_for_url(re.compile(f"/decisions/{second.code}/$"))
    assert "Phones away, except for whoever is on call." in dove.locator("main").inner_text()
    dove.goto(decisions)
    main = dove.locator("main").inner_text()
    assert main.index("Phones away, except on call") < main.index("Phones away in meetings")
    check_page(dove, "decisions list", problems)
    shot(dove, "09-list")
    # Everyone else accepts again too (their consent page is the same).
    for name in ("Oak", "Ash", "Birch", "Cedar"):
        circle_services.membership_consent_renew(
            circle=circle,
            user=people[name],
            accepts_pledge=True,
            pledge_version=circle_services.current_pledge().version,
            agreements_version=2,
        )

    # 5. Oak proposes to welcome newcomers first; everyone agrees.
    oak.goto(f"{decisions}new/?kind=openness")
    oak.get_by_label("Newcomers ask, and the group welcomes them").check()
    check_page(oak, "openness proposal", problems)
    oak.get_by_role("button", name="Open the proposal").click()
    oak.wait_for_url(re.compile(r"/decisions/\w+/$"))
    third = Proposal.objects.get(kind="openness")
    for name in NAMES:
        services.stance_set(proposal=third, user=people[name], stance="agree")
    circle.refresh_from_db()
    assert circle.reviews_newcomers

    # 6. A newcomer asks to join, is welcomed by everyone, and sees the welcome step.
    lark = make_user_plain("lark@example.org", language="en", timezone="Europe/London")
    lark_context = new_context(browser)
    newcomer = lark_context.new_page()
    login(newcomer, base, "lark@example.org")
    newcomer.goto(f"{base}/groups/{circle.code}/join/")
    newcomer.get_by_label(re.compile("This is my experience too")).check()
    newcomer.get_by_label(re.compile("I have read the agreements")).check()
    newcomer.get_by_label(re.compile("pseudonym", re.I)).fill("Lark")
    newcomer.get_by_role("button", name="Ask to join").click()
    newcomer.wait_for_url(re.compile(f"/groups/{circle.code}/status/"))
    assert "The group is looking at your request" in newcomer.content()
    ref = Membership.objects.get(user=lark).request_ref
    for name in NAMES:
        join_request_respond(circle=circle, user=people[name], request_ref=ref, decision="welcome")
    assert Membership.objects.get(user=lark).status == MembershipStatus.MEMBER
    newcomer.goto(f"{base}/groups/{circle.code}/home/")
    newcomer.wait_for_url(re.compile(f"/groups/{circle.code}/welcome/"))
    content = newcomer.locator("main").inner_text()
    assert "Someone on call for a child keeps theirs face down." in content  # the agreements in force
    check_page(newcomer, "welcome step", problems)
    shot(newcomer, "10-welcome")
    # The newcomer joined after these proposals: they read them, but they were not asked.
    newcomer.get_by_role("button", name="Continue to the group").click()
    newcomer.goto(decisions)
    assert "Waiting for your stance" not in newcomer.content()

    # 7. The same pages in Spanish (longer words) still fit a phone and pass axe.
    dove.goto(decisions)
    dove.select_option("#lang-select", "es")
    dove.get_by_role("button", name="Change").click()
    dove.wait_for_url(re.compile("/decisions/$"))
    assert dove.get_by_role("heading", name="Decisiones", exact=True).count() == 1
    check_page(dove, "decisions in Spanish", problems)
    dove.goto(f"{decisions}{first.code}/")
    assert "No se aprobó." in dove.locator("main").inner_text()
    check_page(dove, "a proposal in Spanish", problems)
    shot(dove, "11-proposal-es")
    dove.goto(f"{decisions}new/?kind=removal")
    check_page(dove, "a removal proposal in Spanish", problems)
    shot(dove, "12-removal-es")

    for context in (ash_context, dove_context, oak_context, lark_context):
        context.close()
    assert problems == []
