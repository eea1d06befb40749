"""Phase task templates in election.yaml, and the tasks a plan document makes (no Django)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest
from packages import ELECTION_YAML, write_base_package

from pollguard.core.model import DutyPolicy, TaskAnchor, TaskPhase, TaskTemplate, UnitKind
from pollguard.core.package import read_package, validate_package
from pollguard.core.package.reader import to_offset
from pollguard.core.package.writer import format_offset
from pollguard.core.tasks import (
    Clock,
    SpecKind,
    UnitFacts,
    plan_tasks,
    policy_to_json,
    templates_from_json,
)

BAGHDAD = zoneinfo.ZoneInfo("Asia/Baghdad")
UTC = dt.UTC

TEMPLATES_YAML = """\
  duty: {start: "-1h30m", end: "+3h"}
  task_templates:
    - {code: seal-borders, phase: before, agency: IA, start: "-14h", due: "-13h",
       title_en: "Seal the provincial borders", title_ar: "غلق حدود المحافظة"}
    - {code: vehicle-ban, phase: before, kind: traffic, sectors: each, start: -10h, due: -9h,
       title_ar: "حظر تجوال العجلات", text_ar: "من الساعة ٢٢:٠٠"}
    - {code: escort, phase: after, agency: IP, sectors: [RIF, SHA], anchor: polls_close,
       due: +4h, title_en: "Escort the ballot boxes"}
"""


def with_templates(folder: Path, text: str) -> Path:
    (folder / "election.yaml").write_text(ELECTION_YAML + text, encoding="utf-8")
    return folder


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write_base_package(tmp_path / "pkg")


def test_it_reads_the_templates_and_the_duty_hours(base: Path) -> None:
    policy = read_package(with_templates(base, TEMPLATES_YAML)).policy
    assert policy.duty == DutyPolicy(start_minutes=-90, end_minutes=180)
    borders, ban, escort = policy.task_templates
    assert borders == TaskTemplate(
        "seal-borders",
        TaskPhase.BEFORE,
        "Seal the provincial borders",
        "غلق حدود المحافظة",
        start_minutes=-14 * 60,
        due_minutes=-13 * 60,
        agency="IA",
    )
    assert (ban.kind, ban.sectors, ban.text_ar) == (UnitKind.TRAFFIC, "each", "من الساعة ٢٢:٠٠")
    assert (escort.anchor, escort.sectors, escort.start_minutes, escort.due_minutes) == (
        TaskAnchor.POLLS_CLOSE,
        ("RIF", "SHA"),
        0,
        240,
    )


def test_a_package_without_templates_has_none_and_the_default_duty(base: Path) -> None:
    policy = read_package(base).policy
    assert (policy.task_templates, policy.duty) == ((), DutyPolicy())


def test_bad_templates_are_named_with_their_line(base: Path) -> None:
    text = """\
  duty: {start: soon}
  task_templates:
    - {code: a, phase: later, title_en: A}
    - {code: a, phase: before, title_en: B, agency: XX, sectors: [RIF, NOPE]}
    - {code: c, phase: during, start: "+2h", due: "+1h", title_ar: ج, sectors: some}
    - {code: d, phase: after, anchor: noon, kind: tanks}
"""
    problems = validate_package(with_templates(base, text))
    found = {(p.kind, p.line) for p in problems}
    first = ELECTION_YAML.count("\n") + 1
    assert ("bad_offset", first) in found
    assert ("unknown_choice", first + 2) in found  # phase: later
    assert ("duplicate_key", first + 3) in found
    assert ("unknown_reference", first + 3) in found  # agency XX and sector NOPE
    assert sum(p.kind == "unknown_reference" for p in problems) == 2
    assert ("task_due_before_start", first + 4) in found
    assert ("bad_task_sectors", first + 4) in found
    assert ("unknown_choice", first + 5) in found  # anchor: noon
    assert ("unknown_unit_kind", first + 5) in found
    assert ("missing_key", first + 5) in found  # no title in either language
    arabic = [p.render("ar") for p in problems if p.kind == "bad_offset"]
    assert "ليست فرق وقت" in arabic[0]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("-13h", -780), ("+1h30m", 90), ("90m", 90), ("0", 0), ("-٢h", -120), ("2h", 120)],
)
def test_offsets_read_and_write_back(text: str, minutes: int) -> None:
    assert to_offset(text) == minutes
    assert to_offset(format_offset(minutes)) == minutes


CLOCK = Clock(
    tz=BAGHDAD,
    general_vote_date=dt.date(2010, 3, 7),
    special_vote_date=dt.date(2010, 3, 4),
    polls_open=dt.time(7, 0),
    polls_close=dt.time(17, 0),
)
UNITS = {
    "P-1": UnitFacts("IP", "RIF", "police"),
    "P-2": UnitFacts("IP", "SHA", "police"),
    "T-1": UnitFacts("TP", "RIF", "traffic"),
    "A-1": UnitFacts("IA", None, "army"),
    "E-1": UnitFacts("EOD", None, "eod"),
}
CENTERS = {"C-1": "RIF", "C-2": "RIF", "C-3": "SHA"}
DOCUMENT = {
    "assignments": [
        {"unit": "P-1", "center": "C-1", "role": "inner_cordon", "headcount": 4},
        {"unit": "P-1", "center": "C-1", "role": "inner_cordon", "headcount": 4},
        {"unit": "T-1", "center": "C-2", "role": "traffic", "headcount": 2},
        {"unit": "A-1", "center": "C-3", "role": "outer_cordon", "headcount": 8},
    ],
    "sweeps": [
        {"team": "E-1#1", "unit": "E-1", "kind": "eod", "stops": [
            {"center": "C-1", "start": "2010-03-06T06:00:00+03:00",
             "end": "2010-03-06T06:30:00+03:00"},
            {"center": "C-3", "start": "2010-03-06T07:00:00+03:00",
             "end": "2010-03-06T07:30:00+03:00"},
        ]},
        {"team": "E-1#2", "unit": "E-1", "kind": "eod", "stops": []},
    ],
}  # fmt: skip


def test_a_plan_makes_one_task_per_post_and_per_sweep_with_stops() -> None:
    specs = plan_tasks(
        DOCUMENT,
        duty=DutyPolicy(),
        templates=(),
        clock=CLOCK,
        units=UNITS,
        center_sectors=CENTERS,
        sectors=["RIF", "SHA"],
    )
    by_key = {s.key: s for s in specs}
    assert list(by_key) == [
        "post:P-1:C-1:inner_cordon",
        "post:T-1:C-2:traffic",
        "post:A-1:C-3:outer_cordon",
        "sweep:E-1#1",
    ]
    post = by_key["post:P-1:C-1:inner_cordon"]
    assert (post.headcount, post.kind, post.phase) == (8, SpecKind.POST, TaskPhase.DURING)
    assert post.starts_at == dt.datetime(2010, 3, 7, 2, 0, tzinfo=UTC)  # 05:00 Baghdad
    assert post.due_at == dt.datetime(2010, 3, 7, 16, 0, tzinfo=UTC)  # 19:00 Baghdad
    assert by_key["post:T-1:C-2:traffic"].kind is SpecKind.STANDBY
    army = by_key["post:A-1:C-3:outer_cordon"]
    assert (army.agency, army.sector) == ("IA", "SHA")  # a reserve serves where it is posted
    sweep = by_key["sweep:E-1#1"]
    assert (sweep.sector, sweep.agency, sweep.phase) == (None, "EOD", TaskPhase.BEFORE)
    assert sweep.due_at == dt.datetime(2010, 3, 6, 4, 30, tzinfo=UTC)


def test_templates_go_to_each_agency_and_sector_they_apply_to() -> None:
    templates = (
        TaskTemplate("ban", TaskPhase.BEFORE, "Ban", "حظر", kind=UnitKind.POLICE, sectors="each"),
        TaskTemplate("army", TaskPhase.BEFORE, "Borders", "الحدود", kind=UnitKind.ARMY),
        TaskTemplate("room", TaskPhase.BEFORE, "Room", "الغرفة", sectors=("SHA", "GONE")),
        TaskTemplate(
            "special",
            TaskPhase.BEFORE,
            "Special",
            "الخاص",
            agency="IP",
            anchor=TaskAnchor.SPECIAL_OPEN,
            start_minutes=-60,
        ),
    )
    specs = plan_tasks(
        {},
        duty=DutyPolicy(),
        templates=templates,
        clock=CLOCK,
        units=UNITS,
        center_sectors=CENTERS,
        sectors=["RIF", "SHA"],
    )
    assert [s.key for s in specs] == [
        "template:ban:IP:RIF",
        "template:ban:IP:SHA",
        "template:army:IA:-",
        "template:room:-:SHA",
        "template:special:IP:-",
    ]
    assert specs[-1].starts_at == dt.datetime(2010, 3, 4, 3, 0, tzinfo=UTC)


def test_the_policy_survives_json_with_its_templates(base: Path) -> None:
    policy = read_package(with_templates(base, TEMPLATES_YAML)).policy
    data = policy_to_json(policy)
    assert templates_from_json(data) == policy.task_templates
    assert data["duty"] == {"start_minutes": -90, "end_minutes": 180}
