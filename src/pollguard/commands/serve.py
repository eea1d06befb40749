"""`pollguard serve`: the web application under waitress, static files by whitenoise."""

from __future__ import annotations

import argparse
import sys
from typing import Any


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
    parser.add_argument("--threads", type=int, default=8, help="worker threads")
    parser.add_argument(
        "--worker",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="start a background-job worker with beat beside the server (default: yes "
        "on the embedded transport, no with POLLGUARD_BROKER_URL; POLLGUARD_SERVE_WORKER)",
    )


def serve(host: str, port: int, threads: int, worker: bool | None = None) -> int:
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
    import waitress

    from pollguard.web.wsgi import application

    prune_events()
    try:
        server = waitress.create_server(
            application,
            host=host,
            port=port,
            threads=threads,
            ident="pollguard",
            **proxy_options(),
        )
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
        server.run()
    finally:
        stop_workers(children)
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

    setup()
    return serve(args.host, args.port, args.threads, args.worker)


def prune_events() -> None:
    """Start every server with a trimmed change feed (long-running ones: cron the command)."""
    from pollguard.live.actions import do_prune_events

    do_prune_events(acting_user=None)
