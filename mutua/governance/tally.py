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

The rules in full, where the summary above is silent:
- **Counted voters** = eligible − excluded − left. Anyone else's stance (excluded, left, never eligible)
  is ignored entirely: it is neither counted nor participation. `Outcome.counts` has all four stances
  (zeros included) among counted voters only; `participated` is their sum (abstaining is taking part).
- **Thresholds** (`min_participation`, `quorum`) are shares in [0, 1], anything else (or NaN) is a
  ValueError when the Rules are built. A share is read as the shortest decimal that prints as the float
  (0.7 is exactly 7/10, never 0.69999…), and reached when participated ≥ ⌈share × counted⌉ in exact
  arithmetic: 0.5 of 4 needs 2, 0.5 of 5 needs 3 (2.5 rounds up), 0.7 of 10 needs 7, 0 needs nobody,
  1 needs everyone. See `needed()`.
- **Consent** passes when participation reaches `min_participation` and no counted voter objects.
  Disagreeing is voiced but does not block. With a minimum of 0 and nobody speaking it passes: nobody
  objected.
- **Majority** passes when participation reaches `quorum` and agree > disagree + object. An objection
  is a vote against here, not a veto; abstentions count toward the quorum only; a tie fails.
- **all_must_consent** (removal) replaces the process's own rule, whatever `process` says: it passes
  only when every counted voter has a stance and nobody objects. Consent means no objection, so
  disagreeing or abstaining still lets it pass; participation is then 100 %, so thresholds are moot.
- **Nobody counts** → NO_VOTERS, never passed, whatever the rules.
- **Reason**: the first failing check in this order, else PASSED:
  NO_VOTERS → NOT_EVERYONE (all_must_consent) → PARTICIPATION_TOO_LOW (consent) / QUORUM_NOT_MET
  (majority) → OBJECTION (consent, all_must_consent) → NOT_ENOUGH_AGREE (majority). Too little
  participation wins over an objection: the result does not stand, so neither does its content.
- `everyone_has_spoken`: every counted voter has a stance; False when nobody counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction


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

    def __post_init__(self) -> None:
        # A process or share read back from the database may arrive as a plain string or number.
        object.__setattr__(self, "process", Process(self.process))
        _check_share("min_participation", self.min_participation)
        _check_share("quorum", self.quorum)


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
    return ballot.eligible - ballot.excluded - ballot.left


def _exact(threshold: float) -> Fraction:
    """The share a threshold stands for, exactly: the shortest decimal that reads back as this float.

    Multiplying the float itself would carry binary error (0.7 × 10 is 7.000000000000001 in floats,
    whose ceiling asks for 8 of 10 voters instead of 7); the decimal someone typed or configured is
    what they meant.
    """
    return Fraction(repr(float(threshold)))


def needed(threshold: float, counted: int) -> int:
    """How many counted voters must take a stance to reach a share: ⌈threshold × counted⌉, exactly.

    0.5 of 4 voters needs 2, 0.5 of 5 needs 3 (2.5 rounds up), 0.7 of 10 needs 7, 1/3 of 3 needs 1,
    0 needs nobody and 1 needs everyone.
    """
    return math.ceil(_exact(threshold) * counted)


def _check_share(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and 0 <= value <= 1):
        raise ValueError(f"{name} must be a share between 0 and 1, got {value!r}")


def _counts(counted: frozenset[int], stances: Mapping[int, Stance]) -> dict[Stance, int]:
    counts = dict.fromkeys(Stance, 0)
    for voter in counted:
        if voter in stances:
            counts[Stance(stances[voter])] += 1
    return counts


def tally(rules: Rules, ballot: Ballot) -> Outcome:
    """The result of a ballot under its rules; the first failing reason in the order documented above."""
    voters = counted_voters(ballot)
    counts = _counts(voters, ballot.stances)
    counted = len(voters)
    participated = sum(counts.values())

    def outcome(reason: Reason) -> Outcome:
        return Outcome(reason is Reason.PASSED, reason, counted, participated, counts)

    if counted == 0:
        return outcome(Reason.NO_VOTERS)
    if rules.all_must_consent:
        if participated < counted:
            return outcome(Reason.NOT_EVERYONE)
        return outcome(Reason.OBJECTION if counts[Stance.OBJECT] else Reason.PASSED)
    if rules.process == Process.CONSENT:
        if participated < needed(rules.min_participation, counted):
            return outcome(Reason.PARTICIPATION_TOO_LOW)
        return outcome(Reason.OBJECTION if counts[Stance.OBJECT] else Reason.PASSED)
    if participated < needed(rules.quorum, counted):
        return outcome(Reason.QUORUM_NOT_MET)
    against = counts[Stance.DISAGREE] + counts[Stance.OBJECT]
    return outcome(Reason.PASSED if counts[Stance.AGREE] > against else Reason.NOT_ENOUGH_AGREE)


def everyone_has_spoken(ballot: Ballot) -> bool:
    """Every counted voter has a stance: the proposal may close early. False when nobody counts."""
    voters = counted_voters(ballot)
    return bool(voters) and voters <= ballot.stances.keys()
