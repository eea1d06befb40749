"""Seeded election packages at provincial and national size, for the planning benchmarks.

Synthetic data (labelled so in every name): the geography is a set of clusters, not
Iraq's map. The sizes follow design.md section 7:

- `provincial(seed)`: one governorate, 6 sectors, ~500 centers, ~1,000 units and 40
  EOD/K9 teams. Reserves and sweep teams are governorate assets (empty sector, no
  distance limit), as the Dhi Qar demo makes them.
- `national(seed)`: 18 governorates of ~555 centers and ~1,110 units each (10,000 and
  ~20,000 in all). The package format has one governorate per election, so a
  governorate is represented here as a group of sectors (codes `G07S3`) around its own
  headquarters, and its reserves are held to it by `max_distance_km` (every center of
  the governorate is in reach, no center of another is). The planner needs no special
  case for this: it splits the problem wherever no unit can cross, so each governorate
  becomes an independent part. Sweep teams are sector teams at national size (a
  national pool of 720 teams over 10,000 centers would only ever sweep near home).

Unit numbers are drawn per sector against the sector's estimated need (at a typical
risk) times a factor in [0.82, 1.06], so some sectors are short and some have spare
people, and reserves (about 5 % of the need) make the difference worth optimizing.
Deterministic for a seed: one `random.Random(seed)`, no clock.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from pollguard.core.model import (
    PACKAGE_FORMAT_VERSION,
    Agency,
    Center,
    Election,
    ElectionPackage,
    IntelReport,
    PastIncident,
    Policy,
    RiskPolicy,
    RolePolicy,
    Sector,
    SweepPolicy,
    Unit,
    UnitKind,
)

__all__ = ["Scale", "build", "national", "provincial"]

BAGHDAD = timezone(timedelta(hours=3))
_KM_PER_DEG = 111.2

ROLES = {
    "inner_cordon": RolePolicy(
        frozenset({UnitKind.POLICE}), base=4, per_station=2, risk_factor=0.5, weight=3
    ),
    "outer_cordon": RolePolicy(
        frozenset({UnitKind.ARMY, UnitKind.POLICE}), base=8, risk_factor=1.0, weight=2
    ),
    "traffic": RolePolicy(frozenset({UnitKind.TRAFFIC}), base=2, weight=1, min_voters=3000),
    "civil_defense": RolePolicy(
        frozenset({UnitKind.CIVIL_DEFENSE}), base=3, weight=1, min_stations=8
    ),
}

SWEEP = SweepPolicy(
    window_start=datetime(2010, 3, 6, 6, 0, tzinfo=BAGHDAD),
    window_end=datetime(2010, 3, 6, 18, 0, tzinfo=BAGHDAD),
    road_factor=1.3,
    speed_kmh={UnitKind.EOD: 40.0, UnitKind.K9: 40.0},
    minutes_base=10.0,
    minutes_per_station=2.0,
    k9_min_risk=0.5,
)


@dataclass(frozen=True)
class Scale:
    """Shape of a generated package."""

    governorates: int
    sectors_per_governorate: int
    centers_per_governorate: int
    eod_per_governorate: int
    k9_per_governorate: int
    national: bool  # reserves held to their governorate; sweep teams per sector


PROVINCIAL = Scale(1, 6, 500, 28, 12, national=False)
NATIONAL = Scale(18, 6, 556, 28, 12, national=True)


def provincial(seed: int = 1) -> ElectionPackage:
    return build(random.Random(seed), PROVINCIAL, f"synthetic-provincial-{seed}")


def national(seed: int = 1) -> ElectionPackage:
    pkg = build(random.Random(seed), NATIONAL, f"synthetic-national-{seed}")
    return pkg


def _offset(lat: float, lon: float, dx_km: float, dy_km: float) -> tuple[float, float]:
    return (
        round(lat + dy_km / _KM_PER_DEG, 6),
        round(lon + dx_km / (_KM_PER_DEG * math.cos(math.radians(lat))), 6),
    )


def _typical_need(stations: int, voters: int, risk: float = 0.3) -> dict[str, float]:
    out = {}
    for name, role in ROLES.items():
        if role.min_voters is not None and voters < role.min_voters:
            continue
        if role.min_stations is not None and stations < role.min_stations:
            continue
        out[name] = (role.base + role.per_station * stations) * (1 + role.risk_factor * risk)
    return out


def build(rng: random.Random, scale: Scale, code: str) -> ElectionPackage:
    """A package of the given shape (see the module doc)."""
    agencies = (
        Agency("IP", "Police directorate (synthetic)", "مديرية الشرطة (تجريبي)"),
        Agency("IA", "Army division (synthetic)", "فرقة الجيش (تجريبي)"),
        Agency("TP", "Traffic police (synthetic)", "شرطة المرور (تجريبي)"),
        Agency("CD", "Civil defense (synthetic)", "الدفاع المدني (تجريبي)"),
        Agency("EOD", "Explosives directorate (synthetic)", "مديرية المتفجرات (تجريبي)"),
        Agency("K9", "Police dog division (synthetic)", "شعبة الكلاب البوليسية (تجريبي)"),
    )
    sectors: list[Sector] = []
    centers: list[Center] = []
    units: list[Unit] = []
    incidents: list[PastIncident] = []
    intel: list[IntelReport] = []
    cols = max(1, math.ceil(math.sqrt(scale.governorates / 2)))
    n_unit = 0

    def add_unit(
        kind: UnitKind,
        agency: str,
        head: int,
        team: int | None,
        sector: str | None,
        lat: float,
        lon: float,
        max_km: float | None = None,
    ) -> None:
        nonlocal n_unit
        n_unit += 1
        units.append(
            Unit(
                code=f"U{n_unit:05d}",
                agency=agency,
                kind=kind,
                headcount=head,
                sector=sector,
                lat=lat,
                lon=lon,
                name_en=f"{kind.value.replace('_', ' ').title()} unit {n_unit} (synthetic)",
                name_ar=f"وحدة {n_unit} (تجريبي)",
                team_size=team,
                max_distance_km=max_km,
            )
        )

    for g in range(scale.governorates):
        # Governorate headquarters on a grid ~150 km apart in latitude, ~300 km in
        # longitude: with reserves limited to 45 km and centers within ~32 km of their
        # headquarters, no reserve reaches another governorate.
        if scale.governorates == 1:
            hq_lat, hq_lon = 31.04, 46.26
        else:
            hq_lat = 29.6 + (g // cols) * 1.38 + rng.uniform(-0.05, 0.05)
            hq_lon = 39.5 + (g % cols) * 3.3 + rng.uniform(-0.05, 0.05)
        sector_hq: list[tuple[str, float, float]] = []
        for s in range(scale.sectors_per_governorate):
            scode = f"G{g + 1:02d}S{s + 1}" if scale.governorates > 1 else f"S{s + 1}"
            angle = 2 * math.pi * s / scale.sectors_per_governorate + rng.uniform(-0.2, 0.2)
            radius = 0.0 if s == 0 else rng.uniform(14, 20)
            lat, lon = _offset(hq_lat, hq_lon, radius * math.cos(angle), radius * math.sin(angle))
            sector_hq.append((scode, lat, lon))
            sectors.append(Sector(scode, f"Sector {scode} (synthetic)", f"قاطع {scode} (تجريبي)"))
        weights = [rng.uniform(0.6, 1.4) for _ in sector_hq]
        need: dict[str, dict[str, float]] = {s[0]: {} for s in sector_hq}
        g_centers: list[Center] = []
        for _ in range(scale.centers_per_governorate):
            si = rng.choices(range(len(sector_hq)), weights)[0]
            scode, slat, slon = sector_hq[si]
            r = min(11.0, abs(rng.gauss(0, 5.0)))
            a = rng.uniform(0, 2 * math.pi)
            lat, lon = _offset(slat, slon, r * math.cos(a), r * math.sin(a))
            stations = max(1, min(14, round(rng.lognormvariate(1.6, 0.45))))
            voters = stations * rng.randint(350, 600)
            n = len(centers) + 1
            center = Center(
                code=f"C{n:05d}",
                name_en=f"School {n} (synthetic)",
                name_ar=f"مدرسة {n} (تجريبي)",
                sector=scode,
                lat=lat,
                lon=lon,
                stations=stations,
                voters=voters,
                risk=round(rng.uniform(0.6, 1.0), 2) if rng.random() < 0.02 else None,
            )
            centers.append(center)
            g_centers.append(center)
            for role, amount in _typical_need(stations, voters).items():
                need[scode][role] = need[scode].get(role, 0.0) + amount
        # Incidents of the previous elections, around a few hot spots.
        hot = rng.sample(g_centers, k=min(len(g_centers), 12))
        for _ in range(round(scale.centers_per_governorate * 0.3)):
            spot = rng.choice(hot)
            lat, lon = _offset(spot.lat, spot.lon, rng.gauss(0, 2.5), rng.gauss(0, 2.5))
            incidents.append(
                PastIncident(
                    code=f"H{len(incidents) + 1:05d}",
                    when=datetime(2009, 1, 31, 8, 0, tzinfo=BAGHDAD)
                    - timedelta(days=rng.choice((0, 0, 365, 1460)), hours=rng.randint(0, 72)),
                    lat=lat,
                    lon=lon,
                    kind=rng.choice(("ied", "shooting", "intimidation", "protest")),
                    severity=round(rng.uniform(0.2, 1.0), 2),
                )
            )
        for _ in range(round(scale.centers_per_governorate * 0.06)):
            about = rng.choice(g_centers)
            intel.append(
                IntelReport(
                    code=f"I{len(intel) + 1:05d}",
                    when=datetime(2010, 3, 6, 12, 0, tzinfo=BAGHDAD)
                    - timedelta(days=rng.randint(0, 60)),
                    center=about.code,
                    severity=round(rng.uniform(0.3, 1.0), 2),
                    credibility=round(rng.uniform(0.2, 0.9), 2),
                    summary="Synthetic report",
                )
            )

        # Units, per sector, against the sector's typical need.
        for scode, slat, slon in sector_hq:
            factor = rng.uniform(0.80, 1.25)
            sneed = need[scode]

            def base_near(slat: float = slat, slon: float = slon) -> tuple[float, float]:
                r = abs(rng.gauss(0, 5.0))
                a = rng.uniform(0, 2 * math.pi)
                return _offset(slat, slon, r * math.cos(a), r * math.sin(a))

            police_target = factor * (
                sneed.get("inner_cordon", 0) + 0.45 * sneed.get("outer_cordon", 0)
            )
            army_target = factor * 0.55 * sneed.get("outer_cordon", 0)
            specs = (
                (UnitKind.POLICE, "IP", police_target, (9, 27), (4, 4, 5, 6, 6, None)),
                (UnitKind.ARMY, "IA", army_target, (24, 60), (10, 12)),
                (UnitKind.TRAFFIC, "TP", factor * sneed.get("traffic", 0), (4, 10), (None, 2)),
                (
                    UnitKind.CIVIL_DEFENSE,
                    "CD",
                    factor * sneed.get("civil_defense", 0),
                    (4, 9),
                    (None, 3),
                ),
            )
            for kind, agency, target, (lo, hi), sizes in specs:
                supplied = 0
                while supplied < target:
                    head = rng.randint(lo, hi)
                    team = rng.choice(sizes)
                    if team is None:
                        head = rng.randint(4, 8)  # a small unit that works as one team
                    elif team >= head:
                        team = None
                    add_unit(kind, agency, head, team, scode, *base_near())
                    supplied += head if team is None else (head // team) * team
            # A few units the cordon plan cannot use (other tasks), as in a real roster.
            for _ in range(3):
                add_unit(UnitKind.INTELLIGENCE, "IP", rng.randint(3, 8), None, scode, *base_near())
            if scale.national:
                per = scale.sectors_per_governorate
                for kind, agency, total in (
                    (UnitKind.EOD, "EOD", scale.eod_per_governorate),
                    (UnitKind.K9, "K9", scale.k9_per_governorate),
                ):
                    count = total // per + (
                        1 if sector_hq.index((scode, slat, slon)) < total % per else 0
                    )
                    for _ in range(count):
                        add_unit(kind, agency, rng.randint(3, 6), None, scode, *base_near())

        # Governorate reserves at headquarters (quick-reaction forces).
        reserve_need = 0.05 * sum(sum(v.values()) for v in need.values())
        reach = 45.0 if scale.national else None
        supplied = 0
        while supplied < reserve_need:
            kind, agency, head, team = rng.choice(
                (
                    (UnitKind.POLICE, "IP", rng.randint(30, 80), 8),
                    (UnitKind.ARMY, "IA", rng.randint(40, 120), 12),
                )
            )
            add_unit(
                kind,
                agency,
                head,
                team,
                None,
                *_offset(hq_lat, hq_lon, rng.uniform(-2, 2), rng.uniform(-2, 2)),
                reach,
            )
            supplied += (head // team) * team
        if not scale.national:
            for kind, agency, total in (
                (UnitKind.EOD, "EOD", scale.eod_per_governorate),
                (UnitKind.K9, "K9", scale.k9_per_governorate),
            ):
                for _ in range(total):
                    scode, slat, slon = rng.choice(sector_hq)
                    lat, lon = _offset(slat, slon, rng.uniform(-3, 3), rng.uniform(-3, 3))
                    add_unit(kind, agency, rng.randint(3, 6), None, None, lat, lon)

    election = Election(
        code=code,
        name_en=f"Synthetic {'national' if scale.national else 'provincial'} election ({code})",
        name_ar=f"انتخابات تجريبية ({code})",
        governorate_code="SYN",
        governorate_en="Synthetic governorate" if not scale.national else "Synthetic country",
        governorate_ar="محافظة تجريبية" if not scale.national else "بلد تجريبي",
        timezone="Asia/Baghdad",
        special_vote_date=date(2010, 3, 4),
        general_vote_date=date(2010, 3, 7),
        polls_open=time(7, 0),
        polls_close=time(17, 0),
        seats=18,
    )
    return ElectionPackage(
        version=PACKAGE_FORMAT_VERSION,
        election=election,
        policy=Policy(roles=dict(ROLES), sweep=SWEEP, risk=RiskPolicy(), risk_weight=1.0),
        agencies=agencies,
        sectors=tuple(sectors),
        centers=tuple(centers),
        units=tuple(units),
        incidents_history=tuple(incidents),
        intel=tuple(intel),
    )
