"""Reading a valid election package into the typed core objects."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import openpyxl
import pytest
from packages import (
    CENTERS,
    ELECTION_YAML,
    append_line,
    read_rows,
    replace_in,
    set_cell,
    write_base_package,
)

from pollguard.core.arabic import to_western_digits
from pollguard.core.model import (
    PACKAGE_FORMAT_VERSION,
    CenterKind,
    RiskPolicy,
    SweepPolicy,
    UnitKind,
)
from pollguard.core.package import read_package, validate_package
from pollguard.core.package.messages import PACKAGE_MESSAGES
from pollguard.core.problems import InvalidInput

BAGHDAD = zoneinfo.ZoneInfo("Asia/Baghdad")


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write_base_package(tmp_path / "pkg")


def test_the_base_package_is_valid(base: Path) -> None:
    assert validate_package(base) == []


def test_it_reads_the_election_and_ballot(base: Path) -> None:
    election = read_package(base).election
    assert election.code == "iq-cor-2010-dhi-qar"
    assert election.name_ar == "انتخابات مجلس النواب 2010 - ذي قار"
    assert (election.governorate_code, election.governorate_ar) == ("DQ", "ذي قار")
    assert election.timezone == "Asia/Baghdad"
    assert election.special_vote_date == dt.date(2010, 3, 4)
    assert election.general_vote_date == dt.date(2010, 3, 7)
    # polls_close is unquoted in the YAML: YAML 1.1 would make it the integer 1020.
    assert (election.polls_open, election.polls_close) == (dt.time(7), dt.time(17))
    assert election.seats == 18
    assert [e.number for e in election.ballot.entities] == [1, 22]
    assert election.ballot.entities[0].component is None
    assert election.ballot.entities[1].component == "christian"
    assert election.ballot.components[0].seats == 5


def test_it_reads_agencies_and_policy(base: Path) -> None:
    package = read_package(base)
    assert package.version == PACKAGE_FORMAT_VERSION
    assert [a.code for a in package.agencies] == ["IP", "IA"]
    roles = package.policy.roles
    assert list(roles) == ["inner_cordon", "outer_cordon", "traffic", "civil_defense"]
    assert roles["outer_cordon"].kinds == {UnitKind.ARMY, UnitKind.POLICE}
    assert roles["inner_cordon"].per_station == 2
    assert roles["inner_cordon"].risk_factor == 0.5
    assert roles["traffic"].min_voters == 3000
    assert roles["civil_defense"].min_stations == 8
    assert roles["traffic"].per_station == 0.0  # default
    sweep = package.policy.sweep
    assert sweep.window_start == dt.datetime(2010, 3, 6, 6, tzinfo=BAGHDAD)
    assert sweep.window_end - sweep.window_start == dt.timedelta(hours=12)
    assert sweep.speed_kmh == {UnitKind.EOD: 40.0, UnitKind.K9: 35.0}
    assert package.policy.risk == RiskPolicy()


def test_it_reads_arabic_indic_digits_and_the_arabic_decimal_separator(base: Path) -> None:
    centers = {c.code: c for c in read_package(base).centers}
    ur = centers["C-002"]
    assert (ur.lat, ur.lon) == (31.028, 46.105)
    assert (ur.stations, ur.voters, ur.risk) == (2, 900, 0.2)
    stations = {s.code: s for s in read_package(base).stations}
    assert (stations["C-002-1"].number, stations["C-002-1"].voters) == (1, 450)


def test_it_reads_centers_with_their_optional_columns(base: Path) -> None:
    centers = {c.code: c for c in read_package(base).centers}
    assert list(centers) == ["C-001", "C-002", "C-003", "S-001"]
    first = centers["C-001"]
    assert first.name_ar == "إعدادية الناصرية"
    assert first.risk is None  # empty cell: the risk model decides
    assert (first.district, first.subdistrict) == ("D-NAS", None)
    assert centers["C-002"].kind is CenterKind.GENERAL  # empty kind cell
    assert centers["C-003"].subdistrict == "N-QS"
    assert centers["S-001"].kind is CenterKind.SPECIAL_SECURITY


def test_it_reads_units_including_reserves_and_optional_columns(base: Path) -> None:
    units = {u.code: u for u in read_package(base).units}
    assert units["U-001"].kind is UnitKind.POLICE
    assert (units["U-001"].headcount, units["U-001"].team_size) == (40, 8)
    assert units["U-002"].team_size is None
    assert units["U-002"].max_distance_km == 30.0
    assert units["U-003"].sector is None
    assert units["U-003"].is_reserve
    assert units["U-004"].speed_kmh == 45.0
    assert units["U-006"].name_ar == "شرطة المرور"


def test_it_reads_districts_personnel_register_incidents_and_intel(base: Path) -> None:
    package = read_package(base)
    assert [(d.code, d.parent) for d in package.districts] == [
        ("D-NAS", None),
        ("D-RIF", None),
        ("N-UR", "D-NAS"),
        ("N-QS", "D-RIF"),
    ]
    assert [p.unit for p in package.personnel] == ["U-001", "U-001", "U-004"]
    assert package.personnel[1].name_ar == "مُحَمَّد علي"  # stored as written
    assert [(v.id, v.unit) for v in package.special_register] == [("V-1", "U-001"), ("V-2", None)]
    first, second = package.incidents_history
    # A date alone is midnight, and a time without offset is local to the election.
    assert first.when == dt.datetime(2009, 1, 31, tzinfo=BAGHDAD)
    assert second.when == dt.datetime(2009, 1, 31, 9, 30, tzinfo=BAGHDAD)
    assert second.center is None
    assert package.intel[0].center == "C-003"
    assert package.intel[0].credibility == 0.8


def test_optional_files_may_be_absent(base: Path) -> None:
    for name in (
        "districts.csv",
        "stations.csv",
        "personnel.csv",
        "special_register.csv",
        "incidents_history.csv",
        "intel.csv",
    ):
        (base / name).unlink()
    replace_in(base, "centers.csv", "D-NAS,,general", ",,general")
    replace_in(base, "centers.csv", "D-NAS,N-UR,", ",,")
    replace_in(base, "centers.csv", "D-RIF,N-QS,general", ",,general")
    replace_in(base, "centers.csv", "D-NAS,,special_security", ",,special_security")
    package = read_package(base)
    assert package.stations == ()
    assert package.districts == ()
    assert len(package.centers) == 4


def test_policy_keys_take_the_model_defaults_when_omitted(base: Path) -> None:
    text = ELECTION_YAML.split("  risk_weight:")[0]
    text += (
        "  roles:\n"
        "    inner_cordon: {kinds: police, base: 4}\n"
        "  sweep:\n"
        "    window_start: 2010-03-06T06:00:00\n"
        "    window_end: 2010-03-06T18:00:00\n"
    )
    (base / "election.yaml").write_text(text, encoding="utf-8")
    policy = read_package(base).policy
    defaults = SweepPolicy(policy.sweep.window_start, policy.sweep.window_end)
    assert policy.sweep == defaults
    assert policy.risk == RiskPolicy()
    assert policy.risk_weight == 1.0
    role = policy.roles["inner_cordon"]
    assert role.kinds == {UnitKind.POLICE}
    assert (role.per_station, role.risk_factor, role.weight) == (0.0, 0.0, 1.0)
    # A window without offset is in the election's time zone, not UTC.
    assert policy.sweep.window_start == dt.datetime(2010, 3, 6, 6, tzinfo=BAGHDAD)


def test_it_accepts_a_bom_crlf_line_ends_blank_lines_and_odd_header_case(base: Path) -> None:
    text = CENTERS.replace("code,name_en", "Code , NAME_EN", 1).replace("\n", "\r\n")
    lines = text.split("\r\n")
    lines.insert(2, "")
    (base / "centers.csv").write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8"))
    assert [c.code for c in read_package(base).centers] == ["C-001", "C-002", "C-003", "S-001"]


def test_file_names_are_matched_without_regard_to_case(base: Path) -> None:
    (base / "centers.csv").rename(base / "Centers.CSV")
    (base / "election.yaml").rename(base / "Election.YAML")
    assert len(read_package(base).centers) == 4


def test_it_ignores_extra_columns(base: Path) -> None:
    rows = read_rows(base, "sectors.csv")
    text = "\n".join(",".join([*row, "note" if i == 0 else "x"]) for i, row in enumerate(rows))
    (base / "sectors.csv").write_text(text + "\n", encoding="utf-8")
    assert len(read_package(base).sectors) == 3


def test_it_strips_whitespace_around_cells(base: Path) -> None:
    append_line(base, "sectors.csv", "  SUQ , Suq al-Shuyukh police ,  شرطة سوق الشيوخ  ")
    sector = read_package(base).sectors[-1]
    assert (sector.code, sector.name_en, sector.name_ar) == (
        "SUQ",
        "Suq al-Shuyukh police",
        "شرطة سوق الشيوخ",
    )


def test_it_drops_bidi_marks_that_arabic_spreadsheets_leave_around_values(base: Path) -> None:
    set_cell(base, "units.csv", 2, "sector", "\u200fNAS\u200f")
    set_cell(base, "units.csv", 2, "headcount", "\u200f٤٠")
    unit = read_package(base).units[0]
    assert (unit.sector, unit.headcount) == ("NAS", 40)


def test_a_quoted_cell_spanning_lines_keeps_later_line_numbers_true(base: Path) -> None:
    replace_in(
        base,
        "incidents_history.csv",
        "عبوة ناسفة قرب المركز",
        '"عبوة ناسفة\nقرب المركز"',
    )
    append_line(base, "incidents_history.csv", "H-3,2009-02-01,31.0,46.0,ied,2,,")
    (problem,) = validate_package(base)
    # header 1, H-1 on lines 2-3, H-2 on 4, H-3 on 5
    assert (problem.file, problem.line, problem.kind) == (
        "incidents_history.csv",
        5,
        "out_of_range",
    )
    replace_in(base, "incidents_history.csv", "ied,2,,", "ied,0.2,,")
    assert read_package(base).incidents_history[0].description == "عبوة ناسفة\nقرب المركز"


def test_it_reads_windows_1256_files_when_election_yaml_declares_it(base: Path) -> None:
    # Code page 1256 has no Arabic-Indic digits: Excel on Windows writes Western ones.
    (base / "centers.csv").write_bytes(to_western_digits(CENTERS).encode("cp1256"))
    (base / "election.yaml").write_text(
        ELECTION_YAML.replace("version: 1\n", "version: 1\nencoding: windows-1256\n"),
        encoding="utf-8",
    )
    # Other files stay UTF-8: a package may mix Excel exports with files from other tools.
    for name in ("sectors.csv", "units.csv"):
        text = (base / name).read_text(encoding="utf-8")
        (base / name).write_bytes(text.encode("cp1256"))
    centers = read_package(base).centers
    assert centers[0].name_ar == "إعدادية الناصرية"
    assert centers[1].name_ar == "مدرسة أور الابتدائية"
    assert centers[1].voters == 900


def test_utf8_files_with_or_without_bom_stay_utf8_when_windows_1256_is_declared(
    base: Path,
) -> None:
    (base / "election.yaml").write_text(
        ELECTION_YAML.replace("version: 1\n", "version: 1\nencoding: windows-1256\n"),
        encoding="utf-8",
    )
    for path in base.glob("*.csv"):
        data = path.read_bytes()
        text = data.decode("utf-8")
        is_ascii = all(ord(ch) < 128 for ch in text)
        path.write_bytes(data if is_ascii else b"\xef\xbb\xbf" + data)
    assert read_package(base).sectors[0].name_ar == "شرطة قضاء الناصرية"


def _write_xlsx(path: Path, rows: list[list[object]]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def test_it_reads_an_xlsx_file_in_place_of_a_csv(base: Path) -> None:
    rows: list[list[object]] = [list(r) for r in read_rows(base, "centers.csv")]
    # Spreadsheets hold real numbers: whole numbers often come back as floats.
    rows[1][4:8] = [31.044, 46.258, 3.0, 1500]
    (base / "centers.csv").unlink()
    _write_xlsx(base / "centers.xlsx", rows)
    centers = read_package(base).centers
    assert [c.code for c in centers] == ["C-001", "C-002", "C-003", "S-001"]
    assert (centers[0].stations, centers[0].voters, centers[0].lat) == (3, 1500, 31.044)
    assert centers[1].voters == 900  # Arabic-Indic digits typed as text in a cell


def test_invalid_input_carries_every_problem(base: Path) -> None:
    replace_in(base, "sectors.csv", "RIF,al-Rifai", "NAS,al-Rifai")
    replace_in(base, "units.csv", "U-006,IP,traffic,10", "U-006,XX,traffic,-10")
    with pytest.raises(InvalidInput) as caught:
        read_package(base)
    found = [(p.file, p.line, p.kind, p.column) for p in caught.value.problems]
    assert found == [
        ("centers.csv", 4, "unknown_reference", "sector"),  # C-003 was in RIF
        ("sectors.csv", 3, "duplicate_code", "code"),
        ("units.csv", 3, "unknown_reference", "sector"),  # U-002 was in RIF
        ("units.csv", 7, "unknown_reference", "agency"),
        ("units.csv", 7, "not_positive", "headcount"),
    ]
    assert caught.value.problems == validate_package(base)


def test_the_format_doc_documents_every_message_kind() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "election-package.md").read_text(encoding="utf-8")
    undocumented = [kind for kind in PACKAGE_MESSAGES if f"`{kind}`" not in doc]
    assert undocumented == []
    assert f"version: {PACKAGE_FORMAT_VERSION}" in doc
