"""A small group for the proposals tests: `group(n)` makes a group of n members (the founder first),
each reachable by index, with their membership."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import join
from mutua.circles.models import Circle, Membership
from mutua.governance import services
from mutua.governance.models import Proposal


@dataclass
class Group:
    circle: Circle
    users: list[Any]

    def m(self, i: int) -> Membership:
        return Membership.objects.get(circle=self.circle, user=self.users[i])

    def reload(self) -> Circle:
        self.circle.refresh_from_db()
        return self.circle

    def open(self, i: int = 0, **kwargs: Any) -> Proposal:
        """Member i opens a proposal (a free question by default)."""
        kwargs.setdefault("kind", "question")
        kwargs.setdefault("title", "Shall we bring tea?")
        return services.proposal_open(circle=self.circle, user=self.users[i], **kwargs)

    def say(self, proposal: Proposal, i: int, stance: str, reason: str = "") -> Any:
        return services.stance_set(proposal=proposal, user=self.users[i], stance=stance, reason=reason)


@pytest.fixture
def group(make_circle: Any, make_user: Any) -> Any:
    def make(n: int = 5, **circle: Any) -> Group:
        founder = make_user()
        c = make_circle(founder=founder, pseudonym="M0", **circle)
        users = [founder]
        for i in range(1, n):
            u = make_user()
            join(c, u, f"M{i}")
            users.append(u)
        c.refresh_from_db()
        return Group(circle=c, users=users)

    return make


def after(proposal: Proposal, **delta: float) -> datetime:
    """A moment after the proposal's deadline (plus `delta`)."""
    proposal.refresh_from_db()
    return proposal.deadline + timedelta(seconds=1, **delta)


def later(**delta: float) -> datetime:
    return timezone.now() + timedelta(**delta)
