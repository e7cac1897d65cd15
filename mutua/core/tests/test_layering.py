"""`core` is the foundation (access markers, audit, emails, errors, i18n helpers): it depends on no
app above it, so there is no import cycle through it (issue 7, "Cleanups"). The other apps import
core; core imports none of them, not even lazily inside a function."""

import ast
from pathlib import Path

import pytest

MUTUA = Path(__file__).resolve().parents[2]
CORE = MUTUA / "core"
# Every Mutua app above core. A new app is above core too: list it here.
ABOVE_CORE = ("accounts", "circles", "care", "matching", "notifications", "listings", "api", "demo")


def is_type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def walk_run_time(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under `if TYPE_CHECKING:` (annotations only, never run)."""
    nodes = []
    for child in ast.iter_child_nodes(tree):
        nodes.append(child)
        if is_type_checking_block(child):
            nodes += [n for other in getattr(child, "orelse", []) for n in [other, *walk_run_time(other)]]
        else:
            nodes += walk_run_time(child)
    return nodes


def imported_modules(source: str) -> list[tuple[int, str]]:
    """Every module an `import` or `from … import` names, wherever it is in the file (a function
    body included), except under `if TYPE_CHECKING:`."""
    found = []
    for node in walk_run_time(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from mutua import circles` names the app in the imported names.
            if node.module == "mutua":
                found += [(node.lineno, f"mutua.{alias.name}") for alias in node.names]
    return found


def upward(source: str) -> list[tuple[int, str]]:
    return [
        (line, module)
        for line, module in imported_modules(source)
        if module.split(".")[:2] in [["mutua", app] for app in ABOVE_CORE]
    ]


def test_core_imports_no_app_above_it():
    offenders = [
        f"{path.relative_to(MUTUA.parent)}:{line} imports {module}"
        for path in sorted(CORE.rglob("*.py"))
        if "tests" not in path.relative_to(CORE).parts
        for line, module in upward(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "source",
    [
        "from mutua.circles.models import Membership",
        "import mutua.matching.services",
        "def f():\n    from mutua.accounts.otp import admin_login\n",
        "from mutua import circles",
        "class A:\n    def m(self):\n        import mutua.demo.seed as s\n",
        "if TYPE_CHECKING:\n    pass\nelse:\n    from mutua.circles import models\n",
        "if settings.DEBUG:\n    from mutua.api import api\n",
    ],
)
def test_the_check_sees_every_kind_of_upward_import(source):
    assert upward(source)


@pytest.mark.parametrize(
    "source",
    [
        "from mutua.core.errors import DomainError",
        "import django.db",
        "from . import access",
        "if TYPE_CHECKING:\n    from mutua.accounts.models import User\n",
        "if typing.TYPE_CHECKING:\n    from mutua.accounts.models import User\n",
    ],
)
def test_the_check_lets_core_import_itself_and_django(source):
    assert upward(source) == []
