"""The corpus of broken packages: each defect is reported at its exact file, line and kind.

Most cases are the valid base package (tests/core/packages.py) plus one documented
mutation, built in tmp_path. The folders under tests/core/broken/ are whole literal
packages for defects that are bytes rather than edits (a Windows-1256 file), or that need
many problems at once; each holds an `expected.txt` listing `file:line:kind:column`.
A case lists *every* problem the package has, so a reader that reports too much fails
as surely as one that reports too little.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packages import (
    ELECTION_YAML,
    FILES,
    append_line,
    drop_column,
    read_rows,
    replace_in,
    set_cell,
    write_base_package,
)

from pollguard.core.package import validate_package
from pollguard.core.package.reader import read_package_or_problems
from pollguard.core.problems import MESSAGES, Problem

BROKEN = Path(__file__).parent / "broken"

Found = tuple[str, int | None, str, str | None]  # file, line, kind, column


def found(problems: list[Problem]) -> list[Found]:
    assert_messages_render(problems)
    return [(p.file, p.line, p.kind, p.column) for p in problems]


def assert_messages_render(problems: list[Problem]) -> None:
    """Every problem has a catalog entry whose templates get all their placeholders."""
    for problem in problems:
        values = {"column": problem.column or "", **problem.params}
        english, arabic = MESSAGES[problem.kind]
        english.format(**values)
        arabic.format(**values)


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Callable[[Path], object]
    expected: list[Found]


def unlink(*names: str) -> Callable[[Path], object]:
    def mutate(folder: Path) -> None:
        for name in names:
            (folder / name).unlink()

    return mutate


def cell(name: str, line: int, column: str, value: str) -> Callable[[Path], object]:
    return lambda folder: set_cell(folder, name, line, column, value)


def replace(name: str, old: str, new: str) -> Callable[[Path], object]:
    return lambda folder: replace_in(folder, name, old, new)


def both(*mutations: Callable[[Path], object]) -> Callable[[Path], object]:
    def mutate(folder: Path) -> None:
        for mutation in mutations:
            mutation(folder)

    return mutate


def write(name: str, text: str) -> Callable[[Path], object]:
    return lambda folder: (folder / name).write_text(text, encoding="utf-8")


def write_bytes(name: str, data: bytes) -> Callable[[Path], object]:
    return lambda folder: (folder / name).write_bytes(data)


Y = "election.yaml"
CASES = [
    # --- files -------------------------------------------------------------------------
    Case("missing sectors", unlink("sectors.csv"), [("sectors.csv", None, "missing_file", None)]),
    # References to a missing file are not checked: one problem, not one per row.
    Case("missing centers", unlink("centers.csv"), [("centers.csv", None, "missing_file", None)]),
    Case("missing election.yaml", unlink(Y), [(Y, None, "missing_yaml", None)]),
    Case("empty units file", write("units.csv", ""), [("units.csv", None, "empty_file", None)]),
    Case(
        "units with a header and no rows",
        both(
            write("units.csv", "code,agency,kind,headcount,sector,lat,lon\n"),
            unlink("personnel.csv", "special_register.csv"),
        ),
        [("units.csv", None, "no_rows", None)],
    ),
    Case(
        "a sheet and a CSV for the same file",
        lambda folder: shutil.copy(folder / "sectors.csv", folder / "sectors.xlsx"),
        [("sectors.csv", None, "both_formats", None)],
    ),
    Case(
        "an old .xls workbook",
        both(
            unlink("units.csv", "personnel.csv", "special_register.csv"),
            write_bytes("units.xls", b"\xd0\xcf\x11\xe0 OLE2"),
        ),
        [("units.xls", None, "old_excel_format", None)],
    ),
    Case(
        "an xlsx file that is not a workbook",
        both(unlink("sectors.csv"), write_bytes("sectors.xlsx", b"PK\x03\x04 not really")),
        [("sectors.xlsx", None, "bad_xlsx", None)],
    ),
    # --- columns and cells -------------------------------------------------------------
    Case(
        "semicolon-separated sectors",
        write("sectors.csv", "code;name_en;name_ar\nNAS;Nasiriyah;الناصرية\n"),
        [("sectors.csv", 1, "wrong_delimiter", None)],
    ),
    Case(
        "a name with an unquoted comma shifts the row",
        replace("centers.csv", "Nasiriyah Secondary School", "Nasiriyah, Secondary School"),
        [
            ("centers.csv", 2, "extra_cells", None),
            ("centers.csv", 2, "unknown_reference", "sector"),
            ("centers.csv", 2, "not_a_number", "lat"),
            ("centers.csv", 2, "not_an_integer", "stations"),
            ("centers.csv", 2, "out_of_range", "risk"),
            ("centers.csv", 2, "not_a_subdistrict", "subdistrict"),
        ],
    ),
    Case(
        "a cell larger than the CSV field limit",
        cell("intel.csv", 2, "summary", "x" * 200_000),
        [("intel.csv", 2, "bad_csv", None)],
    ),
    Case(
        "centers without lat",
        lambda f: drop_column(f, "centers.csv", "lat"),
        [("centers.csv", 1, "missing_column", "lat")],
    ),
    Case(
        "a column twice",
        replace("sectors.csv", "name_ar\n", "name_ar,code\n"),
        [("sectors.csv", 1, "duplicate_column", "code")],
    ),
    Case(
        "empty center code",
        cell("centers.csv", 4, "code", ""),
        [
            ("centers.csv", 4, "missing_value", "code"),
            ("intel.csv", 2, "unknown_reference", "center"),  # C-003 is gone
            ("stations.csv", 7, "unknown_reference", "center"),
        ],
    ),
    Case(
        "a center without any name",
        both(cell("centers.csv", 4, "name_en", ""), cell("centers.csv", 4, "name_ar", "")),
        [("centers.csv", 4, "missing_name", None)],
    ),
    Case(
        "empty unit agency",
        cell("units.csv", 2, "agency", ""),
        [("units.csv", 2, "missing_value", "agency")],
    ),
    Case(
        "empty headcount",
        cell("units.csv", 2, "headcount", ""),
        [("units.csv", 2, "missing_value", "headcount")],
    ),
    Case(
        "duplicate center code",
        lambda f: append_line(f, "centers.csv", "C-001,Again,مرة أخرى,NAS,31,46,1,10,,,,"),
        [("centers.csv", 6, "duplicate_code", "code")],
    ),
    Case(
        "duplicate personnel id",
        cell("personnel.csv", 4, "id", "P-1"),
        [("personnel.csv", 4, "duplicate_code", "id")],
    ),
    # --- references --------------------------------------------------------------------
    Case(
        "center in an unknown sector",
        cell("centers.csv", 3, "sector", "XYZ"),
        [("centers.csv", 3, "unknown_reference", "sector")],
    ),
    Case(
        "center in an unknown district",
        cell("centers.csv", 2, "district", "D-XX"),
        [("centers.csv", 2, "unknown_reference", "district")],
    ),
    Case(
        "center with a sub-district as district",
        cell("centers.csv", 2, "district", "N-UR"),
        [("centers.csv", 2, "not_a_district", "district")],
    ),
    Case(
        "sub-district of another district",
        cell("centers.csv", 3, "subdistrict", "N-QS"),
        [("centers.csv", 3, "subdistrict_mismatch", "subdistrict")],
    ),
    Case(
        "district given as sub-district",
        cell("centers.csv", 3, "subdistrict", "D-RIF"),
        [("centers.csv", 3, "not_a_subdistrict", "subdistrict")],
    ),
    Case(
        "sub-district of a sub-district",
        cell("districts.csv", 5, "parent", "N-UR"),
        [
            ("centers.csv", 4, "subdistrict_mismatch", "subdistrict"),
            ("districts.csv", 5, "not_a_district", "parent"),
        ],
    ),
    Case(
        "unknown district parent",
        cell("districts.csv", 4, "parent", "D-ZZ"),
        [
            ("centers.csv", 3, "subdistrict_mismatch", "subdistrict"),
            ("districts.csv", 4, "unknown_reference", "parent"),
        ],
    ),
    Case(
        "unit of an unknown agency",
        cell("units.csv", 4, "agency", "MNF"),
        [("units.csv", 4, "unknown_reference", "agency")],
    ),
    Case(
        "unit in an unknown sector",
        cell("units.csv", 3, "sector", "SUQ"),
        [("units.csv", 3, "unknown_reference", "sector")],
    ),
    Case(
        "station of an unknown center",
        cell("stations.csv", 6, "center", "C-999"),
        [
            ("centers.csv", 3, "station_count_mismatch", "stations"),  # C-002 lost one
            ("stations.csv", 6, "unknown_reference", "center"),
        ],
    ),
    Case(
        "person of an unknown unit",
        cell("personnel.csv", 3, "unit", "U-404"),
        [("personnel.csv", 3, "unknown_reference", "unit")],
    ),
    Case(
        "special voter at an unknown center",
        cell("special_register.csv", 3, "special_center", "S-009"),
        [("special_register.csv", 3, "unknown_reference", "special_center")],
    ),
    Case(
        "special voter at a general center",
        cell("special_register.csv", 2, "special_center", "C-001"),
        [("special_register.csv", 2, "not_a_special_center", "special_center")],
    ),
    Case(
        "special voter of an unknown unit",
        cell("special_register.csv", 2, "unit", "U-0"),
        [("special_register.csv", 2, "unknown_reference", "unit")],
    ),
    Case(
        "intel about an unknown center",
        cell("intel.csv", 2, "center", "C-404"),
        [("intel.csv", 2, "unknown_reference", "center")],
    ),
    Case(
        "past incident at an unknown center",
        cell("incidents_history.csv", 2, "center", "X"),
        [("incidents_history.csv", 2, "unknown_reference", "center")],
    ),
    # --- numbers -----------------------------------------------------------------------
    Case(
        "latitude is text",
        cell("centers.csv", 2, "lat", "north"),
        [("centers.csv", 2, "not_a_number", "lat")],
    ),
    Case(
        "latitude out of range",
        cell("centers.csv", 2, "lat", "٩٥"),
        [("centers.csv", 2, "out_of_range", "lat")],
    ),
    Case(
        "longitude out of range",
        cell("units.csv", 2, "lon", "-181"),
        [("units.csv", 2, "out_of_range", "lon")],
    ),
    Case(
        "risk above one",
        cell("centers.csv", 4, "risk", "1.5"),
        [("centers.csv", 4, "out_of_range", "risk")],
    ),
    Case(
        "no stations",
        cell("centers.csv", 4, "stations", "0"),
        [("centers.csv", 4, "too_small", "stations")],
    ),
    Case(
        "fractional stations",
        cell("centers.csv", 2, "stations", "2.5"),
        [("centers.csv", 2, "not_an_integer", "stations")],
    ),
    Case(
        "fractional voters in Arabic digits",
        cell("centers.csv", 3, "voters", "٩٠٠٫٥"),
        [("centers.csv", 3, "not_an_integer", "voters")],
    ),
    Case(
        "negative voters",
        cell("centers.csv", 2, "voters", "-1"),
        [("centers.csv", 2, "negative", "voters")],
    ),
    Case(
        "zero headcount",
        cell("units.csv", 5, "headcount", "0"),
        [("units.csv", 5, "not_positive", "headcount")],
    ),
    Case(
        "zero team size",
        cell("units.csv", 2, "team_size", "0"),
        [("units.csv", 2, "not_positive", "team_size")],
    ),
    Case(
        "team larger than the unit",
        cell("units.csv", 2, "team_size", "41"),
        [("units.csv", 2, "team_larger_than_unit", "team_size")],
    ),
    Case(
        "negative max distance",
        cell("units.csv", 3, "max_distance_km", "-5"),
        [("units.csv", 3, "not_positive", "max_distance_km")],
    ),
    Case(
        "severity above one",
        cell("incidents_history.csv", 3, "severity", "1.2"),
        [("incidents_history.csv", 3, "out_of_range", "severity")],
    ),
    Case(
        "negative credibility",
        cell("intel.csv", 2, "credibility", "-0.1"),
        [("intel.csv", 2, "out_of_range", "credibility")],
    ),
    Case(
        "station number zero",
        cell("stations.csv", 2, "number", "0"),
        [("stations.csv", 2, "too_small", "number")],
    ),
    Case(
        "station number twice",
        cell("stations.csv", 3, "number", "1"),
        [("stations.csv", 3, "duplicate_station_number", "number")],
    ),
    Case(
        "stations listed differ from the count",
        cell("centers.csv", 2, "stations", "4"),
        [("centers.csv", 2, "station_count_mismatch", "stations")],
    ),
    # --- kinds -------------------------------------------------------------------------
    Case(
        "misspelled unit kind",
        cell("units.csv", 2, "kind", "polise"),
        [("units.csv", 2, "unknown_unit_kind", "kind")],
    ),
    Case(
        "unknown center kind",
        cell("centers.csv", 3, "kind", "mobile"),
        [("centers.csv", 3, "unknown_center_kind", "kind")],
    ),
    # --- dates -------------------------------------------------------------------------
    Case(
        "impossible incident date",
        cell("incidents_history.csv", 2, "date", "2009-13-01"),
        [("incidents_history.csv", 2, "bad_date", "date")],
    ),
    Case(
        "intel date in words",
        cell("intel.csv", 2, "date", "yesterday"),
        [("intel.csv", 2, "bad_date", "date")],
    ),
    # --- election.yaml -----------------------------------------------------------------
    Case(
        "yaml syntax error",
        replace(Y, "timezone: Asia/Baghdad", "timezone: [Asia/Baghdad"),
        [(Y, 8, "yaml_syntax", None)],
    ),
    Case(
        "version missing", replace(Y, "version: 1\n", ""), [(Y, None, "missing_version", "version")]
    ),
    Case(
        "version from the future",
        replace(Y, "version: 1\n", "version: 2\n"),
        [(Y, 1, "unsupported_version", "version")],
    ),
    Case(
        "unknown encoding",
        replace(Y, "version: 1\n", "version: 1\nencoding: latin-1\n"),
        [(Y, 2, "unknown_encoding", "encoding")],
    ),
    Case(
        "misspelled time zone",
        replace(Y, "Asia/Baghdad", "Asia/Bagdad"),
        [(Y, 7, "bad_timezone", "election.timezone")],
    ),
    Case(
        "impossible vote date",
        replace(Y, "2010-03-04", "2010-02-30"),
        [(Y, 8, "bad_date", "election.special_vote_date")],
    ),
    Case(
        "special vote after general vote",
        replace(Y, "2010-03-04", "2010-03-08"),
        [(Y, 8, "vote_date_order", "election.special_vote_date")],
    ),
    Case(
        "polls open in words",
        replace(Y, '"07:00"', "7am"),
        [(Y, 10, "bad_time", "election.polls_open")],
    ),
    Case(
        "polls close before they open",
        replace(Y, "polls_close: 17:00", "polls_close: 06:00"),
        [(Y, 11, "polls_order", "election.polls_close")],
    ),
    Case(
        "election timezone missing",
        replace(Y, "  timezone: Asia/Baghdad\n", ""),
        [(Y, 2, "missing_key", "election.timezone")],
    ),
    Case(
        "election code empty",
        replace(Y, "code: iq-cor-2010-dhi-qar", "code:"),
        [(Y, 3, "empty_key", "election.code")],
    ),
    Case(
        "misspelled top-level key",
        replace(Y, "agencies:\n", "agencys:\n"),
        [(Y, None, "missing_key", "agencies"), (Y, 19, "unknown_key", "agencys")],
    ),
    # Unusable agencies: the units' agency references are not checked against nothing.
    Case(
        "agencies as a mapping",
        replace(Y, "agencies:\n  - {code: IP,", "agencies:\n  {code: IP,"),
        [(Y, 21, "yaml_syntax", None)],
    ),
    Case(
        "agencies as a single value",
        replace(Y, "agencies:\n", "agencies: IP\nold_agencies:\n"),
        [(Y, 19, "wrong_type", "agencies"), (Y, 20, "unknown_key", "old_agencies")],
    ),
    Case(
        "duplicate agency code",
        replace(Y, "{code: IA,", "{code: IP,"),
        [
            (Y, 21, "duplicate_key", "agencies.code"),
            ("units.csv", 4, "unknown_reference", "agency"),
        ],
    ),
    Case(
        "ballot entity of an unknown component",
        replace(Y, "component: christian}", "component: yazidi}"),
        [(Y, 18, "unknown_component", "ballot.entities.component")],
    ),
    Case(
        "role with a misspelled unit kind",
        replace(Y, "kinds: [police], base: 4", "kinds: [polise], base: 4"),
        [(Y, 25, "unknown_unit_kind", "policy.roles.inner_cordon.kinds")],
    ),
    Case(
        "role without base",
        replace(Y, "kinds: [police], base: 4, ", "kinds: [police], "),
        [(Y, 25, "missing_key", "policy.roles.inner_cordon.base")],
    ),
    Case(
        "role with a misspelled key",
        replace(Y, "per_station: 2", "per_staton: 2"),
        [(Y, 25, "unknown_key", "policy.roles.inner_cordon.per_staton")],
    ),
    Case(
        "role weight zero",
        replace(Y, "risk_factor: 0.5, weight: 3", "risk_factor: 0.5, weight: 0"),
        [(Y, 25, "not_positive", "policy.roles.inner_cordon.weight")],
    ),
    Case(
        "sweep window ends when it starts",
        replace(Y, '"2010-03-06T18:00:00+03:00"', '"2010-03-06T06:00:00+03:00"'),
        [(Y, 31, "sweep_window_order", "policy.sweep.window_end")],
    ),
    Case(
        "sweep window start in words",
        replace(Y, '"2010-03-06T06:00:00+03:00"', "dawn"),
        [(Y, 30, "bad_datetime", "policy.sweep.window_start")],
    ),
    Case(
        "sweep speed for a cordon kind",
        replace(Y, "{eod: 40, k9: 35}", "{eod: 40, army: 35}"),
        [(Y, 33, "not_a_sweep_kind", "policy.sweep.speed_kmh")],
    ),
    Case(
        "sweep window missing",
        replace(Y, '    window_end:   "2010-03-06T18:00:00+03:00"\n', ""),
        [(Y, 29, "missing_key", "policy.sweep.window_end")],
    ),
    Case(
        "risk weight negative",
        replace(Y, "weight_history: 0.35", "weight_history: -1"),
        [(Y, 37, "negative", "policy.risk.weight_history")],
    ),
    Case(
        "a duplicate key in yaml",
        replace(Y, "  seats: 18\n", "  seats: 18\n  seats: 19\n"),
        [(Y, 13, "duplicate_key", "key")],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_it_reports_the_defect_at_its_file_line_and_kind(tmp_path: Path, case: Case) -> None:
    folder = write_base_package(tmp_path / "pkg")
    case.mutate(folder)
    assert found(validate_package(folder)) == sorted(case.expected, key=lambda f: (f[0], f[1] or 0))


def test_a_duplicate_code_names_the_line_of_its_first_use(tmp_path: Path) -> None:
    folder = write_base_package(tmp_path / "pkg")
    append_line(folder, "units.csv", "U-002,IP,police,5,NAS,31,46,,,,,")
    (problem,) = validate_package(folder)
    assert (problem.line, problem.params["first_line"]) == (8, 3)
    assert "first used on line 3" in problem.message("en")
    assert "U-002" in problem.message("en")
    assert "السطر 3" in problem.message("ar")


def test_every_message_names_the_column_and_the_bad_value(tmp_path: Path) -> None:
    folder = write_base_package(tmp_path / "pkg")
    set_cell(folder, "centers.csv", 2, "lat", "٩٥")
    set_cell(folder, "units.csv", 2, "kind", "polise")
    lat, kind = validate_package(folder)
    assert lat.render("en") == "centers.csv:2: lat must be between -90 and 90, got '٩٥'"
    assert "lat" in lat.render("ar")
    assert "٩٥" in lat.render("ar")
    assert "polise" in kind.message("en")
    assert "police, army, traffic" in kind.message("en")  # lists the allowed kinds


def test_an_xlsx_file_reports_sheet_rows(tmp_path: Path) -> None:
    folder = write_base_package(tmp_path / "pkg")
    rows: list[list[object]] = [list(r) for r in read_rows(folder, "units.csv")]
    rows[2][3] = "twenty"  # U-002 headcount, sheet row 3
    rows[4][4] = "SUQ"  # U-004 sector, sheet row 5
    rows.insert(3, [])  # an empty sheet row moves the later rows down but is skipped
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(folder / "units.xlsx")
    (folder / "units.csv").unlink()
    assert found(validate_package(folder)) == [
        ("units.xlsx", 3, "not_a_number", "headcount"),
        ("units.xlsx", 6, "unknown_reference", "sector"),
    ]


def test_an_undeclared_windows_1256_file_is_refused_with_its_line_and_byte(tmp_path: Path) -> None:
    folder = write_base_package(tmp_path / "pkg")
    text = (folder / "sectors.csv").read_text(encoding="utf-8")
    (folder / "sectors.csv").write_bytes(text.encode("cp1256"))
    (problem,) = validate_package(folder)
    assert (problem.file, problem.line, problem.kind) == ("sectors.csv", 2, "bad_encoding")
    offset = len("code,name_en,name_ar\nNAS,Nasiriyah city police,")
    assert problem.params["offset"] == offset
    message = problem.message("en")
    assert '"CSV UTF-8"' in message
    assert "encoding: windows-1256" in message


def test_election_yaml_itself_must_be_utf8(tmp_path: Path) -> None:
    folder = write_base_package(tmp_path / "pkg")
    (folder / "election.yaml").write_bytes(ELECTION_YAML.encode("cp1256"))
    problems = validate_package(folder)
    assert found(problems)[0] == ("election.yaml", 5, "bad_encoding", None)


def test_it_reports_every_problem_of_every_file_in_one_run(tmp_path: Path) -> None:
    folder = write_base_package(tmp_path / "pkg")
    set_cell(folder, "centers.csv", 2, "lat", "x")
    set_cell(folder, "centers.csv", 3, "voters", "-5")
    set_cell(folder, "centers.csv", 4, "sector", "???")
    set_cell(folder, "units.csv", 2, "kind", "tank")
    set_cell(folder, "units.csv", 3, "headcount", "0")
    set_cell(folder, "personnel.csv", 2, "unit", "U-9")
    replace_in(folder, Y, "Asia/Baghdad", "Mars/Olympus")
    assert found(validate_package(folder)) == [
        ("centers.csv", 2, "not_a_number", "lat"),
        ("centers.csv", 3, "negative", "voters"),
        ("centers.csv", 4, "unknown_reference", "sector"),
        (Y, 7, "bad_timezone", "election.timezone"),
        ("personnel.csv", 2, "unknown_reference", "unit"),
        ("units.csv", 2, "unknown_unit_kind", "kind"),
        ("units.csv", 3, "not_positive", "headcount"),
    ]


def test_a_package_path_that_is_not_a_folder_is_one_problem(tmp_path: Path) -> None:
    assert found(validate_package(tmp_path / "nowhere")) == [
        (str(tmp_path / "nowhere"), None, "no_such_package", None)
    ]
    (tmp_path / "file.csv").write_text("x", encoding="utf-8")
    assert [p.kind for p in validate_package(tmp_path / "file.csv")] == ["not_a_folder"]


def _expected(folder: Path) -> list[Found]:
    rows: list[Found] = []
    for raw in (folder / "expected.txt").read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        file, line, kind, column = raw.split(":")
        rows.append(
            (file, int(line) if line != "-" else None, kind, None if column == "-" else column)
        )
    return rows


LITERAL = sorted(p for p in BROKEN.iterdir() if p.is_dir()) if BROKEN.is_dir() else []


@pytest.mark.parametrize("folder", LITERAL, ids=[p.name for p in LITERAL])
def test_a_literal_broken_package_reports_exactly_its_expected_problems(folder: Path) -> None:
    assert found(validate_package(folder)) == _expected(folder)


def test_the_literal_corpus_is_there() -> None:
    assert {p.name for p in LITERAL} >= {"cp1256_undeclared", "many_problems"}


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from(sorted(FILES)),
    position=st.floats(0, 1),
    junk=st.binary(max_size=30) | st.text(max_size=30).map(str.encode),
    cut=st.integers(0, 80),
)
def test_no_damage_to_a_file_makes_the_reader_raise(
    name: str, position: float, junk: bytes, cut: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_base_package(Path(tmp))
        data = (folder / name).read_bytes()
        at = int(position * len(data))
        (folder / name).write_bytes(data[:at] + junk + data[at + cut :])
        package, problems = read_package_or_problems(folder)
        assert (package is None) == bool(problems)  # never "invalid" without a reason
        assert_messages_render(problems)
