"""`pollguard load`, `demo --no-serve` and `audit verify` as a user runs them.

Each test gets its own data folder (a fresh SQLite database) through POLLGUARD_DATA_DIR,
and runs the installed entry point in a subprocess, migrations included.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pollguard.core.package import write_package

from .personas import make_package

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "scenarios" / "dhi-qar-2010"


def run(data_dir: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLLGUARD_", "DATABASE_URL"))}
    env.update(POLLGUARD_DATA_DIR=str(data_dir), LANG="C.UTF-8", PYTHONIOENCODING="utf-8")
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "pollguard", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


def count(data_dir: Path, table: str) -> int:
    with sqlite3.connect(data_dir / "pollguard.sqlite3") as db:
        return int(db.execute(f"select count(*) from {table}").fetchone()[0])  # noqa: S608


@pytest.fixture
def package(tmp_path: Path) -> Path:
    folder = tmp_path / "package"
    write_package(make_package(), folder)
    return folder


def test_load_creates_the_database_and_reloading_changes_nothing(
    tmp_path: Path, package: Path
) -> None:
    data = tmp_path / "data"
    first = run(data, "load", str(package))
    assert first.returncode == 0, first.stderr
    assert "5 center" in first.stdout
    second = run(data, "load", str(package))
    assert second.returncode == 0, second.stderr
    assert "already up to date" in second.stdout
    assert count(data, "registry_center") == 5


def test_load_of_an_invalid_package_reports_problems_and_writes_nothing(
    tmp_path: Path, package: Path
) -> None:
    data = tmp_path / "data"
    assert run(data, "load", str(package)).returncode == 0
    before = count(data, "registry_center")
    centers = package / "centers.csv"
    centers.write_text(
        centers.read_text(encoding="utf-8").replace(",RIF,", ",NOWHERE,", 1), encoding="utf-8"
    )
    result = run(data, "load", str(package), "--lang", "en")
    assert result.returncode == 1
    assert "centers.csv:2:" in result.stderr
    assert count(data, "registry_center") == before
    assert count(data, "audit_auditentry") == 1  # the first load only


def test_audit_verify_reports_ok_then_the_first_broken_link(tmp_path: Path, package: Path) -> None:
    data = tmp_path / "data"
    run(data, "load", str(package))
    ok = run(data, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("OK: 1 ")
    with sqlite3.connect(data / "pollguard.sqlite3") as db:
        db.execute("update audit_auditentry set after = '{}' where critical")
    broken = run(data, "audit", "verify")
    assert broken.returncode == 1
    assert "registry.load_package" in broken.stderr
    assert "hash_mismatch" in broken.stderr


def test_concurrent_loads_into_one_sqlite_file_keep_one_audit_chain(
    tmp_path: Path, package: Path
) -> None:
    """WAL, BEGIN IMMEDIATE and the busy timeout queue writers instead of failing."""
    import dataclasses

    data = tmp_path / "data"
    assert run(data, "load", str(package)).returncode == 0  # creates the schema first
    folders = []
    for n in range(3):
        base = make_package()
        election = dataclasses.replace(base.election, code=f"parallel-{n}")
        folders.append(tmp_path / f"p{n}")
        write_package(make_package(election=election), folders[-1])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLLGUARD_", "DATABASE_"))}
    env["POLLGUARD_DATA_DIR"] = str(data)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "pollguard", "load", str(folder)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in folders
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert count(data, "registry_election") == 4
    verify = run(data, "audit", "verify")
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.startswith("OK: 4 ")


@pytest.mark.slow
def test_demo_loads_dhi_qar_and_prints_the_demo_accounts_twice_alike(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run(data, "demo", "--no-serve", "--lang", "en")
    assert first.returncode == 0, first.stderr
    for username in ("chair", "ops", "intel", "ihec", "auditor", "cmd-rifai", "cmd-chibayish",
                     "liaison-army", "field-c0001"):  # fmt: skip
        assert f"\n{username} " in first.stdout
    assert "demo only" in first.stdout
    assert (data / "secret_key").exists()
    centers = count(data, "registry_center")
    assert centers == sum(1 for _ in (DEMO / "centers.csv").open(encoding="utf-8")) - 1
    # The chair changed the published password; a second run must not put it back.
    changed = python(data, CHANGE_PASSWORD.format(user="chair", password="chair-chose-this"))
    assert changed.returncode == 0, changed.stderr
    second = run(data, "demo", "--no-serve", "--lang", "en")
    assert second.returncode == 0, second.stderr
    assert "already up to date" in second.stdout
    assert count(data, "registry_center") == centers
    assert count(data, "auth_user") == first.stdout.count("-2010 ")
    assert re.search(r"\nchair +\(kept: this account existed; its password was not", second.stdout)
    assert "chair-2010" not in second.stdout
    checked = python(data, CHECK_PASSWORD.format(user="chair", password="chair-chose-this"))
    assert checked.stdout.strip() == "True", checked.stderr


CHANGE_PASSWORD = """
from pollguard.web.bootstrap import setup
setup()
from django.contrib.auth.models import User
user = User.objects.get(username={user!r})
user.set_password({password!r})
user.save()
"""
CHECK_PASSWORD = """
from pollguard.web.bootstrap import setup
setup()
from django.contrib.auth.models import User
print(User.objects.get(username={user!r}).check_password({password!r}))
"""
ADD_USER = """
from pollguard.web.bootstrap import setup
setup()
from django.contrib.auth.models import User
User.objects.create_user({user!r}, password="a real officer's password")
"""


def python(data_dir: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run Python against the same data folder, as an administrator's shell would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLLGUARD_", "DATABASE_URL"))}
    env.update(POLLGUARD_DATA_DIR=str(data_dir), POLLGUARD_SECRET_KEY="x" * 50)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("POLLGUARD_HTTPS", "1"),
        ("POLLGUARD_SECRET_KEY", "a-real-servers-key"),
        ("DATABASE_URL", "sqlite:///{data}/elsewhere.sqlite3"),
    ],
)
def test_demo_refuses_production_settings_and_writes_nothing(
    tmp_path: Path, variable: str, value: str
) -> None:
    data = tmp_path / "data"
    value = value.format(data=data)
    result = run(data, "demo", "--no-serve", "--lang", "en", **{variable: value})
    assert result.returncode == 1
    assert f"refusing to run with production settings ({variable})" in result.stderr
    assert "--i-know-this-is-not-production" in result.stderr
    assert not data.exists()  # no database, no secret key


def test_demo_explains_its_refusal_in_arabic(tmp_path: Path) -> None:
    result = run(tmp_path / "data", "demo", "--no-serve", "--lang", "ar", POLLGUARD_HTTPS="1")
    assert result.returncode == 1
    assert "رفض التشغيل بإعدادات الإنتاج (POLLGUARD_HTTPS)" in result.stderr


def test_demo_refuses_a_database_holding_another_election(tmp_path: Path, package: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "load", str(package)).returncode == 0
    result = run(data, "demo", "--no-serve", "--lang", "en")
    assert result.returncode == 1
    assert "already holds another election (test-2010)" in result.stderr
    assert count(data, "registry_election") == 1
    assert count(data, "auth_user") == 0


def test_demo_refuses_a_database_with_users_that_are_not_demo_accounts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    added = python(data, ADD_USER.format(user="real-officer"))
    assert added.returncode == 0, added.stderr
    result = run(data, "demo", "--no-serve", "--lang", "en")
    assert result.returncode == 1
    assert "users that are not demo accounts (real-officer)" in result.stderr
    assert count(data, "registry_election") == 0
    assert count(data, "auth_user") == 1


def test_serve_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = run(tmp_path / "data", "serve", "--port", "0")
    assert result.returncode == 1
    assert "POLLGUARD_SECRET_KEY" in result.stderr
