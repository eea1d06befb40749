"""`pollguard audit verify`: recompute the hash chain of critical audit entries."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("audit", help="check the audit trail")
    actions = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="recompute the hash chain; exit 1 at the first broken link",
        description="Recompute the hash chain of critical audit entries. Prints OK and the "
        "number of links, or the first broken link (id, time, action) and exits 1.",
    )
    verify.set_defaults(run=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from pollguard.web.bootstrap import setup

    setup()
    from pollguard.audit.actions import verify_chain

    report = verify_chain()
    if report.ok:
        print(f"OK: {report.checked} linked entries verified")
        return 0
    if report.broken is not None:
        entry = report.broken
        print(
            f"BROKEN at entry {entry.pk} ({entry.created_at.isoformat()}, {entry.action}): "
            f"{report.reason}; {report.checked} entries before it verified",
            file=sys.stderr,
        )
    else:
        print(f"BROKEN: {report.reason} after {report.checked} entries", file=sys.stderr)
    return 1
