"""Hand-made instances whose optimum is known, explanations, determinism."""

from collections import Counter

import pytest

from mutua.matching.engine import (
    ExistingGroup,
    Instance,
    Mode,
    Reason,
    Venue,
    check_result,
    haversine_km,
    match,
)

from .helpers import in_person, person


def solve(inst, **kw):
    res = match(inst, **kw)
    assert check_result(inst, res) == []
    explained = {e.person_id for e in res.unplaced}
    placed = {m for g in res.new_groups for m in g.members} | {s.person_id for s in res.seats}
    assert explained | placed == {p.id for p in inst.people}
    assert not explained & placed
    assert res.placed <= res.upper_bound
    return res


def test_five_compatible_people_form_one_group():
    res = solve(Instance([person(i) for i in range(5)]))
    assert res.placed == 5
    [g] = res.new_groups
    assert (g.experience, g.language, g.slot, g.venue_id) == ("grief", "de", 20, None)


def test_four_people_are_too_few_and_told_how_many_more():
    res = solve(Instance([person(i) for i in range(4)]))
    assert res.placed == 0
    assert {(e.reason, e.more_needed, e.peers, e.language) for e in res.unplaced} == {
        (Reason.TOO_FEW_PEERS, 1, 4, "de")
    }


def test_overlapping_candidates_only_one_group_fits():
    # slot 1: people 0-4, slot 2: people 1-5.  Six people, but two groups would need ten.
    people = [person(0, (1,))] + [person(i, (1, 2)) for i in range(1, 5)] + [person(5, (2,))]
    res = solve(Instance(people))
    assert res.placed == 5
    assert res.upper_bound == 6
    [left] = res.unplaced
    assert left.reason == Reason.TAKEN_BY_OTHER_GROUPS


def test_flexible_people_are_shared_between_two_groups():
    # 3 only at slot 1, 3 only at slot 2, 4 at both: both groups open, all 10 placed.
    people = [person(f"a{i}", (1,)) for i in range(3)] + [person(f"b{i}", (2,)) for i in range(3)]
    people += [person(f"c{i}", (1, 2)) for i in range(4)]
    res = solve(Instance(people))
    assert res.placed == 10
    assert sorted(len(g.members) for g in res.new_groups) == [5, 5]


def test_chain_of_substitutions():
    # Opening slot 3 needs x, who is needed at slot 1 unless y moves from slot 1 to slot 2, ...
    people = [person(f"s1_{i}", (1,)) for i in range(4)] + [person("x", (1, 3)), person("y", (1, 2))]
    people += [person(f"s2_{i}", (2,)) for i in range(4)] + [person(f"s3_{i}", (3,)) for i in range(4)]
    res = solve(Instance(people))
    # slot 1 keeps s1_* + y? then slot 2 lacks one.  Best: slot1 = s1_* + y, slot3 = s3_* + x -> 10,
    # or slot2 = s2_* + y, slot3 = s3_* + x -> 10.  Never all 14 (only 2 flexible people).
    assert res.placed == 10


@pytest.mark.parametrize("n", [5, 9, 10, 11, 14, 23, 40, 71])
def test_group_sizes_stay_in_range_and_near_seven(n):
    res = solve(Instance([person(i) for i in range(n)]))
    sizes = [len(g.members) for g in res.new_groups]
    assert sum(sizes) == n
    assert all(5 <= s <= 10 for s in sizes)
    assert max(sizes) - min(sizes) <= 1
    assert abs(n / len(sizes) - 7) <= 2.5


def test_women_only_preference_is_hard():
    women = [person(f"w{i}", attributes=frozenset({"woman"})) for i in range(4)]
    picky = person("picky", requires=frozenset({"woman"}), attributes=frozenset({"woman"}))
    men = [person(f"m{i}") for i in range(2)]
    res = solve(Instance([*women, picky, *men]))
    # Either the 5 women form a women-only group (5) or 4 women + 2 men (6): 6 is optimal.
    assert res.placed == 6
    [left] = res.unplaced
    assert left.person_id == "picky"
    assert left.reason == Reason.TAKEN_BY_OTHER_GROUPS


def test_women_only_group_forms_when_enough_women():
    women = [person(f"w{i}", attributes=frozenset({"woman"})) for i in range(5)]
    picky = person("picky", requires=frozenset({"woman"}), attributes=frozenset({"woman"}))
    men = [person(f"m{i}", slots=(21,)) for i in range(5)]
    res = solve(Instance([*women, picky, *men]))
    assert res.placed == 11
    g = next(g for g in res.new_groups if "picky" in g.members)
    assert g.rules == {"woman"}


def test_language_must_be_shared():
    people = [person(i, langs=("de",)) for i in range(3)] + [person(i, langs=("tr",)) for i in range(3, 6)]
    people.append(person(6, langs=("de", "tr")))
    res = solve(Instance(people))
    assert res.placed == 0
    assert {e.reason for e in res.unplaced} == {Reason.TOO_FEW_PEERS}
    assert {e.more_needed for e in res.unplaced} == {1}


BERLIN = Venue("mitte", 52.52, 13.405)


def test_in_person_distance_and_suggestion():
    near = [in_person(i, 52.52 + 0.01 * i, 13.405, 10) for i in range(4)]
    far = in_person("far", 52.80, 13.405, 10)  # about 31 km north
    res = solve(Instance([*near, far], venues=[BERLIN]))
    assert res.placed == 0
    e = next(e for e in res.unplaced if e.person_id == "far")
    assert e.reason == Reason.NO_COMMON_TIME_OR_PLACE
    [s] = e.distance_suggestions
    expected = haversine_km(52.80, 13.405, BERLIN.lat, BERLIN.lon) - 10
    assert s.venue_id == "mitte" and s.completes_group and s.people == 5
    assert s.extra_km == pytest.approx(float(expected), abs=1e-2)
    # with a longer travel distance the group forms
    far2 = in_person("far", 52.80, 13.405, 40)
    assert solve(Instance([*near, far2], venues=[BERLIN])).placed == 5


def test_modes_do_not_mix_wrongly():
    online = [person(i, mode=Mode.ONLINE) for i in range(3)]
    either = [in_person(i, 52.52, 13.405, 5, mode=Mode.EITHER) for i in range(3, 5)]
    offline = [in_person(i, 52.52, 13.405, 5) for i in range(5, 8)]
    res = solve(Instance([*online, *either, *offline], venues=[BERLIN]))
    # online+either = 5 online; offline+either = 5 in person; only one of them can have the 2 either.
    assert res.placed == 5


def test_slot_suggestion_completes_a_group():
    people = [person(i, (10,)) for i in range(4)] + [person("late", (11,))]
    res = solve(Instance(people))
    e = next(e for e in res.unplaced if e.person_id == "late")
    assert e.reason == Reason.NO_COMMON_TIME_OR_PLACE
    assert e.slot_suggestions[0].slot == 10
    assert e.slot_suggestions[0].completes_group and e.slot_suggestions[0].people == 5


def test_seats_of_existing_groups():
    grp = ExistingGroup("g", "grief", "de", 20, free_seats=2)
    res = solve(Instance([person(i) for i in range(3)], groups=[grp]))
    assert res.placed == 2
    assert Counter(s.group_id for s in res.seats) == {"g": 2}


def test_seats_go_to_those_who_waited_longest():
    grp = ExistingGroup("g", "grief", "de", 20, free_seats=1)
    people = [person(i, waited_days=float(d)) for i, d in enumerate([3, 90, 10])]
    res = solve(Instance(people, groups=[grp]))
    assert [s.person_id for s in res.seats] == [1]


def test_seat_rules_and_place():
    women_group = ExistingGroup("wg", "grief", "de", 20, free_seats=3, tags=frozenset({"woman"}))
    local = ExistingGroup("loc", "grief", "de", 20, free_seats=3, mode=Mode.IN_PERSON, venue=BERLIN)
    people = [
        person("man"),
        person("picky", requires=frozenset({"woman"}), attributes=frozenset({"woman"})),
        in_person("far", 48.1, 11.5, 20),
    ]
    res = solve(Instance(people, groups=[women_group, local], venues=[BERLIN]))
    assert {(s.person_id, s.group_id) for s in res.seats} == {("man", "loc"), ("picky", "wg")} or {
        (s.person_id, s.group_id) for s in res.seats
    } == {("picky", "wg")}
    assert "far" not in {s.person_id for s in res.seats}


def test_existing_groups_and_new_groups_combined():
    grp = ExistingGroup("g", "grief", "de", 21, free_seats=1)
    people = [person(i, (20,)) for i in range(5)] + [person("solo", (21,))]
    res = solve(Instance(people, groups=[grp]))
    assert res.placed == 6


def test_longer_waiting_people_are_preferred_when_only_one_group_fits():
    people = [person(0, (1,), waited_days=1)] + [person(i, (1, 2), waited_days=5) for i in range(1, 5)]
    people.append(person(5, (2,), waited_days=100))
    res = solve(Instance(people))
    assert res.placed == 5
    assert res.unplaced[0].person_id == 0


def _random_instance(seed):
    import random

    rng = random.Random(seed)
    people = []
    for i in range(120):
        people.append(
            person(
                i,
                slots=tuple(rng.sample(range(30), 6)),
                exp=rng.choice(["a", "b", "c"]),
                langs=tuple(rng.sample(["de", "en", "tr"], rng.randint(1, 2))),
                waited_days=rng.random() * 100,
                secondary_experience=rng.choice([None, "x", "y"]),
            )
        )
    groups = [ExistingGroup(f"g{i}", "a", "de", i, free_seats=2) for i in range(3)]
    return Instance(people, groups=groups)


def test_deterministic_for_a_seed_and_independent_of_workers():
    inst = _random_instance(7)
    a = solve(inst, seed=3)
    b = solve(inst, seed=3)
    c = solve(inst, seed=3, workers=2)
    assert a.new_groups == b.new_groups == c.new_groups
    assert a.seats == b.seats == c.seats
    assert a.unplaced == b.unplaced == c.unplaced


def test_validation_errors():
    with pytest.raises(ValueError):
        match(Instance([person(1), person(1)]))
    with pytest.raises(ValueError):
        match(Instance([person(1, slots=(168,))]))
    with pytest.raises(ValueError):
        match(Instance([person(1)], max_size=8))
    with pytest.raises(ValueError):
        match(Instance([person(1)], groups=[ExistingGroup("g", "grief", "de", 1, 1, mode=Mode.IN_PERSON)]))


def test_empty_instance():
    res = solve(Instance([]))
    assert res.placed == 0 and res.new_groups == () and res.unplaced == ()
