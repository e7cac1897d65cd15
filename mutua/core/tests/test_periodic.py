"""The one scheduler (decision 0017): exactly these periodic tasks are on django-crontask's schedule,
each scheduled turn queues its task for the workers, `manage.py crontask` finds them all and stops
on SIGTERM, and `make run` starts it beside the worker."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import crontask
import pytest
from crontask.management.commands.crontask import Command as CrontaskCommand
from django.conf import settings as django_settings
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

ROOT = Path(django_settings.BASE_DIR)

# The schedule, in one place for a reader (each line's source is the `@periodic` in that tasks.py).
SCHEDULE = {
    "mutua.circles.tasks.seat_offers_tick": "*/5 * * * *",
    "mutua.circles.tasks.join_requests_tick": "*/5 * * * *",
    "mutua.matching.tasks.proposals_tick": "*/5 * * * *",
    "mutua.meetings.tasks.meeting_reminders": "*/5 * * * *",
    "mutua.governance.tasks.proposals_close_due": "*/5 * * * *",
    "mutua.notifications.tasks.emails_retry": "*/15 * * * *",
    "mutua.governance.role_tasks.roles_tick": "*/15 * * * *",
    "mutua.core.tasks.prune_task_results": "17 3 * * *",
    "mutua.core.tasks.clear_sessions": "27 3 * * *",
    "mutua.circles.tasks.directory_slots_refresh": "37 3 * * *",
    "mutua.governance.tasks.dissolved_groups_purge": "47 3 * * *",
}


def scheduled_jobs() -> dict[str, object]:
    """Every job on the schedule after loading each app's tasks.py exactly as `manage.py crontask`
    does, by the dotted path of the task it queues (crontask's own heartbeat left out)."""
    CrontaskCommand(stdout=io.StringIO()).load_tasks({})
    jobs = {job.func.__self__.module_path: job for job in crontask.scheduler.get_jobs()}
    return {path: job for path, job in jobs.items() if not path.startswith("crontask.")}


def crontab(job: object) -> str:
    fields = {f.name: str(f) for f in job.trigger.fields}
    return "{minute} {hour} {day} {month} {day_of_week}".format(**fields)


def test_the_schedule_is_exactly_these_jobs():
    assert {path: crontab(job) for path, job in scheduled_jobs().items()} == SCHEDULE


def test_each_turn_queues_its_task_for_the_workers_and_the_task_runs(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for path, job in scheduled_jobs().items():
        job.func()  # what the scheduler does at each turn
        queued = DBTaskResult.objects.filter(task_path=path, status="READY")
        assert queued.count() == 1, path  # queued, not run in the scheduler's process
    assert DBTaskResult.objects.count() == len(SCHEDULE)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    for path in SCHEDULE:
        import_string(path).call()  # and each runs on an empty site without an error


@pytest.mark.slow
def test_the_scheduler_command_loads_every_app_and_stops_on_sigterm(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    out = tmp_path / "crontask.log"
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "crontask", "--no-heartbeat"],
        cwd=ROOT,
        env=env,
        stdout=out.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(300):
            if "Starting scheduler" in out.read_text() or proc.poll() is not None:
                break
            time.sleep(0.05)
        text = out.read_text()
        assert "Starting scheduler" in text, text
        for app in ("mutua.circles", "mutua.matching", "mutua.meetings", "mutua.notifications", "mutua.core"):
            assert f"Loaded tasks from {app}." in text
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(10) == 0
        assert "Shutting down scheduler" in out.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def test_make_run_starts_the_scheduler_beside_the_worker_and_stops_both():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun:\n", 1)[1].split("\n\n", 1)[0]
    assert "manage.py db_worker & W=$$!" in run
    assert "manage.py crontask --no-heartbeat >/dev/null & S=$$!" in run
    assert 'trap "kill $$W $$S" EXIT' in run


def test_the_scheduler_lock_uses_redis_when_it_is_configured():
    code = "import django; django.setup(); from django.conf import settings; print(settings.CRONTASK)"
    for redis_url, expected in (
        ("", "{'REDIS_URL': None}"),
        ("redis://cache:6379/1", "redis://cache:6379/1"),
    ):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mutua.settings", "REDIS_URL": redis_url}
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        assert expected in done.stdout
