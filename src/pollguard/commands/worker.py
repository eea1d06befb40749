"""`pollguard worker`: Celery workers that run background jobs (and, with --beat, timed work).

`pollguard serve` starts one (with beat) by itself on the embedded transport; a production
installation with Redis runs `pollguard worker` on each worker machine and `--beat` on
exactly one of them (docs/deployment.md). Every worker uses the solo pool (see
`pollguard.jobs.queue`); `--processes N` starts N of them, so N jobs (or N parts of a
national plan) run at once.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

PARENT_ENV = "POLLGUARD_WORKER_PARENT"


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "worker",
        help="run background-job workers (Celery)",
        description="Run Celery workers on the configured broker (POLLGUARD_BROKER_URL; "
        "default: the embedded SQLite transport in the data folder).",
    )
    add_worker_arguments(parser)
    parser.set_defaults(run=run)


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--processes", type=int, default=1, metavar="N", help="worker processes (default 1)"
    )
    parser.add_argument(
        "--beat", action="store_true", help="also run the timed work (one per installation)"
    )
    parser.add_argument("--name", default="", help="worker name (default: pollguard-N@host)")
    parser.add_argument("--loglevel", default="WARNING", help="Celery log level")


def watch_parent() -> None:
    """Exit when the process that started us (`pollguard serve`) is gone."""
    parent = int(os.environ.get(PARENT_ENV, "0") or 0)
    if parent <= 1:
        return

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(5)
                os._exit(0)
            time.sleep(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def worker_command(index: int, *, beat: bool, loglevel: str, name: str = "") -> list[str]:
    cmd = [sys.executable, "-m", "pollguard", "worker", "--processes", "1"]
    cmd += ["--name", name or f"pollguard-{index}@%h", "--loglevel", loglevel]
    return [*cmd, "--beat"] if beat else cmd


def start_workers(count: int, *, beat: bool, loglevel: str) -> list[subprocess.Popen[bytes]]:
    """Start `count` single-process workers as children; the first runs beat if asked."""
    env = {**os.environ, PARENT_ENV: str(os.getpid())}
    return [
        subprocess.Popen(  # noqa: S603 - our own interpreter and module
            worker_command(i + 1, beat=beat and i == 0, loglevel=loglevel), env=env
        )
        for i in range(count)
    ]


def stop_workers(children: list[subprocess.Popen[bytes]], timeout: float = 10.0) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()


def run_one(*, beat: bool, name: str, loglevel: str) -> int:
    from pollguard.web.bootstrap import setup

    setup()
    watch_parent()
    from pollguard.jobs.queue import configure

    app = configure()
    argv = ["worker", "--pool", "solo", "--loglevel", loglevel, "--without-mingle"]
    argv += ["--without-gossip", "--hostname", name or "pollguard-1@%h"]
    if beat:
        from django.conf import settings

        argv += ["--beat", "--schedule", str(settings.DATA_DIR / "celerybeat-schedule")]
    app.worker_main(argv)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.processes < 1:
        print("pollguard worker: --processes must be at least 1", file=sys.stderr)
        return 2
    if args.processes == 1:
        return run_one(beat=args.beat, name=args.name, loglevel=args.loglevel)
    children = start_workers(args.processes, beat=args.beat, loglevel=args.loglevel)
    signal.signal(signal.SIGTERM, lambda *_: stop_workers(children))
    try:
        return max(child.wait() for child in children)
    except KeyboardInterrupt:
        stop_workers(children)
        return 130
