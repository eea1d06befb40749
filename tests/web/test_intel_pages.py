"""Intelligence pages and the center page's risk: need-to-know, audit of each view, edits.

The chair and intelligence officers read, file and edit; the auditor reads (403 on
writes); every other persona gets 404 from every intelligence page. The center page
shows every role that sees the center its risk score, and only the need-to-know roles
which reports raised it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from pollguard.audit.models import AuditEntry
from pollguard.core.intel import IntelDraft
from pollguard.registry.actions import do_file_intel_report
from pollguard.registry.models import Center, Election, IntelReport

from .personas import Personas

BAGHDAD = ZoneInfo("Asia/Baghdad")
READERS = ["chair", "intel", "auditor"]
OTHERS = ["ops", "cmd_rifai", "cmd_shatra", "commission", "liaison_army", "field", "outsider"]


def draft(**changes: Any) -> IntelDraft:
    values: dict[str, Any] = {
        "center": "C-0001",
        "severity": 0.9,
        "reliability": "A",
        "credibility": 1,
        "text": "تهديد بعبوة ناسفة قرب المدرسة",
        "valid_until": timezone.now() + timedelta(days=2),
        **changes,
    }
    return IntelDraft(**values)


@pytest.fixture
def report(election: Election, personas: Personas) -> IntelReport:
    return do_file_intel_report(election, draft(), acting_user=personas.intel)


def local(when: datetime) -> str:
    """A time as the form's datetime-local field shows it: in the election's time zone."""
    return when.astimezone(BAGHDAD).strftime("%Y-%m-%dT%H:%M")


def form(**changes: Any) -> dict[str, Any]:
    until = local(timezone.now() + timedelta(days=2))
    return {
        "center": "C-0003",
        "lat": "",
        "lon": "",
        "severity": "0.6",
        "reliability": "C",
        "credibility": "3",
        "text": "تجمع مسلح قرب المركز",
        "valid_until": until,
        **changes,
    }


def reads() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="registry.read_intel").order_by("id"))


@pytest.mark.parametrize("persona", READERS)
def test_need_to_know_roles_see_the_list_and_each_view_is_audited(
    client_for: Any, report: IntelReport, persona: str
) -> None:
    client = client_for(persona)
    page = client.get("/intel/")
    assert page.status_code == 200
    assert report.code in page.content.decode()
    assert "I-1" in page.content.decode()
    one = client.get(f"/intel/{report.code}/")
    assert one.status_code == 200
    assert report.text in one.content.decode()
    entries = reads()
    assert [e.after["reports"] for e in entries] == [sorted(["I-1", report.code]), [report.code]]
    assert {e.actor_name for e in entries} == {personas_name(persona)}


def personas_name(persona: str) -> str:
    return {"chair": "chair", "intel": "intel", "auditor": "auditor"}[persona]


@pytest.mark.parametrize("persona", OTHERS)
def test_everyone_else_gets_404_from_every_intelligence_page(
    client_for: Any, report: IntelReport, persona: str
) -> None:
    client = client_for(persona)
    for path in ("/intel/", "/intel/new", f"/intel/{report.code}/", "/intel/I-1/", "/intel/X/"):
        assert client.get(path).status_code == 404, path
    assert client.post("/intel/new", form()).status_code == 404
    assert client.post(f"/intel/{report.code}/", form(version="1")).status_code == 404
    assert reads() == []
    assert IntelReport.objects.count() == 2


def test_anonymous_visitors_are_sent_to_sign_in(report: IntelReport) -> None:
    for path in ("/intel/", "/intel/new", f"/intel/{report.code}/"):
        answer = Client().get(path)
        assert answer.status_code == 302
        assert "/accounts/login" in answer["Location"]


def test_the_navigation_shows_intelligence_to_need_to_know_roles_only(
    client_for: Any, election: Election
) -> None:
    for persona in [*READERS, *OTHERS[:-1]]:
        html = client_for(persona).get("/").content.decode()
        assert ('href="/intel/"' in html) == (persona in READERS), persona


def test_the_auditor_reads_but_may_not_file_or_edit(client_for: Any, report: IntelReport) -> None:
    auditor = client_for("auditor")
    assert auditor.get("/intel/new").status_code == 403
    assert auditor.post("/intel/new", form()).status_code == 403
    assert auditor.post(f"/intel/{report.code}/", form(version="1")).status_code == 403
    page = auditor.get(f"/intel/{report.code}/").content.decode()
    assert 'data-testid="intel-form"' not in page
    assert 'data-testid="intel-new"' not in auditor.get("/intel/").content.decode()
    assert IntelReport.objects.get(pk=report.pk).version == 1


@pytest.mark.parametrize("persona", ["chair", "intel"])
def test_filing_from_the_form_makes_the_next_code_and_shows_the_report(
    client_for: Any, report: IntelReport, persona: str
) -> None:
    answer = client_for(persona).post("/intel/new", form())
    assert answer.status_code == 302, answer.content.decode()
    assert answer["Location"] == "/intel/INT-2/"
    filed = IntelReport.objects.get(code="INT-2")
    assert (filed.center.code if filed.center else None, filed.reliability) == ("C-0003", "C")
    assert filed.weight == pytest.approx(0.36)
    assert filed.valid_until is not None


def test_a_place_report_from_the_form(client_for: Any, election: Election) -> None:
    answer = client_for("intel").post("/intel/new", form(center="", lat="31.715", lon="46.105"))
    assert answer.status_code == 302
    filed = IntelReport.objects.get(code="INT-1")
    assert (filed.center, filed.lat, filed.lon) == (None, 31.715, 46.105)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lat": "31.7", "lon": "46.1"}, "center"),
        ({"reliability": "G"}, "reliability"),
        ({"credibility": "7"}, "credibility"),
        ({"valid_until": "2010-03-07T18:00"}, "valid_until"),
        ({"center": "", "lat": "31.7"}, "lon"),
        ({"text": ""}, "text"),
    ],
)
def test_a_bad_form_is_refused_naming_the_field_and_files_nothing(
    client_for: Any, election: Election, changes: dict[str, str], field: str
) -> None:
    answer = client_for("intel").post("/intel/new", form(**changes))
    assert answer.status_code == 422
    assert f'data-testid="error-{field}"' in answer.content.decode()
    assert not IntelReport.objects.filter(source="filed").exists()


def test_the_form_speaks_arabic_by_default(client_for: Any, election: Election) -> None:
    page = client_for("intel").post("/intel/new", form(lat="31.7", lon="46.1")).content.decode()
    assert 'dir="rtl"' in page
    assert "حدّد مركزاً أو مكاناً" in page


def test_an_edit_from_the_form_bumps_the_version(client_for: Any, report: IntelReport) -> None:
    answer = client_for("chair").post(f"/intel/{report.code}/", form(version="1", severity="0.2"))
    assert answer.status_code == 302
    report.refresh_from_db()
    assert (report.severity, report.version, report.center.code if report.center else "") == (
        0.2,
        2,
        "C-0003",
    )


def test_a_stale_edit_is_a_409_that_keeps_both_versions_visible(
    client_for: Any, report: IntelReport
) -> None:
    chair, intel = client_for("chair"), client_for("intel")
    assert chair.post(f"/intel/{report.code}/", form(version="1", text="الأول")).status_code == 302
    stale = intel.post(f"/intel/{report.code}/", form(version="1", text="الثاني"))
    assert stale.status_code == 409
    html = stale.content.decode()
    assert 'data-testid="intel-conflict"' in html
    assert "الأول" in html  # the stored report
    assert "الثاني" in html  # what the second officer typed, kept in the form
    report.refresh_from_db()
    assert (report.text, report.version) == ("الأول", 2)


def test_an_expired_report_is_marked_and_can_be_corrected_without_a_new_time(
    client_for: Any, report: IntelReport
) -> None:
    past = timezone.now() - timedelta(hours=2)
    IntelReport.objects.filter(pk=report.pk).update(valid_until=past)
    intel = client_for("intel")
    assert 'data-testid="intel-expired"' in intel.get(f"/intel/{report.code}/").content.decode()
    kept = local(past)
    answer = intel.post(f"/intel/{report.code}/", form(version="1", valid_until=kept, text="ت"))
    assert answer.status_code == 302
    assert IntelReport.objects.get(pk=report.pk).text == "ت"


def test_the_list_filters(client_for: Any, report: IntelReport, election: Election) -> None:
    old = do_file_intel_report(election, draft(center="C-0004", severity=0.1), acting_user=None)
    IntelReport.objects.filter(pk=old.pk).update(valid_until=timezone.now() - timedelta(days=1))
    intel = client_for("intel")

    def codes(query: str) -> set[str]:
        html = intel.get(f"/intel/?{query}").content.decode()
        return {c for c in ("I-1", report.code, old.code) if f'data-code="{c}"' in html}

    assert codes("") == {"I-1", report.code, old.code}
    assert codes("valid=no") == {old.code}
    assert codes("valid=yes") == {"I-1", report.code}
    assert codes("center=C-0003") == {"I-1"}
    assert codes("severity=0.75") == {report.code}


def test_the_list_runs_a_fixed_number_of_queries(
    client_for: Any, election: Election, django_assert_max_num_queries: Any
) -> None:
    intel = client_for("intel")
    intel.get("/intel/")
    for _ in range(5):
        do_file_intel_report(election, draft(), acting_user=None)
    with django_assert_max_num_queries(30) as few:
        intel.get("/intel/")
    for _ in range(20):
        do_file_intel_report(election, draft(center=None, lat=31.0, lon=46.0), acting_user=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        intel.get("/intel/")


# --- the center page's risk ------------------------------------------------------------


@pytest.mark.parametrize("persona", ["chair", "intel", "auditor"])
def test_need_to_know_roles_see_which_reports_raised_a_centers_risk(
    client_for: Any, report: IntelReport, persona: str
) -> None:
    html = client_for(persona).get("/centers/C-0001/").content.decode()
    assert 'data-testid="risk-score"' in html
    assert f"/intel/{report.code}/" in html
    assert 'data-testid="risk-intel-hidden"' not in html
    (entry,) = reads()
    assert entry.after == {"reports": [report.code], "where": "page /centers/C-0001/"}


@pytest.mark.parametrize("persona", ["ops", "cmd_rifai", "commission"])
def test_other_roles_see_the_score_without_intelligence_detail(
    client_for: Any, report: IntelReport, persona: str
) -> None:
    html = client_for(persona).get("/centers/C-0001/").content.decode()
    assert 'data-testid="risk-score"' in html
    assert 'data-testid="risk-intel-hidden"' in html
    assert report.code not in html
    assert "/intel/" not in html
    assert reads() == []


def _score(client: Client, code: str) -> float:
    html = client.get(f"/centers/{code}/").content.decode()
    start = html.index('data-testid="risk-score">') + len('data-testid="risk-score">')
    return float(html[start : html.index("<", start)])


def test_filing_editing_and_expiry_move_the_score_on_the_center_page(
    client_for: Any, personas: Personas, election: Election
) -> None:
    ops = client_for("ops")
    before = _score(ops, "C-0004")
    filed = do_file_intel_report(election, draft(center="C-0004"), acting_user=personas.intel)
    raised = _score(ops, "C-0004")
    assert raised > before
    client_for("intel").post(
        f"/intel/{filed.code}/", form(center="C-0004", version="1", severity="0.1")
    )
    lowered = _score(ops, "C-0004")
    assert before < lowered < raised
    IntelReport.objects.filter(pk=filed.pk).update(valid_until=timezone.now())
    assert _score(ops, "C-0004") == before


def test_a_place_report_raises_the_centers_within_the_radius_only(
    client_for: Any, personas: Personas, election: Election
) -> None:
    ops = client_for("ops")
    near, far = _score(ops, "C-0004"), _score(ops, "C-0001")
    # ~1 km from C-0004 (31.42, 46.18); C-0001 is ~35 km away.
    do_file_intel_report(
        election, draft(center=None, lat=31.429, lon=46.18), acting_user=personas.intel
    )
    assert _score(ops, "C-0004") > near
    assert _score(ops, "C-0001") == far


def test_an_overridden_center_keeps_its_package_score(
    client_for: Any, personas: Personas, election: Election
) -> None:
    do_file_intel_report(election, draft(center="C-0002"), acting_user=personas.intel)
    assert _score(client_for("ops"), "C-0002") == 0.7
    assert Center.objects.get(code="C-0002").risk_override == 0.7


def test_the_admin_offers_no_unaudited_way_to_read_reports(report: IntelReport) -> None:
    from django.contrib import admin
    from django.contrib.auth.models import User

    assert not admin.site.is_registered(IntelReport)
    root = User.objects.create_superuser("root", password="x")
    client = Client()
    client.force_login(root)
    assert client.get("/admin/registry/intelreport/").status_code == 404
