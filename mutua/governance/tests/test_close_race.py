"""Two closes of the same proposal at the same moment, on PostgreSQL with two connections: the
scheduler's tick and the last stance, or two ticks. The proposal is applied exactly once.

SQLite serialises every write, so two closes there can never overlap: these tests need PostgreSQL
(`DATABASE_URL=postgres://…`, as `make test` runs its second pass) and are skipped otherwise."""

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from mutua.circles import services as circle_services
from mutua.core.errors import DomainError
from mutua.core.models import AuditEvent
from mutua.governance import services
from mutua.governance.models import OwnAgreement, Proposal
from mutua.governance.tests.groups import Group
from mutua.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db(transaction=True)

ITEMS = [
    {"title": "Phones away", "text": "We put phones away."},
    {"title": "On time", "text": "We start on time."},
]


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "two closes can only overlap on PostgreSQL (SQLite serialises writes); run with DATABASE_URL"
        )


@pytest.fixture
def slow_adoption(monkeypatch: Any) -> None:
    """The effect takes a while, so the second close arrives while the first holds the proposal."""
    real = circle_services.circle_agreements_adopt

    def slow(**kwargs: Any) -> Any:
        time.sleep(0.4)
        return real(**kwargs)

    monkeypatch.setattr(circle_services, "circle_agreements_adopt", slow)


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at once, each in its own thread and database connection; their results (or the
    DomainError each raised) in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except DomainError as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def assert_applied_once(g: Group, p: Proposal) -> None:
    p.refresh_from_db()
    assert (p.status, p.passed) == ("closed", True) and p.applied_at is not None
    g.reload()
    assert g.circle.agreements_version == 2
    assert OwnAgreement.objects.filter(circle=g.circle).count() == len(ITEMS)
    assert AuditEvent.objects.filter(action="agreements.adopted").count() == 1
    assert AuditEvent.objects.filter(action="proposal.closed").count() == 1
    assert Notification.objects.filter(kind=Kind.PROPOSAL_CLOSED).count() == len(g.users)


def test_two_ticks_at_once_apply_it_once(group: Any, slow_adoption: None) -> None:
    g = group(3)
    p = g.open(0, kind="agreements", payload={"items": ITEMS})
    g.say(p, 0, "agree")
    g.say(p, 1, "agree")
    due = p.deadline + timedelta(seconds=1)
    results = race(
        lambda: services.proposal_close(proposal_id=p.pk, now=due),
        lambda: services.proposal_close(proposal_id=p.pk, now=due),
    )
    assert sum(r is not None for r in results) == 1
    assert_applied_once(g, p)


def test_the_tick_and_the_last_stance_at_once_apply_it_once(group: Any, slow_adoption: None) -> None:
    g = group(3)
    p = g.open(0, kind="agreements", payload={"items": ITEMS})
    g.say(p, 0, "agree")
    g.say(p, 1, "agree")
    due = p.deadline + timedelta(seconds=1)
    results = race(
        lambda: services.proposals_tick(now=due),
        lambda: services.stance_set(proposal=p, user=g.users[2], stance="agree"),
    )
    # The stance either came first (and its close won or lost to the tick) or found the proposal closed.
    assert isinstance(results[1], DomainError) or results[1].stance == "agree"
    assert_applied_once(g, p)
