"""The Dhi Qar 2010 demo package: deterministic, valid, and true to the facts it claims.

The figures come from /work/shared/domain-facts.md via scenarios/README.md: what is
stated by a source is checked exactly or within the stated rounding, what is estimated
within the range the README gives.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path

from pollguard.core.geo import haversine_km
from pollguard.core.model import Center, CenterKind, ElectionPackage, UnitKind
from pollguard.core.package import read_package, validate_package, write_package
from pollguard.core.synthetic import dhi_qar
from pollguard.core.synthetic.dhi_qar_data import PLACES, Place

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "scenarios" / "dhi-qar-2010"


@cache
def demo() -> ElectionPackage:
    return dhi_qar.build()


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _general(pkg: ElectionPackage) -> list[Center]:
    return [c for c in pkg.centers if c.kind is CenterKind.GENERAL]


# --- determinism -------------------------------------------------------------------------


def test_two_builds_with_the_same_seed_are_equal() -> None:
    assert dhi_qar.build(2010) == dhi_qar.build(2010)


def test_another_seed_gives_another_package() -> None:
    assert dhi_qar.build(2011).centers != demo().centers


def test_the_written_files_are_identical_across_processes(tmp_path: Path) -> None:
    # Separate interpreters with different hash seeds: set or dict-of-str iteration
    # would show up here.
    for n, hash_seed in enumerate(("1", "4242")):
        subprocess.run(
            [
                sys.executable,
                str(REPO / "scenarios" / "generate_dhi_qar.py"),
                "--out",
                str(tmp_path / str(n)),
            ],
            check=True,
            capture_output=True,
            env={"PYTHONHASHSEED": hash_seed, "PATH": ""},
        )
    assert _files(tmp_path / "0") == _files(tmp_path / "1")


def test_the_committed_package_is_what_the_generator_writes(tmp_path: Path) -> None:
    write_package(demo(), tmp_path, comment=dhi_qar.COMMENT)
    assert _files(tmp_path) == _files(COMMITTED), (
        "scenarios/dhi-qar-2010 is stale: run python scenarios/generate_dhi_qar.py"
    )


def test_the_committed_package_is_valid_and_reads_back_as_the_build() -> None:
    assert [p.render() for p in validate_package(COMMITTED)] == []
    assert read_package(COMMITTED) == demo()


# --- the facts ---------------------------------------------------------------------------


def test_the_election_has_the_dates_seats_and_time_zone_of_2010() -> None:
    election = demo().election
    assert str(election.special_vote_date) == "2010-03-04"
    assert str(election.general_vote_date) == "2010-03-07"
    assert (str(election.polls_open), str(election.polls_close)) == ("07:00:00", "17:00:00")
    assert election.timezone == "Asia/Baghdad"
    assert election.seats == 18


def test_the_ballot_has_21_entities_plus_7_of_the_christian_component() -> None:
    ballot = demo().election.ballot
    components = Counter(entity.component for entity in ballot.entities)
    assert components == {None: 21, "christian": 7}
    assert [(c.code, c.seats) for c in ballot.components] == [("christian", 5)]
    assert len({entity.number for entity in ballot.entities}) == 28


def test_the_sectors_are_the_six_police_departments_of_the_seed() -> None:
    assert [s.name_ar for s in demo().sectors] == [
        "الرفاعي",
        "الشطرة",
        "البلدة",
        "القضاء",
        "سوق الشيوخ",
        "الجبايش",
    ]


def test_the_districts_are_the_five_of_2010_with_their_sub_districts() -> None:
    districts = demo().districts
    top = [d for d in districts if d.parent is None]
    assert len(top) == 5
    codes = {d.code for d in top}
    assert all(d.parent in codes for d in districts if d.parent is not None)
    assert sum(1 for d in districts if d.parent == "D-NAS") == 4


def test_nasiriyah_district_is_split_between_al_balda_and_al_qada() -> None:
    sectors = {c.sector for c in _general(demo()) if c.district == "D-NAS"}
    assert sectors == {"BAL", "QAD"}
    city = [c for c in _general(demo()) if c.sector == "BAL"]
    assert all(c.subdistrict is None for c in city)  # the city is the district seat
    assert len(city) == max(Counter(c.sector for c in _general(demo())).values())


def test_it_has_about_500_general_centers_and_20_special_ones() -> None:
    kinds = Counter(c.kind for c in demo().centers)
    assert 480 <= kinds[CenterKind.GENERAL] <= 520
    assert kinds[CenterKind.SPECIAL_SECURITY] == 13
    assert kinds[CenterKind.SPECIAL_INSTITUTION] == 7


def test_stations_and_voters_match_the_estimates() -> None:
    pkg = demo()
    assert 2_500 <= sum(c.stations for c in pkg.centers) <= 2_700
    assert 2_500 <= sum(c.stations for c in _general(pkg)) <= 2_700
    for voters in (sum(c.voters for c in pkg.centers), sum(c.voters for c in _general(pkg))):
        assert abs(voters - 969_000) <= 0.02 * 969_000


def test_the_stations_file_adds_up_to_the_centers() -> None:
    pkg = demo()
    per_center: dict[str, list[int]] = {}
    for station in pkg.stations:
        per_center.setdefault(station.center, []).append(station.voters)
    for center in pkg.centers:
        assert len(per_center[center.code]) == center.stations
        assert sum(per_center[center.code]) == center.voters
        assert all(0 < v <= 600 for v in per_center[center.code])


def test_every_center_has_an_english_and_an_arabic_name() -> None:
    for center in demo().centers:
        assert center.name_en
        assert center.name_en.isascii()
        assert any("\u0600" <= ch <= "\u06ff" for ch in center.name_ar)
    names = [(c.sector, c.name_en) for c in demo().centers]
    assert len(names) == len(set(names))


def test_centers_stay_near_their_towns() -> None:
    towns: dict[tuple[str, str | None, str | None], Place] = {
        (p.sector, p.district, p.subdistrict): p for p in PLACES
    }
    for center in _general(demo()):
        town = towns[(center.sector, center.district, center.subdistrict)]
        assert haversine_km(center.lat, center.lon, town.lat, town.lon) <= 5.0, center.code


def test_a_handful_of_centers_carry_a_risk_override() -> None:
    overridden = [c for c in demo().centers if c.risk is not None]
    assert 3 <= len(overridden) <= 10
    assert all(0 <= c.risk <= 1 for c in overridden if c.risk is not None)


def test_the_units_add_up_to_the_24600_personnel_and_the_roster_lists_them() -> None:
    pkg = demo()
    headcount = sum(u.headcount for u in pkg.units)
    assert abs(headcount - 24_600) <= 0.02 * 24_600
    assert len(pkg.personnel) == headcount
    per_unit = Counter(p.unit for p in pkg.personnel)
    assert all(per_unit[u.code] == u.headcount for u in pkg.units)
    assert len({p.id for p in pkg.personnel}) == len(pkg.personnel)


def test_about_6300_police_are_missing_from_the_special_register() -> None:
    pkg = demo()
    kind_of = {u.code: u.kind for u in pkg.units}
    registered = {v.id for v in pkg.special_register}
    missing = [p for p in pkg.personnel if p.id not in registered]
    assert abs(len(missing) - 6_300) <= 0.02 * 6_300
    assert all(kind_of[p.unit] is UnitKind.POLICE for p in missing)
    assert registered <= {p.id for p in pkg.personnel}


def test_security_voters_are_registered_at_special_security_centers() -> None:
    pkg = demo()
    kind = {c.code: c.kind for c in pkg.centers}
    voters = {c.code: c.voters for c in pkg.centers}
    at = Counter(v.special_center for v in pkg.special_register)
    assert {kind[code] for code in at} == {CenterKind.SPECIAL_SECURITY}
    assert all(voters[code] == n for code, n in at.items())


def test_sweep_teams_are_governorate_reserves_and_about_forty() -> None:
    sweep = [u for u in demo().units if u.kind in (UnitKind.EOD, UnitKind.K9)]
    assert all(u.is_reserve for u in sweep)
    teams = sum(u.team_count for u in sweep)
    assert 35 <= teams <= 45
    assert {u.kind for u in sweep} == {UnitKind.EOD, UnitKind.K9}


def test_police_cordon_units_work_in_the_six_sectors_with_set_teams() -> None:
    police = [u for u in demo().units if u.kind is UnitKind.POLICE and not u.is_reserve]
    assert {u.sector for u in police} == {s.code for s in demo().sectors}
    assert all(u.team_size for u in police)
    assert any(u.is_reserve for u in demo().units if u.kind is UnitKind.ARMY)


def test_the_agencies_of_the_seed_are_there() -> None:
    names = {a.name_ar for a in demo().agencies}
    for seed_name in (
        "الدفاع المدني",
        "المرور",
        "حماية المنشآت الحيوية",
        "المعلومات الوطنية",
        "مكتب المفتش العام",
        "الشؤون الداخلية والأمن",
        "الجيش العراقي",
        "شعبة الكلاب البوليسية",
    ):
        assert seed_name in names
    used = {u.agency for u in demo().units}
    assert used <= {a.code for a in demo().agencies}


def test_history_and_intelligence_are_there_and_in_range() -> None:
    pkg = demo()
    assert 30 <= len(pkg.incidents_history) <= 50
    assert all(0 <= i.severity <= 1 and i.when.year == 2009 for i in pkg.incidents_history)
    assert any(i.center is not None for i in pkg.incidents_history)
    assert 5 <= len(pkg.intel) <= 12
    assert all(0 <= r.severity <= 1 and 0 <= r.credibility <= 1 for r in pkg.intel)


def test_the_sweep_window_is_the_day_before_polling() -> None:
    sweep = demo().policy.sweep
    assert sweep.window_start.isoformat() == "2010-03-06T06:00:00+03:00"
    assert sweep.window_end.isoformat() == "2010-03-06T18:00:00+03:00"
