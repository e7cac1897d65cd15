"""Directory benchmark (issue #2): 20,000 groups and 150,000 members, in-process.

Measures p50/p95 of three representative directory searches and of a public group page, next to a
trivial view in the same process (the framework floor), on SQLite and on PostgreSQL (when reachable),
and checks that the query count does not grow with the page size.

    .venv/bin/python bench/directory.py [--groups 20000] [--members 150000] [--runs 200]
                                        [--db sqlite|postgres]

Without --db it runs SQLite, then PostgreSQL in a subprocess each (settings are read at start-up).
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/mutua_bench")
SQLITE_PATH = Path("/tmp/mutua-bench.sqlite3")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def prepare_database(db: str) -> None:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    else:
        import psycopg

        admin = PG_URL.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS mutua_bench")
            conn.execute("CREATE DATABASE mutua_bench")
        os.environ["DATABASE_URL"] = PG_URL


def seed(n_groups: int, n_members: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from mutua.circles.models import Circle, CircleLanguage, Experience, Membership, Place
    from mutua.core.codes import new_code

    call_command("migrate", verbosity=0)
    call_command("load_content", verbosity=0)
    rng = random.Random(7)
    experiences = list(Experience.objects.all())
    places = list(Place.objects.all())
    weights = [1 / (i + 1) for i in range(len(experiences))]  # Zipf-like: a few big experiences
    langs = ["es", "es", "es", "ca", "it", "it", "en", "en"]
    User = get_user_model()
    # Benchmark fixtures are bulk-inserted for speed; the product never writes memberships this way.
    users = [User(email=f"b{i}@bench.test", password="!", email_verified=True) for i in range(n_members // 3)]
    User.objects.bulk_create(users, batch_size=5000)
    users = list(User.objects.only("pk"))
    circles = []
    for i in range(n_groups):
        mode = rng.choice(["in_person", "in_person", "online", "hybrid"])
        circles.append(
            Circle(
                code=new_code(),
                name=f"Group {i}",
                experience=rng.choices(experiences, weights)[0],
                mode=mode,
                place=None if mode == "online" else rng.choice(places),
                description="A calm group. " * 8,
                listed=rng.random() < 0.9,
                open=rng.random() < 0.85,
                member_count=0,
                status="active",
            )
        )
    Circle.objects.bulk_create(circles, batch_size=5000)
    circles = list(Circle.objects.only("pk", "max_members"))
    rows = []
    for c in circles:
        first = rng.choice(langs)
        rows.append(CircleLanguage(circle_id=c.pk, language=first))
        if rng.random() < 0.15:
            second = rng.choice([lang for lang in langs if lang != first])
            rows.append(CircleLanguage(circle_id=c.pk, language=second))
    CircleLanguage.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    memberships = []
    counts: dict[int, int] = {}
    per_user = max(1, n_members // len(users))
    for u in users:
        for c in rng.sample(circles, per_user):
            if counts.get(c.pk, 0) >= c.max_members:
                continue
            counts[c.pk] = counts.get(c.pk, 0) + 1
            memberships.append(
                Membership(
                    circle_id=c.pk,
                    user_id=u.pk,
                    status="member",
                    pseudonym=f"p{u.pk}",
                    pledge_version=1,
                    agreements_version=1,
                )
            )
    Membership.objects.bulk_create(memberships, batch_size=5000)
    for pk, n in counts.items():
        Circle.objects.filter(pk=pk).update(member_count=n, seats_held=n)
    # A live database has statistics (autovacuum on PostgreSQL); a bulk-loaded one needs ANALYZE.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(db: str, runs: int) -> dict:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from mutua.circles.models import Circle, Membership

    client = Client()
    codes = list(Circle.objects.filter(listed=True).values_list("code", flat=True)[:500])
    scenarios = {
        "search: family + language + accepting": (
            "/groups/?experience=grief-and-loss&language=es&accepting=on"
        ),
        "search: near Madrid 25 km, in person": "/groups/?place=madrid&radius=25&mode=in_person",
        "search: item + language, page 3": "/groups/?experience=alcohol&language=it&page=3",
        "public group page": None,
        "trivial view (floor)": "/healthz",
    }
    results = {}
    for name, url in scenarios.items():
        times = []
        for i in range(runs + 10):
            path = url or f"/groups/{codes[i % len(codes)]}/"
            t0 = time.perf_counter()
            response = client.get(path)
            dt = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if i >= 10:  # warm-up excluded
                times.append(dt)
        results[name] = {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(pct(times, 95), 2)}
    # Query count must not grow with the page size.
    from mutua.circles.selectors import DirectoryFilters, directory_search

    counts = {}
    for size in (10, 20, 50):
        with CaptureQueriesContext(connection) as ctx:
            page = directory_search(filters=DirectoryFilters(experience="grief-and-loss", page_size=size))
            for c in page.object_list:
                _ = (c.experience.name, c.place and c.place.name, c.languages, c.size_band)
        counts[size] = len(ctx)
    reset_queries()
    return {
        "db": db,
        "groups": Circle.objects.count(),
        "members": Membership.objects.count(),
        "runs": runs,
        "results": results,
        "queries_by_page_size": counts,
    }


def run_one(db: str, groups: int, members: int, runs: int) -> dict:
    prepare_database(db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutua.settings")
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    t0 = time.perf_counter()
    seed(groups, members)
    seeded = time.perf_counter() - t0
    out = measure(db, runs)
    out["seed_seconds"] = round(seeded, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=20_000)
    parser.add_argument("--members", type=int, default=150_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.db:
        print(json.dumps(run_one(args.db, args.groups, args.members, args.runs)))
        return
    for db in ("sqlite", "postgres"):
        cmd = [
            sys.executable,
            __file__,
            "--db",
            db,
            "--groups",
            str(args.groups),
            "--members",
            str(args.members),
            "--runs",
            str(args.runs),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(f"{db}: skipped or failed\n{proc.stderr[-2000:]}")
            continue
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"\n== {db}: {data['groups']} groups, {data['members']} memberships "
            f"(seeded in {data['seed_seconds']} s)"
        )
        for name, r in data["results"].items():
            print(f"  {name:42s} p50 {r['p50_ms']:7.2f} ms   p95 {r['p95_ms']:7.2f} ms")
        print(f"  queries by page size: {data['queries_by_page_size']}")


if __name__ == "__main__":
    main()
