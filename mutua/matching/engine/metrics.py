"""Cohesion of formed groups (used by the benchmark and available to the app).

A group's cohesion in [0, 1] is the mean of three shares: members with the group's most common
secondary experience, members in its most common age band, and ``1 - spread/12h`` of UTC offsets
(people far apart in time zones share less daily rhythm).  Unknown values count as not matching.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .model import Population, Solution


def _modal_share(group: NDArray[Any], value: NDArray[Any], n_groups: int) -> NDArray[Any]:
    size = np.bincount(group, minlength=n_groups).astype(np.float64)
    ok = value >= 0
    g, v = group[ok], value[ok]
    if not len(g):
        return np.zeros(n_groups)
    pair, cnt = np.unique(g * (int(v.max()) + 1) + v, return_counts=True)
    best = np.zeros(n_groups)
    np.maximum.at(best, pair // (int(v.max()) + 1), cnt)
    return best / np.maximum(size, 1)


def cohesion_scores(pop: Population, sol: Solution) -> NDArray[Any]:
    """Cohesion score of every new group (index = new group id)."""
    ng = len(sol.ng_slot)
    mem = np.flatnonzero(sol.new_group >= 0)
    if ng == 0:
        return np.zeros(0)
    g = sol.new_group[mem].astype(np.int64)
    sec = _modal_share(g, pop.secondary[mem].astype(np.int64), ng)
    age = _modal_share(g, pop.age_band[mem].astype(np.int64), ng)
    off = pop.utc_offset_min[mem].astype(np.float64)
    hi = np.full(ng, -np.inf)
    lo = np.full(ng, np.inf)
    np.maximum.at(hi, g, off)
    np.minimum.at(lo, g, off)
    tz = 1 - np.clip((hi - lo) / 720.0, 0, 1)
    scores: NDArray[Any] = (sec + age + tz) / 3
    return scores
