"""Replay the stored exact tier (proven optima from CP-SAT) and a 100,000-person smoke run.

Instances are regenerated from their seeds with ``bench.matching_gen`` (the optima were proven
once by ``python -m bench.matching --tier exact --store-fixtures``), so CI does not need
OR-Tools.  No wall-clock assertions: timings belong to the benchmark.
"""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
if str(ROOT) not in sys.path:  # bench/ lives next to mutua/
    sys.path.insert(0, str(ROOT))

from bench.matching_gen import generate  # noqa: E402
from mutua.matching.engine import check_solution, solve  # noqa: E402
from mutua.matching.engine.core import Options  # noqa: E402

FIXTURES = ROOT / "bench" / "fixtures" / "matching" / "exact_tier.json"
AGGREGATE_GAP = 0.002  # exact tier target: aggregate placement gap to the proven optimum
WORST_GAP = 0.02  # and no instance worse than 2 %


def _instances():
    data = json.loads(FIXTURES.read_text())
    return [r for r in data["instances"] if r["n"] <= 200]


@pytest.mark.slow
def test_exact_tier_fixtures_against_proven_optima():
    instances = _instances()
    assert instances, "no stored fixtures"
    total_opt = total = 0
    worst = 0.0
    for inst in instances:
        prob = generate(inst["n"], inst["scenario"], inst["seed"])
        sol, _ = solve(prob, Options(seed=0, explain=False))
        assert check_solution(prob, sol) == [], inst
        assert sol.placed <= inst["optimum"], f"placed more than the proven optimum: {inst}"
        gap = (inst["optimum"] - sol.placed) / max(1, inst["optimum"])
        worst = max(worst, gap)
        assert gap <= WORST_GAP, (inst, sol.placed)
        total_opt += inst["optimum"]
        total += sol.placed
    assert (total_opt - total) / total_opt <= AGGREGATE_GAP, (total, total_opt, worst)


@pytest.mark.slow
def test_100k_smoke_is_valid_and_near_the_bound():
    prob = generate(100_000, "base", 0)
    sol, expl = solve(prob, Options(seed=0, workers=2))
    assert check_solution(prob, sol) == []
    assert sol.placed <= sol.upper_bound
    assert (sol.upper_bound - sol.placed) / sol.upper_bound <= 0.005
    assert len(expl) == len(prob.people) - sol.placed
