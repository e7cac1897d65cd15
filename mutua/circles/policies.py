"""Who may see what inside a group. `access_circle` is the one gate (CONVENTIONS: fetch and check in
one call). Anyone who is not a participant gets the same 404 as for a group that does not exist.

`circle_view` is the only way to mark a page "circle" (`core.access.CIRCLE`): it calls the gate before
the view runs and hands the view the group and the viewer's membership, so the marker cannot be put
on a view that skips the gate.
"""

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import Any
from weakref import WeakSet

from django.db.models import Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from mutua.circles.consent import ConsentRequired, consent_is_current
from mutua.circles.models import Circle, Membership, MembershipStatus, Pledge
from mutua.core import access


class Need(StrEnum):
    # A current member who has accepted the group's current agreements and pledge: sees content.
    MEMBER = "member"
    # Anyone with a live relation to the group (member, waiting, seat offered): sees only their own
    # status, may accept the agreements again, and may leave. Waiting people see no content (P7).
    PARTICIPANT = "participant"


def access_circle(user: Any, code: str, need: Need = Need.MEMBER) -> tuple[Circle, Membership]:
    """Return the group and the viewer's membership, or raise Http404 — never 403 — so an outsider
    cannot tell a private group from one that does not exist. Host staff get no exception (§2).

    A member whose accepted pledge or agreements version is no longer current gets ConsentRequired
    for `Need.MEMBER`: they are a member (so nothing leaks by saying so) but see nothing until they
    accept the current versions."""
    if user is None or not user.is_authenticated:
        raise Http404
    current_pledge = Pledge.objects.order_by("-version").values("version")[:1]
    membership = (
        Membership.objects.live()
        .select_related("circle", "circle__experience", "circle__place")
        .filter(circle__code=code, user=user)
        .annotate(current_pledge_version=Subquery(current_pledge))
        .first()
    )
    if membership is None:
        raise Http404
    if need == Need.MEMBER:
        if membership.status != MembershipStatus.MEMBER:
            raise Http404
        pledge_version = int(getattr(membership, "current_pledge_version", None) or 0)
        if not consent_is_current(
            membership=membership, circle=membership.circle, pledge_version=pledge_version
        ):
            raise ConsentRequired(
                circle=membership.circle, membership=membership, pledge_version=pledge_version
            )
    return membership.circle, membership


# The `Need` a view produced by `circle_view` was gated with.
NEED_ATTR = "mutua_need"

# Every view `circle_view` produced, so a test can prove that each view marked CIRCLE went through it.
GATED_VIEWS: "WeakSet[Callable[..., Any]]" = WeakSet()

CircleView = Callable[..., HttpResponse]


def circle_view(need: Need) -> Callable[[CircleView], CircleView]:
    """Decorate a page inside a group: `view(request, circle, membership, **kwargs)` runs only after
    the gate let the viewer through. Outsiders get the gate's 404; a member who must accept new
    agreements or a new pledge is sent to the re-accept page."""

    def decorate(view: CircleView) -> CircleView:
        @functools.wraps(view)
        def gated(request: HttpRequest, code: str, **kwargs: Any) -> HttpResponse:
            try:
                circle, membership = access_circle(request.user, code, need)
            except ConsentRequired:
                return redirect("circles:consent", code=code)
            return view(request, circle, membership, **kwargs)

        setattr(gated, NEED_ATTR, need)
        GATED_VIEWS.add(gated)
        return access.mark(gated, access.CIRCLE)

    return decorate


__all__ = ["ConsentRequired", "Need", "access_circle", "circle_view"]
