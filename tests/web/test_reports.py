"""Reports: situation reports issued and frozen, the after-action KPIs against a previous
election, exports (CSV with BOM, right-to-left XLSX) made by the jobs runner, the API and
every role against every page.

Election-day data is made through the actions of operations and the registry. Two
clocks the actions do not take (a center's status change, a check-in of the special
vote) are moved afterwards in the test, as a replay of 7 March 2010 would have them.
"""

from __future__ import annotations

import csv
import html
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from django.utils import timezone

from pollguard.audit.models import AuditEntry
from pollguard.core.charts import BarChart, Series, render_bar_chart
from pollguard.jobs.models import Job
from pollguard.jobs.runner import run
from pollguard.live.models import Event
from pollguard.operations.actions import (
    IncidentDraft,
    do_dispatch_unit,
    do_file_incident,
    do_set_unit_status,
    do_transition_incident,
)
from pollguard.operations.choices import IncidentKind, IncidentState, UnitStatus
from pollguard.registry.actions import do_set_center_status
from pollguard.registry.choices import CenterStatus
from pollguard.registry.models import Center, CenterStatusChange, Election, Unit
from pollguard.reports.actions import (
    do_issue_scheduled_sitreps,
    do_issue_sitrep,
    do_load_previous_election,
)
from pollguard.reports.figures import after_action_figures
from pollguard.reports.models import SituationReport

from .personas import BAGHDAD, Personas

DATA = Path(__file__).resolve().parents[2] / "src/pollguard/reports/data/dhi-qar-2009.yaml"
OPENS = datetime(2010, 3, 7, 7, 0, tzinfo=BAGHDAD)

# Who may do what (reports.access): every other persona gets 404.
SEES = {"chair", "ops", "auditor"}
ISSUES = {"chair", "ops"}
PERSONAS = [
    "chair", "ops", "auditor", "cmd_rifai", "cmd_shatra", "commission", "intel",
    "liaison_army", "field", "outsider",
]  # fmt: skip


def file_incident(
    election: Election, personas: Personas, at: datetime, kind: IncidentKind, severity: int,
    center: str = "C-0001",
) -> Any:  # fmt: skip
    incident, _ = do_file_incident(
        election,
        IncidentDraft(
            kind=kind,
            severity=severity,
            text="اشتباه",
            observed_at=at,
            center=Center.objects.get(election=election, code=center),
        ),
        acting_user=personas.ops,
        now=at,
    )
    return incident


@pytest.fixture
def vote_day(election: Election, personas: Personas) -> dict[str, Any]:
    """On 7 March 2010: a shooting answered in 12 minutes, a campaigning report left open,
    a rejected report; C-0001 opened on time, C-0002 at 08:10, C-0003 disrupted."""
    shooting = file_incident(
        election, personas, OPENS + timedelta(hours=2), IncidentKind.SHOOTING, 4
    )
    shooting = do_transition_incident(
        shooting,
        IncidentState.VERIFIED,
        acting_user=personas.ops,
        now=OPENS + timedelta(hours=2, minutes=2),
    )
    unit = Unit.objects.get(election=election, code="U-0001")
    do_dispatch_unit(
        shooting, unit, acting_user=personas.ops, now=OPENS + timedelta(hours=2, minutes=4)
    )
    do_set_unit_status(
        unit, UnitStatus.ON_SCENE, acting_user=personas.ops, expected_version=2,
        now=OPENS + timedelta(hours=2, minutes=12),
    )  # fmt: skip
    open_one = file_incident(
        election, personas, OPENS + timedelta(hours=3), IncidentKind.CAMPAIGNING, 2, "C-0003"
    )
    rejected = file_incident(election, personas, OPENS + timedelta(hours=3), IncidentKind.FRAUD, 1)
    do_transition_incident(
        rejected, IncidentState.REJECTED, acting_user=personas.ops, reason="كاذب",
        now=OPENS + timedelta(hours=3, minutes=5),
    )  # fmt: skip
    for code, status, at in (
        ("C-0001", CenterStatus.OPEN, OPENS + timedelta(minutes=5)),
        ("C-0002", CenterStatus.OPEN, OPENS + timedelta(minutes=70)),
        ("C-0003", CenterStatus.DISRUPTED, OPENS + timedelta(hours=3)),
    ):
        center = Center.objects.get(election=election, code=code)
        do_set_center_status(
            center, status, acting_user=personas.ops, expected_version=center.version
        )
        # The action takes the wall clock; the replay moves the change to its hour.
        CenterStatusChange.objects.filter(center=center).update(changed_at=at)
    return {"shooting": shooting, "open": open_one}


def issue(election: Election, personas: Personas, **changes: Any) -> SituationReport:
    values: dict[str, Any] = {
        "period_from": OPENS - timedelta(hours=1),
        "period_to": OPENS + timedelta(hours=11),
        "summary": "هدوء عام",
        "acting_user": personas.chair,
    }
    values.update(changes)
    return do_issue_sitrep(election, **values)


# --- situation reports -------------------------------------------------------------------


def test_a_sitrep_counts_the_period_and_stays_as_issued(
    election: Election, personas: Personas, vote_day: dict[str, Any]
) -> None:
    report = issue(election, personas)
    figures = report.figures
    assert (report.number, report.version) == (1, 1)
    assert figures["incidents"]["total"] == 2  # the rejected report is not counted
    assert figures["incidents"]["not_counted"] == 1
    assert figures["incidents"]["by_kind"] == {"shooting": 1, "campaigning": 1}
    assert figures["incidents"]["by_sector"] == {"RIF": 1, "SHA": 1}
    assert figures["incidents"]["by_severity"] == {"1": 0, "2": 1, "3": 0, "4": 1}
    assert figures["centers"]["opened"] == 2
    assert figures["centers"]["late"] == 1  # C-0002 opened at 08:10
    assert figures["centers"]["suspended"] == 1
    assert figures["actions"]["dispatches"] == 1
    assert figures["actions"]["outstanding"] == 2  # the shooting is still on scene
    assert [r["code"] for r in figures["actions"]["outstanding_list"]] == [
        vote_day["shooting"].code,
        vote_day["open"].code,
    ]
    assert figures["units"]["committed"] == 1
    assert figures["response"]["median"] == 12.0
    assert figures["incidents"]["per_hour"]["by_sector"]["RIF"][3] == 1  # 09:00, from 06:00
    entry = AuditEntry.objects.get(action="reports.issue_sitrep")
    assert entry.object_id == f"{election.code}/1.1"
    assert entry.critical
    assert Event.objects.filter(kind="report", payload__number=1).exists()
    # Frozen: the open incident resolved later does not change what was issued.
    do_transition_incident(
        vote_day["open"], IncidentState.REJECTED, acting_user=personas.ops, reason="خطأ"
    )
    report.refresh_from_db()
    assert report.figures == figures


def test_a_correction_is_a_new_version_and_the_next_report_a_new_number(
    election: Election, personas: Personas, vote_day: dict[str, Any]
) -> None:
    first = issue(election, personas)
    do_transition_incident(
        vote_day["open"], IncidentState.REJECTED, acting_user=personas.ops, reason="خطأ"
    )
    corrected = issue(election, personas, correcting=first)
    following = issue(
        election,
        personas,
        period_from=OPENS + timedelta(hours=11),
        period_to=OPENS + timedelta(hours=13),
    )
    assert (corrected.number, corrected.version) == (1, 2)
    assert following.number == 2
    assert SituationReport.objects.filter(election=election, number=1).count() == 2
    first.refresh_from_db()
    assert first.figures["incidents"]["total"] == 2
    assert corrected.figures["incidents"]["total"] == 1


def test_a_period_with_no_data_is_a_valid_empty_report(
    election: Election, personas: Personas, client_for: Any, settings: Any, tmp_path: Path
) -> None:
    settings.POLLGUARD_REPORTS_DIR = tmp_path
    report = issue(
        election, personas, period_from=datetime(2009, 1, 1, tzinfo=BAGHDAD),
        period_to=datetime(2009, 1, 2, tzinfo=BAGHDAD),
    )  # fmt: skip
    assert report.figures["incidents"]["total"] == 0
    assert report.figures["response"]["median"] is None
    page = client_for("ops").get(f"/reports/sitreps/{report.number}/?lang=en").content.decode()
    assert "No incident in this period." in page
    assert "Nothing in this period." in page
    answer = client_for("ops").post(
        "/reports/export", {"subject": "sitrep", "number": "1", "format": "csv", "lang": "en"}
    )
    job = Job.objects.get(pk=int(answer["Location"].rstrip("/").rsplit("/", 1)[1]))
    run(job.pk)
    job.refresh_from_db()
    assert job.state == "succeeded", job.message


@pytest.mark.parametrize(
    ("field", "values", "en", "ar"),
    [
        (
            "period_to",
            {"period_from": "2010-03-07T12:00", "period_to": "2010-03-07T10:00"},
            "the period must end after it starts",
            "يجب أن تنتهي الفترة بعد أن تبدأ",
        ),
        (
            "period_from",
            {"period_from": "yesterday", "period_to": "2010-03-07T10:00"},
            "Enter a valid date/time.",
            "أدخل تاريخاً/وقتاً صحيحاً.",
        ),
        (
            "next_report_at",
            {
                "period_from": "2010-03-07T08:00",
                "period_to": "2010-03-07T10:00",
                "next_report_at": "2010-03-07T09:00",
            },
            "the next report must come after this report's period",
            "يجب أن يأتي التقرير التالي بعد فترة هذا التقرير",
        ),
    ],
)
def test_a_bad_period_is_refused_by_field_in_both_languages_and_writes_nothing(
    personas: Personas, client_for: Any, field: str, values: dict[str, str], en: str, ar: str
) -> None:
    for lang, text in (("en", en), ("ar", ar)):
        client = client_for("chair")
        client.post("/i18n/setlang/", {"language": lang, "next": "/reports/"})
        answer = client.post("/reports/", values)
        assert answer.status_code == 422
        page = html.unescape(answer.content.decode())
        assert f'data-testid="error-{field}"' in page
        assert text in page, (lang, page[page.find("pg-error") - 200 : page.find("pg-error") + 300])
    assert not SituationReport.objects.exists()


def test_scheduled_sitreps_are_issued_in_the_election_window_once_per_interval(
    election: Election, personas: Personas, settings: Any
) -> None:
    settings.POLLGUARD_SITREP_EVERY_MINUTES = 120
    assert do_issue_scheduled_sitreps(now=datetime(2010, 2, 1, tzinfo=BAGHDAD)) == 0
    morning = datetime(2010, 3, 7, 8, 0, tzinfo=BAGHDAD)
    assert do_issue_scheduled_sitreps(now=morning) == 1
    assert do_issue_scheduled_sitreps(now=morning + timedelta(minutes=60)) == 0
    assert do_issue_scheduled_sitreps(now=morning + timedelta(minutes=121)) == 1
    second = SituationReport.objects.get(number=2)
    assert second.scheduled
    assert second.issued_by is None
    assert second.period_from == morning
    assert second.next_report_at == morning + timedelta(minutes=241)


# --- the after-action report ---------------------------------------------------------------


def test_the_after_action_kpis_compare_with_2009_and_say_not_recorded(
    election: Election, personas: Personas, vote_day: dict[str, Any], client_for: Any
) -> None:
    do_load_previous_election(
        election, yaml.safe_load(DATA.read_text(encoding="utf-8")), acting_user=None
    )
    kpis = after_action_figures(election)["kpis"]
    assert kpis["security_breaches"] == 1  # the verified critical shooting
    assert kpis["cancelled_stations"] == 0
    assert kpis["centers_opened_on_time"] == {"value": 1, "of": 4}
    assert kpis["incidents"] == 2
    assert kpis["response_minutes"]["median"] == 12.0
    page = client_for("auditor").get("/reports/after-action/?lang=en").content.decode()
    assert "Provincial council election, Dhi Qar, 2009" in page
    assert "1 of 4 (25.0 %)" in page
    assert page.count("not recorded") >= 9
    arabic = client_for("chair").get("/reports/after-action/?lang=ar").content.decode()
    assert 'dir="rtl"' in arabic
    assert "غير مسجّل" in arabic
    assert 'data-direction="rtl"' in arabic
    # Loading the same figures again changes nothing and writes no audit row.
    rows = AuditEntry.objects.filter(action="reports.load_previous_election").count()
    do_load_previous_election(
        election, yaml.safe_load(DATA.read_text(encoding="utf-8")), acting_user=None
    )
    assert AuditEntry.objects.filter(action="reports.load_previous_election").count() == rows


# --- charts --------------------------------------------------------------------------------


def parse(svg: str) -> Any:
    import xml.etree.ElementTree as ET

    return ET.fromstring(svg)  # noqa: S314 - the SVG our own code drew


def _bars(svg: str) -> dict[str, float]:
    root = parse(svg)
    return {
        rect.get("data-category", ""): float(rect.get("x", "0"))
        for rect in root.iter("{http://www.w3.org/2000/svg}rect")
        if rect.get("data-category")
    }


def test_an_arabic_chart_reads_from_the_right_and_an_english_one_from_the_left() -> None:
    chart = BarChart(
        "حوادث",
        ("06:00", "07:00", "08:00"),
        (Series("الرفاعي", (1, 2, 3)), Series("الشطرة", (1, 0, 1))),
    )
    arabic, english = render_bar_chart(chart, rtl=True), render_bar_chart(chart, rtl=False)
    ar, en = _bars(arabic), _bars(english)
    assert ar["06:00"] > ar["07:00"] > ar["08:00"]
    assert en["06:00"] < en["07:00"] < en["08:00"]

    def legend_x(svg: str) -> list[float]:
        return [float(g.get("data-x", "0")) for g in parse(svg).iter() if g.get("data-legend")]

    def axis_x(svg: str) -> float:
        line = next(e for e in parse(svg).iter() if e.get("data-role") == "value-axis")
        return float(line.get("x1", "0"))

    assert legend_x(arabic)[0] > legend_x(arabic)[1]  # the first series at the right
    assert legend_x(english)[0] < legend_x(english)[1]
    assert axis_x(arabic) > max(ar.values())
    assert axis_x(english) < min(en.values())
    assert 'direction="rtl"' in arabic
    assert 'direction="ltr"' in english
    empty = render_bar_chart(BarChart("x", (), (), empty_text="لا شيء"), rtl=True)
    assert "لا شيء" in empty


# --- exports through the jobs runner --------------------------------------------------------


def export(client: Client, **body: str) -> Job:
    answer = client.post("/reports/export", body)
    assert answer.status_code == 302, answer.status_code
    job = Job.objects.get(pk=int(answer["Location"].rstrip("/").rsplit("/", 1)[1]))
    run(job.pk)  # as a worker runs it
    job.refresh_from_db()
    assert job.state == "succeeded", (job.message, job.result)
    return job


def content_of(client: Client, job: Job) -> bytes:
    assert job.result is not None
    answer = client.get(job.result["url"])
    assert answer.status_code == 200
    return b"".join(answer.streaming_content)  # type: ignore[attr-defined]


def test_exports_are_csv_with_a_bom_and_right_to_left_workbooks_in_arabic(
    election: Election,
    personas: Personas,
    vote_day: dict[str, Any],
    client_for: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    from openpyxl import load_workbook

    settings.POLLGUARD_REPORTS_DIR = tmp_path
    chair = client_for("chair")
    job = export(chair, subject="after_action", format="csv", lang="ar")
    data = content_of(chair, job)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == ["تقرير ما بعد العمل"]
    assert ["المؤشرات"] in lines
    assert any(row and row[0] == "الخروقات الأمنية" for row in lines)
    assert AuditEntry.objects.filter(action="reports.download", object_id=str(job.pk)).exists()

    for lang, rtl in (("ar", True), ("en", False)):
        job = export(chair, subject="after_action", format="xlsx", lang=lang)
        book = load_workbook(io.BytesIO(content_of(chair, job)))
        assert [bool(sheet.sheet_view.rightToLeft) for sheet in book.worksheets] == [rtl] * len(
            book.worksheets
        )
        assert sum(len(sheet._charts) for sheet in book.worksheets) == 3
        assert job.result is not None
        assert job.result["file"] == f"after-action-test-2010-{lang}.xlsx"

    # A commander's incident list holds his sector's incidents only, and is his alone.
    commander = client_for("cmd_rifai")
    job = export(commander, subject="incidents", format="csv", lang="en")
    rows = list(csv.reader(io.StringIO(content_of(commander, job).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Code", "Received", "Kind"]
    assert {r[5] for r in rows[1:]} == {"al-Rifai"}
    assert job.result is not None
    for name in PERSONAS:
        expected = 200 if name == "cmd_rifai" else 404
        assert client_for(name).get(job.result["url"]).status_code == expected, name
    job = export(client_for("commission"), subject="centers", format="xlsx", lang="ar")
    assert client_for("chair").get(f"/reports/jobs/{job.pk}/").status_code == 404
    assert (
        client_for("commission")
        .post("/reports/export", {"subject": "incidents", "format": "csv", "lang": "ar"})
        .status_code
        == 404
    )


# --- every role against every page and endpoint ----------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_each_role_sees_issues_and_exports_only_what_design_gives_it(
    election: Election,
    personas: Personas,
    client_for: Any,
    name: str,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.POLLGUARD_REPORTS_DIR = tmp_path
    report = issue(election, personas)
    client = client_for(name)
    sees = 200 if name in SEES else 404
    assert client.get("/reports/").status_code == sees
    assert client.get("/reports/after-action/").status_code == sees
    assert client.get(f"/reports/sitreps/{report.number}/").status_code == sees
    assert client.get("/reports/sitreps/99/").status_code == 404
    body = {"period_from": "2010-03-07T08:00", "period_to": "2010-03-07T10:00"}
    answer = client.post("/reports/", body)
    expected = 302 if name in ISSUES else (403 if name in SEES else 404)
    assert answer.status_code == expected
    api = client.post(
        "/api/v1/reports", {"kind": "after_action", "format": "pdf", "lang": "ar"},
        content_type="application/json",
    )  # fmt: skip
    assert api.status_code == (202 if name in SEES else 404)
    if name in SEES:
        job = Job.objects.get(pk=api.json()["job"])
        # Another role's report export is theirs to read as well; the requester too.
        for other in PERSONAS:
            seen = client_for(other).get(f"/api/v1/jobs/{job.pk}").status_code
            assert seen in (200, 404)
        assert client_for("cmd_rifai").get(f"/reports/jobs/{job.pk}/").status_code == 404


def test_anonymous_users_get_401_from_the_api_and_the_sign_in_page_from_the_pages(
    election: Election,
) -> None:
    client = Client()
    assert (
        client.post(
            "/api/v1/reports", {"kind": "sitrep", "format": "csv"}, content_type="application/json"
        ).status_code
        == 401
    )
    assert client.get("/reports/").status_code == 302


def test_the_api_makes_the_newest_sitrep_and_refuses_a_bad_body(
    election: Election, personas: Personas, client_for: Any, settings: Any, tmp_path: Path
) -> None:
    settings.POLLGUARD_REPORTS_DIR = tmp_path
    issue(election, personas)
    ops = client_for("ops")
    answer = ops.post(
        "/api/v1/reports", {"kind": "sitrep", "format": "csv", "lang": "en"},
        content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 202
    job_id = answer.json()["job"]
    assert answer.json()["created"] is True
    again = ops.post(
        "/api/v1/reports", {"kind": "sitrep", "format": "csv", "lang": "en"},
        content_type="application/json",
    )  # fmt: skip
    assert again.json() == {"job": job_id, "created": False}
    run(job_id)
    job = ops.get(f"/api/v1/jobs/{job_id}").json()
    assert job["state"] == "succeeded"
    assert job["result"]["url"] == f"/reports/jobs/{job_id}/file"
    assert job["result"]["file"] == "sitrep-1-en.csv"
    body = b"".join(ops.get(job["result"]["url"]).streaming_content)  # type: ignore[attr-defined]
    assert "Situation report no. 1" in body.decode("utf-8-sig")
    for bad in (
        {"kind": "weekly", "format": "pdf"},
        {"kind": "sitrep", "format": "docx"},
        {"kind": "sitrep", "format": "pdf", "lang": "fr"},
    ):
        refused = ops.post("/api/v1/reports", bad, content_type="application/json")
        assert refused.status_code == 422, bad
    assert ops.post(
        "/api/v1/reports", {"kind": "sitrep", "format": "pdf", "number": 7},
        content_type="application/json",
    ).status_code == 404  # fmt: skip
    assert timezone.now()
