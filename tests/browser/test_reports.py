"""The reports page in a real browser: the chair issues a situation report and downloads
the after-action report in Arabic as a PDF and in English as a workbook.

The export jobs are run by the test, as a worker runs them (the live server's commits
would otherwise leave a message in the data folder's embedded queue).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from browser.conftest import nav_to, screenshot
from browser.test_live_map import log_in, watch_errors
from pollguard.accounts.actions import do_provision_user
from pollguard.accounts.choices import Role
from pollguard.jobs.models import Job
from pollguard.jobs.runner import run
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Election
from pollguard.reports.actions import do_load_previous_election
from pollguard.reports.models import SituationReport
from web.personas import PASSWORD, make_package
from web.test_reports import DATA

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reports_world(
    transactional_db: None, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.POLLGUARD_REPORTS_DIR = tmp_path / "reports"
    monkeypatch.setattr("pollguard.jobs.actions.send_job", lambda job_id: None)
    package = make_package()
    do_load_package(package, acting_user=None)
    election = Election.objects.get(code=package.election.code)
    do_load_previous_election(
        election, yaml.safe_load(DATA.read_text(encoding="utf-8")), acting_user=None
    )
    do_provision_user("chair", password=PASSWORD, role=Role.CHAIR, acting_user=None)


def finish_job(page: Any) -> str:
    """Run the newest export job as a worker would; the page then offers the file."""
    page.wait_for_selector("[data-testid=report-job]")
    job = Job.objects.filter(kind="report_export").order_by("-pk").first()
    assert job is not None
    run(job.pk)
    link = page.wait_for_selector("[data-testid=report-download]", timeout=20_000)
    href = link.get_attribute("href")
    assert href == f"/reports/jobs/{job.pk}/file"
    return str(href)


def test_the_chair_issues_a_sitrep_and_downloads_the_after_action_report(
    live_server: Any, reports_world: None, new_context: Any
) -> None:
    from openpyxl import load_workbook

    base = live_server.url
    page = new_context().new_page()
    errors = watch_errors(page)
    log_in(page, base, "chair", PASSWORD)
    nav_to(page, "/reports/")
    page.wait_for_selector("[data-testid=sitrep-issue]")
    page.fill("[data-testid=sitrep-period_from]", "2010-03-07T06:00")
    page.fill("[data-testid=sitrep-period_to]", "2010-03-07T12:00")
    page.fill("#id_summary", "الوضع هادئ في جميع القواطع")
    page.fill("[data-testid=sitrep-next_report_at]", "2010-03-07T14:00")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "chair-reports")
    page.click("[data-testid=sitrep-issue-go]")
    page.wait_for_selector("[data-testid=report-title]")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "تقرير الموقف رقم 1" in page.inner_text("[data-testid=report-title]")
    assert page.locator("svg[data-direction=rtl]").count() == 1
    screenshot(page, "chair-sitrep")
    report = SituationReport.objects.get()
    assert report.summary == "الوضع هادئ في جميع القواطع"
    assert report.issued_by is not None
    assert report.issued_by.username == "chair"

    page.goto(f"{base}/reports/")
    page.wait_for_selector("[data-testid=sitrep-row]")
    form = page.locator("[data-testid=export-after_action]")
    form.locator("[data-testid=export-format]").select_option("pdf")
    form.locator("[data-testid=export-lang]").select_option("ar")
    form.locator("[data-testid=export-go]").click()
    href = finish_job(page)
    screenshot(page, "chair-report-job")
    answer = page.request.get(f"{base}{href}")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")

    page.goto(f"{base}/reports/")
    form = page.locator("[data-testid=export-after_action]")
    form.locator("[data-testid=export-format]").select_option("xlsx")
    form.locator("[data-testid=export-lang]").select_option("en")
    form.locator("[data-testid=export-go]").click()
    href = finish_job(page)
    answer = page.request.get(f"{base}{href}")
    assert answer.status == 200
    book = load_workbook(io.BytesIO(answer.body()))
    assert "Indicators" in book.sheetnames
    assert not book["Indicators"].sheet_view.rightToLeft
    assert errors == [], errors
