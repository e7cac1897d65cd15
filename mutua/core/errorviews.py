from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string

from mutua.core.access import public


@public
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


@public
def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without context processors: the failure may be the database itself.
    return HttpResponseServerError(render_to_string("500.html"))


@public
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired session or a stale form: say so plainly, in the person's language."""
    return render(request, "403_csrf.html", status=403)
