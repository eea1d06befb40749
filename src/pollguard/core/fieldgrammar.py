"""The structured SMS and Telegram grammar of field reports (docs/field-reports.md).

    <station> <keyword> [<number>] [<comment>]            a check-in
    <station> <incident keyword> <kind> [<severity>] [<comment>]   an incident

Keywords are accepted in English and Arabic, in any case, with Arabic-Indic digits and the
usual spelling variants (alef with or without hamza, ta marbuta as ha): the text is matched
after `arabic.normalize`. A parse either gives a `Parsed` report or a `ParseError` whose
message (in both languages) names the exact problem, for the reply to the sender.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from pollguard.core.arabic import normalize

MAX_VOTERS = 100_000  # far above any station; a station's own limit is checked later


def _keys(*words: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in words)


# keyword -> (slot, status)
CHECKIN_WORDS: dict[frozenset[str], tuple[str, str]] = {
    _keys("open", "opened", "فتح", "افتتاح", "مفتوح"): ("opening", "open"),
    _keys("ok", "hourly", "تمام", "سليم", "طبيعي"): ("hourly", "ok"),
    _keys("suspended", "stop", "متوقف", "توقف", "ايقاف"): ("hourly", "suspended"),
    _keys("unreachable", "منقطع"): ("hourly", "unreachable"),
    _keys("close", "closed", "اغلاق", "إغلاق", "غلق", "مغلق"): ("closing", "closed"),
}
INCIDENT_WORDS = _keys("inc", "incident", "حادث", "حادثة", "بلاغ")
INCIDENT_KINDS: dict[frozenset[str], str] = {
    _keys("shooting", "اطلاق", "إطلاق", "رمي"): "shooting",
    _keys("explosion", "ied", "انفجار", "عبوة"): "explosion",
    _keys("fraud", "تزوير"): "fraud",
    _keys("crowd", "riot", "تجمهر", "شغب"): "crowd",
    _keys("obstruction", "منع", "عرقلة"): "obstruction",
    _keys("other", "اخرى", "أخرى"): "other",
}
_STATION = re.compile(r"^([a-z]+)-?(\d+)-(\d+)$")


@dataclass(frozen=True)
class Parsed:
    kind: str  # "checkin" or "incident"
    station: str
    slot: str = ""
    status: str = ""
    voters: int | None = None
    incident_kind: str = ""
    severity: int = 2
    comment: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"ok": True, **asdict(self)}


@dataclass(frozen=True)
class ParseError:
    code: str
    message_en: str
    message_ar: str
    details: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": False,
            "code": self.code,
            "message_en": self.message_en,
            "message_ar": self.message_ar,
        }


def _lookup(table: dict[frozenset[str], str] | dict[frozenset[str], tuple[str, str]], word: str):  # type: ignore[no-untyped-def]
    for keys, value in table.items():
        if word in keys:
            return value
    return None


def station_code(token: str) -> str | None:
    """`C-0003-01` from "c-0003-1", "C0003-01" or "C-٠٠٠٣-٠١"; None when it is no code."""
    found = _STATION.match(normalize(token))
    if found is None:
        return None
    prefix, center, number = found.groups()
    return f"{prefix.upper()}-{center}-{int(number):02d}"


def _number(token: str) -> int | None:
    text = normalize(token)
    return int(text) if text.isdigit() else None


def parse(text: str) -> Parsed | ParseError:
    """Parse one message (see the module docstring)."""
    tokens = text.split()
    if not tokens:
        return ParseError(
            "empty",
            "The message is empty. Send: STATION OPEN",
            "الرسالة فارغة. أرسل: رمز_المحطة فتح",
        )
    station = station_code(tokens[0])
    if station is None:
        return ParseError(
            "station_format",
            f"'{tokens[0]}' is not a station code (like C-0001-01).",
            f"«{tokens[0]}» ليس رمز محطة (مثل C-0001-01).",
        )
    if len(tokens) < 2:
        return ParseError(
            "keyword_missing",
            "After the station code, write OPEN, OK, CLOSE or INC.",
            "بعد رمز المحطة اكتب: فتح أو تمام أو اغلاق أو حادث.",
        )
    word = normalize(tokens[1])
    rest = tokens[2:]
    if word in INCIDENT_WORDS:
        return _incident(station, rest)
    found = _lookup(CHECKIN_WORDS, word)
    if found is None:
        return ParseError(
            "keyword_unknown",
            f"'{tokens[1]}' is not a report word: write OPEN, OK, SUSPENDED, CLOSE or INC.",
            f"«{tokens[1]}» ليست كلمة تقرير: اكتب فتح أو تمام أو متوقف أو اغلاق أو حادث.",
        )
    slot, status = found
    voters = None
    if rest and (number := _number(rest[0])) is not None:
        voters, rest = number, rest[1:]
    if slot == "closing" and voters is None:
        return ParseError(
            "voters_missing",
            "A closing report needs the number of voters: STATION CLOSE 412",
            "تقرير الإغلاق يحتاج عدد المصوتين: رمز_المحطة اغلاق ٤١٢",
        )
    if voters is not None and voters > MAX_VOTERS:
        return ParseError(
            "voters_impossible",
            f"{voters} voters is impossible for one station.",
            f"{voters} مصوتاً عدد مستحيل لمحطة واحدة.",
        )
    return Parsed(
        "checkin", station, slot=slot, status=status, voters=voters, comment=" ".join(rest)
    )


def _incident(station: str, rest: list[str]) -> Parsed | ParseError:
    if not rest:
        return ParseError(
            "incident_kind_missing",
            "Name the incident: SHOOTING, EXPLOSION, FRAUD, CROWD, OBSTRUCTION or OTHER.",
            "سمّ الحادث: اطلاق أو انفجار أو تزوير أو تجمهر أو منع أو اخرى.",
        )
    kind = _lookup(INCIDENT_KINDS, normalize(rest[0]))
    if kind is None:
        return ParseError(
            "incident_kind_unknown",
            f"'{rest[0]}' is not an incident kind: "
            "SHOOTING, EXPLOSION, FRAUD, CROWD, OBSTRUCTION or OTHER.",
            f"«{rest[0]}» ليس نوع حادث: اطلاق أو انفجار أو تزوير أو تجمهر أو منع أو اخرى.",
        )
    rest = rest[1:]
    severity = 2
    if rest and (number := _number(rest[0])) is not None:
        if not 1 <= number <= 4:
            return ParseError(
                "severity_range",
                f"Severity {number} is outside 1 to 4.",
                f"الخطورة {number} خارج المدى من ١ إلى ٤.",
            )
        severity, rest = number, rest[1:]
    return Parsed(
        "incident", station, incident_kind=kind, severity=severity, comment=" ".join(rest)
    )
