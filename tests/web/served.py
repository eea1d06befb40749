"""Running the deployed processes in tests: a scratch database, free ports, waiting for them.

Tests that depend on the server or the worker (proxies, background jobs) start the real
`pollguard serve` / `pollguard worker` as subprocesses against their own data folder, on
SQLite, or on a scratch PostgreSQL database when DATABASE_URL is set (dropped afterwards).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Callable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scratch_database(prefix: str) -> tuple[str | None, Callable[[], None]]:
    """SQLite (None) by default; a new PostgreSQL database when DATABASE_URL is set."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None, lambda: None
    import psycopg

    server, _, _ = url.rpartition("/")
    name = f"pollguard_{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{server}/{name}", drop


def clean_environment() -> dict[str, str]:
    """The test process's environment without any pollguard or Django setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLLGUARD_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    return env


def wait_for_port(port: int, process: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited: {process.communicate()[1]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{what} did not start listening on {port}")
