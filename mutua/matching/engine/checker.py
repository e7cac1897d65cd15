"""Independent validation of matching results.

Written separately from the solver (it shares only the data containers and the haversine
formula) so that a solver bug cannot hide itself.  Two entry points:

* :func:`check_result` — object layer, plain Python loops, obviously correct;
* :func:`check_solution` — columnar layer, vectorised, for the million-person benchmark.

Both return a list of human-readable violations; an empty list means the solution is valid.
Checked: everyone at most once; new groups of ``min_size..max_size`` people sharing primary
experience, the group's language and slot, reaching its place (mode and haversine distance)
and satisfying each other's hard requirements; existing groups not over their free seats and
joined only by compatible people.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable

import numpy as np

from .geo import EARTH_RADIUS_KM
from .model import AVAIL_BYTES, Instance, MatchResult, Mode, Problem, Solution

TOLERANCE_KM = 1e-6


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def check_result(instance: Instance, result: MatchResult) -> list[str]:
    """Validate an object-level :class:`MatchResult` against its :class:`Instance`."""
    errors: list[str] = []
    people = {p.id: p for p in instance.people}
    groups = {g.id: g for g in instance.groups}
    venues = {v.id: v for v in instance.venues}
    seen: Counter[Hashable] = Counter()
    for k, g in enumerate(result.new_groups):
        tag = f"new group {k}"
        seen.update(g.members)
        if not instance.min_size <= len(g.members) <= instance.max_size:
            errors.append(f"{tag}: size {len(g.members)} outside {instance.min_size}..{instance.max_size}")
        if not 0 <= g.slot < 168:
            errors.append(f"{tag}: slot {g.slot} outside the week")
        venue = None
        if g.venue_id is not None:
            venue = venues.get(g.venue_id)
            if venue is None:
                errors.append(f"{tag}: unknown venue {g.venue_id!r}")
        members = [people.get(pid) for pid in g.members]
        if any(m is None for m in members):
            errors.append(f"{tag}: unknown person")
            continue
        rules = set().union(*(m.requires for m in members if m is not None))
        for m in members:
            assert m is not None
            who = f"{tag}: person {m.id!r}"
            if m.experience != g.experience:
                errors.append(f"{who} has experience {m.experience!r}, group {g.experience!r}")
            if g.language not in m.languages:
                errors.append(f"{who} does not speak {g.language!r}")
            if g.slot not in m.availability:
                errors.append(f"{who} is not free at slot {g.slot}")
            if not rules <= m.attributes:
                errors.append(f"{who} lacks attributes {sorted(rules - m.attributes)} required in the group")
            if g.venue_id is None:
                if Mode(m.mode) == Mode.IN_PERSON:
                    errors.append(f"{who} wants in-person but the group is online")
            elif venue is not None:
                if Mode(m.mode) == Mode.ONLINE:
                    errors.append(f"{who} wants online but the group meets in person")
                elif m.lat is None or m.lon is None:
                    errors.append(f"{who} has no place")
                elif _haversine(m.lat, m.lon, venue.lat, venue.lon) > m.max_travel_km + TOLERANCE_KM:
                    errors.append(f"{who} is too far from venue {venue.id!r}")
    taken: Counter[Hashable] = Counter()
    for s in result.seats:
        seen[s.person_id] += 1
        m = people.get(s.person_id)
        eg = groups.get(s.group_id)
        if m is None or eg is None:
            errors.append(f"seat: unknown person {s.person_id!r} or group {s.group_id!r}")
            continue
        g2 = eg
        taken[g2.id] += 1
        who = f"seat in {g2.id!r}: person {m.id!r}"
        if m.experience != g2.experience:
            errors.append(f"{who} has another experience")
        if g2.language not in m.languages:
            errors.append(f"{who} does not speak {g2.language!r}")
        if g2.slot not in m.availability:
            errors.append(f"{who} is not free at slot {g2.slot}")
        if not g2.tags <= m.attributes:
            errors.append(f"{who} lacks the group's tags")
        if not m.requires <= g2.tags:
            errors.append(f"{who} requires {sorted(m.requires - g2.tags)} which the group does not guarantee")
        if Mode(g2.mode) == Mode.ONLINE:
            if Mode(m.mode) == Mode.IN_PERSON:
                errors.append(f"{who} wants in-person but the group is online")
        else:
            if Mode(m.mode) == Mode.ONLINE:
                errors.append(f"{who} wants online but the group meets in person")
            elif g2.venue is None or m.lat is None or m.lon is None:
                errors.append(f"{who}: missing place")
            elif _haversine(m.lat, m.lon, g2.venue.lat, g2.venue.lon) > m.max_travel_km + TOLERANCE_KM:
                errors.append(f"{who} is too far")
    for gid, k in taken.items():
        if k > groups[gid].free_seats:
            errors.append(f"existing group {gid!r}: {k} newcomers for {groups[gid].free_seats} free seats")
    for pid, k in seen.items():
        if k > 1:
            errors.append(f"person {pid!r} placed {k} times")
    placed = set(seen)
    explained = [e.person_id for e in result.unplaced]
    if len(set(explained)) != len(explained) or set(explained) & placed:
        errors.append("explanations must cover unplaced people once each")
    return errors


def _bits(avail: np.ndarray, slot: np.ndarray) -> np.ndarray:
    slot = slot.astype(np.int64)
    bits: np.ndarray = ((avail[np.arange(len(slot)), slot // 8] >> (slot % 8)) & 1).astype(bool)
    return bits


def _vhav(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    km: np.ndarray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return km


def check_solution(problem: Problem, sol: Solution) -> list[str]:
    """Validate a columnar :class:`Solution` (vectorised; returns up to a few examples per rule)."""
    errors: list[str] = []
    pop, gt = problem.people, problem.groups
    n = len(pop)

    def report(rule: str, bad: np.ndarray, ids: np.ndarray) -> None:
        if bad.any():
            errors.append(f"{rule}: {int(bad.sum())} cases, e.g. {ids[bad][:5].tolist()}")

    if len(sol.new_group) != n or len(sol.seat) != n:
        return ["solution arrays do not match the population size"]
    if pop.availability.shape[1] != AVAIL_BYTES:
        return ["availability must have 21 bytes per person"]
    both = (sol.new_group >= 0) & (sol.seat >= 0)
    report("person both in a new group and a seat", both, np.arange(n))
    ng = len(sol.ng_slot)
    if np.any(sol.new_group >= ng) or np.any(sol.seat >= len(gt)):
        return errors + ["group index out of range"]
    # ---- new groups
    mem = np.flatnonzero(sol.new_group >= 0)
    g = sol.new_group[mem].astype(np.int64)
    size = np.bincount(g, minlength=ng)
    report(
        "new group size out of range", (size < problem.min_size) | (size > problem.max_size), np.arange(ng)
    )
    report("new group member with another experience", pop.experience[mem] != sol.ng_experience[g], mem)
    lang_ok = ((pop.languages[mem] >> sol.ng_language[g].astype(np.uint64)) & np.uint64(1)) == 1
    report("new group member without the language", ~lang_ok, mem)
    report("new group slot outside the week", (sol.ng_slot < 0) | (sol.ng_slot >= 168), np.arange(ng))
    report(
        "new group member not free at the slot",
        ~_bits(pop.availability[mem], np.clip(sol.ng_slot[g], 0, 167)),
        mem,
    )
    v = sol.ng_venue[g].astype(np.int64)
    online = v < 0
    report("in-person-only member in an online group", online & (pop.mode[mem] == 1), mem)
    report("online-only member in an in-person group", ~online & (pop.mode[mem] == 0), mem)
    if np.any(v >= len(problem.venue_lat)):
        errors.append("venue index out of range")
    else:
        vi = np.where(online, 0, v)
        if len(problem.venue_lat):
            d = _vhav(pop.lat[mem], pop.lon[mem], problem.venue_lat[vi], problem.venue_lon[vi])
        else:
            d = np.full(len(mem), np.inf)
        far = ~online & ~(d <= pop.max_km[mem] + TOLERANCE_KM)  # NaN places count as too far
        report("new group member too far from the venue", far, mem)
    # hard preferences: union of requirements within the intersection of attributes
    if len(mem):
        o = np.argsort(g, kind="stable")
        gs, ms = g[o], mem[o]
        starts = np.flatnonzero(np.r_[True, gs[1:] != gs[:-1]])
        req = np.bitwise_or.reduceat(pop.requires[ms], starts)
        att = np.bitwise_and.reduceat(pop.attributes[ms], starts)
        report("new group breaks a member's hard preference", (req & ~att) != 0, gs[starts])
    # ---- seats
    sm = np.flatnonzero(sol.seat >= 0)
    sg = sol.seat[sm].astype(np.int64)
    used = np.bincount(sg, minlength=len(gt))
    report("existing group over its free seats", used > gt.free_seats, np.arange(len(gt)))
    report("seat member with another experience", pop.experience[sm] != gt.experience[sg], sm)
    lang_ok = ((pop.languages[sm] >> gt.language[sg].astype(np.uint64)) & np.uint64(1)) == 1
    report("seat member without the language", ~lang_ok, sm)
    report("seat member not free at the slot", ~_bits(pop.availability[sm], gt.slot[sg]), sm)
    report("seat member lacks the group's tags", (gt.tags[sg] & ~pop.attributes[sm]) != 0, sm)
    report(
        "seat member requires what the group does not guarantee", (pop.requires[sm] & ~gt.tags[sg]) != 0, sm
    )
    gon = gt.mode[sg] == 0
    report("in-person-only member in an online group", gon & (pop.mode[sm] == 1), sm)
    report("online-only member in an in-person group", ~gon & (pop.mode[sm] == 0), sm)
    d = _vhav(pop.lat[sm], pop.lon[sm], gt.lat[sg], gt.lon[sg])
    report("seat member too far", ~gon & ~(d <= pop.max_km[sm] + TOLERANCE_KM), sm)
    return errors
