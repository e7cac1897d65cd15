"""Fixed-window counters shared by every worker process.

Counters live in the database by default (table `core_ratecounter`), so N app servers or gunicorn
workers see one count, not N. When `REDIS_URL` is set they live in Redis instead (atomic INCR through
Django's cache). The identifier (an email address, an IP address, a person and a group) is stored only
as a keyed hash: the table never says who tried to log in.

Windows are fixed: the first hit opens a window of `window` seconds; later hits do not extend it.
"""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from mutua.core.models import RateCounter


def _key(scope: str, ident: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{scope}\x00{ident}".encode(), hashlib.sha256)
    return f"{scope}:{digest.hexdigest()[:64]}"


def _window(window: int | None) -> int:
    return int(window or settings.LOGIN_RATE_WINDOW_SECONDS)


def _use_redis() -> bool:
    return bool(getattr(settings, "REDIS_URL", ""))


def count(scope: str, ident: str) -> int:
    """The number of hits in the current window (0 when none is open)."""
    key = _key(scope, ident)
    if _use_redis():
        return int(cache.get(f"rl:{key}", 0))
    value = (
        RateCounter.objects.filter(key=key, window_ends__gt=timezone.now())
        .values_list("count", flat=True)
        .first()
    )
    return int(value or 0)


def hit(scope: str, ident: str, *, window: int | None = None) -> int:
    """Count one more hit and return the count in the current window (atomic across processes)."""
    seconds = _window(window)
    key = _key(scope, ident)
    if _use_redis():
        # add() only sets when absent, so the window starts at the first hit and is not extended.
        cache.add(f"rl:{key}", 0, timeout=seconds)
        try:
            return int(cache.incr(f"rl:{key}"))
        except ValueError:
            cache.set(f"rl:{key}", 1, timeout=seconds)
            return 1
    now = timezone.now()
    with transaction.atomic():
        # One UPDATE … SET count = count + 1 is atomic on PostgreSQL and on SQLite.
        if RateCounter.objects.filter(key=key, window_ends__gt=now).update(count=F("count") + 1):
            return int(RateCounter.objects.values_list("count", flat=True).get(key=key))
        ends = now + timedelta(seconds=seconds)
        # The window is absent or over: restart it. Only one process wins the conditional update.
        if RateCounter.objects.filter(key=key, window_ends__lte=now).update(count=1, window_ends=ends):
            return 1
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, count=1, window_ends=ends)
        except IntegrityError:
            # Another process created it between our two statements: count on top of theirs.
            RateCounter.objects.filter(key=key).update(count=F("count") + 1)
            return int(RateCounter.objects.values_list("count", flat=True).get(key=key))
        # Keep the table small: forget windows that ended a day ago (indexed delete).
        RateCounter.objects.filter(window_ends__lt=now - timedelta(days=1)).delete()
        return 1


def release(scope: str, ident: str) -> None:
    """Give back one hit of the current window (never below zero).

    For callers that count an attempt *before* doing the work, so that concurrent attempts cannot all
    pass a check made before any of them was counted, and then find the attempt should not count
    (a login that succeeded does not use up the address's failures)."""
    key = _key(scope, ident)
    if _use_redis():
        try:
            if cache.decr(f"rl:{key}") < 0:
                cache.delete(f"rl:{key}")
        except ValueError:
            pass
        return
    RateCounter.objects.filter(key=key, window_ends__gt=timezone.now(), count__gt=0).update(
        count=F("count") - 1
    )


def reset(scope: str, ident: str) -> None:
    key = _key(scope, ident)
    if _use_redis():
        cache.delete(f"rl:{key}")
        return
    RateCounter.objects.filter(key=key).delete()
