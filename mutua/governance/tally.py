"""The tally of a proposal: pure Python, no Django (CONVENTIONS: pure cores).

Two processes (DESIGN §3.4):
- **consent**: passes unless someone objects (with a reason) by the deadline, provided participation
  reaches the minimum;
- **majority with quorum**: passes when participation reaches the quorum and more counted stances agree
  than disagree or object (abstentions count toward participation only); a tie does not pass.
A removal needs the consent of every other participant: every counted voter (the person concerned is
never one) has a stance and nobody objects.

Who counts: the eligible voters frozen when the proposal opened, minus anyone excluded (the person a
removal is about) and minus anyone who has left since (they stop counting: neither their stance nor
their absence). Professionals are never eligible (the caller never lists them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Stance(StrEnum):
    AGREE = "agree"
    ABSTAIN = "abstain"
    DISAGREE = "disagree"
    OBJECT = "object"


# A reason is required with these stances.
NEEDS_REASON = frozenset({Stance.DISAGREE, Stance.OBJECT})


class Process(StrEnum):
    CONSENT = "consent"
    MAJORITY = "majority"


@dataclass(frozen=True)
class Rules:
    process: Process
    # consent: the share of counted voters (0–1) who must take a stance for the result to stand.
    min_participation: float = 0.0
    # majority: the share of counted voters (0–1) who must take a stance (the quorum).
    quorum: float = 0.5
    # removal of a member: every counted voter must take a stance and nobody may object.
    all_must_consent: bool = False


@dataclass(frozen=True)
class Ballot:
    eligible: frozenset[int]  # voter ids frozen at opening
    stances: Mapping[int, Stance]  # the latest stance of each voter who took one
    excluded: frozenset[int] = frozenset()  # never counted (the person a removal is about)
    left: frozenset[int] = frozenset()  # left the group since opening: stop counting


class Reason(StrEnum):
    PASSED = "passed"
    OBJECTION = "objection"
    PARTICIPATION_TOO_LOW = "participation_too_low"  # consent below its minimum participation
    QUORUM_NOT_MET = "quorum_not_met"
    NOT_ENOUGH_AGREE = "not_enough_agree"  # majority: agree ≤ disagree + object
    NOT_EVERYONE = "not_everyone"  # removal: someone who counts took no stance
    NO_VOTERS = "no_voters"  # nobody counts


@dataclass(frozen=True)
class Outcome:
    passed: bool
    reason: Reason
    counted: int  # voters who count
    participated: int  # counted voters with a stance
    counts: dict[Stance, int] = field(default_factory=dict)  # per stance, among counted voters


def counted_voters(ballot: Ballot) -> frozenset[int]:
    """Eligible, not excluded, not left."""
    raise NotImplementedError


def tally(rules: Rules, ballot: Ballot) -> Outcome:
    raise NotImplementedError


def everyone_has_spoken(ballot: Ballot) -> bool:
    """Every counted voter has a stance: the proposal may close early. False when nobody counts."""
    raise NotImplementedError
