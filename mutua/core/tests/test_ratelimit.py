"""The shared fixed-window counters behind every throttle (core/ratelimit.py), on the database and,
when a Redis server answers, on Redis."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mutua.core import ratelimit
from mutua.core.models import RateCounter


@pytest.fixture
def clock(monkeypatch):
    """Moves `timezone.now()` forward as the ratelimit module sees it."""
    start = timezone.now()
    state = {"now": start}
    monkeypatch.setattr(ratelimit.timezone, "now", lambda: state["now"])

    def advance(seconds: float) -> None:
        state["now"] = state["now"] + timedelta(seconds=seconds)

    return advance


@pytest.fixture
def redis(settings):
    """Point the limiter at the local Redis, or skip when none answers."""
    import redis as redis_client

    url = "redis://127.0.0.1:6379/15"
    try:
        redis_client.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "no Redis here"
        pytest.skip(f"Redis not reachable at {url}: {exc}")
    settings.REDIS_URL = url
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_hits_count_up_within_a_window(db, clock):
    assert [ratelimit.hit("s", "a@example.org", window=60) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.count("s", "a@example.org") == 3
    # Another identifier or another scope has its own count.
    assert ratelimit.hit("s", "b@example.org", window=60) == 1
    assert ratelimit.hit("t", "a@example.org", window=60) == 1


def test_a_window_that_ended_starts_again_from_one(db, clock):
    for _ in range(4):
        ratelimit.hit("s", "a@example.org", window=60)
    clock(59)
    assert ratelimit.count("s", "a@example.org") == 4
    clock(2)
    assert ratelimit.count("s", "a@example.org") == 0
    assert ratelimit.hit("s", "a@example.org", window=60) == 1
    # The new window is open: it counts on from one, for its own 60 seconds.
    assert ratelimit.hit("s", "a@example.org", window=60) == 2
    assert ratelimit.count("s", "a@example.org") == 2
    assert RateCounter.objects.count() == 1


def test_later_hits_do_not_extend_the_window(db, clock):
    ratelimit.hit("s", "a@example.org", window=60)
    clock(50)
    ratelimit.hit("s", "a@example.org", window=60)
    clock(11)
    assert ratelimit.count("s", "a@example.org") == 0


def test_release_gives_back_one_hit_and_never_goes_below_zero(db, clock):
    ratelimit.hit("s", "a@example.org", window=60)
    ratelimit.hit("s", "a@example.org", window=60)
    ratelimit.release("s", "a@example.org")
    assert ratelimit.count("s", "a@example.org") == 1
    ratelimit.release("s", "a@example.org")
    ratelimit.release("s", "a@example.org")
    assert ratelimit.count("s", "a@example.org") == 0
    ratelimit.reset("s", "a@example.org")
    assert not RateCounter.objects.exists()


def test_the_table_never_holds_the_identifier(db, clock):
    ratelimit.hit("login-email", "someone.private@example.org")
    ratelimit.hit("login-ip", "203.0.113.9")
    keys = " ".join(RateCounter.objects.values_list("key", flat=True))
    assert "someone" not in keys and "example.org" not in keys and "203.0.113" not in keys
    assert keys.count("login-") == 2


def test_windows_that_ended_a_day_ago_are_forgotten(db, clock):
    ratelimit.hit("s", "old@example.org", window=60)
    clock(60 * 60 * 25)
    ratelimit.hit("s", "new@example.org", window=60)
    assert RateCounter.objects.count() == 1


def test_on_redis_the_same_rules_hold_and_the_database_stays_empty(db, redis):
    assert [ratelimit.hit("s", "a@example.org", window=60) for _ in range(3)] == [1, 2, 3]
    ratelimit.release("s", "a@example.org")
    assert ratelimit.count("s", "a@example.org") == 2
    ratelimit.reset("s", "a@example.org")
    assert ratelimit.count("s", "a@example.org") == 0
    assert not RateCounter.objects.exists()
