"""Meeting reminders exactly once with real processes, on the scheduler's fixtures (a database shared
with real `db_worker` processes, a slow file mail backend, processes killed when the test ends:
mutua/notifications/tests/test_worker_processes.py): the reminder tick killed in the middle of its
batch, then a worker killed in the middle of sending, then a restarted worker; and two workers
running two turns of the tick at once. Each prints its figures (due vs sent) for `pytest -s`."""

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from mutua.notifications.tests.test_worker_processes import (  # noqa: F401 - fixtures used by name
    DEADLINE,
    ROOT,
    Processes,
    database_url,
    per_message,
    procs,
    sqlite_template,
)

pytestmark = pytest.mark.django_db(transaction=True)

HARNESS = "mutua.meetings.tests.reminders_harness"


def step(p: Processes, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", HARNESS, *args],
        env=p.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_tick_and_a_worker_killed_mid_batch_still_remind_each_member_exactly_once(procs):  # noqa: F811
    due = step(procs, "setup", "30")["due"]
    assert len(due) == 30  # 6 groups of 5; the members who chose none and the waiting list left out

    # 1. The tick is killed while writing the 10th reminder (inside its transaction).
    marker = procs.tmp_path / "tick-hangs"
    tick = subprocess.Popen(
        [sys.executable, "-m", HARNESS, "tick", "10", str(marker)],
        env=procs.env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        procs.wait_for("the tick to reach the 10th reminder", marker.exists)
        os.killpg(tick.pid, signal.SIGKILL)
        tick.wait(10)
    finally:
        if tick.poll() is None:
            os.killpg(tick.pid, signal.SIGKILL)
            tick.wait(10)
    after_tick_kill = step(procs, "state")
    assert len(after_tick_kill["reminders"]) == 9  # the 10th was rolled back with its process

    # 2. A worker takes the 9 emails and is killed while handing the 5th to the mail server.
    first = procs.worker("first", MUTUA_TEST_MAIL_HANG_AT="5")
    procs.wait_for("the 5th email to be handed over", lambda: len(procs.handed()) >= 5)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(10)
    assert len(procs.sent()) == 4

    # 3. The next scheduler turn and a restarted worker do the rest.
    step(procs, "enqueue-tick", "1")
    procs.started(procs.worker("restarted"), "restarted")
    procs.wait_for("29 emails", lambda: len(procs.sent()) >= 29)
    retried = 0  # the 5th is claimed by the dead worker until the claim is stale
    end = time.monotonic() + DEADLINE
    while not retried and time.monotonic() < end:
        time.sleep(0.5)
        retried = step(procs, "retry")
    assert retried == 1
    procs.wait_for("the 30th email", lambda: len(procs.sent()) >= 30)
    assert step(procs, "tick") == 0  # one more turn: nothing left to remind
    procs.wait_for(
        "the worker to finish", lambda: step(procs, "state")["sends"].keys() <= {"SUCCESSFUL", "RUNNING"}
    )
    state = step(procs, "state")
    for proc, _ in procs.workers:
        procs.stop(proc)

    sent = per_message(procs.sent())
    print(
        f"\nmeeting reminders, tick and worker killed: due {len(due)}, reminders {len(state['reminders'])}, "
        f"sent {sum(sent.values())} ({len(sent)} distinct), duplicates {sum(c - 1 for c in sent.values())}; "
        f"9 written before the tick was killed, 4 emails accepted before the worker was killed"
    )
    assert sorted(state["reminders"].values()) == due
    assert set(sent) == set(state["reminders"]) and set(sent.values()) == {1}
    assert state["states"] == {"sent": 30}
    assert state["attempts"] == {"1": 29, "2": 1}  # the email in flight at the kill was tried twice
    assert [t["status"] for t in state["ticks"]] == ["SUCCESSFUL"] and state["ticks"][0]["returned"] == 21


@pytest.mark.slow
def test_two_workers_running_the_tick_at_once_remind_each_member_exactly_once(procs):  # noqa: F811
    due = step(procs, "setup", "60")["due"]
    assert len(due) == 60
    a = procs.worker("a", MUTUA_TEST_MAIL_DELAY="0.02")
    b = procs.worker("b", MUTUA_TEST_MAIL_DELAY="0.02")
    procs.started(a, "a")
    procs.started(b, "b")
    step(procs, "enqueue-tick", "2")  # two turns at once: each worker takes one
    procs.wait_for("60 emails", lambda: len(procs.sent()) >= 60)
    procs.wait_for(
        "every task to finish",
        lambda: (
            {t["status"] for t in step(procs, "state")["ticks"]} == {"SUCCESSFUL"}
            and step(procs, "state")["sends"].keys() == {"SUCCESSFUL"}
        ),
    )
    time.sleep(0.3)  # anything sent twice would arrive now
    state = step(procs, "state")
    procs.stop(a)
    procs.stop(b)

    ticks = state["ticks"]
    overlap = min(t["finished"] for t in ticks) - max(t["started"] for t in ticks)
    sent = per_message(procs.sent())
    print(
        f"\nmeeting reminders, two workers: due {len(due)}, tick turns 2 "
        f"(created {[t['returned'] for t in ticks]}, by {[t['workers'] for t in ticks]}, "
        f"overlapping {overlap:.3f} s), reminders {len(state['reminders'])}, "
        f"sent {sum(sent.values())}, duplicates {sum(c - 1 for c in sent.values())}"
    )
    # Which worker takes which turn is the workers' race (one may take both when it is quicker): the
    # property is exactly-once whoever runs them. The forced race in test_reminders.py pins the
    # interleaving deterministically.
    assert len(ticks) == 2 and {t["workers"][0] for t in ticks} <= {"a", "b"}
    assert sum(t["returned"] for t in ticks) == 60  # between them, each reminder written once
    assert sorted(state["reminders"].values()) == due
    assert set(sent) == set(state["reminders"]) and set(sent.values()) == {1}
    assert state["states"] == {"sent": 60}
