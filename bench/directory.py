"""Directory benchmark (issue #2): 20,000 groups and 150,000 members, in-process.

Measures p50/p95 of representative directory searches (with and without the day and time filters of
decision 0019) and of a public group page, next to a trivial view in the same process (the framework
floor), on SQLite and on PostgreSQL (when reachable), and checks that the query count does not grow
with the page size. Groups get schedules (mostly weekly, some fortnightly, monthly and custom, in
several zones) and their slots from the product's own `slots_refresh_all`.

    .venv/bin/python bench/directory.py [--groups 20000] [--members 150000] [--runs 200]
                                        [--db sqlite|postgres]

Without --db it runs SQLite, then PostgreSQL in a subprocess each (settings are read at start-up).
"""

import argparse
import json
import os
import random
import resource
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


ONLINE_ZONES = [
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/London",
    "Atlantic/Canary",
    "America/New_York",
    "America/Mexico_City",
    "America/Argentina/Buenos_Aires",
    "Australia/Sydney",
    "Asia/Kolkata",
]
# Meeting hours people choose: mostly evenings, some mornings and afternoons, a few late.
HOURS = [7, 9, 10, 11, 12, 16, 17, 18, 18, 19, 19, 19, 20, 20, 21, 22]


def schedule_columns(rng: random.Random) -> dict[str, object]:
    """A rhythm for a benchmark group: 70 % weekly, 12 % fortnightly, 8 % the n-th weekday of the
    month, 4 % a day of the month, 3 % a custom rule (two weekdays), 3 % no schedule yet."""
    from datetime import date, time

    roll = rng.random()
    if roll < 0.03:
        return {}
    common: dict[str, object] = {
        "schedule_start_date": date(2026, 1, 5),
        "schedule_start_time": time(rng.choice(HOURS), rng.choice([0, 0, 0, 30])),
        "schedule_duration": 90,
    }
    weekday = rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 6])
    if roll < 0.73:
        return {**common, "schedule_kind": "weekly", "schedule_weekday": weekday}
    if roll < 0.85:
        return {**common, "schedule_kind": "fortnightly", "schedule_weekday": weekday}
    if roll < 0.93:
        return {
            **common,
            "schedule_kind": "monthly_nth",
            "schedule_weekday": weekday,
            "schedule_nth": rng.choice([1, 2, 3, -1]),
        }
    if roll < 0.97:
        return {**common, "schedule_kind": "monthly_day", "schedule_monthday": rng.randint(1, 28)}
    days = ",".join(sorted(rng.sample(["MO", "TU", "WE", "TH", "FR"], 2)))
    return {**common, "schedule_kind": "rrule", "schedule_rrule": f"FREQ=WEEKLY;BYDAY={days}"}


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
        place = None if mode == "online" else rng.choice(places)
        # Online groups meet in several zones, so the day and time filters convert between clocks.
        tz = place.timezone if place is not None else rng.choice(ONLINE_ZONES)
        circles.append(
            Circle(
                code=new_code(),
                name=f"Group {i}",
                experience=rng.choices(experiences, weights)[0],
                mode=mode,
                place=place,
                description="A calm group. " * 8,
                listed=rng.random() < 0.9,
                open=rng.random() < 0.85,
                member_count=0,
                status="active",
                timezone=tz,
                **schedule_columns(rng),
            )
        )
    Circle.objects.bulk_create(circles, batch_size=5000)
    # The slots the day and time filters read, by the product's own writer (decision 0019).
    from mutua.circles.services import slots_refresh_all

    slots_refresh_all()
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
    # A visitor whose browser reported Madrid (viewer-tz.js keeps it in a cookie).
    client.cookies["mutua_tz"] = "Europe/Madrid"
    codes = list(Circle.objects.filter(listed=True).values_list("code", flat=True)[:500])
    scenarios = {
        "search: family + language + accepting": (
            "/groups/?experience=grief-and-loss&language=es&accepting=on"
        ),
        "search: near Madrid 25 km, in person": "/groups/?place=madrid&radius=25&mode=in_person",
        "search: item + language, page 3": "/groups/?experience=alcohol&language=it&page=3",
        "search: Tue + Thu evening": "/groups/?weekday=1&weekday=3&time_of_day=evening",
        "search: family + language + Sat morning": (
            "/groups/?experience=grief-and-loss&language=es&weekday=5&time_of_day=morning"
        ),
        "search: near Madrid 25 km, Mon–Fri night": (
            "/groups/?place=madrid&radius=25&weekday=0&weekday=1&weekday=2&weekday=3&weekday=4&time_of_day=night"
        ),
        "API: Wed afternoon, New York viewer": (
            "/api/v1/directory?weekday=2&time_of_day=afternoon&tz=America/New_York"
        ),
        "public group page": None,
        "trivial view (floor)": "/healthz",
    }
    results = {}
    found = {}
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    for name, url in scenarios.items():
        times, cpu = [], []
        for i in range(runs + 10):
            path = url or f"/groups/{codes[i % len(codes)]}/"
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(path)
            dt, dc = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if i >= 10:  # warm-up excluded
                times.append(dt)
                cpu.append(dc)
        # Wall time, and this process's CPU time (less sensitive to other work on a shared machine;
        # it leaves out the time PostgreSQL's own processes spend).
        results[name] = {
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(pct(times, 95), 2),
            "cpu_p50_ms": round(statistics.median(cpu), 2),
            "cpu_p95_ms": round(pct(cpu, 95), 2),
        }
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    # Query count must not grow with the page size, with or without the day and time filters.
    from mutua.circles.selectors import DirectoryFilters, directory_search
    from mutua.core.i18n import Visitor

    madrid = Visitor(language="es", country="ES", timezone="Europe/Madrid", timezone_known=True)
    searches = {
        "family": {"experience": "grief-and-loss"},
        "family + Tue/Thu evening": {
            "experience": "grief-and-loss",
            "weekdays": (1, 3),
            "time_of_day": "evening",
        },
    }
    counts: dict[str, dict[int, int]] = {}
    for label, params in searches.items():
        counts[label] = {}
        for size in (10, 20, 50):
            with CaptureQueriesContext(connection) as ctx:
                page = directory_search(filters=DirectoryFilters(page_size=size, visitor=madrid, **params))
                for c in page.object_list:
                    _ = (
                        c.experience.name,
                        c.place and c.place.name,
                        c.languages,
                        c.size_band,
                        c.next_meeting,
                    )
            counts[label][size] = len(ctx)
            found[label] = page.paginator.count
    reset_queries()
    from mutua.circles.models import CircleSlot

    return {
        "db": db,
        "groups": Circle.objects.count(),
        "members": Membership.objects.count(),
        "slots": CircleSlot.objects.count(),
        "runs": runs,
        "results": results,
        "queries_by_page_size": counts,
        "found": found,
        "cpu_seconds": round(cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 1),
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
    load_before = os.getloadavg()
    out = measure(db, runs)
    out["seed_seconds"] = round(seeded, 1)
    # The machine is shared: the load around the measurement says how much to trust it.
    out["load_before"] = [round(x, 2) for x in load_before]
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
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
            print(
                f"  {name:42s} p50 {r['p50_ms']:7.2f} ms   p95 {r['p95_ms']:7.2f} ms   "
                f"(CPU {r['cpu_p50_ms']:6.2f} / {r['cpu_p95_ms']:6.2f} ms)"
            )
        print(f"  queries by page size: {data['queries_by_page_size']}")
        print(f"  groups found: {data['found']}; slots: {data['slots']}")
        print(
            f"  CPU {data['cpu_seconds']} s while measuring; load average {data['load_before']} before, "
            f"{data['load_after']} after"
        )


if __name__ == "__main__":
    main()
