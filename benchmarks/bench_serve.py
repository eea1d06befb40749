"""Benchmark: `pollguard serve` with one server process and with one per core.

    .venv/bin/python benchmarks/bench_serve.py [--runs 3] [--seconds 10] [--clients 16]
                                               [--processes 1,2] [--write]

The issue's measurement, repeated: `wrk` (Debian's, C, so the load generator costs little
CPU) with 16 connections against the real `pollguard serve` on 127.0.0.1, on SQLite, with
an API token: a bare authenticated GET of one sector (`/api/v1/sectors/RIF`) and the
50-center list (`/api/v1/centers?limit=50`), once with `--processes 1` (a single waitress
process, as before) and once with one process per core. Each figure is the median and the
worst of `--runs` runs of `--seconds` seconds; the ratio compares the medians of the same
run. wrk runs on the same 2 cores as the server, so the server never has both to itself:
the figures are what one machine does with its own load generator.

With `--write` it replaces the `bench:serve` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, today, write_section

REPO = Path(__file__).resolve().parent.parent
URLS = ("/api/v1/sectors/RIF", "/api/v1/centers?limit=50")

SETUP = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from pollguard.web.bootstrap import setup
setup()
from pollguard.accounts.actions import do_create_api_token, do_provision_user
from pollguard.accounts.choices import Role
from pollguard.registry.loader import do_load_package
from tests.web.personas import make_package
do_load_package(make_package(), acting_user=None)
user = do_provision_user("bench-ops", password="bench-ops-2010-x", role=Role.OPERATIONS,
                         acting_user=None)
print(do_create_api_token(user, name="bench", acting_user=None).raw)
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    import socket

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("pollguard serve exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("pollguard serve did not start")


def parse_wrk(text: str) -> tuple[float, float, float, int]:
    """Requests/s, p50 ms, p99 ms and non-2xx answers from `wrk --latency` output."""

    def ms(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        if not match:
            raise SystemExit(f"wrk printed no {label}th percentile:\n{text}")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors:.*", text)
    if not rate:
        raise SystemExit(f"wrk printed no rate:\n{text}")
    failed = int(bad.group(1)) if bad else 0
    if errors:
        failed += sum(int(n) for n in re.findall(r"\d+", errors.group(0)))
    return float(rate.group(1)), ms("50"), ms("99"), failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--processes", default="1,2", help="comma-separated process counts")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("needs wrk: apt-get install wrk")
    counts = [int(n) for n in args.processes.split(",")]
    results: dict[tuple[int, str], list[tuple[float, float, float, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="pollguard-bench-serve-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("POLLGUARD_", "DJANGO"))}
        env.pop("DATABASE_URL", None)
        env.update(
            POLLGUARD_DATA_DIR=str(Path(tmp) / "data"),
            POLLGUARD_SECRET_KEY="bench-serve-" + uuid.uuid4().hex,
        )
        token = subprocess.run(
            [sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, check=True
        ).stdout.strip().splitlines()[-1]
        for count in counts:
            port = free_port()
            server = subprocess.Popen(
                [sys.executable, "-m", "pollguard", "serve", "--port", str(port),
                 "--processes", str(count), "--no-worker"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                wait_for(port, server)
                time.sleep(2 if count > 1 else 0.5)  # every process accepting
                for url in URLS:
                    wrk = [
                        "wrk", "-t2", f"-c{args.clients}", f"-d{args.seconds}s", "--latency",
                        "-H", f"Authorization: Bearer {token}", f"http://127.0.0.1:{port}{url}",
                    ]  # fmt: skip
                    subprocess.run([*wrk[:3], "-d2s", *wrk[4:]], capture_output=True, check=True)
                    for _ in range(args.runs):
                        out = subprocess.run(wrk, capture_output=True, text=True, check=True)
                        results.setdefault((count, url), []).append(parse_wrk(out.stdout))
                        print(count, url, results[(count, url)][-1], flush=True)
            finally:
                server.terminate()
                server.wait(30)
    rows = []
    for url in URLS:
        single = statistics.median(r[0] for r in results.get((counts[0], url), [(0, 0, 0, 0)]))
        for count in counts:
            runs = results[(count, url)]
            rates = [r[0] for r in runs]
            median = statistics.median(rates)
            ratio = f"{median / single:.2f}×" if single else ""
            rows.append(
                f"| `{url}` | {count} | {median:.0f} | {min(rates):.0f} | "
                f"{statistics.median(r[1] for r in runs):.0f} | "
                f"{max(r[2] for r in runs):.0f} | {sum(r[3] for r in runs)} | {ratio} |"
            )
    body = "\n".join(
        [
            f"Command: `.venv/bin/python benchmarks/bench_serve.py --runs {args.runs} "
            f"--seconds {args.seconds} --clients {args.clients} --processes {args.processes} "
            "--write`  ",
            f"Machine: {machine()}  ",
            f"Date: {today()}; database: SQLite (WAL); wrk -t2 -c{args.clients} on the same "
            "machine, API token",
            "",
            "| Request | server processes | req/s (median) | req/s (worst) | p50 ms (median) | "
            "p99 ms (worst) | failed | vs 1 process |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    print(body)
    if args.write:
        write_section("serve", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
