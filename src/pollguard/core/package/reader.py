"""Reading and validating an election package folder (docs/election-package.md).

`read_package` returns the typed `ElectionPackage` or raises `InvalidInput` carrying every
problem found in one pass over every file, so a user fixes a spreadsheet once rather than
once per error. Nothing a user's file contains may escape as a traceback: every defect
becomes a `Problem` located by file, line and column.

Reading order matters only for references: election.yaml (agencies, encoding), then
sectors, districts, centers, stations, units, personnel, the special register, incidents
and intelligence. When a referenced file could not be read at all, references to it are
not checked, so one missing file does not bury the user under thousands of echoes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pollguard.core.arabic import parse_int, parse_number, to_western_digits
from pollguard.core.model import (
    PACKAGE_FORMAT_VERSION,
    SECTORS_EACH,
    SECTORS_GOVERNORATE,
    SWEEP_KINDS,
    Agency,
    Ballot,
    BallotEntity,
    Center,
    CenterKind,
    Component,
    District,
    DutyPolicy,
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
    TaskAnchor,
    TaskPhase,
    TaskTemplate,
    Unit,
    UnitKind,
)
from pollguard.core.package import messages as _messages  # registers the catalog
from pollguard.core.package.areas import AREAS_FILE, read_areas
from pollguard.core.package.tables import (
    Table,
    decode_text,
    files_by_lower_name,
    find_table_file,
    read_table,
)
from pollguard.core.package.yamltree import YAML_FILE, YMap, YNode, YScalar, YSeq, parse_yaml
from pollguard.core.problems import InvalidInput, Problem

del _messages

T = TypeVar("T")
E = TypeVar("E", bound=enum.StrEnum)

# Encodings a package may declare, by the names people write, to Python codec names.
ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "windows-1256": "cp1256",
    "cp1256": "cp1256",
}

UNIT_KINDS = ", ".join(k.value for k in UnitKind)
CENTER_KINDS = ", ".join(k.value for k in CenterKind)
SWEEP_KIND_NAMES = ", ".join(sorted(k.value for k in SWEEP_KINDS))


# --- values ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """The allowed range of a number; the message kind says it in the user's terms."""

    kind: str  # "any" | "nonneg" | "positive" | "min" | "range"
    lo: float = 0.0
    hi: float = 0.0


ANY = Rule("any")
NONNEG = Rule("nonneg")
POSITIVE = Rule("positive")
AT_LEAST_1 = Rule("min", 1)
UNIT_INTERVAL = Rule("range", 0, 1)
LATITUDE = Rule("range", -90, 90)
LONGITUDE = Rule("range", -180, 180)


class Bad(Exception):
    """A value that does not fit; becomes a Problem where the location is known."""

    def __init__(self, kind: str, **params: object) -> None:
        super().__init__(kind)
        self.kind = kind
        self.params = params


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def check_rule(value: float, raw: str, rule: Rule) -> None:
    """Raise Bad when `value` breaks `rule`."""
    if rule.kind == "nonneg" and value < 0:
        raise Bad("negative", value=raw)
    if rule.kind == "positive" and value <= 0:
        raise Bad("not_positive", value=raw)
    if rule.kind == "min" and value < rule.lo:
        raise Bad("too_small", value=raw, min=_fmt(rule.lo))
    if rule.kind == "range" and not rule.lo <= value <= rule.hi:
        raise Bad("out_of_range", value=raw, min=_fmt(rule.lo), max=_fmt(rule.hi))


def to_number(raw: str, rule: Rule = ANY) -> float:
    try:
        value = parse_number(raw)
    except ValueError:
        raise Bad("not_a_number", value=raw) from None
    check_rule(value, raw, rule)
    return value


def to_integer(raw: str, rule: Rule = ANY) -> int:
    try:
        value = parse_int(raw)
    except ValueError:
        try:
            parse_number(raw)
        except ValueError:
            raise Bad("not_a_number", value=raw) from None
        raise Bad("not_an_integer", value=raw) from None
    check_rule(value, raw, rule)
    return value


def to_date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(to_western_digits(raw).strip())
    except ValueError:
        raise Bad("bad_date", value=raw) from None


def to_time(raw: str) -> dt.time:
    try:
        value = dt.time.fromisoformat(to_western_digits(raw).strip())
    except ValueError:
        raise Bad("bad_time", value=raw) from None
    if value.tzinfo is not None:
        raise Bad("bad_time", value=raw)  # local times of the election's own time zone
    return value


def to_datetime(raw: str, tz: dt.tzinfo, *, date_only_ok: bool = False) -> dt.datetime:
    """An aware datetime; a time without offset is read in the election's time zone."""
    text = to_western_digits(raw).strip()
    try:
        if date_only_ok and len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime(day.year, day.month, day.day, tzinfo=tz)
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise Bad("bad_date" if date_only_ok else "bad_datetime", value=raw) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


# --- problems --------------------------------------------------------------------------


class Collector:
    """Accumulates problems across the whole package."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self, file: str, line: int | None, kind: str, column: str | None = None, **params: object
    ) -> None:
        self.problems.append(Problem(file, line, kind, params, column))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)


# --- election.yaml ---------------------------------------------------------------------

_TYPE_NAMES: dict[type, tuple[str, str]] = {
    YMap: ("a mapping of keys to values", "مجموعة من المفاتيح والقيم"),
    YSeq: ("a list", "قائمة"),
    YScalar: ("a single value", "قيمة مفردة"),
}


# --- text limits (docs/election-package.md, "Text") -----------------------------------------

# Longest text per column. Codes and references name rows; names are shown on every page;
# descriptions and summaries are free text. Everything else (numbers, dates, kinds) is short.
CODE_MAX = 64
NAME_MAX = 200
FREE_TEXT_MAX = 2000
YAML_TEXT_MAX = 100
CODE_COLUMNS = frozenset(
    {"code", "id", "sector", "agency", "unit", "center", "district", "subdistrict",
     "special_center", "component"}
)  # fmt: skip
FREE_TEXT_COLUMNS = frozenset({"description", "summary", "text", "notes"})
# Bidi embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069): they
# reorder what a reader sees ("Trojan Source"), so a name could display as another. The
# marks U+200E/U+200F/U+061C only hint at direction, reorder nothing, and Arabic keyboards
# type them: allowed (and stripped at the edges of a cell).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def column_max(column: str) -> int:
    if column in CODE_COLUMNS:
        return CODE_MAX
    if column in FREE_TEXT_COLUMNS:
        return FREE_TEXT_MAX
    return NAME_MAX


def text_problem(value: str, maximum: int) -> tuple[str, dict[str, object]] | None:
    """("text_too_long" | "bidi_control", params) for a cell that breaks the rules, else None."""
    for char in value:
        if char in BIDI_CONTROLS:
            return "bidi_control", {"codepoint": f"U+{ord(char):04X}"}
    if len(value) > maximum:
        return "text_too_long", {"length": len(value), "maximum": maximum}
    return None


class YamlReader:
    """Typed access to election.yaml nodes that records a Problem for each defect."""

    def __init__(self, out: Collector) -> None:
        self.out = out
        self.tz: dt.tzinfo = dt.UTC

    def add(self, line: int | None, kind: str, path: str, **params: object) -> None:
        self.out.add(YAML_FILE, line, kind, path, **params)

    def expect(self, node: YNode | None, cls: type[T], path: str, line: int) -> T | None:
        if isinstance(node, cls):
            return node
        if node is None or (isinstance(node, YScalar) and node.value is None):
            return None
        en, ar = _TYPE_NAMES[cls]
        self.add(line, "wrong_type", path, expected=en, expected_ar=ar)
        return None

    def keys(
        self, m: YMap, path: str, allowed: Iterable[str], required: Iterable[str] = ()
    ) -> None:
        """Report keys that are not allowed (typos) and required keys that are missing."""
        allowed_list = list(allowed)
        for key, (line, _) in m.items.items():
            if key not in allowed_list:
                self.add(line, "unknown_key", _join(path, key), allowed=", ".join(allowed_list))
        for key in required:
            entry = m.items.get(key)
            if entry is None:
                self.add(m.line, "missing_key", _join(path, key))
            elif isinstance(entry[1], YScalar) and not (entry[1].value or "").strip():
                self.add(entry[0], "empty_key", _join(path, key))

    def raw(self, m: YMap, key: str) -> str | None:
        """The scalar text under `key` (None when absent, null, or not a scalar)."""
        entry = m.items.get(key)
        if entry is None:
            return None
        node = entry[1]
        if isinstance(node, YScalar):
            value = None if node.value is None else node.value.strip() or None
            maximum = CODE_MAX if key == "code" else YAML_TEXT_MAX
            if key in ("text_en", "text_ar"):  # a task template's instructions
                maximum = FREE_TEXT_MAX
            elif key in ("title_en", "title_ar"):
                maximum = NAME_MAX
            problem = text_problem(value, maximum) if value else None
            if problem is not None:
                self.add(entry[0], problem[0], key, **problem[1])
                return None
            return value
        return None

    def line(self, m: YMap, key: str) -> int:
        entry = m.items.get(key)
        return entry[0] if entry is not None else m.line

    def value(self, m: YMap, key: str, path: str, convert: Callable[[str], T], default: T) -> T:
        """Convert the scalar under `key`; on a bad value record it and return `default`."""
        entry = m.items.get(key)
        if entry is None:
            return default
        line, node = entry
        if not isinstance(node, YScalar):
            self.expect(node, YScalar, _join(path, key), line)
            return default
        if node.value is None or not node.value.strip():
            return default
        try:
            return convert(node.value.strip())
        except Bad as bad:
            self.add(line, bad.kind, _join(path, key), **bad.params)
            return default

    def text(self, m: YMap, key: str) -> str:
        return self.raw(m, key) or ""

    def number(self, m: YMap, key: str, path: str, default: float, rule: Rule = ANY) -> float:
        return self.value(m, key, path, lambda s: to_number(s, rule), default)

    def integer(self, m: YMap, key: str, path: str, default: int, rule: Rule = ANY) -> int:
        return self.value(m, key, path, lambda s: to_integer(s, rule), default)

    def names(self, m: YMap, path: str) -> tuple[str, str]:
        name_en, name_ar = self.text(m, "name_en"), self.text(m, "name_ar")
        if not name_en and not name_ar:
            self.add(m.line, "missing_name", path)
        return name_en, name_ar

    def section(self, root: YMap, key: str, path: str, cls: type[T]) -> T | None:
        entry = root.items.get(key)
        if entry is None:
            return None
        return self.expect(entry[1], cls, _join(path, key), entry[0])

    def mappings(self, seq: YSeq, path: str) -> list[YMap]:
        out = []
        for item in seq.items:
            m = self.expect(item, YMap, path, item.line)
            if m is not None:
                out.append(m)
        return out


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


@dataclass(slots=True)
class YamlResult:
    version: int
    encoding: str
    election: Election | None
    agencies: tuple[Agency, ...] | None
    policy: Policy | None
    # (line, code) of each sector a task template names: checked once sectors.csv is read.
    template_sectors: list[tuple[int, str]]


ROOT_KEYS = ("version", "encoding", "election", "ballot", "agencies", "policy")
ELECTION_KEYS = (
    "code",
    "name_en",
    "name_ar",
    "governorate",
    "timezone",
    "special_vote_date",
    "general_vote_date",
    "polls_open",
    "polls_close",
    "seats",
)
ELECTION_REQUIRED = (
    "code",
    "governorate",
    "timezone",
    "special_vote_date",
    "general_vote_date",
    "polls_open",
    "polls_close",
)
NAMED_KEYS = ("code", "name_en", "name_ar")
ROLE_KEYS = (
    "kinds",
    "base",
    "per_station",
    "risk_factor",
    "weight",
    "min_risk",
    "min_stations",
    "min_voters",
)
SWEEP_KEYS = (
    "window_start",
    "window_end",
    "road_factor",
    "speed_kmh",
    "minutes_base",
    "minutes_per_station",
    "k9_min_risk",
)
RISK_KEYS = (
    "weight_history",
    "weight_intel",
    "weight_remoteness",
    "weight_size",
    "history_half_life_days",
    "history_radius_km",
    "intel_half_life_days",
    "intel_radius_km",
    "remoteness_km",
    "size_voters",
)


def read_yaml(folder: Path, out: Collector) -> YamlResult | None:
    """Read election.yaml; None when it is missing or not even YAML."""
    path = files_by_lower_name(folder).get(YAML_FILE) or folder / YAML_FILE
    if not path.is_file():
        out.add(YAML_FILE, None, "missing_yaml")
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        out.add(YAML_FILE, None, "unreadable_file", detail=exc.strerror or "")
        return None
    text, problems = decode_text(data, YAML_FILE, "utf-8")
    if text is None:
        out.extend(problems)
        return None
    root_node, problems = parse_yaml(text)
    out.extend(problems)
    if root_node is None:
        return None
    y = YamlReader(out)
    root = y.expect(root_node, YMap, "election.yaml", root_node.line)
    if root is None:
        return None
    y.keys(root, "", ROOT_KEYS)

    version = _read_version(y, root)
    encoding = "utf-8"
    declared = y.raw(root, "encoding")
    if declared is not None:
        if declared.lower() in ENCODINGS:
            encoding = ENCODINGS[declared.lower()]
        else:
            y.add(y.line(root, "encoding"), "unknown_encoding", "encoding", value=declared)

    election = _read_election(y, root)
    agencies = _read_agencies(y, root)
    template_sectors: list[tuple[int, str]] = []
    policy = _read_policy(y, root, agencies, template_sectors)
    return YamlResult(version, encoding, election, agencies, policy, template_sectors)


def _read_version(y: YamlReader, root: YMap) -> int:
    supported = PACKAGE_FORMAT_VERSION
    entry = root.items.get("version")
    if entry is not None and not isinstance(entry[1], YScalar):
        y.expect(entry[1], YScalar, "version", entry[0])
        return supported
    if y.raw(root, "version") is None:
        line = root.items["version"][0] if "version" in root.items else None
        y.add(line, "missing_version", "version", supported=supported)
        return supported
    version = y.integer(root, "version", "", -1)
    if version != -1 and not 1 <= version <= supported:
        y.add(
            y.line(root, "version"),
            "unsupported_version",
            "version",
            value=version,
            supported=supported,
        )
    return version


def _read_election(y: YamlReader, root: YMap) -> Election | None:
    if "election" not in root.items:
        y.add(None, "missing_key", "election")
        return None
    m = y.section(root, "election", "", YMap)
    if m is None:
        node = root.items["election"][1]
        if isinstance(node, YScalar) and node.value is None:
            y.add(y.line(root, "election"), "empty_key", "election")
        return None
    p = "election"
    y.keys(m, p, ELECTION_KEYS, ELECTION_REQUIRED)
    name_en, name_ar = y.names(m, p)

    gov_code, gov_en, gov_ar = "", "", ""
    gov = y.section(m, "governorate", p, YMap)
    if gov is not None:
        y.keys(gov, f"{p}.governorate", NAMED_KEYS, ("code",))
        gov_code = y.text(gov, "code")
        gov_en, gov_ar = y.names(gov, f"{p}.governorate")

    tz_name = y.raw(m, "timezone")
    if tz_name is not None:
        try:
            y.tz = zoneinfo.ZoneInfo(tz_name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            y.add(y.line(m, "timezone"), "bad_timezone", f"{p}.timezone", value=tz_name)

    sentinel_day = dt.date(1, 1, 1)
    special = y.value(m, "special_vote_date", p, to_date, sentinel_day)
    general = y.value(m, "general_vote_date", p, to_date, sentinel_day)
    if sentinel_day not in (special, general) and special > general:
        y.add(
            y.line(m, "special_vote_date"),
            "vote_date_order",
            f"{p}.special_vote_date",
            special=special.isoformat(),
            general=general.isoformat(),
        )
    sentinel_time = dt.time(0, 0, 0, 1)
    polls_open = y.value(m, "polls_open", p, to_time, sentinel_time)
    polls_close = y.value(m, "polls_close", p, to_time, sentinel_time)
    if sentinel_time not in (polls_open, polls_close) and polls_close <= polls_open:
        y.add(
            y.line(m, "polls_close"),
            "polls_order",
            f"{p}.polls_close",
            open=polls_open.isoformat("minutes"),
            close=polls_close.isoformat("minutes"),
        )
    seats = y.integer(m, "seats", p, 0, NONNEG)
    ballot = _read_ballot(y, root)
    return Election(
        code=y.text(m, "code"),
        name_en=name_en,
        name_ar=name_ar,
        governorate_code=gov_code,
        governorate_en=gov_en,
        governorate_ar=gov_ar,
        timezone=tz_name or "",
        special_vote_date=special,
        general_vote_date=general,
        polls_open=polls_open,
        polls_close=polls_close,
        seats=seats,
        ballot=ballot,
    )


def _read_ballot(y: YamlReader, root: YMap) -> Ballot:
    m = y.section(root, "ballot", "", YMap)
    if m is None:
        return Ballot()
    y.keys(m, "ballot", ("components", "entities"))
    components: list[Component] = []
    codes: dict[str, int] = {}
    seq = y.section(m, "components", "ballot", YSeq)
    for item in y.mappings(seq, "ballot.components") if seq else []:
        p = "ballot.components"
        y.keys(item, p, (*NAMED_KEYS, "seats"), ("code",))
        code = y.text(item, "code")
        if code in codes:
            y.add(item.line, "duplicate_key", f"{p}.code", value=code, first_line=codes[code])
        elif code:
            codes[code] = item.line
        name_en, name_ar = y.names(item, p)
        seats = y.integer(item, "seats", p, 0, NONNEG)
        components.append(Component(code, name_en, name_ar, seats))
    entities: list[BallotEntity] = []
    numbers: dict[int, int] = {}
    seq = y.section(m, "entities", "ballot", YSeq)
    for item in y.mappings(seq, "ballot.entities") if seq else []:
        p = "ballot.entities"
        y.keys(item, p, ("number", "name_en", "name_ar", "component"), ("number",))
        number = y.integer(item, "number", p, -1, AT_LEAST_1)
        if number in numbers:
            y.add(
                y.line(item, "number"),
                "duplicate_key",
                f"{p}.number",
                value=number,
                first_line=numbers[number],
            )
        elif number != -1:
            numbers[number] = y.line(item, "number")
        name_en, name_ar = y.names(item, p)
        component = y.raw(item, "component")
        if component is not None and component not in codes:
            y.add(y.line(item, "component"), "unknown_component", f"{p}.component", value=component)
        entities.append(BallotEntity(number, name_en, name_ar, component))
    return Ballot(tuple(entities), tuple(components))


def _read_agencies(y: YamlReader, root: YMap) -> tuple[Agency, ...] | None:
    if "agencies" not in root.items:
        y.add(None, "missing_key", "agencies")
        return None
    seq = y.section(root, "agencies", "", YSeq)
    if seq is None:
        if y.raw(root, "agencies") is None and isinstance(root.items["agencies"][1], YScalar):
            y.add(y.line(root, "agencies"), "empty_section", "agencies")
        return None
    if not seq.items:
        y.add(y.line(root, "agencies"), "empty_section", "agencies")
    agencies: list[Agency] = []
    codes: dict[str, int] = {}
    for item in y.mappings(seq, "agencies"):
        y.keys(item, "agencies", NAMED_KEYS, ("code",))
        code = y.text(item, "code")
        if code in codes:
            y.add(item.line, "duplicate_key", "agencies.code", value=code, first_line=codes[code])
        elif code:
            codes[code] = item.line
        name_en, name_ar = y.names(item, "agencies")
        agencies.append(Agency(code, name_en, name_ar))
    return tuple(agencies)


def _unit_kind(raw: str) -> UnitKind:
    try:
        return UnitKind(raw.strip().lower())
    except ValueError:
        raise Bad("unknown_unit_kind", value=raw, allowed=UNIT_KINDS) from None


def _read_role(y: YamlReader, name: str, line: int, node: YNode) -> RolePolicy | None:
    p = f"policy.roles.{name}"
    m = y.expect(node, YMap, p, line)
    if m is None:
        if isinstance(node, YScalar):  # "inner_cordon:" with nothing under it
            y.add(line, "missing_key", f"{p}.base")
        return None
    y.keys(m, p, ROLE_KEYS, ("kinds", "base"))
    kinds: set[UnitKind] = set()
    entry = m.items.get("kinds")
    if entry is not None:
        kinds_line, kinds_node = entry
        if isinstance(kinds_node, YScalar) and kinds_node.value:
            items: list[YNode] = [kinds_node]  # "kinds: police" means [police]
        else:
            seq = y.expect(kinds_node, YSeq, f"{p}.kinds", kinds_line)
            items = seq.items if seq else []
        for item in items:
            value = y.expect(item, YScalar, f"{p}.kinds", item.line)
            if value is None or value.value is None:
                continue
            try:
                kinds.add(_unit_kind(value.value))
            except Bad as bad:
                y.add(item.line, bad.kind, f"{p}.kinds", **bad.params)
        if not items:
            y.add(kinds_line, "empty_section", f"{p}.kinds")
    base = y.number(m, "base", p, 0.0, NONNEG)
    min_risk = y.value(m, "min_risk", p, lambda s: to_number(s, UNIT_INTERVAL), None)
    min_stations = y.value(m, "min_stations", p, lambda s: to_integer(s, NONNEG), None)
    min_voters = y.value(m, "min_voters", p, lambda s: to_integer(s, NONNEG), None)
    return RolePolicy(
        kinds=frozenset(kinds),
        base=base,
        per_station=y.number(m, "per_station", p, 0.0, NONNEG),
        risk_factor=y.number(m, "risk_factor", p, 0.0, NONNEG),
        weight=y.number(m, "weight", p, 1.0, POSITIVE),
        min_risk=min_risk,
        min_stations=min_stations,
        min_voters=min_voters,
    )


def _read_sweep(y: YamlReader, policy: YMap) -> SweepPolicy | None:
    p = "policy.sweep"
    if "sweep" not in policy.items:
        y.add(policy.line, "missing_key", p)
        return None
    m = y.section(policy, "sweep", "policy", YMap)
    if m is None:
        y.add(y.line(policy, "sweep"), "missing_key", f"{p}.window_start")
        return None
    y.keys(m, p, SWEEP_KEYS, ("window_start", "window_end"))
    tz = y.tz
    start = y.value(m, "window_start", p, lambda s: to_datetime(s, tz), None)
    end = y.value(m, "window_end", p, lambda s: to_datetime(s, tz), None)
    if start is not None and end is not None and end <= start:
        y.add(
            y.line(m, "window_end"),
            "sweep_window_order",
            f"{p}.window_end",
            start=start.isoformat(),
            end=end.isoformat(),
        )
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    defaults = SweepPolicy(never, never)
    speeds = dict(defaults.speed_kmh)
    speed_map = y.section(m, "speed_kmh", p, YMap)
    if speed_map is not None:
        for key, (line, _) in speed_map.items.items():
            path = f"{p}.speed_kmh"
            try:
                kind = _unit_kind(key)
            except Bad as bad:
                y.add(line, bad.kind, path, **bad.params)
                continue
            if kind not in SWEEP_KINDS:
                y.add(line, "not_a_sweep_kind", path, value=key, allowed=SWEEP_KIND_NAMES)
                continue
            speeds[kind] = y.number(speed_map, key, path, speeds[kind], POSITIVE)
    if start is None or end is None:
        return None
    return SweepPolicy(
        window_start=start,
        window_end=end,
        road_factor=y.number(m, "road_factor", p, defaults.road_factor, AT_LEAST_1),
        speed_kmh=speeds,
        minutes_base=y.number(m, "minutes_base", p, defaults.minutes_base, NONNEG),
        minutes_per_station=y.number(
            m, "minutes_per_station", p, defaults.minutes_per_station, NONNEG
        ),
        k9_min_risk=y.number(m, "k9_min_risk", p, defaults.k9_min_risk, UNIT_INTERVAL),
    )


def _read_risk(y: YamlReader, policy: YMap) -> RiskPolicy:
    d = RiskPolicy()
    m = y.section(policy, "risk", "policy", YMap)
    if m is None:
        return d
    p = "policy.risk"
    y.keys(m, p, RISK_KEYS)
    return RiskPolicy(
        weight_history=y.number(m, "weight_history", p, d.weight_history, NONNEG),
        weight_intel=y.number(m, "weight_intel", p, d.weight_intel, NONNEG),
        weight_remoteness=y.number(m, "weight_remoteness", p, d.weight_remoteness, NONNEG),
        weight_size=y.number(m, "weight_size", p, d.weight_size, NONNEG),
        history_half_life_days=y.number(
            m, "history_half_life_days", p, d.history_half_life_days, POSITIVE
        ),
        history_radius_km=y.number(m, "history_radius_km", p, d.history_radius_km, POSITIVE),
        intel_half_life_days=y.number(
            m, "intel_half_life_days", p, d.intel_half_life_days, POSITIVE
        ),
        intel_radius_km=y.number(m, "intel_radius_km", p, d.intel_radius_km, POSITIVE),
        remoteness_km=y.number(m, "remoteness_km", p, d.remoteness_km, POSITIVE),
        size_voters=y.integer(m, "size_voters", p, d.size_voters, POSITIVE),
    )


DUTY_KEYS = ("start", "end")
TEMPLATE_KEYS = (
    "code",
    "phase",
    "kind",
    "agency",
    "sectors",
    "anchor",
    "start",
    "due",
    "title_en",
    "title_ar",
    "text_en",
    "text_ar",
)
TASK_PHASES = ", ".join(p.value for p in TaskPhase)
TASK_ANCHORS = ", ".join(a.value for a in TaskAnchor)
_OFFSET = re.compile(r"^([+-])?\s*(?:(\d{1,3})\s*h)?\s*(?:(\d{1,4})\s*m)?$")


def to_offset(raw: str) -> int:
    """Minutes from `-13h`, `+1h30m`, `90m`, `-2h` or `0`; `Bad("bad_offset")` otherwise."""
    text = to_western_digits(raw).strip().lower()
    if text in ("0", "+0", "-0"):
        return 0
    match = _OFFSET.match(text)
    if match is None or not (match.group(2) or match.group(3)):
        raise Bad("bad_offset", value=raw)
    minutes = int(match.group(2) or 0) * 60 + int(match.group(3) or 0)
    return -minutes if match.group(1) == "-" else minutes


def _read_duty(y: YamlReader, policy: YMap) -> DutyPolicy:
    d = DutyPolicy()
    m = y.section(policy, "duty", "policy", YMap)
    if m is None:
        return d
    p = "policy.duty"
    y.keys(m, p, DUTY_KEYS)
    return DutyPolicy(
        start_minutes=y.value(m, "start", p, to_offset, d.start_minutes),
        end_minutes=y.value(m, "end", p, to_offset, d.end_minutes),
    )


def _enum_value(
    y: YamlReader, m: YMap, key: str, path: str, cls: type[E], allowed: str
) -> E | None:
    raw = y.raw(m, key)
    if raw is None:
        return None
    try:
        return cls(raw.strip().lower())
    except ValueError:
        y.add(y.line(m, key), "unknown_choice", _join(path, key), value=raw, allowed=allowed)
        return None


def _read_template(
    y: YamlReader,
    m: YMap,
    agencies: tuple[Agency, ...] | None,
    codes: dict[str, int],
    template_sectors: list[tuple[int, str]],
) -> TaskTemplate | None:
    p = "policy.task_templates"
    y.keys(m, p, TEMPLATE_KEYS, ("code", "phase"))
    code = y.text(m, "code")
    if code in codes:
        y.add(m.line, "duplicate_key", f"{p}.code", value=code, first_line=codes[code])
    elif code:
        codes[code] = m.line
    title_en, title_ar = y.text(m, "title_en"), y.text(m, "title_ar")
    if not title_en and not title_ar:
        y.add(m.line, "missing_key", f"{p}.title_ar")
    phase = _enum_value(y, m, "phase", p, TaskPhase, TASK_PHASES)
    anchor = _enum_value(y, m, "anchor", p, TaskAnchor, TASK_ANCHORS) or TaskAnchor.POLLS_OPEN
    kind = y.value(m, "kind", p, _unit_kind, None)
    agency = y.raw(m, "agency")
    if agency is not None and agencies is not None and agency not in {a.code for a in agencies}:
        y.add(
            y.line(m, "agency"), "unknown_reference", f"{p}.agency", value=agency, target="agencies"
        )
    sectors: str | tuple[str, ...] = SECTORS_GOVERNORATE
    entry = m.items.get("sectors")
    if entry is not None:
        line, node = entry
        if isinstance(node, YScalar):
            value = (node.value or "").strip().lower()
            if value in (SECTORS_EACH, SECTORS_GOVERNORATE):
                sectors = value
            elif value:
                y.add(line, "bad_task_sectors", f"{p}.sectors", value=node.value)
        else:
            seq = y.expect(node, YSeq, f"{p}.sectors", line)
            listed = []
            for item in seq.items if seq else []:
                scalar = y.expect(item, YScalar, f"{p}.sectors", item.line)
                if scalar is not None and scalar.value and scalar.value.strip():
                    listed.append(scalar.value.strip())
                    template_sectors.append((item.line, scalar.value.strip()))
            if not listed:
                y.add(line, "empty_section", f"{p}.sectors")
            sectors = tuple(listed)
    start = y.value(m, "start", p, to_offset, 0)
    due = y.value(m, "due", p, to_offset, start)
    if due < start:
        y.add(y.line(m, "due"), "task_due_before_start", f"{p}.due", code=code)
    if phase is None:
        return None
    return TaskTemplate(
        code=code,
        phase=phase,
        title_en=title_en,
        title_ar=title_ar,
        anchor=anchor,
        start_minutes=start,
        due_minutes=due,
        kind=kind,
        agency=agency,
        sectors=sectors,
        text_en=y.text(m, "text_en"),
        text_ar=y.text(m, "text_ar"),
    )


def _read_templates(
    y: YamlReader,
    policy: YMap,
    agencies: tuple[Agency, ...] | None,
    template_sectors: list[tuple[int, str]],
) -> tuple[TaskTemplate, ...]:
    seq = y.section(policy, "task_templates", "policy", YSeq)
    if seq is None:
        return ()
    codes: dict[str, int] = {}
    out = []
    for m in y.mappings(seq, "policy.task_templates"):
        template = _read_template(y, m, agencies, codes, template_sectors)
        if template is not None:
            out.append(template)
    return tuple(out)


def _read_policy(
    y: YamlReader,
    root: YMap,
    agencies: tuple[Agency, ...] | None = None,
    template_sectors: list[tuple[int, str]] | None = None,
) -> Policy | None:
    if "policy" not in root.items:
        y.add(None, "missing_key", "policy")
        return None
    m = y.section(root, "policy", "", YMap)
    if m is None:
        y.add(y.line(root, "policy"), "missing_key", "policy.roles")
        return None
    y.keys(m, "policy", ("risk_weight", "roles", "sweep", "risk", "duty", "task_templates"))
    risk_weight = y.number(m, "risk_weight", "policy", 1.0, NONNEG)
    roles: dict[str, RolePolicy] = {}
    complete = True
    if "roles" not in m.items:
        y.add(m.line, "missing_key", "policy.roles")
        complete = False
    else:
        roles_map = y.section(m, "roles", "policy", YMap)
        if roles_map is None or not roles_map.items:
            y.add(y.line(m, "roles"), "empty_section", "policy.roles")
            complete = False
        else:
            for name, (line, node) in roles_map.items.items():
                role = _read_role(y, name, line, node)
                if role is None:
                    complete = False
                else:
                    roles[name] = role
    sweep = _read_sweep(y, m)
    risk = _read_risk(y, m)
    duty = _read_duty(y, m)
    templates = _read_templates(
        y, m, agencies, [] if template_sectors is None else template_sectors
    )
    if sweep is None or not complete:
        return None
    return Policy(
        roles=roles,
        sweep=sweep,
        risk=risk,
        risk_weight=risk_weight,
        duty=duty,
        task_templates=templates,
    )


# --- CSV / XLSX files ------------------------------------------------------------------


class Rows:
    """Walks the rows of one table, typing cells and recording a Problem per defect."""

    def __init__(self, table: Table, out: Collector, required: Iterable[str]) -> None:
        self.table = table
        self.out = out
        self.file = table.file
        self.columns = frozenset(table.columns)
        self.line = 0
        self.row: dict[str, str] = {}
        self.ok = True
        found = ", ".join(c for c in table.columns if c) or "-"
        if len(table.columns) == 1 and (";" in found or "\t" in found):
            required = ()  # reported once as wrong_delimiter
        for column in required:
            if column not in self.columns:
                out.add(self.file, table.header_line, "missing_column", column, found=found)

    def __iter__(self) -> Rows:
        self._it = iter(self.table.rows)
        return self

    def __next__(self) -> Rows:
        self.line, self.row = next(self._it)
        self.ok = True
        for column, value in self.row.items():
            problem = text_problem(value, column_max(column)) if value else None
            if problem is not None:
                self.bad(problem[0], column, **problem[1])
        return self

    def bad(self, kind: str, column: str | None, **params: object) -> None:
        self.out.add(self.file, self.line, kind, column, **params)
        self.ok = False

    def text(self, column: str) -> str:
        """A required cell (empty -> problem); a missing column was reported once."""
        value = self.row.get(column)
        if value is None:
            self.ok = False  # the missing column was reported once, on the header
            return ""
        if not value:
            self.bad("missing_value", column)
        return value

    def optional(self, column: str) -> str | None:
        return self.row.get(column) or None

    def names(self) -> tuple[str, str]:
        name_en, name_ar = self.row.get("name_en", ""), self.row.get("name_ar", "")
        if not name_en and not name_ar and {"name_en", "name_ar"} & self.columns:
            self.bad("missing_name", None)
        return name_en, name_ar

    def convert(self, column: str, convert: Callable[[str], T], required: bool) -> T | None:
        raw = self.row.get(column)
        if not raw:
            if required:
                self.text(column)
            return None
        try:
            return convert(raw)
        except Bad as bad:
            self.bad(bad.kind, column, **bad.params)
            return None

    def number(self, column: str, rule: Rule = ANY, *, required: bool = True) -> float | None:
        return self.convert(column, lambda s: to_number(s, rule), required)

    def integer(self, column: str, rule: Rule = ANY, *, required: bool = True) -> int | None:
        return self.convert(column, lambda s: to_integer(s, rule), required)

    def unique(self, column: str, value: str, seen: dict[str, int]) -> None:
        if not value:
            return
        first = seen.get(value)
        if first is not None:
            self.bad("duplicate_code", column, value=value, first_line=first)
        else:
            seen[value] = self.line

    def reference(self, column: str, value: str | None, known: Known) -> None:
        """Check that `value` is a code of `known` (skipped when that file was unreadable)."""
        if value and known.codes is not None and value not in known.codes:
            self.bad("unknown_reference", column, value=value, target=known.file)


@dataclass(slots=True)
class Known:
    """The codes of one file, for reference checks; `codes` None when it could not be read."""

    file: str
    codes: dict[str, int] | None


def _known(table: Table | None, name: str, codes: dict[str, int], key: str = "code") -> Known:
    if table is None:
        return Known(f"{name}.csv", None)
    # Without its code column a file's codes are unknown, not empty: checking references
    # against it would only echo the one missing-column problem on every row.
    return Known(table.file, codes if key in table.columns else None)


class TableReader:
    """Reads the package's tables in dependency order, checking references as it goes.

    Each method reads one file and records the codes later files refer to. A file that
    could not be read leaves its `Known.codes` as None, which turns reference checks
    against it off (see the module docstring).
    """

    def __init__(
        self,
        folder: Path,
        encoding: str,
        agencies: Iterable[Agency] | None,
        tz: dt.tzinfo,
        out: Collector,
    ) -> None:
        self.folder = folder
        self.encoding = encoding
        self.tz = tz
        self.out = out
        agency_codes = None if agencies is None else {a.code: 0 for a in agencies}
        self.agencies = Known("election.yaml (agencies)", agency_codes)
        self.sectors = Known("sectors.csv", None)
        self.districts = Known("districts.csv", None)
        self.centers = Known("centers.csv", None)
        self.units = Known("units.csv", None)
        self.district_parent: dict[str, str | None] = {}
        self.center_kind: dict[str, CenterKind] = {}
        # center code -> (its line in centers.csv, its declared number of stations)
        self.center_stations: dict[str, tuple[int, int]] = {}

    def load(self, name: str, *, required: bool) -> Table | None:
        path, problems = find_table_file(self.folder, name)
        self.out.extend(problems)
        if path is None:
            if required and not problems:
                self.out.add(f"{name}.csv", None, "missing_file", name=name)
            return None
        table, problems = read_table(path, self.encoding)
        self.out.extend(problems)
        if table is not None and required and not table.rows:
            self.out.add(table.file, None, "no_rows")
        return table

    def read_sectors(self) -> list[Sector]:
        sectors: list[Sector] = []
        codes: dict[str, int] = {}
        table = self.load("sectors", required=True)
        if table is not None:
            for r in Rows(table, self.out, ("code", "name_en", "name_ar")):
                code = r.text("code")
                r.unique("code", code, codes)
                name_en, name_ar = r.names()
                if r.ok:
                    sectors.append(Sector(code, name_en, name_ar))
        self.sectors = _known(table, "sectors", codes)
        return sectors

    def read_districts(self) -> list[District]:
        districts: list[District] = []
        codes: dict[str, int] = {}
        table = self.load("districts", required=False)
        if table is not None:
            parents: list[tuple[int, str]] = []
            for r in Rows(table, self.out, ("code", "name_en", "name_ar", "parent")):
                code = r.text("code")
                r.unique("code", code, codes)
                name_en, name_ar = r.names()
                parent = r.optional("parent")
                if parent:
                    parents.append((r.line, parent))
                if r.ok:
                    districts.append(District(code, name_en, name_ar, parent))
                    self.district_parent[code] = parent
            # Parents are checked after the whole file: a district may follow its nahiyas.
            for line, parent in parents:
                if parent not in codes:
                    self.out.add(
                        table.file,
                        line,
                        "unknown_reference",
                        "parent",
                        value=parent,
                        target=table.file,
                    )
                elif self.district_parent.get(parent) is not None:
                    self.out.add(table.file, line, "not_a_district", "parent", value=parent)
        self.districts = _known(table, "districts", codes)
        return districts

    def read_centers(self) -> list[Center]:
        centers: list[Center] = []
        codes: dict[str, int] = {}
        table = self.load("centers", required=True)
        if table is not None:
            required = ("code", "name_en", "name_ar", "sector", "lat", "lon", "stations", "voters")
            for r in Rows(table, self.out, required):
                code = r.text("code")
                r.unique("code", code, codes)
                name_en, name_ar = r.names()
                sector = r.text("sector")
                r.reference("sector", sector, self.sectors)
                lat = r.number("lat", LATITUDE)
                lon = r.number("lon", LONGITUDE)
                stations = r.integer("stations", AT_LEAST_1)
                voters = r.integer("voters", NONNEG)
                risk = r.number("risk", UNIT_INTERVAL, required=False)
                district = r.optional("district")
                subdistrict = r.optional("subdistrict")
                self.check_district(r, district, subdistrict)
                kind = self.center_kind_of(r)
                if code and kind:
                    self.center_kind.setdefault(code, kind)
                if code and stations is not None:
                    self.center_stations.setdefault(code, (r.line, stations))
                if not (r.ok and kind and lat is not None and lon is not None):
                    continue
                if stations is None or voters is None:
                    continue
                centers.append(
                    Center(
                        code=code,
                        name_en=name_en,
                        name_ar=name_ar,
                        sector=sector,
                        lat=lat,
                        lon=lon,
                        stations=stations,
                        voters=voters,
                        risk=risk,
                        district=district,
                        subdistrict=subdistrict,
                        kind=kind,
                    )
                )
        self.centers = _known(table, "centers", codes)
        return centers

    @staticmethod
    def center_kind_of(r: Rows) -> CenterKind | None:
        raw = r.optional("kind")
        if not raw:
            return CenterKind.GENERAL
        try:
            return CenterKind(raw.lower())
        except ValueError:
            r.bad("unknown_center_kind", "kind", value=raw, allowed=CENTER_KINDS)
            return None

    def check_district(self, r: Rows, district: str | None, subdistrict: str | None) -> None:
        """A center's district must be a district, its subdistrict one of that district's."""
        r.reference("district", district, self.districts)
        r.reference("subdistrict", subdistrict, self.districts)
        parent_of = self.district_parent
        if district and parent_of.get(district) is not None:
            r.bad("not_a_district", "district", value=district)
        if subdistrict and subdistrict in parent_of:
            parent = parent_of[subdistrict]
            if parent is None:
                r.bad("not_a_subdistrict", "subdistrict", value=subdistrict)
            elif district and parent != district:
                r.bad(
                    "subdistrict_mismatch",
                    "subdistrict",
                    value=subdistrict,
                    parent=parent,
                    district=district,
                )

    def read_stations(self) -> list[Station]:
        stations: list[Station] = []
        table = self.load("stations", required=False)
        if table is None:
            return stations
        codes: dict[str, int] = {}
        numbers: dict[tuple[str, int], int] = {}
        listed: dict[str, int] = {}
        for r in Rows(table, self.out, ("code", "center", "number", "voters")):
            code = r.text("code")
            r.unique("code", code, codes)
            center = r.text("center")
            r.reference("center", center, self.centers)
            number = r.integer("number", AT_LEAST_1)
            voters = r.integer("voters", NONNEG)
            if center:
                listed[center] = listed.get(center, 0) + 1
            if center and number is not None:
                first = numbers.setdefault((center, number), r.line)
                if first != r.line:
                    r.bad(
                        "duplicate_station_number",
                        "number",
                        value=number,
                        center=center,
                        first_line=first,
                    )
            if r.ok and number is not None and voters is not None:
                stations.append(Station(code, center, number, voters))
        # The file lists every station or is absent: a center with more or fewer rows than
        # its `stations` is a mistake in one of the two files, reported on the center.
        for center, (line, declared) in self.center_stations.items():
            count = listed.get(center, 0)
            if count != declared:
                self.out.add(
                    self.centers.file,
                    line,
                    "station_count_mismatch",
                    "stations",
                    value=center,
                    declared=declared,
                    listed=count,
                    target=table.file,
                )
        return stations

    def read_units(self) -> list[Unit]:
        units: list[Unit] = []
        codes: dict[str, int] = {}
        table = self.load("units", required=True)
        if table is not None:
            required = ("code", "agency", "kind", "headcount", "sector", "lat", "lon")
            for r in Rows(table, self.out, required):
                code = r.text("code")
                r.unique("code", code, codes)
                agency = r.text("agency")
                r.reference("agency", agency, self.agencies)
                kind = r.convert("kind", _unit_kind, required=True)
                headcount = r.integer("headcount", POSITIVE)
                sector = r.optional("sector")  # empty: a governorate reserve
                r.reference("sector", sector, self.sectors)
                lat = r.number("lat", LATITUDE)
                lon = r.number("lon", LONGITUDE)
                team_size = r.integer("team_size", POSITIVE, required=False)
                if team_size is not None and headcount is not None and team_size > headcount:
                    r.bad(
                        "team_larger_than_unit", "team_size", value=team_size, headcount=headcount
                    )
                max_distance = r.number("max_distance_km", POSITIVE, required=False)
                speed = r.number("speed_kmh", POSITIVE, required=False)
                if not (r.ok and kind is not None and headcount is not None):
                    continue
                if lat is None or lon is None:
                    continue
                units.append(
                    Unit(
                        code=code,
                        agency=agency,
                        kind=kind,
                        headcount=headcount,
                        sector=sector,
                        lat=lat,
                        lon=lon,
                        name_en=r.row.get("name_en", ""),
                        name_ar=r.row.get("name_ar", ""),
                        team_size=team_size,
                        max_distance_km=max_distance,
                        speed_kmh=speed,
                    )
                )
        self.units = _known(table, "units", codes)
        return units

    def read_personnel(self) -> list[Person]:
        personnel: list[Person] = []
        table = self.load("personnel", required=False)
        if table is not None:
            ids: dict[str, int] = {}
            for r in Rows(table, self.out, ("id", "name_ar", "unit")):
                pid = r.text("id")
                r.unique("id", pid, ids)
                name_ar = r.text("name_ar")
                unit = r.text("unit")
                r.reference("unit", unit, self.units)
                if r.ok:
                    personnel.append(Person(pid, name_ar, unit, r.row.get("name_en", "")))
        return personnel

    def read_special_register(self) -> list[SpecialVoter]:
        register: list[SpecialVoter] = []
        table = self.load("special_register", required=False)
        if table is not None:
            ids: dict[str, int] = {}
            for r in Rows(table, self.out, ("id", "name_ar", "special_center")):
                pid = r.text("id")
                r.unique("id", pid, ids)
                name_ar = r.text("name_ar")
                center = r.text("special_center")
                r.reference("special_center", center, self.centers)
                kind = self.center_kind.get(center)
                if kind is CenterKind.GENERAL:
                    r.bad(
                        "not_a_special_center",
                        "special_center",
                        value=center,
                        center_kind=kind.value,
                    )
                unit = r.optional("unit")
                r.reference("unit", unit, self.units)
                if r.ok:
                    name_en = r.row.get("name_en", "")
                    register.append(SpecialVoter(pid, name_ar, center, name_en, unit))
        return register

    def when(self, raw: str) -> dt.datetime:
        return to_datetime(raw, self.tz, date_only_ok=True)

    def read_incidents(self) -> list[PastIncident]:
        incidents: list[PastIncident] = []
        table = self.load("incidents_history", required=False)
        if table is not None:
            codes: dict[str, int] = {}
            required = ("code", "date", "lat", "lon", "kind", "severity")
            for r in Rows(table, self.out, required):
                code = r.text("code")
                r.unique("code", code, codes)
                when = r.convert("date", self.when, required=True)
                lat = r.number("lat", LATITUDE)
                lon = r.number("lon", LONGITUDE)
                kind = r.text("kind")
                severity = r.number("severity", UNIT_INTERVAL)
                center = r.optional("center")
                r.reference("center", center, self.centers)
                if not (r.ok and when is not None and severity is not None):
                    continue
                if lat is None or lon is None:
                    continue
                description = r.row.get("description", "")
                incidents.append(
                    PastIncident(code, when, lat, lon, kind, severity, center, description)
                )
        return incidents

    def read_intel(self) -> list[IntelReport]:
        reports: list[IntelReport] = []
        table = self.load("intel", required=False)
        if table is not None:
            codes: dict[str, int] = {}
            required = ("code", "date", "center", "severity", "credibility")
            for r in Rows(table, self.out, required):
                code = r.text("code")
                r.unique("code", code, codes)
                when = r.convert("date", self.when, required=True)
                center = r.text("center")
                r.reference("center", center, self.centers)
                severity = r.number("severity", UNIT_INTERVAL)
                credibility = r.number("credibility", UNIT_INTERVAL)
                if not (r.ok and when is not None):
                    continue
                if severity is None or credibility is None:
                    continue
                summary = r.row.get("summary", "")
                reports.append(IntelReport(code, when, center, severity, credibility, summary))
        return reports


# --- entry points ----------------------------------------------------------------------


def _sort_key(problem: Problem) -> tuple[str, int]:
    return (problem.file, problem.line or 0)


def read_package_or_problems(path: Path) -> tuple[ElectionPackage | None, list[Problem]]:
    """The package and [] when valid; otherwise None and every problem, sorted."""
    path = Path(path)
    out = Collector()
    if not path.exists():
        out.add(str(path), None, "no_such_package", path=str(path))
        return None, out.problems
    if not path.is_dir():
        out.add(str(path), None, "not_a_folder", path=str(path))
        return None, out.problems
    meta = read_yaml(path, out)
    encoding = meta.encoding if meta else "utf-8"
    tz: dt.tzinfo = dt.UTC
    if meta is not None and meta.election is not None and meta.election.timezone:
        with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):  # reported
            tz = zoneinfo.ZoneInfo(meta.election.timezone)
    reader = TableReader(path, encoding, meta.agencies if meta else None, tz, out)
    sectors = reader.read_sectors()
    districts = reader.read_districts()
    centers = reader.read_centers()
    stations = reader.read_stations()
    units = reader.read_units()
    personnel = reader.read_personnel()
    register = reader.read_special_register()
    incidents = reader.read_incidents()
    intel = reader.read_intel()
    if meta is not None:
        known = {sector.code for sector in sectors}
        for line, code in meta.template_sectors:
            if code not in known:
                out.add(
                    YAML_FILE,
                    line,
                    "unknown_reference",
                    "policy.task_templates.sectors",
                    value=code,
                    target="sectors.csv",
                )

    def add_area_problem(
        line: int | None, kind: str, column: str | None, params: dict[str, object]
    ) -> None:
        out.add(AREAS_FILE, line, kind, column, **params)

    areas = read_areas(path, reader.sectors.codes, reader.districts.codes, add_area_problem)
    problems = sorted(out.problems, key=_sort_key)
    if problems or meta is None or meta.election is None or meta.policy is None:
        return None, problems
    assert meta.agencies is not None
    package = ElectionPackage(
        version=meta.version,
        election=meta.election,
        policy=meta.policy,
        agencies=meta.agencies,
        sectors=tuple(sectors),
        centers=tuple(centers),
        units=tuple(units),
        districts=tuple(districts),
        stations=tuple(stations),
        personnel=tuple(personnel),
        special_register=tuple(register),
        incidents_history=tuple(incidents),
        intel=tuple(intel),
        areas=tuple(areas),
    )
    return package, []


def validate_package(path: Path) -> list[Problem]:
    """Every problem of the package at `path`, sorted by file then line; [] when valid."""
    return read_package_or_problems(path)[1]


def read_package(path: Path) -> ElectionPackage:
    """The package at `path`, or InvalidInput listing every problem found."""
    package, problems = read_package_or_problems(path)
    if package is None:
        raise InvalidInput(problems)
    return package


def package_digest(path: Path) -> str:
    """SHA-256 over the package folder's files (names and bytes, sorted; hidden files skipped).

    Recorded when a package is loaded, so that a plan run can tell that the folder on disk
    is no longer the package the registry holds.
    """
    import hashlib

    root = Path(path)
    digest = hashlib.sha256()
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = file.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        digest.update(rel.as_posix().encode("utf-8") + b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
