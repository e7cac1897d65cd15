"""Pages and API operations hold no database calls of their own (issue 7, "Cleanups"): queries go in
selectors, writes in services, so a rule is found in one place and can be tested without a request."""

import ast
from pathlib import Path

MUTUA = Path(__file__).resolve().parents[2]
# Modules that hold pages or API operations (views.py, api.py, and the likes of calendar_views.py).
ENTRY_POINTS = sorted(
    {
        *MUTUA.glob("*/*views.py"),
        *MUTUA.glob("*/*api.py"),
        MUTUA / "api" / "routes.py",
        MUTUA / "core" / "errorviews.py",
    }
)
# Calls that reach the database when made on a model, a manager or a queryset.
ORM_METHODS = {
    "save",
    "delete",
    "filter",
    "exclude",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "count",
    "exists",
    "refresh_from_db",
    "select_for_update",
    "aggregate",
    "annotate",
}


def database_calls(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append(f"line {node.lineno}: .objects")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ORM_METHODS
            # `@router.delete(...)` declares an operation; `text.count("x")` counts in a string.
            and not (isinstance(node.func.value, ast.Name) and node.func.value.id in {"router", "api"})
            and not (node.func.attr == "count" and node.args)
        ):
            found.append(f"line {node.lineno}: .{node.func.attr}()")
    return found


def test_the_scan_finds_what_it_looks_for():
    sample = (
        "@router.delete('/x')\n"
        "def v(r):\n"
        "    x = Circle.objects.all()\n"
        "    r.user.save()\n"
        "    c.memberships.filter(a=1).count()\n"
        "    'abc'.count('a')\n"
        "    p.refresh_from_db()\n"
    )
    assert sorted(database_calls(sample)) == [
        "line 3: .objects",
        "line 4: .save()",
        "line 5: .count()",
        "line 5: .filter()",
        "line 7: .refresh_from_db()",
    ]


def test_pages_and_api_operations_hold_no_database_calls():
    assert len(ENTRY_POINTS) >= 8
    problems = {
        str(path.relative_to(MUTUA)): calls
        for path in ENTRY_POINTS
        if (calls := database_calls(path.read_text(encoding="utf-8")))
    }
    assert problems == {}
