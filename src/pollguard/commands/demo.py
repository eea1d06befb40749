"""`pollguard demo`: the Dhi Qar 2010 demo in one command.

Migrates the default database, loads `scenarios/dhi-qar-2010` (or `--package`), creates
the demo accounts with known passwords, prints them, then serves on 127.0.0.1:8000
(`--no-serve` stops after loading). Running it twice changes nothing but resets the demo
passwords to the printed ones.

The demo accounts and their passwords are for a local demonstration only: never run
`pollguard demo` against a real election's database.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from pollguard.commands.serve import add_server_arguments

DEMO_SCENARIO = "dhi-qar-2010"
# Liaison accounts for the supporting agencies of the seed document (agency code -> name).
LIAISONS = {
    "IA": "liaison-army",
    "CD": "liaison-cd",
    "TP": "liaison-traffic",
    "FPS": "liaison-fps",
    "EOD": "liaison-eod",
    "K9": "liaison-k9",
}


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="load the Dhi Qar 2010 demo, print demo logins and serve",
        description="Load the Dhi Qar 2010 demo into the default database, create demo "
        "accounts (printed; demo only) and serve on 127.0.0.1:8000.",
    )
    parser.add_argument("--no-serve", action="store_true", help="load and create accounts only")
    parser.add_argument("--package", type=Path, default=None, help="another package folder")
    parser.add_argument("--lang", choices=("ar", "en"), default=None, help="message language")
    add_server_arguments(parser)
    parser.set_defaults(run=run)


def find_demo_package() -> Path | None:
    """scenarios/dhi-qar-2010 next to the source tree (a clone) or below the working folder."""
    here = Path(__file__).resolve()
    candidates = [parent / "scenarios" / DEMO_SCENARIO for parent in here.parents]
    candidates.append(Path.cwd() / "scenarios" / DEMO_SCENARIO)
    return next((c for c in candidates if (c / "election.yaml").is_file()), None)


def sector_username(name_en: str, code: str) -> str:
    """`cmd-rifai` from "al-Rifai", `cmd-balda` from "al-Balda (Nasiriyah city)"."""
    words = re.sub(r"^al-", "", name_en.strip(), flags=re.IGNORECASE).split()
    slug = re.sub(r"[^a-z0-9]", "", words[0].lower()) if words else ""
    return f"cmd-{slug or code.lower()}"


def demo_password(username: str) -> str:
    return f"{username}-2010"


def create_demo_accounts() -> list[tuple[str, str, str, str]]:
    """Create or refresh the demo accounts; rows of (username, password, role, scope)."""
    from pollguard.accounts.actions import do_provision_user
    from pollguard.accounts.choices import Role
    from pollguard.registry.access import current_election
    from pollguard.registry.models import Agency, Center, Sector

    election = current_election()
    assert election is not None
    rows: list[tuple[str, str, str, str]] = []

    def make(username: str, role: Role, scope: str = "", **kwargs: Any) -> None:
        password = demo_password(username)
        do_provision_user(username, password=password, role=role, acting_user=None, **kwargs)
        rows.append((username, password, str(role.label), scope))

    make("chair", Role.CHAIR)
    make("ops", Role.OPERATIONS)
    make("intel", Role.INTELLIGENCE)
    make("ihec", Role.COMMISSION)
    make("auditor", Role.AUDITOR)
    for sector in Sector.objects.filter(election=election, active=True).order_by("code"):
        make(
            sector_username(sector.name_en, sector.code),
            Role.SECTOR_COMMANDER,
            f"{sector.code} {sector.name_en}",
            sector=sector,
        )
    agencies = {a.code: a for a in Agency.objects.filter(election=election, active=True)}
    for code, username in LIAISONS.items():
        if code in agencies:
            make(username, Role.AGENCY_LIAISON, f"{code} {agencies[code].name_en}",
                 agency=agencies[code])  # fmt: skip
    center = (
        Center.objects.filter(election=election, active=True, kind="general")
        .order_by("code")
        .first()
    )
    if center is not None:
        username = "field-" + re.sub(r"[^a-z0-9]", "", center.code.lower())
        make(username, Role.FIELD_REPORTER, f"{center.code} {center.name_en}", center=center)
    return rows


def print_accounts(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [
        max(len(r[i]) for r in [("user", "password", "role", "scope"), *rows]) for i in range(4)
    ]
    line = "  ".join("{:<%d}" % w for w in widths)  # noqa: UP031
    print()
    print("DEMO ACCOUNTS - for this local demo only, never on a real election's server:")
    print(line.format("user", "password", "role", "scope").rstrip())
    for row in rows:
        print(line.format(*row).rstrip())
    print()


def run(args: argparse.Namespace) -> int:
    from pollguard.commands.load import load_package
    from pollguard.core.problems import user_language
    from pollguard.web.env import default_data_dir

    package = args.package or find_demo_package()
    if package is None:
        print(f"pollguard demo: scenarios/{DEMO_SCENARIO} not found; pass --package PATH")
        return 1
    from pollguard.web.bootstrap import ensure_local_secret_key

    # Before Django reads its settings, so the key is picked up from the data folder.
    ensure_local_secret_key(default_data_dir())
    lang = user_language(args.lang)
    status = load_package(package, lang)
    if status != 0:
        return status
    from django.utils import translation

    with translation.override(lang):
        print_accounts(create_demo_accounts())
    if args.no_serve:
        return 0
    from pollguard.commands.serve import serve

    return serve(args.host, args.port, args.threads)
