"""Time-driven work: a small loop that runs registered jobs every so often (`manage.py run_scheduler`).

Jobs are registered in ONE place, `settings.MUTUA_SCHEDULED_JOBS`, as (dotted path of a function
taking no arguments, interval in seconds). Paths are imported when the scheduler starts, so `core`
depends on no app above it. Every job must be idempotent (running it twice, or after a pause, does no
harm): the scheduler keeps no state between restarts and runs every job once at start. Run one
scheduler per installation (`make run` starts it); a second one would only repeat idempotent work.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass
class Job:
    path: str
    every: float
    func: Callable[[], object] = field(repr=False)
    next_run: float = 0.0


def registered_jobs() -> list[Job]:
    return [Job(path, float(every), import_string(path)) for path, every in settings.MUTUA_SCHEDULED_JOBS]


def run_due(jobs: list[Job], now: float) -> list[str]:
    """Run every job whose time has come; a failing job is logged and retried at its next turn, and
    never stops the others."""
    ran = []
    for job in jobs:
        if job.next_run > now:
            continue
        job.next_run = now + job.every
        close_old_connections()
        try:
            job.func()
        except Exception:
            logger.exception("scheduled job %s failed", job.path)
        ran.append(job.path)
    close_old_connections()
    return ran


def run_forever(
    jobs: list[Job],
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    keep_going: Callable[[], bool] = lambda: True,
    poll_seconds: float = 5.0,
) -> None:
    while keep_going():
        run_due(jobs, clock())
        sleep(poll_seconds)
