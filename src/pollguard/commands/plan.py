"""`pollguard plan PACKAGE --out PLAN.json`: deployment and sweep plan, no database.

Progress goes to stderr as stage lines; the short summary goes to stdout. Invalid input
(package, `--from` plan, `--change` file) is reported like `pollguard validate`: one
`file:line: message` per problem on stderr and exit 1. Never imports Django.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from pollguard.core.problems import InvalidInput, user_language


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="compute a deployment and sweep plan from a package",
        description="Compute the cordon deployment and EOD/K9 sweep routes for the general "
        "polling centers of an election package (docs/planning.md). Re-plan with --from and "
        "--change.",
    )
    parser.add_argument("package", type=Path, metavar="PACKAGE", help="the package folder")
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="where to write the plan"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=10.0,
        metavar="S",
        help="wall-clock budget in seconds for the whole plan (default 10; a national "
        "package needs about 110)",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="solver seed (default 0)")
    parser.add_argument(
        "--format",
        choices=("json", "csv", "html"),
        default="json",
        help="json: the pollguard.plan/1 file; csv: one row per team; html: print page per sector",
    )
    parser.add_argument(
        "--lang", choices=("ar", "en"), default=None, help="language of messages and HTML"
    )
    parser.add_argument(
        "--from",
        dest="from_plan",
        type=Path,
        metavar="PLAN.json",
        help="the plan in force (re-planning; needs --change)",
    )
    parser.add_argument(
        "--change", type=Path, metavar="CHANGES.yaml", help="changes to re-plan for (needs --from)"
    )
    parser.add_argument(
        "--solver",
        choices=("highs", "highs-compact", "cbc"),
        default="highs",
        help="cordon solver: highs (column generation and neighbourhood search, default); "
        "highs-compact or cbc (the compact MILP alone, kept for comparison)",
    )
    parser.add_argument("--sweep-solver", choices=("pyvrp", "ortools", "greedy"), default="pyvrp")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="solver processes (default: CPUs, at most 2; 0 = in this process)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.set_defaults(run=run)


def _fail(exc: InvalidInput, lang: str) -> int:
    for line in exc.render(lang):
        print(line, file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    from pollguard.core.package.reader import read_package_or_problems
    from pollguard.core.planning.checker import check_plan
    from pollguard.core.planning.engine import PlanOptions, make_plan, summary_lines
    from pollguard.core.planning.plan import read_plan, to_csv, to_html, to_json
    from pollguard.core.planning.replan import read_changes, replan

    lang = user_language(args.lang)
    started = time.perf_counter()

    def progress(message: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    if (args.from_plan is None) != (args.change is None):
        print("pollguard plan: --from and --change go together", file=sys.stderr)
        return 2
    pkg, problems = read_package_or_problems(args.package)
    if pkg is None:
        for problem in problems:
            print(problem.render(lang), file=sys.stderr)
        return 1
    progress(f"read {args.package}: {len(pkg.centers)} centers, {len(pkg.units)} units")
    options = PlanOptions(
        time_limit=args.time_limit,
        seed=args.seed,
        solver=args.solver,
        sweep_solver=args.sweep_solver,
        workers=args.workers,
    )
    try:
        if args.from_plan is not None:
            current = read_plan(args.from_plan)
            changes = read_changes(args.change)
            progress(f"re-planning {len(changes)} change(s) from {args.from_plan}")
            checked_pkg, plan = replan(
                pkg,
                current,
                changes,
                time_limit=args.time_limit,
                options=options,
                progress=progress,
                file=str(args.change),
            )
            risks: dict[str, float] | None = dict(plan.risk)
        else:
            plan = make_plan(pkg, options, progress=progress)
            checked_pkg, risks = pkg, None
    except InvalidInput as exc:
        return _fail(exc, lang)
    violations = check_plan(checked_pkg, plan, risks=risks)
    for v in violations:
        print(f"pollguard plan: checker: {v}", file=sys.stderr)
    if args.format == "csv":
        places: dict[str, tuple[object, ...]] = {
            c.code: (c.sector, c.lat, c.lon) for c in checked_pkg.centers
        }
        places.update({u.code: (u.lat, u.lon) for u in checked_pkg.units})
        sizes = {u.code: u.effective_team_size for u in checked_pkg.units}
        text = to_csv(plan, sizes, places)
    elif args.format == "html":
        text = to_html(
            plan,
            lang=lang,
            center_names={
                c.code: (c.sector, c.name_en, c.name_ar)
                for c in checked_pkg.centers
                if c.code in plan.risk
            },
            sector_names={s.code: (s.name_en, s.name_ar) for s in checked_pkg.sectors},
            title=checked_pkg.election.name_ar if lang == "ar" else checked_pkg.election.name_en,
        )
    else:
        text = to_json(plan)
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"pollguard plan: cannot write {args.out}: {exc}", file=sys.stderr)
        return 1
    for line in summary_lines(plan):
        print(line)
    print(f"written to {args.out} ({args.format})")
    # A plan that breaks its own rules is a bug, not bad input: say so with a distinct code.
    return 3 if violations else 0
