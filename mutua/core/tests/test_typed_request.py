"""`AuthenticatedHttpRequest` tells mypy that `request.user` is a person. It checks nothing at run time,
so it may only annotate views that the login requirement guards (docs/decisions/0016): pages not
marked public, and API operations with authentication."""

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, get_resolver

from mutua.core.access import ACCESS_ATTR, PUBLIC
from mutua.core.http import AuthenticatedHttpRequest

API_PREFIX = "api/v1/"
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "dispatch")


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Callable[..., Any]]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _request_annotation(func: Callable[..., Any]) -> Any:
    params = inspect.signature(inspect.unwrap(func), eval_str=True).parameters
    return params["request"].annotation if "request" in params else None


def _page_functions(view: Callable[..., Any]) -> list[Callable[..., Any]]:
    """The function itself, or a class-based view's handlers."""
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return [view]
    return [getattr(view_class, name) for name in HTTP_METHODS if name in vars(view_class)]


def _api_operations() -> Iterator[tuple[str, Any]]:
    """Each django-ninja operation: its URL pattern's view closes over the PathView holding them."""
    for route, callback in _routes(get_resolver().url_patterns):
        if not route.startswith(API_PREFIX) or not inspect.isfunction(callback):
            continue
        path_view = inspect.getclosurevars(callback).nonlocals.get("self")
        for operation in getattr(path_view, "operations", []):
            yield route, operation


def test_the_typed_request_is_a_plain_django_request():
    # No behaviour of its own: only the annotation of `user` differs.
    assert issubclass(AuthenticatedHttpRequest, HttpRequest)
    assert set(vars(AuthenticatedHttpRequest)) - set(vars(HttpRequest)) <= {
        "__annotations__",
        "__annotate__",
        "__doc__",
        "__module__",
        "__qualname__",
        "__firstlineno__",
        "__static_attributes__",
    }


def test_pages_with_a_typed_request_are_not_public():
    typed, public = [], []
    for route, view in _routes(get_resolver().url_patterns):
        if route.startswith(API_PREFIX):
            continue
        if any(_request_annotation(f) is AuthenticatedHttpRequest for f in _page_functions(view)):
            typed.append(route)
            if getattr(view, ACCESS_ATTR, PUBLIC) == PUBLIC:
                public.append(route)
    assert typed, "no page uses AuthenticatedHttpRequest: the walk found nothing to check"
    assert public == []


def test_api_operations_with_a_typed_request_require_authentication():
    operations = list(_api_operations())
    assert len(operations) > 20, "the walk no longer finds django-ninja's operations"
    typed = [
        (route, op)
        for route, op in operations
        if _request_annotation(op.view_func) is AuthenticatedHttpRequest
    ]
    assert typed, "no API operation uses AuthenticatedHttpRequest: the walk found nothing to check"
    unauthenticated = [f"{op.methods} {route}" for route, op in typed if not op.auth_callbacks]
    assert unauthenticated == []
