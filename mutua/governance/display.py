"""How the decisions pages say things: the kinds explained, a proposal's change in words (the
agreements as a before → after list), and a closed proposal's result with its reason (each
`tally.Reason` in plain words). Reads nothing itself: the views hand it what the selectors read."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from mutua.circles.models import Circle
from mutua.core.errors import DomainError
from mutua.governance.models import (
    Openness,
    OwnAgreement,
    Proposal,
    ProposalKind,
    ProposalStatus,
    StanceChoice,
)
from mutua.governance.selectors import ProposalRow, ProposalView, Results
from mutua.governance.services import rhythm_from_payload
from mutua.governance.tally import Process, Reason
from mutua.meetings import display as meeting_display
from mutua.meetings.describe import format_date


def kind_help(kind: str) -> str:
    """What a proposal of this kind does if it passes, in a sentence or two."""
    return {
        ProposalKind.AGREEMENTS: _(
            "Add, change or remove the group's own agreements. If it passes, everyone reads and accepts "
            "the new agreements before seeing the group again."
        ),
        ProposalKind.SCHEDULE: _(
            "A new day, time or rhythm for the group's meetings. If it passes, it applies."
        ),
        ProposalKind.CAPACITY: _("How many members the group takes, from 5 to 12."),
        ProposalKind.OPENNESS: _(
            "Whether newcomers join straight away, ask first and are welcomed by the group, or cannot join."
        ),
        ProposalKind.PROFESSIONAL: _(
            "Invite a professional for a purpose and a period. It is written down for later; it gives "
            "nobody access to the group yet."
        ),
        ProposalKind.REMOVAL: _(
            "Ask a member to leave because they broke the group's agreements. It is a serious step: the "
            "person is told and may answer, and it needs the consent of everyone else."
        ),
        ProposalKind.DISSOLUTION: _(
            "End the group. If it passes, the group takes no newcomers, leaves the directory, and its "
            "content is deleted after a while."
        ),
        ProposalKind.QUESTION: _(
            "Ask the group anything and hear what everyone thinks. Nothing changes by itself."
        ),
    }[ProposalKind(kind)]


def default_title(kind: str) -> str:
    return str(ProposalKind(kind).label)


@dataclass(frozen=True)
class KindChoice:
    kind: str
    label: str
    help: str


def kind_choices() -> list[KindChoice]:
    return [KindChoice(kind=k.value, label=str(k.label), help=kind_help(k.value)) for k in ProposalKind]


@dataclass(frozen=True)
class Row:
    """A line of the list, with its dates as the viewer reads them."""

    row: ProposalRow
    deadline: str
    closed_on: str
    outcome_words: str


def row(r: ProposalRow, tz: str) -> Row:
    return Row(
        row=r,
        deadline=meeting_display.day_and_time(r.deadline, tz),
        closed_on=meeting_display.day_and_time(r.closed_at, tz) if r.closed_at else "",
        outcome_words=_short_outcome(r.status, r.passed),
    )


def _short_outcome(status: str, passed: bool | None) -> str:
    if status == ProposalStatus.WITHDRAWN:
        return str(ProposalStatus.WITHDRAWN.label)
    if status == ProposalStatus.OPEN:
        return ""
    return _("Passed") if passed else _("Did not pass")


# --------------------------------------------------------------------------- what it would change


@dataclass(frozen=True)
class ItemChange:
    title: str
    text: str
    change: str  # "added", "changed", "removed", "same"
    old_text: str = ""


@dataclass(frozen=True)
class Summary:
    """A proposal's change in words. `lines` are (label, value) pairs; `items` the agreements' diff."""

    lines: list[tuple[str, str]]
    items: list[ItemChange]


def agreements_diff(current: Sequence[OwnAgreement], proposed: Sequence[dict[str, Any]]) -> list[ItemChange]:
    """The proposed set beside the set in force, matched by title: each proposed agreement is new,
    changed or the same; each agreement in force that the proposal leaves out is removed."""
    before = {a.title: a.text for a in current}
    out = []
    titles = set()
    for item in proposed:
        title, text = str(item.get("title", "")), str(item.get("text", ""))
        titles.add(title)
        if title not in before:
            out.append(ItemChange(title=title, text=text, change="added"))
        elif before[title] != text:
            out.append(ItemChange(title=title, text=text, change="changed", old_text=before[title]))
        else:
            out.append(ItemChange(title=title, text=text, change="same"))
    out += [ItemChange(title=t, text=x, change="removed") for t, x in before.items() if t not in titles]
    return out


def _date(value: object) -> str:
    try:
        return format_date(date.fromisoformat(str(value)), year=True)
    except ValueError:
        return str(value)


def summary(
    proposal: Proposal, *, circle: Circle, current: Sequence[OwnAgreement], subject: str | None
) -> Summary:
    """What the proposal would change. While it is open, the agreements are compared with the set in
    force; once closed, the proposed set is shown as it was proposed."""
    payload = proposal.payload or {}
    kind = proposal.kind
    is_open = proposal.status == ProposalStatus.OPEN
    lines: list[tuple[str, str]] = []
    items: list[ItemChange] = []
    if kind == ProposalKind.AGREEMENTS:
        proposed = payload.get("items") or []
        if is_open:
            items = agreements_diff(current, proposed)
        else:
            items = [
                ItemChange(title=str(i.get("title", "")), text=str(i.get("text", "")), change="same")
                for i in proposed
            ]
    elif kind == ProposalKind.SCHEDULE:
        try:
            words = meeting_display.rhythm_words(rhythm_from_payload(payload))
        except DomainError:
            words = ""
        if is_open:
            lines.append((_("Now"), meeting_display.rhythm_words(circle.rhythm)))
        lines.append((_("Proposed"), words))
    elif kind == ProposalKind.CAPACITY:
        if is_open:
            lines.append((_("Now"), _("up to %(n)s members") % {"n": circle.max_members}))
        lines.append((_("Proposed"), _("up to %(n)s members") % {"n": payload.get("max_members")}))
    elif kind == ProposalKind.OPENNESS:
        labels = dict(Openness.choices)
        if is_open:
            lines.append((_("Now"), str(labels.get(circle.openness, ""))))
        lines.append((_("Proposed"), str(labels.get(payload.get("openness", ""), ""))))
    elif kind == ProposalKind.PROFESSIONAL:
        lines += [
            (_("What they would do"), str(payload.get("purpose", ""))),
            (_("From"), _date(payload.get("starts"))),
            (_("Until"), _date(payload.get("ends"))),
        ]
    elif kind == ProposalKind.REMOVAL and subject:
        lines.append((_("About"), subject))
    return Summary(lines=lines, items=items)


# --------------------------------------------------------------------------- the result


def reason_words(results: Results, proposal: Proposal) -> str:
    """Why it passed or not, in words (one sentence per `tally.Reason`)."""
    share = proposal.quorum if proposal.process == Process.MAJORITY else proposal.min_participation
    percent = round(share * 100)
    words = {
        Reason.PASSED: _("Nobody objected, and enough members took part.")
        if proposal.process == Process.CONSENT
        else _("More members agreed than disagreed or objected, and the quorum was reached."),
        Reason.OBJECTION: _(
            "Someone objected, with a reason. By consent, one objection is enough to stop it."
        ),
        Reason.PARTICIPATION_TOO_LOW: _("Too few members took part: at least %(percent)s%% had to.")
        % {"percent": percent},
        Reason.QUORUM_NOT_MET: _("The quorum was not reached: at least %(percent)s%% had to take part.")
        % {"percent": percent},
        Reason.NOT_ENOUGH_AGREE: _("Not more members agreed than disagreed or objected."),
        Reason.NOT_EVERYONE: _(
            "Asking a member to leave needs everyone else's consent, and not everyone answered."
        ),
        Reason.NO_VOTERS: _("Nobody could take part."),
    }
    try:
        return words[Reason(results.reason)]
    except ValueError:
        return ""


@dataclass(frozen=True)
class ResultWords:
    headline: str
    reason: str
    effect: str


def result(proposal: Proposal, view: ProposalView) -> ResultWords | None:
    """The result in words, once closed; None while open (results are never shown before)."""
    if proposal.status == ProposalStatus.WITHDRAWN:
        return ResultWords(headline=_("Withdrawn by the member who opened it."), reason="", effect="")
    results = view.results
    if results is None:
        return None
    effect = ""
    if results.passed and results.not_applied:
        effect = _("It passed, but it could not take effect, so nothing changed. You can propose it again.")
    elif results.passed and proposal.kind != ProposalKind.QUESTION:
        effect = _("It has taken effect.")
    return ResultWords(
        headline=_("It passed.") if results.passed else _("It did not pass."),
        reason=reason_words(results, proposal),
        effect=effect,
    )


def counts(results: Results | None) -> list[tuple[str, str, int]]:
    """The counts per stance, in the stances' order, once closed."""
    if results is None:
        return []
    return [(value, str(label), results.counts.get(value, 0)) for value, label in StanceChoice.choices]


def when(moment: datetime | None, tz: str) -> str:
    return meeting_display.day_and_time(moment, tz) if moment else ""
