"""`pollguard demo`: the Dhi Qar 2010 demo in one command.

Migrates the default database, loads `scenarios/dhi-qar-2010` (or `--package`), creates
the demo accounts with known passwords, prints them, then serves on 127.0.0.1:8000
(`--no-serve` stops after loading). Running it twice changes nothing.

The demo accounts and their passwords are for a local demonstration only, so the command
guards against being pointed at a real election's server (docs/deployment.md):

- it refuses production settings (`POLLGUARD_HTTPS` on, a secret key from
  `POLLGUARD_SECRET_KEY`/`_FILE`, or `DATABASE_URL`) unless `--i-know-this-is-not-production`;
- it refuses a database holding anything but the demo: another election, or users that are
  not demo accounts;
- it never changes an existing user's password: a demo account created earlier keeps the
  password it has now (the printout says so).

Refusals print in English or Arabic, exit 1 and write nothing (checked before migrating).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pollguard.commands.serve import add_server_arguments

if TYPE_CHECKING:
    from pollguard.core.model import ElectionPackage

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


# Refusals, in English and Arabic, like the package messages of the core.
MESSAGES: dict[str, tuple[str, str]] = {
    "production": (
        "pollguard demo: refusing to run with production settings ({settings}). The demo "
        "creates accounts with published passwords. Unset them, or pass "
        "--i-know-this-is-not-production if this really is a throw-away server.",
        "pollguard demo: رفض التشغيل بإعدادات الإنتاج ({settings}). ينشئ العرض التجريبي "
        "حسابات بكلمات مرور منشورة. ألغِ هذه الإعدادات، أو مرّر "
        "--i-know-this-is-not-production إذا كان هذا الخادم للتجربة حقاً.",
    ),
    "other_election": (
        "pollguard demo: refusing to load the demo: the database already holds another "
        "election ({elections}). The demo never goes into a real election's database; "
        "use an empty one (POLLGUARD_DATA_DIR or DATABASE_URL).",
        "pollguard demo: رفض تحميل العرض التجريبي: قاعدة البيانات تحوي انتخابات أخرى "
        "({elections}). لا يُحمَّل العرض التجريبي في قاعدة بيانات انتخابات حقيقية؛ "
        "استخدم قاعدة فارغة (POLLGUARD_DATA_DIR أو DATABASE_URL).",
    ),
    "other_users": (
        "pollguard demo: refusing to load the demo: the database has users that are not "
        "demo accounts ({users}). Use an empty database.",
        "pollguard demo: رفض تحميل العرض التجريبي: في قاعدة البيانات مستخدمون ليسوا من "
        "حسابات العرض التجريبي ({users}). استخدم قاعدة بيانات فارغة.",
    ),
    "kept": (
        "(kept: this account existed; its password was not changed)",
        "(أُبقي: الحساب موجود مسبقاً ولم تُغيَّر كلمة المرور)",
    ),
}


def message(kind: str, lang: str, **values: str) -> str:
    en, ar = MESSAGES[kind]
    return (ar if lang == "ar" else en).format(**values)


def production_settings() -> list[str]:
    """The environment variables that say "this is a real server"; read before Django."""
    from pollguard.web.env import env_bool

    found = []
    if env_bool("POLLGUARD_HTTPS", False):
        found.append("POLLGUARD_HTTPS")
    for name in ("POLLGUARD_SECRET_KEY", "DATABASE_URL"):
        for variable in (name, f"{name}_FILE"):
            if os.environ.get(variable, "").strip():
                found.append(variable)
    return found


def demo_usernames(package: ElectionPackage) -> set[str]:
    """Every username `create_demo_accounts` may create for this package."""
    names = {"chair", "ops", "intel", "ihec", "auditor", *LIAISONS.values()}
    names.update(sector_username(s.name_en, s.code) for s in package.sectors)
    names.update(field_username(c.code) for c in package.centers)
    return names


def foreign_content(package: ElectionPackage, lang: str) -> str | None:
    """Why the database is not a demo database, or None. Reads only; runs before migrating."""
    from django.contrib.auth.models import User
    from django.db import connection

    from pollguard.registry.models import Election

    tables = set(connection.introspection.table_names())
    if Election._meta.db_table in tables:
        others = list(
            Election.objects.exclude(code=package.election.code)
            .order_by("code")
            .values_list("code", flat=True)[:5]
        )
        if others:
            return message("other_election", lang, elections=", ".join(others))
    if User._meta.db_table in tables:
        strangers = list(
            User.objects.exclude(username__in=demo_usernames(package))
            .order_by("username")
            .values_list("username", flat=True)[:5]
        )
        if strangers:
            return message("other_users", lang, users=", ".join(strangers))
    return None


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
    parser.add_argument(
        "--i-know-this-is-not-production",
        dest="not_production",
        action="store_true",
        help="run even with production settings (HTTPS, a configured key, DATABASE_URL)",
    )
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


def field_username(center_code: str) -> str:
    return "field-" + re.sub(r"[^a-z0-9]", "", center_code.lower())


def demo_password(username: str) -> str:
    return f"{username}-2010"


def create_demo_accounts(lang: str = "en") -> list[tuple[str, str, str, str]]:
    """Create missing demo accounts, refresh roles; rows of (username, password, role, scope).

    An account that already exists keeps its password: its row says so instead.
    """
    from django.contrib.auth.models import User

    from pollguard.accounts.actions import do_provision_user
    from pollguard.accounts.choices import Role
    from pollguard.registry.access import default_election
    from pollguard.registry.models import Agency, Center, Sector

    election = default_election()  # the demo database holds only the demo
    assert election is not None
    rows: list[tuple[str, str, str, str]] = []

    def make(username: str, role: Role, scope: str = "", **kwargs: Any) -> None:
        exists = User.objects.filter(username=username).exists()
        password = None if exists else demo_password(username)
        do_provision_user(username, password=password, role=role, acting_user=None, **kwargs)
        shown = message("kept", lang) if password is None else password
        rows.append((username, shown, str(role.label), scope))

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
        username = field_username(center.code)
        make(username, Role.FIELD_REPORTER, f"{center.code} {center.name_en}", center=center)
    return rows


DEMO_PHONE = "+9647800000001"
DEMO_TELEGRAM_USER = 100000001


def prepare_field_reports() -> None:
    """The demo's expected check-ins (from its dates; deterministic, idempotent) and the
    demo field reporter's phone number and Telegram user, for simulated SMS and updates."""
    from django.contrib.auth.models import User

    from pollguard.fieldreports.actions import do_generate_expected_checkins, do_register_phone
    from pollguard.fieldreports.models import ReporterPhone
    from pollguard.registry.access import default_election

    election = default_election()
    assert election is not None
    do_generate_expected_checkins(election, acting_user=None)
    reporter = User.objects.filter(profile__role="field_reporter").order_by("username").first()
    if reporter is not None and not ReporterPhone.objects.filter(phone=DEMO_PHONE).exists():
        do_register_phone(
            reporter,
            phone=DEMO_PHONE,
            telegram_user=DEMO_TELEGRAM_USER,
            language="ar",
            acting_user=None,
        )


def prepare_custody() -> None:
    """The demo's ballot boxes on their way to the counting center (custody.demo), recorded
    by the commission's demo account; once, a database that has custody items keeps them."""
    from django.contrib.auth.models import User

    from pollguard.custody.demo import seed_demo_custody
    from pollguard.registry.access import default_election

    election = default_election()
    assert election is not None
    seed_demo_custody(election, acting_user=User.objects.get(username="ihec"))


def load_comparison() -> None:
    """The previous election the after-action report compares with (the 2009 KPIs)."""
    from pollguard.registry.access import default_election
    from pollguard.reports.actions import do_load_bundled_comparison

    election = default_election()
    assert election is not None
    do_load_bundled_comparison(election, acting_user=None)


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


def special_vote_morning(package: ElectionPackage) -> str:
    """An hour after the polls open on the package's special-vote day, with its offset."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    election = package.election
    opens = datetime.combine(
        election.special_vote_date, election.polls_open, tzinfo=ZoneInfo(election.timezone)
    )
    return (opens + timedelta(hours=1)).isoformat()


def run(args: argparse.Namespace) -> int:
    from pollguard.commands.load import load_package
    from pollguard.core.package import read_package
    from pollguard.core.problems import InvalidInput, user_language
    from pollguard.web.env import default_data_dir

    lang = user_language(args.lang)
    package_dir = args.package or find_demo_package()
    if package_dir is None:
        print(f"pollguard demo: scenarios/{DEMO_SCENARIO} not found; pass --package PATH")
        return 1
    production = production_settings()
    if production and not args.not_production:
        print(message("production", lang, settings=", ".join(production)), file=sys.stderr)
        return 1
    try:
        package = read_package(package_dir)
    except InvalidInput as invalid:
        for line in invalid.render(lang):
            print(line, file=sys.stderr)
        return 1
    data_dir = default_data_dir()
    if not os.environ.get("DATABASE_URL") and not os.environ.get("DATABASE_URL_FILE"):
        # The SQLite file lives in the data folder; checking it needs the folder.
        data_dir.mkdir(parents=True, exist_ok=True)
    # The demo replays 2010: its special-vote check-ins run on the special-vote morning.
    os.environ.setdefault("POLLGUARD_SPECIAL_VOTE_CLOCK", special_vote_morning(package))
    from pollguard.web.bootstrap import ensure_local_secret_key, setup

    setup(migrate=False)
    refusal = foreign_content(package, lang)
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return 1
    # The settings were read without a key if none existed yet; the file is for the server.
    if ensure_local_secret_key(data_dir):
        from django.conf import settings

        settings.SECRET_KEY = (data_dir / "secret_key").read_text(encoding="utf-8").strip()
    status = load_package(package_dir, lang, package)
    if status != 0:
        return status
    from django.utils import translation

    with translation.override(lang):
        print_accounts(create_demo_accounts(lang))
    prepare_field_reports()
    prepare_custody()
    load_comparison()
    if args.no_serve:
        return 0
    from pollguard.commands.serve import serve

    return serve(args.host, args.port, args.threads, args.worker, args.processes)
