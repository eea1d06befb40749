"""Tasks from a plan: one per cordon post, one per sweep, and the policy's phase templates.

Pure Python (no Django): `plan_tasks` turns a `pollguard.plan/1` document, the policy's
`duty` and `task_templates` and a few facts of the registry into `TaskSpec`s; the planning
app stores them when the chair approves the plan. Keys name a task across plan versions
(`post:UNIT:CENTER:ROLE`, `sweep:TEAM`, `template:CODE:AGENCY:SECTOR`), so that an
unchanged task of a new version can keep its acknowledgement (`TaskSpec.fingerprint`).
"""

from __future__ import annotations

import dataclasses
import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from pollguard.core.model import (
    SECTORS_EACH,
    SECTORS_GOVERNORATE,
    DutyPolicy,
    Policy,
    TaskAnchor,
    TaskPhase,
    TaskTemplate,
    UnitKind,
)

# Cordon roles whose posts are a standby rather than a guard (design.md section 3, tasks).
STANDBY_ROLES = frozenset({"traffic", "civil_defense"})


class SpecKind(enum.StrEnum):
    POST = "post"  # a cordon assignment: unit -> center, role, headcount
    STANDBY = "standby"  # a traffic or civil-defense assignment
    SWEEP = "sweep"  # an EOD or K9 route with its stops
    TEMPLATE = "template"  # from policy.task_templates


@dataclass(frozen=True, slots=True)
class Clock:
    """The election's days and hours on its own clock (`tz`)."""

    tz: tzinfo
    general_vote_date: date
    special_vote_date: date
    polls_open: time
    polls_close: time

    def at(self, anchor: TaskAnchor, minutes: int = 0) -> datetime:
        """The anchor plus `minutes`, in UTC."""
        day = (
            self.special_vote_date
            if anchor in (TaskAnchor.SPECIAL_OPEN, TaskAnchor.SPECIAL_CLOSE)
            else self.general_vote_date
        )
        hour = (
            self.polls_open
            if anchor in (TaskAnchor.POLLS_OPEN, TaskAnchor.SPECIAL_OPEN)
            else self.polls_close
        )
        local = datetime.combine(day, hour, tzinfo=self.tz)
        return (local + timedelta(minutes=minutes)).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class UnitFacts:
    agency: str
    sector: str | None
    kind: str


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A task to store: codes for the registry rows, UTC times."""

    key: str
    kind: SpecKind
    phase: TaskPhase
    starts_at: datetime
    due_at: datetime
    agency: str | None = None
    sector: str | None = None
    unit: str | None = None
    center: str | None = None
    role: str = ""
    headcount: int | None = None
    stops: tuple[tuple[str, str, str], ...] = ()  # (center, start, end), ISO times
    template: str = ""
    title_en: str = ""
    title_ar: str = ""
    text_en: str = ""
    text_ar: str = ""

    def fingerprint(self) -> tuple[Any, ...]:
        """What an acknowledgement agreed to: the same fingerprint is the same task."""
        return dataclasses.astuple(self)


def _as_utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def plan_tasks(
    document: Mapping[str, Any],
    *,
    duty: DutyPolicy,
    templates: Sequence[TaskTemplate],
    clock: Clock,
    units: Mapping[str, UnitFacts],
    center_sectors: Mapping[str, str],
    sectors: Sequence[str],
) -> list[TaskSpec]:
    """Every task of an approved plan, in a stable order (posts, sweeps, templates).

    Assignments naming the same unit, center and role are one post (their headcounts
    added): a unit's teams at one center in one role are one order for its commander.
    """
    on_duty = clock.at(TaskAnchor.POLLS_OPEN, duty.start_minutes)
    off_duty = clock.at(TaskAnchor.POLLS_CLOSE, duty.end_minutes)
    posts: dict[tuple[str, str, str], int] = {}
    for a in document.get("assignments", []):
        slot = (str(a["unit"]), str(a["center"]), str(a["role"]))
        posts[slot] = posts.get(slot, 0) + int(a["headcount"])
    out: list[TaskSpec] = []
    for (unit, center, role), headcount in posts.items():
        facts = units.get(unit)
        out.append(
            TaskSpec(
                key=f"post:{unit}:{center}:{role}",
                kind=SpecKind.STANDBY if role in STANDBY_ROLES else SpecKind.POST,
                phase=TaskPhase.DURING,
                starts_at=on_duty,
                due_at=off_duty,
                agency=facts.agency if facts else None,
                sector=center_sectors.get(center),
                unit=unit,
                center=center,
                role=role,
                headcount=headcount,
            )
        )
    for sweep in document.get("sweeps", []):
        stops = tuple(
            (str(s["center"]), _as_utc(s["start"]).isoformat(), _as_utc(s["end"]).isoformat())
            for s in sweep.get("stops", [])
        )
        if not stops:
            continue
        unit = str(sweep.get("unit") or sweep["team"])
        facts = units.get(unit)
        stop_sectors = {center_sectors.get(c) for c, _, _ in stops}
        # A route inside one sector is that sector's; a reserve team's route across
        # sectors belongs to no sector (its agency's liaison and the operations room).
        sector = next(iter(stop_sectors)) if len(stop_sectors) == 1 else None
        if sector is None and facts is not None:
            sector = facts.sector
        out.append(
            TaskSpec(
                key=f"sweep:{sweep['team']}",
                kind=SpecKind.SWEEP,
                phase=TaskPhase.BEFORE,
                starts_at=_as_utc(stops[0][1]),
                due_at=max(_as_utc(end) for _, _, end in stops),
                agency=facts.agency if facts else None,
                sector=sector,
                unit=unit,
                role=str(sweep.get("kind", "")),
                stops=stops,
            )
        )
    out += template_tasks(templates, clock=clock, units=units.values(), sectors=sectors)
    return out


def template_tasks(
    templates: Sequence[TaskTemplate],
    *,
    clock: Clock,
    units: Iterable[UnitFacts],
    sectors: Sequence[str],
) -> list[TaskSpec]:
    """The phase templates expanded to one task per agency and sector they apply to."""
    by_kind: dict[str, dict[str | None, set[str]]] = defaultdict(lambda: defaultdict(set))
    for facts in units:
        by_kind[facts.kind][facts.sector].add(facts.agency)
    known = set(sectors)
    out: list[TaskSpec] = []
    for t in templates:
        if t.sectors == SECTORS_EACH:
            scope: list[str | None] = list(sectors)
        elif t.sectors == SECTORS_GOVERNORATE:
            scope = [None]
        else:
            scope = [s for s in t.sectors if s in known]
        for sector in scope:
            agencies: list[str | None]
            if t.kind is None:
                agencies = [t.agency]
            else:
                kind_units = by_kind.get(UnitKind(t.kind).value, {})
                if sector is None:
                    having = set().union(*kind_units.values()) if kind_units else set()
                else:
                    having = set(kind_units.get(sector, set()))
                if t.agency is not None:
                    having &= {t.agency}
                agencies = [*sorted(having)]
            for agency in agencies:
                out.append(
                    TaskSpec(
                        key=f"template:{t.code}:{agency or '-'}:{sector or '-'}",
                        kind=SpecKind.TEMPLATE,
                        phase=t.phase,
                        starts_at=clock.at(t.anchor, t.start_minutes),
                        due_at=clock.at(t.anchor, t.due_minutes),
                        agency=agency,
                        sector=sector,
                        template=t.code,
                        title_en=t.title_en,
                        title_ar=t.title_ar,
                        text_en=t.text_en,
                        text_ar=t.text_ar,
                    )
                )
    return out


# --- the policy as JSON (stored with each plan version) --------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, dict):
        return {str(_jsonable(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def policy_to_json(policy: Policy) -> dict[str, Any]:
    """The whole policy as plain JSON (the plan version keeps the policy it was made with)."""
    result: dict[str, Any] = _jsonable(policy)
    return result


def duty_from_json(data: Mapping[str, Any]) -> DutyPolicy:
    raw = data.get("duty") or {}
    default = DutyPolicy()
    return DutyPolicy(
        start_minutes=int(raw.get("start_minutes", default.start_minutes)),
        end_minutes=int(raw.get("end_minutes", default.end_minutes)),
    )


def templates_from_json(data: Mapping[str, Any]) -> tuple[TaskTemplate, ...]:
    out = []
    for raw in data.get("task_templates") or []:
        sectors = raw.get("sectors", SECTORS_GOVERNORATE)
        out.append(
            TaskTemplate(
                code=str(raw["code"]),
                phase=TaskPhase(raw["phase"]),
                title_en=str(raw.get("title_en", "")),
                title_ar=str(raw.get("title_ar", "")),
                anchor=TaskAnchor(raw.get("anchor", TaskAnchor.POLLS_OPEN)),
                start_minutes=int(raw.get("start_minutes", 0)),
                due_minutes=int(raw.get("due_minutes", 0)),
                kind=UnitKind(raw["kind"]) if raw.get("kind") else None,
                agency=raw.get("agency") or None,
                sectors=sectors if isinstance(sectors, str) else tuple(sectors),
                text_en=str(raw.get("text_en", "")),
                text_ar=str(raw.get("text_ar", "")),
            )
        )
    return tuple(out)
