"""The main journey in a real browser (Playwright + Debian's chromium), with axe-core on every page
and, on every page, no sideways scroll on a 320 px and a 390 px phone (`check_page`).

Visitor searches the directory in Spanish → signs up → confirms the email → joins a group (confirms
the experience, accepts the pledge) → sees the members-only home → leaves → the home answers 404.

Other journeys live beside this file and reuse `browser`, `check_page`, `check_axe` and `shot`:
`test_matching_journey.py` (the availability grid by keyboard, a proposal) and `test_api_docs.py`.
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures here
    # are ordinary synchronous test set-up, not request handling.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def demo(transactional_db):
    from conftest import join, make_user_plain
    from mutua.circles import services
    from mutua.circles.models import Experience, Place

    call_command("load_content")
    pledge = services.current_pledge()
    founder = make_user_plain("founder@example.org")
    circle = services.circle_create(
        founder=founder,
        name="Grupo de los jueves",
        experience=Experience.objects.get(slug="loss-of-a-child"),
        languages=["es"],
        mode="in_person",
        place=Place.objects.get(slug="madrid"),
        description="Nos reunimos los jueves por la tarde. Un espacio tranquilo para compartir.",
        pseudonym="Encina",
        confirms_experience=True,
        accepts_pledge=True,
        pledge_version=pledge.version,
    )
    for i in range(3):
        join(circle, make_user_plain(f"m{i}@example.org"), ["Alba", "Río", "Sol"][i])
    return circle


PHONE_WIDTHS = (320, 390)


def check_no_sideways_scroll(page, label, problems):
    """At each phone width the page must fit: nothing wider than the screen (issue 7)."""
    before = page.viewport_size
    for width in PHONE_WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        wide, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if wide > screen:
            problems.append(f"{label}: scrolls sideways at {width} px ({wide} > {screen})")
    page.set_viewport_size(before)


def check_page(page, label, problems):
    check_axe(page, label, problems)
    check_no_sideways_scroll(page, label, problems)


def check_axe(page, label, problems):
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    for v in result["violations"]:
        problems.append(f"{label}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}")


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_journey_in_spanish_with_axe(live_server, browser, demo):
    context = browser.new_context(locale="es-ES", viewport={"width": 390, "height": 844})
    page = context.new_page()
    csp_violations = []
    page.on(
        "console",
        lambda m: (
            csp_violations.append(f"{page.url}: {m.text[:120]}")
            if "Content Security Policy" in m.text
            else None
        ),
    )
    problems: list[str] = []
    base = live_server.url

    # 1. Directory in Spanish, filtered by experience family.
    page.goto(f"{base}/groups/")
    assert page.locator("html").get_attribute("lang") == "es"
    check_page(page, "directory", problems)
    # On a phone the filters are folded behind their summary: the results come first (issue 7).
    panel = page.locator("details.filters-panel")
    assert panel.get_attribute("open") is None
    assert page.locator("#results").bounding_box()["y"] < 844
    page.locator("details.filters-panel > summary").click()
    page.select_option("#id_experience", "loss-of-a-child")
    page.get_by_role("button", name=re.compile("Buscar")).click()
    page.wait_for_load_state("networkidle")
    check_page(page, "directory results", problems)
    shot(page, "01-directory-es")
    page.get_by_role("link", name="Grupo de los jueves").click()
    check_page(page, "public page", problems)
    shot(page, "02-public-page")
    assert "Encina" not in page.content()

    # 2. Join needs an account: from the login page to sign-up, keeping where the person was going.
    page.get_by_role("link", name=re.compile("Unirme|Únete|Unirse")).click()
    assert "/account/login/" in page.url
    check_page(page, "login", problems)
    page.get_by_role("link", name=re.compile("Crea", re.I)).first.click()
    page.wait_for_url(re.compile("/account/signup/"))
    check_page(page, "signup", problems)
    page.get_by_label(re.compile("nombre", re.I)).first.fill("Lucía")
    page.get_by_label(re.compile("correo", re.I)).fill("lucia@example.org")
    page.get_by_label(re.compile("Contraseña", re.I)).fill("short")
    page.get_by_role("button", name=re.compile("Crear")).click()
    # Bad input: errors in Spanish, input kept, nothing saved.
    assert page.locator("#error-summary").is_visible()
    assert page.get_by_label(re.compile("correo", re.I)).input_value() == "lucia@example.org"
    check_page(page, "signup errors", problems)
    shot(page, "03-signup-errors")
    page.get_by_label(re.compile("Contraseña", re.I)).fill("río-lento-azul-42")
    page.get_by_role("button", name=re.compile("Crear")).click()
    page.wait_for_url(re.compile("check-email"))
    check_page(page, "check email", problems)

    # 3. Confirm the email with the link that was sent.
    link = re.search(r"/account/verify/\S+/", mail.outbox[-1].body).group(0)
    page.goto(base + link)
    check_page(page, "confirm email", problems)
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    # Confirming lands, logged in, on the join step of the group the person chose (issue 7).
    page.wait_for_url(re.compile(f"/groups/{demo.code}/join/"))

    # 4. Join: confirm the experience, accept the pledge, choose a pseudonym.
    check_page(page, "join", problems)
    page.get_by_label(re.compile("seud", re.I)).fill("Lluvia")
    page.get_by_role("button", name=re.compile("Unirme|Únete|Unirse")).click()
    assert page.locator("#error-summary").is_visible()  # nothing confirmed yet
    page.get_by_label(re.compile("Comparto|también es mi experiencia")).check()
    page.get_by_label(re.compile("He leído")).check()
    page.get_by_role("button", name=re.compile("Unirme|Únete|Unirse")).click()
    # A newcomer reads the group's welcome step first, once.
    page.wait_for_url(re.compile(f"/groups/{demo.code}/welcome/"))
    check_page(page, "welcome step", problems)
    shot(page, "04-welcome")
    page.get_by_role("button", name=re.compile("Continuar")).click()
    page.wait_for_url(re.compile(f"/groups/{demo.code}/home/"))
    content = page.content()
    assert "Lluvia" in content and "Encina" in content and "lucia@example.org" not in content
    check_page(page, "group home", problems)
    shot(page, "04-group-home")

    # 5. Leave in one step, no reason asked; the home is then a 404.
    page.get_by_role("link", name=re.compile("Salir|Dejar")).click()
    check_page(page, "leave", problems)
    shot(page, "05-leave")
    # Leaving is a destructive action: the button is red (--danger), not the blue of the main action.
    leave_button = page.get_by_role("button", name=re.compile("Salir|Dejar"))
    assert leave_button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(164, 38, 44)"
    page.get_by_role("button", name=re.compile("Salir|Dejar")).click()
    page.wait_for_url(re.compile("/me/groups/"))
    response = page.goto(f"{base}/groups/{demo.code}/home/")
    assert response is not None and response.status == 404
    check_page(page, "404", problems)

    # 6. The crisis page is one click away.
    page.get_by_role("link", name=re.compile("ayuda ahora", re.I)).first.click()
    check_page(page, "crisis", problems)
    shot(page, "06-crisis")

    # 7. Where there is room (a desktop), the directory's filters open by themselves.
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(f"{base}/groups/")
    assert page.locator("details.filters-panel").get_attribute("open") is not None

    context.close()
    (ARTIFACTS / "axe.json").write_text(json.dumps(problems, indent=2))
    assert problems == []
    assert csp_violations == []


# The seat offer journey (email and inbox) is in test_seat_offer_journey.py.
