"""Structured explanations for people who could not be placed (vectorised per experience).

Reasons, in order of precedence:

* ``TOO_FEW``: fewer than ``min_size`` people share the experience and any one language;
  ``more_needed`` says how many more would be enough.
* ``TAKEN``: a group (type with at least ``min_size`` eligible people) or a free seat was
  possible, but its people were needed elsewhere; the best such possibility is reported.
* ``NO_COMMON``: enough peers, but no common hour/place.  Suggestions: the hours which, added
  to one's availability, gather most peers with the same language, place and rules; and the
  nearest out-of-reach venues where peers meet at one of one's hours (with the extra km).

Suggestions are computed per *combo* (place, rules, language), not per person: everybody with
the same combo shares one row of hour counts, which keeps a million people affordable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from .arrays import _cross, _cumsum0, _seg_argmax
from .geo import haversine_km, unit_vectors
from .model import HOURS_PER_WEEK, GroupTable, Population, Problem

I64 = np.int64
LANG_BITS = 64
R_TOO_FEW, R_NO_COMMON, R_TAKEN = 0, 1, 2


@dataclass(slots=True)
class ColumnarExplanation:
    """Explanation of one unplaced person with codes instead of names (see model.Explanation)."""

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
class ExplainInput:
    """What the solver knows about one experience (local person indices)."""

    problem: Problem
    tree: cKDTree | None
    max_venues: int
    suggestions: int
    pop: Population
    idx: NDArray[Any]
    unplaced: NDArray[Any]
    lang_cnt: NDArray[Any]
    lang_val: NDArray[Any]
    amat: NDArray[Any]
    place_cnt: NDArray[Any]
    place_v: NDArray[Any]
    prof_cnt: NDArray[Any]
    prof_val: NDArray[Any]
    n_prof: int
    keys_u: NDArray[Any]
    cnt_all: NDArray[Any]
    pp: NDArray[Any]
    pt: NDArray[Any]
    live_pair: NDArray[Any]
    seat_person: NDArray[Any]
    seat_group: NDArray[Any]
    groups: GroupTable


def _sub_csr(cnt: NDArray[Any], val: NDArray[Any], rows: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    start = _cumsum0(cnt)
    c = cnt[rows]
    r = np.repeat(rows, c)
    local = np.arange(int(c.sum())) - np.repeat(_cumsum0(c)[:-1], c)
    return c, val[start[r] + local]


def _first_per(keys: list[NDArray[Any]]) -> NDArray[Any]:
    """Mask of the first row of each run of equal ``keys`` (arrays already sorted)."""
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, dtype=bool)
    diff = np.zeros(n, dtype=bool)
    diff[0] = True
    for k in keys:
        diff[1:] |= k[1:] != k[:-1]
    return diff


def _rank_within(group: NDArray[Any]) -> NDArray[Any]:
    """0, 1, 2, ... within runs of equal ``group`` (sorted)."""
    if not len(group):
        return np.zeros(0, dtype=I64)
    start = np.flatnonzero(_first_per([group]))
    return np.arange(len(group)) - np.repeat(start, np.diff(np.r_[start, len(group)]))


def explain_chunk(x: ExplainInput) -> list[ColumnarExplanation]:
    kmin = x.problem.min_size
    m = len(x.pop)
    s_lang = HOURS_PER_WEEK
    s_prof = s_lang * LANG_BITS
    s_place = s_prof * x.n_prof
    # ---- best language per person = the one most people of this experience share
    peers_per_lang = np.bincount(x.lang_val, minlength=LANG_BITS)
    best_lang = np.full(m, -1, dtype=I64)
    best_peers = np.zeros(m, dtype=I64)
    if len(x.lang_val):
        sc = peers_per_lang[x.lang_val] * LANG_BITS + (LANG_BITS - 1 - x.lang_val)
        starts = _cumsum0(x.lang_cnt)[:-1][x.lang_cnt > 0]
        best, _ = _seg_argmax(sc, starts)
        rows = np.repeat(np.arange(m), x.lang_cnt)[starts]
        best_lang[rows] = LANG_BITS - 1 - best % LANG_BITS
        best_peers[rows] = best // LANG_BITS
    # ---- best live type per person (largest count)
    live_best = np.full(m, -1, dtype=I64)
    is_unplaced = np.zeros(m, dtype=bool)
    is_unplaced[x.unplaced] = True
    lpairs = np.flatnonzero(x.live_pair & is_unplaced[x.pp])  # pairs are sorted by person
    if len(lpairs):
        lpp = x.pp[lpairs]
        nt = len(x.cnt_all)
        score = x.cnt_all[x.pt[lpairs]].astype(I64) * nt + (nt - 1 - x.pt[lpairs])
        starts = np.flatnonzero(_first_per([lpp]))
        best, _ = _seg_argmax(score, starts)
        live_best[lpp[starts]] = nt - 1 - best % nt
    seat_of = np.full(m, -1, dtype=I64)
    if len(x.seat_person):
        seat_of[x.seat_person[::-1]] = x.seat_group[::-1]
    u = x.unplaced
    reason = np.where(
        best_peers[u] < kmin,
        R_TOO_FEW,
        np.where((live_best[u] >= 0) | (seat_of[u] >= 0), R_TAKEN, R_NO_COMMON),
    )
    out: list[ColumnarExplanation] = []
    by_local: dict[int, ColumnarExplanation] = {}
    lb = live_best[u]
    keys = np.where(lb >= 0, x.keys_u[np.maximum(lb, 0)], -1) if len(x.keys_u) else np.full(len(u), -1)
    cnt_lb = (
        np.where(lb >= 0, x.cnt_all[np.maximum(lb, 0)], 0) if len(x.cnt_all) else np.zeros(len(u), dtype=I64)
    )
    for i, r, bl, bp, k, c, so in zip(
        u.tolist(),
        reason.tolist(),
        best_lang[u].tolist(),
        best_peers[u].tolist(),
        keys.tolist(),
        cnt_lb.tolist(),
        seat_of[u].tolist(),
        strict=True,
    ):
        gi = int(x.idx[i])
        if r == R_TOO_FEW:
            e = ColumnarExplanation(gi, r, bl, bp, kmin - bp)
        elif r == R_TAKEN and k >= 0:
            e = ColumnarExplanation(
                gi,
                r,
                (k // s_lang) % LANG_BITS,
                c,
                0,
                possible_slot=k % HOURS_PER_WEEK,
                possible_venue=k // s_place - 1,
            )
        elif r == R_TAKEN:
            g = x.groups
            e = ColumnarExplanation(
                gi,
                r,
                int(g.language[so]),
                int(g.free_seats[so]),
                0,
                possible_slot=int(g.slot[so]),
                possible_venue=-1,
            )
        else:
            e = ColumnarExplanation(gi, r, bl, bp, 0)
            by_local[i] = e
        out.append(e)
    nc = np.asarray(sorted(by_local), dtype=I64)
    if len(nc) and len(x.keys_u):
        combos, inv = np.unique(x.keys_u // HOURS_PER_WEEK, return_inverse=True)
        table = np.zeros((len(combos), HOURS_PER_WEEK), dtype=np.int32)
        table[inv, x.keys_u % HOURS_PER_WEEK] = x.cnt_all
        _suggest_slots(x, nc, by_local, combos, table, s_lang, s_prof, s_place, kmin)
        _suggest_distances(x, nc, by_local, combos, table, s_lang, s_prof, s_place, kmin)
    return out


def _combo_rows(combos: NDArray[Any], wanted: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    pos = np.clip(np.searchsorted(combos, wanted), 0, len(combos) - 1)
    return combos[pos] == wanted, pos


def _suggest_slots(
    x: ExplainInput,
    nc: NDArray[Any],
    by_local: dict[int, ColumnarExplanation],
    combos: NDArray[Any],
    table: NDArray[Any],
    s_lang: int,
    s_prof: int,
    s_place: int,
    kmin: int,
) -> None:
    """Hours that, added to one's week, would gather most peers (same language, place, rules)."""
    k = x.suggestions
    pc, pv = _sub_csr(x.place_cnt, x.place_v * (s_place // HOURS_PER_WEEK), nc)
    rc, rv = _sub_csr(x.prof_cnt, x.prof_val * (s_prof // HOURS_PER_WEEK), nc)
    lc, lv = _sub_csr(x.lang_cnt, x.lang_val * (s_lang // HOURS_PER_WEEK), nc)
    c, v = _cross(pc, pv, rc, rv)
    c, v = _cross(c, v, lc, lv)
    row = np.repeat(np.arange(len(nc)), c)
    ok, pos = _combo_rows(combos, v)
    row, v, pos = row[ok], v[ok], pos[ok]
    if not len(row):
        return
    top_n = min(HOURS_PER_WEEK, k + 24)
    need = np.unique(pos)
    top = np.argsort(-table[need], axis=1, kind="stable")[:, :top_n]
    cand_slot = top[np.searchsorted(need, pos)]  # (rows, top_n)
    cand_n = np.take_along_axis(table[pos], cand_slot, axis=1)
    mine = x.amat[nc[row]][np.arange(len(row))[:, None], cand_slot]
    good = (cand_n > 0) & ~mine
    rr, cc = np.nonzero(good)
    if not len(rr):
        return
    person = row[rr]
    slot = cand_slot[rr, cc].astype(I64)
    n = cand_n[rr, cc].astype(I64) + 1
    combo = v[rr]
    o = np.lexsort((combo, -n, slot, person))
    person, slot, n, combo = person[o], slot[o], n[o], combo[o]
    f = _first_per([person, slot])
    person, slot, n, combo = person[f], slot[f], n[f], combo[f]
    o = np.lexsort((slot, -n, person))
    person, slot, n, combo = person[o], slot[o], n[o], combo[o]
    keep = _rank_within(person) < k
    for p, s, cnt, cb in zip(
        person[keep].tolist(), slot[keep].tolist(), n[keep].tolist(), combo[keep].tolist(), strict=True
    ):
        key = cb * HOURS_PER_WEEK
        by_local[int(nc[p])].slots.append(
            (s, (key // s_lang) % LANG_BITS, key // s_place - 1, cnt, cnt >= kmin)
        )


def _suggest_distances(
    x: ExplainInput,
    nc: NDArray[Any],
    by_local: dict[int, ColumnarExplanation],
    combos: NDArray[Any],
    table: NDArray[Any],
    s_lang: int,
    s_prof: int,
    s_place: int,
    kmin: int,
) -> None:
    """Nearest out-of-reach venues where peers meet at one of one's own hours."""
    prob, pop = x.problem, x.pop
    if x.tree is None:
        return
    ok = (pop.mode[nc] != 0) & np.isfinite(pop.lat[nc]) & np.isfinite(pop.lon[nc])
    sel = nc[ok]
    if not len(sel):
        return
    kk = min(x.max_venues, len(prob.venue_lat))
    _, vid = x.tree.query(unit_vectors(pop.lat[sel], pop.lon[sel]), k=kk)
    vid = np.asarray(vid).reshape(len(sel), kk)
    d = haversine_km(pop.lat[sel][:, None], pop.lon[sel][:, None], prob.venue_lat[vid], prob.venue_lon[vid])
    extra = d - pop.max_km[sel][:, None]
    far = extra > 0
    rank = np.cumsum(far, axis=1)
    far &= rank <= x.suggestions  # the nearest few venues out of reach
    vc = far.sum(axis=1).astype(I64)
    vval = vid[far].astype(I64)
    vextra = extra[far]
    venue_idx = np.arange(len(vval))
    rc, rv = _sub_csr(x.prof_cnt, x.prof_val * (s_prof // HOURS_PER_WEEK), sel)
    lc, lv = _sub_csr(x.lang_cnt, x.lang_val * (s_lang // HOURS_PER_WEEK), sel)
    # rows: (venue entry) x profile x language
    c1, v1 = _cross(vc, (vval + 1) * (s_place // HOURS_PER_WEEK), rc, rv)
    _, e1 = _cross(vc, venue_idx, rc, np.zeros(len(rv), dtype=I64))
    c2, v2 = _cross(c1, v1, lc, lv)
    _, e2 = _cross(c1, e1, lc, np.zeros(len(lv), dtype=I64))
    row = np.repeat(np.arange(len(sel)), c2)
    okc, pos = _combo_rows(combos, v2)
    row, v2, e2, pos = row[okc], v2[okc], e2[okc], pos[okc]
    if not len(row):
        return
    counts = np.where(x.amat[sel[row]], table[pos], 0)
    slot = counts.argmax(axis=1).astype(I64)
    n = counts[np.arange(len(row)), slot].astype(I64) + 1
    good = n > 1
    row, v2, e2, slot, n = row[good], v2[good], e2[good], slot[good], n[good]
    ex = vextra[e2]
    venue = vval[e2]
    o = np.lexsort((-n, venue, row))
    row, v2, slot, n, ex, venue = row[o], v2[o], slot[o], n[o], ex[o], venue[o]
    f = _first_per([row, venue])
    row, v2, slot, n, ex, venue = row[f], v2[f], slot[f], n[f], ex[f], venue[f]
    o = np.lexsort((ex, (n < kmin).astype(I64), row))
    row, v2, slot, n, ex, venue = row[o], v2[o], slot[o], n[o], ex[o], venue[o]
    keep = _rank_within(row) < x.suggestions
    for r, cb, s, cnt, km, ven in zip(
        row[keep].tolist(),
        v2[keep].tolist(),
        slot[keep].tolist(),
        n[keep].tolist(),
        ex[keep].tolist(),
        venue[keep].tolist(),
        strict=True,
    ):
        key = cb * HOURS_PER_WEEK
        by_local[int(sel[r])].distances.append(
            (ven, round(km, 3), (key // s_lang) % LANG_BITS, s, cnt, cnt >= kmin)
        )
