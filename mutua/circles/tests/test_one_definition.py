"""One definition per rule (issue 7, "Cleanups"): the language lists, the distance formula, the live
and queued membership statuses and "holds a seat" each live in one place; these tests grep the code
for copies. Test files may spell values out on purpose (an expectation is not a definition)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from mutua.circles.models import LIVE_STATUSES, QUEUED_STATUSES, SEAT_STATUSES, Circle, MembershipStatus
from mutua.core.i18n import GROUP_LANGUAGES, language_codes, supported_language

ROOT = Path(__file__).resolve().parents[3]


def sources(*suffixes: str) -> list[Path]:
    out = []
    for top in ("mutua", "templates", "scripts", "bench"):
        out += [p for p in (ROOT / top).rglob("*") if p.suffix in suffixes and p.is_file()]
    out.append(ROOT / "conftest.py")
    return [p for p in out if "tests" not in p.parts and "migrations" not in p.parts]


def offenders(pattern: str, paths: list[Path], allowed: set[str]) -> list[str]:
    regex = re.compile(pattern)
    found = []
    for path in paths:
        rel = str(path.relative_to(ROOT))
        if rel not in allowed and regex.search(path.read_text(encoding="utf-8", errors="replace")):
            found.append(rel)
    return found


def test_interface_languages_come_from_settings():
    assert language_codes() == tuple(code for code, _name in settings.LANGUAGES)
    assert set(language_codes()) <= set(GROUP_LANGUAGES)
    assert supported_language("es-ES") == "es" and supported_language("fr") == "en"


def test_no_copy_of_a_language_list():
    """Three or more language codes written one after another are a copy of a list: ask `settings.LANGUAGES`
    (`core.i18n.language_codes()`) or `core.i18n.GROUP_LANGUAGES` instead."""
    code = "|".join(sorted(GROUP_LANGUAGES))
    pattern = rf"""(["']({code})["']\s*,\s*){{2,}}["']({code})["']"""
    allowed = {
        "mutua/core/i18n.py",  # GROUP_LANGUAGES itself
        "mutua/matching/demo.py",  # demo people's languages with weights: data, not the list
        "bench/directory.py",  # benchmark data with weights
    }
    assert offenders(pattern, sources(".py", ".html", ".js", ".sh"), allowed) == []


def test_one_distance_formula():
    """Great-circle distances are `mutua.matching.engine.geo.haversine_km` (pure, no Django); nothing
    outside the engine computes one itself. The benchmark's grader keeps its own on purpose: it grades
    the engine independently."""
    paths = [p for p in sources(".py") if "engine" not in p.parts and "bench" not in p.parts]
    assert offenders(r"asin\(|arcsin\(|6371", paths, set()) == []


def test_membership_status_sets_are_defined_once():
    """Sets of statuses (live, queued, holding a seat) are named in `circles.models` only; elsewhere
    code says `.live()`, `.holding_seat()`, `membership.is_live` or `membership.is_queued`."""
    # Live: in the group, in its queue, or asking to join it (a join request, `circles.join_requests`).
    assert set(LIVE_STATUSES) == set(QUEUED_STATUSES) | set(SEAT_STATUSES) | {MembershipStatus.REQUESTED}
    assert MembershipStatus.LEFT not in LIVE_STATUSES
    py = r"MembershipStatus\.\w+\s*,\s*MembershipStatus\.\w+|!=\s*MembershipStatus\.LEFT"
    assert offenders(py, sources(".py"), {"mutua/circles/models.py"}) == []
    html = r"""status\s*==\s*["']\w+["']\s+or\b[^%]*status\s*==|status\s*!=\s*["']left["']"""
    assert offenders(html, sources(".html"), set()) == []


def test_holding_a_seat_is_read_through_one_definition():
    """Free seats, "full" and "taking newcomers" come from `Circle.free_seats` / `Circle.accepting` /
    `Circle.objects.accepting()`, all reading `seats_held` (`Membership.objects.holding_seat()`)."""
    pattern = (
        r"max_members\s*-\s*\w*\.?seats_held|seats_held\s*(>=|<=|<|>)|seats_held__|F\(\s*[\"']max_members"
    )
    assert offenders(pattern, sources(".py", ".html"), {"mutua/circles/models.py"}) == []


@pytest.mark.parametrize(
    ("held", "open_", "free", "full", "accepting"),
    [
        (4, True, 1, False, True),
        (5, True, 0, True, False),
        (6, True, 0, True, False),
        (2, False, 3, False, False),
    ],
)
def test_seat_properties_agree(held, open_, free, full, accepting):
    c = Circle(max_members=5, seats_held=held, open=open_)
    assert (c.free_seats, c.is_full, c.accepting) == (free, full, accepting)


def test_the_database_rule_agrees_with_the_property(make_circle):
    circles = [make_circle(open=o, max_members=5) for o in (True, True, False)]
    Circle.objects.filter(pk=circles[1].pk).update(seats_held=5)
    in_db = set(Circle.objects.accepting().values_list("pk", flat=True))
    in_python = {c.pk for c in Circle.objects.all() if c.accepting}
    assert in_db == in_python == {circles[0].pk}
