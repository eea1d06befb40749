"""The plan: its dataclasses and the `pollguard.plan/1` file (JSON), CSV and HTML forms.

The JSON layout is the contract of design.md section 5 plus documented extras
(docs/planning.md): `election`, `risk` (score per planned center), `sweep_shortfalls`,
and more `metrics`. Each list entry is written on its own line so that a person can
diff two plans, and so that `read_plan` can point at the line of a bad entry.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from pollguard.core.problems import InvalidInput, Problem, register_messages

__all__ = [
    "SCHEMA",
    "Assignment",
    "Plan",
    "PlanStop",
    "PlanSweep",
    "Shortfall",
    "SweepGap",
    "from_json",
    "read_plan",
    "to_csv",
    "to_html",
    "to_json",
    "write_plan",
]

SCHEMA = "pollguard.plan/1"

Metric = float | int | str | None

register_messages(
    {
        "plan_unreadable": (
            "cannot read the plan file: {reason}",
            "تعذرت قراءة ملف الخطة: {reason}",
        ),
        "plan_json": (
            "not valid JSON: {reason}",
            "ليس JSON صالحاً: {reason}",
        ),
        "plan_schema": (
            'not a pollguard plan: "schema" must be "{expected}"',
            'ليس ملف خطة pollguard: يجب أن تكون قيمة "schema" هي "{expected}"',
        ),
        "plan_field": (
            "{where}: {reason}",
            "{where}: {reason}",
        ),
    }
)


@dataclass(frozen=True, slots=True)
class Assignment:
    """`headcount` people of `unit` (a whole number of its teams) serve `role` at `center`."""

    unit: str
    center: str
    role: str
    headcount: int


@dataclass(frozen=True, slots=True)
class Shortfall:
    """People still missing at a center in a role after deployment."""

    center: str
    role: str
    missing: int


@dataclass(frozen=True, slots=True)
class PlanStop:
    """A sweep of one center, local aware datetimes."""

    center: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class PlanSweep:
    """The route of one EOD or K9 team (team id: unit code, or `CODE#i` for team i)."""

    team: str
    unit: str
    kind: str
    stops: tuple[PlanStop, ...]


@dataclass(frozen=True, slots=True)
class SweepGap:
    """A center that the plan leaves unswept by teams of `kind`."""

    center: str
    kind: str


@dataclass(frozen=True)
class Plan:
    """A deployment and sweep plan for the general centers of one election package."""

    election: str
    assignments: tuple[Assignment, ...]
    shortfalls: tuple[Shortfall, ...]
    sweeps: tuple[PlanSweep, ...] = ()
    sweep_shortfalls: tuple[SweepGap, ...] = ()
    risk: Mapping[str, float] = field(default_factory=dict)
    metrics: Mapping[str, Metric] = field(default_factory=dict)


# --- JSON -----------------------------------------------------------------------------


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _clean(value: Metric) -> Metric:
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no infinity; "unknown" reads better than a crash
    return value


def to_json(plan: Plan) -> str:
    """The plan file text: stable key order, one list entry per line."""
    lines = ["{", f'  "schema": {_dumps(SCHEMA)},', f'  "election": {_dumps(plan.election)},']

    def block(key: str, rows: list[str], last: bool = False) -> None:
        end = "" if last else ","
        if not rows:
            lines.append(f'  "{key}": []{end}')
            return
        lines.append(f'  "{key}": [')
        lines.extend(f"    {row}," for row in rows[:-1])
        lines.append(f"    {rows[-1]}")
        lines.append(f"  ]{end}")

    block(
        "assignments",
        [
            _dumps({"unit": a.unit, "center": a.center, "role": a.role, "headcount": a.headcount})
            for a in plan.assignments
        ],
    )
    block(
        "sweeps",
        [
            _dumps(
                {
                    "team": s.team,
                    "unit": s.unit,
                    "kind": s.kind,
                    "stops": [
                        {
                            "center": stop.center,
                            "start": stop.start.isoformat(),
                            "end": stop.end.isoformat(),
                        }
                        for stop in s.stops
                    ],
                }
            )
            for s in plan.sweeps
        ],
    )
    block(
        "shortfalls",
        [
            _dumps({"center": s.center, "role": s.role, "missing": s.missing})
            for s in plan.shortfalls
        ],
    )
    block(
        "sweep_shortfalls",
        [_dumps({"center": g.center, "kind": g.kind}) for g in plan.sweep_shortfalls],
    )
    lines.append(
        '  "risk": ' + _dumps({k: round(v, 6) for k, v in sorted(plan.risk.items())}) + ","
    )
    lines.append('  "metrics": {')
    items = list(plan.metrics.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        lines.append(f"    {_dumps(key)}: {_dumps(_clean(value))}{comma}")
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_plan(plan: Plan, path: Path) -> None:
    path.write_text(to_json(plan), encoding="utf-8")


_WS = re.compile(r"[ \t\n\r]*")


def _entry_lines(text: str) -> dict[str, tuple[int, list[int]]]:
    """Line of each top-level key, and of each entry of a top-level list.

    Called only on text that `json.loads` accepted, so the walk cannot fail; it uses
    the standard decoder for every value and only tracks where values start.
    """
    decoder = json.JSONDecoder()

    def line(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    out: dict[str, tuple[int, list[int]]] = {}
    i = _WS.match(text, 0).end()  # type: ignore[union-attr]
    if i >= len(text) or text[i] != "{":
        return out
    i += 1
    while True:
        i = _WS.match(text, i).end()  # type: ignore[union-attr]
        if text[i] == "}":
            return out
        key_start = i
        key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
        i = _WS.match(text, i).end() + 1  # type: ignore[union-attr]  # skip ':'
        i = _WS.match(text, i).end()  # type: ignore[union-attr]
        starts: list[int] = []
        if text[i] == "[":
            j = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
            if text[j] == "]":
                i = j + 1
            else:
                while True:
                    j = _WS.match(text, j).end()  # type: ignore[union-attr]
                    starts.append(j)
                    _, j = decoder.raw_decode(text, j)
                    j = _WS.match(text, j).end()  # type: ignore[union-attr]
                    if text[j] == ",":
                        j += 1
                        continue
                    i = j + 1
                    break
        else:
            _, i = decoder.raw_decode(text, i)
        out[str(key)] = (line(key_start), [line(s) for s in starts])
        i = _WS.match(text, i).end()  # type: ignore[union-attr]
        if text[i] == ",":
            i += 1


class _Errors:
    def __init__(self, file: str, lines: dict[str, tuple[int, list[int]]]) -> None:
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, key: str, index: int | None, reason: str) -> None:
        line = 1
        if key in self.lines:
            key_line, entries = self.lines[key]
            line = entries[index] if index is not None and index < len(entries) else key_line
        where = key if index is None else f"{key}[{index}]"
        self.problems.append(
            Problem(self.file, line, "plan_field", {"where": where, "reason": reason})
        )


def _str(errors: _Errors, key: str, index: int | None, entry: Mapping[str, Any], name: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value:
        errors.add(key, index, f'"{name}" must be a non-empty string')
        return ""
    return value


def _int(errors: _Errors, key: str, index: int, entry: Mapping[str, Any], name: str) -> int:
    value = entry.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors.add(key, index, f'"{name}" must be a whole number >= 0')
        return 0
    return value


def _when(errors: _Errors, key: str, index: int, entry: Mapping[str, Any], name: str) -> datetime:
    value = entry.get(name)
    try:
        if not isinstance(value, str):
            raise ValueError
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError
        return parsed
    except ValueError:
        errors.add(key, index, f'"{name}" must be an ISO datetime with a UTC offset')
        return datetime.min.replace(tzinfo=UTC)


def _list(errors: _Errors, data: Mapping[str, Any], key: str, required: bool) -> list[Any]:
    value = data.get(key, None if required else [])
    if not isinstance(value, list):
        errors.add(key, None, "must be a list" if key in data else "is missing")
        return []
    return value


def _entries(
    errors: _Errors, data: Mapping[str, Any], key: str, required: bool
) -> Iterable[tuple[int, Mapping[str, Any]]]:
    for index, entry in enumerate(_list(errors, data, key, required)):
        if not isinstance(entry, dict):
            errors.add(key, index, "must be an object")
            continue
        yield index, entry


def from_json(text: str, file: str = "plan.json") -> Plan:
    """Parse and validate a plan file; raise InvalidInput with `file:line` problems."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput([Problem(file, exc.lineno, "plan_json", {"reason": exc.msg})]) from exc
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        lines = _entry_lines(text) if isinstance(data, dict) else {}
        line = lines.get("schema", (1, []))[0]
        raise InvalidInput([Problem(file, line, "plan_schema", {"expected": SCHEMA})])
    errors = _Errors(file, _entry_lines(text))
    election = data.get("election", "")
    if not isinstance(election, str):
        errors.add("election", None, "must be a string")
        election = ""

    assignments = []
    for i, e in _entries(errors, data, "assignments", True):
        assignments.append(
            Assignment(
                _str(errors, "assignments", i, e, "unit"),
                _str(errors, "assignments", i, e, "center"),
                _str(errors, "assignments", i, e, "role"),
                _int(errors, "assignments", i, e, "headcount"),
            )
        )
    shortfalls = []
    for i, e in _entries(errors, data, "shortfalls", True):
        shortfalls.append(
            Shortfall(
                _str(errors, "shortfalls", i, e, "center"),
                _str(errors, "shortfalls", i, e, "role"),
                _int(errors, "shortfalls", i, e, "missing"),
            )
        )
    sweeps = []
    for i, e in _entries(errors, data, "sweeps", False):
        team = _str(errors, "sweeps", i, e, "team")
        stops_raw = e.get("stops")
        stops = []
        if not isinstance(stops_raw, list):
            errors.add("sweeps", i, '"stops" must be a list')
        else:
            for stop in stops_raw:
                if not isinstance(stop, dict):
                    errors.add("sweeps", i, "each stop must be an object")
                    continue
                stops.append(
                    PlanStop(
                        _str(errors, "sweeps", i, stop, "center"),
                        _when(errors, "sweeps", i, stop, "start"),
                        _when(errors, "sweeps", i, stop, "end"),
                    )
                )
        unit = e.get("unit")
        if unit is None:
            unit = team.split("#", 1)[0]
        if not isinstance(unit, str):
            errors.add("sweeps", i, '"unit" must be a string')
            unit = ""
        sweeps.append(PlanSweep(team, unit, _str(errors, "sweeps", i, e, "kind"), tuple(stops)))
    gaps = [
        SweepGap(
            _str(errors, "sweep_shortfalls", i, e, "center"),
            _str(errors, "sweep_shortfalls", i, e, "kind"),
        )
        for i, e in _entries(errors, data, "sweep_shortfalls", False)
    ]
    risk_raw = data.get("risk", {})
    risk: dict[str, float] = {}
    if not isinstance(risk_raw, dict):
        errors.add("risk", None, "must be an object of center: score")
    else:
        for code, value in risk_raw.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                errors.add("risk", None, f'the risk of "{code}" must be a number in [0, 1]')
            else:
                risk[code] = float(value)
    metrics_raw = data.get("metrics")
    metrics: dict[str, Metric] = {}
    if not isinstance(metrics_raw, dict):
        errors.add("metrics", None, "must be an object" if "metrics" in data else "is missing")
    else:
        for key, value in metrics_raw.items():
            if isinstance(value, bool) or not isinstance(value, int | float | str | None):
                errors.add("metrics", None, f'"{key}" must be a number, a string or null')
            else:
                metrics[key] = cast(Metric, value)
    if errors.problems:
        raise InvalidInput(errors.problems)
    return Plan(
        election=election,
        assignments=tuple(assignments),
        shortfalls=tuple(shortfalls),
        sweeps=tuple(sweeps),
        sweep_shortfalls=tuple(gaps),
        risk=risk,
        metrics=metrics,
    )


def read_plan(path: Path) -> Plan:
    """Read a plan file; every problem is reported as `file:line: message`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            [Problem(str(path), None, "plan_unreadable", {"reason": str(exc)})]
        ) from exc
    return from_json(text, str(path))


# --- CSV ------------------------------------------------------------------------------

CSV_COLUMNS = ("unit", "team", "center", "sector", "role", "headcount", "distance_km")


def to_csv(
    plan: Plan, team_sizes: Mapping[str, int], places: Mapping[str, Sequence[object]]
) -> str:
    """One row per team: `team_sizes[unit]` splits an assignment into its teams.

    `places` maps a center code to (sector, lat, lon) and a unit code to (lat, lon), so
    that the file carries the sector and the straight-line distance of each team.
    """
    from pollguard.core.geo import haversine_km  # local: plan.py stays import-light

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    counters: dict[str, int] = {}
    for a in plan.assignments:
        size = max(1, team_sizes.get(a.unit, a.headcount or 1))
        teams = max(1, a.headcount // size)
        center = places.get(a.center)
        unit = places.get(a.unit)
        sector = str(center[0]) if center else ""
        distance = ""
        if center and unit:
            km = haversine_km(
                float(cast(float, unit[0])),
                float(cast(float, unit[1])),
                float(cast(float, center[1])),
                float(cast(float, center[2])),
            )
            distance = f"{km:.1f}"
        for _ in range(teams):
            counters[a.unit] = counters.get(a.unit, 0) + 1
            writer.writerow([a.unit, counters[a.unit], a.center, sector, a.role, size, distance])
    return out.getvalue()


# --- HTML -----------------------------------------------------------------------------

_LABELS: dict[str, tuple[str, str]] = {
    "title": ("Security deployment plan", "خطة الانتشار الأمني"),
    "sector": ("Sector", "القاطع"),
    "center": ("Center", "المركز"),
    "risk": ("Risk", "الخطورة"),
    "role": ("Role", "المهمة"),
    "unit": ("Unit", "الوحدة"),
    "headcount": ("Headcount", "العدد"),
    "missing": ("Missing", "النقص"),
    "shortfalls": ("Shortfalls", "النواقص"),
    "sweeps": ("EOD and K9 sweeps", "تفتيش المتفجرات والكلاب البوليسية"),
    "team": ("Team", "الفريق"),
    "stops": ("Stops", "المحطات"),
    "metrics": ("Plan quality", "جودة الخطة"),
    "none": ("None", "لا يوجد"),
    "unswept": ("Unswept centers", "مراكز غير مفتشة"),
    "inner_cordon": ("Inner cordon", "الطوق الداخلي"),
    "outer_cordon": ("Outer cordon", "الطوق الخارجي"),
    "traffic": ("Traffic", "المرور"),
    "civil_defense": ("Civil defense", "الدفاع المدني"),
    "building_guard": ("Building guard", "حراسة المبنى"),
    "eod": ("EOD", "معالجة المتفجرات"),
    "k9": ("K9", "الكلاب البوليسية"),
    "objective": ("Weighted shortfall", "النقص الموزون"),
    "bound": ("Proven lower bound", "الحد الأدنى المثبت"),
    "gap": ("Gap", "الفجوة"),
    "greedy_objective": ("Spreadsheet method", "الطريقة اليدوية"),
    "risk_weighted_coverage": ("Risk-weighted coverage", "التغطية الموزونة بالخطورة"),
    "sweep_coverage": ("Sweep coverage", "تغطية التفتيش"),
    "reserve": ("Governorate reserve", "احتياط المحافظة"),
}


def _label(key: str, lang: str) -> str:
    pair = _LABELS.get(key)
    if pair is None:
        return key.replace("_", " ")
    return pair[1] if lang == "ar" else pair[0]


_CSS = """
body{font-family:"Noto Naskh Arabic","Segoe UI",Tahoma,sans-serif;margin:1.5rem;color:#111}
h1{font-size:1.4rem}h2{font-size:1.15rem;border-block-end:2px solid #333;margin-block-start:2rem}
table{border-collapse:collapse;width:100%;margin-block:.5rem 1rem}
th,td{border:1px solid #999;padding:.25rem .5rem;text-align:start;vertical-align:top}
th{background:#eee}.short{color:#a00;font-weight:bold}.num{font-variant-numeric:tabular-nums}
section{break-before:page}section:first-of-type{break-before:auto}
@media print{body{margin:0}}
"""


def to_html(
    plan: Plan,
    *,
    lang: str,
    center_names: Mapping[str, tuple[str, str, str]],
    sector_names: Mapping[str, tuple[str, str]],
    title: str = "",
) -> str:
    """A self-contained print page: one section per sector (page break between them).

    `center_names[code] = (sector, name_en, name_ar)`, `sector_names[code] = (en, ar)`.
    Every piece of text is escaped; the page has no external resource.
    """
    ar = lang == "ar"
    esc = html.escape

    def name(pair: tuple[str, str], code: str) -> str:
        text = pair[1] if ar else pair[0]
        # <bdi> keeps a Latin code and its parentheses in order inside Arabic text.
        return f"{esc(text or code)} (<bdi>{esc(code)}</bdi>)"

    by_sector: dict[str, list[str]] = {}
    for code, (sector, _, _) in center_names.items():
        by_sector.setdefault(sector, []).append(code)
    units_at: dict[tuple[str, str], list[Assignment]] = {}
    for a in plan.assignments:
        units_at.setdefault((a.center, a.role), []).append(a)
    short_at: dict[tuple[str, str], int] = {(s.center, s.role): s.missing for s in plan.shortfalls}
    roles = sorted({k[1] for k in units_at} | {k[1] for k in short_at})
    stops_at: dict[str, list[tuple[PlanSweep, PlanStop]]] = {}
    for sweep in plan.sweeps:
        for stop in sweep.stops:
            stops_at.setdefault(stop.center, []).append((sweep, stop))

    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"ar" if ar else "en"}" dir="{"rtl" if ar else "ltr"}">',
        '<head><meta charset="utf-8">',
        f"<title>{esc(title or _label('title', lang))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{esc(_label('title', lang))} — {esc(title or plan.election)}</h1>",
        f"<h2>{esc(_label('metrics', lang))}</h2><table>",
    ]
    for key in (
        "objective",
        "bound",
        "gap",
        "greedy_objective",
        "risk_weighted_coverage",
        "sweep_coverage",
    ):
        value = plan.metrics.get(key)
        if value is None or isinstance(value, str):
            shown = "—" if value is None else value
        elif key in ("gap", "risk_weighted_coverage", "sweep_coverage"):
            shown = f"{float(value):.2%}"
        else:
            shown = f"{float(value):,.1f}"
        parts.append(f'<tr><th>{esc(_label(key, lang))}</th><td class="num">{esc(shown)}</td></tr>')
    parts.append("</table>")

    for sector in sorted(by_sector):
        parts.append(f"<section><h2>{esc(_label('sector', lang))}: ")
        parts.append(name(sector_names.get(sector, (sector, sector)), sector) + "</h2>")
        parts.append("<table><thead><tr>")
        for key in ("center", "risk", "role", "unit", "headcount", "missing", "sweeps"):
            parts.append(f"<th>{esc(_label(key, lang))}</th>")
        parts.append("</tr></thead><tbody>")
        for code in sorted(by_sector[sector]):
            _, en, arn = center_names[code]
            rows = [r for r in roles if (code, r) in units_at or (code, r) in short_at]
            sweeps = "; ".join(
                f"{esc(_label(s.kind, lang))} "
                f"<bdi>{esc(s.team)} {st.start:%H:%M}–{st.end:%H:%M}</bdi>"
                for s, st in stops_at.get(code, [])
            )
            risk = plan.risk.get(code)
            risk_text = "" if risk is None else f"{risk:.2f}"
            if not rows:
                rows = [""]
            for k, role in enumerate(rows):
                units = units_at.get((code, role), [])
                unit_text = "، ".join if ar else ", ".join
                missing = short_at.get((code, role), 0)
                parts.append("<tr>")
                if k == 0:
                    span = f' rowspan="{len(rows)}"'
                    parts.append(f"<td{span}>{name((en, arn), code)}</td>")
                    parts.append(f'<td{span} class="num">{esc(risk_text)}</td>')
                parts.append(f"<td>{esc(_label(role, lang)) if role else ''}</td>")
                parts.append(f"<td>{unit_text(f'<bdi>{esc(a.unit)}</bdi>' for a in units)}</td>")
                parts.append(f'<td class="num">{sum(a.headcount for a in units)}</td>')
                cls = ' class="short num"' if missing else ' class="num"'
                parts.append(f"<td{cls}>{missing or ''}</td>")
                if k == 0:
                    parts.append(f"<td{span}>{sweeps}</td>")
                parts.append("</tr>")
        parts.append("</tbody></table></section>")

    if plan.sweeps or plan.sweep_shortfalls:
        parts.append(f"<section><h2>{esc(_label('sweeps', lang))}</h2><table>")
        parts.append(
            f"<thead><tr><th>{esc(_label('team', lang))}</th>"
            f"<th>{esc(_label('stops', lang))}</th></tr></thead><tbody>"
        )
        for sweep in plan.sweeps:
            # The route reads in the page's direction, so the arrow follows it.
            arrow = " ← " if ar else " → "
            stops = arrow.join(
                f"<bdi>{esc(st.center)} {st.start:%H:%M}–{st.end:%H:%M}</bdi>" for st in sweep.stops
            )
            parts.append(
                f"<tr><td>{esc(_label(sweep.kind, lang))} <bdi>{esc(sweep.team)}</bdi></td>"
                f"<td>{stops}</td></tr>"
            )
        parts.append("</tbody></table>")
        if plan.sweep_shortfalls:
            parts.append(f"<p><strong>{esc(_label('unswept', lang))}:</strong> ")
            parts.append(
                esc(
                    ", ".join(f"{g.center} ({_label(g.kind, lang)})" for g in plan.sweep_shortfalls)
                )
            )
            parts.append("</p>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
