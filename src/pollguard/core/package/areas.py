"""The optional `areas.geojson` of an election package: sector and district outlines.

A GeoJSON FeatureCollection; each feature is a Polygon or MultiPolygon with the properties
`kind` ("sector" or "district") and `code` (a code of sectors.csv or districts.csv). The map
draws these outlines instead of the convex hulls of the centers, which are only a guess.

Problems are reported like those of every other file, as `areas.geojson:LINE: message`: the
JSON is parsed with a decoder that remembers the line where each object starts, so a bad
feature is located at its own line.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pollguard.core.model import Area

AREAS_FILE = "areas.geojson"
AREA_KINDS = ("sector", "district")
GEOMETRY_TYPES = ("Polygon", "MultiPolygon")


class _Located(dict[str, Any]):
    """A JSON object that knows the line it starts on."""

    line: int = 0


class _LineDecoder(json.JSONDecoder):
    """json's pure-Python decoder, with objects that carry their starting line."""

    def __init__(self) -> None:
        super().__init__()

        def parse_object(s_and_end: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
            text, start = s_and_end
            # JSONObject and py_make_scanner are in the stdlib but not in typeshed.
            pairs, end = json.decoder.JSONObject(s_and_end, *args, **kwargs)  # type: ignore[attr-defined]
            located = _Located(pairs)
            located.line = text.count("\n", 0, start) + 1
            return located, end

        self.parse_object = parse_object
        # The C scanner ignores parse_object; the Python one calls it.
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]


def _line(node: object, default: int) -> int:
    return node.line if isinstance(node, _Located) else default


def _position_ok(position: object) -> bool:
    if not isinstance(position, list) or len(position) < 2:
        return False
    lon, lat = position[0], position[1]
    numbers = all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        for v in (lon, lat)
    )
    return numbers and -180 <= lon <= 180 and -90 <= lat <= 90


def _polygon_ok(rings: object) -> bool:
    """At least one ring; each ring closed, of four positions or more."""
    if not isinstance(rings, list) or not rings:
        return False
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            return False
        if not all(_position_ok(p) for p in ring) or ring[0][:2] != ring[-1][:2]:
            return False
    return True


def _geometry_ok(geometry: dict[str, Any]) -> bool:
    coordinates = geometry.get("coordinates")
    if geometry.get("type") == "Polygon":
        return _polygon_ok(coordinates)
    return (
        isinstance(coordinates, list)
        and bool(coordinates)
        and all(_polygon_ok(p) for p in coordinates)
    )


def _plain(node: Any) -> Any:
    """Back to plain dicts and lists, for a geometry stored as JSON."""
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


# add(line, kind, column, params): records one problem of the areas file.
Add = Callable[[int | None, str, str | None, dict[str, object]], None]


def read_areas(
    folder: Path,
    sector_codes: dict[str, int] | None,
    district_codes: dict[str, int] | None,
    add: Add,
) -> list[Area]:
    """The areas of the package at `folder`, [] when it has no areas file.

    `add(line, kind, column, params)` records a problem. Codes are checked against the given
    sector and district codes; None (the file could not be read) turns that check off.
    """
    path = folder / AREAS_FILE
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        add(None, "bad_json", None, {"detail": f"byte {exc.start} is not UTF-8"})
        return []
    try:
        root = _LineDecoder().decode(text)
    except json.JSONDecodeError as exc:
        add(exc.lineno, "bad_json", None, {"detail": exc.msg})
        return []
    if not isinstance(root, dict) or root.get("type") != "FeatureCollection":
        add(_line(root, 1), "not_a_feature_collection", None, {})
        return []
    features = root.get("features")
    if not isinstance(features, list):
        add(_line(root, 1), "not_a_feature_collection", None, {})
        return []
    known = {"sector": (sector_codes, "sectors.csv"), "district": (district_codes, "districts.csv")}
    seen: dict[tuple[str, str], int] = {}
    areas: list[Area] = []
    for feature in features:
        line = _line(feature, _line(root, 1))
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            add(line, "not_a_feature", None, {})
            continue
        ok = True
        geometry = feature.get("geometry")
        kind_of_geometry = geometry.get("type") if isinstance(geometry, dict) else None
        if not isinstance(geometry, dict) or kind_of_geometry not in GEOMETRY_TYPES:
            add(
                _line(geometry, line),
                "bad_geometry_type",
                "geometry",
                {"value": str(kind_of_geometry)},
            )
            ok = False
        elif not _geometry_ok(geometry):
            add(_line(geometry, line), "bad_coordinates", "geometry", {})
            ok = False
        properties = feature.get("properties")
        if not isinstance(properties, dict):
            properties = {}
        kind = properties.get("kind")
        code = properties.get("code")
        if kind not in AREA_KINDS:
            add(_line(properties, line), "bad_area_kind", "kind", {"value": str(kind)})
            ok = False
        if not isinstance(code, str) or not code.strip():
            add(_line(properties, line), "missing_area_code", "code", {})
            ok = False
        elif kind in known:
            codes, target = known[kind]
            if codes is not None and code not in codes:
                add(
                    _line(properties, line),
                    "unknown_reference",
                    "code",
                    {"value": code, "target": target},
                )
                ok = False
            elif (kind, code) in seen:
                add(
                    _line(properties, line),
                    "duplicate_code",
                    "code",
                    {"value": code, "first_line": seen[(kind, code)]},
                )
                ok = False
            else:
                seen[(kind, code)] = line
        if ok and isinstance(geometry, dict) and isinstance(kind, str) and isinstance(code, str):
            areas.append(Area(kind, code, _plain(geometry)))
    return areas
