"""Who may see what inside a group. `access_circle` is the one gate (CONVENTIONS: fetch and check in
one call). Anyone who is not a participant gets the same 404 as for a group that does not exist."""

from enum import StrEnum
from typing import Any

from django.http import Http404

from mutua.circles.models import Circle, Membership, MembershipStatus


class Need(StrEnum):
    # A current member who has accepted the group's current agreements and pledge: sees content.
    MEMBER = "member"
    # Anyone with a live relation to the group (member, waiting, seat offered): sees only their own
    # status and may leave. Waiting people do not see content (P7).
    PARTICIPANT = "participant"


LIVE_STATUSES = (MembershipStatus.MEMBER, MembershipStatus.WAITING, MembershipStatus.OFFERED)


def access_circle(user: Any, code: str, need: Need = Need.MEMBER) -> tuple[Circle, Membership]:
    """Return the group and the viewer's membership, or raise Http404 — never 403 — so an outsider
    cannot tell a private group from one that does not exist. Host staff get no exception (§2)."""
    if user is None or not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("circle", "circle__experience", "circle__place")
        .filter(circle__code=code, user=user, status__in=LIVE_STATUSES)
        .first()
    )
    if membership is None:
        raise Http404
    if need == Need.MEMBER and not (
        membership.status == MembershipStatus.MEMBER
        and membership.pledge_version > 0
        and membership.agreements_version >= membership.circle.agreements_version
    ):
        raise Http404
    return membership.circle, membership
