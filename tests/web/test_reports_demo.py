"""The demo's reports from a fresh data folder: `pollguard demo --no-serve` loads the 2009
comparison, and the demo's chair issues a situation report and gets the after-action
report in Arabic and English as PDF and XLSX, each made by its job.

The work runs in a separate Python process against the demo's own database (as an
operator's shell would), through the actions and the jobs runner; the pages and the API
in front of them are tested in test_reports.py.
"""

from __future__ import annotations

import json
import shutil

import pytest

from pollguard.planning.order_pdf import chromium_path

from .test_cli import Path, count, python, run

SCRIPT = """
import json
from datetime import datetime, timedelta, timezone
from pollguard.web.bootstrap import setup
setup()
from django.contrib.auth.models import User
from pollguard.jobs.models import Job
from pollguard.jobs.runner import run
from pollguard.registry.models import Election
from pollguard.reports.actions import do_issue_sitrep, do_request_export
from pollguard.reports.choices import ExportFormat, ExportSubject
from pollguard.reports.access import previous_election

election = Election.objects.get()
chair = User.objects.get(username="chair")
baghdad = timezone(timedelta(hours=3))
sitrep = do_issue_sitrep(
    election, period_from=datetime(2010, 3, 7, 6, tzinfo=baghdad),
    period_to=datetime(2010, 3, 7, 12, tzinfo=baghdad), acting_user=chair,
)
files = {}
for fmt in (ExportFormat.PDF, ExportFormat.XLSX):
    for lang in ("ar", "en"):
        job, _ = do_request_export(
            election, ExportSubject.AFTER_ACTION, fmt, lang=lang, acting_user=chair
        )
        run(job.pk)
        job.refresh_from_db()
        files[f"{fmt.value}-{lang}"] = [job.state, job.result]
print(json.dumps({
    "sitrep": sitrep.number,
    "previous": previous_election(election).code,
    "files": files,
}))
"""


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(
    not (chromium_path().exists() and shutil.which("pdftotext")), reason="needs chromium"
)
def test_the_demo_compares_with_2009_and_makes_every_file(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    data = tmp_path / "data"
    loaded = run(data, "demo", "--no-serve", "--lang", "en")
    assert loaded.returncode == 0, loaded.stderr
    assert count(data, "reports_previouselection") == 1
    done = python(data, SCRIPT)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["sitrep"] == 1
    assert answer["previous"] == "dhi-qar-2009"
    for key, (state, result) in answer["files"].items():
        assert state == "succeeded", (key, result)
        path = data / "reports" / result["url"].split("/")[3] / result["file"]
        assert path.is_file(), key
        if key.startswith("pdf"):
            assert path.read_bytes().startswith(b"%PDF")
            assert result["pages"] >= 2
        else:
            book = load_workbook(path)
            sheet = book["المؤشرات" if key.endswith("ar") else "Indicators"]
            header = [c.value for c in sheet[1]]
            assert header[-1] == (
                "انتخابات مجالس المحافظات، ذي قار، 2009"
                if key.endswith("ar")
                else "Provincial council election, Dhi Qar, 2009"
            )
            assert bool(sheet.sheet_view.rightToLeft) is key.endswith("ar")
    # Loading the demo again does not load the comparison twice.
    assert run(data, "demo", "--no-serve", "--lang", "en").returncode == 0
    assert count(data, "reports_previouselection") == 1
