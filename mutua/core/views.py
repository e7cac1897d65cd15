from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from mutua.core import health
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


@public
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 `ok`, or 503 naming the part that failed ("database", "tasks") and nothing more: the answer
    is public, so it carries no host names, versions or error messages."""
    # The task queue lives in the database, so it is only checked when the database answers.
    failed = "database" if not health.database_ok() else "tasks" if not health.tasks_ok() else ""
    if failed:
        return HttpResponse(f"unavailable: {failed}", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
