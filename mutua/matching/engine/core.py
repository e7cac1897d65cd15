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
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching
from scipy.spatial import cKDTree

from .geo import chord_for_km, haversine_km, unit_vectors
from .improve import LazyLists, RepSearch, iterated_local_search
from .model import HOURS_PER_WEEK, GroupTable, Population, Problem, Solution

LANG_BITS = 64
I64 = np.int64

# Explanation reason codes in the columnar layer (see model.Reason).
R_TOO_FEW, R_NO_COMMON, R_TAKEN = 0, 1, 2


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
    search_max_people: int = 20_000  # restarts/ILS/MILP only for problems up to this size
    milp_max_pairs: int = 12_000  # 0 disables the exact polish of small chunks
    milp_time_limit: float = 20.0  # safety net only; node_limit keeps runs deterministic
    milp_node_limit: int = 2_000
    improve: bool = True
    ils_iterations: int = 400
    ils_budget: int = 2_000_000  # live pairs x iterations per chunk
    suggestions: int = 3


@dataclass(slots=True)
class ColumnarExplanation:
    """Explanation of one unplaced person with codes instead of names."""

    person: int
    reason: int
    language: int = -1
    peers: int = 0
    more_needed: int = 0
    slots: list[tuple[int, int, int, int, bool]] = field(default_factory=list)  # slot,lang,venue,n,ok
    distances: list[tuple[int, float, int, int, int, bool]] = field(default_factory=list)
    possible_slot: int = -1
    possible_venue: int = -1


@dataclass(slots=True)
class _Chunk:
    idx: NDArray[np.int64]
    new_group: NDArray[np.int32]
    seat: NDArray[np.int32]
    ng_language: NDArray[np.int16]
    ng_slot: NDArray[np.int16]
    ng_venue: NDArray[np.int32]
    ng_rules: NDArray[np.uint32]
    bound: int
    explanations: list[ColumnarExplanation]
    timings: dict[str, float]


# --------------------------------------------------------------------------- small helpers
def _cumsum0(a: NDArray[Any]) -> NDArray[np.int64]:
    out = np.zeros(len(a) + 1, dtype=I64)
    np.cumsum(a, out=out[1:])
    return out


def _cross(
    cnt_a: NDArray[np.int64], val_a: NDArray[np.int64], cnt_b: NDArray[np.int64], val_b: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per-row Cartesian product of two CSR lists (values pre-scaled, combined by ``+``)."""
    cnt = cnt_a * cnt_b
    m = len(cnt)
    start_a, start_b, start = _cumsum0(cnt_a), _cumsum0(cnt_b), _cumsum0(cnt)
    row = np.repeat(np.arange(m, dtype=I64), cnt)
    local = np.arange(int(start[-1]), dtype=I64) - start[row]
    cb = cnt_b[row]
    return cnt, val_a[start_a[row] + local // cb] + val_b[start_b[row] + local % cb]


def _rows_csr(mask: NDArray[np.bool_]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """CSR (counts, column indices) of a boolean matrix, row-major."""
    rows, cols = np.nonzero(mask)
    return np.bincount(rows, minlength=mask.shape[0]).astype(I64), cols.astype(I64)


def lang_matrix(languages: NDArray[np.uint64]) -> NDArray[np.bool_]:
    """(n, 64) boolean matrix of language bits."""
    b = np.unpackbits(
        np.ascontiguousarray(languages).view(np.uint8).reshape(-1, 8), axis=1, bitorder="little"
    )
    return b.astype(bool)


def avail_matrix(avail: NDArray[np.uint8]) -> NDArray[np.bool_]:
    """(n, 168) boolean matrix of UTC hours-of-week."""
    return np.unpackbits(avail, axis=1, bitorder="little").astype(bool)


def _seg_argmax(
    score: NDArray[np.int64], starts: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per segment (given by ``starts`` of non-empty segments) max value and its position."""
    best = np.maximum.reduceat(score, starts)
    seg = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(score))))
    hit = np.flatnonzero(score == best[seg])
    # first hit of each segment
    first = np.full(len(starts), -1, dtype=I64)
    first[seg[hit][::-1]] = hit[::-1]
    return best, first


# --------------------------------------------------------------------------- the per-experience solver
@dataclass(slots=True)
class _Ctx:
    problem: Problem
    opts: Options
    tree: cKDTree | None
    by_exp: dict[int, NDArray[np.int64]]
    groups_by_exp: dict[int, NDArray[np.int64]]


_CTX: _Ctx | None = None
_MILP_LOG: list[tuple[int, int, int]] = []  # (variables, nodes, status) of polish runs, for the bench


def _venue_pairs(
    pop: Population, ctx: _Ctx, can_meet: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
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


def _seat_eligibility(
    pop: Population, groups: GroupTable, rows: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(row, group) pairs: person ``rows[i]`` may take a seat of group ``j`` of ``groups``."""
    if len(rows) == 0 or len(groups) == 0:
        z = np.zeros(0, dtype=I64)
        return z, z
    out_r, out_g = [], []
    block = max(1, 2_000_000 // max(1, len(rows)))
    lang = pop.languages[rows][:, None]
    av = pop.availability[rows]
    mode = pop.mode[rows][:, None]
    attrs, req = pop.attributes[rows][:, None], pop.requires[rows][:, None]
    for g0 in range(0, len(groups), block):
        gs = slice(g0, g0 + block)
        glang = groups.language[gs].astype(np.uint64)
        ok = ((lang >> glang[None, :]) & np.uint64(1)).astype(bool)
        slot = groups.slot[gs].astype(I64)
        ok &= ((av[:, slot // 8] >> (slot % 8).astype(np.uint8)[None, :]) & 1).astype(bool)
        gmode = groups.mode[gs][None, :]
        ok &= np.where(gmode == 0, mode != 1, mode != 0)
        tags = groups.tags[gs][None, :]
        ok &= ((tags & ~attrs) == 0) & ((req & ~tags) == 0)
        inp = np.flatnonzero(groups.mode[gs] == 1)
        if len(inp):
            sub = ok[:, inp]
            r, c = np.nonzero(sub)
            if len(r):
                gi = g0 + inp[c]
                d = haversine_km(pop.lat[rows[r]], pop.lon[rows[r]], groups.lat[gi], groups.lon[gi])
                sub[r, c] = d <= pop.max_km[rows[r]]
                ok[:, inp] = sub
        r, c = np.nonzero(ok)
        out_r.append(r.astype(I64))
        out_g.append((c + g0).astype(I64))
    return np.concatenate(out_r), np.concatenate(out_g)


def _max_seat_matching(
    n_rows: int, er: NDArray[np.int64], eg: NDArray[np.int64], seats: NDArray[np.int32]
) -> NDArray[np.int64]:
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
    s_slot = LANG_BITS
    s_prof = s_slot * HOURS_PER_WEEK
    s_place = s_prof * n_prof
    c1, v1 = _cross(place_cnt, place_v * s_place, prof_cnt, prof_val * s_prof)
    c2, v2 = _cross(c1, v1, lang_cnt, lang_val)
    cnt, key = _cross(c2, v2, slot_cnt, slot_val * s_slot)
    pp = np.repeat(np.arange(m, dtype=I64), cnt)
    del v1, v2
    keys_u, pt = np.unique(key, return_inverse=True)
    pt = pt.astype(I64)
    del key
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
        got = _milp_polish(
            pop, groups, pp[live_pair], pt[live_pair], m, kmin, opts.milp_time_limit, opts.milp_node_limit
        )
        if got is not None and got[2] > placed_now:
            assigned = got[0]
            seat = np.full(m, -1, dtype=np.int32)
            has_seat = got[1] >= 0
            seat[has_seat] = gidx[got[1][has_seat]]
    timings["milp"] = time.perf_counter() - t1

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
    ng_lang = (tk % LANG_BITS).astype(np.int16)
    ng_slot = ((tk // s_slot) % HOURS_PER_WEEK).astype(np.int16)
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
            expl = _explain(
                ctx,
                pop,
                idx,
                unplaced,
                lang_cnt,
                lang_val,
                amat,
                place_cnt,
                place_v,
                prof_cnt,
                prof_val,
                keys_u,
                cnt_all,
                pp,
                pt,
                live_pair,
                seat_eligible,
                rows,
                er,
                eg,
                groups,
                (s_slot, s_prof, s_place, n_prof),
            )
    timings["explain"] = time.perf_counter() - t1
    return _Chunk(idx, new_group, seat, ng_lang, ng_slot, ng_venue, ng_rules, bound, expl, timings)


def _milp_polish(
    pop: Population,
    groups: GroupTable,
    lp: NDArray[np.int64],
    lt: NDArray[np.int64],
    m: int,
    kmin: int,
    time_limit: float,
    node_limit: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64], int] | None:
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
    match: NDArray[np.int64], er: NDArray[np.int64], eg: NDArray[np.int64], waited: NDArray[np.float32]
) -> NDArray[np.int64]:
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
    rep_of0: NDArray[np.int64],
    open_: NDArray[np.bool_],
    pp: NDArray[np.int64],
    pt: NDArray[np.int64],
    live_pair: NDArray[np.bool_],
    cnt_all: NDArray[np.int64],
    nt: int,
    kmin: int,
    tb: NDArray[np.int64],
    waited: NDArray[np.float32],
    opts: Options,
    rng: np.random.Generator,
    total_people: int,
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Improve the greedy with :class:`RepSearch`; returns representatives and open types."""
    m = len(rep_of0)
    lp, lt = pp[live_pair], pt[live_pair]
    if not len(lp):
        return rep_of0, open_
    o = np.argsort(lt, kind="stable")
    tp = LazyLists(lp[o], _cumsum0(np.bincount(lt, minlength=nt)))
    wn = waited.astype(np.float64)
    wn = (wn - wn.min()) / (np.ptp(wn) or 1.0)
    weight = (1.0 + 1e-6 * wn).tolist()

    def covered(op: NDArray[np.bool_]) -> NDArray[np.int64]:
        return np.bincount(lp[op[lt]], minlength=m)

    rs = RepSearch(tp, m, kmin, weight)
    rs.set_state(open_.tolist(), rep_of0.tolist(), covered(open_).tolist())
    cand = np.unique(lt[(np.asarray(rs.cover)[lp] == 0) & ~open_[lt]])
    cand = cand[np.argsort(tb[cand])].tolist()
    rs.greedy(cand)
    rs.swaps(cand)
    best = rs
    best_w = rs.placed_weight()
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
    return np.asarray(best.rep_of, dtype=I64), np.asarray(best.open, dtype=bool)


def _assign_floaters(
    rep_of: NDArray[np.int64],
    open_: NDArray[np.bool_],
    pp: NDArray[np.int64],
    pt: NDArray[np.int64],
    live_pair: NDArray[np.bool_],
    tb: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Representatives stay; everyone else eligible for an open type joins one of them."""
    out = rep_of.copy()
    sel = live_pair & open_[pt]
    sel[sel] = out[pp[sel]] < 0
    if sel.any():
        fp, ft = pp[sel], pt[sel]
        o3 = np.lexsort((tb[ft], fp))
        fp, ft = fp[o3], ft[o3]
        firsts = np.r_[True, fp[1:] != fp[:-1]]
        out[fp[firsts]] = ft[firsts]
    return out


def _rep_greedy(
    pp: NDArray[np.int64],
    pt: NDArray[np.int64],
    live_pair: NDArray[np.bool_],
    m: int,
    nt: int,
    kmin: int,
    tb: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
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
    while len(cp):
        unc = ~cover[cp]
        f = np.bincount(ct, minlength=nt)
        g = np.bincount(ct[unc], minlength=nt)
        keep = (f[ct] >= kmin) & (g[ct] > 0)
        cp, ct, unc = cp[keep], ct[keep], unc[keep]
        if not len(cp):
            break
        prio = g[ct] * nt + tb[ct]
        vp, vs = cp[unc], prio[unc]
        starts = np.flatnonzero(np.r_[True, vp[1:] != vp[:-1]])
        voted = inv_tb[np.maximum.reduceat(vs, starts) % nt]
        chosen = np.zeros(nt, dtype=bool)
        chosen[voted] = True
        sel = chosen[ct]
        rp, rt, rprio = cp[sel], ct[sel], prio[sel]
        # each candidate person goes to the highest-priority chosen type that wants them
        st = np.flatnonzero(np.r_[True, rp[1:] != rp[:-1]])
        top = np.maximum.reduceat(rprio, st)
        seg = np.repeat(np.arange(len(st)), np.diff(np.r_[st, len(rp)]))
        mine = rprio == top[seg]
        rp, rt = rp[mine], rt[mine]
        # per type: least flexible candidates first, take kmin
        o = np.lexsort((rp, deg[rp], rt))
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
    return rep_of, open_


def _repair(
    assigned: NDArray[np.int64],
    open_: NDArray[np.bool_],
    pp: NDArray[np.int64],
    pt: NDArray[np.int64],
    live_pair: NDArray[np.bool_],
    nt: int,
    kmin: int,
    tb: NDArray[np.int64],
    rounds: int,
) -> None:
    """Open closed types by moving people out of open types that keep at least ``kmin``.

    Only the few people left by the greedy are involved, so plain Python loops are fine.
    """
    for _ in range(rounds):
        un = assigned[pp] < 0
        cand_pairs = live_pair & un & ~open_[pt]
        if not cand_pairs.any():
            return
        u_t = np.bincount(pt[cand_pairs], minlength=nt)
        cand_types = np.flatnonzero(u_t > 0)
        cand_types = cand_types[np.lexsort((tb[cand_types], -u_t[cand_types]))]
        sel = live_pair & np.isin(pt, cand_types)
        sp, st = pp[sel], pt[sel]
        o = np.argsort(st, kind="stable")
        sp, st = sp[o], st[o]
        bounds = np.searchsorted(st, cand_types), np.searchsorted(st, cand_types, side="right")
        size = np.bincount(assigned[assigned >= 0], minlength=nt)
        changed = False
        for t, lo, hi in zip(cand_types.tolist(), bounds[0].tolist(), bounds[1].tolist(), strict=True):
            if open_[t]:
                continue
            people = sp[lo:hi]
            cur = assigned[people]
            free = people[cur < 0]
            if len(free) == 0:
                continue
            need = kmin - len(free)
            moves: list[int] = []
            if need > 0:
                taken: dict[int, int] = {}
                donors = people[cur >= 0]
                dsurplus = size[assigned[donors]] - kmin
                for p in donors[np.argsort(-dsurplus, kind="stable")].tolist():
                    s = int(assigned[p])
                    if size[s] - taken.get(s, 0) > kmin:
                        taken[s] = taken.get(s, 0) + 1
                        moves.append(p)
                        if len(moves) == need:
                            break
                if len(moves) < need:
                    continue
                for s, k in taken.items():
                    size[s] -= k
            assigned[free] = t
            assigned[np.asarray(moves, dtype=I64)] = t
            size[t] = len(free) + len(moves)
            open_[t] = True
            changed = True
        # people now eligible for a newly opened type join it
        un = assigned[pp] < 0
        j = un & open_[pt]
        if j.any():
            assigned[pp[j]] = pt[j]
        if not changed:
            return


def _explain(
    ctx: _Ctx,
    pop: Population,
    idx: NDArray[np.int64],
    unplaced: NDArray[np.int64],
    lang_cnt: NDArray[np.int64],
    lang_val: NDArray[np.int64],
    amat: NDArray[np.bool_],
    place_cnt: NDArray[np.int64],
    place_v: NDArray[np.int64],
    prof_cnt: NDArray[np.int64],
    prof_val: NDArray[np.int64],
    keys_u: NDArray[np.int64],
    cnt_all: NDArray[np.int64],
    pp: NDArray[np.int64],
    pt: NDArray[np.int64],
    live_pair: NDArray[np.bool_],
    seat_eligible: NDArray[np.bool_],
    seat_rows: NDArray[np.int64],
    er: NDArray[np.int64],
    eg: NDArray[np.int64],
    groups: GroupTable,
    scales: tuple[int, int, int, int],
) -> list[ColumnarExplanation]:
    """Structured reasons for the unplaced people of one experience (vectorised per reason)."""
    prob, opts = ctx.problem, ctx.opts
    kmin = prob.min_size
    s_slot, s_prof, s_place, n_prof = scales
    m = len(pop)
    peers_per_lang = np.bincount(lang_val, minlength=LANG_BITS)
    lstart = _cumsum0(lang_cnt)
    out: list[ColumnarExplanation] = []
    # best language per person = the one most people share
    best_lang = np.full(m, -1, dtype=I64)
    best_peers = np.zeros(m, dtype=I64)
    lp = np.repeat(np.arange(m), lang_cnt)
    sc = peers_per_lang[lang_val] * LANG_BITS + (LANG_BITS - 1 - lang_val)
    if len(sc):
        starts = lstart[:-1][lang_cnt > 0]
        best, _ = _seg_argmax(sc, starts)
        rows_with = lp[starts]
        best_lang[rows_with] = LANG_BITS - 1 - best % LANG_BITS
        best_peers[rows_with] = best // LANG_BITS
    # best live type per person (for "taken")
    live_best = np.full(m, -1, dtype=I64)
    lpairs = np.flatnonzero(live_pair)
    if len(lpairs):
        o = lpairs[np.lexsort((-cnt_all[pt[lpairs]], pp[lpairs]))]
        first = np.r_[True, pp[o][1:] != pp[o][:-1]]
        live_best[pp[o][first]] = pt[o][first]
    seat_of_row: dict[int, int] = {}
    for r, g in zip(er.tolist(), eg.tolist(), strict=True):
        seat_of_row.setdefault(int(seat_rows[r]), g)

    no_common: list[int] = []
    for i in unplaced.tolist():
        gi = int(idx[i])
        if best_peers[i] < kmin:
            out.append(
                ColumnarExplanation(
                    gi, R_TOO_FEW, int(best_lang[i]), int(best_peers[i]), kmin - int(best_peers[i])
                )
            )
        elif live_best[i] >= 0:
            k = int(keys_u[live_best[i]])
            out.append(
                ColumnarExplanation(
                    gi,
                    R_TAKEN,
                    k % LANG_BITS,
                    int(cnt_all[live_best[i]]),
                    0,
                    possible_slot=(k // s_slot) % HOURS_PER_WEEK,
                    possible_venue=k // s_place - 1,
                )
            )
        elif seat_eligible[i]:
            g = seat_of_row[i]
            out.append(
                ColumnarExplanation(
                    gi,
                    R_TAKEN,
                    int(groups.language[g]),
                    int(groups.free_seats[g]),
                    0,
                    possible_slot=int(groups.slot[g]),
                    possible_venue=-1,
                )
            )
        else:
            out.append(ColumnarExplanation(gi, R_NO_COMMON, int(best_lang[i]), int(best_peers[i]), 0))
            no_common.append(len(out) - 1)
    if not no_common:
        return out
    rows = np.asarray([out[j].person for j in no_common])
    local = np.searchsorted(idx, rows) if np.all(np.diff(idx) > 0) else _local_index(idx, rows)
    _suggest_slots(
        out,
        no_common,
        local,
        lang_cnt,
        lang_val,
        amat,
        place_cnt,
        place_v,
        prof_cnt,
        prof_val,
        keys_u,
        cnt_all,
        scales,
        kmin,
        opts.suggestions,
    )
    _suggest_distances(
        ctx,
        pop,
        out,
        no_common,
        local,
        lang_cnt,
        lang_val,
        amat,
        prof_cnt,
        prof_val,
        keys_u,
        cnt_all,
        scales,
        kmin,
        opts.suggestions,
    )
    return out


def _local_index(idx: NDArray[np.int64], rows: NDArray[np.int64]) -> NDArray[np.int64]:
    o = np.argsort(idx)
    return o[np.searchsorted(idx[o], rows)]


def _sub_csr(
    cnt: NDArray[np.int64], val: NDArray[np.int64], rows: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    start = _cumsum0(cnt)
    c = cnt[rows]
    r = np.repeat(rows, c)
    local = np.arange(int(c.sum())) - np.repeat(_cumsum0(c)[:-1], c)
    return c, val[start[r] + local]


def _lookup(
    keys_u: NDArray[np.int64], cnt_all: NDArray[np.int64], keys: NDArray[np.int64]
) -> NDArray[np.int64]:
    pos = np.clip(np.searchsorted(keys_u, keys), 0, max(0, len(keys_u) - 1))
    if not len(keys_u):
        return np.zeros(len(keys), dtype=I64)
    return np.where(keys_u[pos] == keys, cnt_all[pos], 0)


def _top_per_row(row: NDArray[np.int64], score: NDArray[np.float64], k: int) -> NDArray[np.int64]:
    """Indices of the best ``k`` entries per row (score descending), row-ordered."""
    o = np.lexsort((-score, row))
    r = row[o]
    start = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
    rank = np.arange(len(r)) - np.repeat(start, np.diff(np.append(start, len(r))))
    return o[rank < k]


def _suggest_slots(
    out: list[ColumnarExplanation],
    which: list[int],
    local: NDArray[np.int64],
    lang_cnt: NDArray[np.int64],
    lang_val: NDArray[np.int64],
    amat: NDArray[np.bool_],
    place_cnt: NDArray[np.int64],
    place_v: NDArray[np.int64],
    prof_cnt: NDArray[np.int64],
    prof_val: NDArray[np.int64],
    keys_u: NDArray[np.int64],
    cnt_all: NDArray[np.int64],
    scales: tuple[int, int, int, int],
    kmin: int,
    k: int,
) -> None:
    """Which extra hour would gather most peers (same language, place and rules)."""
    s_slot, s_prof, s_place, _ = scales
    pc, pv = _sub_csr(place_cnt, place_v * s_place, local)
    rc, rv = _sub_csr(prof_cnt, prof_val * s_prof, local)
    lc, lv = _sub_csr(lang_cnt, lang_val, local)
    c, v = _cross(pc, pv, rc, rv)
    c, v = _cross(c, v, lc, lv)
    free = ~amat[local]
    sc, sv = _rows_csr(free)
    c, v = _cross(c, v, sc, sv * s_slot)
    row = np.repeat(np.arange(len(local)), c)
    n = _lookup(keys_u, cnt_all, v) + 1
    good = n > 1
    row, v, n = row[good], v[good], n[good]
    if not len(row):
        return
    # prefer completing a group, then more people; one suggestion per slot
    slot = (v // s_slot) % HOURS_PER_WEEK
    o = np.lexsort((-n, slot, row))
    first = np.r_[True, (row[o][1:] != row[o][:-1]) | (slot[o][1:] != slot[o][:-1])]
    o = o[first]
    top = o[_top_per_row(row[o], n[o].astype(np.float64), k)]
    for j in top.tolist():
        key = int(v[j])
        e = out[which[int(row[j])]]
        e.slots.append(
            (
                key // s_slot % HOURS_PER_WEEK,
                key % LANG_BITS,
                key // s_place - 1,
                int(n[j]),
                bool(n[j] >= kmin),
            )
        )


def _suggest_distances(
    ctx: _Ctx,
    pop: Population,
    out: list[ColumnarExplanation],
    which: list[int],
    local: NDArray[np.int64],
    lang_cnt: NDArray[np.int64],
    lang_val: NDArray[np.int64],
    amat: NDArray[np.bool_],
    prof_cnt: NDArray[np.int64],
    prof_val: NDArray[np.int64],
    keys_u: NDArray[np.int64],
    cnt_all: NDArray[np.int64],
    scales: tuple[int, int, int, int],
    kmin: int,
    k: int,
) -> None:
    """Which farther venue (among the nearest few) would gather most peers."""
    s_slot, s_prof, s_place, _ = scales
    prob = ctx.problem
    if ctx.tree is None:
        return
    ok = (pop.mode[local] != 0) & np.isfinite(pop.lat[local])
    sel = local[ok]
    wrow = np.flatnonzero(ok)
    if not len(sel):
        return
    kk = min(ctx.opts.max_venues, len(prob.venue_lat))
    _, vid = ctx.tree.query(unit_vectors(pop.lat[sel], pop.lon[sel]), k=kk)
    vid = np.asarray(vid).reshape(len(sel), kk)
    d = haversine_km(pop.lat[sel][:, None], pop.lon[sel][:, None], prob.venue_lat[vid], prob.venue_lon[vid])
    far = d > pop.max_km[sel][:, None]
    vc, vv = _rows_csr(far)
    vval = vid[far].astype(I64)
    rc, rv = _sub_csr(prof_cnt, prof_val * s_prof, sel)
    lc, lv = _sub_csr(lang_cnt, lang_val, sel)
    c, v = _cross(vc, (vval + 1) * s_place, rc, rv)
    c, v = _cross(c, v, lc, lv)
    sc, sv = _rows_csr(amat[sel])
    c, v = _cross(c, v, sc, sv * s_slot)
    row = np.repeat(np.arange(len(sel)), c)
    n = _lookup(keys_u, cnt_all, v) + 1
    good = n > 1
    row, v, n = row[good], v[good], n[good]
    if not len(row):
        return
    venue = v // s_place - 1
    extra = (
        haversine_km(pop.lat[sel[row]], pop.lon[sel[row]], prob.venue_lat[venue], prob.venue_lon[venue])
        - (pop.max_km[sel[row]])
    )
    o = np.lexsort((extra, -n, venue, row))
    first = np.r_[True, (row[o][1:] != row[o][:-1]) | (venue[o][1:] != venue[o][:-1])]
    o = o[first]
    score = (n[o] >= kmin) * 1e6 - extra[o]
    top = o[_top_per_row(row[o], score, k)]
    for j in top.tolist():
        key = int(v[j])
        e = out[which[int(wrow[row[j]])]]
        e.distances.append(
            (
                int(venue[j]),
                round(float(extra[j]), 3),
                key % LANG_BITS,
                key // s_slot % HOURS_PER_WEEK,
                int(n[j]),
                bool(n[j] >= kmin),
            )
        )


# --------------------------------------------------------------------------- driver
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
    timings = {f"cpu_{k}" if k != "prepare" else k: v for k, v in timings.items()}
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
