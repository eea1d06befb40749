"""A family of provincial planning instances that the planner was not tuned on.

Each instance is named `<geography>-<staffing>-<teams>-<reserves>-<hot>-s<seed>` and is
built on the fly from that name (no CSVs committed): the same name gives the same package.

- geography: `city` (a compact city, six wedge sectors within ~15 km, many centers close
  together) or `river` (a long river province, six consecutive sectors along ~220 km,
  centers strung along the bank).
- staffing: `scarce` (units at about 80 % of the typical need) or `slack` (about 115 %).
- teams: `uneven` (police teams of 7 or 13, army of 13) or `mixed` (4-6 and 10-12).
- reserves: `res` (governorate reserves at headquarters with a distance limit) or `nores`.
- hot: `hot` (one sector's centers carry risk 0.7-1.0) or `flat` (risk 0.1-0.5).

Every cordon unit carries `max_distance_km` (8-25 km in the city, 25-60 km on the river),
so units of one sector reach different subsets of it: the case where interchangeable
classes are small and the planner's column generation stalled (issue 9).
Size: ~500 centers and ~900 cordon units, like the Dhi Qar demo.
"""

from __future__ import annotations

import itertools
import math
import random
from datetime import date, time

from pollguard.core.model import (
    PACKAGE_FORMAT_VERSION,
    Agency,
    Center,
    Election,
    ElectionPackage,
    Policy,
    RiskPolicy,
    Sector,
    Unit,
    UnitKind,
)
from pollguard.core.synthetic.scaled import ROLES, SWEEP

__all__ = ["INSTANCES", "build", "names"]

_KM = 111.2
GEOGRAPHIES = ("city", "river")
STAFFING = {"scarce": 0.8, "slack": 1.15}
TEAMS = {"uneven": ((7, 13), (13,)), "mixed": ((4, 5, 6), (10, 12))}


def names(seeds: tuple[int, ...] = (1,)) -> list[str]:
    """Every combination for the given seeds."""
    return [
        f"{g}-{s}-{t}-{r}-{h}-s{seed}"
        for seed, g, s, t, r, h in itertools.product(
            seeds, GEOGRAPHIES, STAFFING, TEAMS, ("res", "nores"), ("hot", "flat")
        )
    ]


# The benchmark's instances: a spread over the variations, two geographies each.
INSTANCES = (
    "city-scarce-uneven-res-hot-s1",
    "city-slack-mixed-nores-flat-s2",
    "city-scarce-mixed-res-flat-s3",
    "river-scarce-uneven-nores-hot-s1",
    "river-slack-uneven-res-flat-s2",
    "river-scarce-mixed-res-hot-s3",
)


def _offset(lat: float, lon: float, dx_km: float, dy_km: float) -> tuple[float, float]:
    return (
        round(lat + dy_km / _KM, 6),
        round(lon + dx_km / (_KM * math.cos(math.radians(lat))), 6),
    )


def _need(stations: int, voters: int, risk: float) -> dict[str, float]:
    out = {}
    for name, role in ROLES.items():
        if role.min_voters is not None and voters < role.min_voters:
            continue
        if role.min_stations is not None and stations < role.min_stations:
            continue
        out[name] = (role.base + role.per_station * stations) * (1 + role.risk_factor * risk)
    return out


def build(name: str) -> ElectionPackage:
    """The package of one instance name (see the module doc)."""
    geo, staffing, teams, reserves, hot, seed_part = name.split("-")
    rng = random.Random(f"{name}")
    del seed_part  # part of the name, hence of the random stream
    factor = STAFFING[staffing]
    police_sizes, army_sizes = TEAMS[teams]
    hq = (31.04, 46.26)
    n_sectors = 6
    hot_sector = rng.randrange(n_sectors) if hot == "hot" else -1
    sectors: list[Sector] = []
    centers: list[Center] = []
    units: list[Unit] = []
    sector_of: list[tuple[str, float, float, float]] = []  # code, lat, lon, spread km
    for s in range(n_sectors):
        code = f"S{s + 1}"
        if geo == "city":
            angle = 2 * math.pi * s / n_sectors
            radius = 0.0 if s == 0 else rng.uniform(6, 10)
            lat, lon = _offset(*hq, radius * math.cos(angle), radius * math.sin(angle))
            spread = 4.0
        else:
            lat, lon = _offset(*hq, -110 + 37 * s + rng.uniform(-4, 4), rng.uniform(-3, 3))
            spread = 16.0
        sector_of.append((code, lat, lon, spread))
        sectors.append(Sector(code, f"Sector {code} (synthetic)", f"قاطع {code} (تجريبي)"))
    weights = [rng.uniform(0.6, 1.4) for _ in sector_of]
    need: dict[str, dict[str, float]] = {s[0]: {} for s in sector_of}
    for n in range(1, 501):
        si = rng.choices(range(n_sectors), weights)[0]
        code, slat, slon, spread = sector_of[si]
        if geo == "city":
            r, a = abs(rng.gauss(0, spread)), rng.uniform(0, 2 * math.pi)
            dx, dy = r * math.cos(a), r * math.sin(a)
        else:  # along the river (east-west), close to the bank
            dx, dy = rng.uniform(-spread, spread), rng.gauss(0, 1.5)
        lat, lon = _offset(slat, slon, dx, dy)
        stations = max(1, min(14, round(rng.lognormvariate(1.6, 0.45))))
        voters = stations * rng.randint(350, 600)
        risk = rng.uniform(0.7, 1.0) if si == hot_sector else rng.uniform(0.1, 0.5)
        centers.append(
            Center(
                code=f"C{n:05d}",
                name_en=f"School {n} (synthetic)",
                name_ar=f"مدرسة {n} (تجريبي)",
                sector=code,
                lat=lat,
                lon=lon,
                stations=stations,
                voters=voters,
                risk=round(risk, 2),
            )
        )
        for role, amount in _need(stations, voters, risk).items():
            need[code][role] = need[code].get(role, 0.0) + amount
    reach = (8.0, 25.0) if geo == "city" else (25.0, 60.0)

    def add(
        kind: UnitKind,
        agency: str,
        head: int,
        team: int | None,
        sector: str | None,
        lat: float,
        lon: float,
        limit: float | None,
    ) -> None:
        n = len(units) + 1
        units.append(
            Unit(
                code=f"U{n:05d}",
                agency=agency,
                kind=kind,
                headcount=head,
                sector=sector,
                lat=lat,
                lon=lon,
                name_en=f"{kind.value.replace('_', ' ').title()} unit {n} (synthetic)",
                name_ar=f"وحدة {n} (تجريبي)",
                team_size=team,
                max_distance_km=None if limit is None else round(limit, 1),
            )
        )

    for code, slat, slon, spread in sector_of:
        sneed = need[code]
        specs = (
            (
                UnitKind.POLICE,
                "IP",
                sneed.get("inner_cordon", 0) + 0.45 * sneed.get("outer_cordon", 0),
                police_sizes,
                (1, 4),
            ),
            (UnitKind.ARMY, "IA", 0.55 * sneed.get("outer_cordon", 0), army_sizes, (2, 5)),
            (UnitKind.TRAFFIC, "TP", sneed.get("traffic", 0), (2,), (2, 5)),
            (UnitKind.CIVIL_DEFENSE, "CD", sneed.get("civil_defense", 0), (3,), (1, 3)),
        )
        for kind, agency, target, sizes, (lo, hi) in specs:
            supplied = 0
            while supplied < factor * target:
                team = rng.choice(sizes)
                head = team * rng.randint(lo, hi) + rng.randint(0, team - 1)
                if geo == "city":
                    r, a = abs(rng.gauss(0, spread)), rng.uniform(0, 2 * math.pi)
                    dx, dy = r * math.cos(a), r * math.sin(a)
                else:
                    dx, dy = rng.uniform(-spread, spread), rng.gauss(0, 1.5)
                add(
                    kind,
                    agency,
                    head,
                    team,
                    code,
                    *_offset(slat, slon, dx, dy),
                    rng.uniform(*reach),
                )
                supplied += (head // team) * team
        for _ in range(2):
            add(UnitKind.INTELLIGENCE, "IP", rng.randint(3, 8), None, code, slat, slon, None)
    if reserves == "res":
        total = 0.06 * sum(sum(v.values()) for v in need.values())
        supplied = 0
        while supplied < total:
            kind, agency, team = rng.choice(
                ((UnitKind.POLICE, "IP", police_sizes[-1]), (UnitKind.ARMY, "IA", army_sizes[-1]))
            )
            head = team * rng.randint(2, 6)
            # Reserves sit at headquarters (the city) or at both ends and the middle (river).
            base = hq if geo == "city" else sector_of[rng.choice((0, 2, 5))][1:3]
            limit = rng.uniform(12, 30) if geo == "city" else rng.uniform(60, 120)
            add(
                kind,
                agency,
                head,
                team,
                None,
                *_offset(*base, rng.uniform(-2, 2), rng.uniform(-2, 2)),
                limit,
            )
            supplied += head
    for kind, agency, count in ((UnitKind.EOD, "EOD", 24), (UnitKind.K9, "K9", 10)):
        for _ in range(count):
            code, slat, slon, spread = rng.choice(sector_of)
            add(kind, agency, rng.randint(3, 6), None, None, slat, slon, None)
    election = Election(
        code=f"family-{name}",
        name_en=f"Synthetic planning family election ({name})",
        name_ar=f"انتخابات تجريبية ({name})",
        governorate_code="SYN",
        governorate_en="Synthetic governorate",
        governorate_ar="محافظة تجريبية",
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
        agencies=(
            Agency("IP", "Police directorate (synthetic)", "مديرية الشرطة (تجريبي)"),
            Agency("IA", "Army division (synthetic)", "فرقة الجيش (تجريبي)"),
            Agency("TP", "Traffic police (synthetic)", "شرطة المرور (تجريبي)"),
            Agency("CD", "Civil defense (synthetic)", "الدفاع المدني (تجريبي)"),
            Agency("EOD", "Explosives directorate (synthetic)", "مديرية المتفجرات (تجريبي)"),
            Agency("K9", "Police dog division (synthetic)", "شعبة الكلاب البوليسية (تجريبي)"),
        ),
        sectors=tuple(sectors),
        centers=tuple(centers),
        units=tuple(units),
    )
