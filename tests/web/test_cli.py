"""`pollguard load`, `demo --no-serve` and `audit verify` as a user runs them.

Each test gets its own data folder (a fresh SQLite database) through POLLGUARD_DATA_DIR,
and runs the installed entry point in a subprocess, migrations included.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pollguard.core.package import write_package

from .personas import make_package

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "scenarios" / "dhi-qar-2010"


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLLGUARD_", "DATABASE_URL"))}
    env.update(POLLGUARD_DATA_DIR=str(data_dir), LANG="C.UTF-8", PYTHONIOENCODING="utf-8")
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
    second = run(data, "demo", "--no-serve", "--lang", "en")
    assert second.returncode == 0, second.stderr
    assert "already up to date" in second.stdout
    assert count(data, "registry_center") == centers
    assert count(data, "auth_user") == first.stdout.count("-2010 ")


def test_serve_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = run(tmp_path / "data", "serve", "--port", "0")
    assert result.returncode == 1
    assert "POLLGUARD_SECRET_KEY" in result.stderr
