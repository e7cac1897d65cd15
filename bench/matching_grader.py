"""Exact grader for the matching engine (OR-Tools CP-SAT) and upper bounds.

Independent of the engine's solver: eligibility is re-derived here with plain Python loops from
the columnar :class:`Problem` (all venues within reach, no nearest-venue cap), then for every
connected component of the eligibility graph a CP-SAT model maximises the number placed:

* ``x[p,t]``: person ``p`` joins new-group type ``t`` (experience, language, slot, place, rules);
* ``y[t]``: type ``t`` is used; ``x[p,t] -> y[t]`` and ``sum_p x[p,t] >= min_size * y[t]``
  (any ``n >= min_size`` people of one type split into groups of ``min_size..max_size``);
* ``s[p,g]``: person ``p`` takes a free seat of existing group ``g``; ``sum_p s[p,g] <= seats``;
* ``sum_t x[p,t] + sum_g s[p,g] <= 1``.

Types with fewer than ``min_size`` eligible people are dropped before modelling (they can
never be used).  A component CP-SAT cannot close within the time limit gets a second opinion
from the same model solved by HiGHS (SciPy's ``milp``), whose LP bound is usually tight here.
``grade`` returns the proven optimum (or the best bound when a component
times out, flagged ``proven=False``).  ``counting_bound`` is the cheap bound used for large N.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from mutua.matching.engine.model import Problem

R = 6371.0088
DEBUG = False


def _hav(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * R * math.asin(math.sqrt(min(1.0, max(0.0, a))))


@dataclass
class Eligibility:
    """Plain-Python eligibility lists."""

    pairs: dict[int, list[tuple]]  # person -> live type keys
    type_people: dict[tuple, list[int]]
    seats: dict[int, list[int]]  # person -> existing groups
    seat_cap: dict[int, int]


def eligibility(problem: Problem) -> Eligibility:
    pop, gt = problem.people, problem.groups
    n = len(pop)
    bits = [[h for h in range(168) if pop.availability[i, h // 8] >> (h % 8) & 1] for i in range(n)]
    langs = [[b for b in range(64) if int(pop.languages[i]) >> b & 1] for i in range(n)]
    vlat, vlon = problem.venue_lat.tolist(), problem.venue_lon.tolist()
    by_exp: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        by_exp[int(pop.experience[i])].append(i)
    type_people: dict[tuple, list[int]] = defaultdict(list)
    for e, members in by_exp.items():
        profiles = {0} | {int(pop.requires[i]) for i in members}
        for i in members:
            req, att, mode = int(pop.requires[i]), int(pop.attributes[i]), int(pop.mode[i])
            places = [-1] if mode != 1 else []
            if mode != 0 and not math.isnan(pop.lat[i]):
                places += [
                    v
                    for v in range(len(vlat))
                    if _hav(pop.lat[i], pop.lon[i], vlat[v], vlon[v]) <= pop.max_km[i]
                ]
            profs = [s for s in profiles if req & ~s == 0 and s & ~att == 0]
            for la in langs[i]:
                for h in bits[i]:
                    for v in places:
                        for s in profs:
                            type_people[(e, la, h, v, s)].append(i)
    live = {t: ps for t, ps in type_people.items() if len(ps) >= problem.min_size}
    pairs: dict[int, list[tuple]] = defaultdict(list)
    for t, ps in live.items():
        for i in ps:
            pairs[i].append(t)
    seats: dict[int, list[int]] = defaultdict(list)
    cap = {}
    for g in range(len(gt)):
        cap[g] = int(gt.free_seats[g])
        if cap[g] <= 0:
            continue
        e, la, h, gm, tags = (
            int(gt.experience[g]),
            int(gt.language[g]),
            int(gt.slot[g]),
            int(gt.mode[g]),
            int(gt.tags[g]),
        )
        for i in by_exp.get(e, []):
            if not (int(pop.languages[i]) >> la & 1) or h not in bits[i]:
                continue
            if tags & ~int(pop.attributes[i]) or int(pop.requires[i]) & ~tags:
                continue
            mode = int(pop.mode[i])
            if gm == 0 and mode == 1 or gm == 1 and mode == 0:
                continue
            if gm == 1 and (
                math.isnan(pop.lat[i]) or _hav(pop.lat[i], pop.lon[i], gt.lat[g], gt.lon[g]) > pop.max_km[i]
            ):
                continue
            seats[i].append(g)
    return Eligibility(dict(pairs), live, dict(seats), cap)


@dataclass
class Grade:
    optimum: int  # proven optimum, or best bound when not proven
    proven: bool
    seconds: float
    components: int
    counting_bound: int


def _components(el: Eligibility) -> list[list[int]]:
    parent: dict[object, object] = {}

    def find(a: object) -> object:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]  # type: ignore[index]
            a = parent[a]
        return a

    def union(a: object, b: object) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb

    people = set(el.pairs) | set(el.seats)
    for i in people:
        find(("p", i))
        for t in el.pairs.get(i, []):
            union(("p", i), ("t", t))
        for g in el.seats.get(i, []):
            union(("p", i), ("g", g))
    comps: dict[object, list[int]] = defaultdict(list)
    for i in people:
        comps[find(("p", i))].append(i)
    return sorted((sorted(c) for c in comps.values()), key=len)


def grade(
    problem: Problem, time_limit: float = 120.0, workers: int = 2, hint: np.ndarray | None = None
) -> Grade:
    """Prove the maximum number of people placeable (per component, CP-SAT).

    ``hint`` (e.g. the engine's solution) only speeds the search up; ``time_limit`` is per
    component.
    """
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    el = eligibility(problem)
    cb = len(set(el.pairs)) + _seat_only_bound(el)
    total, proven = 0, True
    comps = _components(el)
    hinted: dict[int, object] = {}
    if hint is not None:
        for i in np.flatnonzero(hint.new_group >= 0).tolist():
            g = int(hint.new_group[i])
            hinted[i] = (
                int(hint.ng_experience[g]),
                int(hint.ng_language[g]),
                int(hint.ng_slot[g]),
                int(hint.ng_venue[g]),
                int(hint.ng_rules[g]),
            )
        for i in np.flatnonzero(hint.seat >= 0).tolist():
            hinted[i] = int(hint.seat[i])
    for comp in comps:
        # trivial component: one person with seats only, or people with seats but no types
        m = cp_model.CpModel()
        x: dict[tuple[int, tuple], cp_model.IntVar] = {}
        s: dict[tuple[int, int], cp_model.IntVar] = {}
        types: dict[tuple, list] = defaultdict(list)
        groups: dict[int, list] = defaultdict(list)
        for i in comp:
            row = []
            for t in el.pairs.get(i, []):
                v = m.new_bool_var("")
                x[(i, t)] = v
                types[t].append(v)
                row.append(v)
            for g in el.seats.get(i, []):
                v = m.new_bool_var("")
                s[(i, g)] = v
                groups[g].append(v)
                row.append(v)
            m.add_at_most_one(row)
        for vs in types.values():
            y = m.new_bool_var("")
            for v in vs:
                m.add_implication(v, y)
            m.add(sum(vs) >= problem.min_size * y)
        for g, vs in groups.items():
            m.add(sum(vs) <= el.seat_cap[g])
        for (i, t), v in x.items():
            m.add_hint(v, hinted.get(i) == t)
        for (i, g), v in s.items():
            m.add_hint(v, hinted.get(i) == g)
        m.maximize(sum(x.values()) + sum(s.values()))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = workers
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.linearization_level = 2  # the LP relaxation of this model is tight
        st = solver.solve(m)
        if DEBUG:
            print(
                len(comp),
                solver.status_name(st),
                solver.objective_value,
                solver.best_objective_bound,
                solver.wall_time,
            )
        if st == cp_model.OPTIMAL or (
            st == cp_model.FEASIBLE
            and min(len(comp), math.floor(solver.best_objective_bound + 1e-6))
            <= round(solver.objective_value)
        ):
            total += round(solver.objective_value)
        else:
            # second opinion: the same model with HiGHS (SciPy), whose LP bound is often tight here
            cp_bound = min(len(comp), math.floor(solver.best_objective_bound + 1e-6))
            hi = _highs_component(list(x), list(s), el.seat_cap, problem.min_size, time_limit)
            if hi is not None and hi[1]:
                total += hi[0]
            else:
                proven = False
                total += min(cp_bound, hi[2]) if hi is not None else cp_bound
    return Grade(min(total, cb), proven, time.perf_counter() - t0, len(comps), cb)


def _highs_component(
    xs: list[tuple[int, tuple]], ss: list[tuple[int, int]], cap: dict[int, int], kmin: int, time_limit: float
) -> tuple[int, bool, int] | None:
    """(value, proven, bound) of one component with SciPy's HiGHS MILP."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    people = sorted({i for i, _ in xs} | {i for i, _ in ss})
    prow = {i: k for k, i in enumerate(people)}
    types = sorted({t for _, t in xs})
    tcol = {t: k for k, t in enumerate(types)}
    groups = sorted({g for _, g in ss})
    nx, ny, ns = len(xs), len(types), len(ss)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    r = 0
    for j, (i, _) in enumerate(xs):  # person rows come first: r = prow[i]
        rows.append(prow[i]), cols.append(j), vals.append(1.0)
    for j, (i, _) in enumerate(ss):
        rows.append(prow[i]), cols.append(nx + ny + j), vals.append(1.0)
    r = len(people)
    lo += [-np.inf] * r
    hi += [1.0] * r
    for j, (_, t) in enumerate(xs):  # x <= y
        rows += [r, r]
        cols += [j, nx + tcol[t]]
        vals += [1.0, -1.0]
        lo.append(-np.inf)
        hi.append(0.0)
        r += 1
    for j, (_, t) in enumerate(xs):  # sum x >= kmin y
        rows.append(r + tcol[t]), cols.append(j), vals.append(1.0)
    for k in range(ny):
        rows.append(r + k), cols.append(nx + k), vals.append(-float(kmin))
    lo += [0.0] * ny
    hi += [np.inf] * ny
    r += ny
    gcol = {g: k for k, g in enumerate(groups)}
    for j, (_, g) in enumerate(ss):
        rows.append(r + gcol[g]), cols.append(nx + ny + j), vals.append(1.0)
    lo += [-np.inf] * len(groups)
    hi += [float(cap[g]) for g in groups]
    r += len(groups)
    a = coo_matrix((vals, (rows, cols)), shape=(r, nx + ny + ns))
    c = -np.r_[np.ones(nx), np.zeros(ny), np.ones(ns)]
    res = milp(
        c,
        constraints=LinearConstraint(a, lo, hi),
        integrality=np.ones(nx + ny + ns),
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit, "mip_rel_gap": 0.0},
    )
    if res.x is None:
        return None
    value = round(-res.fun)
    bound = math.floor(-getattr(res, "mip_dual_bound", res.fun) + 1e-6)
    return value, res.status == 0 or bound <= value, min(bound, len(people))


def _seat_only_bound(el: Eligibility) -> int:
    """Max matching of people without live types to seats (augmenting paths; small N only)."""
    only = [i for i in el.seats if i not in el.pairs]
    owner: dict[tuple[int, int], int] = {}
    slots = {i: [(g, k) for g in el.seats[i] for k in range(el.seat_cap[g])] for i in only}

    def aug(i: int, seen: set) -> bool:
        for sl in slots[i]:
            if sl in seen:
                continue
            seen.add(sl)
            if sl not in owner or aug(owner[sl], seen):
                owner[sl] = i
                return True
        return False

    return sum(aug(i, set()) for i in only)
