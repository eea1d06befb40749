"""`pollguard plan`, run as a user runs it: a subprocess of the CLI on packages on disk."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packages import set_cell, write_base_package
from planning_checks import assert_plan_ok

from pollguard.core.package import read_package, write_package
from pollguard.core.planning.plan import read_plan
from pollguard.core.planning.replan import apply_changes, read_changes
from pollguard.core.synthetic import small

LOCATED = re.compile(r"^[^:]+:\d+: \S")


def pollguard(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
    }
    return subprocess.run(
        [sys.executable, "-m", "pollguard", "plan", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pkg") / "small"
    write_package(small.build(random.Random(4), 30, 40), path)
    return path


@pytest.fixture(scope="module")
def planned(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plan") / "plan.json"
    result = pollguard(folder, "--out", out, "--time-limit", "4")
    assert result.returncode == 0, result.stderr
    return out


def test_it_writes_a_checked_plan_with_a_summary_and_progress(folder: Path, planned: Path) -> None:
    plan = read_plan(planned)
    assert_plan_ok(read_package(folder), plan)
    for key in (
        "objective",
        "bound",
        "gap",
        "greedy_objective",
        "flow_bound",
        "risk_weighted_coverage",
        "sweep_coverage",
        "solve_seconds",
    ):
        assert key in plan.metrics
    data = json.loads(planned.read_text(encoding="utf-8"))
    assert data["schema"] == "pollguard.plan/1"


def test_the_summary_and_progress_go_to_their_streams(folder: Path, tmp_path: Path) -> None:
    result = pollguard(folder, "--out", tmp_path / "p.json", "--time-limit", "3", "--workers", "0")
    assert result.returncode == 0, result.stderr
    assert "weighted shortfall" in result.stdout
    assert "gap" in result.stdout
    assert "requirements:" in result.stderr
    assert "cordon:" in result.stderr


@pytest.mark.parametrize(("fmt", "marker"), [("csv", "unit,team,center"), ("html", 'dir="rtl"')])
def test_it_writes_csv_and_arabic_html(folder: Path, tmp_path: Path, fmt: str, marker: str) -> None:
    out = tmp_path / f"plan.{fmt}"
    result = pollguard(
        folder,
        "--out",
        out,
        "--time-limit",
        "3",
        "--workers",
        "0",
        "--format",
        fmt,
        "--lang",
        "ar",
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    assert marker in out.read_text(encoding="utf-8")


def test_an_invalid_package_exits_1_with_file_and_line(tmp_path: Path) -> None:
    pkg = write_base_package(tmp_path / "pkg")
    set_cell(pkg, "centers.csv", 2, "lat", "north")
    result = pollguard(pkg, "--out", tmp_path / "p.json")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines
    assert all(LOCATED.match(line) for line in lines), lines
    assert any(line.startswith("centers.csv:2: ") for line in lines), lines
    assert not (tmp_path / "p.json").exists()


def test_a_malformed_from_plan_is_a_file_line_error(folder: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{\n  "schema": "pollguard.plan/1",\n  "assignments": [\n    {"unit": 3}\n  ]\n}\n',
        encoding="utf-8",
    )
    changes = tmp_path / "changes.yaml"
    changes.write_text("[]\n", encoding="utf-8")
    result = pollguard(folder, "--from", bad, "--change", changes, "--out", tmp_path / "n.json")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert f"{bad}:4: " in result.stderr, lines
    assert all(LOCATED.match(line) for line in lines if line.startswith(str(bad)))


def test_a_malformed_change_file_is_a_file_line_error(
    folder: Path, planned: Path, tmp_path: Path
) -> None:
    changes = tmp_path / "changes.yaml"
    changes.write_text("- unit_out: U-0001\n- melt: C-0001\n", encoding="utf-8")
    result = pollguard(folder, "--from", planned, "--change", changes, "--out", tmp_path / "n.json")
    assert result.returncode == 1
    assert f"{changes}:2: " in result.stderr


def test_replanning_from_the_command_line_gives_a_checked_plan(
    folder: Path, planned: Path, tmp_path: Path
) -> None:
    current = read_plan(planned)
    unit = current.assignments[0].unit
    changes = tmp_path / "changes.yaml"
    changes.write_text(f"- unit_out: {unit}\n", encoding="utf-8")
    out = tmp_path / "new.json"
    result = pollguard(
        folder, "--from", planned, "--change", changes, "--out", out, "--time-limit", "4"
    )
    assert result.returncode == 0, result.stderr
    assert "moved" in result.stdout
    new = read_plan(out)
    pkg, risks = apply_changes(read_package(folder), read_changes(changes), new.risk)
    assert_plan_ok(pkg, new, risks)
    assert all(a.unit != unit for a in new.assignments)


def test_planning_never_imports_django(folder: Path, tmp_path: Path) -> None:
    code = (
        "import sys; from pollguard.cli import main; "
        f"rc = main(['plan', {str(folder)!r}, '--out', {str(tmp_path / 'p.json')!r}, "
        "'--time-limit', '2', '--workers', '0', '--quiet']); "
        "assert 'django' not in sys.modules, 'django imported'; sys.exit(rc)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_html_plan_escapes_names_and_isolates_codes(tmp_path: Path) -> None:
    pkg = write_base_package(tmp_path / "pkg")
    set_cell(pkg, "centers.csv", 2, "name_ar", '<script>alert("x")</script> مدرسة')
    out = tmp_path / "plan.html"
    result = pollguard(
        pkg,
        "--out",
        out,
        "--time-limit",
        "3",
        "--workers",
        "0",
        "--format",
        "html",
        "--lang",
        "ar",
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    # A Latin code inside Arabic text keeps its parentheses in order only when isolated.
    assert re.search(r"\(<bdi>[^<]+</bdi>\)", page)
