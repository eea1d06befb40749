"""The `pollguard` command: parses arguments, then hands over to one command module.

Each subcommand lives in `pollguard.commands.<name>` with `register(subparsers)` and
`run(args) -> int`. Commands that need no database (validate, plan) never import
Django settings, so they work on a machine with nothing but the package installed.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pollguard import __version__

COMMANDS = ("validate", "load", "plan", "demo", "serve", "worker", "audit")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pollguard",
        description="Election security operations: plan, run and report polling-center protection.",
    )
    parser.add_argument("--version", action="version", version=f"pollguard {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        # Imported by name so that `validate` and `plan` never pull in Django.
        importlib.import_module(f"pollguard.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run = args.run
    try:
        return int(run(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
