"""Benchmark: the election morning over HTTP on PostgreSQL (design.md section 7).

    .venv/bin/python benchmarks/bench_morning.py [--postgres URL] [--redis URL] [--runs 3]
        [--seconds 60] [--writers 32] [--pages 200] [--processes 2] [--quick] [--write]

Loads the Dhi Qar 2010 demo into a fresh PostgreSQL database (made on the server at
`--postgres`, dropped afterwards), makes its expected station check-ins, 100 field
reporters (one per center, each with an API token, a phone number and a Telegram user),
an operations officer with a token, and `--pages` signed-in users (half operations
officers, half sector commanders over the demo's sectors) with a browser session each.
Then it starts the real `pollguard serve` (`--processes` processes on one socket, no
worker; the Celery broker is Redis at `--redis`: replies are queued there, and deleted at
the end) with the Twilio, RapidPro and Telegram secrets set, and drives it from 127.0.0.1
with locust (in a subprocess, headless, as a library: `--writers` writing clients that
send as fast as the server answers, and `--pages` live pages that each poll
`GET /live/events?after=P` one second after their previous answer, as live.js does).

The writes, in the mix of an election morning:

| share | request |
|---|---|
| 50 % | `POST /api/v1/checkins` (a field reporter's hourly report, Bearer token) |
| 10 % | `POST /api/v1/incidents` (operations officer, `Idempotency-Key`) |
| 20 % | `POST /hooks/sms/twilio` (signed; 1 in 10 an incident, else a check-in) |
| 10 % | `POST /hooks/sms/rapidpro` (shared secret, JSON) |
| 10 % | `POST /hooks/telegram` (secret token; an update from a reporter's Telegram user) |

One write in ten is sent a second time, after its answer, with the same body and key (id,
Idempotency-Key, MessageSid, update_id): a client that lost the answer. After the load the
database is asked: check-ins by client id, incidents by key, messages by provider id, and
the check-ins and incidents the stored messages made; of the writes answered 2xx none may be
missing and none doubled (a request still in flight when the load stops is not counted).

Each run measures `--seconds` of load after a 5 s ramp, then, on the same server with the
same writers and no live pages, the bare authenticated request (`GET /api/v1/sectors?limit=1`
with a token) for a quarter of that time. The runs share one database (each its own ids).
`--quick` is a smoke run: 1 run, 10 s, 8 writers, 20 pages.

With `--write` it replaces the `bench:morning` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, today, wait_until_serving, write_section

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "scenarios" / "dhi-qar-2010"
BARE = "/api/v1/sectors?limit=1"
RAMP = 5.0
REPORTERS = 100
TWILIO_TOKEN = "bench-twilio-" + uuid.uuid4().hex
RAPIDPRO_SECRET = "bench-rapidpro-" + uuid.uuid4().hex
TELEGRAM_SECRET = "bench-telegram-" + uuid.uuid4().hex
# (kind, share of the writes)
MIX = [("checkin", 50), ("incident", 10), ("twilio", 20), ("rapidpro", 10), ("telegram", 10)]
RETRY_SHARE = 0.10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def twilio_signature(url: str, params: dict[str, str], token: str) -> str:
    """As Twilio signs (and `fieldreports.hooks.twilio_signature` checks)."""
    data = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


# --- the load (runs in a subprocess: locust patches the standard library with gevent) ---


def drive(config_path: str) -> int:
    """Run one load phase with locust as a library; write every answer's timing to JSON."""
    import gevent
    from locust import FastHttpUser, constant, task
    from locust.env import Environment

    config = json.loads(Path(config_path).read_text())
    base = config["base"]
    rng = random.Random(config["seed"])
    records: list[tuple[str, float, float, int]] = []  # (kind, start, ms, status)
    sent: dict[str, list[str]] = {"checkin": [], "incident": [], "sms": [], "telegram": []}
    retried: Counter[str] = Counter()
    reporters = config["reporters"]
    centers = [r["center"] for r in reporters]
    kinds = [k for k, share in MIX for _ in range(share)]
    counter = iter(range(10**9))
    tag = config["tag"]

    def timed(client: Any, kind: str, method: str, path: str, **kw: Any) -> int:
        start = time.time()
        t0 = time.perf_counter()
        with client.request(method, path, catch_response=True, **kw) as answer:
            ms = (time.perf_counter() - t0) * 1000
            status = answer.status_code
            answer.success()
        records.append((kind, start, ms, status))
        return int(status)

    def checkin(client: Any) -> list[tuple[str, str, dict[str, Any], tuple[str, str]]]:
        reporter = rng.choice(reporters)
        ident = str(uuid.uuid4())
        done = ("checkin", ident)
        body = {
            "id": ident,
            "station": rng.choice(reporter["stations"]),
            "slot": "hourly",
            "status": rng.choice(["ok", "ok", "ok", "suspended"]),
            "voters": None,
            "observed_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        }
        headers = {"Authorization": f"Bearer {reporter['token']}"}
        return [("checkin", "/api/v1/checkins", {"json": body, "headers": headers}, done)]

    def incident(client: Any) -> list[tuple[str, str, dict[str, Any], tuple[str, str]]]:
        key = f"{tag}-inc-{next(counter)}"
        done = ("incident", key)
        body = {
            "center": rng.choice(centers),
            "kind": "crowd",
            "severity": rng.randint(1, 4),
            "text": f"bench {key}",
            "observed_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        }
        headers = {"Authorization": f"Bearer {config['ops_token']}", "Idempotency-Key": key}
        return [("incident", "/api/v1/incidents", {"json": body, "headers": headers}, done)]

    def sms_text(reporter: dict[str, Any]) -> str:
        station = rng.choice(reporter["stations"])
        if rng.random() < 0.1:
            return f"{station} INC CROWD {rng.randint(1, 4)} bench"
        return f"{station} {rng.choice(['OK', 'تمام', 'OK', 'STOP'])}"

    def twilio(client: Any) -> list[tuple[str, str, dict[str, Any], tuple[str, str]]]:
        reporter = rng.choice(reporters)
        sid = f"SM{tag}{next(counter):08d}"
        done = ("sms", sid)
        params = {"MessageSid": sid, "From": reporter["phone"], "Body": sms_text(reporter)}
        path = "/hooks/sms/twilio"
        signature = twilio_signature(base + path, params, config["twilio_token"])
        headers = {
            "X-Twilio-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        return [("twilio", path, {"data": urlencode(params), "headers": headers}, done)]

    def rapidpro(client: Any) -> list[tuple[str, str, dict[str, Any], tuple[str, str]]]:
        reporter = rng.choice(reporters)
        ident = f"rp-{tag}-{next(counter)}"
        done = ("sms", ident)
        body = {"id": ident, "from": reporter["phone"], "text": sms_text(reporter)}
        headers = {"X-Pollguard-Secret": config["rapidpro_secret"]}
        return [("rapidpro", "/hooks/sms/rapidpro", {"json": body, "headers": headers}, done)]

    def telegram(client: Any) -> list[tuple[str, str, dict[str, Any], tuple[str, str]]]:
        reporter = rng.choice(reporters)
        update_id = config["update_base"] + next(counter)
        done = ("telegram", str(update_id))
        user = {"id": reporter["telegram"], "is_bot": False, "first_name": "bench"}
        body = {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "from": user,
                "chat": {"id": reporter["telegram"], "type": "private"},
                "date": int(time.time()),
                "text": sms_text(reporter),
            },
        }
        headers = {"X-Telegram-Bot-Api-Secret-Token": config["telegram_secret"]}
        return [("telegram", "/hooks/telegram", {"json": body, "headers": headers}, done)]

    makers = {
        "checkin": checkin,
        "incident": incident,
        "twilio": twilio,
        "rapidpro": rapidpro,
        "telegram": telegram,
    }

    class Writer(FastHttpUser):  # type: ignore[misc]
        host = base
        wait_time = constant(0)
        fixed_count = config["writers"]
        network_timeout = 60.0
        connection_timeout = 60.0

        @task
        def write(self) -> None:
            if config["bare"]:
                headers = {"Authorization": f"Bearer {config['ops_token']}"}
                timed(self.client, "bare", "GET", BARE, headers=headers)
                return
            kind = rng.choice(kinds)
            for name, path, kw, (bucket, key) in makers[kind](self.client):
                status = timed(self.client, name, "POST", path, **kw)
                if rng.random() < RETRY_SHARE and status < 500:
                    retried[name] += 1
                    status = max(status, timed(self.client, name, "POST", path, **kw))
                # Counted once answered: a request cut off when the load stops may or may
                # not have reached the server, and is neither lost nor stored by promise.
                if 200 <= status < 300:
                    sent[bucket].append(key)

    class LivePage(FastHttpUser):  # type: ignore[misc]
        host = base
        fixed_count = 0 if config["bare"] else config["pages"]
        network_timeout = 60.0
        connection_timeout = 60.0

        def on_start(self) -> None:
            page = config["sessions"][next(counter) % len(config["sessions"])]
            self.cookie = f"sessionid={page['session']}"
            self.url = f"/live/events?election={config['election']}"
            self.after = ""
            while not self.after:  # a page opens with its position (retried while busy)
                with self.client.get(
                    self.url, headers={"Cookie": self.cookie}, catch_response=True, name="open"
                ) as answer:
                    if answer.status_code == 200 and answer.text:
                        self.after = answer.json()["last"]
                    answer.success()
                if not self.after:
                    gevent.sleep(1.0)

        def wait_time(self) -> float:  # type: ignore[override]
            return 1.0  # live.js asks again one second after each answer

        @task
        def poll(self) -> None:
            start = time.time()
            t0 = time.perf_counter()
            path = f"{self.url}&after={self.after}"
            with self.client.get(
                path, headers={"Cookie": self.cookie}, catch_response=True, name="feed"
            ) as answer:
                ms = (time.perf_counter() - t0) * 1000
                if answer.status_code == 200:
                    self.after = answer.json().get("last", self.after)
                answer.success()
            records.append(("feed", start, ms, answer.status_code))

    env = Environment(user_classes=[Writer, LivePage])
    runner = env.create_local_runner()
    total = config["writers"] + (0 if config["bare"] else config["pages"])
    began = time.time()
    runner.start(total, spawn_rate=max(total / RAMP, 1))  # everyone started within the ramp
    gevent.sleep(config["seconds"] + RAMP)
    runner.quit()
    ended = time.time()
    Path(config["out"]).write_text(
        json.dumps(
            {"began": began, "ended": ended, "records": records, "sent": sent, "retried": retried}
        )
    )
    return 0


# --- set-up, server, verification ----------------------------------------------------


def prepare() -> dict[str, Any]:
    """The demo, expected check-ins, reporters, tokens, phones and page sessions."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command

    from pollguard.accounts.actions import do_create_api_token, do_provision_user
    from pollguard.accounts.choices import Role
    from pollguard.core.package import read_package
    from pollguard.fieldreports.actions import do_generate_expected_checkins, do_register_phone
    from pollguard.registry.loader import do_load_package
    from pollguard.registry.models import Center, Election, Sector, Station

    call_command("migrate", verbosity=0)
    do_load_package(read_package(DEMO), acting_user=None, source=DEMO)
    election = Election.objects.get()
    do_generate_expected_checkins(election, acting_user=None)
    ops = do_provision_user("bench-ops", password=None, role=Role.OPERATIONS, acting_user=None)
    ops_token = do_create_api_token(ops, name="bench", acting_user=None).raw
    reporters = []
    centers = list(Center.objects.filter(election=election, kind="general").order_by("code"))
    for i, center in enumerate(centers[:REPORTERS]):
        user = do_provision_user(
            f"bench-field-{i}", password=None, role=Role.FIELD_REPORTER, center=center,
            acting_user=None,
        )  # fmt: skip
        phone = f"+9647800{i:05d}"
        telegram = 700_000_000 + i
        do_register_phone(
            user, phone=phone, telegram_user=telegram, language="ar", acting_user=None
        )
        stations = list(Station.objects.filter(center=center).values_list("code", flat=True))
        token = do_create_api_token(user, name="bench", acting_user=None).raw
        reporters.append(
            {"center": center.code, "stations": stations, "token": token, "phone": phone,
             "telegram": telegram}
        )  # fmt: skip
    engine = import_module(settings.SESSION_ENGINE)
    sectors = list(Sector.objects.filter(election=election, active=True).order_by("code"))
    return {
        "election": election.code,
        "ops_token": ops_token,
        "reporters": reporters,
        "sectors": sectors,
        "engine": engine,
        "keys": (SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY),
    }


def page_sessions(pages: int, prepared: dict[str, Any]) -> list[dict[str, str]]:
    """One signed-in browser session per live page (half operations, half sector commanders)."""
    from pollguard.accounts.actions import do_provision_user
    from pollguard.accounts.choices import Role

    session_key, backend_key, hash_key = prepared["keys"]
    sessions = []
    for i in range(pages):
        if i % 2 == 0:
            user = do_provision_user(
                f"bench-room-{i}", password=None, role=Role.OPERATIONS, acting_user=None
            )
        else:
            sector = prepared["sectors"][i % len(prepared["sectors"])]
            user = do_provision_user(
                f"bench-cmd-{i}", password=None, role=Role.SECTOR_COMMANDER, sector=sector,
                acting_user=None,
            )  # fmt: skip
        store = prepared["engine"].SessionStore()
        store[session_key] = str(user.pk)
        store[backend_key] = "django.contrib.auth.backends.ModelBackend"
        store[hash_key] = user.get_session_auth_hash()
        store.create()
        sessions.append({"session": str(store.session_key)})
    return sessions


def start_server(port: int, env: dict[str, str], processes: int, threads: int) -> Any:
    server = subprocess.Popen(
        [sys.executable, "-m", "pollguard", "serve", "--port", str(port), "--processes",
         str(processes), "--threads", str(threads), "--no-worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return wait_until_serving(port, server)


def run_phase(config: dict[str, Any]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(config, handle)
    done = subprocess.run(
        [sys.executable, __file__, "--drive", handle.name],
        check=False,
        timeout=config["seconds"] + 300,
    )
    if done.returncode != 0:
        raise SystemExit("the load process failed")
    result: dict[str, Any] = json.loads(Path(config["out"]).read_text())
    return result


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * share + 0.5) - 1))]


def window(result: dict[str, Any], seconds: float) -> tuple[list[list[Any]], float, float]:
    """The answers that started in the measured window (after the ramp)."""
    start = result["began"] + RAMP
    end = start + seconds
    return [r for r in result["records"] if start <= r[1] < end], start, end


def verify(sent: dict[str, list[str]]) -> dict[str, int]:
    """Count from the database: every write stored once, the messages' results too."""
    from django.db.models import Count

    from pollguard.fieldreports.models import Checkin, InboundMessage
    from pollguard.operations.models import Incident

    def missing_and_doubled(rows: dict[str, int], keys: list[str]) -> tuple[int, int]:
        unique = set(keys)
        return (
            sum(1 for k in unique if k not in rows),
            sum(n - 1 for k, n in rows.items() if k in unique and n > 1),
        )

    checkins = dict(
        Checkin.objects.filter(uuid__in=set(sent["checkin"]))
        .values("uuid")
        .annotate(n=Count("id"))
        .values_list("uuid", "n")
    )
    checkin_rows = {str(k): int(v) for k, v in checkins.items()}
    incidents = dict(
        Incident.objects.filter(idempotency_key__in=set(sent["incident"]))
        .values("idempotency_key")
        .annotate(n=Count("id"))
        .values_list("idempotency_key", "n")
    )
    messages: dict[str, int] = {}
    for channel, keys in (("sms", sent["sms"]), ("telegram", sent["telegram"])):
        rows = (
            InboundMessage.objects.filter(channel=channel, provider_id__in=set(keys))
            .values("provider_id")
            .annotate(n=Count("id"))
            .values_list("provider_id", "n")
        )
        messages.update({f"{channel}:{k}": int(n) for k, n in rows})
    message_keys = [f"sms:{k}" for k in sent["sms"]] + [f"telegram:{k}" for k in sent["telegram"]]
    stored = InboundMessage.objects.filter(provider_id__in=set(sent["sms"]) | set(sent["telegram"]))
    outcomes = Counter(stored.values_list("outcome", flat=True))
    from_messages = Incident.objects.filter(
        idempotency_key__in=[f"inbound:{u}" for u in stored.values_list("uuid", flat=True)]
    ).count()
    c_missing, c_doubled = missing_and_doubled(checkin_rows, sent["checkin"])
    i_missing, i_doubled = missing_and_doubled(
        {str(k): int(v) for k, v in incidents.items()}, sent["incident"]
    )
    m_missing, m_doubled = missing_and_doubled(messages, message_keys)
    message_checkins = Checkin.objects.filter(
        uuid__in=[uuid.uuid5(u, "checkin") for u in stored.values_list("uuid", flat=True)]
    ).count()
    return {
        "checkins": len(set(sent["checkin"])),
        "incidents": len(set(sent["incident"])),
        "messages": len(set(message_keys)),
        "missing": c_missing + i_missing + m_missing,
        "doubled": c_doubled + i_doubled + m_doubled,
        "message_checkins": message_checkins,
        "message_incidents": outcomes.get("incident", 0),
        "message_incidents_filed": from_messages,
        "message_other": sum(n for o, n in outcomes.items() if o not in ("checkin", "incident")),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--writers", type=int, default=32)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--quick", action="store_true", help="1 run, 10 s, 8 writers, 20 pages")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        return drive(args.drive)
    if args.quick:
        args.runs, args.seconds, args.writers, args.pages = 1, 10.0, 8, 20

    from bench_web import scratch_postgres

    data_dir = tempfile.mkdtemp(prefix="pollguard-bench-morning-")
    os.environ["POLLGUARD_DATA_DIR"] = data_dir
    os.environ["POLLGUARD_SECRET_KEY"] = "benchmark-only-" + uuid.uuid4().hex
    os.environ["POLLGUARD_BROKER_URL"] = args.redis
    os.environ["POLLGUARD_SERVE_WORKER"] = "0"
    os.environ["POLLGUARD_TWILIO_AUTH_TOKEN"] = TWILIO_TOKEN
    os.environ["POLLGUARD_RAPIDPRO_SECRET"] = RAPIDPRO_SECRET
    os.environ["POLLGUARD_TELEGRAM_SECRET"] = TELEGRAM_SECRET
    port = free_port()
    os.environ["POLLGUARD_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    os.environ["DATABASE_URL"], drop = scratch_postgres(args.postgres)
    header = machine()
    try:
        return run(args, header, port, data_dir)
    finally:
        drop()


def run(args: argparse.Namespace, header: str, port: int, data_dir: str) -> int:
    from pollguard.web.bootstrap import setup

    setup()
    from django.db import connection

    started = time.perf_counter()
    prepared = prepare()
    sessions = page_sessions(args.pages, prepared)
    print(f"set-up {time.perf_counter() - started:.0f} s", flush=True)
    connection.close()
    server = start_server(port, dict(os.environ), args.processes, args.threads)
    base = f"http://127.0.0.1:{port}"
    runs: list[dict[str, Any]] = []
    try:
        for r in range(args.runs):
            load_before = os.getloadavg()[0]
            config = {
                "base": base,
                "seed": 2010 + r,
                "tag": f"r{r}x{uuid.uuid4().hex[:6]}",
                "update_base": (r + 1) * 10**7,
                "writers": args.writers,
                "pages": args.pages,
                "seconds": args.seconds,
                "bare": False,
                "election": prepared["election"],
                "ops_token": prepared["ops_token"],
                "reporters": prepared["reporters"],
                "sessions": sessions,
                "twilio_token": TWILIO_TOKEN,
                "rapidpro_secret": RAPIDPRO_SECRET,
                "telegram_secret": TELEGRAM_SECRET,
                "out": os.path.join(data_dir, f"run{r}.json"),
            }
            result = run_phase(config)
            counts = verify(result["sent"])
            connection.close()
            bare_config = {**config, "bare": True, "seconds": max(5.0, args.seconds / 4),
                           "out": os.path.join(data_dir, f"bare{r}.json")}  # fmt: skip
            bare = run_phase(bare_config)
            runs.append(summarize(result, bare, counts, args, load_before))
            print(f"run {r + 1}: {json.dumps(runs[-1])}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        drop_queued_replies(args.redis)
    body = report(runs, args, header)
    print(body)
    if args.write:
        write_section("morning", body)
    return 0


def drop_queued_replies(url: str) -> None:
    """The SMS and Telegram reply jobs the run queued (no worker ran them)."""
    import redis
    from django.conf import settings

    redis.Redis.from_url(url).delete(settings.POLLGUARD_QUEUE)


def summarize(
    result: dict[str, Any],
    bare: dict[str, Any],
    counts: dict[str, int],
    args: argparse.Namespace,
    load_before: float,
) -> dict[str, Any]:
    records, start, _end = window(result, args.seconds)
    writes = [r for r in records if r[0] != "feed"]
    feed = [r for r in records if r[0] == "feed"]
    per_second = Counter(int(r[1] - start) for r in writes)
    bare_records, _, _ = window(bare, max(5.0, args.seconds / 4))
    bare_rate = len(bare_records) / max(5.0, args.seconds / 4)
    statuses = Counter(r[3] for r in records)
    errors = sum(n for s, n in statuses.items() if s >= 500 or s == 0)
    by_kind = {k: percentile([r[2] for r in writes if r[0] == k], 0.99) for k, _ in MIX}
    return {
        "writes_per_s": len(writes) / args.seconds,
        "slowest_second": min(per_second.get(i, 0) for i in range(int(args.seconds))),
        "write_p50": percentile([r[2] for r in writes], 0.50),
        "write_p99": percentile([r[2] for r in writes], 0.99),
        "p99_by_kind": by_kind,
        "feed_per_s": len(feed) / args.seconds,
        "feed_p50": percentile([r[2] for r in feed], 0.50),
        "feed_p99": percentile([r[2] for r in feed], 0.99),
        "bare_per_s": bare_rate,
        "ratio": (len(writes) / args.seconds) / bare_rate if bare_rate else 0.0,
        "retried": sum(result["retried"].values()),
        "errors": errors,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        **counts,
    }


def report(runs: list[dict[str, Any]], args: argparse.Namespace, header: str) -> str:
    def med(key: str) -> float:
        return float(statistics.median(r[key] for r in runs))

    def worst_low(key: str) -> float:
        return float(min(r[key] for r in runs))

    def worst_high(key: str) -> float:
        return float(max(r[key] for r in runs))

    missing = sum(r["missing"] for r in runs)
    doubled = sum(r["doubled"] for r in runs)
    errors = sum(r["errors"] for r in runs)
    writes_ok = worst_low("writes_per_s") >= 300
    p99_ok = worst_high("write_p99") <= 250
    feed_ok = worst_high("feed_p99") <= 250
    ratio_ok = med("ratio") >= 0.5
    sound = missing == 0 and doubled == 0 and errors == 0
    met = writes_ok and p99_ok and feed_ok and ratio_ok and sound
    flags = ["quick smoke run, not a measurement at the bar's conditions"] if args.quick else []
    lines = [
        f"Measured {today()} on {header}.",
        "",
        f"Command: `.venv/bin/python benchmarks/bench_morning.py --runs {args.runs} --seconds "
        f"{args.seconds:g} --writers {args.writers} --pages {args.pages} --processes "
        f"{args.processes} --threads {args.threads}{' --quick' if args.quick else ''} --write` "
        f"(PostgreSQL and Redis on the same machine; `pollguard serve` with {args.processes} "
        f"processes of {args.threads} threads, no worker; locust on the same 2 cores: "
        f"{args.writers} writing clients without pause and {args.pages} live pages polling "
        "one second after each answer; the mix and the retries as in the script's docstring).",
        "",
        "| | median | worst | bar |",
        "|---|---|---|---|",
        f"| writes per second (answered, retries included) | {med('writes_per_s'):.0f} | "
        f"{worst_low('writes_per_s'):.0f} | ≥ 300 sustained for {args.seconds:g} s |",
        f"| writes in the slowest second of the window | {med('slowest_second'):.0f} | "
        f"{worst_low('slowest_second'):.0f} | |",
        f"| write p50 / p99 (ms) | {med('write_p50'):.0f} / {med('write_p99'):.0f} | "
        f"{worst_high('write_p50'):.0f} / {worst_high('write_p99'):.0f} | p99 ≤ 250 |",
        f"| feed polls per second | {med('feed_per_s'):.0f} | {worst_low('feed_per_s'):.0f} | |",
        f"| feed p50 / p99 (ms) | {med('feed_p50'):.0f} / {med('feed_p99'):.0f} | "
        f"{worst_high('feed_p50'):.0f} / {worst_high('feed_p99'):.0f} | p99 ≤ 250 |",
        f"| bare authenticated GET `{BARE}` per second, same server and writers | "
        f"{med('bare_per_s'):.0f} | {worst_low('bare_per_s'):.0f} | |",
        f"| writes as a share of the bare rate | {med('ratio'):.0%} | {worst_low('ratio'):.0%} "
        "| ≥ 50 % |",
        f"| load average (1 min) before / after the run | {med('load_before'):.1f} / "
        f"{med('load_after'):.1f} | {worst_high('load_before'):.1f} / "
        f"{worst_high('load_after'):.1f} | |",
        "",
        "p99 by kind of write (ms), per run: "
        + "; ".join(", ".join(f"{k} {v:.0f}" for k, v in r["p99_by_kind"].items()) for r in runs)
        + ".",
        "",
        "Counted from the database after each run: "
        + "; ".join(
            f"{r['checkins']} API check-ins, {r['incidents']} API incidents, {r['messages']} "
            f"messages ({r['message_checkins']} check-ins and {r['message_incidents']} "
            f"incidents made from them, {r['message_other']} otherwise) with {r['retried']} "
            f"retries: {r['missing']} missing, {r['doubled']} doubled"
            for r in runs
        )
        + f". Answers 5xx or without answer: {errors}. Answer codes per run: "
        + "; ".join(", ".join(f"{k}: {v}" for k, v in r["statuses"].items()) for r in runs)
        + ".",
        "",
        f"Bar (design.md section 7): **{'met' if met else 'not met'}**"
        + (f" ({'; '.join(flags)})" if flags else "")
        + ".",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
