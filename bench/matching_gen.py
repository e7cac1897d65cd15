"""Seeded generator of realistic matching populations (columnar, vectorised up to millions).

Realism knobs, per scenario (see ``SCENARIOS``):

* experiences Zipf-distributed (a few common ones, a long tail), optional secondary experience;
* languages: a majority language, Zipf minorities, a share of bilingual people;
* time zones: a handful of whole-hour offsets, weighted (mostly Europe, some Americas/Asia);
* availability clustered on weekday evenings and weekend days, about 14 h/week, in local time,
  converted to UTC hour-of-week;
* online / in person / either; cities of Zipf sizes with 1-4 venues each, people scattered
  around their city, log-normal maximum travel distances;
* a share with hard preferences (women-only; LGBTQ+-only), attributes for everybody;
* existing groups with 1-3 free seats; exponential waiting times.

``generate(n, scenario, seed)`` returns a :class:`Problem`; identical inputs give identical
instances (NumPy ``default_rng``), which is what lets CI regenerate stored fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from mutua.matching.engine.model import GroupTable, Population, Problem

TAGS = ["woman", "lgbtq"]


@dataclass(frozen=True)
class Params:
    experiences_per_1000: float = 25.0
    min_experiences: int = 3
    max_experiences: int = 60
    exp_zipf: float = 1.1
    n_languages: int = 8
    majority_share: float = 0.7
    bilingual: float = 0.25
    zones: tuple[int, ...] = (0, 1, 2, 3, -5, -8, 5, 8)
    zone_weights: tuple[float, ...] = (0.2, 0.35, 0.2, 0.05, 0.08, 0.04, 0.04, 0.04)
    evening_prob: float = 0.75
    evening_len: int = 3
    weekend_prob: float = 0.6
    weekend_len: int = 4
    random_hours: int = 0  # extra uniformly random hours (sparse/odd schedules)
    structured: bool = True
    p_online: float = 0.45
    p_in_person: float = 0.25
    people_per_city: float = 2000.0
    min_cities: int = 3
    max_cities: int = 400
    travel_median_km: float = 10.0
    travel_sigma: float = 0.7
    p_women_only: float = 0.08
    p_lgbtq_only: float = 0.02
    groups_per_person: float = 0.02
    max_seats: int = 3


SCENARIOS: dict[str, Params] = {
    "base": Params(),
    "long-tail": Params(experiences_per_1000=60, max_experiences=250, exp_zipf=0.8),
    "dense": Params(experiences_per_1000=8, max_experiences=15, evening_prob=0.85, evening_len=2),
    "in-person-heavy": Params(p_online=0.15, p_in_person=0.55, travel_median_km=6.0),
    "multilingual": Params(n_languages=20, majority_share=0.35, bilingual=0.5),
    "sparse-time": Params(evening_prob=0.3, weekend_prob=0.3, evening_len=2, random_hours=4),
    "seat-heavy": Params(groups_per_person=0.1),
    "adversarial": Params(
        experiences_per_1000=120,
        max_experiences=400,
        structured=False,
        random_hours=3,
        evening_prob=0.0,
        weekend_prob=0.0,
        p_women_only=0.2,
        bilingual=0.4,
    ),
}


def _zipf_choice(rng: np.random.Generator, k: int, s: float, size: int) -> np.ndarray:
    w = 1.0 / np.arange(1, k + 1) ** s
    return rng.choice(k, size=size, p=w / w.sum())


def generate(n: int, scenario: str = "base", seed: int = 0, **overrides: float) -> Problem:
    """A reproducible :class:`Problem` of ``n`` people for ``scenario``."""
    prm = replace(SCENARIOS[scenario], **overrides)  # type: ignore[arg-type]
    rng = np.random.default_rng([seed, n, sorted(SCENARIOS).index(scenario)])
    n_exp = int(np.clip(round(n * prm.experiences_per_1000 / 1000), prm.min_experiences, prm.max_experiences))
    experience = _zipf_choice(rng, n_exp, prm.exp_zipf, n).astype(np.int32)
    secondary = np.where(rng.random(n) < 0.5, _zipf_choice(rng, n_exp, prm.exp_zipf, n), -1).astype(np.int32)

    # languages: majority 0, minorities Zipf over 1..L-1; bilinguals add another language
    L = prm.n_languages
    first = np.where(rng.random(n) < prm.majority_share, 0, 1 + _zipf_choice(rng, L - 1, 1.0, n))
    second = np.where(
        rng.random(n) < prm.bilingual, np.where(first == 0, 1 + _zipf_choice(rng, L - 1, 1.0, n), 0), first
    )
    languages = (np.uint64(1) << first.astype(np.uint64)) | (np.uint64(1) << second.astype(np.uint64))

    # time zones and availability (local -> UTC hour-of-week)
    zw = np.asarray(prm.zone_weights) / np.sum(prm.zone_weights)
    zone = rng.choice(len(prm.zones), size=n, p=zw)
    offset_h = np.asarray(prm.zones)[zone]
    local = np.zeros((n, 168), dtype=bool)
    if prm.structured:
        for d in range(5):
            on = rng.random(n) < prm.evening_prob
            start = d * 24 + rng.choice([17, 18, 19, 20], size=n, p=[0.15, 0.35, 0.35, 0.15])
            for k in range(prm.evening_len):
                local[on, (start[on] + k)] = True
        for d in (5, 6):
            on = rng.random(n) < prm.weekend_prob
            start = d * 24 + rng.choice([10, 14, 16], size=n)
            for k in range(prm.weekend_len):
                local[on, start[on] + k] = True
    else:
        # adversarial: few candidate hours per experience, chosen so that clusters overlap
        base_slots = rng.integers(0, 168, size=(n_exp, 4))
        pick = rng.integers(0, 4, size=(n, 2))
        rows = np.arange(n)
        local[rows, base_slots[experience, pick[:, 0]]] = True
        local[rows, base_slots[experience, pick[:, 1]]] = True
    for _ in range(prm.random_hours):
        local[np.arange(n), rng.integers(0, 168, size=n)] = True
    if not prm.structured:
        offset_h = np.zeros(n, dtype=np.int64)
    # UTC = local - offset, wrapping around the week (one roll per zone keeps memory small)
    utc = np.empty_like(local)
    for off in np.unique(offset_h):
        rows = np.flatnonzero(offset_h == off)
        utc[rows] = np.roll(local[rows], -int(off), axis=1)
    availability = np.packbits(utc, axis=1, bitorder="little")
    del local, utc

    # modes and places
    u = rng.random(n)
    mode = np.where(u < prm.p_online, 0, np.where(u < prm.p_online + prm.p_in_person, 1, 2)).astype(np.int8)
    n_cities = int(np.clip(round(n / prm.people_per_city), prm.min_cities, prm.max_cities))
    city_lat = rng.uniform(36, 60, n_cities)
    city_lon = rng.uniform(-9, 30, n_cities)
    city = _zipf_choice(rng, n_cities, 1.0, n)
    rank_scale = 3 + 12 / np.sqrt(1 + np.arange(n_cities))  # bigger cities spread wider (km)
    spread = rank_scale[city]
    lat = city_lat[city] + rng.normal(0, 1, n) * spread / 111.0
    lon = city_lon[city] + rng.normal(0, 1, n) * spread / (111.0 * np.cos(np.radians(city_lat[city])))
    max_km = np.clip(rng.lognormal(np.log(prm.travel_median_km), prm.travel_sigma, n), 1, 150)
    online = mode == 0
    lat[online] = np.nan
    lon[online] = np.nan
    max_km[online] = 0
    n_venues_city = np.clip(4 - np.arange(n_cities) // max(1, n_cities // 4), 1, 4)
    vcity = np.repeat(np.arange(n_cities), n_venues_city)
    vscale = rank_scale[vcity] * 0.5
    venue_lat = city_lat[vcity] + rng.normal(0, 1, len(vcity)) * vscale / 111.0
    venue_lon = city_lon[vcity] + rng.normal(0, 1, len(vcity)) * vscale / (
        111.0 * np.cos(np.radians(city_lat[vcity]))
    )

    # hard preferences: bit 0 woman, bit 1 lgbtq
    woman = rng.random(n) < 0.55
    lgbtq = rng.random(n) < 0.08
    attributes = woman.astype(np.uint32) | (lgbtq.astype(np.uint32) << 1)
    wo = woman & (rng.random(n) < prm.p_women_only / 0.55)
    lo = lgbtq & (rng.random(n) < prm.p_lgbtq_only / 0.08)
    requires = wo.astype(np.uint32) | (lo.astype(np.uint32) << 1)
    waited = rng.exponential(60.0, n).astype(np.float32)
    age_band = rng.integers(0, 6, n).astype(np.int16)
    pop = Population(
        experience,
        languages,
        availability,
        mode,
        lat,
        lon,
        max_km,
        attributes,
        requires,
        waited,
        secondary,
        age_band,
        (offset_h * 60).astype(np.int16),
    )

    # existing groups: popular evening slots in the majority zone, 1..max_seats free seats
    ng = int(round(n * prm.groups_per_person))
    g_exp = _zipf_choice(rng, n_exp, prm.exp_zipf, ng).astype(np.int32)
    g_lang = np.where(rng.random(ng) < prm.majority_share, 0, 1 + _zipf_choice(rng, L - 1, 1.0, ng))
    g_zone = np.asarray(prm.zones)[rng.choice(len(prm.zones), size=ng, p=zw)]
    g_local = rng.integers(0, 5, ng) * 24 + rng.choice([18, 19, 20, 21], ng)
    g_slot = ((g_local - g_zone) % 168).astype(np.int16)
    g_mode = (rng.random(ng) < 0.4).astype(np.int8)
    g_venue = rng.integers(0, len(vcity), ng)
    g_lat = np.where(g_mode == 1, venue_lat[g_venue], np.nan)
    g_lon = np.where(g_mode == 1, venue_lon[g_venue], np.nan)
    g_seats = rng.integers(1, prm.max_seats + 1, ng).astype(np.int32)
    g_tags = (rng.random(ng) < 0.1).astype(np.uint32)
    groups = GroupTable(g_exp, g_lang, g_slot, g_mode, g_lat, g_lon, g_seats, g_tags)
    return Problem(
        pop,
        groups,
        venue_lat,
        venue_lon,
        5,
        10,
        7,
        experiences=[f"exp{i}" for i in range(n_exp)],
        languages=[f"lang{i}" for i in range(L)],
        tags=TAGS,
    )
