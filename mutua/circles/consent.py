"""Consent to a group (P1, P7): one definition of what a person must accept, and when it is stale.

To join, a person confirms the shared experience and accepts the group's agreements and the current
confidentiality pledge (`check_consent`). To see a group's content, a member's accepted versions must
still be current (`consent_is_current`): a new pledge version or a new version of the group's
agreements closes the gate until the member accepts again. Pages, the API and matching all use these.
"""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.circles.models import Circle, Membership, Pledge
from mutua.core.errors import DomainError
from mutua.core.organisation import organisation_name

# The version of its agreements a new group starts with (the host's basic agreements).
FIRST_AGREEMENTS_VERSION = 1

CHANGED = _("The agreements or the pledge have changed since you opened the page. Please read them again.")


class ConsentRequired(DomainError):
    """A current member (or a person offered a seat) whose accepted agreements or pledge version is
    no longer current. Not a 404: they are in the group, and nothing leaks by telling them. Pages
    send them to the re-accept page; the API answers 409 with code "consent_required" and, under
    `consent`, what to accept and where (`consent_details`)."""

    def __init__(
        self,
        *,
        circle: Circle | None = None,
        membership: Membership | None = None,
        pledge_version: int | None = None,
    ) -> None:
        details = None
        if circle is not None and membership is not None:
            details = {
                "consent": consent_details(
                    circle=circle, membership=membership, pledge_version=pledge_version
                )
            }
        super().__init__(
            _(
                "The group's agreements or the confidentiality pledge have changed. "
                "Please read them and accept them again to continue."
            ),
            "consent_required",
            details,
        )


def consent_details(
    *, circle: Circle, membership: Membership, pledge_version: int | None
) -> dict[str, object]:
    """What a client needs to re-accept: the versions to accept (send them back as they are), the
    versions the person accepted, where to read the agreements and the pledge, and where to accept
    (POST `ConsentIn` to `accept_url`) — or the page that does all of it."""
    code = circle.code
    return {
        "agreements_version": circle.agreements_version,
        "pledge_version": current_pledge_version() if pledge_version is None else pledge_version,
        "accepted_agreements_version": membership.agreements_version,
        "accepted_pledge_version": membership.pledge_version,
        "agreements_url": reverse("api:group_agreements", kwargs={"code": code}),
        "pledge_url": reverse("api:pledge"),
        "accept_url": reverse("api:group_consent", kwargs={"code": code}),
        "page_url": reverse("circles:consent", kwargs={"code": code}),
    }


@dataclass(frozen=True)
class Consent:
    """What one person accepted, and when. Stored with a matching proposal so that the group is
    later formed with exactly what each person accepted."""

    confirms_experience: bool
    pledge_version: int
    agreements_version: int
    given_at: datetime


def current_pledge() -> Pledge:
    pledge = Pledge.objects.order_by("-version").first()
    if pledge is None:
        raise DomainError(
            _("This site has no confidentiality pledge yet. Please tell %(organisation)s.")
            % {"organisation": organisation_name()},
            "conflict",
        )
    return pledge


def check_pledge(*, accepts_pledge: bool, pledge_version: int | None) -> Pledge:
    """The pledge part of consent: an explicit yes to the version the person was shown, which must be
    the current one (a stale page is refused rather than recorded as agreement to a text not read)."""
    if accepts_pledge is not True:
        raise DomainError(_("Please accept the agreements and the confidentiality pledge."))
    pledge = current_pledge()
    if pledge_version != pledge.version:
        raise DomainError(CHANGED, "conflict")
    return pledge


def check_consent(
    *,
    confirms_experience: bool,
    accepts_pledge: bool,
    pledge_version: int | None,
    agreements_version: int = FIRST_AGREEMENTS_VERSION,
) -> Consent:
    """The consent every join needs (P1, P7), checked now. `agreements_version` is the version of the
    group's agreements the person was shown (a new group's first version when there is no group yet)."""
    if confirms_experience is not True:
        raise DomainError(_("Please confirm that you share this group's experience."))
    pledge = check_pledge(accepts_pledge=accepts_pledge, pledge_version=pledge_version)
    return Consent(
        confirms_experience=True,
        pledge_version=pledge.version,
        agreements_version=agreements_version,
        given_at=timezone.now(),
    )


def consent_is_current(*, membership: Membership, circle: Circle, pledge_version: int) -> bool:
    """The gate's rule: the member accepted the current pledge and the group's current agreements.
    `pledge_version` is the current pledge's version (0 when the host has none yet)."""
    return (
        membership.pledge_version > 0
        and membership.pledge_version >= pledge_version
        and membership.agreements_version >= circle.agreements_version
    )


def current_pledge_version() -> int:
    return int(Pledge.objects.order_by("-version").values_list("version", flat=True).first() or 0)
