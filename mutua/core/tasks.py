"""Daily housekeeping on the one schedule (decision 0017)."""

from django.core.management import call_command
from django.tasks import default_task_backend, task
from django_tasks_db.backend import DatabaseBackend

from mutua.core.periodic import periodic


@periodic("17 3 * * *")
@task
def prune_task_results() -> None:
    """Every night: forget finished background tasks after 14 days (every periodic turn is a task row;
    failed ones are kept 30 days for a look)."""
    if not isinstance(default_task_backend, DatabaseBackend):
        return  # tasks run inline (TASKS_BACKEND=immediate): no table to prune
    call_command(
        "prune_db_task_results", min_age_days=14, failed_min_age_days=30, queue_name="*", verbosity=0
    )


@periodic("27 3 * * *")
@task
def clear_sessions() -> None:
    """Every night: delete expired sessions (docs/deploy.md asked hosts to run this by hand)."""
    call_command("clearsessions", verbosity=0)
