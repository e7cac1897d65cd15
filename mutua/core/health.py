"""The reads behind /healthz: does the database answer, is the task queue being worked."""

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            row: tuple[object, ...] | None = cursor.fetchone()
            return row == (1,)
    except DatabaseError:
        return False


def tasks_ok() -> bool:
    """The task table answers and its oldest ready task has not waited too long. Only for the database
    backend: with the immediate backend there is no queue to fall behind."""
    if not isinstance(task_backends["default"], DatabaseBackend):
        return True
    limit = timezone.now() - timedelta(seconds=settings.HEALTHZ_TASK_MAX_WAIT_SECONDS)
    ready = DBTaskResult.objects.ready()
    try:
        # A task waits from when it was enqueued, or from its run_after when it was scheduled.
        overdue = ready.filter(
            Q(run_after=get_date_max(), enqueued_at__lt=limit) | Q(run_after__lt=limit)
        ).exists()
    except DatabaseError:
        return False
    return not overdue
