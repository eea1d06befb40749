"""A small random election package, for property tests of the package format.

Unlike the Dhi Qar demo it has no story: it exercises every file and every optional
column (risk overrides, districts, stations, personnel, special register, history and
intelligence) with values a valid package may hold, so that "write, then read back"
can be checked on many shapes. Deterministic for a given `random.Random`.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from pollguard.core.model import (
    PACKAGE_FORMAT_VERSION,
    Agency,
    Ballot,
    BallotEntity,
    Center,
    CenterKind,
    Component,
    District,
    Election,
    ElectionPackage,
    IntelReport,
    PastIncident,
    Person,
    Policy,
    RiskPolicy,
    RolePolicy,
    Sector,
    SpecialVoter,
    Station,
    SweepPolicy,
    Unit,
    UnitKind,
)

BAGHDAD = timezone(timedelta(hours=3))

_WORDS_EN = ("North", "South", "River", "Palm", "Market", "Bridge", "Garden", "Old Town")
_WORDS_AR = ("الشمال", "الجنوب", "النهر", "النخيل", "السوق", "الجسر", "البستان", "المدينة القديمة")
_DIGITS_AR = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _names(rng: random.Random, label_en: str, label_ar: str, number: int) -> tuple[str, str]:
    pick = rng.randrange(len(_WORDS_EN))
    return (
        f"{label_en} {_WORDS_EN[pick]} {number}",
        f"{label_ar} {_WORDS_AR[pick]} {str(number).translate(_DIGITS_AR)}",
    )


def _coord(rng: random.Random, low: float, high: float) -> float:
    # Every other coordinate keeps all 17 digits: the writer must round-trip any float.
    value = rng.uniform(low, high)
    return value if rng.random() < 0.5 else round(value, 6)


def _maybe(rng: random.Random, value: float) -> float | None:
    return value if rng.random() < 0.5 else None


def build(rng: random.Random, n_centers: int, n_units: int) -> ElectionPackage:
    """A valid package with `n_centers` centers (some special) and `n_units` units."""
    sectors = tuple(
        Sector(f"S{i}", *_names(rng, "Sector", "قاطع", i)) for i in range(1, rng.randint(1, 4) + 1)
    )
    districts = (
        District("D1", "District One", "القضاء الأول"),
        District("D1-1", "Sub-district One", "الناحية الأولى", parent="D1"),
    )
    agencies = (
        Agency("IP", "Police", "الشرطة"),
        Agency("IA", "Army", "الجيش"),
    )
    centers: list[Center] = []
    stations: list[Station] = []
    # stations.csv lists every station of every center or is absent; never half of them.
    with_stations = rng.random() < 0.5
    for i in range(1, n_centers + 1):
        n_stations = rng.randint(1, 6)
        voters = [rng.randint(50, 600) for _ in range(n_stations)]
        code = f"C-{i:04d}"
        kind = CenterKind.GENERAL if i % 5 else rng.choice(list(CenterKind))
        name_en, name_ar = _names(rng, "School", "مدرسة", i)
        district, subdistrict = rng.choice(((None, None), ("D1", None), ("D1", "D1-1")))
        centers.append(
            Center(
                code=code,
                name_en=name_en,
                name_ar=name_ar,
                sector=rng.choice(sectors).code,
                lat=_coord(rng, 30.5, 32.0),
                lon=_coord(rng, 45.5, 47.0),
                stations=n_stations,
                voters=sum(voters),
                risk=_maybe(rng, rng.random()),
                district=district,
                subdistrict=subdistrict,
                kind=kind,
            )
        )
        if with_stations:
            stations += [
                Station(f"{code}-{n:02d}", code, n, v) for n, v in enumerate(voters, start=1)
            ]
    units: list[Unit] = []
    for i in range(1, n_units + 1):
        unit_kind = rng.choice(list(UnitKind))
        headcount = rng.randint(1, 120)
        team_size = rng.choice((None, rng.randint(1, min(12, headcount))))
        name_en, name_ar = _names(rng, "Unit", "وحدة", i) if rng.random() < 0.7 else ("", "")
        units.append(
            Unit(
                code=f"U-{i:04d}",
                agency=rng.choice(agencies).code,
                kind=unit_kind,
                headcount=headcount,
                sector=rng.choice([None, *(s.code for s in sectors)]),
                lat=_coord(rng, 30.5, 32.0),
                lon=_coord(rng, 45.5, 47.0),
                name_en=name_en,
                name_ar=name_ar,
                team_size=team_size,
                max_distance_km=_maybe(rng, rng.uniform(0.5, 80)),
                speed_kmh=_maybe(rng, float(rng.randint(20, 60))),
            )
        )
    personnel = tuple(
        Person(
            f"P{i:05d}",
            _names(rng, "Person", "منتسب", i)[1],
            rng.choice(units).code,
            name_en=rng.choice(("", f"Person {i}")),
        )
        for i in range(1, rng.randint(0, 10) + 1)
        if units
    )
    specials = [c.code for c in centers if c.kind is not CenterKind.GENERAL]
    register = tuple(
        SpecialVoter(
            p.id,
            p.name_ar,
            rng.choice(specials),
            name_en=p.name_en,
            unit=rng.choice((None, p.unit)),
        )
        for p in personnel
        if specials and rng.random() < 0.7
    )
    start = datetime(2009, 1, 1, 8, 0, tzinfo=BAGHDAD)
    history = tuple(
        PastIncident(
            code=f"H-{i:03d}",
            when=start + timedelta(hours=rng.randint(0, 24 * 365)),
            lat=_coord(rng, 30.5, 32.0),
            lon=_coord(rng, 45.5, 47.0),
            kind=rng.choice(("ied", "shooting", "protest")),
            severity=round(rng.random(), 2),
            center=rng.choice([None, *(c.code for c in centers)]),
            description=rng.choice(("", 'Synthetic incident, "quoted", with a comma')),
        )
        for i in range(1, rng.randint(0, 5) + 1)
    )
    intel = tuple(
        IntelReport(
            code=f"I-{i:03d}",
            when=start + timedelta(days=rng.randint(0, 420)),
            center=rng.choice(centers).code,
            severity=rng.random(),
            credibility=round(rng.random(), 2),
            summary=rng.choice(("", "تقرير تجريبي")),
        )
        for i in range(1, rng.randint(0, 4) + 1)
        if centers
    )
    roles = {
        "inner_cordon": RolePolicy(
            frozenset({UnitKind.POLICE}),
            base=rng.choice((2.0, 4.0)),
            per_station=rng.choice((0.0, 1.5, 2.0)),
            risk_factor=0.5,
            weight=3.0,
        ),
        "outer_cordon": RolePolicy(
            frozenset({UnitKind.ARMY, UnitKind.POLICE}),
            base=8.0,
            risk_factor=1.0,
            weight=2.0,
            min_risk=_maybe(rng, 0.25),
            min_stations=rng.choice((None, 3)),
            min_voters=rng.choice((None, 1000)),
        ),
    }
    sweep = SweepPolicy(
        window_start=datetime(2010, 3, 6, 6, 0, tzinfo=BAGHDAD),
        window_end=datetime(2010, 3, 6, 18, 0, tzinfo=BAGHDAD),
        road_factor=rng.uniform(1.0, 1.6),
        speed_kmh={UnitKind.EOD: 40.0, UnitKind.K9: float(rng.randint(20, 50))},
        minutes_base=20.0,
        minutes_per_station=rng.choice((5.0, 2.5)),
        k9_min_risk=0.5,
    )
    election = Election(
        code="test-election",
        name_en='Test election: "synthetic"',
        name_ar="انتخابات تجريبية",
        governorate_code="TG",
        governorate_en="Test governorate",
        governorate_ar="محافظة تجريبية",
        timezone="Asia/Baghdad",
        special_vote_date=date(2010, 3, 4),
        general_vote_date=date(2010, 3, 7),
        polls_open=time(7, 0),
        polls_close=time(17, 0),
        seats=rng.randint(1, 30),
        ballot=Ballot(
            entities=(
                BallotEntity(1, "List one", "القائمة الأولى"),
                BallotEntity(2, "List two", "القائمة الثانية", component="christian"),
            ),
            components=(Component("christian", "Christian component", "المكون المسيحي", 5),),
        ),
    )
    return ElectionPackage(
        version=PACKAGE_FORMAT_VERSION,
        election=election,
        policy=Policy(
            roles=roles,
            sweep=sweep,
            risk=RiskPolicy(history_radius_km=round(rng.uniform(1, 10), 2)),
            risk_weight=rng.uniform(0, 2),
        ),
        agencies=agencies,
        sectors=sectors,
        centers=tuple(centers),
        units=tuple(units),
        districts=districts,
        stations=tuple(stations),
        personnel=personnel,
        special_register=register,
        incidents_history=history,
        intel=intel,
    )
