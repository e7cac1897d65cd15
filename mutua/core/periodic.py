"""Time-driven work: `@periodic("*/5 * * * *")` above `@task` puts a task on django-crontask's schedule.

`manage.py crontask` (exactly one per installation; `make run` starts it) enqueues the task at those
times, and the task workers (`manage.py db_worker`, as many as wanted) run it like any other task.
Each app declares its own jobs in its `tasks.py`, which crontask imports at start; the full list is
pinned by `mutua/core/tests/test_periodic.py` and shown in docs/deploy.md. Every periodic task must be
idempotent: a tick may run late, twice (a scheduler restarted mid-minute) or not at all (no scheduler
for a while), and the next one must set things right.

This wrapper exists for two reasons: crontask ships no type information (its decorator would make
every task untyped under mypy's strict mode), and a crontab string is the only form allowed, so every
schedule reads the same way.
"""

from collections.abc import Callable
from typing import Any, cast

import crontask
from django.tasks import Task


def periodic[T](crontab: str) -> Callable[[Task[[], T]], Task[[], T]]:
    """Run the decorated task, which takes no arguments, at the times of `crontab` ("minute hour day
    month weekday", the weekday as Mon…Sun or *), in the site's time zone (TIME_ZONE)."""

    def decorator(task: Task[[], T]) -> Task[[], T]:
        register: Callable[[Task[Any, Any]], Task[Any, Any]] = crontask.cron(crontab)
        return cast("Task[[], T]", register(task))

    return decorator
