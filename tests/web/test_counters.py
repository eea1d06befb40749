"""Counters shared by server processes (`pollguard.common.counters`), on the SQLite file.

Every connection to the file is another process's view of it: increments from many threads,
each with its own connection, are all counted; a counter past its time starts again.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

from pollguard.common import counters


def test_increments_from_many_connections_are_each_counted() -> None:
    counters.clear()

    def count() -> None:
        for _ in range(200):
            counters.incr("t:parallel", ttl=60)

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counters.get("t:parallel") == 1600
    # Another process opening the file sees the same figure.
    with sqlite3.connect(Path(settings.POLLGUARD_COUNTERS_FILE)) as other:
        row = other.execute("SELECT value FROM counters WHERE key = 't:parallel'").fetchone()
    assert row == (1600,)


def test_a_counter_past_its_time_starts_again_and_one_without_a_time_does_not() -> None:
    counters.clear()
    assert counters.incr("t:window", ttl=-1) == 1  # already past its window
    assert counters.get("t:window") == 0
    assert counters.incr("t:window", ttl=60) == 1
    assert counters.incr("t:window", ttl=60) == 2
    assert [counters.incr("t:forever", ttl=None) for _ in range(3)] == [1, 2, 3]
    assert counters.get("t:never") == 0


def test_with_a_cache_server_the_cache_counts(settings: Any) -> None:
    # Redis on 127.0.0.1:6379 (scripts/test starts it): add/incr there, not in the file.
    settings.POLLGUARD_CACHE_URL = "redis://127.0.0.1:6379/7"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.POLLGUARD_CACHE_URL,
        }
    }
    from django.core.cache import caches

    caches["default"].clear()
    try:
        assert [counters.incr("t:redis", ttl=60) for _ in range(3)] == [1, 2, 3]
        assert counters.get("t:redis") == 3
        assert caches["default"].get("t:redis") == 3
    finally:
        caches["default"].clear()
