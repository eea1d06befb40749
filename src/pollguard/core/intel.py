"""Intelligence reports filed by officers: the admiralty grading and the checks of a draft.

Officers grade a report on the usual NATO admiralty scale: the reliability of the
source, A (completely reliable) to E (unreliable), F (cannot be judged), and the
credibility of the information, 1 (confirmed) to 5 (improbable), 6 (cannot be judged).
The risk model needs one weight in [0, 1] per report; it is the product of the two
grades' weights:

| reliability | A   | B   | C   | D   | E   | F   |
| weight      | 1.0 | 0.8 | 0.6 | 0.4 | 0.2 | 0.5 |

| credibility | 1   | 2   | 3   | 4   | 5   | 6   |
| weight      | 1.0 | 0.8 | 0.6 | 0.4 | 0.2 | 0.5 |

"Cannot be judged" sits in the middle (0.5): it says nothing either way, so it weighs
less than a usually reliable source (B) but more than a doubtful one (D). A report from
an A source with confirmed information (A1) counts in full; E5 counts 0.04.

`check_draft` checks what a filer typed, field by field, and returns `Problem`s whose
`file` is the field's name (the API answers them as a 422 naming the field, in the
user's language). Whether a named center exists is the caller's check (it needs the
database); its message kind is registered here with the others.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pollguard.core.package.reader import BIDI_CONTROLS
from pollguard.core.problems import Problem, register_messages

__all__ = [
    "CODE_TAKEN",
    "CREDIBILITY_WEIGHTS",
    "RELIABILITY_WEIGHTS",
    "TEXT_MAX",
    "IntelDraft",
    "admiralty_weight",
    "check_draft",
    "draft_from_json",
]

RELIABILITY_WEIGHTS: dict[str, float] = {
    "A": 1.0,
    "B": 0.8,
    "C": 0.6,
    "D": 0.4,
    "E": 0.2,
    "F": 0.5,
}
CREDIBILITY_WEIGHTS: dict[int, float] = {1: 1.0, 2: 0.8, 3: 0.6, 4: 0.4, 5: 0.2, 6: 0.5}
TEXT_MAX = 4000
CODE_TAKEN = "intel_code_taken"  # a package report reuses the code of a filed one


register_messages(
    {
        "intel_center_or_place": (
            "give either a center or a place (lat and lon), not both",
            "حدّد مركزاً أو مكاناً (خط العرض وخط الطول)، لا الاثنين معاً",
        ),
        "intel_no_subject": (
            "give a center or a place (lat and lon)",
            "حدّد مركزاً أو مكاناً (خط العرض وخط الطول)",
        ),
        "intel_place_incomplete": (
            "a place needs both lat and lon",
            "يحتاج المكان إلى خط العرض وخط الطول معاً",
        ),
        "intel_bad_lat": (
            "latitude must be between -90 and 90, got {value}",
            "يجب أن يكون خط العرض بين ‎-90‎ و‎90‎، والقيمة المعطاة {value}",
        ),
        "intel_bad_lon": (
            "longitude must be between -180 and 180, got {value}",
            "يجب أن يكون خط الطول بين ‎-180‎ و‎180‎، والقيمة المعطاة {value}",
        ),
        "intel_unknown_center": (
            "no center '{value}' in this election",
            "لا يوجد مركز '{value}' في هذه الانتخابات",
        ),
        "intel_bad_severity": (
            "severity must be a number from 0 to 1, got {value}",
            "يجب أن تكون الخطورة رقماً من 0 إلى 1، والقيمة المعطاة {value}",
        ),
        "intel_bad_reliability": (
            "source reliability must be one of A, B, C, D, E, F, got '{value}'",
            "يجب أن تكون موثوقية المصدر أحد الحروف A وB وC وD وE وF، والقيمة المعطاة '{value}'",
        ),
        "intel_bad_credibility": (
            "information credibility must be a whole number from 1 to 6, got {value}",
            "يجب أن تكون مصداقية المعلومة عدداً صحيحاً من 1 إلى 6، والقيمة المعطاة {value}",
        ),
        "intel_missing": ("this field is required", "هذا الحقل مطلوب"),
        "intel_not_a_number": (
            "must be a number, got {value}",
            "يجب أن يكون رقماً، والقيمة المعطاة {value}",
        ),
        "intel_not_text": ("must be text, got {value}", "يجب أن يكون نصاً، والقيمة المعطاة {value}"),
        "intel_not_a_time": (
            "must be a date and time with a time zone (e.g. 2010-03-07T18:00:00+03:00), "
            "got {value}",
            "يجب أن يكون تاريخاً ووقتاً مع المنطقة الزمنية (مثل ‎2010-03-07T18:00:00+03:00‎)، "
            "والقيمة المعطاة {value}",
        ),
        "intel_text_too_long": (
            "the text may have at most {max} characters",
            "يجب ألا يتجاوز النص {max} حرفاً",
        ),
        "intel_text_controls": (
            "text-direction control characters are not allowed",
            "لا يُسمح بمحارف التحكم في اتجاه النص",
        ),
        "intel_valid_until_past": (
            "valid until must be in the future",
            "يجب أن يكون تاريخ انتهاء الصلاحية في المستقبل",
        ),
        CODE_TAKEN: (
            "code '{value}' belongs to a report filed in the app; give the package's report "
            "another code",
            "الرمز '{value}' لتقرير مقدَّم في التطبيق؛ أعطِ تقرير الحزمة رمزاً آخر",
        ),
        "intel_valid_until_naive": (
            "valid until needs a time zone (e.g. 2010-03-07T18:00:00+03:00)",
            "يحتاج تاريخ انتهاء الصلاحية إلى منطقة زمنية (مثل ‎2010-03-07T18:00:00+03:00‎)",
        ),
    }
)


def admiralty_weight(reliability: str, credibility: int) -> float:
    """The weight of a report graded `reliability` (A-F) and `credibility` (1-6)."""
    return RELIABILITY_WEIGHTS[reliability] * CREDIBILITY_WEIGHTS[credibility]


@dataclass(frozen=True, slots=True)
class IntelDraft:
    """What a filer typed; None means "not given" (on an edit: "unchanged")."""

    center: str | None = None
    lat: float | None = None
    lon: float | None = None
    severity: float | None = None
    reliability: str | None = None
    credibility: int | None = None
    text: str | None = None
    valid_until: datetime | None = None


def _problem(field: str, kind: str, **params: object) -> Problem:
    return Problem(file=field, line=None, kind=kind, params=params)


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 40 else text[:37] + "..."


def draft_from_json(data: Mapping[str, object]) -> tuple[IntelDraft, list[Problem]]:
    """A draft from a JSON body (API v1), and a problem per field of the wrong type.

    JSON types are checked here rather than by the API schema so that every bad body is
    answered the same way: each field named, in the user's language. Absent and null
    fields are None ("not given"); a credibility of 2.0 is 2.
    """
    problems: list[Problem] = []

    def text(name: str) -> str | None:
        value = data.get(name)
        if value is None or isinstance(value, str):
            return value
        problems.append(_problem(name, "intel_not_text", value=_shown(value)))
        return None

    def number(name: str) -> float | None:
        value = data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(_problem(name, "intel_not_a_number", value=_shown(value)))
            return None
        return float(value)

    credibility: int | None = None
    raw = data.get("credibility")
    if raw is not None:
        if isinstance(raw, int) and not isinstance(raw, bool):
            credibility = raw
        elif isinstance(raw, float) and raw.is_integer():
            credibility = int(raw)
        else:
            problems.append(_problem("credibility", "intel_bad_credibility", value=_shown(raw)))
    valid_until: datetime | None = None
    raw = data.get("valid_until")
    if raw is not None:
        try:
            if not isinstance(raw, str):
                raise TypeError(raw)
            valid_until = datetime.fromisoformat(raw)
        except (TypeError, ValueError):
            problems.append(_problem("valid_until", "intel_not_a_time", value=_shown(raw)))
    draft = IntelDraft(
        center=text("center"),
        lat=number("lat"),
        lon=number("lon"),
        severity=number("severity"),
        reliability=text("reliability"),
        credibility=credibility,
        text=text("text"),
        valid_until=valid_until,
    )
    return draft, problems


def check_draft(draft: IntelDraft, *, now: datetime, complete: bool = True) -> list[Problem]:
    """Every problem of `draft`, each naming its field; empty when it may be stored.

    `complete` drafts (a new report, or an edit merged with the stored values) must have
    a subject (a center or a place, exactly one), severity, both grades, text and a
    valid-until time after `now`.
    """
    problems: list[Problem] = []
    has_center = bool(draft.center)
    has_place = draft.lat is not None or draft.lon is not None
    if has_center and has_place:
        problems.append(_problem("center", "intel_center_or_place"))
    elif has_place and (draft.lat is None or draft.lon is None):
        missing = "lat" if draft.lat is None else "lon"
        problems.append(_problem(missing, "intel_place_incomplete"))
    elif complete and not has_center and not has_place:
        problems.append(_problem("center", "intel_no_subject"))
    if draft.lat is not None and not (math.isfinite(draft.lat) and -90 <= draft.lat <= 90):
        problems.append(_problem("lat", "intel_bad_lat", value=draft.lat))
    if draft.lon is not None and not (math.isfinite(draft.lon) and -180 <= draft.lon <= 180):
        problems.append(_problem("lon", "intel_bad_lon", value=draft.lon))
    if draft.severity is None:
        if complete:
            problems.append(_problem("severity", "intel_missing"))
    elif not (math.isfinite(draft.severity) and 0.0 <= draft.severity <= 1.0):
        problems.append(_problem("severity", "intel_bad_severity", value=draft.severity))
    if draft.reliability is None:
        if complete:
            problems.append(_problem("reliability", "intel_missing"))
    elif draft.reliability not in RELIABILITY_WEIGHTS:
        problems.append(_problem("reliability", "intel_bad_reliability", value=draft.reliability))
    if draft.credibility is None:
        if complete:
            problems.append(_problem("credibility", "intel_missing"))
    elif isinstance(draft.credibility, bool) or draft.credibility not in CREDIBILITY_WEIGHTS:
        problems.append(_problem("credibility", "intel_bad_credibility", value=draft.credibility))
    if draft.text is None or not draft.text.strip():
        if complete or draft.text is not None:
            problems.append(_problem("text", "intel_missing"))
    elif len(draft.text) > TEXT_MAX:
        problems.append(_problem("text", "intel_text_too_long", max=TEXT_MAX))
    elif any(char in BIDI_CONTROLS for char in draft.text):
        # As the package reader: an override would make the report read backwards.
        problems.append(_problem("text", "intel_text_controls"))
    if draft.valid_until is None:
        if complete:
            problems.append(_problem("valid_until", "intel_missing"))
    elif draft.valid_until.tzinfo is None:
        problems.append(_problem("valid_until", "intel_valid_until_naive"))
    elif draft.valid_until <= now:
        problems.append(_problem("valid_until", "intel_valid_until_past"))
    return problems
