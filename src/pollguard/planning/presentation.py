"""Reading a plan version for the pages: metrics, rows per center, views, comparisons.

Plain functions over a version's `pollguard.plan/1` document and the registry facts the
pages already hold (centers and units with sector, agency and coordinates), so the plan
pages, the map data and the comparison all read a document the same way. Nothing here
queries the database.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The roles of the policy as the plan names them, in plain words; a role the policy adds
# later shows its key until it is given a label here.
ROLE_LABELS: dict[str, Promise] = {
    "inner_cordon": _("Inner cordon"),
    "outer_cordon": _("Outer cordon"),
    "building_guard": _("Building guard"),
    "civil_defense": _("Civil defense standby"),
    "traffic": _("Traffic"),
}

SWEEP_LABELS: dict[str, Promise] = {
    "eod": _("Explosives sweep"),
    "k9": _("Dog team sweep"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def sweep_label(kind: str) -> str:
    return str(SWEEP_LABELS.get(kind, kind))


@dataclass(frozen=True)
class Metric:
    """One metric the pages show: its key in `metrics`, label, how to show it."""

    key: str
    label: Promise
    kind: str  # "number", "percent", "seconds", "count"
    lower_is_better: bool = True


METRICS: tuple[Metric, ...] = (
    Metric("objective", _("Weighted shortfall (objective)"), "number"),
    Metric("bound", _("Proven bound"), "number"),
    Metric("gap", _("Gap to the bound"), "percent"),
    Metric("greedy_objective", _("Greedy baseline"), "number"),
    Metric("risk_weighted_coverage", _("Risk-weighted coverage"), "percent", False),
    Metric("sweep_coverage", _("Sweep coverage"), "percent", False),
    Metric("missing", _("People missing"), "count"),
    Metric("moves", _("Teams moved (re-plan)"), "count"),
    Metric("solve_seconds", _("Solve time"), "seconds"),
)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return float(value)


def seconds(number: str) -> str:
    return gettext("%(seconds)s s") % {"seconds": number}


def format_metric(metric: Metric, value: Any) -> str:
    """A metric as the pages write it; "—" when the plan does not have it."""
    number = _number(value)
    if number is None:
        return "—"
    if metric.kind == "percent":
        # A gap of -3e-15 is rounding noise of the solver: it is zero.
        # No space before the sign: "12.5%" stays one left-to-right run in Arabic text.
        return f"{max(number, 0.0) * 100:.2f}%" if metric.key == "gap" else f"{number * 100:.1f}%"
    if metric.kind == "seconds":
        return seconds(f"{number:.1f}")
    if metric.kind == "count":
        return f"{round(number):,}"
    return f"{number:,.1f}"


def format_delta(metric: Metric, a: Any, b: Any) -> tuple[str, str]:
    """(text, "better" | "worse" | "same" | "") of b − a, at the precision it is shown."""
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return "—", ""
    if metric.key == "gap":
        x, y = max(x, 0.0), max(y, 0.0)
    if metric.kind == "percent":
        delta = round((y - x) * 100, 2)
        shown = f"{delta:+.2f}%"
    elif metric.kind == "seconds":
        delta = round(y - x, 1)
        shown = seconds(f"{delta:+.1f}")
    elif metric.kind == "count":
        delta = round(y - x)
        shown = f"{delta:+,}"
    else:
        delta = round(y - x, 1)
        shown = f"{delta:+,.1f}"
    if delta == 0:
        # A difference below what is shown is no difference ("-0.0" would read as better).
        return format_metric(metric, 0.0), "same"
    if metric.key == "solve_seconds":
        return shown, ""  # time is not a quality
    better = (delta < 0) == metric.lower_is_better
    return shown, "better" if better else "worse"


def metric_rows(metrics: Mapping[str, Any]) -> list[dict[str, str]]:
    return [
        {"key": m.key, "label": str(m.label), "value": format_metric(m, metrics.get(m.key))}
        for m in METRICS
    ]


# --- registry facts ------------------------------------------------------------------------


@dataclass(frozen=True)
class CenterFact:
    code: str
    name: str
    sector: str
    lat: float
    lon: float


@dataclass(frozen=True)
class UnitFact:
    code: str
    agency: str
    kind: str
    sector: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Scope:
    """The per-sector and per-agency view: empty strings show everything."""

    sector: str = ""
    agency: str = ""

    @property
    def everything(self) -> bool:
        return not self.sector and not self.agency


def local_time(text: str) -> datetime | None:
    """A stop time of the document (ISO with offset), in the current (election's) zone."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return timezone.localtime(moment)


def hhmm(text: str) -> str:
    moment = local_time(text)
    return moment.strftime("%H:%M") if moment is not None else "?"


# --- one version, as rows per center ----------------------------------------------------------


@dataclass
class CenterRow:
    """What the plan does at one center: guards, what is missing, sweeps."""

    code: str
    name: str
    sector: str
    risk: float | None
    sector_name: str = ""
    guards: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)
    sweeps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def headcount(self) -> int:
        return sum(int(g["headcount"]) for g in self.guards)

    @property
    def missing_total(self) -> int:
        return sum(int(m["missing"]) for m in self.missing)


def _unit_in_scope(unit: str, units: Mapping[str, UnitFact], scope: Scope) -> bool:
    return not scope.agency or (unit in units and units[unit].agency == scope.agency)


def _center_in_sector(center: str, centers: Mapping[str, CenterFact], scope: Scope) -> bool:
    return not scope.sector or (center in centers and centers[center].sector == scope.sector)


def center_rows(
    document: Mapping[str, Any],
    centers: Mapping[str, CenterFact],
    units: Mapping[str, UnitFact],
    scope: Scope = Scope(),
) -> list[CenterRow]:
    """One row per planned center in the view, in code order.

    A sector view holds the sector's centers with every unit guarding them (reserves from
    elsewhere included); an agency view holds the centers where the agency's units stand
    or sweep, with only that agency's guards and sweeps, and the shortfalls there.
    """
    risk = document.get("risk") or {}
    rows: dict[str, CenterRow] = {}

    def row(code: str) -> CenterRow:
        if code not in rows:
            fact = centers.get(code)
            value = _number(risk.get(code))
            rows[code] = CenterRow(
                code=code,
                name=fact.name if fact else code,
                sector=fact.sector if fact else "",
                risk=value,
            )
        return rows[code]

    for a in document.get("assignments", []):
        if _center_in_sector(a["center"], centers, scope) and _unit_in_scope(
            a["unit"], units, scope
        ):
            row(a["center"]).guards.append(
                {
                    "unit": a["unit"],
                    "role": a["role"],
                    "role_label": role_label(a["role"]),
                    "headcount": int(a["headcount"]),
                    "agency": units[a["unit"]].agency if a["unit"] in units else "",
                }
            )
    for sweep in document.get("sweeps", []):
        if not _unit_in_scope(sweep.get("unit", ""), units, scope):
            continue
        for stop in sweep.get("stops", []):
            if _center_in_sector(stop["center"], centers, scope):
                row(stop["center"]).sweeps.append(
                    {
                        "team": sweep["team"],
                        "kind": sweep["kind"],
                        "kind_label": sweep_label(sweep["kind"]),
                        "start": hhmm(stop["start"]),
                        "end": hhmm(stop["end"]),
                    }
                )
    for s in document.get("shortfalls", []):
        in_view = _center_in_sector(s["center"], centers, scope) and (
            not scope.agency or s["center"] in rows
        )
        if in_view:
            row(s["center"]).missing.append(
                {"role": s["role"], "role_label": role_label(s["role"]), "missing": s["missing"]}
            )
    if scope.everything:
        for code in risk:
            row(code)
    return [rows[code] for code in sorted(rows)]


def map_data(
    document: Mapping[str, Any],
    centers: Mapping[str, CenterFact],
    units: Mapping[str, UnitFact],
    scope: Scope = Scope(),
) -> dict[str, Any]:
    """What the plan map draws, compact: centers, unit bases, guard lines, sweep routes.

    Centers are `[code, name, sector, lat, lon, headcount, missing]`; lines are
    `[unit, center, headcount]` (one per unit and center, roles summed); routes are
    `{team, kind, stops: [[center, start, end]]}` with times in the election's zone.
    """
    rows = center_rows(document, centers, units, scope)
    drawn = [r for r in rows if r.code in centers]
    lines: dict[tuple[str, str], int] = defaultdict(int)
    for r in drawn:
        for g in r.guards:
            lines[(g["unit"], r.code)] += g["headcount"]
    unit_codes = sorted({u for u, _c in lines if u in units})
    routes = []
    for sweep in document.get("sweeps", []):
        if not _unit_in_scope(sweep.get("unit", ""), units, scope):
            continue
        stops = [
            [s["center"], hhmm(s["start"]), hhmm(s["end"])]
            for s in sweep.get("stops", [])
            if s["center"] in centers
        ]
        if scope.sector and not any(centers[s[0]].sector == scope.sector for s in stops):
            continue
        if stops:
            routes.append(
                {
                    "team": sweep["team"],
                    "unit": sweep.get("unit", ""),
                    "kind": sweep["kind"],
                    "kind_label": sweep_label(sweep["kind"]),
                    "stops": stops,
                }
            )
    return {
        "centers": [
            [
                r.code,
                r.name,
                r.sector,
                centers[r.code].lat,
                centers[r.code].lon,
                r.headcount,
                r.missing_total,
            ]
            for r in drawn
        ],
        "units": [
            [u, units[u].agency, units[u].kind, units[u].lat, units[u].lon] for u in unit_codes
        ],
        "lines": [[u, c, n] for (u, c), n in sorted(lines.items()) if u in units],
        "routes": routes,
    }


# --- two versions ------------------------------------------------------------------------------


def _slots(document: Mapping[str, Any]) -> dict[tuple[str, str, str], int]:
    slots: dict[tuple[str, str, str], int] = defaultdict(int)
    for a in document.get("assignments", []):
        slots[(a["unit"], a["center"], a["role"])] += int(a["headcount"])
    return slots


def compare(
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    metrics_a: Mapping[str, Any],
    metrics_b: Mapping[str, Any],
    shortfalls_a: Mapping[str, int],
    shortfalls_b: Mapping[str, int],
    sectors: Iterable[str],
) -> dict[str, Any]:
    """What changed from version a to version b.

    - `moved`: units that left a center (or role) and took up another: from → to;
    - `added`, `removed`: units that only gained, or only lost, assignments;
    - `resized`: the same unit, center and role with another headcount;
    - `sectors`: people missing per sector in a and b, and the change;
    - `metrics`: each metric in a and b and b − a, marked better or worse.
    """
    sa, sb = _slots(a), _slots(b)
    gone = {k: v for k, v in sa.items() if k not in sb}
    new = {k: v for k, v in sb.items() if k not in sa}
    by_unit_gone: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_unit_new: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (unit, center, role), n in sorted(gone.items()):
        by_unit_gone[unit].append({"center": center, "role": role_label(role), "headcount": n})
    for (unit, center, role), n in sorted(new.items()):
        by_unit_new[unit].append({"center": center, "role": role_label(role), "headcount": n})
    moved, added, removed = [], [], []
    for unit in sorted(set(by_unit_gone) | set(by_unit_new)):
        before, after = by_unit_gone.get(unit, []), by_unit_new.get(unit, [])
        entry = {"unit": unit, "before": before, "after": after}
        if before and after:
            moved.append(entry)
        elif after:
            added.append(entry)
        else:
            removed.append(entry)
    resized = [
        {
            "unit": unit,
            "center": center,
            "role": role_label(role),
            "before": sa[(unit, center, role)],
            "after": sb[(unit, center, role)],
        }
        for (unit, center, role) in sorted(set(sa) & set(sb))
        if sa[(unit, center, role)] != sb[(unit, center, role)]
    ]
    sector_rows = []
    for code in sorted(set(sectors) | set(shortfalls_a) | set(shortfalls_b)):
        x, y = int(shortfalls_a.get(code, 0)), int(shortfalls_b.get(code, 0))
        sector_rows.append(
            {
                "sector": code,
                "a": x,
                "b": y,
                "delta": y - x,
                "trend": "same" if x == y else ("better" if y < x else "worse"),
            }
        )
    metric_changes = []
    for m in METRICS:
        text, trend = format_delta(m, metrics_a.get(m.key), metrics_b.get(m.key))
        metric_changes.append(
            {
                "label": str(m.label),
                "a": format_metric(m, metrics_a.get(m.key)),
                "b": format_metric(m, metrics_b.get(m.key)),
                "delta": text,
                "trend": trend,
            }
        )
    return {
        "moved": moved,
        "added": added,
        "removed": removed,
        "resized": resized,
        "sectors": sector_rows,
        "metrics": metric_changes,
        "unchanged": not (moved or added or removed or resized),
    }
