from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.tasks import task_backends
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from mutua.core.access import public


@public
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # The page needs no data. Should it ever show groups, the view belongs in circles (with a
    # selector there): core depends on no app above it (core/tests/test_layering.py).
    return render(request, "core/home.html")


@public
@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            row: tuple[object, ...] | None = cursor.fetchone()
            return row == (1,)
    except DatabaseError:
        return False


def _tasks_ok() -> bool:
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


@public
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 `ok`, or 503 naming the part that failed ("database", "tasks") and nothing more: the answer
    is public, so it carries no host names, versions or error messages."""
    # The task queue lives in the database, so it is only checked when the database answers.
    failed = "database" if not _database_ok() else "tasks" if not _tasks_ok() else ""
    if failed:
        return HttpResponse(f"unavailable: {failed}", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
