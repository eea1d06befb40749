"""A report's content in one language: titled tables and charts, the same for every format.

The page, the PDF, the XLSX workbook and the CSV file are all written from one
`ReportContent`, so they cannot disagree. Times are shown in the election's time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pollguard.core.charts import BarChart, Series
from pollguard.operations.choices import IncidentKind, IncidentState, Severity
from pollguard.registry.models import Election
from pollguard.registry.templatetags.pollguard_ui import local_name
from pollguard.reports.figures import RESPONSE_BUCKETS
from pollguard.reports.models import PreviousElection, SituationReport

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    """One titled table; `key` names its sheet in a workbook (ASCII, stable)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""


@dataclass(frozen=True)
class ChartData:
    key: str
    chart: BarChart


@dataclass(frozen=True)
class ReportContent:
    """Everything one report shows, already in its language."""

    lang: str
    title: str
    subtitle: str
    election_name: str
    governorate: str
    time_zone: str
    printed_at: str
    facts: list[tuple[str, str]]
    paragraphs: list[str]
    tables: list[Table]
    charts: list[ChartData] = field(default_factory=list)
    filename_stem: str = "report"
    issued: bool = True

    @property
    def rtl(self) -> bool:
        return self.lang == "ar"


# The KPIs of the after-action report, in their order, with what each one counts.
KPIS: list[tuple[str, Any, Any]] = [
    (
        "security_breaches",
        gettext_lazy("Security breaches"),
        gettext_lazy(
            "Verified incidents of shooting, explosion, mortar or rocket fire or an armed "
            "group near a center, of high or critical severity."
        ),
    ),
    (
        "cancelled_stations",
        gettext_lazy("Cancelled polling stations"),
        gettext_lazy("Stations cancelled by the committee chair."),
    ),
    (
        "centers_opened_on_time",
        gettext_lazy("Centers opened on time"),
        gettext_lazy(
            "General polling centers opened no later than 15 minutes after the polls opened, "
            "of all general centers."
        ),
    ),
    (
        "centers_swept_before_opening",
        gettext_lazy("Centers swept before opening"),
        gettext_lazy(
            "General centers with an explosives (EOD) sweep in the approved plan that ends "
            "before the polls open, of all general centers."
        ),
    ),
    (
        "tasks_acknowledged",
        gettext_lazy("Tasks acknowledged"),
        gettext_lazy("Tasks in force acknowledged by their unit, sector or agency."),
    ),
    (
        "response_minutes",
        gettext_lazy("Response time"),
        gettext_lazy(
            "Minutes from the report's reception to the first unit on scene: median, "
            "90th percentile and longest."
        ),
    ),
    (
        "special_vote_participation",
        gettext_lazy("Special-vote participation"),
        gettext_lazy("People on the special register whose vote was counted, of the register."),
    ),
    (
        "conditional_ballots",
        gettext_lazy("Conditional ballots"),
        gettext_lazy("Security personnel not on the special register who voted conditionally."),
    ),
    (
        "reconciliation_gap",
        gettext_lazy("Reconciliation gap"),
        gettext_lazy(
            "Deployed personnel missing from the special register, and people on the "
            "register who were not deployed."
        ),
    ),
    (
        "custody_exceptions",
        gettext_lazy("Custody exceptions"),
        gettext_lazy("Broken or mismatched seals found at a hand-over (of them still open)."),
    ),
    (
        "incidents",
        gettext_lazy("Incidents"),
        gettext_lazy("Incidents reported, without rejected reports and duplicates."),
    ),
    (
        "outside_force_requests",
        gettext_lazy("Outside-force requests"),
        gettext_lazy("Forces outside the plan requested by the committee chair."),
    ),
]


def not_recorded() -> str:
    return _("not recorded")


def _pct(value: int, of: int) -> str:
    return f"{100 * value / of:.1f} %" if of else "—"


def _minutes(value: Any) -> str:
    return "—" if value is None else f"{value:.1f}"


def kpi_text(key: str, value: Any) -> str:
    """A KPI's value in words; `None` (a previous election's unknown) is "not recorded"."""
    if value is None:
        return not_recorded()
    if key == "response_minutes":
        if not value.get("count"):
            return _("no response recorded")
        return _(
            "median %(median)s, 90%% within %(p90)s, longest %(max)s (incidents: %(count)s)"
        ) % {
            "median": _minutes(value.get("median")),
            "p90": _minutes(value.get("p90")),
            "max": _minutes(value.get("max")),
            "count": value.get("count"),
        }
    if key == "reconciliation_gap":
        return _("%(missing)s deployed, not on the register; %(extra)s on it, not deployed") % {
            "missing": value.get("deployed_not_registered", 0),
            "extra": value.get("registered_not_deployed", 0),
        }
    if key == "custody_exceptions":
        return _("%(value)s (%(open)s still open)") % {
            "value": value.get("value", 0),
            "open": value.get("open", 0),
        }
    if isinstance(value, dict) and "of" in value:
        return _("%(value)s of %(of)s (%(pct)s)") % {
            "value": value.get("value", 0),
            "of": value.get("of", 0),
            "pct": _pct(int(value.get("value") or 0), int(value.get("of") or 0)),
        }
    return str(value)


def _name(names: dict[str, list[str]], code: str, lang: str) -> str:
    if code == "-":
        return _("no sector")
    pair = names.get(code)
    if not pair:
        return code
    return pair[1] if lang == "ar" else pair[0]


def _kind(value: str) -> str:
    try:
        return str(IncidentKind(value).label)
    except ValueError:
        return value


def _local(value: str | datetime | None, tz: ZoneInfo) -> str:
    if value is None or value == "":
        return "—"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _count_table(key: str, title: str, label: str, counts: dict[str, int]) -> Table:
    return Table(key, title, [label, _("Number")], [[k, v] for k, v in counts.items()])


def _incident_tables(
    by_kind: dict[str, int], by_sector: dict[str, int], names: dict[str, list[str]], lang: str
) -> list[Table]:
    return [
        _count_table(
            "incidents_kind",
            _("Incidents by kind"),
            _("Kind"),
            {_kind(k): v for k, v in by_kind.items()},
        ),
        _count_table(
            "incidents_sector",
            _("Incidents by sector"),
            _("Sector"),
            {_name(names, k, lang): v for k, v in by_sector.items()},
        ),
    ]


def _distribution_rows(
    rows: dict[str, dict[str, Any]], names: dict[str, list[str]], lang: str
) -> list[list[Cell]]:
    return [
        [_name(names, code, lang), d.get("count"), d.get("median"), d.get("p90"), d.get("max")]
        for code, d in rows.items()
    ]


def _distribution_columns(first: str) -> list[str]:
    return [
        first,
        _("Incidents"),
        _("Median (min)"),
        _("90th percentile (min)"),
        _("Longest (min)"),
    ]


def _per_hour_chart(
    title: str, per_hour: dict[str, Any], names: dict[str, list[str]], lang: str
) -> BarChart:
    labels = tuple(per_hour.get("labels", []))
    series = tuple(
        Series(_name(names, code, lang), tuple(float(v) for v in values))
        for code, values in per_hour.get("by_sector", {}).items()
    )
    return BarChart(
        title=title,
        categories=labels,
        series=series,
        value_label=_("incidents"),
        empty_text=_("No incident in this period."),
        legend=True,
        label_every=max(1, len(labels) // 12),
    )


def _governorate(election: Election, lang: str) -> str:
    return election.governorate_ar if lang == "ar" else election.governorate_en


def sitrep_content(
    election: Election,
    figures: dict[str, Any],
    lang: str,
    *,
    report: SituationReport | None,
    now: datetime,
) -> ReportContent:
    """The situation report `report` (or, without one, figures made on demand) in `lang`."""
    with translation.override(lang):
        return _sitrep(election, figures, lang, report=report, now=now)


def _sitrep(
    election: Election,
    figures: dict[str, Any],
    lang: str,
    *,
    report: SituationReport | None,
    now: datetime,
) -> ReportContent:
    tz = ZoneInfo(election.timezone)
    names = figures.get("names", {}).get("sectors", {})
    period = figures["period"]
    centers, incidents = figures["centers"], figures["incidents"]
    actions, units, response = figures["actions"], figures["units"], figures["response"]
    if report is not None:
        title = _("Situation report no. %(number)s") % {"number": report.label}
        facts = [
            (_("Number"), report.label),
            (_("Issued"), _local(report.issued_at, tz)),
            (_("Issued by"), report.issued_by_name or _("the schedule")),
        ]
    else:
        title = _("Situation report (not issued)")
        facts = [(_("Issued"), _("not issued: figures made on demand"))]
    facts += [
        (_("Period from"), _local(period["from"], tz)),
        (_("Period to"), _local(period["to"], tz)),
        (_("Times"), _("Local time (%(tz)s).") % {"tz": election.timezone}),
        (
            _("Next report"),
            _local(report.next_report_at, tz) if report and report.next_report_at else "—",
        ),
    ]
    paragraphs = [
        _(
            "Incidents reported: %(incidents)s (high or critical: %(breaking)s). General "
            "centers open: %(opened)s of %(total)s; opened late or delayed: %(late)s; "
            "suspended: %(suspended)s; with a cancelled station: %(cancelled)s. Incidents "
            "still open: %(outstanding)s."
        )
        % {
            "incidents": incidents["total"],
            "breaking": sum(v for k, v in incidents["by_severity"].items() if int(k) >= 3),
            "opened": centers["opened"],
            "total": centers["total"],
            "late": centers["late"],
            "suspended": centers["suspended"],
            "cancelled": centers["cancelled"],
            "outstanding": actions["outstanding"],
        }
    ]
    if report is not None and report.summary:
        paragraphs.append(report.summary)
    severity_rows = {str(Severity(int(k)).label): v for k, v in incidents["by_severity"].items()}
    tables = [
        Table(
            "centers",
            _("Polling centers at the end of the period"),
            [_("Status"), _("Centers")],
            [
                [_("Open"), centers["opened"]],
                [_("Opened late or delayed"), centers["late"]],
                [_("Suspended (disrupted)"), centers["suspended"]],
                [_("With a cancelled station"), centers["cancelled"]],
                [_("Cancelled stations"), centers["cancelled_stations"]],
                [_("Not yet open"), centers["not_open"]],
                [_("Closed"), centers["closed"]],
                [_("General centers"), centers["total"]],
            ],
        ),
        *_incident_tables(incidents["by_kind"], incidents["by_sector"], names, lang),
        _count_table(
            "incidents_severity", _("Incidents by severity"), _("Severity"), severity_rows
        ),
        Table(
            "actions",
            _("Actions taken and outstanding"),
            [_("Action"), _("Number")],
            [
                [_("Units dispatched"), actions["dispatches"]],
                [_("Incidents resolved"), actions["resolved"]],
                [_("Outside-force requests"), actions["outside_force"]],
                [_("Incidents still open"), actions["outstanding"]],
                [_("Of them past their deadline"), actions["overdue"]],
                [_("Units committed at the end of the period"), units["committed"]],
                [_("Units dispatched in the period"), units["dispatched"]],
            ],
        ),
        Table(
            "outstanding",
            _("Open incidents"),
            [_("Code"), _("Kind"), _("Severity"), _("State"), _("Sector"), _("Received")],
            [
                [
                    row["code"],
                    _kind(row["kind"]),
                    row["severity"],
                    str(IncidentState(row["state"]).label),
                    _name(names, row["sector"], lang),
                    _local(row["received_at"], tz),
                ]
                for row in actions["outstanding_list"]
            ],
            note=_("The 20 most severe are listed.") if actions["outstanding"] > 20 else "",
        ),
        Table(
            "response",
            _("Response times (report to first unit on scene)"),
            _distribution_columns(_("Sector")),
            [
                [
                    _("All sectors"),
                    response.get("count"),
                    response.get("median"),
                    response.get("p90"),
                    response.get("max"),
                ],
                *_distribution_rows(response.get("by_sector", {}), names, lang),
            ],
        ),
    ]
    charts = [
        ChartData(
            "per_hour",
            _per_hour_chart(_("Incidents per hour and sector"), incidents["per_hour"], names, lang),
        )
    ]
    stem = f"sitrep-{report.label}" if report is not None else "sitrep-current"
    return ReportContent(
        lang=lang,
        title=title,
        subtitle=_("Election security committee, %(governorate)s")
        % {"governorate": _governorate(election, lang)},
        printed_at=_local(now, tz),
        facts=facts,
        paragraphs=paragraphs,
        tables=tables,
        charts=charts,
        filename_stem=f"{stem}-{lang}",
        issued=report is not None,
        election_name=local_name(election),
        governorate=_governorate(election, lang),
        time_zone=election.timezone,
    )


def after_action_content(
    election: Election,
    figures: dict[str, Any],
    previous: PreviousElection | None,
    lang: str,
    *,
    now: datetime,
) -> ReportContent:
    """The after-action report in `lang`, compared with `previous` when there is one."""
    with translation.override(lang):
        return _after_action(election, figures, previous, lang, now=now)


def _after_action(
    election: Election,
    figures: dict[str, Any],
    previous: PreviousElection | None,
    lang: str,
    *,
    now: datetime,
) -> ReportContent:
    tz = ZoneInfo(election.timezone)
    kpis = figures["kpis"]
    names = figures["names"]
    sectors, agencies = names.get("sectors", {}), names.get("agencies", {})
    previous_name = local_name(previous) if previous is not None else ""
    columns = [_("Indicator"), _("Definition"), _("This election")]
    if previous is not None:
        columns.append(previous_name)
    rows: list[list[Cell]] = []
    for key, label, definition in KPIS:
        row: list[Cell] = [str(label), str(definition), kpi_text(key, kpis.get(key))]
        if previous is not None:
            row.append(kpi_text(key, previous.kpis.get(key)))
        rows.append(row)
    facts = [
        (_("Election"), local_name(election)),
        (_("General vote"), election.general_vote_date.isoformat()),
        (_("Special vote"), election.special_vote_date.isoformat()),
        (
            _("Compared with"),
            f"{previous_name} ({previous.held})"
            if previous is not None and previous.held
            else previous_name or _("no previous election loaded"),
        ),
        (_("Times"), _("Local time (%(tz)s).") % {"tz": election.timezone}),
    ]
    breaches, cancelled = kpis["security_breaches"], kpis["cancelled_stations"]
    paragraphs = [
        _(
            "Security breaches: %(breaches)s. Cancelled polling stations: %(cancelled)s. "
            "Centers opened on time: %(on_time)s. Incidents: %(incidents)s."
        )
        % {
            "breaches": breaches,
            "cancelled": cancelled,
            "on_time": kpi_text("centers_opened_on_time", kpis["centers_opened_on_time"]),
            "incidents": kpis["incidents"],
        }
    ]
    if previous is not None:
        paragraphs.append(
            _("A figure the previous election did not record is shown as “not recorded”.")
        )
    tables = [
        Table("kpis", _("Indicators"), columns, rows),
        Table(
            "response_sector",
            _("Response times by sector"),
            _distribution_columns(_("Sector")),
            _distribution_rows(figures["response_by_sector"], sectors, lang),
        ),
        Table(
            "response_agency",
            _("Response times by agency"),
            _distribution_columns(_("Agency")),
            _distribution_rows(figures["response_by_agency"], agencies, lang),
        ),
        *_incident_tables(
            figures["incidents_by_kind"], figures["incidents_by_sector"], sectors, lang
        ),
    ]
    if previous is not None and previous.notes:
        tables.append(
            Table(
                "previous_notes",
                _("About the previous election"),
                [_("Fact"), _("Source")],
                [
                    [str(n.get(lang) or n.get("en") or ""), str(n.get("source") or "")]
                    for n in previous.notes
                ],
            )
        )
    bucket_labels = tuple(
        f"{low}–{high}" if high is not None else f"{low}+" for low, high in RESPONSE_BUCKETS
    )
    opening = figures["opening"]
    charts = [
        ChartData(
            "per_hour",
            _per_hour_chart(
                _("Incidents per hour and sector on the general vote day"),
                figures["per_hour"],
                sectors,
                lang,
            ),
        ),
        ChartData(
            "response",
            BarChart(
                title=_("Response times by agency (minutes to the first unit on scene)"),
                categories=bucket_labels,
                series=tuple(
                    Series(_name(agencies, code, lang), tuple(float(v) for v in counts))
                    for code, counts in figures["response_buckets"].items()
                ),
                value_label=_("incidents"),
                empty_text=_("No unit reached an incident."),
                legend=True,
            ),
        ),
        ChartData(
            "opening",
            BarChart(
                title=_("Opening times of the general centers (%(n)s not opened)")
                % {"n": opening["not_opened"]},
                categories=tuple(
                    _("later") if label == "+" else label for label in opening["labels"]
                ),
                series=(Series(_("centers"), tuple(float(v) for v in opening["counts"])),),
                value_label=_("centers"),
                empty_text=_("No center has opened."),
            ),
        ),
    ]
    return ReportContent(
        lang=lang,
        title=_("After-action report"),
        subtitle=_("Election security committee, %(governorate)s")
        % {"governorate": _governorate(election, lang)},
        printed_at=_local(now, tz),
        facts=facts,
        paragraphs=paragraphs,
        tables=tables,
        charts=charts,
        filename_stem=f"after-action-{election.code}-{lang}",
        election_name=local_name(election),
        governorate=_governorate(election, lang),
        time_zone=election.timezone,
    )


def list_content(
    title: str,
    key: str,
    columns: Sequence[str],
    rows: list[list[Cell]],
    *,
    lang: str,
    election: Election,
    now: datetime,
) -> ReportContent:
    """A list (incidents, centers) as a one-table report, for the workbook and CSV writers."""
    tz = ZoneInfo(election.timezone)
    return ReportContent(
        lang=lang,
        title=title,
        subtitle="",
        printed_at=_local(now, tz),
        facts=[],
        paragraphs=[],
        tables=[Table(key, title, list(columns), rows)],
        filename_stem=f"{key}-{election.code}-{lang}",
        election_name=local_name(election),
        governorate=_governorate(election, lang),
        time_zone=election.timezone,
    )
