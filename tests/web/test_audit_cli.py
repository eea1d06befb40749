"""`pollguard audit keygen / checkpoint / verify` as the auditor runs them.

Each test has its own data folder (SQLite database and signing key) and runs the
installed entry point in a subprocess.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pollguard.core.package import write_package

from .personas import make_package


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


def sql(data_dir: Path, *statements: str) -> None:
    with sqlite3.connect(data_dir / "pollguard.sqlite3") as db:
        for statement in statements:
            db.execute(statement)


@pytest.fixture
def trail(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A database with two package loads, a signed checkpoint file and the public key."""
    data = tmp_path / "data"
    folder = tmp_path / "package"
    write_package(make_package(), folder)
    assert run(data, "load", str(folder)).returncode == 0
    keygen = run(data, "audit", "keygen", "--public-out", str(tmp_path / "audit.pub"))
    assert keygen.returncode == 0, keygen.stderr
    assert stat.S_IMODE((data / "audit_signing_key.pem").stat().st_mode) == 0o600
    cp = tmp_path / "checkpoint.json"
    made = run(data, "audit", "checkpoint", "--out", str(cp))
    assert made.returncode == 0, made.stderr
    assert json.loads(cp.read_text())["tree_size"] == 1
    return data, cp, tmp_path / "audit.pub"


def test_an_untouched_trail_verifies_with_the_kept_checkpoint(trail: tuple[Path, ...]) -> None:
    data, cp, pub = trail
    result = run(data, "audit", "verify", "--checkpoint", str(cp), "--public-key", str(pub))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: 2 entries verified; 1 confirmed")


def test_a_wiped_trail_fails_verification_against_the_kept_checkpoint(
    trail: tuple[Path, ...],
) -> None:
    data, cp, pub = trail
    sql(
        data,
        "delete from audit_auditentry",
        "delete from audit_chainhead",
        "delete from audit_checkpoint",
    )
    result = run(data, "audit", "verify", "--checkpoint", str(cp), "--public-key", str(pub))
    assert result.returncode == 1
    assert "covers 1 entries, but the database holds only 0" in result.stderr
    assert "Last good entry: none." in result.stderr
    assert "[truncated]" in result.stderr


def test_a_wiped_trail_fails_verification_on_the_stored_checkpoints(
    trail: tuple[Path, ...],
) -> None:
    data, _, _ = trail
    sql(data, "delete from audit_auditentry", "delete from audit_chainhead")
    result = run(data, "audit", "verify")
    assert result.returncode == 1
    assert "[truncated]" in result.stderr


def test_the_last_entry_deleted_and_the_head_rewound_fails_in_arabic_too(
    trail: tuple[Path, ...],
) -> None:
    data, _, pub = trail
    assert run(data, "audit", "chain").stdout.startswith("1 entries linked")
    cp2 = data.parent / "checkpoint-2.json"
    assert run(data, "audit", "checkpoint", "--out", str(cp2)).returncode == 0
    sql(
        data,
        "delete from audit_auditentry where seq >= 2 or seq is null",
        "update audit_chainhead set seq = 1,"
        " hash = (select hash from audit_auditentry where seq = 1)",
    )
    result = run(
        data, "audit", "verify", "--checkpoint", str(cp2), "--public-key", str(pub), "--lang", "ar"
    )
    assert result.returncode == 1
    assert "[truncated]" in result.stderr
    assert "#1 (" in result.stderr  # the last good entry, confirmed by the first checkpoint
    assert "BROKEN" not in result.stderr  # the message is in Arabic


def test_verifying_a_checkpoint_needs_a_public_key(tmp_path: Path, trail: tuple[Path, ...]) -> None:
    _, cp, _ = trail
    other = tmp_path / "elsewhere"
    result = run(other, "audit", "verify", "--checkpoint", str(cp))
    assert result.returncode == 1
    assert "--public-key" in result.stderr
