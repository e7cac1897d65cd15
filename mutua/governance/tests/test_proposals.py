"""Proposals: opening each kind, frozen voters, stances, the discussion, withdrawal, closing."""

from typing import Any

import pytest

from mutua.governance import selectors, services
from mutua.governance.models import Proposal, ProposalStatus
from mutua.governance.tests.groups import after

pytestmark = pytest.mark.django_db


def test_smoke_question_passes_when_everyone_agrees(group: Any) -> None:
    g = group(3)
    p = g.open(0)
    for i in range(3):
        g.say(p, i, "agree")
    p.refresh_from_db()
    assert p.status == ProposalStatus.CLOSED
    assert p.passed is True
    view = selectors.proposal_view(proposal=p, membership=g.m(1))
    assert view.results is not None and view.results.counts["agree"] == 3


def test_smoke_deadline_close(group: Any) -> None:
    g = group(3)
    p = g.open(0)
    g.say(p, 1, "object", "no")
    g.say(p, 2, "agree")
    assert services.proposal_close(proposal_id=p.pk) is None
    closed = services.proposal_close(proposal_id=p.pk, now=after(p))
    assert closed is not None and closed.passed is False
    assert Proposal.objects.get(pk=p.pk).reason == "objection"
