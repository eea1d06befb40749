"""Live updates cross server processes: a change made through one `pollguard serve` reaches
a map open on another, without reload, on SQLite and on PostgreSQL.

Two real server processes share one database, as behind a load balancer. Every process
answers the live feed from the database (docs/architecture.md), so nothing in memory has to
be shared between them; this test is what shows it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PG_URL = os.environ.get("PG_TEST_URL", "postgres://postgres@127.0.0.1:5432/postgres")
LIVE_WAIT_MS = 6_000  # the bar is 2 s; the rest is room for a loaded CI machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scratch_postgres() -> tuple[str, Any]:
    """A new database on the local server and a function that drops it."""
    psycopg = pytest.importorskip("psycopg")
    name = f"pollguard_live_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(PG_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        if os.environ.get("CI"):
            raise  # scripts/test starts PostgreSQL; in CI its absence is a failure
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")

    def drop() -> None:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{PG_URL.rpartition('/')[0]}/{name}", drop


def wait_until_serving(url: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server exited: {server.communicate()[1]}")
        try:
            with urllib.request.urlopen(f"{url}/accounts/login/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not come up")


@pytest.fixture(params=["sqlite", "postgresql"])
def two_servers(request: Any, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The demo loaded once, then served by two independent processes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env["POLLGUARD_DATA_DIR"] = str(tmp_path / "data")
    drop = None
    if request.param == "postgresql":
        env["DATABASE_URL"], drop = scratch_postgres()
    pollguard = [sys.executable, "-m", "pollguard"]
    loaded = subprocess.run(
        # A scratch database given by DATABASE_URL: not production, as the flag says.
        [*pollguard, "demo", "--no-serve", "--i-know-this-is-not-production"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr

    servers: list[subprocess.Popen[str]] = []
    urls: list[str] = []
    try:
        for _ in range(2):
            port = free_port()
            servers.append(
                subprocess.Popen(
                    [*pollguard, "serve", "--port", str(port)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
            wait_until_serving(urls[-1], servers[-1])
        yield urls[0], urls[1]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        if drop:
            drop()


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"{username}-2010")  # the demo's printed passwords
    page.click("[data-testid=login]")
    page.wait_for_selector("[data-testid=logout]")


def test_a_status_change_made_through_one_server_reaches_a_map_open_on_another(
    two_servers: tuple[str, str], new_context: Any
) -> None:
    server_a, server_b = two_servers

    commander = new_context().new_page()
    log_in(commander, server_a, "cmd-rifai")
    commander.goto(f"{server_a}/map/")
    commander.wait_for_selector("#pg-map[data-ready=true]")
    commander.wait_for_selector("#pg-live-state[data-state=ok]")
    code = sorted(commander.evaluate("window.pollguardMap.codes()"))[0]
    before = commander.evaluate(f"window.pollguardMap.statusOf('{code}')")
    after = "disrupted" if before != "disrupted" else "open"
    commander.evaluate("window.__stillTheSamePage = true")

    ops = new_context().new_page()
    log_in(ops, server_b, "ops")
    ops.goto(f"{server_b}/centers/{code}/")
    ops.select_option("#id_status", after)
    ops.click("[data-testid=status-form] button[type=submit]")
    ops.wait_for_selector(".pg-message--success")

    commander.wait_for_function(
        f"() => window.pollguardMap.statusOf('{code}') === '{after}'", timeout=LIVE_WAIT_MS
    )
    assert commander.evaluate("window.__stillTheSamePage") is True
