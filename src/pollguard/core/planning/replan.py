"""Re-planning: fix a change in the situation with the fewest moves.

A change file (CHANGES.yaml) is a YAML list; each entry is one of

    - risk: {center: C-0042, value: 0.9}   # the center's risk is now 0.9
    - unit_out: U-0107                     # the unit is no longer available
    - center_closed: C-0013                # the center will not open

The new plan is made for the changed package (closed centers and lost units removed,
changed risks in force) with the same objectives as a fresh plan, then one more: after
the weighted shortfall is as low as possible, as few teams as possible leave the slot
(center and role) they hold in the current plan, and only then travel is shortest.
Teams of a lost unit or at a closed center have no slot to keep; they do not count as
moves. Sweep routes are kept when the change leaves every route valid and the set of
required sweeps unchanged; otherwise they are routed again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from pollguard.core.model import SWEEP_KINDS, ElectionPackage, UnitKind
from pollguard.core.planning.cordon import UnitSlot, build_instance
from pollguard.core.planning.engine import PlanOptions, make_plan
from pollguard.core.planning.plan import Plan
from pollguard.core.problems import InvalidInput, Problem, register_messages
from pollguard.core.risk import scores

__all__ = ["Change", "apply_changes", "parse_changes", "read_changes", "replan"]

register_messages(
    {
        "change_yaml": ("not valid YAML: {reason}", "ليس YAML صالحاً: {reason}"),
        "change_list": (
            "the change file must be a list of changes",
            "يجب أن يكون ملف التغييرات قائمة من التغييرات",
        ),
        "change_entry": (
            "a change must be one of risk: {{center, value}}, unit_out: CODE, center_closed: CODE",
            "يجب أن يكون التغيير واحداً من risk: {{center, value}} أو unit_out: CODE أو "
            "center_closed: CODE",
        ),
        "change_risk_value": (
            "risk value must be a number between 0 and 1",
            "يجب أن تكون قيمة الخطورة رقماً بين 0 و1",
        ),
        "change_unknown_center": (
            "no center {code} in the package",
            "لا يوجد مركز {code} في الحزمة",
        ),
        "change_unknown_unit": ("no unit {code} in the package", "لا توجد وحدة {code} في الحزمة"),
    }
)


@dataclass(frozen=True, slots=True)
class Change:
    """One change; `line` is where the change file says it (for messages)."""

    kind: str  # "risk" | "unit_out" | "center_closed"
    code: str
    value: float | None = None
    line: int = 0


def _scalar(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.value != "":
        return str(node.value)
    return None


def parse_changes(text: str, file: str = "CHANGES.yaml") -> list[Change]:
    """Parse a change file; every malformed entry is a `file:line` problem."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput([Problem(file, line, "change_yaml", {"reason": reason})]) from exc
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise InvalidInput([Problem(file, root.start_mark.line + 1, "change_list")])
    problems: list[Problem] = []
    changes: list[Change] = []
    for node in root.value:
        line = node.start_mark.line + 1
        entry: Change | None = None
        if isinstance(node, yaml.MappingNode) and len(node.value) == 1:
            key_node, value_node = node.value[0]
            key = _scalar(key_node)
            if key in ("unit_out", "center_closed"):
                code = _scalar(value_node)
                if code is not None:
                    entry = Change(key, code, None, line)
            elif key == "risk" and isinstance(value_node, yaml.MappingNode):
                fields = {_scalar(k): v for k, v in value_node.value}
                center = _scalar(fields["center"]) if "center" in fields else None
                raw = _scalar(fields["value"]) if "value" in fields else None
                if center is not None and set(fields) == {"center", "value"}:
                    try:
                        value = float(raw) if raw is not None else None
                    except ValueError:
                        value = None
                    if value is None or not 0.0 <= value <= 1.0:
                        problems.append(
                            Problem(file, fields["value"].start_mark.line + 1, "change_risk_value")
                        )
                        continue
                    entry = Change("risk", center, value, line)
        if entry is None:
            problems.append(Problem(file, line, "change_entry"))
        else:
            changes.append(entry)
    if problems:
        raise InvalidInput(problems)
    return changes


def read_changes(path: Path) -> list[Change]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput([Problem(str(path), None, "change_yaml", {"reason": str(exc)})]) from exc
    return parse_changes(text, str(path))


def apply_changes(
    pkg: ElectionPackage,
    changes: Sequence[Change],
    risks: Mapping[str, float],
    file: str = "CHANGES.yaml",
) -> tuple[ElectionPackage, dict[str, float]]:
    """The changed package and risks; unknown codes are `file:line` problems."""
    centers = {c.code for c in pkg.centers}
    units = {u.code for u in pkg.units}
    problems: list[Problem] = []
    new_risks = dict(risks)
    closed: set[str] = set()
    out: set[str] = set()
    for change in changes:
        if change.kind in ("risk", "center_closed") and change.code not in centers:
            problems.append(
                Problem(file, change.line, "change_unknown_center", {"code": change.code})
            )
        elif change.kind == "unit_out" and change.code not in units:
            problems.append(
                Problem(file, change.line, "change_unknown_unit", {"code": change.code})
            )
        elif change.kind == "risk" and change.value is not None:
            new_risks[change.code] = change.value
        elif change.kind == "center_closed":
            closed.add(change.code)
        elif change.kind == "unit_out":
            out.add(change.code)
    if problems:
        raise InvalidInput(problems)
    changed = dataclasses.replace(
        pkg,
        centers=tuple(c for c in pkg.centers if c.code not in closed),
        stations=tuple(s for s in pkg.stations if s.center not in closed),
        units=tuple(u for u in pkg.units if u.code not in out),
    )
    for code in closed:
        new_risks.pop(code, None)
    return changed, new_risks


def _sweeps_still_valid(
    pkg: ElectionPackage,
    new_pkg: ElectionPackage,
    current: Plan,
    risks: Mapping[str, float],
    new_risks: Mapping[str, float],
    changes: Sequence[Change],
) -> bool:
    try:
        from pollguard.core.planning import sweeps
    except ImportError:  # pragma: no cover
        return False
    sweep_units = {u.code for u in pkg.units if u.kind in SWEEP_KINDS}
    if any(
        c.kind == "center_closed" or (c.kind == "unit_out" and c.code in sweep_units)
        for c in changes
    ):
        return False
    for center in new_pkg.centers:
        for kind in (UnitKind.EOD, UnitKind.K9):
            before = sweeps.needs_sweep(pkg, center, kind, sweeps.center_risk(center, risks))
            after = sweeps.needs_sweep(new_pkg, center, kind, sweeps.center_risk(center, new_risks))
            if before != after:
                return False
    return True


def replan(
    pkg: ElectionPackage,
    current: Plan,
    changes: Sequence[Change],
    *,
    time_limit: float,
    options: PlanOptions | None = None,
    progress: object = None,
    file: str = "CHANGES.yaml",
) -> tuple[ElectionPackage, Plan]:
    """The changed package and the new plan (check it against that package)."""
    options = dataclasses.replace(options or PlanOptions(), time_limit=time_limit)
    model = scores(pkg, now=options.now)
    # The current plan's risks are the ones it was made for (earlier changes included).
    risks = {**model, **{k: v for k, v in current.risk.items() if k in model}}
    new_pkg, new_risks = apply_changes(pkg, changes, risks, file)
    inst = build_instance(new_pkg, new_risks)
    slots: dict[UnitSlot, int] = {}
    for a in current.assignments:
        u = inst.unit_index.get(a.unit)
        j = inst.demand_index.get((a.center, a.role))
        if u is None or j is None:
            continue
        size = inst.units[u].effective_team_size
        slots[(u, j)] = slots.get((u, j), 0) + a.headcount // size
    keep = (
        current if _sweeps_still_valid(pkg, new_pkg, current, risks, new_risks, changes) else None
    )
    report = progress if callable(progress) else None
    plan = make_plan(
        new_pkg,
        options,
        risks=new_risks,
        current=slots,
        keep_sweeps=keep,
        **({"progress": report} if report is not None else {}),
    )
    return new_pkg, plan
