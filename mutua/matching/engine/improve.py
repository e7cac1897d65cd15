"""Open types one by one, keeping a proof that every open type can still get ``min_size`` people.

Why this works: open types have no upper bound, so a set ``O`` of open types places *everyone*
eligible for some type of ``O`` as soon as each type of ``O`` can be given ``min_size``
distinct *representatives*.  The representatives are a b-matching (people -> types, each type
``min_size``), maintained with augmenting paths (Kuhn's algorithm): adding a type may re-route
representatives of other types through chains of substitutions, which a plain greedy with
"stealing from surplus" cannot find.  Everyone else is a *floater* that joins any of their
open types.

The search is a lazy greedy by marginal coverage (newly placed people), followed by a swap
neighbourhood (close one open type, open a better one), and randomised restarts for small
components.  It works on Python lists because it only runs on the residual left by the
vectorised greedy (large N) or on small components.
"""

from __future__ import annotations

import heapq
import random
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Only for annotations: this module itself works on plain Python lists.
    from numpy.typing import NDArray


class LazyLists:
    """``lists[t]`` = ``values[starts[t]:starts[t+1]]`` as a Python list, converted on first use."""

    def __init__(self, values: NDArray[Any], starts: NDArray[Any]) -> None:
        self.values = values
        self.starts = starts
        self.cache: dict[int, list[int]] = {}

    def __getitem__(self, t: int) -> list[int]:
        got = self.cache.get(t)
        if got is None:
            got = self.values[self.starts[t] : self.starts[t + 1]].tolist()
            self.cache[t] = got
        return got

    def __len__(self) -> int:
        return len(self.starts) - 1


class RepSearch:
    """State: open types, representatives, coverage counts."""

    def __init__(
        self,
        type_people: Sequence[Sequence[int]] | LazyLists,
        n_people: int,
        kmin: int,
        weight: Sequence[float] | None = None,
        max_depth: int = 50,
    ) -> None:
        self.tp = type_people
        self.k = kmin
        self.rep_of = [-1] * n_people
        self.open = [False] * len(type_people)
        self.cover = [0] * n_people
        self.w = weight if weight is not None else [1.0] * n_people
        self.max_depth = max_depth
        self.placed = 0.0
        self.journal: list[tuple[int, int, int]] | None = None
        self._visited: set[int] = set()

    # ------------------------------------------------------------------ primitives
    def gain(self, t: int) -> float:
        """Weight of people that opening ``t`` would newly place."""
        c, w = self.cover, self.w
        return sum(w[p] for p in self.tp[t] if c[p] == 0)

    def _augment(self, t: int, depth: int, log: list[tuple[int, int]]) -> bool:
        """Find one more representative for ``t`` (re-routing others); records changes in log."""
        tp, rep_of, vis = self.tp[t], self.rep_of, self._visited
        for p in tp:  # direct: a free person
            if rep_of[p] < 0 and p not in vis:
                vis.add(p)
                log.append((p, -1))
                rep_of[p] = t
                return True
        if depth >= self.max_depth:
            return False
        for p in tp:
            if p in vis:
                continue
            vis.add(p)
            t2 = rep_of[p]
            if t2 == t:
                continue
            if self._augment(t2, depth + 1, log):
                log.append((p, t2))
                rep_of[p] = t
                return True
        return False

    def try_open(self, t: int) -> bool:
        """Open ``t`` if ``kmin`` representatives can be found; otherwise leave state unchanged."""
        if self.open[t] or len(self.tp[t]) < self.k:
            return False
        log: list[tuple[int, int]] = []
        self._visited = set()
        for _ in range(self.k):
            if not self._augment(t, 0, log):
                for p, old in reversed(log):
                    self.rep_of[p] = old
                return False
        if self.journal is not None:
            self.journal.extend((0, p, old) for p, old in log)
            self.journal.append((1, t, 0))
            self.journal.append((2, t, 0))
        self.open[t] = True
        c, w = self.cover, self.w
        for p in self.tp[t]:
            if c[p] == 0:
                self.placed += w[p]
            c[p] += 1
        return True

    def close(self, t: int) -> None:
        j = self.journal
        if j is not None:
            j.append((1, t, 1))
            j.append((3, t, 0))
        self.open[t] = False
        c, w, rep_of = self.cover, self.w, self.rep_of
        for p in self.tp[t]:
            c[p] -= 1
            if c[p] == 0:
                self.placed -= w[p]
            if rep_of[p] == t:
                if j is not None:
                    j.append((0, p, t))
                rep_of[p] = -1

    def undo(self) -> None:
        """Revert every change recorded in the journal (newest first) and stop journaling."""
        j, self.journal = self.journal or [], None
        c, w = self.cover, self.w
        for kind, a, b in reversed(j):
            if kind == 0:
                self.rep_of[a] = b
            elif kind == 1:
                self.open[a] = bool(b)
            elif kind == 2:  # undo a cover increment
                for p in self.tp[a]:
                    c[p] -= 1
                    if c[p] == 0:
                        self.placed -= w[p]
            else:  # undo a cover decrement
                for p in self.tp[a]:
                    if c[p] == 0:
                        self.placed += w[p]
                    c[p] += 1

    def loss(self, t: int) -> float:
        """Weight of people only ``t`` places."""
        c, w = self.cover, self.w
        return sum(w[p] for p in self.tp[t] if c[p] == 1)

    def placed_weight(self) -> float:
        return self.placed

    def set_state(self, open_: list[bool], rep_of: list[int], cover: list[int]) -> None:
        """Load a state (e.g. from the vectorised greedy) and recompute the placed weight."""
        self.open, self.rep_of, self.cover = open_, rep_of, cover
        self.placed = sum(w for w, c in zip(self.w, cover, strict=True) if c > 0)

    # ------------------------------------------------------------------ search
    def greedy(self, candidates: Sequence[int], rng: random.Random | None = None) -> None:
        """Lazy greedy: open the candidate with the largest marginal gain that is feasible."""
        heap = []
        for t in candidates:
            if not self.open[t]:
                g = self.gain(t)
                if g > 0:
                    heap.append((-g, rng.random() if rng else float(t), t))
        heapq.heapify(heap)
        while heap:
            neg, r, t = heapq.heappop(heap)
            g = self.gain(t)
            if g <= 0:
                continue
            if heap and g < -heap[0][0]:
                heapq.heappush(heap, (-g, r, t))
                continue
            self.try_open(t)

    def swaps(self, candidates: Sequence[int], rounds: int = 2) -> bool:
        """Close one open type that blocks a closed candidate when that is a net gain."""
        improved = False
        for _ in range(rounds):
            changed = False
            for t in candidates:
                if self.open[t]:
                    continue
                g = self.gain(t)
                if g <= 0:
                    continue
                blockers = {self.rep_of[p] for p in self.tp[t] if self.rep_of[p] >= 0}
                for lo, b in sorted((self.loss(b), b) for b in blockers):
                    if lo >= g:
                        break
                    before = self.placed_weight()
                    self.close(b)
                    if self.try_open(t):
                        self.try_open(b)  # maybe both fit after re-routing
                        if self.placed_weight() > before + 1e-9:
                            changed = improved = True
                            break
                        self.close(t)
                    if not self.open[b]:
                        self.try_open(b)  # restores the previous state (same open set was feasible)
            if not changed:
                break
        return improved


sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))


def iterated_local_search(
    rs: RepSearch,
    person_types: LazyLists,
    live_types: Sequence[int],
    iterations: int,
    rng: random.Random,
) -> RepSearch:
    """Perturb (close a few neighbouring open types), re-optimise, keep if not worse.

    Accepting equal-weight moves lets the search drift across plateaus, which is where the
    greedy's local optima sit on small instances.
    """
    best_w = rs.placed_weight()
    best = (rs.open[:], rs.rep_of[:], rs.cover[:], best_w)
    for _ in range(iterations):
        opened = [t for t in live_types if rs.open[t]]
        if not opened:
            break
        t0 = rng.choice(opened)
        # close t0 and up to two open types sharing people with it
        near = {t for p in rs.tp[t0] for t in person_types[p] if rs.open[t] and t != t0}
        victims = [t0, *rng.sample(sorted(near), min(len(near), rng.randint(0, 2)))]
        freed: set[int] = set()
        for t in victims:
            rs.close(t)
            freed.update(rs.tp[t])
        cands = sorted({t for p in freed for t in person_types[p] if not rs.open[t]})
        rng.shuffle(cands)
        rs.greedy(cands, rng)
        rs.swaps(cands, rounds=1)
        w = rs.placed_weight()
        if w >= best_w - 1e-12:
            best_w = w
            best = (rs.open[:], rs.rep_of[:], rs.cover[:], best_w)
        else:
            rs.open, rs.rep_of, rs.cover, rs.placed = best[0][:], best[1][:], best[2][:], best[3]
    rs.open, rs.rep_of, rs.cover, rs.placed = best
    return rs


def targeted_search(
    rs: RepSearch,
    person_types: LazyLists,
    unplaced: Sequence[int],
    iterations: int,
    rng: random.Random,
) -> RepSearch:
    """Local search around unplaced people, with an undo journal (no state copies).

    Each step picks an unplaced person, one of their closed types and closes one or two open
    types that hold its representatives, opens the type, re-opens what it can around the freed
    people, and keeps the result only if the placed weight did not drop.  Cost per step is
    local, so it scales to large experiences.
    """
    pool = list(unplaced)
    if not pool:
        return rs
    for _ in range(iterations):
        u = pool[rng.randrange(len(pool))]
        if rs.cover[u] > 0:
            continue
        closed = [t for t in person_types[u] if not rs.open[t]]
        if not closed:
            continue
        t = rng.choice(closed)
        blockers = sorted({rs.rep_of[p] for p in rs.tp[t] if rs.rep_of[p] >= 0})
        if not blockers:
            continue
        victims = rng.sample(blockers, min(len(blockers), rng.randint(1, 2)))
        before = rs.placed
        rs.journal = []
        freed: set[int] = set()
        for b in victims:
            rs.close(b)
            freed.update(rs.tp[b])
        rs.try_open(t)
        cands = sorted({x for p in freed if rs.cover[p] == 0 for x in person_types[p] if not rs.open[x]})
        rs.greedy(cands, rng)
        if rs.placed >= before - 1e-12:
            rs.journal = None
        else:
            rs.undo()
    return rs
