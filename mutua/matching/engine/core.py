"""The solver on the columnar layer.

Model.  A *type* is a tuple (experience, language, slot, place, rules) where place is "online"
or a venue and rules is a set of required attributes.  A person is *eligible* for a type when
they have that primary experience, speak the language, are free at the slot, can reach the
place (mode and travel distance) and are compatible with the rules (they have every required
attribute and require nothing beyond them).  Any ``n >= min_size`` people assigned to one type
split into groups of ``min_size..max_size`` (because ``max_size >= 2*min_size - 1``), so the
combinatorial core is: assign people to types so that every used type gets at least
``min_size`` people — matching with lower quotas, NP-hard.  Open types have no upper bound,
which is what makes a greedy + repair approach work well.

Pipeline per experience (experiences are independent, so they stream one at a time and run on
several processes):

1. *Pairs*: enumerate the (person, type) eligibility pairs with vectorised cross products.
2. *Bound*: a type with fewer than ``min_size`` eligible people can never open; people without
   a live type can only take seats.  This gives the counting upper bound.
3. *Greedy by votes*: every unplaced person votes for their most popular live type; types with
   ``min_size`` votes open and absorb every eligible unplaced person.  Repeat (if no type gets
   enough votes, the single most popular opens — the sequential greedy step).
4. *Repair*: a closed type with ``u`` unplaced eligible people opens when ``min_size - u`` people
   can be moved to it from open types that keep at least ``min_size`` members.
5. *Seats*: remaining people take free seats of existing groups by maximum bipartite matching,
   then swaps give seats to those who waited longer.
6. *Split*: each open type is cut into groups of about ``target_size``, members sorted by
   secondary experience, age band and UTC offset so that similar people sit together.
7. *Explain*: every unplaced person gets a structured reason.

Ties are broken by a seeded random permutation, so runs are deterministic for a given seed.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching
from scipy.spatial import cKDTree

from .arrays import _cross, _cumsum0, _rows_csr, avail_matrix, lang_matrix
from .explain import ColumnarExplanation, ExplainInput, explain_chunk
from .geo import chord_for_km, haversine_km, unit_vectors
from .improve import LazyLists, RepSearch, iterated_local_search, targeted_search
from .model import HOURS_PER_WEEK, GroupTable, Population, Problem, Solution

LANG_BITS = 64
I64 = np.int64


@dataclass(slots=True)
class Options:
    """Tuning knobs.  ``max_venues`` caps the venues considered per person (nearest first)."""

    seed: int = 0
    workers: int = 1
    explain: bool = True
    max_venues: int = 8
    repair_rounds: int = 3
    exact_pairs: int = 20_000  # chunks with at most this many live pairs get restarts and ILS
    restarts: int = 8
    targeted_per_person: int = 10  # targeted search steps per unplaced person with a live type
    targeted_max: int = 50_000  # per experience
    search_max_people: int = 20_000  # restarts/ILS/MILP only for problems up to this size
    milp_max_pairs: int = 12_000  # 0 disables the exact polish of small chunks
    milp_time_limit: float = 5.0  # safety net only; node_limit keeps runs deterministic
    milp_node_limit: int = 300
    improve: bool = True
    ils_iterations: int = 400
    ils_budget: int = 2_000_000  # live pairs x iterations per chunk
    suggestions: int = 3


@dataclass(slots=True)
class _Chunk:
    idx: NDArray[Any]
    new_group: NDArray[Any]
    seat: NDArray[Any]
    ng_language: NDArray[Any]
    ng_slot: NDArray[Any]
    ng_venue: NDArray[Any]
    ng_rules: NDArray[Any]
    bound: int
    explanations: list[ColumnarExplanation]
    timings: dict[str, float]


# --------------------------------------------------------------------------- the per-experience solver
@dataclass(slots=True)
class _Ctx:
    problem: Problem
    opts: Options
    tree: cKDTree | None
    by_exp: dict[int, NDArray[Any]]
    groups_by_exp: dict[int, NDArray[Any]]


_CTX: _Ctx | None = None
_ROUNDS: list[int] = []
_MILP_LOG: list[tuple[int, int, int]] = []
# polish runs stopped by the time safety net (then not deterministic)
_MILP_TIMEOUTS: list[int] = []


def _venue_pairs(
    pop: Population, ctx: _Ctx, can_meet: NDArray[Any]
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    """(person, venue, distance) for venues within each person's travel distance."""
    rows = np.flatnonzero(can_meet & np.isfinite(pop.lat) & np.isfinite(pop.lon) & (pop.max_km > 0))
    if ctx.tree is None or len(rows) == 0:
        z = np.zeros(0, dtype=I64)
        return z, z, np.zeros(0)
    p = ctx.problem
    k = min(ctx.opts.max_venues, len(p.venue_lat))
    xyz = unit_vectors(pop.lat[rows], pop.lon[rows])
    rmax = float(chord_for_km(pop.max_km[rows].max())) * (1 + 1e-9) + 1e-12
    _, vid = ctx.tree.query(xyz, k=k, distance_upper_bound=rmax)
    vid = np.asarray(vid).reshape(len(rows), k)
    person = np.repeat(rows, k)
    venue = vid.ravel()
    ok = venue < len(p.venue_lat)
    person, venue = person[ok], venue[ok]
    d = haversine_km(pop.lat[person], pop.lon[person], p.venue_lat[venue], p.venue_lon[venue])
    ok = d <= pop.max_km[person]
    return person[ok].astype(I64), venue[ok].astype(I64), d[ok]


def _slot_cross(
    c2: NDArray[Any], v2: NDArray[Any], slot_cnt: NDArray[Any], slot_val: NDArray[Any]
) -> tuple[NDArray[Any], NDArray[Any]]:
    """``_cross`` of (combo) x (slot) written block by block into one int32 array.

    The pair list is the largest structure of a run; building it in person blocks keeps the
    temporaries of the Cartesian product small.
    """
    cnt = c2 * slot_cnt
    out = np.empty(int(cnt.sum()), dtype=np.int32)
    start_out, start_a, start_b = _cumsum0(cnt), _cumsum0(c2), _cumsum0(slot_cnt)
    m = len(cnt)
    a = 0
    while a < m:
        # persons [a, b) with about 4M output pairs
        b = int(np.searchsorted(start_out, start_out[a] + (1 << 22), side="right"))
        b = min(max(b, a + 1), m)
        _, vals = _cross(
            c2[a:b], v2[start_a[a] : start_a[b]], slot_cnt[a:b], slot_val[start_b[a] : start_b[b]]
        )
        out[start_out[a] : start_out[b]] = vals
        a = b
    return out, cnt


def _seat_eligibility(
    pop: Population, groups: GroupTable, rows: NDArray[Any]
) -> tuple[NDArray[Any], NDArray[Any]]:
    """(row, group) pairs: person ``rows[i]`` may take a seat of group ``j`` of ``groups``.

    Joined on the group's slot first (people free at that hour), then the remaining rules are
    checked on the small candidate blocks.
    """
    z = np.zeros(0, dtype=I64)
    if len(rows) == 0 or len(groups) == 0:
        return z, z
    out_r, out_g = [], []
    av = pop.availability[rows]
    for slot in np.unique(groups.slot).tolist():
        gs = np.flatnonzero(groups.slot == slot)
        free = np.flatnonzero((av[:, slot // 8] >> (slot % 8)) & 1)
        if not len(free):
            continue
        pr = rows[free]
        lang = pop.languages[pr][:, None]
        mode = pop.mode[pr][:, None]
        attrs, req = pop.attributes[pr][:, None], pop.requires[pr][:, None]
        glang = groups.language[gs].astype(np.uint64)
        ok = ((lang >> glang[None, :]) & np.uint64(1)).astype(bool)
        gmode = groups.mode[gs][None, :]
        ok &= np.where(gmode == 0, mode != 1, mode != 0)
        tags = groups.tags[gs][None, :]
        ok &= ((tags & ~attrs) == 0) & ((req & ~tags) == 0)
        r, c = np.nonzero(ok)
        gi = gs[c]
        inp = groups.mode[gi] == 1
        if inp.any():
            d = haversine_km(
                pop.lat[pr[r[inp]]], pop.lon[pr[r[inp]]], groups.lat[gi[inp]], groups.lon[gi[inp]]
            )
            keep = np.ones(len(r), dtype=bool)
            keep[np.flatnonzero(inp)] = d <= pop.max_km[pr[r[inp]]]
            r, gi = r[keep], gi[keep]
        out_r.append(free[r].astype(I64))
        out_g.append(gi.astype(I64))
    if not out_r:
        return z, z
    er, eg = np.concatenate(out_r), np.concatenate(out_g)
    o = np.lexsort((eg, er))
    return er[o], eg[o]


def _max_seat_matching(n_rows: int, er: NDArray[Any], eg: NDArray[Any], seats: NDArray[Any]) -> NDArray[Any]:
    """Maximum b-matching of rows to groups with ``seats`` capacity; returns group per row or -1."""
    out = np.full(n_rows, -1, dtype=I64)
    if len(er) == 0:
        return out
    seat_start = _cumsum0(seats.astype(I64))
    cap = seats.astype(I64)[eg]
    rr = np.repeat(er, cap)
    local = np.arange(len(rr)) - np.repeat(_cumsum0(cap)[:-1], cap)
    sc = seat_start[np.repeat(eg, cap)] + local
    if len(rr) == 0:
        return out
    mat = csr_matrix((np.ones(len(rr), dtype=np.int8), (rr, sc)), shape=(n_rows, int(seat_start[-1])))
    m = maximum_bipartite_matching(mat, perm_type="column")
    hit = m >= 0
    seat_group = np.repeat(np.arange(len(seats)), seats.astype(I64))
    out[hit] = seat_group[m[hit]]
    return out


def _solve_experience(e: int) -> _Chunk:
    ctx = _CTX
    assert ctx is not None
    prob, opts = ctx.problem, ctx.opts
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    idx = ctx.by_exp[e]
    gidx = ctx.groups_by_exp.get(e, np.zeros(0, dtype=I64))
    pop = prob.people.subset(idx)
    groups = prob.groups.subset(gidx)
    m = len(idx)
    kmin = prob.min_size
    rng = np.random.default_rng([opts.seed, e])

    # ---- 1. eligibility pairs
    lang_cnt, lang_val = _rows_csr(lang_matrix(pop.languages))
    amat = avail_matrix(pop.availability)
    slot_cnt, slot_val = _rows_csr(amat)
    can_online = pop.mode != 1
    can_meet = pop.mode != 0
    vp, vv, _vd = _venue_pairs(pop, ctx, can_meet)
    place_p = np.concatenate([np.flatnonzero(can_online).astype(I64), vp])
    place_v = np.concatenate([np.zeros(int(can_online.sum()), dtype=I64), vv + 1])
    order = np.argsort(place_p, kind="stable")
    place_p, place_v = place_p[order], place_v[order]
    place_cnt = np.bincount(place_p, minlength=m).astype(I64)
    req_masks = np.unique(pop.requires)
    profiles = np.concatenate([[0], req_masks[req_masks != 0]]).astype(np.uint32)
    n_prof = len(profiles)
    comp = ((pop.requires[:, None] & ~profiles[None, :]) == 0) & (
        (profiles[None, :] & ~pop.attributes[:, None]) == 0
    )
    prof_cnt, prof_val = _rows_csr(comp)
    # key = ((place * n_prof + profile) * 64 + language) * 168 + slot: a "combo" (key // 168)
    # fixes everything but the slot, which the explanations exploit.
    s_lang = HOURS_PER_WEEK
    s_prof = s_lang * LANG_BITS
    s_place = s_prof * n_prof
    c1, v1 = _cross(place_cnt, place_v * s_place, prof_cnt, prof_val * s_prof)
    c2, v2 = _cross(c1, v1, lang_cnt, lang_val * s_lang)
    # Types are numbered densely as combo_index * 168 + slot: only the (much shorter) combo list
    # needs sorting, never the full pair list.
    combos_u, cinv = np.unique(v2 // HOURS_PER_WEEK, return_inverse=True)
    del v1, v2
    pt, cnt = _slot_cross(c2, cinv.astype(I64) * HOURS_PER_WEEK, slot_cnt, slot_val)
    pp = np.repeat(np.arange(m, dtype=np.int32), cnt)
    del cinv
    used = np.bincount(pt, minlength=len(combos_u) * HOURS_PER_WEEK) > 0
    remap = (np.cumsum(used) - 1).astype(np.int32)
    for a in range(0, len(pt), 1 << 22):  # in place, block by block (memory)
        pt[a : a + (1 << 22)] = remap[pt[a : a + (1 << 22)]]
    dense = np.flatnonzero(used)
    keys_u = (combos_u[dense // HOURS_PER_WEEK] * HOURS_PER_WEEK + dense % HOURS_PER_WEEK).astype(I64)
    del used, remap, dense
    nt = len(keys_u)
    cnt_all = np.bincount(pt, minlength=nt)
    timings["pairs"] = time.perf_counter() - t0

    # ---- 2. counting bound (people part; seats added below)
    live_pair = cnt_all[pt] >= kmin
    live_person = np.zeros(m, dtype=bool)
    live_person[pp[live_pair]] = True

    # ---- 3. vectorised greedy with representatives
    t1 = time.perf_counter()
    tb = rng.permutation(nt).astype(I64)  # tie-break rank per type
    rep_of, open_ = _rep_greedy(pp, pt, live_pair, m, nt, kmin, tb)
    timings["greedy"] = time.perf_counter() - t1

    # ---- 4. representatives search (augmenting paths, swaps, restarts on small chunks)
    t1 = time.perf_counter()
    if opts.improve:
        rep_of, open_ = _improve(
            rep_of,
            open_,
            pp,
            pt,
            live_pair,
            cnt_all,
            nt,
            kmin,
            tb,
            pop.waited_days,
            opts,
            rng,
            len(prob.people),
        )
    assigned = _assign_floaters(rep_of, open_, pp, pt, live_pair, tb)
    timings["improve"] = time.perf_counter() - t1

    # ---- 5. seats
    t1 = time.perf_counter()
    seat = np.full(m, -1, dtype=np.int32)
    bound = int(live_person.sum())
    if len(groups):
        rows = np.flatnonzero(assigned < 0).astype(I64)
        er, eg = _seat_eligibility(pop, groups, rows)
        match = _max_seat_matching(len(rows), er, eg, groups.free_seats)
        match = _fair_swaps(match, er, eg, pop.waited_days[rows])
        got = match >= 0
        seat[rows[got]] = gidx[match[got]].astype(np.int32)
        # bound: people without a live type can only be placed in seats
        nl = ~live_person[rows]
        sel = nl[er]
        nl_rows = np.cumsum(nl) - 1
        bound += int(
            (_max_seat_matching(int(nl.sum()), nl_rows[er[sel]], eg[sel], groups.free_seats) >= 0).sum()
        )
        seat_eligible = np.zeros(m, dtype=bool)
        seat_eligible[rows[er]] = True
    else:
        er = eg = np.zeros(0, dtype=I64)
        rows = np.zeros(0, dtype=I64)
        seat_eligible = np.zeros(m, dtype=bool)
    timings["seats"] = time.perf_counter() - t1

    # ---- 5b. exact polish of small chunks (HiGHS MILP) when the heuristic may be short
    t1 = time.perf_counter()
    placed_now = int(((assigned >= 0) | (seat >= 0)).sum())
    if (
        opts.milp_max_pairs > 0
        and len(prob.people) <= opts.search_max_people
        and placed_now < bound
        and int(live_pair.sum()) <= opts.milp_max_pairs
    ):
        exact = _milp_polish(
            pop, groups, pp[live_pair], pt[live_pair], m, kmin, opts.milp_time_limit, opts.milp_node_limit
        )
        if exact is not None and exact[2] > placed_now:
            assigned = exact[0]
            seat = np.full(m, -1, dtype=np.int32)
            has_seat = exact[1] >= 0
            seat[has_seat] = gidx[exact[1][has_seat]]
    timings["milp"] = time.perf_counter() - t1
    timings["milp_timeouts"] = float(len(_MILP_TIMEOUTS))
    _MILP_TIMEOUTS.clear()

    # ---- 6. split open types into groups, similar people together
    t1 = time.perf_counter()
    members = np.flatnonzero(assigned >= 0)
    mt = assigned[members]
    order = np.lexsort(
        (
            -pop.waited_days[members],
            pop.utc_offset_min[members],
            pop.age_band[members],
            pop.secondary[members],
            mt,
        )
    )
    members, mt = members[order], mt[order]
    used_t, first, n_t = np.unique(mt, return_index=True, return_counts=True)
    k_lo = np.maximum(1, n_t // prob.target_size)
    k_t = np.where(
        np.abs(n_t / k_lo - prob.target_size) <= np.abs(n_t / (k_lo + 1) - prob.target_size), k_lo, k_lo + 1
    )
    k_t = np.clip(k_t, -(-n_t // prob.max_size), n_t // kmin).astype(I64)
    base = _cumsum0(k_t)
    pos = np.searchsorted(used_t, mt)
    rank = np.arange(len(members)) - first[pos]
    gid = base[pos] + rank * k_t[pos] // n_t[pos]
    new_group = np.full(m, -1, dtype=np.int32)
    new_group[members] = gid.astype(np.int32)
    type_of_group = np.repeat(used_t, k_t)
    tk = keys_u[type_of_group]
    ng_lang = ((tk // s_lang) % LANG_BITS).astype(np.int16)
    ng_slot = (tk % HOURS_PER_WEEK).astype(np.int16)
    ng_prof = (tk // s_prof) % n_prof
    ng_venue = (tk // s_place - 1).astype(np.int32)
    ng_rules = profiles[ng_prof].astype(np.uint32)
    timings["split"] = time.perf_counter() - t1

    # ---- 7. explanations
    t1 = time.perf_counter()
    expl: list[ColumnarExplanation] = []
    if opts.explain:
        unplaced = np.flatnonzero((assigned < 0) & (seat < 0))
        if len(unplaced):
            expl = explain_chunk(
                ExplainInput(
                    problem=prob,
                    tree=ctx.tree,
                    max_venues=opts.max_venues,
                    suggestions=opts.suggestions,
                    pop=pop,
                    idx=idx,
                    unplaced=unplaced,
                    lang_cnt=lang_cnt,
                    lang_val=lang_val,
                    amat=amat,
                    place_cnt=place_cnt,
                    place_v=place_v,
                    prof_cnt=prof_cnt,
                    prof_val=prof_val,
                    n_prof=n_prof,
                    keys_u=keys_u,
                    cnt_all=cnt_all,
                    pp=pp,
                    pt=pt,
                    live_pair=live_pair,
                    seat_person=rows[er] if len(er) else np.zeros(0, dtype=I64),
                    seat_group=eg,
                    groups=groups,
                )
            )
    timings["explain"] = time.perf_counter() - t1
    return _Chunk(idx, new_group, seat, ng_lang, ng_slot, ng_venue, ng_rules, bound, expl, timings)


def _milp_polish(
    pop: Population,
    groups: GroupTable,
    lp: NDArray[Any],
    lt: NDArray[Any],
    m: int,
    kmin: int,
    time_limit: float,
    node_limit: int,
) -> tuple[NDArray[Any], NDArray[Any], int] | None:
    """Solve a small chunk exactly (or as well as HiGHS manages in ``time_limit``).

    Same model as the benchmark's CP-SAT grader: ``x[p,t] -> y[t]``, ``sum_p x[p,t] >= kmin
    y[t]``, one placement per person, seats capacity.  The objective adds a tiny waiting-time
    term (< 1 person in total) so that among maximum placements longer waits win.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix, vstack

    types, tix = np.unique(lt, return_inverse=True)
    nx, ny = len(lp), len(types)
    if len(groups):
        er, eg = _seat_eligibility(pop, groups, np.arange(m, dtype=I64))
    else:
        er = eg = np.zeros(0, dtype=I64)
    ns = len(er)
    nv = nx + ny + ns
    ax = np.arange(nx)
    a_person = coo_matrix(
        (np.ones(nx + ns), (np.r_[lp, er], np.r_[ax, nx + ny + np.arange(ns)])), shape=(m, nv)
    )
    a_link = coo_matrix(
        (np.r_[np.ones(nx), -np.ones(nx)], (np.r_[ax, ax], np.r_[ax, nx + tix])), shape=(nx, nv)
    )
    a_min = coo_matrix(
        (
            np.r_[np.ones(nx), np.full(ny, -float(kmin))],
            (np.r_[tix, np.arange(ny)], np.r_[ax, nx + np.arange(ny)]),
        ),
        shape=(ny, nv),
    )
    a_seat = coo_matrix((np.ones(ns), (eg, nx + ny + np.arange(ns))), shape=(len(groups), nv))
    a = vstack([a_person, a_link, a_min, a_seat]).tocsr()
    lo = np.r_[np.full(m, -np.inf), np.full(nx, -np.inf), np.zeros(ny), np.full(len(groups), -np.inf)]
    hi = np.r_[np.ones(m), np.zeros(nx), np.full(ny, np.inf), groups.free_seats.astype(np.float64)]
    wn = pop.waited_days.astype(np.float64)
    wn = (wn - wn.min()) / (np.ptp(wn) or 1.0) / (2.0 * max(1, m))
    c = -np.r_[1.0 + wn[lp], np.zeros(ny), 1.0 + wn[er]]
    res = milp(
        c,
        constraints=LinearConstraint(a, lo, hi),
        integrality=np.ones(nv),
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit, "node_limit": node_limit, "disp": False},
    )
    if res.x is None:
        return None
    _MILP_LOG.append((nv, int(getattr(res, "mip_node_count", 0) or 0), int(res.status)))
    if res.status == 1 and "time" in str(res.message).lower():
        _MILP_TIMEOUTS.append(1)
    x = res.x > 0.5
    assigned = np.full(m, -1, dtype=I64)
    assigned[lp[x[:nx]]] = lt[x[:nx]]
    seat_local = np.full(m, -1, dtype=I64)
    sx = x[nx + ny :]
    seat_local[er[sx]] = eg[sx]
    # defensive: never trust a numerically odd answer
    sizes = np.bincount(assigned[assigned >= 0])
    if np.any((sizes > 0) & (sizes < kmin)) or np.any((assigned >= 0) & (seat_local >= 0)):
        return None
    if len(groups) and np.any(
        np.bincount(seat_local[seat_local >= 0], minlength=len(groups)) > groups.free_seats
    ):
        return None
    return assigned, seat_local, int(np.count_nonzero((assigned >= 0) | (seat_local >= 0)))


def _fair_swaps(
    match: NDArray[Any], er: NDArray[Any], eg: NDArray[Any], waited: NDArray[Any]
) -> NDArray[Any]:
    """Keep the matching size, but hand seats to eligible unmatched people who waited longer."""
    if not len(er):
        return match
    match = match.copy()
    order = np.argsort(-waited[er], kind="stable")
    by_group: dict[int, list[int]] = {}
    for r, g in zip(er[order].tolist(), eg[order].tolist(), strict=True):
        by_group.setdefault(g, []).append(r)
    holders: dict[int, list[int]] = {}
    for r in np.flatnonzero(match >= 0).tolist():
        holders.setdefault(int(match[r]), []).append(r)
    for g, cands in by_group.items():
        hs = sorted(holders.get(g, []), key=lambda r: waited[r])
        for r in cands:
            if not hs:
                break
            if match[r] >= 0:
                continue
            h = hs[0]
            if waited[r] <= waited[h]:
                break
            match[r], match[h] = g, -1
            hs.pop(0)
            hs.append(r)
            hs.sort(key=lambda x: waited[x])
    return match


def _improve(
    rep_of0: NDArray[Any],
    open_: NDArray[Any],
    pp: NDArray[Any],
    pt: NDArray[Any],
    live_pair: NDArray[Any],
    cnt_all: NDArray[Any],
    nt: int,
    kmin: int,
    tb: NDArray[Any],
    waited: NDArray[Any],
    opts: Options,
    rng: np.random.Generator,
    total_people: int,
) -> tuple[NDArray[Any], NDArray[Any]]:
    """Improve the greedy with :class:`RepSearch`; returns representatives and open types."""
    m = len(rep_of0)
    lp, lt = pp[live_pair], pt[live_pair]
    if not len(lp):
        return rep_of0, open_
    by_type = coo_matrix(
        (np.ones(len(lp), dtype=np.int8), (lt, lp)), shape=(nt, m)
    ).tocsr()  # O(P) bucket sort
    tp = LazyLists(by_type.indices, by_type.indptr)
    wn = waited.astype(np.float64)
    wn = (wn - wn.min()) / (np.ptp(wn) or 1.0)
    weight = (1.0 + 1e-6 * wn).tolist()

    def covered(op: NDArray[Any]) -> NDArray[Any]:
        return np.bincount(lp[op[lt]], minlength=m)

    rs = RepSearch(tp, m, kmin, weight)
    rs.set_state(open_.tolist(), rep_of0.tolist(), covered(open_).tolist())
    cand = np.unique(lt[(np.asarray(rs.cover)[lp] == 0) & ~open_[lt]])
    cand = cand[np.argsort(tb[cand])].tolist()
    rs.greedy(cand)
    rs.swaps(cand)
    best = rs
    best_w = rs.placed_weight()
    person_types: LazyLists | None = None
    if len(lp) <= opts.exact_pairs and total_people <= opts.search_max_people:
        live_types = np.flatnonzero(cnt_all >= kmin).tolist()
        prng = random.Random(int(rng.integers(1 << 62)))
        person_types = LazyLists(lt, _cumsum0(np.bincount(lp, minlength=m)))
        for _ in range(opts.restarts):
            r2 = RepSearch(tp, m, kmin, weight)
            r2.greedy(live_types, prng)
            r2.swaps(live_types)
            w2 = r2.placed_weight()
            if w2 > best_w + 1e-9:
                best, best_w = r2, w2
        iters = min(opts.ils_iterations, max(20, opts.ils_budget // max(1, len(lp))))
        best = iterated_local_search(best, person_types, live_types, iters, prng)
    # targeted local search around the people still unplaced (undo journal: scales to big chunks)
    if opts.targeted_per_person > 0:
        if person_types is None:
            person_types = LazyLists(lt, _cumsum0(np.bincount(lp, minlength=m)))
        cover = np.asarray(best.cover)
        unplaced = np.unique(lp[cover[lp] == 0]).tolist()
        iters = min(opts.targeted_max, opts.targeted_per_person * len(unplaced))
        prng2 = random.Random(int(rng.integers(1 << 62)))
        best = targeted_search(best, person_types, unplaced, iters, prng2)
    return np.asarray(best.rep_of, dtype=I64), np.asarray(best.open, dtype=bool)


def _assign_floaters(
    rep_of: NDArray[Any],
    open_: NDArray[Any],
    pp: NDArray[Any],
    pt: NDArray[Any],
    live_pair: NDArray[Any],
    tb: NDArray[Any],
) -> NDArray[Any]:
    """Representatives stay; everyone else eligible for an open type joins one of them."""
    out = rep_of.copy()
    sel = live_pair & open_[pt]
    sel[sel] = out[pp[sel]] < 0
    if sel.any():
        fp, ft = pp[sel], pt[sel]  # sorted by person: take each person's first open type
        firsts = np.r_[True, fp[1:] != fp[:-1]]
        out[fp[firsts]] = ft[firsts]
    return out


def _rep_greedy(
    pp: NDArray[Any],
    pt: NDArray[Any],
    live_pair: NDArray[Any],
    m: int,
    nt: int,
    kmin: int,
    tb: NDArray[Any],
) -> tuple[NDArray[Any], NDArray[Any]]:
    """Open types in parallel rounds, each with exactly ``kmin`` representatives.

    Every round, each still-unplaced person votes for their feasible type with the largest gain
    (unplaced eligible people); voted types pick representatives among people who are not yet
    representatives, preferring the least flexible; a person serves the highest-priority type
    that wants them.  Non-representatives stay free to represent later types, which is what a
    plain "absorb everyone" greedy gets wrong.
    """
    rep_of = np.full(m, -1, dtype=I64)
    cover = np.zeros(m, dtype=bool)
    open_ = np.zeros(nt, dtype=bool)
    inv_tb = np.argsort(tb)
    cp, ct = pp[live_pair], pt[live_pair]
    deg = np.bincount(cp, minlength=m)
    dmax = int(deg.max(initial=0)) + 1
    if nt * dmax * m >= 2**62:  # keep the combined sort key inside int64
        deg = np.zeros(m, dtype=I64)
        dmax = 1
    rounds = 0
    while len(cp):
        rounds += 1
        unc = ~cover[cp]
        all_unc = bool(unc.all())
        f = np.bincount(ct, minlength=nt)
        g = f if all_unc else np.bincount(ct[unc], minlength=nt)
        keep = ((f >= kmin) & (g > 0))[ct]
        if not keep.all():
            cp, ct, unc = cp[keep], ct[keep], unc[keep]
        del keep
        if not len(cp):
            break
        tprio = g * nt + tb  # per-type priority; gathered per pair only where needed (memory)
        vp, vt = (cp, ct) if all_unc else (cp[unc], ct[unc])
        starts = np.flatnonzero(np.r_[True, vp[1:] != vp[:-1]])
        voted = inv_tb[np.maximum.reduceat(tprio[vt], starts) % nt]
        del vp, vt, unc, starts
        chosen = np.zeros(nt, dtype=bool)
        chosen[voted] = True
        sel = chosen[ct]
        rp, rt = cp[sel], ct[sel]
        del sel
        rprio = tprio[rt]
        # each candidate person goes to the highest-priority chosen type that wants them
        st = np.flatnonzero(np.r_[True, rp[1:] != rp[:-1]])
        top = np.maximum.reduceat(rprio, st)
        top_of = np.zeros(m, dtype=I64)
        top_of[rp[st]] = top
        mine = rprio == top_of[rp]
        rp, rt = rp[mine], rt[mine]
        del rprio, top_of, mine
        # per type: least flexible candidates first, take kmin
        o = np.argsort(rt.astype(I64) * (dmax * m) + deg[rp] * m + rp)
        rp, rt = rp[o], rt[o]
        ts = np.flatnonzero(np.r_[True, rt[1:] != rt[:-1]])
        cnt = np.diff(np.r_[ts, len(rt)])
        rank = np.arange(len(rt)) - np.repeat(ts, cnt)
        ok_t = np.repeat(cnt >= kmin, cnt) & (rank < kmin)
        newreps, newt = rp[ok_t], rt[ok_t]
        rep_of[newreps] = newt
        open_[newt] = True
        # coverage of the newly opened types
        cov = open_[ct]
        cover[cp[cov]] = True
        # drop representatives and pairs of open types
        keep = (rep_of[cp] < 0) & ~cov
        cp, ct = cp[keep], ct[keep]
    _ROUNDS.append(rounds)
    return rep_of, open_


def solve(
    problem: Problem, options: Options | None = None, progress: Callable[[str], None] | None = None
) -> tuple[Solution, list[ColumnarExplanation]]:
    """Solve a columnar :class:`Problem`; returns the solution and the explanations."""
    global _CTX
    opts = options or Options()
    t0 = time.perf_counter()
    pop, groups = problem.people, problem.groups
    n = len(pop)
    order = np.argsort(pop.experience, kind="stable")
    exps, starts = np.unique(pop.experience[order], return_index=True)
    bounds = np.append(starts, n)
    by_exp = {int(e): order[bounds[i] : bounds[i + 1]].astype(I64) for i, e in enumerate(exps)}
    gorder = np.argsort(groups.experience, kind="stable")
    gexps, gstarts = np.unique(groups.experience[gorder], return_index=True)
    gb = np.append(gstarts, len(groups))
    groups_by_exp = {int(e): gorder[gb[i] : gb[i + 1]].astype(I64) for i, e in enumerate(gexps)}
    tree = cKDTree(unit_vectors(problem.venue_lat, problem.venue_lon)) if len(problem.venue_lat) else None
    _CTX = _Ctx(problem, opts, tree, by_exp, groups_by_exp)
    prep = time.perf_counter() - t0
    jobs = sorted(by_exp, key=lambda e: -len(by_exp[e]))
    workers = max(1, min(opts.workers, len(jobs), os.cpu_count() or 1))
    try:
        if workers == 1:
            chunks = [_solve_experience(e) for e in jobs]
        else:
            with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as ex:
                chunks = list(ex.map(_solve_experience, jobs))
    finally:
        _CTX = None
    t1 = time.perf_counter()
    new_group = np.full(n, -1, dtype=np.int32)
    seat = np.full(n, -1, dtype=np.int32)
    parts: dict[str, list[NDArray[Any]]] = {k: [] for k in ("e", "l", "s", "v", "r")}
    offset = 0
    bound = 0
    timings: dict[str, float] = {"prepare": prep}
    expl: list[ColumnarExplanation] = []
    for e, ch in zip(jobs, chunks, strict=True):
        has = ch.new_group >= 0
        new_group[ch.idx[has]] = ch.new_group[has] + offset
        seat[ch.idx] = ch.seat
        k = len(ch.ng_slot)
        parts["e"].append(np.full(k, e, dtype=np.int32))
        parts["l"].append(ch.ng_language)
        parts["s"].append(ch.ng_slot)
        parts["v"].append(ch.ng_venue)
        parts["r"].append(ch.ng_rules)
        offset += k
        bound += ch.bound
        expl.extend(ch.explanations)
        for name, sec in ch.timings.items():
            timings[name] = timings.get(name, 0.0) + sec
    # unmatched seats holders of chunks are already global; sum cpu seconds per phase
    timings = {f"cpu_{k}" if k not in ("prepare", "milp_timeouts") else k: v for k, v in timings.items()}
    timings["merge"] = time.perf_counter() - t1
    timings["wall_solve"] = t1 - t0 - prep

    def cat(name: str, dt: type) -> NDArray[Any]:
        return np.concatenate(parts[name]).astype(dt) if parts[name] else np.zeros(0, dtype=dt)

    sol = Solution(
        new_group,
        seat,
        cat("e", np.int32),
        cat("l", np.int16),
        cat("s", np.int16),
        cat("v", np.int32),
        cat("r", np.uint32),
        upper_bound=bound,
        stats=timings,
    )
    expl.sort(key=lambda x: x.person)
    return sol, expl
