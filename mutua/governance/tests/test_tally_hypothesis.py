"""Hypothesis: random ballots of up to 12 voters agree with the plain reference, and a few properties
that need no reference hold (more agreement never hurts, people who do not count change nothing)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from mutua.governance.tally import (
    Ballot,
    Process,
    Rules,
    Stance,
    counted_voters,
    everyone_has_spoken,
    tally,
)
from mutua.governance.tests.test_tally import as_expected, reference, reference_everyone_has_spoken

PEOPLE = range(16)

# Any float in [0, 1], and the round shares people configure (where float error would show).
shares = st.one_of(
    st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
    st.integers(0, 100).map(lambda k: k / 100),
    st.sampled_from([0.0, 1 / 3, 0.5, 2 / 3, 1.0]),
)

rules_strategy = st.builds(
    Rules,
    process=st.sampled_from(Process),
    min_participation=shares,
    quorum=shares,
    all_must_consent=st.booleans(),
)


# Weighted so that most people count and most speak, agreeing a little more often than not: plain
# uniform draws leave nobody counting or nobody agreeing in most ballots.
STATUSES = ("counted",) * 5 + ("excluded", "left", "excluded_left")
STANCES = (
    None,
    None,
    Stance.AGREE,
    Stance.AGREE,
    Stance.AGREE,
    Stance.ABSTAIN,
    Stance.DISAGREE,
    Stance.OBJECT,
)


@st.composite
def ballots(draw: st.DrawFn) -> Ballot:
    """Up to 12 eligible people (ids 0–11) in random states, and up to 4 late joiners (ids 12–15)."""
    size = draw(st.integers(0, 12))
    statuses = draw(st.lists(st.sampled_from(STATUSES), min_size=size, max_size=size))
    late = draw(st.integers(0, 4))
    stances = draw(st.lists(st.sampled_from(STANCES), min_size=size + late, max_size=size + late))
    people = [*range(size), *range(12, 12 + late)]
    return Ballot(
        eligible=frozenset(range(size)),
        stances={person: s for person, s in zip(people, stances, strict=True) if s is not None},
        excluded=frozenset(i for i, status in enumerate(statuses) if "excluded" in status),
        left=frozenset(i for i, status in enumerate(statuses) if "left" in status),
    )


SETTINGS = settings(max_examples=300, deadline=None)


@SETTINGS
@given(rules=rules_strategy, ballot=ballots())
def test_random_ballots_match_the_reference(rules: Rules, ballot: Ballot) -> None:
    outcome = tally(rules, ballot)
    assert as_expected(outcome) == reference(rules, ballot)
    assert outcome.participated == sum(outcome.counts.values())
    assert outcome.counted == len(counted_voters(ballot))
    assert everyone_has_spoken(ballot) == reference_everyone_has_spoken(ballot)
    assert everyone_has_spoken(ballot) == (0 < outcome.participated == outcome.counted)


@SETTINGS
@given(rules=rules_strategy, ballot=ballots(), data=st.data())
def test_one_more_agree_never_turns_a_pass_into_a_fail(
    rules: Rules, ballot: Ballot, data: st.DataObject
) -> None:
    # Whether a silent voter starts agreeing or someone changes their stance to agree.
    voters = sorted(counted_voters(ballot))
    if not voters:
        return
    voter = data.draw(st.sampled_from(voters))
    before = tally(rules, ballot)
    after = tally(
        rules, Ballot(ballot.eligible, {**ballot.stances, voter: Stance.AGREE}, ballot.excluded, ballot.left)
    )
    assert not before.passed or after.passed


@SETTINGS
@given(rules=rules_strategy, ballot=ballots(), data=st.data())
def test_people_who_do_not_count_change_nothing(rules: Rules, ballot: Ballot, data: st.DataObject) -> None:
    outsiders = sorted(set(PEOPLE) - counted_voters(ballot))
    changed = dict(ballot.stances)
    for person in outsiders:
        stance = data.draw(st.one_of(st.none(), st.sampled_from(Stance)))
        if stance is None:
            changed.pop(person, None)
        else:
            changed[person] = stance
    other = Ballot(ballot.eligible, changed, ballot.excluded, ballot.left)
    assert tally(rules, other) == tally(rules, ballot)
    assert everyone_has_spoken(other) == everyone_has_spoken(ballot)
