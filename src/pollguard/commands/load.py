"""`pollguard load PACKAGE`: validate a package, then load it into the database.

Invalid input: every problem on stderr as `file:line: message` (like `pollguard
validate`), exit 1, nothing written. Valid: one transaction, a summary on stdout, exit 0.
Loading the same package again changes nothing; a changed package updates in place.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pollguard.core.problems import InvalidInput, user_language

if TYPE_CHECKING:
    from pollguard.core.model import ElectionPackage


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "load",
        help="load an election package into the database",
        description="Load an election package into the database in one transaction. "
        "Re-loading updates in place and never duplicates. Exit 1 on invalid input.",
    )
    parser.add_argument("package", type=Path, metavar="PACKAGE", help="the package folder")
    parser.add_argument("--lang", choices=("ar", "en"), default=None, help="message language")
    parser.set_defaults(run=run)


def load_package(path: Path, lang: str, package: ElectionPackage | None = None) -> int:
    """Read (unless `package` was read already), report problems or load; shared with demo."""
    from pollguard.core.package import read_package

    if package is None:
        try:
            package = read_package(path)
        except InvalidInput as invalid:
            for line in invalid.render(lang):
                print(line, file=sys.stderr)
            return 1

    from pollguard.web.bootstrap import setup

    setup()
    from pollguard.registry.loader import do_load_package

    try:
        summary = do_load_package(
            package, acting_user=None, actor_name=f"cli:{getpass.getuser()}", source=path
        )
    except InvalidInput as invalid:  # a clash with the database (a filed report's code)
        for line in invalid.render(lang):
            print(line, file=sys.stderr)
        return 1
    totals = ", ".join(f"{n} {name}" for name, n in summary.totals.items() if n)
    if summary.changed:
        changes = ", ".join(
            f"{label} {sum(counter.values())}"
            for label, counter in (
                ("created", summary.created),
                ("updated", summary.updated),
                ("retired", summary.retired),
            )
        )
        print(f"loaded {summary.election}: {totals} ({changes})")
    else:
        print(f"loaded {summary.election}: {totals} (already up to date)")
    return 0


def run(args: argparse.Namespace) -> int:
    return load_package(args.package, user_language(args.lang))
