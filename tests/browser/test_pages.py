"""The pages no journey walks through, signed in, in a real browser: axe-core finds no WCAG 2.2 A/AA
violation and none scrolls sideways on a 320 px or a 390 px phone. Kept to one login and one visit
per page (CI time)."""

import pytest
from django.core.management import call_command

from tests.browser.test_journey import CHROMIUM, browser, check_page, shot  # noqa: F401 - fixture
from tests.browser.test_matching_journey import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not __import__("os").path.exists(CHROMIUM), reason="Debian's chromium is not installed"
    ),
]

PAGES = {
    "home": "/",
    "about": "/about/",
    "profile": "/account/profile/",
    "tokens": "/account/profile/tokens/",
    "start a group": "/groups/new/",
    "inbox": "/inbox/",
    "inbox settings": "/inbox/settings/",
    "crisis": "/help/",
    "my groups (empty)": "/me/groups/",
}


def test_other_pages_pass_axe_and_fit_a_phone(live_server, browser, transactional_db):  # noqa: F811
    from conftest import make_user_plain
    from mutua.accounts.services import api_token_create

    call_command("load_content", verbosity=0)
    me = make_user_plain("pages@example.org", language="it", timezone="Europe/Rome")
    # A token with a long name: the tokens page was 129 px too wide at 390 px with its table.
    api_token_create(user=me, name="L'app del mio telefono, quella con un nome piuttosto lungo")
    context = browser.new_context(locale="it-IT", viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems: list[str] = []
    login(page, live_server.url, me.email)
    for label, url in PAGES.items():
        response = page.goto(live_server.url + url)
        assert response is not None and response.status == 200, (label, response and response.status)
        assert page.locator("html").get_attribute("lang") == "it", label
        check_page(page, label, problems)
        shot(page, f"30-{label.replace(' ', '-')}")
    context.close()
    assert problems == []
