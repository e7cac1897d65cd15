"""Exactly once with real worker processes (`manage.py db_worker`) on a database they share with the
test: a worker killed with SIGKILL in the middle of a batch and then restarted, two workers on one
batch at once, and a local mail server that refuses and then accepts. Each prints its figures (due
vs sent) for `pytest -s`.

On SQLite the test database lives in memory, which no other process can open, so the processes share
a migrated temporary file; on PostgreSQL they share the test database itself (transactional_db
empties it afterwards). Every process has a timeout and is killed when the test ends."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from mutua.notifications.tests.harness import SMTPResponder, read_lines

# On PostgreSQL the processes share the test database, committed (a transactional test, emptied after).
pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(django_settings.BASE_DIR)
CLAIM_TIMEOUT = 2  # seconds, for these tests: a killed worker's claim is taken again soon
DEADLINE = 30  # seconds any single wait may last


def _pg() -> bool:
    return django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _base_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="mutua.settings",
        DATABASE_URL=database_url,
        TASKS_BACKEND="db",
        REDIS_URL="",
        LOG_LEVEL="WARNING",
        MUTUA_EMAIL_CLAIM_TIMEOUT_SECONDS=str(CLAIM_TIMEOUT),
    )
    return env


def _step(env: dict[str, str], *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "mutua.notifications.tests.harness", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    _step(_base_env(f"sqlite:///{path}"), "migrate")
    return path


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if _pg():
        from django.db import connection

        s = connection.settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    template: Path = request.getfixturevalue("sqlite_template")
    path = tmp_path / "shared.sqlite3"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


class Processes:
    """The workers and steps of one test, sharing one database and one mail log."""

    def __init__(self, database_url: str, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.sent_log = tmp_path / "sent.log"
        self.env = _base_env(database_url)
        self.env.update(
            EMAIL_BACKEND="mutua.notifications.tests.harness.SlowFileBackend",
            MUTUA_TEST_MAIL_LOG=str(self.sent_log),
        )
        self.workers: list[tuple[subprocess.Popen[bytes], Path]] = []

    def step(self, *args: str, **env: str) -> Any:
        return _step({**self.env, **env}, *args)

    def worker(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        log = self.tmp_path / f"worker-{name}.log"
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
            + ["--interval", "0.05", "--worker-id", name, "--verbosity", "1"],
            env={**self.env, **env},
            cwd=ROOT,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed whole, never leaked
        )
        self.workers.append((proc, log))
        return proc

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-2000:]}" for _, log in self.workers)

    def wait_for(self, what: str, condition: Callable[[], bool], timeout: float = DEADLINE) -> None:
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                pytest.fail(f"timed out waiting for {what}\n{self.logs()}")
            for proc, _ in self.workers:
                assert proc.poll() is None or proc.returncode in (0, -signal.SIGKILL), self.logs()
            time.sleep(0.005)

    def started(self, proc: subprocess.Popen[bytes], name: str) -> None:
        log = self.tmp_path / f"worker-{name}.log"
        self.wait_for(f"worker {name} to start", lambda: "Starting worker" in log.read_text())

    def stop(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)

    def close(self) -> None:
        for proc, _ in self.workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)

    def sent(self) -> list[str]:
        return read_lines(self.sent_log)

    def handed(self) -> list[str]:
        return read_lines(self.sent_log.with_suffix(".started"))


@pytest.fixture
def procs(database_url: str, tmp_path: Path) -> Iterator[Processes]:
    p = Processes(database_url, tmp_path)
    try:
        yield p
    finally:
        p.close()  # before the database is emptied or deleted


def per_message(lines: list[str]) -> Counter[str]:
    return Counter(line.split(" ", 1)[1] for line in lines)


@pytest.mark.slow
def test_a_worker_killed_mid_batch_and_restarted_emails_each_reminder_exactly_once(procs):
    batch = procs.step("remind", "30")
    due = batch["due"]  # Message-ID → once_key
    assert len(due) == 30 and batch["created_again"] == 0  # a second turn of the job made nothing

    first = procs.worker("first", MUTUA_TEST_MAIL_HANG_AT="10")
    procs.wait_for("the 10th email to be handed to the mail server", lambda: len(procs.handed()) >= 10)
    os.killpg(first.pid, signal.SIGKILL)  # mid-send: the 10th was handed over, never accepted
    first.wait(10)
    assert len(procs.sent()) == 9 and len(procs.handed()) == 10
    in_flight = set(per_message(procs.handed())) - set(per_message(procs.sent()))
    assert len(in_flight) == 1

    procs.started(procs.worker("restarted"), "restarted")
    procs.wait_for("the other 20 emails", lambda: len(procs.sent()) >= 29)
    # The 10th is still claimed by the dead worker; once the claim is stale, the retry job (every 15
    # minutes in production) queues it again and the restarted worker sends it.
    retried = 0
    end = time.monotonic() + DEADLINE
    while not retried and time.monotonic() < end:
        time.sleep(0.5)
        retried = procs.step("retry")
    assert retried == 1
    procs.wait_for("the 10th email", lambda: len(procs.sent()) >= 30)
    procs.wait_for(
        "every task to finish", lambda: set(procs.step("state")["tasks"]) <= {"SUCCESSFUL", "RUNNING"}
    )
    state = procs.step("state")
    for proc, _ in procs.workers:
        procs.stop(proc)

    sent = per_message(procs.sent())
    print(
        f"\nkilled mid-batch: due {len(due)}, sent {sum(sent.values())} "
        f"({len(sent)} distinct, {sum(c - 1 for c in sent.values())} duplicates); "
        f"accepted before the kill 9, in flight 1"
    )
    assert set(sent) == set(due) and set(sent.values()) == {1}
    assert state["states"] == {"sent": 30}
    assert sorted(state["attempts"].values()) == [1] * 29 + [2]  # the killed one was tried twice
    assert state["attempts"][due[in_flight.pop()]] == 2


@pytest.mark.slow
def test_two_workers_on_one_batch_email_each_reminder_exactly_once(procs):
    a, b = procs.worker("a", MUTUA_TEST_MAIL_DELAY="0.1"), procs.worker("b", MUTUA_TEST_MAIL_DELAY="0.1")
    procs.started(a, "a")
    procs.started(b, "b")
    # Every email is queued twice, one task after the other (as when the retry job queues again an
    # email whose first task is still waiting): the two workers take the two tasks of one email at
    # the same moment.
    due = procs.step("remind", "30", "twice")["due"]
    procs.wait_for("30 emails", lambda: len(procs.sent()) >= 30)
    procs.wait_for("every task to finish", lambda: set(procs.step("state")["tasks"]) == {"SUCCESSFUL"})
    state = procs.step("state")
    procs.stop(a)
    procs.stop(b)

    sent = per_message(procs.sent())
    senders = Counter(line.split(" ", 1)[0] for line in procs.sent())
    print(
        f"\ntwo workers: due {len(due)}, tasks {sum(state['tasks'].values())}, sent {sum(sent.values())} "
        f"({sum(c - 1 for c in sent.values())} duplicates), by worker {sorted(senders.values())}, "
        f"tasks that found the email taken {state['returned'].get('false', 0)}"
    )
    assert state["tasks"] == {"SUCCESSFUL": 60} and state["workers"] == ["a", "b"]
    assert set(sent) == set(due) and set(sent.values()) == {1}
    assert len(senders) == 2  # both workers sent some
    assert state["states"] == {"sent": 30} and set(state["attempts"].values()) == {1}
    assert state["returned"] == {"true": 30, "false": 30}


@pytest.mark.slow
def test_a_refusing_mail_server_is_retried_with_backoff_until_it_accepts(procs):
    smtp = SMTPResponder(["421", "451"])  # refused at the greeting, then at the sender, then accepted
    try:
        procs.env.update(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            MUTUA_EMAIL_BACKOFF_SECONDS="1,2,4",
        )
        procs.started(procs.worker("w"), "w")
        due = procs.step("remind", "1")["due"]
        procs.wait_for("the mail server to accept the email", lambda: len(smtp.accepted) >= 1)
        procs.wait_for("every task to finish", lambda: set(procs.step("state")["tasks"]) == {"SUCCESSFUL"})
        state = procs.step("state")
        time.sleep(0.5)  # anything sent twice would arrive now
        pauses = [round(b - a, 1) for a, b in zip(smtp.sessions, smtp.sessions[1:], strict=False)]
        print(
            f"\nrefusing server: due {len(due)}, sessions {len(smtp.sessions)} (2 refused), "
            f"accepted {len(smtp.accepted)}, pauses {pauses} s"
        )
        assert len(smtp.sessions) == 3 and len(smtp.accepted) == 1
        assert pauses[0] >= 1.0 and pauses[1] >= 2.0  # at least the configured pauses, in order
        assert state["states"] == {"sent": 1} and list(state["attempts"].values()) == [3]
        assert next(iter(due)).encode() in smtp.accepted[0]  # its Message-ID
    finally:
        smtp.close()
