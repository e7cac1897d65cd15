"""Object-level entry point: :func:`match` converts to the columnar layer and back."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np

from .core import Options, solve
from .explain import R_NO_COMMON, R_TAKEN, R_TOO_FEW, ColumnarExplanation
from .model import (
    AVAIL_BYTES,
    MAX_LANGUAGES,
    MAX_TAGS,
    MODE_CODES,
    DistanceSuggestion,
    Explanation,
    GroupTable,
    Instance,
    MatchResult,
    Mode,
    NewGroup,
    Population,
    Problem,
    Reason,
    SeatAssignment,
    SlotSuggestion,
    Solution,
)

_REASONS = {
    R_TOO_FEW: Reason.TOO_FEW_PEERS,
    R_NO_COMMON: Reason.NO_COMMON_TIME_OR_PLACE,
    R_TAKEN: Reason.TAKEN_BY_OTHER_GROUPS,
}


def _vocab(values: Iterable[str], limit: int | None, what: str) -> list[str]:
    vocab = sorted(set(values))
    if limit is not None and len(vocab) > limit:
        raise ValueError(f"at most {limit} distinct {what} are supported, got {len(vocab)}")
    return vocab


def _mask(items: Iterable[str], code: dict[str, int]) -> int:
    m = 0
    for it in items:
        m |= 1 << code[it]
    return m


def to_problem(instance: Instance) -> Problem:
    """Encode an :class:`Instance` as a columnar :class:`Problem` (vocabularies sorted by name)."""
    people, groups, venues = instance.people, instance.groups, instance.venues
    ids = [p.id for p in people]
    if len(set(ids)) != len(ids):
        raise ValueError("person ids must be unique")
    exps = _vocab([p.experience for p in people] + [g.experience for g in groups], None, "experiences")
    langs = _vocab(
        [la for p in people for la in p.languages] + [g.language for g in groups], MAX_LANGUAGES, "languages"
    )
    tags = _vocab(
        [t for p in people for t in p.requires | p.attributes] + [t for g in groups for t in g.tags],
        MAX_TAGS,
        "tags",
    )
    ec = {e: i for i, e in enumerate(exps)}
    lc = {la: i for i, la in enumerate(langs)}
    tc = {t: i for i, t in enumerate(tags)}
    sec = {
        s: i
        for i, s in enumerate(
            sorted({p.secondary_experience for p in people if p.secondary_experience is not None})
        )
    }
    n = len(people)
    avail = np.zeros((n, AVAIL_BYTES), dtype=np.uint8)
    for i, p in enumerate(people):
        for h in p.availability:
            if not 0 <= h < 168:
                raise ValueError(f"availability hour {h} of person {p.id!r} is outside 0..167")
            avail[i, h // 8] |= 1 << (h % 8)
    nan = float("nan")
    pop = Population(
        experience=np.asarray([ec[p.experience] for p in people]),
        languages=np.array([_mask(p.languages, lc) for p in people], dtype=np.uint64),
        availability=avail,
        mode=np.asarray([MODE_CODES[Mode(p.mode)] for p in people]),
        lat=np.asarray([nan if p.lat is None else p.lat for p in people]),
        lon=np.asarray([nan if p.lon is None else p.lon for p in people]),
        max_km=np.asarray([p.max_travel_km for p in people]),
        attributes=np.asarray([_mask(p.attributes, tc) for p in people]),
        requires=np.asarray([_mask(p.requires, tc) for p in people]),
        waited_days=np.asarray([p.waited_days for p in people]),
        secondary=np.asarray(
            [-1 if p.secondary_experience is None else sec[p.secondary_experience] for p in people]
        ),
        age_band=np.asarray([-1 if p.age_band is None else p.age_band for p in people]),
        utc_offset_min=np.asarray([p.utc_offset_minutes for p in people]),
    )
    for g in groups:
        if Mode(g.mode) == Mode.EITHER:
            raise ValueError(f"existing group {g.id!r} must be online or in_person")
        if Mode(g.mode) == Mode.IN_PERSON and g.venue is None:
            raise ValueError(f"in-person group {g.id!r} needs a venue")
    gt = GroupTable(
        experience=np.asarray([ec[g.experience] for g in groups]),
        language=np.asarray([lc[g.language] for g in groups]),
        slot=np.asarray([g.slot for g in groups]),
        mode=np.asarray([MODE_CODES[Mode(g.mode)] for g in groups]),
        lat=np.asarray([g.venue.lat if g.venue else nan for g in groups]),
        lon=np.asarray([g.venue.lon if g.venue else nan for g in groups]),
        free_seats=np.asarray([max(0, g.free_seats) for g in groups]),
        tags=np.asarray([_mask(g.tags, tc) for g in groups]),
    )
    return Problem(
        pop,
        gt,
        np.asarray([v.lat for v in venues], dtype=np.float64),
        np.asarray([v.lon for v in venues], dtype=np.float64),
        instance.min_size,
        instance.max_size,
        instance.target_size,
        exps,
        langs,
        tags,
    )


def from_solution(
    instance: Instance, problem: Problem, sol: Solution, expl: list[ColumnarExplanation]
) -> MatchResult:
    """Decode a columnar :class:`Solution` back to ids and names."""
    ids: list[Hashable] = [p.id for p in instance.people]
    vids: list[Hashable] = [v.id for v in instance.venues]
    langs, tags = problem.languages, problem.tags
    members: list[list[Hashable]] = [[] for _ in range(len(sol.ng_slot))]
    for i in np.flatnonzero(sol.new_group >= 0).tolist():
        members[int(sol.new_group[i])].append(ids[i])
    new_groups = tuple(
        NewGroup(
            experience=problem.experiences[int(sol.ng_experience[g])],
            language=langs[int(sol.ng_language[g])],
            slot=int(sol.ng_slot[g]),
            venue_id=None if sol.ng_venue[g] < 0 else vids[int(sol.ng_venue[g])],
            rules=frozenset(t for b, t in enumerate(tags) if int(sol.ng_rules[g]) >> b & 1),
            members=tuple(members[g]),
        )
        for g in range(len(members))
    )
    gids = [g.id for g in instance.groups]
    seats = tuple(
        SeatAssignment(ids[i], gids[int(sol.seat[i])]) for i in np.flatnonzero(sol.seat >= 0).tolist()
    )

    def lang(c: int) -> str | None:
        return langs[c] if c >= 0 else None

    def venue(c: int) -> Hashable | None:
        return vids[c] if c >= 0 else None

    unplaced = tuple(
        Explanation(
            person_id=ids[e.person],
            reason=_REASONS[e.reason],
            language=lang(e.language),
            peers=e.peers,
            more_needed=e.more_needed,
            slot_suggestions=tuple(
                SlotSuggestion(s, langs[la], venue(v), n, ok) for s, la, v, n, ok in e.slots
            ),
            distance_suggestions=tuple(
                DistanceSuggestion(vids[v], km, langs[la], s, n, ok) for v, km, la, s, n, ok in e.distances
            ),
            possible_slot=None if e.possible_slot < 0 else e.possible_slot,
            possible_venue_id=venue(e.possible_venue),
        )
        for e in expl
    )
    return MatchResult(new_groups, seats, unplaced, sol.upper_bound, dict(sol.stats))


def match(instance: Instance, seed: int = 0, workers: int = 1, explain: bool = True) -> MatchResult:
    """Place people into free seats and new groups; explain who could not be placed.

    Deterministic for a given ``seed`` (and independent of ``workers``).
    """
    problem = to_problem(instance)
    sol, expl = solve(problem, Options(seed=seed, workers=workers, explain=explain))
    return from_solution(instance, problem, sol, expl)
