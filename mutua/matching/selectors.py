"""Reads for the person waiting: their proposals, and a plain explanation when not placed."""

from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mutua.circles.models import Place
from mutua.matching import engine
from mutua.matching.models import GroupOffer, Interest, InterestStatus, Proposal, ProposalStatus

if TYPE_CHECKING:
    from mutua.accounts.models import User


def proposals_for(*, user: "User") -> list[Proposal]:
    return list(
        Proposal.objects.filter(user=user)
        .select_related("offer", "offer__experience", "offer__place", "offer__circle")
        .order_by("-offer__run__created_at")
    )


def offer_when(offer: GroupOffer, tz: str) -> tuple[int, int]:
    """(weekday, hour) of an offer's weekly slot in the viewer's time zone."""
    local = engine.utc_slot_to_local(offer.slot_utc, tz, offer.reference_monday)
    return local.weekday(), local.hour


def _slot_text(slot: int, tz: str, monday: date) -> str:
    from mutua.matching.services import WEEKDAY_NAMES

    local = engine.utc_slot_to_local(slot, tz, monday)
    # The locale's own phrasing ("el lunes a las 18:00"), not a bare "lunes 18:00".
    return _("%(weekday)s at %(hour)s") % {
        "weekday": WEEKDAY_NAMES[local.weekday()],
        "hour": f"{local.hour:02d}:00",
    }


def explain(*, interest: Interest) -> list[str]:
    """Turn the engine's structured explanation into sentences in the viewer's language."""
    e = interest.explanation or {}
    reason = e.get("reason")
    if not reason:
        return []
    from mutua.matching.services import next_monday

    monday = next_monday()
    if reason == engine.Reason.TOO_FEW_PEERS:
        n = int(e.get("more_needed") or 1)
        return [
            ngettext(
                "%(n)s more person who shares your experience and language is needed to form a group.",
                "%(n)s more people who share your experience and language are needed to form a group.",
                n,
            )
            % {"n": n}
        ]
    if reason == engine.Reason.NO_COMMON_TIME_OR_PLACE:
        out = [
            _(
                "Others share your experience and language, but not enough of them are free at the same "
                "time or can reach the same place."
            )
        ]
        for s in (e.get("slot_suggestions") or [])[:2]:
            text = _slot_text(int(s["slot"]), interest.timezone, monday)
            if s.get("completes_group"):
                out.append(_("Adding %(when)s to your free hours would complete a group.") % {"when": text})
            else:
                out.append(
                    _("Adding %(when)s to your free hours would bring you together with %(n)s people.")
                    % {"when": text, "n": s["people"]}
                )
        for d in (e.get("distance_suggestions") or [])[:2]:
            place = Place.objects.filter(pk=d.get("venue_id")).first()
            out.append(
                _("Travelling %(km)s km further would reach people near %(place)s.")
                % {"km": round(float(d["extra_km"])), "place": place.name if place else "?"}
            )
        return out
    if reason == engine.Reason.TAKEN_BY_OTHER_GROUPS:
        return [
            _(
                "A group was possible for you, but the people in it were placed in other groups. "
                "You keep your place in the queue for the next round."
            )
        ]
    return []


def has_pending(*, user: "User") -> bool:
    return Proposal.objects.filter(user=user, status=ProposalStatus.PENDING).exists()


def interest_of(*, user: "User", include_withdrawn: bool = True) -> Interest | None:
    """The person's one interest (a withdrawn one too, for the page to say so, unless asked not to)."""
    qs = Interest.objects.filter(user_id=user.pk)
    if not include_withdrawn:
        qs = qs.exclude(status=InterestStatus.WITHDRAWN)
    return qs.first()


def accepted_count(offer: GroupOffer) -> int:
    """How many of the people proposed a group have said yes so far."""
    return offer.proposals.filter(status=ProposalStatus.ACCEPTED).count()
