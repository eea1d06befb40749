"""Benchmark: the audit trail's write path, chained under a lock or left for a chaining job.

    .venv/bin/python benchmarks/bench_audit.py [--threads 8] [--writes 2000] [--repeat 3]
                                               [--postgres URL] [--write]

Every action appends one audit entry in its own transaction. Two ways to chain them:

- `lock`: the entry is linked as it is written, under the `ChainHead` row lock, held
  until the writer commits, so appends are serialized (the design before this benchmark,
  reproduced here);
- `job`: `audit.actions.record` as shipped inserts the entry unchained (no lock), and
  `do_chain_entries` links the new entries in order later; measured are the inserts and,
  separately, the job's chaining rate.

`--threads` writers each run `--writes / --threads` transactions of one entry (with the
same JSON before/after as a center status change). Runs on a SQLite file in a temporary
folder, and on PostgreSQL when `--postgres URL` names a database the script may use (its
audit tables are emptied first). With `--write` it replaces the `bench:audit` section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, today, write_section


def setup(postgres: str | None, data_dir: str) -> None:
    os.environ["POLLGUARD_DATA_DIR"] = data_dir
    if postgres:
        os.environ["DATABASE_URL"] = postgres
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from pollguard.web.bootstrap import setup as django_setup

    django_setup()


def empty_tables() -> None:
    from pollguard.audit.models import AuditEntry, ChainHead, Checkpoint

    AuditEntry.objects.all().delete()
    ChainHead.objects.all().delete()
    Checkpoint.objects.all().delete()


def run_writers(mode: str, threads: int, writes: int) -> float:
    """Entries per second for `writes` one-entry transactions spread over `threads`."""
    from django.db import connections, transaction
    from django.utils import timezone

    from pollguard.audit import chain
    from pollguard.audit.actions import canonical_of, jsonable, record
    from pollguard.audit.models import AuditEntry, ChainHead

    per_thread = writes // threads
    before = {"status": "not_open", "version": 1}
    after = {"status": "open", "version": 2}
    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    if mode == "job":
                        record(
                            "bench.set_center_status",
                            acting_user=None,
                            object_type="center",
                            object_id=f"C-{n:02d}-{i:05d}",
                            before=before,
                            after=after,
                        )
                    else:
                        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
                        entry = AuditEntry(
                            created_at=timezone.now(),
                            actor_name="system",
                            action="bench.set_center_status",
                            object_type="center",
                            object_id=f"C-{n:02d}-{i:05d}",
                            before=jsonable(before),
                            after=jsonable(after),
                            seq=head.seq + 1,
                            prev_hash=head.hash,
                        )
                        entry.hash = chain.chain_hash(head.hash, canonical_of(entry))
                        head.seq, head.hash = entry.seq, entry.hash
                        head.save(update_fields=["seq", "hash"])
                        entry.save()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    start = time.perf_counter()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return per_thread * threads / elapsed


def chain_job() -> float:
    """`do_chain_entries` over everything the writers left; entries per second."""
    from pollguard.audit.actions import do_chain_entries

    start = time.perf_counter()
    linked = do_chain_entries()
    return linked / (time.perf_counter() - start)


def measure(args: argparse.Namespace) -> dict[str, list[float]]:
    from pollguard.audit.actions import verify_audit

    results: dict[str, list[float]] = {"lock": [], "job inserts": [], "job chaining": []}
    for _ in range(args.repeat):
        empty_tables()
        results["lock"].append(run_writers("lock", args.threads, args.writes))
        assert verify_audit().ok
        empty_tables()
        results["job inserts"].append(run_writers("job", args.threads, args.writes))
        results["job chaining"].append(chain_job())
        assert verify_audit().ok
    empty_tables()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL database to use")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    header = machine()
    with tempfile.TemporaryDirectory() as data_dir:
        setup(args.postgres, data_dir)
        backend = "PostgreSQL" if args.postgres else "SQLite (WAL, file)"
        results = measure(args)
    lines = [f"{backend}: {args.threads} threads, {args.writes} one-entry transactions per run"]
    for name, rates in results.items():
        lines.append(
            f"  {name:13s} median {statistics.median(rates):7.0f}/s  worst {min(rates):7.0f}/s"
            f"  ({', '.join(f'{r:.0f}' for r in rates)})"
        )
    text = "\n".join(lines)
    print(header)
    print(text)
    if args.write:
        marker = "audit-postgres" if args.postgres else "audit-sqlite"
        command = "python benchmarks/bench_audit.py" + (" --postgres URL" if args.postgres else "")
        body = (
            f"`{command} --threads {args.threads} --writes {args.writes} "
            f"--repeat {args.repeat}`, {today()}, {header}.\n\n```\n{text}\n```\n"
        )
        write_section(marker, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
