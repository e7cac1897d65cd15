"""The checker must reject every kind of broken solution (so it can fail)."""

import dataclasses

import numpy as np
import pytest

from mutua.matching.engine import (
    ExistingGroup,
    Instance,
    MatchResult,
    Mode,
    NewGroup,
    SeatAssignment,
    Venue,
    check_result,
    check_solution,
    solve,
    to_problem,
)
from mutua.matching.engine.core import Options

from .helpers import in_person, person

V = Venue("v", 52.52, 13.405)


def base_instance():
    people = [person(i, slots=(20, 21), langs=("de", "en")) for i in range(6)]
    people += [in_person(f"p{i}", 52.52, 13.405 + 0.01 * i, 5) for i in range(5)]
    people.append(person("w", attributes=frozenset({"woman"})))
    people.append(person("other", exp="addiction"))
    groups = [ExistingGroup("g", "grief", "de", 20, free_seats=1)]
    return Instance(people, groups=groups, venues=[V])


def valid_result():
    ng = (
        NewGroup("grief", "de", 20, None, frozenset(), tuple(range(5))),
        NewGroup("grief", "de", 20, "v", frozenset(), tuple(f"p{i}" for i in range(5))),
    )
    return MatchResult(ng, (SeatAssignment(5, "g"),), (), upper_bound=12)


def test_valid_solution_passes():
    assert check_result(base_instance(), valid_result()) == []


def _with_group(res, k, **changes):
    groups = list(res.new_groups)
    groups[k] = dataclasses.replace(groups[k], **changes)
    return dataclasses.replace(res, new_groups=tuple(groups))


BROKEN = {
    "too small": lambda r: _with_group(r, 0, members=(0, 1, 2, 3)),
    "too big": lambda r: _with_group(r, 0, members=tuple(range(6)) + ("w", "other", "p0", "p1", "p2")),
    "twice": lambda r: _with_group(r, 0, members=(0, 1, 2, 3, 5)),
    "language": lambda r: _with_group(r, 0, language="tr"),
    "slot": lambda r: _with_group(r, 1, slot=21),
    "experience": lambda r: _with_group(r, 0, members=(0, 1, 2, 3, "other")),
    "online person in person": lambda r: _with_group(r, 0, venue_id="v"),
    "in-person person online": lambda r: _with_group(r, 1, venue_id=None),
    "too far": lambda r: (
        _with_group(r, 1, members=("p0", "p1", "p2", "p3", "p4"))
        and dataclasses.replace(
            r, new_groups=(r.new_groups[0], dataclasses.replace(r.new_groups[1], venue_id="far"))
        )
    ),
    "unknown venue": lambda r: _with_group(r, 1, venue_id="nowhere"),
    "seats exceeded": lambda r: dataclasses.replace(
        r, seats=(SeatAssignment(5, "g"), SeatAssignment("w", "g"))
    ),
    "seat language": lambda r: dataclasses.replace(r, seats=(SeatAssignment("other", "g"),)),
    "explained but placed": lambda r: dataclasses.replace(r, unplaced=(_expl(0),)),
}


def _expl(pid):
    from mutua.matching.engine import Explanation, Reason

    return Explanation(pid, Reason.TOO_FEW_PEERS)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_solutions_are_rejected(name):
    inst = base_instance()
    if name == "too far":
        far = Venue("far", 48.0, 11.0)
        inst = dataclasses.replace(inst, venues=[V, far])
    assert check_result(inst, BROKEN[name](valid_result())) != []


def test_hard_preference_violation_is_rejected():
    people = [person(i, attributes=frozenset({"woman"})) for i in range(4)]
    people += [person("picky", requires=frozenset({"woman"}), attributes=frozenset({"woman"})), person("man")]
    inst = Instance(people)
    bad = MatchResult((NewGroup("grief", "de", 20, None, frozenset(), (0, 1, 2, "picky", "man")),), (), (), 6)
    assert any("lacks attributes" in e for e in check_result(inst, bad))
    good = MatchResult((NewGroup("grief", "de", 20, None, frozenset(), (0, 1, 2, 3, "picky")),), (), (), 6)
    assert check_result(inst, good) == []


def test_seat_hard_preferences():
    people = [person("picky", requires=frozenset({"woman"}), attributes=frozenset({"woman"})), person("man")]
    groups = [
        ExistingGroup("wg", "grief", "de", 20, 2, tags=frozenset({"woman"})),
        ExistingGroup("open", "grief", "de", 20, 2),
    ]
    inst = Instance(people, groups=groups)
    assert check_result(inst, MatchResult((), (SeatAssignment("man", "wg"),), (), 2)) != []
    assert check_result(inst, MatchResult((), (SeatAssignment("picky", "open"),), (), 2)) != []
    assert check_result(inst, MatchResult((), (SeatAssignment("picky", "wg"),), (), 2)) == []


def _columnar():
    inst = base_instance()
    prob = to_problem(inst)
    sol, _ = solve(prob, Options())
    assert check_solution(prob, sol) == []
    assert sol.placed >= 11
    return prob, sol


def test_columnar_checker_accepts_engine_output():
    _columnar()


@pytest.mark.parametrize(
    "mutate",
    [
        "slot",
        "language",
        "experience",
        "size",
        "both",
        "seat_over",
        "venue_far",
        "rules",
        "mode",
    ],
)
def test_columnar_checker_rejects(mutate):
    prob, sol = _columnar()
    if mutate == "slot":
        sol.ng_slot[:] = 100
    elif mutate == "language":
        sol.ng_language[:] = 7
    elif mutate == "experience":
        sol.ng_experience[:] = 99
    elif mutate == "size":
        g0 = np.flatnonzero(sol.new_group == 0)
        sol.new_group[g0[4:]] = -1
    elif mutate == "both":
        first = np.flatnonzero(sol.new_group >= 0)[0]
        sol.seat[first] = 0
    elif mutate == "seat_over":
        sol.seat[np.flatnonzero(sol.new_group < 0)[:2]] = 0
        prob.groups.free_seats[0] = 1
        sol.seat[np.flatnonzero(sol.seat < 0)[:1]] = 0
    elif mutate == "venue_far":
        prob.venue_lat[:] = 10.0
    elif mutate == "rules":
        prob.people.requires[np.flatnonzero(sol.new_group >= 0)[0]] = 2
    elif mutate == "mode":
        prob.people.mode[np.flatnonzero(sol.new_group >= 0)] = 1
        prob.people.mode[np.flatnonzero(sol.new_group >= 0)[:1]] = 0
    assert check_solution(prob, sol) != []


def test_either_mode_can_go_both_ways():
    people = [in_person(i, 52.52, 13.405, 5, mode=Mode.EITHER) for i in range(5)]
    inst = Instance(people, venues=[V])
    online = MatchResult((NewGroup("grief", "de", 20, None, frozenset(), tuple(range(5))),), (), (), 5)
    offline = MatchResult((NewGroup("grief", "de", 20, "v", frozenset(), tuple(range(5))),), (), (), 5)
    assert check_result(inst, online) == [] and check_result(inst, offline) == []
