"""A group's agreements (§3.4, P5): the host's basic agreements, then the group's own, one versioned set.

`Circle.agreements_version` names the version in force; the group's own agreements of that version
are `OwnAgreement` rows with that `version` (none while the group has adopted none). A version bump
closes the gate for every member until they accept again (`circles.consent.consent_is_current`).

The first member of a group may draft its first own agreements (`AgreementsDraft`) and put them to
the group; that is the only thing that sets the first member apart, and it ends for good once the
group has adopted own agreements (`may_draft`, the one rule). From then on every change is an
ordinary AGREEMENTS proposal that any member may open.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mutua.circles.models import BasicAgreement, Circle, Membership, MembershipStatus
from mutua.core.errors import DomainError
from mutua.core.models import audit
from mutua.governance.models import AgreementsDraft, OwnAgreement, Proposal, ProposalKind, ProposalStatus

if TYPE_CHECKING:
    from mutua.accounts.models import User

# The limits of one set of the group's own agreements (the host's basic agreements come first anyway).
OWN_AGREEMENTS_MAX = 12
TITLE_MAX = 120
TEXT_MAX = 2000

NOT_YOURS = _(
    "Only the group's first member drafts its first agreements, and only until the group adopts "
    "agreements of its own. Any member can propose a change to the group."
)


# --------------------------------------------------------------------------- reads


def agreements_current(*, circle: Circle) -> tuple[list[BasicAgreement], list[OwnAgreement], int]:
    """The set in force: the host's basic agreements, the group's own of `circle.agreements_version`
    (in their order), and that version."""
    version = circle.agreements_version
    basic = list(BasicAgreement.objects.all())
    own = list(OwnAgreement.objects.filter(circle=circle, version=version).order_by("order", "pk"))
    return basic, own, version


def founding_membership(circle: Circle) -> Membership | None:
    """The group's first member (the one place this is defined): of its current members, the one who
    joined earliest. Whoever created the group joined it first; a group formed by matching is created
    by the first person who accepted the proposal, the others join after. Nobody else is "first"."""
    return (
        Membership.objects.filter(circle=circle, status=MembershipStatus.MEMBER, joined_at__isnull=False)
        .order_by("joined_at", "pk")
        .first()
    )


def own_agreements_adopted(circle: Circle) -> bool:
    """The group has adopted agreements of its own: rows exist, or an AGREEMENTS proposal passed (even
    one that adopted an empty set)."""
    return (
        OwnAgreement.objects.filter(circle=circle).exists()
        or Proposal.objects.filter(circle=circle, kind=ProposalKind.AGREEMENTS, passed=True).exists()
    )


def may_draft(*, circle: Circle, membership: Membership | None) -> bool:
    """The one rule for the drafting right (P5): the group's first member, while the group has not
    adopted own agreements and has not ended. Nobody else, and nobody after the adoption."""
    if membership is None or membership.status != MembershipStatus.MEMBER:
        return False
    if circle.dissolved_at is not None or own_agreements_adopted(circle):
        return False
    first = founding_membership(circle)
    return first is not None and first.pk == membership.pk


def _draft_items(circle: Circle) -> list[dict[str, str]]:
    draft = AgreementsDraft.objects.filter(circle=circle).first()
    if draft is None or not isinstance(draft.items, list):
        return []
    return [
        {"title": str(i.get("title", "")), "text": str(i.get("text", ""))}
        for i in draft.items
        if isinstance(i, dict)
    ]


@dataclass(frozen=True)
class AgreementsView:
    """The agreements page for one member. `draft` is only ever filled for the member who may draft."""

    basic: list[BasicAgreement]
    own: list[OwnAgreement]
    version: int
    adopted_at: datetime | None
    can_draft: bool
    draft: list[dict[str, str]]
    # The viewer's own open AGREEMENTS proposal made from the draft, if any (its code).
    draft_proposal: str | None


def agreements_view(*, circle: Circle, membership: Membership) -> AgreementsView:
    basic, own, version = agreements_current(circle=circle)
    can_draft = may_draft(circle=circle, membership=membership)
    open_proposal = None
    if can_draft:
        open_proposal = (
            Proposal.objects.filter(
                circle=circle,
                kind=ProposalKind.AGREEMENTS,
                status=ProposalStatus.OPEN,
                opened_by=membership,
            )
            .values_list("code", flat=True)
            .first()
        )
    return AgreementsView(
        basic=basic,
        own=own,
        version=version,
        adopted_at=circle.agreements_adopted_at,
        can_draft=can_draft,
        draft=_draft_items(circle) if can_draft else [],
        draft_proposal=open_proposal,
    )


@dataclass(frozen=True)
class AgreementsChanges:
    """What changed in the group's own agreements between the version a member accepted and the one in
    force, by title (the consent page shows it so the person knows what they accept)."""

    added: list[str]
    changed: list[str]
    removed: list[str]

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def agreements_changes(*, circle: Circle, since_version: int) -> AgreementsChanges | None:
    """The change since `since_version`, or None when there is nothing to compare (never accepted, or
    already current)."""
    if since_version <= 0 or since_version >= circle.agreements_version:
        return None
    rows = OwnAgreement.objects.filter(circle=circle, version__in=(since_version, circle.agreements_version))
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for row in rows.order_by("order", "pk"):
        (after if row.version == circle.agreements_version else before)[row.title] = row.text
    return AgreementsChanges(
        added=[t for t in after if t not in before],
        changed=[t for t in after if t in before and before[t] != after[t]],
        removed=[t for t in before if t not in after],
    )


# --------------------------------------------------------------------------- validation


def clean_agreement_items(items: Iterable[Mapping[str, Any]] | Any) -> list[dict[str, str]]:
    """A set of the group's own agreements, checked: 1 to 12, each with a title (up to 120 characters)
    and a text (up to 2000), neither empty. Titles are trimmed to single spaces; texts keep their line
    breaks. The one check, for the draft and for what a proposal adopts."""
    if not isinstance(items, (list, tuple)):
        raise DomainError(_("Write the agreements as a list."))
    cleaned = []
    for item in items:
        if not isinstance(item, Mapping):
            raise DomainError(_("Each agreement needs a title and a text."))
        title = " ".join(str(item.get("title") or "").split())
        text = str(item.get("text") or "").strip()
        if not title or not text:
            raise DomainError(_("Each agreement needs a title and a text."))
        if len(title) > TITLE_MAX:
            raise DomainError(_("Keep each title to %(n)s characters.") % {"n": TITLE_MAX})
        if len(text) > TEXT_MAX:
            raise DomainError(_("Keep each agreement's text to %(n)s characters.") % {"n": TEXT_MAX})
        cleaned.append({"title": title, "text": text})
    if not cleaned:
        raise DomainError(_("Write at least one agreement."))
    if len(cleaned) > OWN_AGREEMENTS_MAX:
        raise DomainError(_("A group keeps up to %(n)s agreements of its own.") % {"n": OWN_AGREEMENTS_MAX})
    return cleaned


# --------------------------------------------------------------------------- writes


def _drafter(*, circle: Circle, user: "User") -> tuple[Circle, Membership]:
    """Lock the group and return the person's membership if they may draft; refuse otherwise."""
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    membership = Membership.objects.filter(circle=circle, user=user, status=MembershipStatus.MEMBER).first()
    if membership is None:
        raise DomainError(_("You are not in this group (any more)."), "not_found")
    if not may_draft(circle=circle, membership=membership):
        raise DomainError(NOT_YOURS, "conflict")
    return circle, membership


@transaction.atomic
def agreements_draft_save(*, circle: Circle, user: "User", items: Any) -> AgreementsDraft:
    """The first member saves the draft of the group's first own agreements (replacing the previous
    draft). Refused for anyone else and for everyone once the group has adopted own agreements."""
    circle, _membership = _drafter(circle=circle, user=user)
    cleaned = clean_agreement_items(items)
    draft, _created = AgreementsDraft.objects.update_or_create(circle=circle, defaults={"items": cleaned})
    audit("agreements.draft_saved", actor=user, circle=circle, items=len(cleaned))
    return draft


@transaction.atomic
def agreements_propose(*, circle: Circle, user: "User") -> Proposal:
    """The first member puts the draft to the group: an AGREEMENTS proposal (consent, the host's default
    time) through the proposals service. The draft stays until the group adopts own agreements, so a
    proposal that does not pass can be amended and proposed again."""
    circle, membership = _drafter(circle=circle, user=user)
    from mutua.governance.services import proposal_open  # governance.services imports this module

    items = clean_agreement_items(_draft_items(circle))
    already = Proposal.objects.filter(
        circle=circle, kind=ProposalKind.AGREEMENTS, status=ProposalStatus.OPEN, opened_by=membership
    ).exists()
    if already:
        raise DomainError(
            _("Your proposal of these agreements is still open. The group is deciding on it."), "conflict"
        )
    return proposal_open(
        circle=circle,
        user=user,
        kind=ProposalKind.AGREEMENTS,
        title=str(_("Our group's first agreements")),
        body=str(_("The group's own agreements below, after the basic agreements every group keeps.")),
        payload={"items": items},
    )
