"""`pollguard serve`: the web application under waitress, static files by whitenoise.

One waitress process holds one core (Python's GIL): measured through `pollguard serve`, a
bare authenticated request answered 225/s while it costs 2 ms inside Django. So on Linux and
macOS the server binds its socket once and starts one waitress process per usable core
(`--processes`, `POLLGUARD_SERVE_PROCESSES`), each accepting on that shared socket, each with
its threads. Every process is the same waitress with the same trusted-proxy options, so the
proxy, HTTPS and throttling behaviour is that of one (sessions, throttling and the live feed
live in the database, shared by all). The parent supervises: a process that dies is started
again, and Ctrl+C or SIGTERM stops them all, the background-job worker included. Where file
descriptors cannot be handed to a child (Windows) it serves in one process.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

LISTEN_FD_ENV = "POLLGUARD_SERVE_LISTEN_FD"


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the web server",
        description="Serve pollguard with waitress (production-grade WSGI server).",
    )
    add_server_arguments(parser)
    parser.set_defaults(run=run)


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument("--threads", type=int, default=8, help="threads per server process")
    parser.add_argument(
        "--processes",
        type=int,
        default=None,
        metavar="N",
        help="server processes sharing the socket (default: one per usable core; "
        "POLLGUARD_SERVE_PROCESSES)",
    )
    parser.add_argument(
        "--worker",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="start a background-job worker with beat beside the server (default: yes "
        "on the embedded transport, no with POLLGUARD_BROKER_URL; POLLGUARD_SERVE_WORKER)",
    )


def usable_cores() -> int:
    """Cores this process may run on (a container's or taskset's limit, not the machine's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def serve(
    host: str,
    port: int,
    threads: int,
    worker: bool | None = None,
    processes: int | None = None,
) -> int:
    """Serve until interrupted; refuses to start without a secret key."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.SECRET_KEY  # noqa: B018 - Django raises here when the key is empty
    except ImproperlyConfigured:
        print(
            "pollguard serve: no secret key. Set POLLGUARD_SECRET_KEY or "
            "POLLGUARD_SECRET_KEY_FILE (or run `pollguard demo` for a local demo).",
            file=sys.stderr,
        )
        return 1
    inherited = os.environ.get(LISTEN_FD_ENV, "")
    if inherited:
        # A server process started by the parent below: serve on the socket it bound, and
        # end with the parent.
        from pollguard.commands.worker import watch_parent

        watch_parent()
        return _run_waitress(socket.socket(fileno=int(inherited)), threads)
    count = processes or settings.POLLGUARD_SERVE_PROCESSES or usable_cores()
    if os.name != "posix":
        count = 1
    prune_events()
    try:
        listener = socket.create_server((host, port), backlog=2048)
    except OSError as exc:
        print(f"pollguard serve: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        return 1
    from pollguard.commands.worker import start_workers, stop_workers

    with_worker = settings.POLLGUARD_SERVE_WORKER if worker is None else worker
    # A separate process: the planner must never run in a web thread (design.md section 4).
    children = start_workers(1, beat=True, loglevel="WARNING") if with_worker else []
    print(f"serving on http://{host}:{port}/  (Ctrl+C stops)", flush=True)
    if children:
        print("background jobs: one worker with beat started (pollguard worker)", flush=True)
    try:
        if count == 1:
            return _run_waitress(listener, threads)
        print(f"{count} server processes, {threads} threads each", flush=True)
        return _supervise(listener, count, threads)
    finally:
        stop_workers(children)


def _run_waitress(listener: socket.socket, threads: int) -> int:
    import waitress

    from pollguard.web.wsgi import application

    server = waitress.create_server(
        application, sockets=[listener], threads=threads, ident="pollguard", **proxy_options()
    )
    server.run()
    return 0


def _server_command(threads: int) -> list[str]:
    return [sys.executable, "-m", "pollguard", "serve", "--threads", str(threads), "--no-worker"]


def _supervise(listener: socket.socket, count: int, threads: int) -> int:
    """Run `count` server processes on `listener` until SIGINT/SIGTERM; restart any that die."""
    from pollguard.commands.worker import PARENT_ENV, stop_workers

    fd = listener.fileno()
    env = {**os.environ, LISTEN_FD_ENV: str(fd), PARENT_ENV: str(os.getpid())}

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(_server_command(threads), env=env, pass_fds=[fd])  # noqa: S603

    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    servers = [start() for _ in range(count)]
    try:
        while not stopping:
            time.sleep(0.5)
            for i, child in enumerate(servers):
                if child.poll() is not None and not stopping:
                    print(
                        f"pollguard serve: server process {child.pid} exited "
                        f"({child.returncode}); starting another",
                        file=sys.stderr,
                        flush=True,
                    )
                    time.sleep(1)  # a process that cannot start must not spin
                    servers[i] = start()
    finally:
        stop_workers(servers)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        listener.close()
    return 0


def proxy_options() -> dict[str, Any]:
    """waitress's trusted-proxy options from `POLLGUARD_TRUSTED_PROXY` (docs/deployment.md).

    waitress clears X-Forwarded-* from any other peer. From the trusted proxy it takes the
    last X-Forwarded-For hop as REMOTE_ADDR (the throttle's key), X-Forwarded-Proto as the
    scheme (so HTTPS behind a TLS-terminating proxy does not redirect to itself) and
    X-Forwarded-Host as the host (still checked against ALLOWED_HOSTS by Django).
    """
    from django.conf import settings

    proxy: str = settings.POLLGUARD_TRUSTED_PROXY
    if not proxy:
        return {}
    return {
        "trusted_proxy": proxy,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": set(settings.POLLGUARD_TRUSTED_PROXY_HEADERS),
        "clear_untrusted_proxy_headers": True,
    }


def run(args: argparse.Namespace) -> int:
    from pollguard.web.bootstrap import setup

    # The parent migrated before it started its server processes.
    setup(migrate=LISTEN_FD_ENV not in os.environ)
    return serve(args.host, args.port, args.threads, args.worker, args.processes)


def prune_events() -> None:
    """Start every server with a trimmed change feed (long-running ones: cron the command)."""
    from pollguard.live.actions import do_prune_events

    do_prune_events(acting_user=None)
