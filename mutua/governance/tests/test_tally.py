"""The pure tally: every small ballot against a plain reference, then the boundaries one by one.

`reference()` is written from the rules (issue #9 brief and the module docstring), not from the module:
it walks the people one by one and compares shares with `Decimal`, where the module takes set
differences and an exact ceiling with `Fraction`. The two must agree on every ballot.
"""

from collections.abc import Iterator, Mapping
from decimal import Decimal
from itertools import product
from typing import NamedTuple

import pytest

from mutua.governance.tally import (
    Ballot,
    Outcome,
    Process,
    Reason,
    Rules,
    Stance,
    counted_voters,
    everyone_has_spoken,
    needed,
    tally,
)

AGR, ABS, DIS, OBJ = Stance.AGREE, Stance.ABSTAIN, Stance.DISAGREE, Stance.OBJECT


class Expected(NamedTuple):
    passed: bool
    reason: str
    counted: int
    participated: int
    counts: dict[str, int]


def reference(rules: Rules, ballot: Ballot) -> Expected:
    """The rules, written out plainly."""
    voters = [
        person
        for person in sorted(ballot.eligible)
        if person not in ballot.excluded and person not in ballot.left
    ]
    spoken = [str(ballot.stances[person]) for person in voters if person in ballot.stances]
    counts = {"agree": 0, "abstain": 0, "disagree": 0, "object": 0}
    for stance in spoken:
        counts[stance] += 1
    n, took_part = len(voters), len(spoken)

    def result(passed: bool, reason: str) -> Expected:
        return Expected(passed, reason, n, took_part, counts)

    def reaches(share: float) -> bool:
        # participated / counted ≥ share, with the share read as the decimal it prints as.
        return Decimal(took_part) >= Decimal(repr(share)) * n

    if n == 0:
        return result(False, "no_voters")
    if rules.all_must_consent:
        if took_part != n:
            return result(False, "not_everyone")
        if counts["object"] > 0:
            return result(False, "objection")
        return result(True, "passed")
    if rules.process == "consent":
        if not reaches(rules.min_participation):
            return result(False, "participation_too_low")
        if counts["object"] > 0:
            return result(False, "objection")
        return result(True, "passed")
    if not reaches(rules.quorum):
        return result(False, "quorum_not_met")
    if counts["agree"] <= counts["disagree"] + counts["object"]:
        return result(False, "not_enough_agree")
    return result(True, "passed")


def reference_everyone_has_spoken(ballot: Ballot) -> bool:
    voters = [p for p in ballot.eligible if p not in ballot.excluded and p not in ballot.left]
    return len(voters) > 0 and all(p in ballot.stances for p in voters)


def as_expected(outcome: Outcome) -> Expected:
    return Expected(
        outcome.passed,
        str(outcome.reason),
        outcome.counted,
        outcome.participated,
        {str(stance): n for stance, n in outcome.counts.items()},
    )


SHARES = (0.0, 0.25, 0.5, 0.6, 0.75, 1.0)
ALL_RULES = (
    *(Rules(Process.CONSENT, min_participation=share) for share in SHARES),
    *(Rules(Process.MAJORITY, quorum=share) for share in SHARES),
    Rules(Process.CONSENT, min_participation=0.5, all_must_consent=True),
    Rules(Process.MAJORITY, quorum=0.5, all_must_consent=True),
)
CHOICES: tuple[Stance | None, ...] = (None, AGR, ABS, DIS, OBJ)


def ballot(
    *stances: Stance | None, excluded: frozenset[int] = frozenset(), left: frozenset[int] = frozenset()
) -> Ballot:
    """Voters 0…n−1, the i-th taking the i-th stance (None: silent)."""
    return Ballot(
        eligible=frozenset(range(len(stances))),
        stances={i: s for i, s in enumerate(stances) if s is not None},
        excluded=excluded,
        left=left,
    )


def mismatches(ballots: Iterator[Ballot], rules_list: tuple[Rules, ...]) -> tuple[int, list[str]]:
    seen, wrong = 0, []
    for b in ballots:
        for rules in rules_list:
            seen += 1
            got, want = as_expected(tally(rules, b)), reference(rules, b)
            if got != want:
                wrong.append(f"{rules} {b}: got {got}, want {want}")
        if everyone_has_spoken(b) != reference_everyone_has_spoken(b):
            wrong.append(f"everyone_has_spoken {b}")
    return seen, wrong


# Exhaustive small cases


def test_every_stance_combination_of_up_to_four_voters_matches_the_reference() -> None:
    def ballots() -> Iterator[Ballot]:
        for n in range(5):
            for stances in product(CHOICES, repeat=n):
                yield ballot(*stances)

    seen, wrong = mismatches(ballots(), ALL_RULES)
    assert seen == 781 * len(ALL_RULES)  # 1 + 5 + 25 + 125 + 625 ballots
    assert wrong == [], wrong[:5]


# Each person: counted, excluded, left, excluded and left, or never eligible (joined after opening).
STATUSES = ("counted", "excluded", "left", "excluded_left", "not_eligible")


def test_every_status_and_stance_of_three_people_matches_the_reference() -> None:
    def ballots() -> Iterator[Ballot]:
        for statuses in product(STATUSES, repeat=3):
            for stances in product(CHOICES, repeat=3):
                yield Ballot(
                    eligible=frozenset(i for i, s in enumerate(statuses) if s != "not_eligible"),
                    stances={i: s for i, s in enumerate(stances) if s is not None},
                    excluded=frozenset(i for i, s in enumerate(statuses) if "excluded" in s),
                    left=frozenset(i for i, s in enumerate(statuses) if "left" in s),
                )

    rules_list = (
        Rules(Process.CONSENT, min_participation=0.5),
        Rules(Process.MAJORITY, quorum=0.5),
        Rules(Process.CONSENT, all_must_consent=True),
    )
    seen, wrong = mismatches(ballots(), rules_list)
    assert seen == 125 * 125 * 3
    assert wrong == [], wrong[:5]


# Participation boundaries: ⌈share × counted⌉ in exact arithmetic


@pytest.mark.parametrize(
    ("share", "counted", "need"),
    [
        (0.5, 4, 2),
        (0.5, 5, 3),  # 2.5 rounds up
        (0.5, 1, 1),
        (0.7, 10, 7),
        (0.28, 25, 7),  # 0.28 × 25 is 7.000000000000001 in floats: its ceiling would ask for 8
        (0.14, 50, 7),  # likewise
        (0.56, 25, 14),  # likewise
        (1 / 3, 3, 1),
        (2 / 3, 3, 2),
        (0.0, 5, 0),
        (1.0, 5, 5),
        (1.0, 0, 0),
        (0.01, 12, 1),  # any positive share needs someone
    ],
)
def test_needed_is_the_exact_ceiling(share: float, counted: int, need: int) -> None:
    assert needed(share, counted) == need


def test_consent_half_of_five_needs_three() -> None:
    rules = Rules(Process.CONSENT, min_participation=0.5)
    low = tally(rules, ballot(AGR, AGR, None, None, None))
    assert (low.passed, low.reason, low.participated) == (False, Reason.PARTICIPATION_TOO_LOW, 2)
    enough = tally(rules, ballot(AGR, AGR, ABS, None, None))
    assert (enough.passed, enough.reason, enough.participated) == (True, Reason.PASSED, 3)


def test_participation_exactly_at_the_share_is_enough() -> None:
    # 2 of 4 is exactly 0.5: reaching the share counts (≥, not >).
    assert tally(Rules(Process.CONSENT, min_participation=0.5), ballot(AGR, DIS, None, None)).passed
    assert tally(Rules(Process.MAJORITY, quorum=0.5), ballot(AGR, AGR, None, None)).passed
    assert tally(Rules(Process.MAJORITY, quorum=1.0), ballot(AGR, AGR, ABS, DIS)).passed


def test_a_decimal_share_is_not_rounded_up_by_float_error() -> None:
    stances: list[Stance | None] = [AGR] * 7 + [None] * 18  # 7 of 25 = 0.28 exactly
    assert tally(Rules(Process.CONSENT, min_participation=0.28), ballot(*stances)).passed
    assert tally(Rules(Process.MAJORITY, quorum=0.28), ballot(*stances)).passed
    six: list[Stance | None] = [AGR] * 6 + [None] * 19
    assert (
        tally(Rules(Process.CONSENT, min_participation=0.28), ballot(*six)).reason
        == Reason.PARTICIPATION_TOO_LOW
    )


def test_consent_with_no_minimum_passes_when_nobody_speaks() -> None:
    outcome = tally(Rules(Process.CONSENT, min_participation=0.0), ballot(None, None, None))
    assert (outcome.passed, outcome.reason, outcome.participated) == (True, Reason.PASSED, 0)


def test_majority_with_no_quorum_still_needs_more_agree_than_against() -> None:
    outcome = tally(Rules(Process.MAJORITY, quorum=0.0), ballot(None, None, None))
    assert (outcome.passed, outcome.reason) == (False, Reason.NOT_ENOUGH_AGREE)


# Consent


def test_consent_one_objection_blocks() -> None:
    outcome = tally(Rules(Process.CONSENT, min_participation=0.5), ballot(AGR, AGR, AGR, AGR, OBJ))
    assert (outcome.passed, outcome.reason) == (False, Reason.OBJECTION)


def test_consent_disagreement_and_abstention_do_not_block() -> None:
    outcome = tally(Rules(Process.CONSENT, min_participation=1.0), ballot(DIS, DIS, ABS, AGR))
    assert (outcome.passed, outcome.reason) == (True, Reason.PASSED)


# Majority


def test_majority_tie_fails() -> None:
    outcome = tally(Rules(Process.MAJORITY, quorum=0.5), ballot(AGR, AGR, DIS, OBJ))
    assert (outcome.passed, outcome.reason) == (False, Reason.NOT_ENOUGH_AGREE)


def test_majority_one_more_agree_than_against_passes() -> None:
    outcome = tally(Rules(Process.MAJORITY, quorum=0.5), ballot(AGR, AGR, AGR, DIS, OBJ))
    assert (outcome.passed, outcome.reason) == (True, Reason.PASSED)


def test_majority_objection_is_a_vote_against_not_a_veto() -> None:
    outcome = tally(Rules(Process.MAJORITY, quorum=0.5), ballot(AGR, AGR, OBJ))
    assert (outcome.passed, outcome.reason) == (True, Reason.PASSED)


def test_majority_abstentions_count_toward_the_quorum_only() -> None:
    rules = Rules(Process.MAJORITY, quorum=0.75)
    # 1 agree against 2 disagree: abstaining is not agreeing.
    against = tally(rules, ballot(AGR, ABS, ABS, DIS, DIS))
    assert (against.passed, against.reason, against.participated) == (False, Reason.NOT_ENOUGH_AGREE, 5)
    # Abstentions bring 1 agree + 3 abstain to the quorum of 3 of 4, and 1 > 0 passes.
    quorum = tally(rules, ballot(AGR, ABS, ABS, None))
    assert (quorum.passed, quorum.reason) == (True, Reason.PASSED)
    # Without them the quorum is missed.
    assert tally(rules, ballot(AGR, None, None, None)).reason == Reason.QUORUM_NOT_MET


# Removal: the consent of every other participant


REMOVAL = Rules(Process.CONSENT, min_participation=0.0, all_must_consent=True)


def test_removal_needs_everyone_who_counts_to_take_a_stance() -> None:
    outcome = tally(REMOVAL, ballot(AGR, AGR, AGR, None))
    assert (outcome.passed, outcome.reason) == (False, Reason.NOT_EVERYONE)


def test_removal_passes_with_disagreement_and_abstention_but_no_objection() -> None:
    outcome = tally(REMOVAL, ballot(AGR, DIS, ABS, AGR))
    assert (outcome.passed, outcome.reason) == (True, Reason.PASSED)


def test_removal_one_objection_blocks() -> None:
    outcome = tally(REMOVAL, ballot(AGR, AGR, AGR, OBJ))
    assert (outcome.passed, outcome.reason) == (False, Reason.OBJECTION)


def test_removal_ignores_the_person_concerned() -> None:
    # Voter 3 is the person the removal is about: their objection and their silence do not count.
    objects = tally(REMOVAL, ballot(AGR, AGR, AGR, OBJ, excluded=frozenset({3})))
    assert (objects.passed, objects.counted, objects.counts[OBJ]) == (True, 3, 0)
    silent = tally(REMOVAL, ballot(AGR, AGR, AGR, None, excluded=frozenset({3})))
    assert (silent.passed, silent.reason) == (True, Reason.PASSED)


def test_removal_rule_replaces_the_majority_rule() -> None:
    # Under all_must_consent a majority against is not a veto: only an objection is.
    outcome = tally(Rules(Process.MAJORITY, quorum=0.5, all_must_consent=True), ballot(AGR, DIS, DIS))
    assert (outcome.passed, outcome.reason) == (True, Reason.PASSED)


# Who counts


def test_a_leaver_stops_counting_their_stance_and_their_silence() -> None:
    rules = Rules(Process.CONSENT, min_participation=1.0)
    objected_then_left = tally(rules, ballot(AGR, AGR, OBJ, left=frozenset({2})))
    assert (objected_then_left.passed, objected_then_left.counted, objected_then_left.participated) == (
        True,
        2,
        2,
    )
    silent_then_left = tally(REMOVAL, ballot(AGR, AGR, None, left=frozenset({2})))
    assert (silent_then_left.passed, silent_then_left.reason) == (True, Reason.PASSED)


def test_an_excluded_person_does_not_count_toward_participation() -> None:
    # 1 of 2 counted voters is 0.5, short of 0.6; counting the excluded stance would make it 2 of 3.
    outcome = tally(
        Rules(Process.CONSENT, min_participation=0.6), ballot(AGR, None, AGR, excluded=frozenset({2}))
    )
    assert (outcome.passed, outcome.reason, outcome.counted, outcome.participated) == (
        False,
        Reason.PARTICIPATION_TOO_LOW,
        2,
        1,
    )


def test_stances_of_people_never_eligible_are_ignored() -> None:
    # Person 9 joined after the proposal opened: not frozen among the voters.
    b = Ballot(eligible=frozenset({1, 2}), stances={1: AGR, 2: AGR, 9: OBJ})
    outcome = tally(Rules(Process.CONSENT, min_participation=1.0), b)
    assert (outcome.passed, outcome.counted, outcome.participated, outcome.counts[OBJ]) == (True, 2, 2, 0)


def test_counted_voters_are_eligible_minus_excluded_minus_left() -> None:
    b = Ballot(
        eligible=frozenset({1, 2, 3, 4}), stances={}, excluded=frozenset({2, 7}), left=frozenset({3, 8})
    )
    assert counted_voters(b) == frozenset({1, 4})


@pytest.mark.parametrize("rules", ALL_RULES)
@pytest.mark.parametrize(
    "b",
    [
        Ballot(eligible=frozenset(), stances={}),
        Ballot(eligible=frozenset(), stances={5: AGR}),  # a stance from nobody who counts
        ballot(AGR, AGR, excluded=frozenset({0}), left=frozenset({1})),
        ballot(AGR, OBJ, left=frozenset({0, 1})),
    ],
)
def test_nobody_counts_is_no_voters_and_never_passes(rules: Rules, b: Ballot) -> None:
    outcome = tally(rules, b)
    assert (outcome.passed, outcome.reason, outcome.counted, outcome.participated) == (
        False,
        Reason.NO_VOTERS,
        0,
        0,
    )
    assert outcome.counts == {AGR: 0, ABS: 0, DIS: 0, OBJ: 0}


# The order of reasons


def test_too_little_participation_comes_before_an_objection() -> None:
    outcome = tally(Rules(Process.CONSENT, min_participation=0.5), ballot(OBJ, None, None))
    assert outcome.reason == Reason.PARTICIPATION_TOO_LOW


def test_quorum_comes_before_the_count() -> None:
    outcome = tally(Rules(Process.MAJORITY, quorum=0.5), ballot(DIS, None, None))
    assert outcome.reason == Reason.QUORUM_NOT_MET


def test_not_everyone_comes_before_an_objection() -> None:
    assert tally(REMOVAL, ballot(OBJ, None)).reason == Reason.NOT_EVERYONE


# Counts


def test_counts_have_every_stance_among_counted_voters_only() -> None:
    b = ballot(AGR, AGR, DIS, None, OBJ, ABS, excluded=frozenset({4}), left=frozenset({5}))
    outcome = tally(Rules(Process.CONSENT), b)
    assert list(outcome.counts) == [AGR, ABS, DIS, OBJ]
    assert outcome.counts == {AGR: 2, ABS: 0, DIS: 1, OBJ: 0}
    assert (outcome.counted, outcome.participated) == (4, 3)


# everyone_has_spoken


def test_everyone_has_spoken_is_false_when_nobody_counts() -> None:
    assert everyone_has_spoken(Ballot(eligible=frozenset(), stances={})) is False
    assert everyone_has_spoken(ballot(AGR, excluded=frozenset({0}))) is False


def test_everyone_has_spoken_when_every_counted_voter_has_a_stance() -> None:
    assert everyone_has_spoken(ballot(AGR, ABS, DIS, OBJ)) is True
    assert everyone_has_spoken(ballot(AGR, ABS, None)) is False
    # Silent people who do not count do not hold it open.
    assert everyone_has_spoken(ballot(AGR, None, None, excluded=frozenset({1}), left=frozenset({2}))) is True


# Inputs read back from the database, and nonsense


def test_plain_strings_from_the_database_are_accepted() -> None:
    stances: Mapping[int, Stance] = {1: "agree", 2: "object"}  # type: ignore[dict-item]
    outcome = tally(Rules("majority", quorum=0.5), Ballot(eligible=frozenset({1, 2, 3}), stances=stances))  # type: ignore[arg-type]
    assert (outcome.passed, outcome.reason) == (False, Reason.NOT_ENOUGH_AGREE)
    assert outcome.counts == {AGR: 1, ABS: 0, DIS: 0, OBJ: 1}


@pytest.mark.parametrize("share", [-0.01, 1.01, float("nan"), float("inf")])
def test_a_share_outside_zero_to_one_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="min_participation"):
        Rules(Process.CONSENT, min_participation=share)
    with pytest.raises(ValueError, match="quorum"):
        Rules(Process.MAJORITY, quorum=share)


def test_an_unknown_stance_is_refused() -> None:
    stances: Mapping[int, Stance] = {1: "maybe"}  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="maybe"):
        tally(Rules(Process.CONSENT), Ballot(eligible=frozenset({1}), stances=stances))
