"""Adopt a set of the group's own agreements the way a group does (test helper): a member opens an
AGREEMENTS proposal, every voter agrees, and the last stance closes it, which applies it
(`circles.services.circle_agreements_adopt`: version + 1, the draft gone)."""

from typing import Any

from mutua.circles.consent import consent_is_current, current_pledge_version
from mutua.circles.models import Circle, MembershipStatus
from mutua.circles.services import membership_consent_renew
from mutua.governance.models import Proposal, ProposalKind
from mutua.governance.services import proposal_open, stance_set


def accept_current(circle: Circle) -> None:
    """Every live membership accepts the agreements and pledge in force (a member must have, to vote)."""
    circle.refresh_from_db()
    pledge = current_pledge_version()
    for m in circle.memberships.live().select_related("user"):
        if not consent_is_current(membership=m, circle=circle, pledge_version=pledge):
            membership_consent_renew(
                circle=circle,
                user=m.user,
                accepts_pledge=True,
                pledge_version=pledge,
                agreements_version=circle.agreements_version,
            )


def adopt(circle: Circle, items: list[dict[str, str]], *, opener: Any = None) -> Proposal:
    """Adopt `items` through a proposal that passes; returns the closed proposal. Members who had not
    accepted the version in force accept it first (to take part); the new version is then stale for
    everyone, as after any adoption."""
    accept_current(circle)
    members = [m.user for m in circle.memberships.filter(status=MembershipStatus.MEMBER).order_by("pk")]
    proposal = proposal_open(
        circle=circle,
        user=opener or members[0],
        kind=ProposalKind.AGREEMENTS,
        title="Our agreements",
        payload={"items": items},
    )
    for user in members:
        stance_set(proposal=proposal, user=user, stance="agree")
    proposal.refresh_from_db()
    assert proposal.passed is True and proposal.applied_at is not None, proposal.reason
    circle.refresh_from_db()
    return proposal
