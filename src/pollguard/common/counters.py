"""Counters shared by every server process: rate-limit windows, change generations.

`pollguard serve` runs one process per core, and Django's default cache is per process, so
a count kept there would be split between processes (a rate limit would let through N times
its figure, a change seen by one process would not reach the others). With
`POLLGUARD_CACHE_URL` (Redis) the counters are the cache's own `add`/`incr`, atomic in
Redis. Without it they live in a small SQLite file in the data folder (`counters.sqlite3`,
apart from the main database so counting never waits for its write lock), incremented by
one atomic `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` statement. The file holds
nothing worth keeping: it is not synced to disk at every write and may be deleted any time.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

_local = threading.local()
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS counters "
    "(key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL)"
)
_INCR = (
    "INSERT INTO counters (key, value, expires) VALUES (?1, 1, ?2) "
    "ON CONFLICT (key) DO UPDATE SET "
    " value = CASE WHEN expires IS NOT NULL AND expires <= ?3 THEN 1 ELSE value + 1 END, "
    " expires = CASE WHEN expires IS NOT NULL AND expires <= ?3 THEN ?2 ELSE expires END "
    "RETURNING value"
)
_SWEEP_EVERY = 2000  # increments between removals of expired counters (per thread)


def _shared_cache() -> bool:
    return bool(settings.POLLGUARD_CACHE_URL)


def _db() -> sqlite3.Connection:
    path = Path(settings.POLLGUARD_COUNTERS_FILE)
    conn: sqlite3.Connection | None = getattr(_local, "conn", None)
    if conn is None or getattr(_local, "path", None) != path:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute(_SCHEMA)
        _local.conn, _local.path, _local.calls = conn, path, 0
    return conn


def incr(key: str, *, ttl: float | None) -> int:
    """Add one to `key` and return its new value; a counter `ttl` seconds old starts again."""
    if _shared_cache():
        timeout = None if ttl is None else int(ttl) + 1
        if cache.add(key, 1, timeout=timeout):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr: a new window
            cache.set(key, 1, timeout=timeout)
            return 1
    now = time.time()
    conn = _db()
    row = conn.execute(_INCR, (key, None if ttl is None else now + ttl, now)).fetchone()
    _local.calls += 1
    if _local.calls % _SWEEP_EVERY == 0:
        conn.execute("DELETE FROM counters WHERE expires IS NOT NULL AND expires <= ?", (now,))
    return int(row[0])


def get(key: str) -> int:
    """The counter's value (0 when it was never counted or has expired)."""
    if _shared_cache():
        return int(cache.get(key) or 0)
    row = (
        _db()
        .execute(
            "SELECT value FROM counters WHERE key = ? AND (expires IS NULL OR expires > ?)",
            (key, time.time()),
        )
        .fetchone()
    )
    return int(row[0]) if row else 0


def clear() -> None:
    """Forget every counter (tests; a fresh start)."""
    if _shared_cache():
        cache.clear()
    else:
        _db().execute("DELETE FROM counters")
