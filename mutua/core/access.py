"""Access markers: every view declares who may reach it, and one gate guards everything in a group.

A test walks every URL pattern and fails when a view carries no marker, so forgetting to decide
is impossible. The markers also drive `MutuaLoginRequiredMiddleware`: login is the default.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

ACCESS_ATTR = "mutua_access"

PUBLIC = "public"  # anyone, no account needed
ACCOUNT = "account"  # any signed-in person
CIRCLE = "circle"  # set by circles.policies.circle_view, which calls access_circle(); outsiders get 404


def mark[V: Callable[..., Any]](view: V, kind: str) -> V:
    """Set a view's marker. `CIRCLE` is set only by `circles.policies.circle_view`, which calls the
    gate first; a test fails for any view marked CIRCLE that the decorator did not produce."""
    setattr(view, ACCESS_ATTR, kind)
    return view


def public[V: Callable[..., Any]](view: V) -> V:
    return mark(login_not_required(view), PUBLIC)


def account[V: Callable[..., Any]](view: V) -> V:
    return mark(view, ACCOUNT)


def user_id(request: HttpRequest) -> int:
    """The signed-in person's primary key (views marked `account` or `circle` always have one)."""
    pk = request.user.pk
    if pk is None:
        raise PermissionDenied
    return int(pk)
