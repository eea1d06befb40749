"""Benchmark: printing plan orders of the Dhi Qar demo as PDF, Chromium against WeasyPrint.

    .venv/bin/python benchmarks/bench_orders.py [--time-limit 10] [--repeat 3] [--write]

Loads the demo package into a SQLite database in a temporary folder, plans it
(`make_plan`), stores, submits and approves the plan through the workflow's actions,
then for the sector with the most centers and for the police agency measures: building
the order and its HTML (`planning.orders`), and printing it to PDF with headless
Chromium (`planning.order_pdf`, what the `plan_orders_pdf` job runs) and, when it is
installed, WeasyPrint (sector orders only: it takes minutes on the agency order), each
`--repeat` times (median). Page counts are poppler's (`pdfinfo`). With `--write` it replaces the
`bench:orders` section of docs/pdf-engine.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, today, write_section

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "pdf-engine.md"


def setup(data_dir: str) -> None:
    os.environ["POLLGUARD_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    from pollguard.web.bootstrap import setup as django_setup

    django_setup()


def approved_demo_plan(time_limit: float) -> object:
    import json

    from pollguard.accounts.actions import do_provision_user
    from pollguard.accounts.choices import Role
    from pollguard.core.package import read_package
    from pollguard.core.planning.engine import PlanOptions, make_plan
    from pollguard.core.planning.plan import to_json
    from pollguard.jobs.actions import do_request_job
    from pollguard.planning.actions import do_decide_plan, do_store_plan, do_submit_plan
    from pollguard.planning.jobs import PLAN_RUN
    from pollguard.registry.loader import do_load_package
    from pollguard.registry.models import Election

    folder = ROOT / "scenarios" / "dhi-qar-2010"
    pkg = read_package(folder)
    do_load_package(pkg, acting_user=None, source=folder)
    election = Election.objects.get(code=pkg.election.code)
    chair = do_provision_user("chair", password=None, role=Role.CHAIR, acting_user=None)
    ops = do_provision_user("ops", password=None, role=Role.OPERATIONS, acting_user=None)
    plan = make_plan(pkg, PlanOptions(time_limit=time_limit, seed=1))
    job, _ = do_request_job(
        PLAN_RUN, parameters={"bench": True}, election_id=election.pk, acting_user=ops
    )
    stored = do_store_plan(
        election=election,
        document=json.loads(to_json(plan)),
        sector_of={c.code: c.sector for c in pkg.centers},
        params={"time_limit": time_limit, "seed": 1},
        based_on=None,
        job=job,
    )
    submitted = do_submit_plan(stored, acting_user=ops)
    return do_decide_plan(submitted, approve=True, comment="", acting_user=chair)


def pages_of(pdf: bytes) -> int:
    """The page count as poppler's pdfinfo reads it (both engines' files)."""
    import subprocess

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, check=True)
    match = re.search(rb"^Pages:\s+(\d+)", info.stdout, re.M)
    return int(match.group(1)) if match else 0


def median_seconds(work: object, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.monotonic()
        result = work()  # type: ignore[operator]
        times.append(time.monotonic() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--time-limit", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pollguard-bench-orders-") as data_dir:
        setup(data_dir)
        from django.db.models import Count

        from pollguard.planning.choices import OrderScope
        from pollguard.planning.order_pdf import html_to_pdf, page_count
        from pollguard.planning.orders import build_order, render_order_html
        from pollguard.registry.models import Agency, Sector

        started = time.monotonic()
        plan = approved_demo_plan(args.time_limit)
        print(f"demo loaded, planned, approved in {time.monotonic() - started:.0f} s", flush=True)
        sector = Sector.objects.annotate(n=Count("centers")).order_by("-n").first()
        agency = Agency.objects.annotate(n=Count("units")).order_by("-n").first()
        assert sector is not None
        assert agency is not None
        try:
            import weasyprint
        except ImportError:  # pragma: no cover - optional, test extra only
            weasyprint = None
        rows = []
        for scope, target in ((OrderScope.SECTOR, sector), (OrderScope.AGENCY, agency)):
            for lang in ("ar", "en"):

                def content(
                    scope: OrderScope = scope, target: object = target, lang: str = lang
                ) -> str:
                    order = build_order(plan, scope, target, lang)  # type: ignore[arg-type]
                    return render_order_html(order, for_pdf=True)

                html_s, html = median_seconds(content, args.repeat)
                print(f"{scope.value} {target.code} {lang}: HTML {html_s:.2f} s", flush=True)
                pdf_s, pdf = median_seconds(lambda: html_to_pdf(html), args.repeat)  # noqa: B023
                print(
                    f"  chromium {pdf_s:.2f} s, {page_count(pdf)} = {pages_of(pdf)} pages",
                    flush=True,
                )
                wp = "not installed" if weasyprint is None else "not measured"
                if weasyprint is not None and scope is OrderScope.SECTOR:
                    wp_s, wp_pdf = median_seconds(
                        lambda: weasyprint.HTML(string=html).write_pdf(),  # noqa: B023
                        args.repeat,
                    )
                    wp = f"{wp_s:.2f} s ({pages_of(wp_pdf)} pages)"  # type: ignore[arg-type]
                rows.append(
                    f"| {scope.value} {target.code} ({target.n} "  # type: ignore[attr-defined]
                    f"{'centers' if scope is OrderScope.SECTOR else 'units'}) | {lang} "
                    f"| {html_s:.2f} s | {pdf_s:.2f} s ({pages_of(pdf)} pages) "  # type: ignore[arg-type]
                    f"| {wp} |"
                )
        body = "\n".join(
            [
                f"Measured {today()} on {machine()}, `benchmarks/bench_orders.py "
                f"--time-limit {args.time_limit:g} --repeat {args.repeat}` (median):",
                "",
                "| order | lang | content + HTML | Chromium PDF | WeasyPrint PDF |",
                "|---|---|---|---|---|",
                *rows,
            ]
        )
        print(body)
        if args.write:
            write_section("orders", body, doc=DOC)


if __name__ == "__main__":
    main()
