"""The optional areas.geojson: sector and district outlines, validated like every file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from packages import write_base_package

from pollguard.core.package import read_package, validate_package, write_package
from pollguard.core.problems import InvalidInput, Lang


def square(lon: float, lat: float, size: float = 0.1) -> list[list[list[float]]]:
    return [
        [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    ]


def feature(kind: str, code: str, geometry: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"kind": kind, "code": code},
        "geometry": geometry or {"type": "Polygon", "coordinates": square(46.0, 31.5)},
    }


def write_areas(folder: Path, *features: dict[str, Any]) -> None:
    """One feature per line, so a feature's line number is its position plus one."""
    lines = ['{"type": "FeatureCollection", "features": [']
    lines += [
        json.dumps(f) + ("," if i < len(features) - 1 else "") for i, f in enumerate(features)
    ]
    lines.append("]}")
    (folder / "areas.geojson").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write_base_package(tmp_path / "pkg")


def rendered(folder: Path, lang: Lang = "en") -> list[str]:
    return [p.render(lang) for p in validate_package(folder) if p.file == "areas.geojson"]


def test_a_package_without_areas_is_valid_and_has_none(base: Path) -> None:
    assert read_package(base).areas == ()


def test_it_reads_sector_and_district_outlines(base: Path) -> None:
    multi = {"type": "MultiPolygon", "coordinates": [square(46.0, 31.0), square(46.3, 31.0)]}
    write_areas(base, feature("sector", "RIF"), feature("district", "D-NAS", multi))
    areas = read_package(base).areas
    assert [(a.kind, a.code, a.geometry["type"]) for a in areas] == [
        ("sector", "RIF", "Polygon"),
        ("district", "D-NAS", "MultiPolygon"),
    ]


def test_bad_json_is_reported_at_its_line_and_nothing_is_loaded(base: Path) -> None:
    (base / "areas.geojson").write_text('{"type": "FeatureCollection",\n "features": [,]}\n')
    with pytest.raises(InvalidInput):
        read_package(base)
    [problem] = rendered(base)
    assert problem.startswith("areas.geojson:2: the file is not valid JSON")
    assert rendered(base, "ar")[0].startswith("areas.geojson:2: الملف ليس بصيغة JSON صحيحة")


def test_a_wrong_geometry_type_and_an_unknown_code_are_located_at_their_feature(
    base: Path,
) -> None:
    point = {"type": "Point", "coordinates": [46.0, 31.0]}
    write_areas(
        base,
        feature("sector", "RIF"),
        feature("sector", "NAS", point),
        feature("district", "D-XXX"),
        feature("province", "DQ"),
        feature("sector", "RIF"),
    )
    assert rendered(base) == [
        "areas.geojson:3: geometry type 'Point' is not allowed; an area is a Polygon or a "
        "MultiPolygon",
        "areas.geojson:4: code 'D-XXX' does not match any code in districts.csv",
        "areas.geojson:5: property kind 'province' is not allowed; use sector or district",
        "areas.geojson:6: code 'RIF' is used twice; it was first used on line 2",
    ]
    arabic = rendered(base, "ar")
    assert arabic[0].startswith("areas.geojson:3: نوع الشكل الهندسي 'Point' غير مسموح به")
    assert "لا تطابق أي رمز في districts.csv" in arabic[1]


def test_an_open_ring_or_a_latitude_out_of_range_is_not_a_polygon(base: Path) -> None:
    ring = square(46.0, 31.0)[0][:-1]
    far = [[[46.0, 95.0], [46.1, 95.0], [46.1, 95.1], [46.0, 95.0]]]
    write_areas(
        base,
        feature("sector", "RIF", {"type": "Polygon", "coordinates": [ring]}),
        feature("sector", "NAS", {"type": "Polygon", "coordinates": far}),
    )
    problems = rendered(base)
    assert [p.split(": ")[0] for p in problems] == ["areas.geojson:2", "areas.geojson:3"]
    assert all("not a valid polygon" in p for p in problems)


def test_a_file_that_is_not_a_feature_collection_is_refused(base: Path) -> None:
    (base / "areas.geojson").write_text('{"type": "Polygon", "coordinates": []}\n')
    assert rendered(base) == [
        'areas.geojson:1: the file must be a GeoJSON FeatureCollection: {"type": '
        '"FeatureCollection", "features": [...]}'
    ]


def test_written_areas_read_back_the_same(base: Path, tmp_path: Path) -> None:
    write_areas(base, feature("sector", "RIF"), feature("district", "N-UR"))
    package = read_package(base)
    write_package(package, tmp_path / "copy")
    assert read_package(tmp_path / "copy").areas == package.areas
