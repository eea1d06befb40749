"""Filed intelligence: the admiralty weights and the checks of what a filer typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pollguard.core.intel import (
    CREDIBILITY_WEIGHTS,
    RELIABILITY_WEIGHTS,
    IntelDraft,
    admiralty_weight,
    check_draft,
)

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
GOOD = IntelDraft(
    center="C-0001",
    severity=0.7,
    reliability="B",
    credibility=2,
    text="سيارة مشبوهة قرب المدرسة",
    valid_until=NOW + timedelta(days=3),
)


def kinds(draft: IntelDraft, **kw: object) -> list[tuple[str, str]]:
    return [(p.file, p.kind) for p in check_draft(draft, now=NOW, **kw)]  # type: ignore[arg-type]


def test_the_weights_follow_the_documented_scale() -> None:
    assert [RELIABILITY_WEIGHTS[g] for g in "ABCDE"] == [1.0, 0.8, 0.6, 0.4, 0.2]
    assert [CREDIBILITY_WEIGHTS[g] for g in range(1, 6)] == [1.0, 0.8, 0.6, 0.4, 0.2]
    assert RELIABILITY_WEIGHTS["F"] == CREDIBILITY_WEIGHTS[6] == 0.5
    assert admiralty_weight("A", 1) == 1.0
    assert admiralty_weight("B", 2) == pytest.approx(0.64)
    assert admiralty_weight("F", 6) == 0.25
    assert admiralty_weight("E", 5) == pytest.approx(0.04)


def test_a_complete_draft_has_no_problem() -> None:
    assert check_draft(GOOD, now=NOW) == []
    assert (
        kinds(
            IntelDraft(
                lat=31.0,
                lon=46.2,
                severity=0.1,
                reliability="F",
                credibility=6,
                text="x",
                valid_until=NOW + timedelta(minutes=1),
            )
        )
        == []
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"lat": 31.0, "lon": 46.0}, ("center", "intel_center_or_place")),
        ({"center": None}, ("center", "intel_no_subject")),
        ({"center": None, "lat": 31.0}, ("lon", "intel_place_incomplete")),
        ({"center": None, "lat": 91.0, "lon": 46.0}, ("lat", "intel_bad_lat")),
        ({"center": None, "lat": 31.0, "lon": 181.0}, ("lon", "intel_bad_lon")),
        ({"reliability": "G"}, ("reliability", "intel_bad_reliability")),
        ({"reliability": "a"}, ("reliability", "intel_bad_reliability")),
        ({"credibility": 7}, ("credibility", "intel_bad_credibility")),
        ({"credibility": 0}, ("credibility", "intel_bad_credibility")),
        ({"severity": 1.5}, ("severity", "intel_bad_severity")),
        ({"severity": float("nan")}, ("severity", "intel_bad_severity")),
        ({"text": "  "}, ("text", "intel_missing")),
        ({"text": "abc\u202e"}, ("text", "intel_text_controls")),
        ({"text": "x" * 4001}, ("text", "intel_text_too_long")),
        ({"valid_until": NOW - timedelta(seconds=1)}, ("valid_until", "intel_valid_until_past")),
        ({"valid_until": NOW}, ("valid_until", "intel_valid_until_past")),
        # A naive time is the trap this check exists for.
        ({"valid_until": datetime(2030, 1, 1)}, ("valid_until", "intel_valid_until_naive")),  # noqa: DTZ001
        ({"valid_until": None}, ("valid_until", "intel_missing")),
    ],
)
def test_each_bad_field_is_named(changes: dict[str, object], expected: tuple[str, str]) -> None:
    draft = IntelDraft(**{**_fields(GOOD), **changes})  # type: ignore[arg-type]
    assert kinds(draft) == [expected]


def test_every_problem_is_reported_at_once_in_both_languages() -> None:
    draft = IntelDraft(center="C-1", lat=1.0, lon=1.0, reliability="G", credibility=7)
    problems = check_draft(draft, now=NOW)
    assert {p.file for p in problems} >= {"center", "reliability", "credibility", "severity"}
    for problem in problems:
        assert problem.render("en").startswith(f"{problem.file}: ")
        arabic = problem.message("ar")
        assert arabic != problem.message("en")
        assert any("\u0600" <= char <= "\u06ff" for char in arabic)


def test_an_edit_checks_only_what_it_gives() -> None:
    assert kinds(IntelDraft(severity=0.2), complete=False) == []
    assert kinds(IntelDraft(credibility=7), complete=False) == [
        ("credibility", "intel_bad_credibility")
    ]


def _fields(draft: IntelDraft) -> dict[str, object]:
    return {name: getattr(draft, name) for name in draft.__slots__}  # type: ignore[attr-defined]
