"""Helpers shared by the planning tests: tiny random packages and the checker assertion.

Every test that produces a plan passes it through `assert_plan_ok`, which runs the
core checker (design.md section 6: "the tests call it on every plan they make").
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

from pollguard.core.model import (
    PACKAGE_FORMAT_VERSION,
    Agency,
    Center,
    Election,
    ElectionPackage,
    Policy,
    RolePolicy,
    Sector,
    SweepPolicy,
    Unit,
    UnitKind,
)
from pollguard.core.planning.checker import check_plan
from pollguard.core.planning.cordon import CordonInstance, CordonResult
from pollguard.core.planning.plan import Plan

BAGHDAD = timezone(timedelta(hours=3))

ROLES = {
    "inner_cordon": RolePolicy(
        frozenset({UnitKind.POLICE}), base=4, per_station=2, risk_factor=0.5, weight=3
    ),
    "outer_cordon": RolePolicy(
        frozenset({UnitKind.ARMY, UnitKind.POLICE}), base=8, risk_factor=1.0, weight=2
    ),
}


def election() -> Election:
    return Election(
        code="test-plan",
        name_en="Planning test election",
        name_ar="انتخابات اختبار التخطيط",
        governorate_code="TG",
        governorate_en="Test governorate",
        governorate_ar="محافظة اختبار",
        timezone="Asia/Baghdad",
        special_vote_date=date(2010, 3, 4),
        general_vote_date=date(2010, 3, 7),
        polls_open=time(7, 0),
        polls_close=time(17, 0),
    )


def package(
    centers: list[Center],
    units: list[Unit],
    *,
    roles: Mapping[str, RolePolicy] | None = None,
    window_hours: float = 12.0,
) -> ElectionPackage:
    """A package around the given centers and units (sectors taken from them)."""
    sectors = sorted({c.sector for c in centers} | {u.sector for u in units if u.sector})
    start = datetime(2010, 3, 6, 6, 0, tzinfo=BAGHDAD)
    return ElectionPackage(
        version=PACKAGE_FORMAT_VERSION,
        election=election(),
        policy=Policy(
            roles=dict(roles or ROLES),
            sweep=SweepPolicy(window_start=start, window_end=start + timedelta(hours=window_hours)),
        ),
        agencies=(Agency("IP", "Police", "الشرطة"), Agency("IA", "Army", "الجيش")),
        sectors=tuple(Sector(s, f"Sector {s}", f"قاطع {s}") for s in sectors),
        centers=tuple(centers),
        units=tuple(units),
    )


def center(
    code: str,
    sector: str,
    lat: float,
    lon: float,
    stations: int = 2,
    risk: float | None = 0.5,
    voters: int = 1000,
) -> Center:
    return Center(
        code, f"Center {code}", f"مركز {code}", sector, lat, lon, stations, voters, risk=risk
    )


def unit(
    code: str,
    kind: UnitKind,
    headcount: int,
    sector: str | None,
    lat: float,
    lon: float,
    team_size: int | None = None,
    max_distance_km: float | None = None,
) -> Unit:
    agency = "IA" if kind is UnitKind.ARMY else "IP"
    return Unit(
        code,
        agency,
        kind,
        headcount,
        sector,
        lat,
        lon,
        team_size=team_size,
        max_distance_km=max_distance_km,
    )


def random_package(
    rng: random.Random, *, max_centers: int = 5, max_units: int = 5, max_teams: int | None = None
) -> ElectionPackage:
    """A small random cordon problem: 1-2 sectors, reserves, team sizes, distance limits."""
    sectors = ["S1", "S2"][: rng.randint(1, 2)]
    centers = [
        center(
            f"C{i}",
            rng.choice(sectors),
            31 + rng.uniform(0, 0.3),
            46 + rng.uniform(0, 0.3),
            stations=rng.randint(1, 4),
            risk=round(rng.random(), 2),
        )
        for i in range(1, rng.randint(1, max_centers) + 1)
    ]
    units: list[Unit] = []
    teams = 0
    for i in range(1, rng.randint(0, max_units) + 1):
        kind = rng.choice((UnitKind.POLICE, UnitKind.POLICE, UnitKind.ARMY, UnitKind.TRAFFIC))
        head = rng.randint(2, 30)
        size = rng.choice((None, None, rng.randint(2, 12)))
        u = unit(
            f"U{i}",
            kind,
            head,
            rng.choice([None, *sectors]),
            31 + rng.uniform(0, 0.3),
            46 + rng.uniform(0, 0.3),
            team_size=size,
            max_distance_km=rng.choice((None, None, rng.uniform(5, 40))),
        )
        if max_teams is not None and teams + u.team_count > max_teams:
            u = replace(u, headcount=u.effective_team_size)  # one team only
            if teams + u.team_count > max_teams:
                continue
        teams += u.team_count
        units.append(u)
    return package(centers, units)


def plan_of(inst: CordonInstance, result: CordonResult, pkg: ElectionPackage) -> Plan:
    """A cordon result as a plan (no sweeps), for the checker."""
    need_weight = sum(d.need * d.weight for d in inst.demands)
    return Plan(
        election=pkg.election.code,
        assignments=result.assignments,
        shortfalls=result.shortfalls,
        risk={c.code: inst.risks.get(c.code, 0.0) for c in inst.centers},
        metrics={
            "objective": result.objective,
            "bound": result.bound,
            "gap": (result.objective - result.bound) / max(result.objective, 1.0),
            "risk_weighted_coverage": 1.0
            if need_weight <= 0
            else 1 - result.objective / need_weight,
        },
    )


def assert_plan_ok(
    pkg: ElectionPackage,
    plan: Plan,
    risks: Mapping[str, float] | None = None,
    *,
    sweeps: bool = True,
) -> None:
    violations = check_plan(pkg, plan, risks=risks, sweeps=sweeps)
    assert violations == [], "\n".join(str(v) for v in violations)


def assert_cordon_ok(pkg: ElectionPackage, inst: CordonInstance, result: CordonResult) -> None:
    """The checker on a cordon-only result (no sweep part)."""
    assert_plan_ok(pkg, plan_of(inst, result, pkg), dict(inst.risks), sweeps=False)


def brute_force(inst: CordonInstance) -> float:
    """The whole-team optimum by enumeration: every team picks a demand or stays home."""
    teams: list[tuple[int, list[int]]] = []
    for k, cls in enumerate(inst.classes):
        for row, u in enumerate(cls.members.tolist()):
            del row
            eligible = [int(j) for j in cls.demands.tolist()]
            teams.extend((k, eligible) for _ in range(inst.units[u].team_count))
    need = [d.need for d in inst.demands]
    weight = [d.weight for d in inst.demands]
    best = float("inf")
    for choice in itertools.product(*[[-1, *eligible] for _, eligible in teams]):
        got = [0] * len(need)
        for (k, _), j in zip(teams, choice, strict=True):
            if j >= 0:
                got[j] += inst.classes[k].size
        value = sum(w * max(0, n - g) for n, g, w in zip(need, got, weight, strict=True))
        best = min(best, value)
    return best
