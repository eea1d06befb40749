"""The package writer: what it writes reads back as the same package, byte-stable."""

from __future__ import annotations

import math
import random
import tempfile
from dataclasses import replace
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pollguard.core.model import Policy
from pollguard.core.package import format_number, read_package, validate_package, write_package
from pollguard.core.synthetic import small


def _written(pkg: object, folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    n_centers=st.integers(min_value=1, max_value=25),
    n_units=st.integers(min_value=1, max_value=15),
)
def test_a_written_package_reads_back_equal(seed: int, n_centers: int, n_units: int) -> None:
    pkg = small.build(random.Random(seed), n_centers, n_units)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pkg"
        write_package(pkg, folder)
        assert [p.render() for p in validate_package(folder)] == []
        assert read_package(folder) == pkg


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_is_written_without_exponent_and_reads_back(value: float) -> None:
    text = format_number(value)
    assert "e" not in text.lower()
    assert float(text) == value
    assert yaml.safe_load(f"x: {text}")["x"] == value


def test_it_refuses_to_write_a_number_that_is_not_finite() -> None:
    for bad in (math.inf, -math.inf, math.nan):
        try:
            format_number(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} was written")


def test_it_writes_the_same_bytes_for_the_same_package(tmp_path: Path) -> None:
    pkg = small.build(random.Random(7), 12, 6)
    write_package(pkg, tmp_path / "a")
    write_package(pkg, tmp_path / "b")
    first = _written(pkg, tmp_path / "a")
    assert first == _written(pkg, tmp_path / "b")
    for name, data in first.items():
        assert not data.startswith(b"\xef\xbb\xbf"), f"{name} has a BOM"
        assert b"\r\n" not in data, f"{name} has CRLF line ends"
        data.decode("utf-8")


def test_it_writes_every_policy_key_explicitly(tmp_path: Path) -> None:
    pkg = small.build(random.Random(3), 3, 2)
    write_package(pkg, tmp_path)
    doc = yaml.safe_load((tmp_path / "election.yaml").read_text(encoding="utf-8"))
    assert doc["version"] == 1
    policy = doc["policy"]
    assert set(policy) == {"risk_weight", "roles", "sweep", "risk"}
    assert set(policy["sweep"]) == {
        "window_start",
        "window_end",
        "road_factor",
        "speed_kmh",
        "minutes_base",
        "minutes_per_station",
        "k9_min_risk",
    }
    assert set(policy["risk"]) == {
        "weight_history",
        "weight_intel",
        "weight_remoteness",
        "weight_size",
        "history_half_life_days",
        "intel_radius_km",
        "history_radius_km",
        "intel_half_life_days",
        "remoteness_km",
        "size_voters",
    }
    for role in policy["roles"].values():
        assert {"kinds", "base", "per_station", "risk_factor", "weight"} <= set(role)
    # Times stay strings: an unquoted 07:00 is the integer 420 to a YAML 1.1 loader.
    assert doc["election"]["polls_open"] == "07:00"


def test_it_leaves_out_empty_optional_files_and_removes_stale_ones(tmp_path: Path) -> None:
    pkg = small.build(random.Random(11), 8, 4)
    write_package(pkg, tmp_path)
    bare = replace(
        pkg,
        districts=(),
        stations=(),
        personnel=(),
        special_register=(),
        incidents_history=(),
        intel=(),
        centers=tuple(replace(c, district=None, subdistrict=None) for c in pkg.centers),
    )
    write_package(bare, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "centers.csv",
        "election.yaml",
        "sectors.csv",
        "units.csv",
    ]
    assert read_package(tmp_path) == bare


def test_it_writes_optional_columns_only_when_a_row_uses_them(tmp_path: Path) -> None:
    pkg = small.build(random.Random(5), 6, 3)
    plain = replace(
        pkg,
        centers=tuple(replace(c, risk=None) for c in pkg.centers),
        units=tuple(
            replace(u, name_en="", name_ar="", team_size=None, max_distance_km=None, speed_kmh=None)
            for u in pkg.units
        ),
    )
    write_package(plain, tmp_path)
    centers_header = (tmp_path / "centers.csv").read_text(encoding="utf-8").splitlines()[0]
    units_header = (tmp_path / "units.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "risk" not in centers_header.split(",")
    assert units_header == "code,agency,kind,headcount,sector,lat,lon"
    assert read_package(tmp_path) == plain


def test_it_refuses_a_package_of_another_format_version(tmp_path: Path) -> None:
    pkg = replace(small.build(random.Random(1), 2, 1), version=2)
    try:
        write_package(pkg, tmp_path)
    except ValueError:
        return
    raise AssertionError("a version 2 package was written as version 1")


def test_policy_without_roles_is_still_valid_yaml(tmp_path: Path) -> None:
    pkg = small.build(random.Random(2), 2, 1)
    empty = replace(pkg, policy=Policy(roles={}, sweep=pkg.policy.sweep))
    write_package(empty, tmp_path)
    doc = yaml.safe_load((tmp_path / "election.yaml").read_text(encoding="utf-8"))
    assert doc["policy"]["roles"] == {}
