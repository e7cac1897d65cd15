"""Benchmark of the matching engine.

Single run (one JSON object on stdout with ``--json``)::

    python -m bench.matching --n 100000 --scenario base --seed 0 --json

Exact tier (CP-SAT proves the optimum; N = 50, 100, 200, 400 x seeds x all scenarios)::

    python -m bench.matching --tier exact [--ns 50,100,200,400] [--seeds 10] [--store-fixtures]

``--store-fixtures`` merges proven optima into ``bench/fixtures/matching/exact_tier.json``;
``mutua/matching/engine/tests/test_bench_fixtures.py`` replays its N <= 200 instances in CI, and
``--use-stored`` lets the tier skip CP-SAT for instances whose optimum is already stored.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.matching_gen import SCENARIOS, generate  # noqa: E402
from mutua.matching.engine import check_solution, cohesion_scores, solve  # noqa: E402
from mutua.matching.engine.core import Options  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "matching" / "exact_tier.json"


def peak_rss_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its largest child (MiB, Linux ru_maxrss in KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self_mb": round(own, 1), "largest_child_mb": round(kids, 1), "sum_mb": round(own + kids, 1)}


class RssSampler:
    """Samples the resident memory of this process plus all its children (workers) every 20 ms.

    ``ru_maxrss`` only gives per-process peaks; concurrent workers need the sum at one instant.
    """

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree(pid: int) -> list[int]:
        out = [pid]
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    for child in fh.read().split():
                        out += RssSampler._tree(int(child))
        except OSError:
            pass
        return out

    @staticmethod
    def _rss_kb(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, sum(self._rss_kb(p) for p in self._tree(os.getpid())))
            self._stop.wait(0.02)

    def __enter__(self) -> RssSampler:
        if os.path.exists("/proc/self/status"):
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def run_one(
    n: int,
    scenario: str,
    seed: int,
    workers: int = 2,
    explain: bool = True,
    exact: bool = False,
    time_limit: float = 120.0,
    engine_seed: int = 0,
) -> dict:
    with RssSampler() as gen_mem:
        t0 = time.perf_counter()
        prob = generate(n, scenario, seed)
        t_gen = time.perf_counter() - t0
    with RssSampler() as solve_mem:
        t0 = time.perf_counter()
        sol, expl = solve(prob, Options(seed=engine_seed, workers=workers, explain=explain))
        t_solve = time.perf_counter() - t0
    rss = peak_rss_mb()
    rss["sampled_generate_total_mb"] = round(gen_mem.peak_kb / 1024, 1)
    rss["sampled_solve_total_mb"] = round(solve_mem.peak_kb / 1024, 1)
    t0 = time.perf_counter()
    violations = check_solution(prob, sol)
    t_check = time.perf_counter() - t0
    placed = sol.placed
    out: dict = {
        "n": n,
        "scenario": scenario,
        "seed": seed,
        "placed": placed,
        "placed_share": round(placed / max(1, n), 5),
        "counting_bound": sol.upper_bound,
        "violations": len(violations),
        "violation_examples": violations[:3],
    }
    if exact:
        from bench.matching_grader import grade

        g = grade(prob, time_limit=time_limit, hint=sol)
        out.update(
            bound=g.optimum,
            bound_kind="cp-sat optimum" if g.proven else "cp-sat bound (not proven)",
            proven=g.proven,
            grader_seconds=round(g.seconds, 3),
        )
    else:
        out.update(bound=sol.upper_bound, bound_kind="counting bound", proven=False)
    out["gap"] = round((out["bound"] - placed) / max(1, out["bound"]), 6)
    sizes = np.bincount(sol.new_group[sol.new_group >= 0], minlength=len(sol.ng_slot))
    hist = np.bincount(sizes, minlength=11)
    out["group_sizes"] = {str(k): int(hist[k]) for k in range(len(hist)) if hist[k]}
    out["new_groups"] = int(len(sol.ng_slot))
    out["seats_taken"] = int((sol.seat >= 0).sum())
    coh = cohesion_scores(prob.people, sol)
    if len(coh):
        worst = np.sort(coh)[: max(1, len(coh) // 10)]
        out["cohesion"] = {
            "mean": round(float(coh.mean()), 4),
            "worst_decile_mean": round(float(worst.mean()), 4),
        }
    w = prob.people.waited_days
    q = np.quantile(w, [0.25, 0.5, 0.75]) if n else np.zeros(3)
    quart = np.searchsorted(q, w, side="right")
    ok = (sol.new_group >= 0) | (sol.seat >= 0)
    out["placement_by_wait_quartile"] = [
        round(float(ok[quart == k].mean()), 4) if np.any(quart == k) else None for k in range(4)
    ]
    out["unplaced_reasons"] = {
        name: sum(1 for e in expl if e.reason == code)
        for code, name in enumerate(["too_few", "no_common", "taken"])
    }
    phases = {k: round(v, 3) for k, v in sol.stats.items()}
    out["time_s"] = {
        "generate": round(t_gen, 3),
        "solve_total": round(t_solve, 3),
        "check": round(t_check, 3),
        "phases": phases,
    }
    out["peak_rss"] = rss
    out["workers"] = workers
    return out


def _stored() -> dict[tuple[int, str, int], int]:
    if not FIXTURES.exists():
        return {}
    data = json.loads(FIXTURES.read_text())
    return {(r["n"], r["scenario"], r["seed"]): r["optimum"] for r in data["instances"]}


def exact_tier(
    ns: list[int], seeds: int, workers: int, time_limit: float, store: bool, use_stored: bool
) -> dict:
    """Engine vs proven optimum on every (N, scenario, seed); CP-SAT runs unless the optimum is stored."""
    stored = _stored() if use_stored else {}
    rows = []
    for n in ns:
        for sc in SCENARIOS:
            for seed in range(seeds):
                known = stored.get((n, sc, seed))
                r = run_one(n, sc, seed, workers=1, explain=False, exact=known is None, time_limit=time_limit)
                if known is not None:
                    r.update(bound=known, bound_kind="stored cp-sat optimum", proven=True, grader_seconds=0.0)
                    r["gap"] = round((known - r["placed"]) / max(1, known), 6)
                rows.append(r)
                print(
                    f"n={n:4d} {sc:16s} seed={seed} placed={r['placed']:4d} opt={r['bound']:4d} "
                    f"gap={r['gap']:.4f} proven={r['proven']} engine={r['time_s']['solve_total']:.2f}s "
                    f"cpsat={r['grader_seconds']:.1f}s viol={r['violations']}",
                    file=sys.stderr,
                    flush=True,
                )
    proven = [r for r in rows if r["proven"]]
    tot_opt = sum(r["bound"] for r in rows)
    tot = sum(r["placed"] for r in rows)
    p_opt = sum(r["bound"] for r in proven)
    p_tot = sum(r["placed"] for r in proven)
    agg = {
        "instances": len(rows),
        "aggregate_gap": round((tot_opt - tot) / max(1, tot_opt), 6),
        "aggregate_gap_proven_only": round((p_opt - p_tot) / max(1, p_opt), 6),
        "worst_gap": max((r["gap"] for r in rows), default=0.0),
        "worst_gap_proven_only": max((r["gap"] for r in proven), default=0.0),
        "unproven": len(rows) - len(proven),
        "violations": sum(r["violations"] for r in rows),
        "engine_seconds_max": max((r["time_s"]["solve_total"] for r in rows), default=0.0),
        "engine_seconds_total": round(sum(r["time_s"]["solve_total"] for r in rows), 2),
        "grader_seconds_max": max((r["grader_seconds"] for r in rows), default=0.0),
        "by_n": {
            str(n): round(
                (sum(r["bound"] for r in rows if r["n"] == n) - sum(r["placed"] for r in rows if r["n"] == n))
                / max(1, sum(r["bound"] for r in rows if r["n"] == n)),
                6,
            )
            for n in ns
        },
    }
    if store:
        merged = _stored()
        merged.update({(r["n"], r["scenario"], r["seed"]): r["bound"] for r in proven})
        fx = [{"n": k[0], "scenario": k[1], "seed": k[2], "optimum": v} for k, v in sorted(merged.items())]
        FIXTURES.parent.mkdir(parents=True, exist_ok=True)
        FIXTURES.write_text(
            json.dumps(
                {
                    "generator": "bench.matching_gen.generate",
                    "grader": "bench.matching_grader.grade (CP-SAT, proven optima only)",
                    "min_size": 5,
                    "instances": fx,
                },
                indent=1,
            )
            + "\n"
        )
        agg["stored_fixtures"] = len(fx)
    return agg


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--scenario", default="base", choices=sorted(SCENARIOS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--exact", action="store_true", help="also prove the optimum with CP-SAT (N <= 400)")
    ap.add_argument("--no-explain", action="store_true")
    ap.add_argument("--tier", choices=["exact"], help="run the exact tier and print the aggregate gap")
    ap.add_argument("--ns", default="50,100,200,400")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument(
        "--store-fixtures", action="store_true", help="merge proven optima into the fixtures file"
    )
    ap.add_argument(
        "--use-stored", action="store_true", help="take optima from the fixtures file when present"
    )
    a = ap.parse_args(argv)
    if a.tier == "exact":
        agg = exact_tier(
            [int(x) for x in a.ns.split(",")],
            a.seeds,
            a.workers,
            a.time_limit,
            a.store_fixtures,
            a.use_stored,
        )
        print(json.dumps(agg, indent=None if a.json else 1))
        return 0 if agg["violations"] == 0 else 1
    r = run_one(
        a.n,
        a.scenario,
        a.seed,
        workers=a.workers,
        explain=not a.no_explain,
        exact=a.exact,
        time_limit=a.time_limit,
    )
    print(json.dumps(r) if a.json else json.dumps(r, indent=1))
    return 0 if r["violations"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
