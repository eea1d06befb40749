"""The content of a printed plan order: what one sector or one agency is ordered to do.

An order is read from a plan version's `pollguard.plan/1` document and the registry, in
one language, with times in the election's time zone. It says everything in plain words:
"inner cordon (search at the gate)", not `inner_cordon`; "20 more people are needed",
never the solver's terms (objective, bound, gap). The print page and the PDF render the
same `PlanOrder` (templates `planning/order_print.html`).

Decision where the plan is silent: the plan gives guard posts no times, so a post is on
duty from the end of its center's last sweep (a searched center stays sealed) or, if the
center is not swept, from `POST_BEFORE_OPEN` before the polls open on the general vote
day, until `POST_AFTER_CLOSE` after they close (the ballot boxes leave under guard).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pollguard.planning.choices import OrderScope, PlanState
from pollguard.planning.models import Plan
from pollguard.registry.choices import CenterKind
from pollguard.registry.models import Agency, Center, Sector, Unit
from pollguard.registry.templatetags.pollguard_ui import local_name

POST_BEFORE_OPEN = timedelta(hours=2)
POST_AFTER_CLOSE = timedelta(hours=2)

# The policy's role keys in plain words. A package may name other roles; those are shown
# with their key's words ("bridge_guard" → "bridge guard").
ROLE_WORDS = {
    "inner_cordon": gettext_lazy("inner cordon (search at the gate)"),
    "outer_cordon": gettext_lazy("outer cordon (perimeter and approach roads)"),
    "building_guard": gettext_lazy("building guard (inside the center)"),
    "traffic": gettext_lazy("traffic control (roads around the center)"),
    "civil_defense": gettext_lazy("civil defense standby (fire and rescue)"),
}
SWEEP_WORDS = {
    "eod": gettext_lazy("explosives search (EOD team)"),
    "k9": gettext_lazy("search with police dogs (K9 team)"),
}


def role_words(role: str) -> str:
    words = ROLE_WORDS.get(role)
    return str(words) if words is not None else role.replace("_", " ")


def sweep_words(kind: str) -> str:
    words = SWEEP_WORDS.get(kind)
    return str(words) if words is not None else kind.replace("_", " ")


@dataclass(frozen=True)
class Post:
    """One unit's guard post at one center."""

    unit_code: str
    unit_name: str
    agency_code: str
    agency_name: str
    role: str
    role_words: str
    headcount: int
    on_duty_from: datetime
    on_duty_to: datetime


@dataclass(frozen=True)
class SweepVisit:
    """One sweep team's search of one center."""

    team: str
    team_words: str
    unit_code: str
    unit_name: str
    agency_name: str
    kind_words: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class CenterOrder:
    code: str
    name: str
    stations: int
    voters: int
    posts: list[Post] = field(default_factory=list)
    sweeps: list[SweepVisit] = field(default_factory=list)
    shortfalls: list[str] = field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(p.headcount for p in self.posts)


@dataclass(frozen=True)
class SectorPart:
    """The centers of one sector (an agency order has one part per sector it serves)."""

    code: str
    name: str
    centers: list[CenterOrder]


@dataclass(frozen=True)
class UnitLine:
    """A unit named in the order, with what it deploys in it."""

    code: str
    name: str
    agency_name: str
    kind: str
    people: int
    centers: int
    sweeps: int


@dataclass(frozen=True)
class PlanOrder:
    """Everything a printed order shows, already in its language and time zone."""

    lang: str
    scope: OrderScope
    scope_code: str
    scope_name: str
    election_name: str
    governorate: str
    time_zone: str
    vote_date: date
    plan_version: int
    plan_state: PlanState
    plan_state_label: str
    approved_by: str
    approved_at: datetime | None
    order_date: date
    printed_at: datetime
    issuer_title: str
    receiver_title: str
    parts: list[SectorPart]
    units: list[UnitLine]

    @property
    def approved(self) -> bool:
        return self.plan_state is PlanState.APPROVED

    @property
    def people(self) -> int:
        return sum(c.people for p in self.parts for c in p.centers)

    @property
    def posts(self) -> int:
        return sum(len(c.posts) for p in self.parts for c in p.centers)

    @property
    def centers(self) -> int:
        return sum(len(p.centers) for p in self.parts)

    @property
    def filename(self) -> str:
        return f"plan-v{self.plan_version}-{self.scope.value}-{self.scope_code}-{self.lang}.pdf"


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _team_words(team: str, unit: str) -> str:
    """`U-0004#2` → "team 2 of U-0004"; a team that is the whole unit is the unit's code."""
    if "#" in team:
        number = team.rsplit("#", 1)[1]
        return _("team %(number)s of %(unit)s") % {"number": number, "unit": unit}
    return team


def _parse(value: str, tz: ZoneInfo) -> datetime:
    return datetime.fromisoformat(value).astimezone(tz)


def build_order(plan: Plan, scope: OrderScope, target: Sector | Agency, lang: str) -> PlanOrder:
    """The order for `target` (a sector or an agency) from `plan`, in `lang`.

    Three queries whatever the size of the plan: the election's centers, units (with
    their agencies) and sectors. Callers check access first (`order_access`).
    """
    with translation.override(lang):
        return _build(plan, scope, target, lang)


def _build(plan: Plan, scope: OrderScope, target: Sector | Agency, lang: str) -> PlanOrder:
    election = plan.election
    tz = ZoneInfo(election.timezone)
    document: Mapping[str, Any] = plan.document
    centers = {c.code: c for c in Center.objects.filter(election=election).select_related("sector")}
    units = {u.code: u for u in Unit.objects.filter(election=election).select_related("agency")}
    sectors = {s.code: s for s in Sector.objects.filter(election=election)}

    opens = datetime.combine(election.general_vote_date, election.polls_open, tzinfo=tz)
    closes = datetime.combine(election.general_vote_date, election.polls_close, tzinfo=tz)

    def in_scope_unit(code: str) -> bool:
        unit = units.get(code)
        if scope is OrderScope.AGENCY:
            return unit is not None and unit.agency_id == target.pk
        return True

    def in_scope_center(code: str) -> bool:
        if scope is OrderScope.SECTOR:
            center = centers.get(code)
            return center is not None and center.sector_id == target.pk
        return True

    sweeps_at: dict[str, list[SweepVisit]] = {}
    last_sweep_end: dict[str, datetime] = {}
    for sweep in document.get("sweeps", []):
        unit = units.get(sweep.get("unit", ""))
        for stop in sweep.get("stops", []):
            start, end = _parse(stop["start"], tz), _parse(stop["end"], tz)
            code = stop["center"]
            last_sweep_end[code] = max(end, last_sweep_end.get(code, end))
            if not (in_scope_center(code) and in_scope_unit(sweep.get("unit", ""))):
                continue
            sweeps_at.setdefault(code, []).append(
                SweepVisit(
                    team=sweep["team"],
                    team_words=_team_words(sweep["team"], sweep.get("unit", "")),
                    unit_code=sweep.get("unit", ""),
                    unit_name=local_name(unit) if unit is not None else "",
                    agency_name=local_name(unit.agency) if unit is not None else "",
                    kind_words=sweep_words(sweep.get("kind", "")),
                    start=start,
                    end=end,
                )
            )

    posts_at: dict[str, list[Post]] = {}
    for a in document.get("assignments", []):
        code, unit_code = a["center"], a["unit"]
        if not (in_scope_center(code) and in_scope_unit(unit_code)):
            continue
        unit = units.get(unit_code)
        swept = last_sweep_end.get(code)
        posts_at.setdefault(code, []).append(
            Post(
                unit_code=unit_code,
                unit_name=local_name(unit) if unit is not None else "",
                agency_code=unit.agency.code if unit is not None else "",
                agency_name=local_name(unit.agency) if unit is not None else "",
                role=a["role"],
                role_words=role_words(a["role"]),
                headcount=int(a["headcount"]),
                on_duty_from=min(swept, opens - POST_BEFORE_OPEN)
                if swept
                else opens - POST_BEFORE_OPEN,
                on_duty_to=closes + POST_AFTER_CLOSE,
            )
        )

    # Which centers the order covers: a sector order every polling center of the sector
    # (a center without a post is news for its commander); an agency order those where
    # the agency has a post or a sweep.
    if scope is OrderScope.SECTOR:
        codes = {
            c.code
            for c in centers.values()
            if c.sector_id == target.pk and c.active and c.kind == CenterKind.GENERAL
        } | {code for code in posts_at.keys() | sweeps_at.keys() if in_scope_center(code)}
    else:
        codes = set(posts_at) | set(sweeps_at)

    short_at: dict[str, list[str]] = {}
    for s in document.get("shortfalls", []):
        if s["center"] in codes and int(s["missing"]) > 0:
            short_at.setdefault(s["center"], []).append(
                _("%(missing)s more people are needed for the %(role)s.")
                % {"missing": int(s["missing"]), "role": role_words(s["role"])}
            )
    for g in document.get("sweep_shortfalls", []):
        if g["center"] in codes:
            short_at.setdefault(g["center"], []).append(
                _("No %(kind)s is planned for this center before the vote.")
                % {"kind": sweep_words(g["kind"])}
            )

    by_sector: dict[str, list[CenterOrder]] = {}
    for code in sorted(codes):
        center = centers.get(code)
        sector_code = center.sector.code if center is not None else ""
        posts = sorted(posts_at.get(code, []), key=lambda p: (p.role, p.unit_code))
        by_sector.setdefault(sector_code, []).append(
            CenterOrder(
                code=code,
                name=local_name(center) if center is not None else code,
                stations=center.stations_count if center is not None else 0,
                voters=center.voters if center is not None else 0,
                posts=posts,
                sweeps=sorted(sweeps_at.get(code, []), key=lambda v: v.start),
                shortfalls=short_at.get(code, []),
            )
        )
    parts = [
        SectorPart(
            code=code,
            name=local_name(sectors[code]) if code in sectors else code,
            centers=by_sector[code],
        )
        for code in sorted(by_sector)
    ]
    return PlanOrder(
        lang=lang,
        scope=scope,
        scope_code=target.code,
        scope_name=local_name(target),
        election_name=local_name(election),
        governorate=election.governorate_ar if lang == "ar" else election.governorate_en,
        time_zone=election.timezone,
        vote_date=election.general_vote_date,
        plan_version=plan.version,
        plan_state=PlanState(plan.state),
        plan_state_label=str(PlanState(plan.state).label),
        approved_by=_person(plan.decided_by) if plan.state != PlanState.RETURNED else "",
        approved_at=plan.decided_at.astimezone(tz)
        if plan.decided_at and plan.state in (PlanState.APPROVED, PlanState.SUPERSEDED)
        else None,
        order_date=(plan.decided_at or timezone.now()).astimezone(tz).date(),
        printed_at=timezone.now().astimezone(tz),
        issuer_title=_("Chair of the election security committee"),
        receiver_title=(
            _("Commander of the %(sector)s sector") % {"sector": local_name(target)}
            if scope is OrderScope.SECTOR
            else _("Liaison officer of %(agency)s") % {"agency": local_name(target)}
        ),
        parts=parts,
        units=_unit_lines(parts, units),
    )


def _unit_lines(parts: Iterable[SectorPart], units: Mapping[str, Unit]) -> list[UnitLine]:
    people: dict[str, int] = {}
    at: dict[str, set[str]] = {}
    sweeps: dict[str, int] = {}
    for part in parts:
        for center in part.centers:
            for post in center.posts:
                people[post.unit_code] = people.get(post.unit_code, 0) + post.headcount
                at.setdefault(post.unit_code, set()).add(center.code)
            for visit in center.sweeps:
                sweeps[visit.unit_code] = sweeps.get(visit.unit_code, 0) + 1
    lines = []
    for code in sorted(set(people) | set(sweeps)):
        unit = units.get(code)
        lines.append(
            UnitLine(
                code=code,
                name=local_name(unit) if unit is not None else code,
                agency_name=local_name(unit.agency) if unit is not None else "",
                kind=unit.get_kind_display() if unit is not None else "",
                people=people.get(code, 0),
                centers=len(at.get(code, ())),
                sweeps=sweeps.get(code, 0),
            )
        )
    return lines


# --- rendering ------------------------------------------------------------------------


def css_string(text: str) -> str:
    """`text` as a quoted CSS string (for the translated words of the page box)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_css(lang: str) -> str:
    """The `@page` rules with "page X of Y" in `lang` (Chromium ≥ 131 prints margin boxes)."""
    with translation.override(lang):
        # One translated sentence; its placeholders become the CSS counters.
        sentence = _("page %(page)s of %(pages)s") % {"page": "\0page\0", "pages": "\0pages\0"}
        pieces = []
        for i, piece in enumerate(sentence.split("\0")):
            if i % 2:
                pieces.append(f"counter({piece})")
            elif piece:
                pieces.append(css_string(piece))
        page_of = " ".join(pieces)
        return render_to_string("planning/order_page.css", {"page_of": page_of})


def order_css(lang: str) -> str:
    """Everything the PDF's page needs inline: the order's stylesheet and its page box."""
    path = finders.find("planning/css/order.css")
    assert isinstance(path, str)  # shipped with the app
    return Path(path).read_text(encoding="utf-8") + "\n" + page_css(lang)


def render_order_html(
    order: PlanOrder,
    *,
    for_pdf: bool,
    request: HttpRequest | None = None,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The order's page: with its toolbar for the browser, self-contained for the PDF."""
    with translation.override(order.lang), timezone.override(ZoneInfo(order.time_zone)):
        context = {
            "order": order,
            "for_pdf": for_pdf,
            "inline_css": order_css(order.lang) if for_pdf else "",
            **(extra or {}),
        }
        return render_to_string("planning/order_print.html", context, request=request)
