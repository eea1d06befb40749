"""`pollguard audit …`: verify the trail, sign checkpoints, manage the signing key.

pollguard audit verify [--checkpoint FILE]... [--public-key FILE] [--lang ar|en]
pollguard audit checkpoint [--out FILE]
pollguard audit keygen [--public-out FILE]
pollguard audit public-key
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("audit", help="check the audit trail")
    actions = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="recompute the hash chain and check signed checkpoints; exit 1 when broken",
        description="Recompute the hash chain of every audit entry and compare it with every "
        "signed checkpoint (stored ones and the files given). Prints OK, or what is broken "
        "and the last good entry, and exits 1.",
    )
    verify.add_argument(
        "--checkpoint",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="a checkpoint file kept outside the system (repeatable)",
    )
    verify.add_argument(
        "--public-key",
        type=Path,
        metavar="FILE",
        help="the audit public key (default: the configured signing key's public half)",
    )
    verify.add_argument("--lang", choices=("ar", "en"), default=None, help="message language")
    verify.set_defaults(run=run_verify)

    link = actions.add_parser(
        "chain",
        help="link new audit entries into the hash chain (the job a beat task runs)",
    )
    link.set_defaults(run=run_chain)

    checkpoint = actions.add_parser(
        "checkpoint",
        help="sign a checkpoint of the trail; store it and write it to --out",
        description="Verify the trail, then sign its Merkle root with the audit key "
        "(created on first use) and store the checkpoint. With --out, also write it as JSON "
        "for the auditor to keep outside the system.",
    )
    checkpoint.add_argument("--out", type=Path, metavar="FILE", help="write the checkpoint here")
    checkpoint.add_argument("--lang", choices=("ar", "en"), default=None, help="message language")
    checkpoint.set_defaults(run=run_checkpoint)

    keygen = actions.add_parser(
        "keygen",
        help="create the audit signing key (POLLGUARD_AUDIT_KEY_FILE, mode 0600)",
    )
    keygen.add_argument("--public-out", type=Path, metavar="FILE", help="write the public key")
    keygen.set_defaults(run=run_keygen)

    public = actions.add_parser("public-key", help="print the audit public key (PEM)")
    public.set_defaults(run=run_public_key)


def _setup() -> None:
    from pollguard.web.bootstrap import setup

    setup()


def run_verify(args: argparse.Namespace) -> int:
    from pollguard.core.problems import user_language

    _setup()
    from django.utils import translation

    from pollguard.audit.actions import describe, read_checkpoint_file, verify_audit
    from pollguard.audit.signing import AuditKeyError, load_public_key

    try:
        extra = [read_checkpoint_file(path) for path in args.checkpoint]
        key = load_public_key(args.public_key) if args.public_key else None
    except AuditKeyError as exc:
        print(exc, file=sys.stderr)
        return 1
    report = verify_audit(extra=extra, public_key=key)
    with translation.override(user_language(args.lang)):
        lines = describe(report)
    if report.ok:
        print("\n".join(lines))
        return 0
    print("\n".join(lines) + f"\n[{report.reason}]", file=sys.stderr)
    return 1


def run_chain(args: argparse.Namespace) -> int:
    _setup()
    from pollguard.audit.actions import do_chain_entries

    print(f"{do_chain_entries()} entries linked")
    return 0


def run_checkpoint(args: argparse.Namespace) -> int:
    from pollguard.core.problems import user_language

    _setup()
    from django.utils import translation

    from pollguard.audit.actions import ChainBroken, checkpoint_json, describe, do_make_checkpoint

    try:
        checkpoint = do_make_checkpoint(acting_user=None)
    except ChainBroken as exc:
        with translation.override(user_language(args.lang)):
            print("\n".join(describe(exc.report)), file=sys.stderr)
        return 1
    data = checkpoint_json(checkpoint)
    text = json.dumps(data, indent=2) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"checkpoint of {checkpoint.tree_size} entries written to {args.out}")
    else:
        print(text, end="")
    return 0


def run_keygen(args: argparse.Namespace) -> int:
    _setup()
    from pollguard.audit.actions import key_file
    from pollguard.audit.signing import create_key, public_pem

    path = key_file()
    if path.exists():
        print(f"{path} exists already; not overwritten", file=sys.stderr)
        return 1
    key = create_key(path)
    print(f"audit signing key written to {path} (mode 0600)")
    if args.public_out:
        args.public_out.write_text(public_pem(key.public_key()), encoding="ascii")
        print(f"public key written to {args.public_out}")
    return 0


def run_public_key(args: argparse.Namespace) -> int:
    _setup()
    from pollguard.audit.actions import configured_public_key
    from pollguard.audit.signing import public_pem

    key = configured_public_key()
    if key is None:
        print("no audit signing key yet (pollguard audit keygen)", file=sys.stderr)
        return 1
    print(public_pem(key), end="")
    return 0
