"""Write an `ElectionPackage` to a package folder (the inverse of the reader).

The output is meant to be committed and diffed (the Dhi Qar demo lives in git), so it is
deterministic byte for byte: files are UTF-8 without a BOM with `\\n` line ends, rows keep
the package's order, and numbers have exactly one spelling:

- integers as digits;
- floats as the shortest decimal that reads back to the same float (`repr`), never in
  exponent notation (a YAML 1.1 loader reads `1e-05` as a string) and without a trailing
  `.0` when the value is integral (`base: 4`, as docs/election-package.md shows it).

`election.yaml` is written by hand rather than by `yaml.safe_dump` so that it keeps the
documented layout (flow mappings for ballot entries and roles, comments) and every policy
key appears explicitly, defaults included: an officer reading the file sees every number
the planner will use. Optional CSV files are written only when they have rows, and
optional columns only when some row uses them.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from pollguard.core.model import (
    PACKAGE_FORMAT_VERSION,
    CenterKind,
    DutyPolicy,
    ElectionPackage,
    Policy,
    RolePolicy,
    TaskTemplate,
    UnitKind,
)

__all__ = ["format_number", "write_package"]

Cell = str | int | float | None

# The order in which kinds are listed inside a role or a speed table: the model's order.
_KIND_ORDER = {kind: index for index, kind in enumerate(UnitKind)}


def format_number(value: float) -> str:
    """The one spelling of a number in a package file; reads back to the same value."""
    if isinstance(value, bool):  # bool is an int; never a meaningful package number
        raise TypeError("a package number cannot be a bool")
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise ValueError(f"a package number must be finite, got {value!r}")
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        # Decimal(repr) is exact for the shortest round-tripping digits; 'f' spells it out.
        text = format(Decimal(text), "f")
    return text


def _yaml_str(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar; quoting every string keeps
    # values such as "07:00", "null", "yes" or "1.0" from being read as something else.
    return json.dumps(text, ensure_ascii=False)


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def _yaml_key(text: str) -> str:
    if _PLAIN_KEY.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return _yaml_str(text)


def _yaml_value(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, datetime):
        return _yaml_str(value.isoformat())
    if isinstance(value, date):
        return value.isoformat()  # an unquoted YAML date, as in the documented layout
    if isinstance(value, time):
        return _yaml_str(_format_time(value))
    if isinstance(value, _Text):
        return _yaml_str(value)
    if isinstance(value, str):
        return _yaml_key(value)  # codes and kinds stay plain (`kinds: [police]`), text is quoted
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_yaml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return _yaml_flow(value)
    raise TypeError(f"cannot write {type(value).__name__} to election.yaml")


def _yaml_flow(mapping: dict[str, object]) -> str:
    return "{" + ", ".join(f"{key}: {_yaml_value(val)}" for key, val in mapping.items()) + "}"


def _format_time(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second or value.microsecond else "%H:%M")


def _sorted_kinds(kinds: Iterable[UnitKind]) -> list[str]:
    return [kind.value for kind in sorted(kinds, key=_KIND_ORDER.__getitem__)]


def _role_mapping(role: RolePolicy) -> dict[str, object]:
    mapping: dict[str, object] = {
        "kinds": _sorted_kinds(role.kinds),
        "base": role.base,
        "per_station": role.per_station,
        "risk_factor": role.risk_factor,
        "weight": role.weight,
    }
    # Conditions are written only when set: an absent condition means "always needed",
    # which is not a default value that could be spelled out.
    if role.min_risk is not None:
        mapping["min_risk"] = role.min_risk
    if role.min_stations is not None:
        mapping["min_stations"] = role.min_stations
    if role.min_voters is not None:
        mapping["min_voters"] = role.min_voters
    return mapping


def _policy_lines(policy: Policy) -> list[str]:
    sweep = policy.sweep
    risk = policy.risk
    speeds = {
        kind.value: speed
        for kind, speed in sorted(sweep.speed_kmh.items(), key=lambda kv: _KIND_ORDER[kv[0]])
    }
    lines = ["policy:", f"  risk_weight: {_yaml_value(policy.risk_weight)}", "  roles:"]
    if not policy.roles:
        lines[-1] = "  roles: {}"
    for name, role in policy.roles.items():
        lines.append(f"    {_yaml_key(name)}: {_yaml_flow(_role_mapping(role))}")
    lines += [
        "  sweep:",
        f"    window_start: {_yaml_value(sweep.window_start)}",
        f"    window_end: {_yaml_value(sweep.window_end)}",
        f"    road_factor: {_yaml_value(sweep.road_factor)}",
        f"    speed_kmh: {_yaml_flow(dict(speeds))}",
        f"    minutes_base: {_yaml_value(sweep.minutes_base)}",
        f"    minutes_per_station: {_yaml_value(sweep.minutes_per_station)}",
        f"    k9_min_risk: {_yaml_value(sweep.k9_min_risk)}",
        "  risk:",
        f"    weight_history: {_yaml_value(risk.weight_history)}",
        f"    weight_intel: {_yaml_value(risk.weight_intel)}",
        f"    weight_remoteness: {_yaml_value(risk.weight_remoteness)}",
        f"    weight_size: {_yaml_value(risk.weight_size)}",
        f"    history_half_life_days: {_yaml_value(risk.history_half_life_days)}",
        f"    history_radius_km: {_yaml_value(risk.history_radius_km)}",
        f"    intel_half_life_days: {_yaml_value(risk.intel_half_life_days)}",
        f"    intel_radius_km: {_yaml_value(risk.intel_radius_km)}",
        f"    remoteness_km: {_yaml_value(risk.remoteness_km)}",
        f"    size_voters: {_yaml_value(risk.size_voters)}",
    ]
    if policy.duty != DutyPolicy() or policy.task_templates:
        lines += [
            "  duty:",
            f"    start: {_yaml_value(format_offset(policy.duty.start_minutes))}",
            f"    end: {_yaml_value(format_offset(policy.duty.end_minutes))}",
        ]
    if policy.task_templates:
        lines.append("  task_templates:")
        for template in policy.task_templates:
            lines.append(f"    - {_yaml_flow(_template_mapping(template))}")
    return lines


def format_offset(minutes: int) -> str:
    """`-13h`, `+1h30m`, `0`: the form `policy.duty` and `policy.task_templates` read."""
    if minutes == 0:
        return "0"
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return sign + (f"{hours}h" if hours else "") + (f"{rest}m" if rest else "")


def _template_mapping(template: TaskTemplate) -> dict[str, object]:
    mapping: dict[str, object] = {"code": template.code, "phase": template.phase.value}
    if template.kind is not None:
        mapping["kind"] = template.kind.value
    if template.agency is not None:
        mapping["agency"] = template.agency
    mapping["sectors"] = (
        list(template.sectors) if isinstance(template.sectors, tuple) else template.sectors
    )
    mapping["anchor"] = template.anchor.value
    mapping["start"] = format_offset(template.start_minutes)
    mapping["due"] = format_offset(template.due_minutes)
    for key in ("title_en", "title_ar", "text_en", "text_ar"):
        value = getattr(template, key)
        if value:
            mapping[key] = _Text(value)
    return mapping


class _Text(str):
    """Free text: always quoted, even when it looks like a code."""

    __slots__ = ()


def election_yaml(pkg: ElectionPackage, comment: str = "") -> str:
    """The text of `election.yaml` for `pkg`; `comment` lines go on top (e.g. "synthetic")."""
    election = pkg.election
    ballot = election.ballot
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    lines += [
        f"version: {pkg.version}",
        "encoding: utf-8",
        "election:",
        f"  code: {_yaml_str(election.code)}",
        f"  name_en: {_yaml_str(election.name_en)}",
        f"  name_ar: {_yaml_str(election.name_ar)}",
        "  governorate: "
        + _yaml_flow(
            {
                "code": election.governorate_code,
                "name_en": election.governorate_en,
                "name_ar": election.governorate_ar,
            }
        ),
        f"  timezone: {_yaml_str(election.timezone)}",
        f"  special_vote_date: {_yaml_value(election.special_vote_date)}",
        f"  general_vote_date: {_yaml_value(election.general_vote_date)}",
        f"  polls_open: {_yaml_value(election.polls_open)}",
        f"  polls_close: {_yaml_value(election.polls_close)}",
        f"  seats: {_yaml_value(election.seats)}",
        "ballot:",
    ]
    lines.append("  components:" if ballot.components else "  components: []")
    for component in ballot.components:
        lines.append(
            "    - "
            + _yaml_flow(
                {
                    "code": component.code,
                    "name_en": component.name_en,
                    "name_ar": component.name_ar,
                    "seats": component.seats,
                }
            )
        )
    lines.append("  entities:" if ballot.entities else "  entities: []")
    for entity in ballot.entities:
        lines.append(
            "    - "
            + _yaml_flow(
                {
                    "number": entity.number,
                    "name_en": entity.name_en,
                    "name_ar": entity.name_ar,
                    "component": entity.component,
                }
            )
        )
    lines.append("agencies:" if pkg.agencies else "agencies: []")
    for agency in pkg.agencies:
        lines.append(
            "  - "
            + _yaml_flow(
                {"code": agency.code, "name_en": agency.name_en, "name_ar": agency.name_ar}
            )
        )
    lines += _policy_lines(pkg.policy)
    return "\n".join(lines) + "\n"


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return format_number(value)


def _write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    optional: Sequence[str] = (),
) -> None:
    """Write `rows`; columns named in `optional` are dropped when every row leaves them empty."""
    keep = [
        index
        for index, name in enumerate(header)
        if name not in optional or any(row[index] not in (None, "") for row in rows)
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([header[index] for index in keep])
        for row in rows:
            writer.writerow([_cell(row[index]) for index in keep])


def write_package(pkg: ElectionPackage, folder: Path, *, comment: str = "") -> None:
    """Write `pkg` into `folder` (created if missing) as election.yaml and CSV files.

    Files of the package format that `pkg` leaves empty are removed from the folder if an
    earlier run left them there, so that the folder always describes exactly `pkg`.
    """
    if pkg.version != PACKAGE_FORMAT_VERSION:
        raise ValueError(f"cannot write package format version {pkg.version}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "election.yaml").write_text(election_yaml(pkg, comment), encoding="utf-8")

    _write_csv(
        folder / "sectors.csv",
        ("code", "name_en", "name_ar"),
        [(s.code, s.name_en, s.name_ar) for s in pkg.sectors],
    )
    _write_csv(
        folder / "centers.csv",
        (
            "code",
            "name_en",
            "name_ar",
            "sector",
            "lat",
            "lon",
            "stations",
            "voters",
            "risk",
            "district",
            "subdistrict",
            "kind",
        ),
        [
            (
                c.code,
                c.name_en,
                c.name_ar,
                c.sector,
                c.lat,
                c.lon,
                c.stations,
                c.voters,
                c.risk,
                c.district,
                c.subdistrict,
                None if c.kind is CenterKind.GENERAL else c.kind.value,
            )
            for c in pkg.centers
        ],
        optional=("risk", "district", "subdistrict", "kind"),
    )
    _write_csv(
        folder / "units.csv",
        (
            "code",
            "agency",
            "kind",
            "headcount",
            "sector",
            "lat",
            "lon",
            "name_en",
            "name_ar",
            "team_size",
            "max_distance_km",
            "speed_kmh",
        ),
        [
            (
                u.code,
                u.agency,
                u.kind.value,
                u.headcount,
                u.sector,
                u.lat,
                u.lon,
                u.name_en,
                u.name_ar,
                u.team_size,
                u.max_distance_km,
                u.speed_kmh,
            )
            for u in pkg.units
        ],
        optional=("name_en", "name_ar", "team_size", "max_distance_km", "speed_kmh"),
    )

    optional_files: list[tuple[str, Sequence[str], list[tuple[Cell, ...]], Sequence[str]]] = [
        (
            "districts.csv",
            ("code", "name_en", "name_ar", "parent"),
            [(d.code, d.name_en, d.name_ar, d.parent) for d in pkg.districts],
            (),
        ),
        (
            "stations.csv",
            ("code", "center", "number", "voters"),
            [(s.code, s.center, s.number, s.voters) for s in pkg.stations],
            (),
        ),
        (
            "personnel.csv",
            ("id", "name_ar", "unit", "name_en"),
            [(p.id, p.name_ar, p.unit, p.name_en) for p in pkg.personnel],
            ("name_en",),
        ),
        (
            "special_register.csv",
            ("id", "name_ar", "special_center", "name_en", "unit"),
            [(v.id, v.name_ar, v.special_center, v.name_en, v.unit) for v in pkg.special_register],
            ("name_en", "unit"),
        ),
        (
            "incidents_history.csv",
            ("code", "date", "lat", "lon", "kind", "severity", "center", "description"),
            [
                (
                    i.code,
                    i.when.isoformat(),
                    i.lat,
                    i.lon,
                    i.kind,
                    i.severity,
                    i.center,
                    i.description,
                )
                for i in pkg.incidents_history
            ],
            ("center", "description"),
        ),
        (
            "intel.csv",
            ("code", "date", "center", "severity", "credibility", "summary"),
            [
                (r.code, r.when.isoformat(), r.center, r.severity, r.credibility, r.summary)
                for r in pkg.intel
                # A package's intel.csv names centers; place reports are filed in the app.
                if r.center is not None
            ],
            ("summary",),
        ),
    ]
    for name, header, rows, optional in optional_files:
        path = folder / name
        if rows:
            _write_csv(path, header, rows, optional)
        else:
            path.unlink(missing_ok=True)
    areas = folder / "areas.geojson"
    if pkg.areas:
        # One feature per line: problems of a hand-edited file then point at their feature.
        features = [
            json.dumps(
                {
                    "type": "Feature",
                    "properties": {"kind": a.kind, "code": a.code},
                    "geometry": a.geometry,
                },
                ensure_ascii=False,
            )
            for a in pkg.areas
        ]
        areas.write_text(
            '{"type": "FeatureCollection", "features": [\n' + ",\n".join(features) + "\n]}\n",
            encoding="utf-8",
        )
    else:
        areas.unlink(missing_ok=True)
