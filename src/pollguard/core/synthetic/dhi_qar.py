"""The Dhi Qar 2010 demo package: real frame, estimated sizes, synthetic details.

The frame is real (see dhi_qar_data and scenarios/README.md): the election's dates and
seats, the ballot's 21 + 7 entities, the six district police departments of the seed as
sectors, the five districts and their sub-districts, the agencies of the seed, 24,600
security personnel, 20 special-voting centers (13 security, 7 institutions) and the 6,300
police missing from the special register. Sizes nobody published are estimated (~500
general centers, ~2,600 stations). Everything else is synthetic: center names and exact
positions, units, the roster's names, the 2009 incident history and the intelligence.

`build(seed)` is deterministic: one `random.Random(seed)`, no clock, no set iteration, so
`scenarios/generate_dhi_qar.py` regenerates the committed package byte for byte.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from pollguard.core.geo import haversine_km
from pollguard.core.model import (
    PACKAGE_FORMAT_VERSION,
    Ballot,
    Center,
    CenterKind,
    Election,
    ElectionPackage,
    IntelReport,
    PastIncident,
    Person,
    Policy,
    RiskPolicy,
    RolePolicy,
    SpecialVoter,
    Station,
    SweepPolicy,
    TaskAnchor,
    TaskPhase,
    TaskTemplate,
    Unit,
    UnitKind,
)
from pollguard.core.synthetic import dhi_qar_data as data
from pollguard.core.synthetic.areas import voronoi_areas

__all__ = ["COMMENT", "DEFAULT_SEED", "FACTS", "build"]

DEFAULT_SEED = 2010
BAGHDAD = timezone(timedelta(hours=3))  # Asia/Baghdad had no daylight saving in 2010

COMMENT = """\
Dhi Qar 2010 demo package: SYNTHETIC DATA on a real frame (see scenarios/README.md).
Real: election dates, seats, ballot size, police sectors, districts, agencies, totals.
Synthetic: center names and positions, units, personnel names, incidents, intelligence.
Regenerate with: python scenarios/generate_dhi_qar.py"""


@dataclass(frozen=True, slots=True)
class Facts:
    """The figures the demo reproduces; tests and the README refer to these."""

    general_centers: int = 500  # [E]
    general_stations: int = 2_560  # [E] ~2,500-2,700 with the special centers' stations
    general_voters: int = 959_000  # [E] 969,000 registered, minus the special voters
    personnel: int = 24_600  # [S]
    police_missing_from_register: int = 6_300  # [S]
    special_security_centers: int = 13  # [S]
    special_institution_centers: int = 7  # [S]


FACTS = Facts()

# Sizing assumption for the cordon units only: the risk a center has on average before
# the risk model has run. The planner uses the real risk; this only shapes the supply.
_SIZING_RISK = 0.18
# Share of a sector's cordon need its own forces cover; below 1 leaves the planner
# shortfalls to show (the marsh sectors were the thinnest) [E].
_SECTOR_SUPPLY = {"RIF": 1.06, "SHA": 1.06, "BAL": 1.1, "QAD": 0.9, "SUQ": 0.7, "CHI": 0.6}
_ARMY_SHARE_OF_OUTER = 0.5
_QRF_COMPANIES = 6  # emergency police companies of 100 held as governorate reserve
_ARMY_RESERVE = 600

_POLICE_TEAM = 4  # inner-cordon team: two searchers, a guard, a team leader
_ARMY_TEAM = 8  # an army section on the outer ring

ROLES = {
    "inner_cordon": RolePolicy(
        frozenset({UnitKind.POLICE}), base=4, per_station=2, risk_factor=0.5, weight=3
    ),
    "outer_cordon": RolePolicy(
        frozenset({UnitKind.ARMY, UnitKind.POLICE}),
        base=10,
        per_station=1.5,
        risk_factor=1.0,
        weight=2,
    ),
    # Schools are guarded around the clock once the materials arrive the day before.
    "building_guard": RolePolicy(frozenset({UnitKind.FACILITIES_PROTECTION}), base=2, weight=1),
    "traffic": RolePolicy(frozenset({UnitKind.TRAFFIC}), base=2, weight=1, min_voters=2500),
    "civil_defense": RolePolicy(
        frozenset({UnitKind.CIVIL_DEFENSE}), base=3, weight=1, min_stations=7
    ),
}

SWEEP = SweepPolicy(
    window_start=datetime(2010, 3, 6, 6, 0, tzinfo=BAGHDAD),
    window_end=datetime(2010, 3, 6, 18, 0, tzinfo=BAGHDAD),
    road_factor=1.3,
    speed_kmh={UnitKind.EOD: 40.0, UnitKind.K9: 40.0},
    minutes_base=10.0,
    minutes_per_station=3.0,
    k9_min_risk=0.3,
)

# The phase templates every approved plan starts from (policy.task_templates): what the
# 2010 conference distributed besides the posts and sweeps. Times are offsets from polls
# open (07:00 on 7 March) or close (17:00), so the border closes at 18:00 on 6 March.
_T = TaskTemplate
_B, _D, _A = TaskPhase.BEFORE, TaskPhase.DURING, TaskPhase.AFTER
TASK_TEMPLATES = (
    _T(
        "ops-room",
        _B,
        "Open the joint operations room, all agencies represented",
        "فتح غرفة العمليات المشتركة بحضور ممثلي جميع الأجهزة",
        start_minutes=-26 * 60,
        due_minutes=-24 * 60,
    ),
    _T(
        "seal-borders",
        _B,
        "Seal the provincial borders",
        "غلق حدود المحافظة",
        agency="IA",
        start_minutes=-14 * 60,
        due_minutes=-13 * 60,
        text_en="Border crossings closed to all traffic from 18:00 on 6 March until the "
        "ballot boxes have reached the counting center.",
        text_ar="تُغلق منافذ المحافظة أمام حركة المرور كافة من الساعة 18:00 يوم 6 آذار "
        "حتى وصول صناديق الاقتراع إلى مركز العد.",
    ),
    _T(
        "special-vote",
        _B,
        "Secure the special polling centers (security forces' vote)",
        "تأمين مراكز الاقتراع الخاص (تصويت منتسبي القوات الأمنية)",
        agency="IP",
        sectors="each",
        anchor=TaskAnchor.SPECIAL_OPEN,
        start_minutes=-120,
        due_minutes=-60,
    ),
    _T(
        "materials-guard",
        _B,
        "Take over the guard of the polling schools as materials arrive",
        "استلام حماية المدارس الانتخابية عند وصول المواد الانتخابية",
        kind=UnitKind.FACILITIES_PROTECTION,
        sectors="each",
        start_minutes=-24 * 60,
        due_minutes=-22 * 60,
    ),
    _T(
        "vehicle-ban",
        _B,
        "Enforce the vehicle ban in the sector",
        "تطبيق حظر تجوال العجلات في القاطع",
        kind=UnitKind.TRAFFIC,
        sectors="each",
        start_minutes=-10 * 60,
        due_minutes=-9 * 60,
        text_en="No vehicles on the roads from 22:00 on 6 March until polls close, except "
        "security, ambulances and commission vehicles with a permit.",
        text_ar="يُمنع سير العجلات من الساعة 22:00 يوم 6 آذار حتى إغلاق الصناديق، عدا "
        "عجلات القوات الأمنية والإسعاف والمفوضية المخولة.",
    ),
    _T(
        "fire-standby",
        _D,
        "Fire and rescue teams on standby near the large centers",
        "فرق الإطفاء والإنقاذ بحالة تأهب قرب المراكز الكبيرة",
        kind=UnitKind.CIVIL_DEFENSE,
        sectors="each",
        start_minutes=-120,
        due_minutes=-60,
    ),
    _T(
        "ballots-escort",
        _A,
        "Escort the ballot boxes to the counting center",
        "مرافقة صناديق الاقتراع إلى مركز العد",
        agency="IP",
        sectors="each",
        anchor=TaskAnchor.POLLS_CLOSE,
        start_minutes=0,
        due_minutes=4 * 60,
    ),
    _T(
        "lift-ban",
        _A,
        "Lift the vehicle ban once the boxes have left",
        "رفع حظر تجوال العجلات بعد مغادرة الصناديق",
        kind=UnitKind.TRAFFIC,
        sectors="each",
        anchor=TaskAnchor.POLLS_CLOSE,
        start_minutes=4 * 60,
        due_minutes=5 * 60,
    ),
)

ELECTION = Election(
    code="iq-cor-2010-dhi-qar",
    name_en="Council of Representatives election 2010 - Dhi Qar (demo, synthetic data)",
    name_ar="انتخابات مجلس النواب 2010 - ذي قار (عرض تجريبي، بيانات افتراضية)",
    governorate_code="DQ",
    governorate_en="Dhi Qar",
    governorate_ar="ذي قار",
    timezone="Asia/Baghdad",
    special_vote_date=date(2010, 3, 4),
    general_vote_date=date(2010, 3, 7),
    polls_open=time(7, 0),
    polls_close=time(17, 0),
    seats=18,
    ballot=Ballot(entities=data.ENTITIES, components=(data.CHRISTIAN,)),
)

_PLACE = {place.key: place for place in data.PLACES}


def _jitter(
    rng: random.Random, lat: float, lon: float, dlat: float, dlon: float
) -> tuple[float, float]:
    # Uniform in an ellipse: a town is roughly round, and a corner of a box could fall
    # into the marsh beside a river town.
    while True:
        x, y = rng.uniform(-1, 1), rng.uniform(-1, 1)
        if x * x + y * y <= 1:
            return round(lat + y * dlat, 5), round(lon + x * dlon, 5)


def _spread_total(rng: random.Random, values: list[int], target: int, low: int, high: int) -> None:
    """Nudge `values` one by one (inside [low, high]) until they sum to `target`."""
    diff = target - sum(values)
    step = 1 if diff > 0 else -1
    room = sum((high - v) if step > 0 else (v - low) for v in values)
    if abs(diff) > room:
        raise ValueError("target out of reach")
    while diff:
        i = rng.randrange(len(values))
        if low <= values[i] + step <= high:
            values[i] += step
            diff -= step


# --- general centers and stations -----------------------------------------------------


def _general_centers(rng: random.Random) -> tuple[list[Center], list[Station], list[str]]:
    """General centers and their stations, and the key of the town of each center."""
    plan: list[tuple[data.Place, int]] = []  # (place, stations) per center
    for place in data.PLACES:
        plan += [(place, rng.randint(*place.stations)) for _ in range(place.centers)]
    counts = [stations for _, stations in plan]
    _spread_total(rng, counts, FACTS.general_stations, 1, 12)

    station_voters = [rng.randint(280, 480) for _ in range(sum(counts))]
    _spread_total(rng, station_voters, FACTS.general_voters, 150, 600)

    centers: list[Center] = []
    stations: list[Station] = []
    names_used: dict[str, set[int]] = {}
    cursor = 0
    for index, ((place, _), n_stations) in enumerate(zip(plan, counts, strict=True), start=1):
        code = f"C-{index:04d}"
        voters = station_voters[cursor : cursor + n_stations]
        cursor += n_stations
        stations += [Station(f"{code}-{n:02d}", code, n, v) for n, v in enumerate(voters, start=1)]
        # Names are unique within a town; the town goes into the name because every town
        # has its al-Nasr school.
        used = names_used.setdefault(place.key, set())
        while True:
            pick = rng.randrange(len(data.SCHOOL_NAMES) * len(data.SCHOOL_KINDS))
            if pick not in used:
                used.add(pick)
                break
        school_en, school_ar = data.SCHOOL_NAMES[pick // len(data.SCHOOL_KINDS)]
        kind_en, kind_ar = data.SCHOOL_KINDS[pick % len(data.SCHOOL_KINDS)]
        lat, lon = _jitter(rng, place.lat, place.lon, place.spread_lat, place.spread_lon)
        centers.append(
            Center(
                code=code,
                name_en=f"{kind_en.format(n=school_en)}, {place.name_en}",
                name_ar=f"{kind_ar.format(n=school_ar)} - {place.name_ar}",
                sector=place.sector,
                lat=lat,
                lon=lon,
                stations=n_stations,
                voters=sum(voters),
                district=place.district,
                subdistrict=place.subdistrict,
            )
        )
    return centers, stations, [place.key for place, _ in plan]


# A handful of centers whose risk the committee set by hand [synthetic]: (place, risk).
_RISK_OVERRIDES = (
    ("nasiriyah", 0.8),
    ("nasiriyah", 0.7),
    ("sdakhil", 0.6),  # the 2009 campaigning-near-a-center case was in Sayyid Dakhil [S]
    ("suq", 0.75),
    ("rifai", 0.65),
    ("chibayish", 0.3),
)


def _with_overrides(
    rng: random.Random, centers: list[Center], places: Sequence[str]
) -> list[Center]:
    by_place: dict[str, list[int]] = {}
    for i, key in enumerate(places):
        by_place.setdefault(key, []).append(i)
    chosen: list[int] = []
    for key, risk in _RISK_OVERRIDES:
        candidates = [i for i in by_place[key] if i not in chosen]
        i = rng.choice(candidates)
        chosen.append(i)
        c = centers[i]
        centers[i] = Center(
            c.code,
            c.name_en,
            c.name_ar,
            c.sector,
            c.lat,
            c.lon,
            c.stations,
            c.voters,
            risk=risk,
            district=c.district,
            subdistrict=c.subdistrict,
            kind=c.kind,
        )
    return centers


# --- special-voting centers -------------------------------------------------------------

# (code suffix, place, facility en, facility ar, kind, who votes there: police/army/None)
_SPECIAL = (
    (
        "nasiriyah",
        "Dhi Qar Police General Directorate HQ",
        "مقر المديرية العامة لشرطة محافظة ذي قار",
        CenterKind.SPECIAL_SECURITY,
        "police",
    ),
    (
        "nasiriyah",
        "Emergency police regiment camp",
        "معسكر فوج طوارئ الشرطة",
        CenterKind.SPECIAL_SECURITY,
        "police",
    ),
    (
        "nasiriyah",
        "al-Balda police department",
        "مديرية شرطة قسم البلدة",
        CenterKind.SPECIAL_SECURITY,
        "police",
    ),
    (
        "nasiriyah",
        "Army camp, Nasiriyah",
        "معسكر الجيش - الناصرية",
        CenterKind.SPECIAL_SECURITY,
        "army",
    ),
    (
        "batha",
        "al-Qada police department",
        "مديرية شرطة قسم القضاء",
        CenterKind.SPECIAL_SECURITY,
        "police",
    ),
    (
        "sdakhil",
        "Sayyid Dakhil police station",
        "مركز شرطة سيد دخيل",
        CenterKind.SPECIAL_SECURITY,
        "police",
    ),
    (
        "rifai",
        "al-Rifai police department",
        "مديرية شرطة قسم الرفاعي",
        CenterKind.SPECIAL_SECURITY,
        "police",
    ),
    (
        "qsukkar",
        "Qalat Sukkar police station",
        "مركز شرطة قلعة سكر",
        CenterKind.SPECIAL_SECURITY,
        "police",
    ),
    (
        "shatra",
        "al-Shatra police department",
        "مديرية شرطة قسم الشطرة",
        CenterKind.SPECIAL_SECURITY,
        "police",
    ),
    ("shatra", "Army camp, al-Shatra", "معسكر الجيش - الشطرة", CenterKind.SPECIAL_SECURITY, "army"),
    (
        "suq",
        "Suq al-Shuyukh police department",
        "مديرية شرطة قسم سوق الشيوخ",
        CenterKind.SPECIAL_SECURITY,
        "police",
    ),
    (
        "karma",
        "Karmat Bani Said police station",
        "مركز شرطة كرمة بني سعيد",
        CenterKind.SPECIAL_SECURITY,
        "police",
    ),
    (
        "chibayish",
        "al-Chibayish police department",
        "مديرية شرطة قسم الجبايش",
        CenterKind.SPECIAL_SECURITY,
        "police",
    ),
    (
        "nasiriyah",
        "Nasiriyah central prison",
        "السجن المركزي في الناصرية",
        CenterKind.SPECIAL_INSTITUTION,
        None,
    ),
    (
        "nasiriyah",
        "Police detention center, Nasiriyah",
        "موقف شرطة الناصرية",
        CenterKind.SPECIAL_INSTITUTION,
        None,
    ),
    (
        "nasiriyah",
        "al-Hussein Teaching Hospital",
        "مستشفى الحسين التعليمي",
        CenterKind.SPECIAL_INSTITUTION,
        None,
    ),
    (
        "nasiriyah",
        "Maternity and Children Hospital, Nasiriyah",
        "مستشفى الولادة والأطفال في الناصرية",
        CenterKind.SPECIAL_INSTITUTION,
        None,
    ),
    (
        "rifai",
        "al-Rifai General Hospital",
        "مستشفى الرفاعي العام",
        CenterKind.SPECIAL_INSTITUTION,
        None,
    ),
    (
        "shatra",
        "al-Shatra General Hospital",
        "مستشفى الشطرة العام",
        CenterKind.SPECIAL_INSTITUTION,
        None,
    ),
    (
        "suq",
        "Suq al-Shuyukh General Hospital",
        "مستشفى سوق الشيوخ العام",
        CenterKind.SPECIAL_INSTITUTION,
        None,
    ),
)

_VOTERS_PER_SPECIAL_STATION = 450


@dataclass(slots=True)
class _SpecialSite:
    code: str
    place: data.Place
    name_en: str
    name_ar: str
    kind: CenterKind
    serves: str | None
    lat: float
    lon: float
    voters: int = 0


def _special_sites(rng: random.Random) -> list[_SpecialSite]:
    sites = []
    for i, (key, en, ar, kind, serves) in enumerate(_SPECIAL, start=1):
        place = _PLACE[key]
        lat, lon = _jitter(rng, place.lat, place.lon, place.spread_lat, place.spread_lon)
        sites.append(
            _SpecialSite(
                f"SV-{i:02d}",
                place,
                f"Special voting center: {en}",
                f"مركز التصويت الخاص: {ar}",
                kind,
                serves,
                lat,
                lon,
            )
        )
    return sites


# --- units -------------------------------------------------------------------------------


def _need(role: RolePolicy, stations: int, risk: float) -> int:
    return math.ceil((role.base + role.per_station * stations) * (1 + role.risk_factor * risk))


def _applies(role: RolePolicy, center: Center) -> bool:
    # Only the conditions that do not depend on risk; the demo's roles have no min_risk.
    if role.min_stations is not None and center.stations < role.min_stations:
        return False
    return role.min_voters is None or center.voters >= role.min_voters


def _round_up(value: int, step: int) -> int:
    return -(-value // step) * step


@dataclass(slots=True)
class _UnitDraft:
    code: str
    agency: str
    kind: UnitKind
    headcount: int
    sector: str | None
    lat: float
    lon: float
    name_en: str
    name_ar: str
    team_size: int | None = None

    def freeze(self) -> Unit:
        return Unit(
            code=self.code,
            agency=self.agency,
            kind=self.kind,
            headcount=self.headcount,
            sector=self.sector,
            lat=self.lat,
            lon=self.lon,
            name_en=self.name_en,
            name_ar=self.name_ar,
            team_size=self.team_size,
        )


def _places_of(sector: str) -> list[data.Place]:
    return [place for place in data.PLACES if place.sector == sector]


def _base_near(rng: random.Random, place: data.Place) -> tuple[float, float]:
    return _jitter(rng, place.lat, place.lon, place.spread_lat, place.spread_lon)


def _split(total: int, low: int, high: int, rng: random.Random) -> list[int]:
    """Headcounts between `low` and `high` summing to `total` (total >= low)."""
    sizes: list[int] = []
    left = total
    while left > high:
        size = rng.randint(low, high)
        if left - size < low:
            size = left - low
        sizes.append(size)
        left -= size
    sizes.append(left)
    return sizes


def _units(rng: random.Random, centers: Sequence[Center]) -> list[_UnitDraft]:
    sector_codes = [sector.code for sector in data.SECTORS]
    inner = dict.fromkeys(sector_codes, 0)
    outer = dict.fromkeys(sector_codes, 0)
    centers_in = dict.fromkeys(sector_codes, 0)
    traffic = dict.fromkeys(sector_codes, 0)
    rescue = dict.fromkeys(sector_codes, 0)
    for c in centers:
        risk = _SIZING_RISK if c.risk is None else c.risk
        # Teams are whole: a need of 13 takes four teams of four.
        inner[c.sector] += _round_up(_need(ROLES["inner_cordon"], c.stations, risk), _POLICE_TEAM)
        outer[c.sector] += _round_up(_need(ROLES["outer_cordon"], c.stations, risk), _POLICE_TEAM)
        centers_in[c.sector] += 1
        if _applies(ROLES["traffic"], c):
            traffic[c.sector] += _need(ROLES["traffic"], c.stations, 0.0)
        if _applies(ROLES["civil_defense"], c):
            rescue[c.sector] += _need(ROLES["civil_defense"], c.stations, 0.0)

    units: list[_UnitDraft] = []
    nasiriyah = _PLACE["nasiriyah"]

    def add(
        prefix: str,
        agency: str,
        kind: UnitKind,
        sizes: list[int],
        sector: str | None,
        places: list[data.Place],
        name_en: str,
        name_ar: str,
        team_size: int | None,
    ) -> None:
        weights = [place.centers for place in places]
        for n, size in enumerate(sizes, start=1):
            place = rng.choices(places, weights)[0]
            lat, lon = _base_near(rng, place)
            units.append(
                _UnitDraft(
                    f"{prefix}{n:02d}",
                    agency,
                    kind,
                    size,
                    sector,
                    lat,
                    lon,
                    f"{name_en} {n}, {place.name_en}",
                    f"{name_ar} {n} - {place.name_ar}",
                    team_size,
                )
            )

    # Fixed-size forces [E]: per sector, then the governorate reserves.
    for sector in data.SECTORS:
        places = _places_of(sector.code)
        share = centers_in[sector.code] / len(centers)
        # Traffic and civil defense needs do not depend on risk: size them on the need
        # itself with a quarter to spare (the city's big centers need the most).
        n_traffic = max(2, math.ceil(1.25 * traffic[sector.code] / 8))
        add(
            f"{sector.code}-T",
            "TP",
            UnitKind.TRAFFIC,
            [8] * n_traffic,
            sector.code,
            places,
            "Traffic patrol",
            "دورية مرور",
            2,
        )
        n_cd = max(2, math.ceil(1.25 * rescue[sector.code] / 15))
        add(
            f"{sector.code}-CD",
            "CD",
            UnitKind.CIVIL_DEFENSE,
            [15] * n_cd,
            sector.code,
            places,
            "Civil defense team",
            "فريق الدفاع المدني",
            3,
        )
        n_fps = max(3, round(60 * share))
        add(
            f"{sector.code}-F",
            "FPS",
            UnitKind.FACILITIES_PROTECTION,
            [20] * n_fps,
            sector.code,
            places,
            "Facilities protection detachment",
            "مفرزة حماية المنشآت",
            2,
        )
    # Sweep teams are governorate reserves (pooling them works far better than tying them
    # to sectors); based where the centers are so every district is within reach.
    # Spread like the centers: a team starts its sweeps near the centers it will sweep.
    eod_bases = [
        *["nasiriyah"] * 8,
        *["batha", "ur", "sdakhil", "islah"],
        *["rifai", "rifai", "qsukkar", "qsukkar", "nasr"],
        *["shatra", "shatra", "shatra", "gharraf", "dawaya"],
        *["suq", "suq", "karma", "tar"],
        *["chibayish", "fuhud"],
    ]
    k9_bases = [*["nasiriyah"] * 5, "rifai", "rifai", "shatra", "shatra", "suq", "suq", "chibayish"]
    for prefix, agency, kind, bases, size, en, ar in (
        ("EOD-", "EOD", UnitKind.EOD, eod_bases, 6, "EOD team", "فريق مكافحة المتفجرات"),
        ("K9-", "K9", UnitKind.K9, k9_bases, 4, "Police dog team", "فريق الكلاب البوليسية"),
    ):
        for n, key in enumerate(bases, start=1):
            place = _PLACE[key]
            lat, lon = _base_near(rng, place)
            units.append(
                _UnitDraft(
                    f"{prefix}{n:02d}",
                    agency,
                    kind,
                    size,
                    None,
                    lat,
                    lon,
                    f"{en} {n}, {place.name_en}",
                    f"{ar} {n} - {place.name_ar}",
                )
            )
    add(
        "RES-NI",
        "NI",
        UnitKind.INTELLIGENCE,
        [15] * 10,
        None,
        [nasiriyah],
        "Intelligence cell",
        "خلية المعلومات",
        None,
    )
    add(
        "RES-QRF",
        "IP",
        UnitKind.POLICE,
        [100] * _QRF_COMPANIES,
        None,
        [nasiriyah],
        "Emergency police quick-reaction company",
        "سرية الرد السريع - شرطة الطوارئ",
        _POLICE_TEAM,
    )
    add(
        "RES-A",
        "IA",
        UnitKind.ARMY,
        _split(_ARMY_RESERVE, 28, 36, rng),
        None,
        [nasiriyah],
        "Army reserve platoon",
        "فصيل احتياط الجيش",
        _ARMY_TEAM,
    )

    # Cordon forces: army for part of the outer ring, police for the rest, sized to each
    # sector's need and what is left of the 24,600 [S].
    fixed = sum(unit.headcount for unit in units)
    army = {s: round(outer[s] * _ARMY_SHARE_OF_OUTER * _SECTOR_SUPPLY[s]) for s in sector_codes}
    police_pool = FACTS.personnel - fixed - sum(army.values())
    want = {s: (inner[s] + outer[s]) * _SECTOR_SUPPLY[s] - army[s] for s in sector_codes}
    scale = police_pool / sum(want.values())
    police = {s: round(want[s] * scale) for s in sector_codes}
    police[sector_codes[0]] += police_pool - sum(police.values())
    for sector in data.SECTORS:
        places = _places_of(sector.code)
        add(
            f"{sector.code}-A",
            "IA",
            UnitKind.ARMY,
            _split(army[sector.code], 28, 36, rng),
            sector.code,
            places,
            "Army platoon",
            "فصيل الجيش",
            _ARMY_TEAM,
        )
        add(
            f"{sector.code}-P",
            "IP",
            UnitKind.POLICE,
            _split(police[sector.code], 26, 34, rng),
            sector.code,
            places,
            f"{sector.name_en} police platoon",
            f"فصيل شرطة {sector.name_ar}",
            _POLICE_TEAM,
        )
    return units


# --- roster and special register -----------------------------------------------------------


def _person_name(rng: random.Random, female: bool) -> str:
    first = rng.choice(data.FEMALE_NAMES if female else data.GIVEN_NAMES)
    father = rng.choice(data.GIVEN_NAMES)
    grandfather = rng.choice(data.GIVEN_NAMES)
    return f"{first} {father} {grandfather} {rng.choice(data.FAMILY_NAMES)}"


def _retyped(rng: random.Random, name: str) -> str:
    """The same name as a clerk may have typed it into the ministry's list."""
    variants = [(a, b) for a, b in data.SPELLING_VARIANTS if a in name.split() or a in name]
    if not variants:
        return name
    original, variant = rng.choice(variants)
    return name.replace(original, variant, 1)


def _roster(
    rng: random.Random, units: Sequence[Unit], sites: Sequence[_SpecialSite]
) -> tuple[list[Person], list[SpecialVoter]]:
    people: list[Person] = []
    for unit in units:
        female_share = 0.06 if unit.kind is UnitKind.POLICE and unit.sector else 0.0
        for _ in range(unit.headcount):
            female = rng.random() < female_share
            people.append(Person(f"P-{len(people) + 1:06d}", _person_name(rng, female), unit.code))

    # 6,300 police were missing from the register [S]; they cluster by unit (recent
    # transfers and recruits), so each unit draws a factor that makes its people likelier.
    unit_of = {unit.code: unit for unit in units}
    factor = {unit.code: rng.uniform(0.15, 3.0) for unit in units}
    police = [p for p in people if unit_of[p.unit].kind is UnitKind.POLICE]
    keyed = sorted(police, key=lambda p: (rng.random() / factor[p.unit], p.id))
    missing = {p.id for p in keyed[: FACTS.police_missing_from_register]}

    security_sites = [site for site in sites if site.kind is CenterKind.SPECIAL_SECURITY]
    register: list[SpecialVoter] = []
    site_of_unit: dict[str, _SpecialSite] = {}
    for unit in units:
        serves = "army" if unit.kind is UnitKind.ARMY else "police"
        candidates = [s for s in security_sites if s.serves == serves] or security_sites
        if unit.sector is not None and serves == "police":
            candidates = [s for s in candidates if s.place.sector == unit.sector] or candidates
        site_of_unit[unit.code] = min(
            candidates, key=lambda s: (haversine_km(unit.lat, unit.lon, s.lat, s.lon), s.code)
        )
    for person in people:
        if person.id in missing:
            continue
        site = site_of_unit[person.unit]
        site.voters += 1
        name = _retyped(rng, person.name_ar) if rng.random() < 0.03 else person.name_ar
        register.append(SpecialVoter(person.id, name, site.code, unit=person.unit))
    return people, register


def _special_centers(
    rng: random.Random, sites: Sequence[_SpecialSite]
) -> tuple[list[Center], list[Station]]:
    centers: list[Center] = []
    stations: list[Station] = []
    for site in sites:
        if site.kind is CenterKind.SPECIAL_INSTITUTION:
            site.voters = rng.randint(150, 600)  # patients, staff on duty, detainees
        n_stations = max(1, math.ceil(site.voters / _VOTERS_PER_SPECIAL_STATION))
        per = [site.voters // n_stations] * n_stations
        for i in range(site.voters % n_stations):
            per[i] += 1
        stations += [
            Station(f"{site.code}-{n:02d}", site.code, n, v) for n, v in enumerate(per, start=1)
        ]
        centers.append(
            Center(
                code=site.code,
                name_en=site.name_en,
                name_ar=site.name_ar,
                sector=site.place.sector,
                lat=site.lat,
                lon=site.lon,
                stations=n_stations,
                voters=site.voters,
                district=site.place.district,
                subdistrict=site.place.subdistrict,
                kind=site.kind,
            )
        )
    return centers, stations


# --- risk inputs ------------------------------------------------------------------------------

# kind, severity range, English description, share of incidents [synthetic]
_INCIDENT_KINDS = (
    ("ied_found", (0.4, 0.7), "Explosive device found and defused", 5),
    ("ied", (0.6, 1.0), "Explosive device detonated", 2),
    ("shooting", (0.5, 0.9), "Shots fired", 4),
    ("threat", (0.2, 0.5), "Threat against voters or staff reported", 8),
    ("campaign_violation", (0.1, 0.3), "Campaigning inside the protected perimeter", 8),
    ("protest", (0.1, 0.4), "Crowd protest", 6),
    ("clash", (0.3, 0.6), "Tribal clash with light weapons", 3),
)


def _incidents(rng: random.Random, centers: Sequence[Center]) -> list[PastIncident]:
    general = [c for c in centers if c.kind is CenterKind.GENERAL]
    kinds = [k for k in _INCIDENT_KINDS for _ in range(k[3])]
    incidents: list[PastIncident] = []
    for n in range(1, 41):
        kind, (low, high), text, _ = rng.choice(kinds)
        # Most fall in the campaign and polling of the 31 Jan 2009 provincial election.
        if rng.random() < 0.7:
            day = datetime(2009, 1, 10, tzinfo=BAGHDAD) + timedelta(days=rng.randint(0, 25))
        else:
            day = datetime(2009, 2, 1, tzinfo=BAGHDAD) + timedelta(days=rng.randint(0, 330))
        when = day + timedelta(hours=rng.randint(6, 21), minutes=rng.choice((0, 15, 30, 45)))
        near: Center | None = rng.choice(general) if rng.random() < 0.6 else None
        if near is None:
            place = rng.choices(data.PLACES, [p.centers for p in data.PLACES])[0]
            lat, lon = _base_near(rng, place)
            description = f"{text} (synthetic)"
        else:
            lat, lon = _jitter(rng, near.lat, near.lon, 0.003, 0.003)
            description = f"{text} near the polling center (synthetic)"
        incidents.append(
            PastIncident(
                code=f"H-2009-{n:03d}",
                when=when,
                lat=lat,
                lon=lon,
                kind=kind,
                severity=round(rng.uniform(low, high), 2),
                center=None if near is None else near.code,
                description=description,
            )
        )
    incidents.sort(key=lambda i: (i.when, i.code))
    return incidents


_INTEL_SUMMARIES = (
    "Reported intent to plant an explosive device near the center (synthetic) / "
    "معلومات عن نية زرع عبوة ناسفة قرب المركز (افتراضي)",
    "Armed group seen watching the building (synthetic) / رصد مجموعة مسلحة تراقب البناية (افتراضي)",
    "Tribal dispute may spill over on polling day (synthetic) / "
    "نزاع عشائري قد يمتد إلى يوم الاقتراع (افتراضي)",
    "Plan to intimidate voters at the entrance (synthetic) / "
    "مخطط لتخويف الناخبين عند المدخل (افتراضي)",
)


def _intel(rng: random.Random, centers: Sequence[Center]) -> list[IntelReport]:
    general = [c for c in centers if c.kind is CenterKind.GENERAL]
    picked = rng.sample(general, 8)
    reports = [
        IntelReport(
            code=f"INT-2010-{n:02d}",
            when=datetime(2010, 2, 8, 9, 0, tzinfo=BAGHDAD)
            + timedelta(days=rng.randint(0, 22), hours=rng.randint(0, 10)),
            center=center.code,
            severity=round(rng.uniform(0.3, 0.9), 2),
            credibility=round(rng.uniform(0.3, 0.9), 2),
            summary=rng.choice(_INTEL_SUMMARIES),
        )
        for n, center in enumerate(picked, start=1)
    ]
    return reports


# --- the package -------------------------------------------------------------------------------


def build(seed: int = DEFAULT_SEED) -> ElectionPackage:
    """The Dhi Qar 2010 demo package; the same `seed` always gives the same package."""
    rng = random.Random(seed)
    general, general_stations, places = _general_centers(rng)
    general = _with_overrides(rng, general, places)
    sites = _special_sites(rng)
    units = [draft.freeze() for draft in _units(rng, general)]
    personnel, register = _roster(rng, units, sites)
    special, special_stations = _special_centers(rng, sites)
    centers = general + special
    return ElectionPackage(
        version=PACKAGE_FORMAT_VERSION,
        election=ELECTION,
        policy=Policy(
            roles=dict(ROLES),
            sweep=SWEEP,
            risk=RiskPolicy(),
            risk_weight=1.0,
            task_templates=TASK_TEMPLATES,
        ),
        agencies=data.AGENCIES,
        sectors=data.SECTORS,
        centers=tuple(centers),
        units=tuple(units),
        districts=data.DISTRICTS,
        stations=tuple(general_stations + special_stations),
        personnel=tuple(personnel),
        special_register=tuple(register),
        incidents_history=tuple(_incidents(rng, centers)),
        intel=tuple(_intel(rng, centers)),
        areas=voronoi_areas(centers),
    )
