"""Typed objects of an election package.

These are the pure-Python domain objects that every other part of pollguard
works with: the package reader produces them, the planner consumes them, and
the Django apps convert them to and from rows at their edge. They never import
Django (an import-linter contract enforces it).

Codes (`Center.code`, `Unit.code`, ...) are the stable public identifiers that
the package files, the plan file and the URLs use.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

PACKAGE_FORMAT_VERSION = 1
"""The `version` that `election.yaml` declares. Documented in docs/election-package.md."""


class UnitKind(enum.StrEnum):
    """What a unit is, which decides the roles and sweeps it may serve."""

    POLICE = "police"
    ARMY = "army"
    TRAFFIC = "traffic"
    CIVIL_DEFENSE = "civil_defense"
    FACILITIES_PROTECTION = "facilities_protection"
    EOD = "eod"
    K9 = "k9"
    INTELLIGENCE = "intelligence"


SWEEP_KINDS = frozenset({UnitKind.EOD, UnitKind.K9})


class CenterKind(enum.StrEnum):
    """General polling centers, and the special-voting centers of 4 March 2010."""

    GENERAL = "general"
    SPECIAL_SECURITY = "special_security"  # police and army special voting
    SPECIAL_INSTITUTION = "special_institution"  # prisons, detainees, hospitals


# --- election and ballot -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Component:
    """A minority component with reserved (quota) seats, e.g. the Christian component."""

    code: str
    name_en: str
    name_ar: str
    seats: int


@dataclass(frozen=True, slots=True)
class BallotEntity:
    """One political entity on the ballot; `component` is set for quota entities."""

    number: int
    name_en: str
    name_ar: str
    component: str | None = None


@dataclass(frozen=True, slots=True)
class Ballot:
    """The ballot paper of the governorate: its entities and its minority components."""

    entities: tuple[BallotEntity, ...] = ()
    components: tuple[Component, ...] = ()


@dataclass(frozen=True, slots=True)
class Election:
    """The election a package describes; times are local to `timezone`."""

    code: str
    name_en: str
    name_ar: str
    governorate_code: str
    governorate_en: str
    governorate_ar: str
    timezone: str
    special_vote_date: date
    general_vote_date: date
    polls_open: time
    polls_close: time
    seats: int = 0
    ballot: Ballot = field(default_factory=Ballot)


# --- organisation --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Agency:
    """A force that provides units: police directorate, army division, civil defense..."""

    code: str
    name_en: str
    name_ar: str


@dataclass(frozen=True, slots=True)
class Sector:
    """Area of responsibility of one district police department (e.g. al-Rifai)."""

    code: str
    name_en: str
    name_ar: str


@dataclass(frozen=True, slots=True)
class District:
    """Administrative district (qadaa) or, when `parent` is set, sub-district (nahiya)."""

    code: str
    name_en: str
    name_ar: str
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class Area:
    """The outline of a sector or a district, from the package's optional areas.geojson.

    `geometry` is a GeoJSON Polygon or MultiPolygon (longitude first), already checked.
    """

    kind: str  # "sector" or "district"
    code: str
    geometry: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Center:
    """A polling center. `risk`, when given in the package, overrides the risk model."""

    code: str
    name_en: str
    name_ar: str
    sector: str
    lat: float
    lon: float
    stations: int
    voters: int
    risk: float | None = None
    district: str | None = None
    subdistrict: str | None = None
    kind: CenterKind = CenterKind.GENERAL


@dataclass(frozen=True, slots=True)
class Station:
    """A polling station inside a center (optional file; otherwise numbered 1..stations)."""

    code: str
    center: str
    number: int
    voters: int


@dataclass(frozen=True, slots=True)
class Unit:
    """A deployable unit. `sector` None means a governorate reserve.

    `team_size` None means the whole unit is one team. `max_distance_km` None means no
    limit. `speed_kmh` None means the policy's speed for the unit's kind (sweep teams).
    """

    code: str
    agency: str
    kind: UnitKind
    headcount: int
    sector: str | None
    lat: float
    lon: float
    name_en: str = ""
    name_ar: str = ""
    team_size: int | None = None
    max_distance_km: float | None = None
    speed_kmh: float | None = None

    @property
    def is_reserve(self) -> bool:
        return self.sector is None

    @property
    def team_count(self) -> int:
        """Whole teams the unit splits into (a remainder smaller than a team stays home)."""
        if self.team_size is None:
            return 1 if self.headcount > 0 else 0
        return self.headcount // self.team_size

    @property
    def effective_team_size(self) -> int:
        return self.headcount if self.team_size is None else self.team_size


@dataclass(frozen=True, slots=True)
class Person:
    """A member of a unit (deployment roster)."""

    id: str
    name_ar: str
    unit: str
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class SpecialVoter:
    """An entry of the special voter register, assigned to one special-voting center."""

    id: str
    name_ar: str
    special_center: str
    name_en: str = ""
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class PastIncident:
    """An incident of a previous election, an input of the risk model."""

    code: str
    when: datetime
    lat: float
    lon: float
    kind: str
    severity: float  # 0..1
    center: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class IntelReport:
    """An intelligence report about a center or a place; raises risk. Sensitive.

    Exactly one of `center` and (`lat`, `lon`) is set. A place report counts for every
    center within `RiskPolicy.intel_radius_km` of it. `credibility` is the weight of the
    report in [0, 1]: the package's own column, or for reports filed in the app the
    admiralty grading's weight (`pollguard.core.intel.admiralty_weight`).
    """

    code: str
    when: datetime
    center: str | None
    severity: float  # 0..1
    credibility: float  # 0..1
    summary: str = ""
    lat: float | None = None
    lon: float | None = None


# --- policy --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RolePolicy:
    """How many people a center needs in one role (design.md section 6)."""

    kinds: frozenset[UnitKind]
    base: float
    per_station: float = 0.0
    risk_factor: float = 0.0
    weight: float = 1.0
    min_risk: float | None = None
    min_stations: int | None = None
    min_voters: int | None = None


@dataclass(frozen=True, slots=True)
class SweepPolicy:
    """EOD and K9 sweeps of centers before opening."""

    window_start: datetime
    window_end: datetime
    road_factor: float = 1.3
    speed_kmh: dict[UnitKind, float] = field(
        default_factory=lambda: {UnitKind.EOD: 40.0, UnitKind.K9: 40.0}
    )
    minutes_base: float = 20.0
    minutes_per_station: float = 5.0
    k9_min_risk: float = 0.5


@dataclass(frozen=True, slots=True)
class RiskPolicy:
    """Weights and decays of the risk model; each component is scaled to [0, 1]."""

    weight_history: float = 0.35
    weight_intel: float = 0.35
    weight_remoteness: float = 0.15
    weight_size: float = 0.15
    history_half_life_days: float = 365.0
    history_radius_km: float = 5.0
    intel_half_life_days: float = 30.0
    intel_radius_km: float = 3.0  # a report about a place counts for centers this close
    remoteness_km: float = 30.0  # distance to the nearest police base that counts as fully remote
    size_voters: int = 5000  # voters that count as a fully large center


class TaskPhase(enum.StrEnum):
    """When a task is carried out, as the seed's plan has it: before, during, after the vote."""

    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


class TaskAnchor(enum.StrEnum):
    """The moment a task template's offsets count from (on the election's own clock)."""

    POLLS_OPEN = "polls_open"  # general vote day
    POLLS_CLOSE = "polls_close"
    SPECIAL_OPEN = "special_open"  # special vote day, same hours
    SPECIAL_CLOSE = "special_close"


SECTORS_EACH = "each"  # one task per sector
SECTORS_GOVERNORATE = "governorate"  # one task for the whole governorate


@dataclass(frozen=True, slots=True)
class TaskTemplate:
    """A task every approved plan starts from (`policy.task_templates`).

    `kind` and `agency` say whose task it is: with `agency` that agency; with `kind` only,
    every agency with active units of that kind in scope; with neither, the operations
    room's own task. `sectors` is `each`, `governorate` or a tuple of sector codes.
    Offsets are minutes from `anchor` (negative: before it).
    """

    code: str
    phase: TaskPhase
    title_en: str
    title_ar: str
    anchor: TaskAnchor = TaskAnchor.POLLS_OPEN
    start_minutes: int = 0
    due_minutes: int = 0
    kind: UnitKind | None = None
    agency: str | None = None
    sectors: str | tuple[str, ...] = SECTORS_GOVERNORATE
    text_en: str = ""
    text_ar: str = ""


@dataclass(frozen=True, slots=True)
class DutyPolicy:
    """When cordon and standby posts are manned on the general vote day (`policy.duty`):
    from `start_minutes` around polls open until `end_minutes` around polls close."""

    start_minutes: int = -120
    end_minutes: int = 120


@dataclass(frozen=True, slots=True)
class Policy:
    """Planning policy from `election.yaml`; see docs/election-package.md for defaults."""

    roles: dict[str, RolePolicy]
    sweep: SweepPolicy
    risk: RiskPolicy = field(default_factory=RiskPolicy)
    risk_weight: float = 1.0
    duty: DutyPolicy = field(default_factory=DutyPolicy)
    task_templates: tuple[TaskTemplate, ...] = ()


# --- the package ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ElectionPackage:
    """Everything an election package folder holds, checked and cross-referenced."""

    version: int
    election: Election
    policy: Policy
    agencies: tuple[Agency, ...]
    sectors: tuple[Sector, ...]
    centers: tuple[Center, ...]
    units: tuple[Unit, ...]
    districts: tuple[District, ...] = ()
    stations: tuple[Station, ...] = ()
    personnel: tuple[Person, ...] = ()
    special_register: tuple[SpecialVoter, ...] = ()
    incidents_history: tuple[PastIncident, ...] = ()
    intel: tuple[IntelReport, ...] = ()
    areas: tuple[Area, ...] = ()
