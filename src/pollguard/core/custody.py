"""Chain-of-custody rules of ballot materials, free of Django.

The chain runs warehouse → polling center → polling station → counting center; a hand-over
goes exactly one step along it, so a box cannot skip the station it is meant for. Seal
serials are compared after folding Arabic-Indic digits and spacing, so "SL-٠٠١٢٣٤" typed on
an Arabic keyboard is the seal "SL-001234" printed on the box.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pollguard.core.arabic import to_western_digits
from pollguard.core.problems import Problem, register_messages

register_messages(
    {
        "seal_malformed": (
            "{value!r} is not a seal serial (letters and a dash, then 4 to 12 digits, "
            "e.g. SL-004512)",
            "{value!r} ليس رقم ختم (حروف وشَرطة ثم من 4 إلى 12 رقماً، مثل SL-004512)",
        ),
        "seal_duplicate": ("seal {value} is given twice", "الختم {value} مكرر"),
        "seals_required": ("give the seal serials", "أدخل أرقام الأختام"),
    }
)

_SEAL = re.compile(r"^(?:[A-Z]{1,4}-?)?[0-9]{4,12}$")


class Stage(enum.IntEnum):
    """Holders along the chain, in order."""

    WAREHOUSE = 0
    CENTER = 1
    STATION = 2
    COUNTING = 3


class SealCondition(enum.StrEnum):
    INTACT = "intact"
    BROKEN = "broken"
    MISMATCH = "mismatch"


def normalize_seal(raw: str) -> str:
    """The seal as printed: Western digits, upper case, no spaces; "sl ٠٠١٢٣٤" → "SL001234"
    keeps its dash if it had one."""
    return "".join(to_western_digits(raw).upper().split())


def parse_seals(values: Sequence[str], field: str = "seals") -> tuple[list[str], list[Problem]]:
    """Normalized serials, or problems naming `seals[i]` for each malformed or repeated one."""
    seals: list[str] = []
    problems: list[Problem] = []
    if not values:
        problems.append(Problem(field, None, "seals_required", {}))
    for i, raw in enumerate(values):
        seal = normalize_seal(raw)
        where = f"{field}[{i}]"
        if not _SEAL.match(seal):
            problems.append(Problem(where, None, "seal_malformed", {"value": raw}))
        elif seal in seals:
            problems.append(Problem(where, None, "seal_duplicate", {"value": seal}))
        else:
            seals.append(seal)
    return seals, problems


@dataclass(frozen=True)
class SealCheck:
    """One seal as the receiver found it."""

    serial: str
    condition: SealCondition


def check_seals(
    expected: Sequence[str], entered: Sequence[str], broken: Sequence[str] = ()
) -> list[SealCheck]:
    """Compare what the receiver re-entered with the seals the item left with.

    An entered serial the item does not carry is a `mismatch`, and so is an expected seal
    nobody re-entered (it was replaced); a serial the receiver declares broken is `broken`.
    """
    known = set(expected)
    broken_set = set(broken)
    checks = [
        SealCheck(
            s,
            SealCondition.MISMATCH
            if s not in known
            else SealCondition.BROKEN
            if s in broken_set
            else SealCondition.INTACT,
        )
        for s in entered
    ]
    checks += [SealCheck(s, SealCondition.MISMATCH) for s in expected if s not in set(entered)]
    return checks


def next_stage_ok(giver: Stage, receiver: Stage) -> bool:
    """A hand-over moves one step along the chain, never skips or goes back."""
    return receiver == giver + 1
