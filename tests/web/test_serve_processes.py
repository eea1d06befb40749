"""`pollguard serve` uses every core: server processes on one socket, supervised.

The real command in a subprocess, on a scratch data folder: it starts the asked number of
waitress processes (children of the command, all accepting on its one socket), starts
another when one dies, and takes them all down with it on SIGTERM.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .served import clean_environment, free_port, scratch_database, wait_for_port

pytestmark = pytest.mark.slow


def server_children(parent: int) -> set[int]:
    """Pids of `pollguard serve` processes whose parent is `parent` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and b"serve" in cmdline:
            found.add(int(entry.name))
    return found


def wait_until(check: object, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(what)


def get(port: int, path: str = "/accounts/login/") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    if not Path("/proc/self/stat").exists():
        pytest.skip("reads the process tree from /proc (Linux)")
    env = clean_environment()
    database, drop = scratch_database("serve")
    if database:
        env["DATABASE_URL"] = database
    env.update(
        POLLGUARD_DATA_DIR=str(tmp_path / "data"),
        POLLGUARD_SECRET_KEY="serve-test-secret-key-" + uuid.uuid4().hex,
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "pollguard", "serve", "--port", str(port), "--processes", "2",
         "--no-worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for_port(port, process, "pollguard serve")
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        drop()


def test_serve_starts_the_asked_processes_on_one_port_and_replaces_one_that_dies(
    served: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = served
    wait_until(lambda: len(server_children(process.pid)) == 2, "two server processes")
    first = server_children(process.pid)
    assert all(get(port) == 200 for _ in range(20))

    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    wait_until(
        lambda: len(server_children(process.pid) - {victim}) == 2,
        "a new server process in place of the killed one",
    )
    assert all(get(port) == 200 for _ in range(20))
    assert process.poll() is None


def test_sigterm_stops_the_server_and_every_process_it_started(
    served: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = served
    wait_until(lambda: len(server_children(process.pid)) == 2, "two server processes")
    children = server_children(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0

    def gone() -> bool:
        return not any(Path(f"/proc/{pid}").exists() for pid in children)

    wait_until(gone, f"server processes {children} still running after SIGTERM")
    with pytest.raises(ConnectionRefusedError):
        get(port)
