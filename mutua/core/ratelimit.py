"""A small fixed-window limiter on the shared cache (Redis in production, local memory by default)."""

from django.conf import settings
from django.core.cache import cache


def _key(scope: str, ident: str) -> str:
    return f"rl:{scope}:{ident}"


def is_limited(scope: str, ident: str, limit: int | None = None) -> bool:
    limit = limit or settings.LOGIN_RATE_LIMIT
    return int(cache.get(_key(scope, ident), 0)) >= limit


def hit(scope: str, ident: str) -> int:
    key = _key(scope, ident)
    window = settings.LOGIN_RATE_WINDOW_SECONDS
    # add() only sets when absent, so the window starts at the first failure and is not extended.
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:
        cache.set(key, 1, timeout=window)
        return 1


def reset(scope: str, ident: str) -> None:
    cache.delete(_key(scope, ident))
