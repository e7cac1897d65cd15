"""Meeting reminders benchmark: how long one 5-minute tick takes with many groups.

Seeds groups and memberships exactly as the directory benchmark does (`bench/directory.py`: weekly,
fortnightly, monthly, custom rules and no schedule, in nine zones, 3 memberships per person), then
times `reminders_due` (the read every tick does) at 24 moments spread over a week, and
`reminders_send` twice at one moment (the first writes the reminders due then, each a notification
with its email queued; the second finds them all sent). SQLite only, in a file of its own.

    .venv/bin/python bench/reminders.py [--groups 2000] [--members 15000]
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SQLITE_PATH = Path("/tmp/mutua-reminders-bench.sqlite3")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=2_000)
    parser.add_argument("--members", type=int, default=15_000)
    args = parser.parse_args()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutua.settings")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.directory import seed
    from mutua.circles.models import Circle, Membership
    from mutua.meetings import reminders
    from mutua.notifications.models import Notification

    t0 = time.perf_counter()
    seed(args.groups, args.members)
    seeded = time.perf_counter() - t0

    expanded = 0
    real = reminders.occurrences

    def counting(*a, **kw):  # type: ignore[no-untyped-def]
        nonlocal expanded
        expanded += 1
        return real(*a, **kw)

    reminders.occurrences = counting  # type: ignore[assignment]
    monday = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    moments = [monday + timedelta(hours=7 * i) for i in range(24)]  # every 7 h over a week
    times, due, queries, groups_expanded = [], [], [], []
    for now in moments:
        expanded = 0
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            found = reminders.reminders_due(now=now)
            times.append((time.perf_counter() - start) * 1000)
        due.append(len(found))
        queries.append(len(ctx))
        groups_expanded.append(expanded)
    now = datetime(2026, 12, 8, 17, 0, tzinfo=UTC)  # Tuesday 18:00 in Madrid: evening meetings ahead
    start = time.perf_counter()
    created = reminders.reminders_send(now=now)
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = reminders.reminders_send(now=now)
    second = time.perf_counter() - start
    print(
        json.dumps(
            {
                "groups": Circle.objects.count(),
                "memberships": Membership.objects.count(),
                "seed_seconds": round(seeded, 1),
                "reminders_due_ms": {
                    "p50": round(statistics.median(times), 1),
                    "max": round(max(times), 1),
                },
                "queries_per_tick": sorted(set(queries)),
                "groups_expanded_per_tick": {
                    "median": statistics.median(groups_expanded),
                    "max": max(groups_expanded),
                },
                "due_per_tick": {"median": statistics.median(due), "max": max(due)},
                "send_first_run": {"created": created, "seconds": round(first, 2)},
                "send_second_run": {"created": again, "seconds": round(second, 2)},
                "notifications": Notification.objects.count(),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
