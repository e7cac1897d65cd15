"""/api/v1/docs in a real browser: Swagger UI (vendored) renders the schema under the site's strict
Content-Security-Policy, and axe-core finds no WCAG 2.2 A/AA violation, also once an operation is
open and tried. The whole page is checked, third-party viewer included."""

import re

import pytest

from tests.browser.test_journey import CHROMIUM, browser, check_page, shot  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not __import__("os").path.exists(CHROMIUM), reason="Debian's chromium is not installed"
    ),
]


def test_api_docs_render_under_the_csp_with_no_axe_violation(live_server, browser, db):  # noqa: F811
    context = browser.new_context(locale="ca-ES", viewport={"width": 390, "height": 844})
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console", lambda m: blocked.append(m.text[:160]) if "Content Security Policy" in m.text else None
    )
    page.on("pageerror", lambda e: blocked.append(f"script error: {e}"))
    problems: list[str] = []

    page.goto(f"{live_server.url}/api/v1/docs")
    assert page.locator("html").get_attribute("lang") == "ca"
    assert page.locator("#swagger-ui").get_attribute("lang") == "en"  # the viewer itself is English
    page.wait_for_selector(".opblock", timeout=20_000)  # blank before: the viewer never loaded
    assert page.locator(".swagger-ui .errors-wrapper").count() == 0  # the schema parsed
    assert page.locator(".opblock").count() > 10
    check_page(page, "api docs", problems)

    # Open the directory operation, try it out and run it: the answer shows, still no violation.
    directory = page.locator(".opblock", has=page.locator("[data-path='/api/v1/directory']")).first
    directory.locator(".opblock-summary-control").click()
    directory.get_by_role("button", name=re.compile("Try it out")).click()
    directory.get_by_role("button", name=re.compile("Execute")).click()
    status = directory.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    check_page(page, "api docs (operation tried)", problems)
    shot(page, "20-api-docs")

    context.close()
    assert problems == []
    assert blocked == []
