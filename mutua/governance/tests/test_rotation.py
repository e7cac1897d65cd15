"""The pure choice of who is offered a role next (`governance.rotation.choose`), rule by rule."""

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mutua.governance.models import Role
from mutua.governance.rotation import ROLE_ORDER, choose

T0 = datetime(2027, 1, 5, 18, 0, tzinfo=UTC)


def pick(**kw: Any) -> int | None:
    args: dict[str, Any] = {
        "role": "coordinator",
        "volunteers": [1, 2, 3],
        "coming": {1, 2, 3},
        "last_held": {},
        "held_count": {},
        "declined": set(),
        "taken_this_meeting": set(),
    }
    args.update(kw)
    return choose(**args)


def test_the_role_order_is_the_models_roles():
    assert tuple(Role.values) == ROLE_ORDER


def test_nobody_to_ask_is_none():
    assert pick(volunteers=[]) is None
    assert pick(declined={1, 2, 3}) is None
    assert pick(not_coming={1, 2, 3}) is None


def test_never_held_comes_first():
    assert pick(last_held={1: T0, 3: T0 - timedelta(weeks=1)}) == 2


def test_least_recently_held_comes_next():
    last = {1: T0, 2: T0 - timedelta(weeks=2), 3: T0 - timedelta(weeks=1)}
    assert pick(last_held=last, held_count={1: 1, 2: 5, 3: 1}) == 2


def test_a_none_last_time_is_never_held():
    assert pick(volunteers=[1, 2], last_held={1: None, 2: T0}, held_count={2: 1}) == 1


def test_ties_go_to_fewer_times_then_the_stable_order():
    assert pick(last_held={}, held_count={1: 2, 2: 1, 3: 1}) == 2
    assert pick(last_held={}, held_count={}) == 1


def test_the_stable_order_turns_with_the_role():
    """With everyone new, the three roles start on three different people."""
    firsts = [pick(role=role, volunteers=[30, 10, 20]) for role in ROLE_ORDER]
    assert firsts == [10, 20, 30]


def test_whoever_is_coming_goes_before_whoever_has_not_answered():
    # 1 has never held it but has not answered; 2 and 3 are coming.
    assert pick(coming={2, 3}, last_held={2: T0, 3: T0 - timedelta(weeks=1)}) == 3


def test_nobody_coming_falls_back_to_no_answer():
    assert pick(coming=set(), last_held={1: T0}) == 2


def test_cant_come_is_never_asked():
    # 1 would come first (never held, first in the order) but said they can't come.
    assert pick(coming=set(), not_coming={1}, last_held={2: T0}) == 3
    assert pick(coming=set(), not_coming={1, 3}, last_held={2: T0}) == 2
    assert pick(volunteers=[1], coming=set(), not_coming={1}) is None


def test_who_declined_this_offer_is_not_asked_again():
    assert pick(declined={1}) == 2
    assert pick(declined={1, 2}) == 3


def test_someone_without_another_role_is_preferred():
    assert pick(taken_this_meeting={1}) == 2


def test_two_roles_for_one_person_only_when_nobody_free_is_left():
    assert pick(volunteers=[1, 2], taken_this_meeting={1, 2}, last_held={2: T0}) == 1
    assert pick(volunteers=[1], taken_this_meeting={1}) == 1


def test_being_coming_matters_more_than_holding_no_other_role():
    # 1 is coming and already holds another role; 2 has not answered and holds nothing.
    assert pick(volunteers=[1, 2], coming={1}, taken_this_meeting={1}) == 1


def test_only_volunteers_are_chosen():
    assert pick(volunteers=[5], coming={1, 2, 3}) == 5


ids = st.lists(st.integers(1, 40), min_size=0, max_size=9, unique=True)


@given(
    volunteers=ids,
    data=st.data(),
)
def test_the_choice_matches_a_plain_reference_and_ignores_input_order(volunteers: list[int], data: Any):
    subset = st.sets(st.sampled_from(volunteers)) if volunteers else st.just(set())
    coming, not_coming = data.draw(subset), data.draw(subset)
    declined, taken = data.draw(subset), data.draw(subset)
    last_held = {
        v: (T0 - timedelta(weeks=data.draw(st.integers(0, 10))) if data.draw(st.booleans()) else None)
        for v in volunteers
    }
    held_count = {v: data.draw(st.integers(0, 5)) for v in volunteers}
    role = data.draw(st.sampled_from(ROLE_ORDER))
    got = choose(
        role=role,
        volunteers=volunteers,
        coming=coming,
        not_coming=not_coming,
        last_held=last_held,
        held_count=held_count,
        declined=declined,
        taken_this_meeting=taken,
    )
    shuffled = data.draw(st.permutations(volunteers))
    again = choose(
        role=role,
        volunteers=shuffled,
        coming=coming,
        not_coming=not_coming,
        last_held=last_held,
        held_count=held_count,
        declined=declined,
        taken_this_meeting=taken,
    )
    assert got == again

    # The reference: filter, then narrow step by step, as the module's docstring says in words.
    pool = [v for v in volunteers if v not in declined and v not in not_coming]
    if not pool:
        assert got is None
        return
    if any(v in coming for v in pool):
        pool = [v for v in pool if v in coming]
    if any(v not in taken for v in pool):
        pool = [v for v in pool if v not in taken]
    if any(last_held[v] is None for v in pool):
        pool = [v for v in pool if last_held[v] is None]
    else:
        oldest = min(last_held[v] for v in pool if last_held[v] is not None)  # type: ignore[type-var]
        pool = [v for v in pool if last_held[v] == oldest]
    fewest = min(held_count[v] for v in pool)
    pool = [v for v in pool if held_count[v] == fewest]
    everyone = sorted(volunteers)
    turn = ROLE_ORDER.index(role)
    expected = min(pool, key=lambda v: (everyone.index(v) - turn) % len(everyone))
    assert got == expected
