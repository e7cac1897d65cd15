"""Issue 7 cleanups in matching: no import cycle between services and tasks; the proposal page's GET
writes nothing; `matching_run --wait` goes through the service (the in-progress check and the audit)."""

import ast
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from conftest import client_for
from mutua.core.models import AuditEvent
from mutua.matching.models import GroupOffer, Interest, InterestStatus, MatchingRun, OfferStatus, RunStatus
from mutua.matching.tests.test_matching_flow import register, start_run
from mutua.notifications.models import Notification

MATCHING = Path(__file__).resolve().parent.parent


def imports_of(module: str) -> set[str]:
    """Every `mutua.matching.*` module a module imports, at the top or inside a function."""
    tree = ast.parse((MATCHING / f"{module}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "mutua.matching":
                found |= {a.name for a in node.names}
            elif node.module.startswith("mutua.matching."):
                found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[2] for a in node.names if a.name.startswith("mutua.matching.")}
    return found


def test_no_import_cycle_between_services_tasks_and_runs():
    graph = {m: imports_of(m) & {"services", "tasks", "runs"} for m in ("services", "tasks", "runs")}
    assert "services" not in graph["tasks"] and "services" not in graph["runs"]
    assert "tasks" not in graph["runs"]

    def reaches(start: str, target: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(n == target or (n not in seen and reaches(n, target, seen | {n})) for n in graph[start])

    assert [m for m in graph if reaches(m, m)] == []


@pytest.fixture
def loaded(db):
    call_command("load_content", verbosity=0)


def test_proposal_page_get_writes_nothing_even_past_the_deadline(
    loaded, make_user, django_capture_on_commit_callbacks
):
    people = [make_user() for _ in range(5)]
    for p in people:
        register(p)
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    offer = GroupOffer.objects.get()
    GroupOffer.objects.filter(pk=offer.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    notes = Notification.objects.count()
    response = client_for(people[0]).get(f"/find/proposals/{offer.code}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "This proposal has closed." in body and "Yes, I want to join" not in body
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN  # closed later by the scheduler or the next answer, not by a GET
    assert Notification.objects.count() == notes
    assert set(Interest.objects.values_list("status", flat=True)) == {InterestStatus.PROPOSED}


def test_matching_run_wait_is_audited_and_refused_while_a_run_is_in_progress(loaded, make_user):
    for _ in range(5):
        register(make_user())
    out = io.StringIO()
    call_command("matching_run", "--wait", stdout=out)
    assert "done" in out.getvalue()
    run = MatchingRun.objects.get()
    assert run.status == RunStatus.DONE and run.created_by is None
    assert AuditEvent.objects.filter(action="matching.run_created", data__run=run.pk).exists()
    MatchingRun.objects.create(status=RunStatus.RUNNING)
    with pytest.raises(CommandError, match="already in progress"):
        call_command("matching_run", "--wait")
    assert MatchingRun.objects.count() == 2
