"""`pollguard validate PACKAGE`: check an election package without a database.

Exit 0 with a one-line summary on stdout when the package is valid; exit 1 with one
`file:line: message` per problem on stderr otherwise, every problem at once, sorted by
file then line. Never imports Django: this must run on a laptop in a district office with
nothing but pollguard installed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pollguard.core.package.messages import SUMMARY
from pollguard.core.package.reader import read_package_or_problems
from pollguard.core.problems import user_language


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check an election package folder",
        description="Check an election package folder (docs/election-package.md). Exit 0 "
        "when valid; 1 with one `file:line: message` per problem on stderr.",
    )
    parser.add_argument("package", type=Path, metavar="PACKAGE", help="the package folder")
    parser.add_argument(
        "--lang",
        choices=("ar", "en"),
        default=None,
        help="language of the messages (default: from LANGUAGE/LC_ALL/LC_MESSAGES/LANG)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    lang = user_language(args.lang)
    package, problems = read_package_or_problems(args.package)
    if package is None:
        for problem in problems:
            print(problem.render(lang), file=sys.stderr)
        return 1
    stations = len(package.stations) or sum(c.stations for c in package.centers)
    figures = {
        "election": package.election.code,
        "sectors": len(package.sectors),
        "centers": len(package.centers),
        "stations": stations,
        "voters": sum(c.voters for c in package.centers),
        "units": len(package.units),
        "personnel": sum(u.headcount for u in package.units),
    }
    template = SUMMARY[1] if lang == "ar" else SUMMARY[0]
    print(template.format(**figures))
    return 0
