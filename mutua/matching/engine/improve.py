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


class RepSearch:
    """State: open types, representatives, coverage counts."""

    def __init__(self, type_people: Sequence[Sequence[int]], person_types: Sequence[Sequence[int]], kmin: int,
                 weight: Sequence[float] | None = None, max_depth: int = 50) -> None:
        self.tp = type_people
        self.pt = person_types
        self.k = kmin
        self.rep_of = [-1] * len(person_types)
        self.reps: list[list[int]] = [[] for _ in type_people]
        self.open = [False] * len(type_people)
        self.cover = [0] * len(person_types)
        self.w = weight if weight is not None else [1.0] * len(person_types)
        self.max_depth = max_depth
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
        self.open[t] = True
        for p in self.tp[t]:
            self.cover[p] += 1
        return True

    def close(self, t: int) -> None:
        self.open[t] = False
        for p in self.tp[t]:
            self.cover[p] -= 1
            if self.rep_of[p] == t:
                self.rep_of[p] = -1

    def loss(self, t: int) -> float:
        """Weight of people only ``t`` places."""
        c, w = self.cover, self.w
        return sum(w[p] for p in self.tp[t] if c[p] == 1)

    def placed_weight(self) -> float:
        return sum(w for w, c in zip(self.w, self.cover, strict=True) if c > 0)

    # ------------------------------------------------------------------ search
    def greedy(self, candidates: Sequence[int], rng: random.Random | None = None) -> None:
        """Lazy greedy: open the candidate with the largest marginal gain that is feasible."""
        heap = []
        for t in candidates:
            if not self.open[t]:
                g = self.gain(t)
                if g > 0:
                    heap.append((-g, rng.random() if rng else 0.0, t))
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
                best = None
                for b in blockers:
                    lo = self.loss(b)
                    if lo < g and (best is None or lo < best[0]):
                        best = (lo, b)
                for lo, b in sorted((self.loss(b), b) for b in blockers):
                    if lo >= g:
                        break
                    before = self.placed_weight()
                    self.close(b)
                    if self.try_open(t):
                        # try to re-open the closed blocker or its neighbours' lost people
                        self.try_open(b)
                        after = self.placed_weight()
                        if after > before + 1e-9:
                            changed = improved = True
                            break
                        self.close(t)
                    if not self.open[b] and not self.try_open(b):
                        raise AssertionError("could not restore a closed type")  # pragma: no cover
            if not changed:
                break
        return improved


sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
