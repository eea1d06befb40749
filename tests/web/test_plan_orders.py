"""Printed plan orders: who gets which order, what it says, and its PDF made by a job.

The approved plan is made through the workflow's actions (a stored run, submitted by the
operations officer, approved by the chair) from a document written here, so that every
line of the order can be checked; `test_an_order_prints_from_a_real_plan_run` prints one
from a real plan run. The PDF tests run Debian's chromium and read the file back with
poppler's `pdftotext` (they skip where either is missing).
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pollguard.audit.models import AuditEntry
from pollguard.core.package import read_package, write_package
from pollguard.jobs.actions import do_request_job
from pollguard.jobs.models import Job
from pollguard.jobs.runner import run
from pollguard.planning.actions import do_decide_plan, do_store_plan, do_submit_plan
from pollguard.planning.jobs import PLAN_RUN
from pollguard.planning.models import Plan
from pollguard.planning.order_pdf import PdfEngineError
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center, Election

from .personas import Personas, make_package

DOCUMENT: dict[str, Any] = {
    "schema": "pollguard.plan/1",
    "election": "test-2010",
    "assignments": [
        {"unit": "U-0001", "center": "C-0001", "role": "inner_cordon", "headcount": 12},
        {"unit": "U-0002", "center": "C-0001", "role": "outer_cordon", "headcount": 40},
        {"unit": "U-0001", "center": "C-0002", "role": "inner_cordon", "headcount": 8},
        {"unit": "U-0003", "center": "C-0003", "role": "inner_cordon", "headcount": 10},
        {"unit": "U-0005", "center": "C-0004", "role": "outer_cordon", "headcount": 20},
    ],
    "sweeps": [
        {
            "team": "U-0004#1",
            "unit": "U-0004",
            "kind": "eod",
            "stops": [
                {
                    "center": "C-0003",
                    "start": "2010-03-06T06:00:00+03:00",
                    "end": "2010-03-06T06:40:00+03:00",
                },
                {
                    "center": "C-0004",
                    "start": "2010-03-06T07:05:00+03:00",
                    "end": "2010-03-06T07:30:00+03:00",
                },
            ],
        }
    ],
    "shortfalls": [{"center": "C-0002", "role": "outer_cordon", "missing": 20}],
    "sweep_shortfalls": [{"center": "C-0001", "kind": "eod"}],
    "risk": {"C-0001": 0.5},
    "metrics": {"objective": 123.0, "bound": 120.5, "gap": 0.02, "risk_weighted_coverage": 0.9},
}

ORDERS = {
    "RIF": "/plans/orders/sector/RIF/",
    "SHA": "/plans/orders/sector/SHA/",
    "IA": "/plans/orders/agency/IA/",
    "IP": "/plans/orders/agency/IP/",
}
# Which orders each persona may read; every other one is 404.
READS = {
    "chair": set(ORDERS),
    "ops": set(ORDERS),
    "auditor": set(ORDERS),
    "cmd_rifai": {"RIF"},
    "cmd_shatra": {"SHA"},
    "liaison_army": {"IA"},
    "commission": set(),
    "intel": set(),
    "field": set(),
    "outsider": set(),
}
SOLVER_WORDS = re.compile(r"\b(objective|bound|gap|inner_cordon|outer_cordon|greedy)\b", re.I)


def store_plan(election: Election, document: dict[str, Any], ops: User) -> Plan:
    """A plan version as a run stores it (the run's job is asked for, as the API does)."""
    job, _ = do_request_job(
        PLAN_RUN,
        parameters={"time_limit": 2, "seed": len(Plan.objects.all())},
        election_id=election.pk,
        acting_user=ops,
    )
    sectors = {c.code: c.sector.code for c in Center.objects.select_related("sector")}
    return do_store_plan(
        election=election,
        document=copy.deepcopy(document),
        sector_of=sectors,
        params={"time_limit": 2, "seed": 0},
        based_on=None,
        job=job,
    )


@pytest.fixture
def approved(election: Election, personas: Personas) -> Plan:
    plan = store_plan(election, DOCUMENT, personas.ops)
    plan = do_submit_plan(plan, acting_user=personas.ops)
    return do_decide_plan(plan, approve=True, comment="", acting_user=personas.chair)


@pytest.fixture
def orders_dir(settings: Any, tmp_path: Path) -> Path:
    settings.POLLGUARD_ORDERS_DIR = tmp_path / "orders"
    return Path(settings.POLLGUARD_ORDERS_DIR)


@pytest.mark.parametrize("name", list(READS))
def test_each_persona_prints_only_its_own_order(approved: Plan, client_for: Any, name: str) -> None:
    client = client_for(name)
    for key, url in ORDERS.items():
        for lang in ("ar", "en"):
            answer = client.get(f"{url}?lang={lang}")
            expected = 200 if key in READS[name] else 404
            assert answer.status_code == expected, (name, key, lang)
    index = client.get("/plans/orders/")
    if READS[name]:
        listed = set(re.findall(r'data-order="(?:sector|agency)-([A-Z]+)"', index.content.decode()))
        assert listed == READS[name], name
    else:
        assert index.status_code == 404


def test_the_menu_offers_plan_orders_to_the_roles_that_get_them(
    approved: Plan, client_for: Any
) -> None:
    for name, reads in READS.items():
        if name == "outsider":
            continue
        page = client_for(name).get("/").content.decode()
        assert ('href="/plans/orders/"' in page) == bool(reads), name


@pytest.mark.slow
def test_an_order_prints_from_a_real_plan_run(
    election: Election, personas: Personas, client_for: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "package"
    write_package(make_package(), folder)
    do_load_package(read_package(folder), acting_user=None, source=folder)
    answer = client_for("ops").post(
        "/api/v1/plan-runs", {"time_limit": 2, "seed": 1}, content_type="application/json"
    )
    run(answer.json()["job"])
    job = Job.objects.get(pk=answer.json()["job"])
    assert job.result is not None, job.message
    plan = do_submit_plan(Plan.objects.get(pk=job.result["plan"]), acting_user=personas.ops)
    do_decide_plan(plan, approve=True, comment="", acting_user=personas.chair)
    page = client_for("cmd_rifai").get("/plans/orders/sector/RIF/?lang=en").content.decode()
    assert "inner cordon (search at the gate)" in page
    assert "Version 1 (Approved)" in page
    assert not SOLVER_WORDS.search(re.sub(r"<[^>]+>", " ", page))


def test_anonymous_users_are_sent_to_sign_in(approved: Plan) -> None:
    for url in [*ORDERS.values(), "/plans/orders/", "/plans/v1/orders/sector/RIF/"]:
        answer = Client().get(url)
        assert answer.status_code == 302
        assert "/accounts/login/" in answer["Location"]


def test_the_english_order_says_everything_in_plain_words(approved: Plan, client_for: Any) -> None:
    page = client_for("cmd_rifai").get("/plans/orders/sector/RIF/?lang=en").content.decode()
    assert 'lang="en" dir="ltr"' in page
    assert "Test election 2010" in page
    assert "Version 1 (Approved)" in page
    assert re.search(r"chair, committee chair, on \d+ \w+ 20\d\d \d\d:\d\d", page)
    # Guard posts per center: unit code and name, agency, role in plain words, headcount.
    assert "inner cordon (search at the gate)" in page
    assert "outer cordon (perimeter and approach roads)" in page
    assert "Rifai Police" in page
    assert "U-0001" in page
    assert "10th Division, Iraqi Army" in page
    # Not swept: on duty from two hours before the polls open on the vote day.
    assert "7 March 2010 05:00" in page
    assert "7 March 2010 19:00" in page
    # Shortfalls and unswept centers in words; no solver term anywhere.
    assert "20 more people are needed for the outer cordon (perimeter and approach roads)." in page
    assert "No explosives search (EOD team) is planned for this center before the vote." in page
    assert not SOLVER_WORDS.search(re.sub(r"<[^>]+>", " ", page))
    # Only al-Rifai's centers.
    assert "C-0001" in page
    assert "C-0002" in page
    assert "C-0003" not in page
    # The signature block, for the issuer and the receiver.
    for word in ("Issued by", "Received by", "Name", "Rank", "Signature", "Date"):
        assert word in page
    assert "Commander of the al-Rifai sector" in page
    assert "DRAFT" not in page


def test_the_arabic_order_is_right_to_left_with_iraqi_dates(
    approved: Plan, client_for: Any
) -> None:
    page = client_for("cmd_shatra").get("/plans/orders/sector/SHA/?lang=ar").content.decode()
    assert 'lang="ar" dir="rtl"' in page
    assert "الطوق الداخلي (التفتيش عند البوابة)" in page
    # The swept center is guarded from the end of its sweep, on the eve of the vote.
    assert "6 آذار 2010 06:40" in page
    assert "فريق 1 من U-0004" in page
    assert "ثانوية الشطرة" in page
    assert not SOLVER_WORDS.search(re.sub(r"<[^>]+>", " ", page))
    assert "التوقيع" in page
    assert "الرتبة" in page


def test_an_agency_order_lists_its_units_posts_in_every_sector(
    approved: Plan, client_for: Any
) -> None:
    page = client_for("liaison_army").get("/plans/orders/agency/IA/?lang=en").content.decode()
    assert set(re.findall(r'data-sector="([A-Z]+)"', page)) == {"RIF", "SHA"}
    # The army's posts (U-0002 at C-0001, the reserve U-0005 at C-0004), not the police's.
    assert "U-0002" in page
    assert "U-0005" in page
    assert "U-0001" not in page
    assert "U-0003" not in page
    assert "Liaison officer of 10th Division, Iraqi Army" in page


def test_versions_not_approved_are_previewed_by_chair_and_ops_only(
    approved: Plan, election: Election, personas: Personas, client_for: Any
) -> None:
    draft = store_plan(election, DOCUMENT, personas.ops)
    url = f"/plans/v{draft.version}/orders/sector/RIF/?lang=en"
    for name in ("chair", "ops"):
        page = client_for(name).get(url).content.decode()
        assert 'data-testid="order-watermark"' in page, name
        assert "DRAFT — not approved" in page
        index = client_for(name).get("/plans/orders/").content.decode()
        assert f"/plans/v{draft.version}/orders/" in index
    assert client_for("auditor").get(url).status_code == 403
    for name in ("cmd_rifai", "liaison_army", "commission", "outsider"):
        assert client_for(name).get(url).status_code == 404, name
    # The approved version's order is the one in force, without the watermark; the same
    # version asked for by number reads the same.
    for path in ("/plans/orders/sector/RIF/?lang=en", "/plans/v1/orders/sector/RIF/?lang=en"):
        page = client_for("cmd_rifai").get(path).content.decode()
        assert "order-watermark" not in page
    # Once another version is approved the first is superseded: no longer anyone's order.
    do_submit_plan(draft, acting_user=personas.ops)
    do_decide_plan(draft, approve=True, comment="", acting_user=personas.chair)
    assert client_for("cmd_rifai").get("/plans/v1/orders/sector/RIF/").status_code == 404
    page = client_for("ops").get("/plans/v1/orders/sector/RIF/?lang=en").content.decode()
    assert "SUPERSEDED — not in force" in page


def test_without_an_approved_plan_there_is_no_order(
    election: Election, personas: Personas, client_for: Any
) -> None:
    store_plan(election, DOCUMENT, personas.ops)
    assert client_for("chair").get(ORDERS["RIF"]).status_code == 404
    page = client_for("cmd_rifai").get("/plans/orders/").content.decode()
    assert 'data-testid="orders-none"' in page


def test_the_print_page_prints_only_the_order(approved: Plan, client_for: Any) -> None:
    page = client_for("ops").get("/plans/orders/sector/RIF/?lang=ar").content.decode()
    # The toolbar is there on screen and hidden in print; the page box is a stylesheet
    # (the Content-Security-Policy allows no inline style).
    assert 'class="order-toolbar no-print"' in page
    assert "<style>" not in page
    css = client_for("ops").get("/plans/orders/page-ar.css")
    assert css["Content-Type"].startswith("text/css")
    assert 'content: "صفحة " counter(page) " من " counter(pages);' in css.content.decode()
    static = Path(__file__).parents[2] / "src/pollguard/planning/static/planning/css/order.css"
    sheet = static.read_text()
    assert "@media print" in sheet
    assert ".no-print { display: none" in sheet
    assert "thead { display: table-header-group; }" in sheet
    assert ".order-part + .order-part { break-before: page; }" in sheet


def test_the_pdf_request_is_refused_for_another_sectors_order(
    approved: Plan, client_for: Any
) -> None:
    assert client_for("cmd_rifai").post("/plans/orders/sector/SHA/pdf").status_code == 404
    assert client_for("commission").post("/plans/orders/sector/RIF/pdf").status_code == 404
    assert Job.objects.filter(kind="plan_orders_pdf").count() == 0


def test_the_pdf_job_stores_the_file_and_says_in_words_when_it_cannot(
    approved: Plan, client_for: Any, orders_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The engine itself is tested below and in test_plan_order_pdf_engine.py; here the
    # job's path (progress, storage, result.url, access) on every database.
    printed: list[str] = []

    def fake_engine(html: str) -> bytes:
        printed.append(html)
        return b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n"

    monkeypatch.setattr("pollguard.planning.order_jobs.html_to_pdf", fake_engine)
    commander = client_for("cmd_rifai")
    answer = commander.post("/plans/orders/sector/RIF/pdf", {"lang": "en"})
    job_id = int(answer["Location"].rstrip("/").rsplit("/", 1)[1])
    # Asked again while it is queued: the same job.
    again = commander.post("/plans/orders/sector/RIF/pdf", {"lang": "en"})
    assert again["Location"] == answer["Location"]
    page = commander.get(f"/plans/orders/jobs/{job_id}/").content.decode()
    assert 'data-state="queued"' in page
    assert 'hx-trigger="every 2s"' in page
    run(job_id)
    job = Job.objects.get(pk=job_id)
    assert job.state == "succeeded", job.message
    assert job.result == {
        "url": f"/plans/orders/jobs/{job_id}/pdf",
        "file": "plan-v1-sector-RIF-en.pdf",
        "pages": 1,
        "bytes": len(fake_engine("")),
        "seconds": job.result["seconds"],
    }
    assert (orders_dir / str(job_id) / "plan-v1-sector-RIF-en.pdf").is_file()
    # The page printed for the PDF is self-contained: styles inline, no script, no toolbar.
    assert "<style>" in printed[0]
    assert "<script" not in printed[0]
    assert 'data-testid="order-toolbar"' not in printed[0]
    assert 'content: "page " counter(page) " of " counter(pages);' in printed[0]
    for name, reads in READS.items():
        for path in (f"/plans/orders/jobs/{job_id}/", f"/plans/orders/jobs/{job_id}/pdf"):
            expected = 200 if "RIF" in reads else 404
            assert client_for(name).get(path).status_code == expected, (name, path)
    # Another kind of job is not an order, whatever its number.
    assert commander.get(f"/plans/orders/jobs/{approved.job_id}/pdf").status_code == 404

    def broken_engine(html: str) -> bytes:
        raise PdfEngineError("/usr/bin/chromium is not installed (apt-get install chromium)")

    monkeypatch.setattr("pollguard.planning.order_jobs.html_to_pdf", broken_engine)
    answer = client_for("chair").post("/plans/orders/sector/RIF/pdf", {"lang": "ar"})
    failed_id = int(answer["Location"].rstrip("/").rsplit("/", 1)[1])
    run(failed_id)
    failed = Job.objects.get(pk=failed_id)
    assert failed.state == "failed"
    assert failed.message == (
        "the PDF could not be made: /usr/bin/chromium is not installed (apt-get install chromium)"
    )
    assert failed.message_ar.startswith("تعذر إنشاء ملف PDF")
    assert client_for("chair").get(f"/plans/orders/jobs/{failed_id}/pdf").status_code == 404


# --- the PDF (Debian's chromium, read back with poppler) -------------------------------

needs_pdf_tools = pytest.mark.skipif(
    not (Path("/usr/bin/chromium").exists() and shutil.which("pdftotext")),
    reason="needs Debian's chromium and poppler-utils",
)
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670]")
BRACKETS = re.compile(r"[()]")


def squash(text: str) -> str:
    """Text without spaces, vowel marks and brackets, to compare reading order only
    (tests/web/test_plan_order_pdf_engine.py says why)."""
    return BRACKETS.sub("", ARABIC_MARKS.sub("", re.sub(r"\s+", "", BIDI_MARKS.sub("", text))))


def pdf_text(pdf: bytes, tmp_path: Path, *, layout: bool = True) -> str:
    """The PDF's text: `-layout` for Arabic lines (their order), without it for the
    words of a wrapped table cell (kept together)."""
    path = tmp_path / "order.pdf"
    path.write_bytes(pdf)
    flags = ["-layout"] if layout else []
    out = subprocess.run(["pdftotext", *flags, str(path), "-"], capture_output=True, check=True)
    return BIDI_MARKS.sub("", out.stdout.decode("utf-8"))


def make_pdf(client: Client, url: str, lang: str) -> Job:
    answer = client.post(f"{url}pdf", {"lang": lang})
    assert answer.status_code == 302, answer.status_code
    job = Job.objects.get(pk=int(answer["Location"].rstrip("/").rsplit("/", 1)[1]))
    run(job.pk)  # as a worker runs it
    job.refresh_from_db()
    assert job.state == "succeeded", (job.message, job.result)
    return job


@pytest.mark.browser
@pytest.mark.slow
@needs_pdf_tools
def test_the_pdf_is_made_by_a_job_and_downloaded_under_the_same_rules(
    approved: Plan, client_for: Any, orders_dir: Path, tmp_path: Path
) -> None:
    commander = client_for("cmd_rifai")
    job = make_pdf(commander, ORDERS["RIF"], "ar")
    assert job.result is not None
    assert job.result["pages"] >= 1
    assert job.requested_by_id is not None
    assert AuditEntry.objects.filter(action="jobs.request", object_id=str(job.pk)).exists()
    # The job page shows the link; the API gives the commander his job and its result.url.
    assert job.result["url"] in commander.get(f"/plans/orders/jobs/{job.pk}/").content.decode()
    api = commander.get(f"/api/v1/jobs/{job.pk}").json()
    assert api["result"]["url"] == f"/plans/orders/jobs/{job.pk}/pdf"
    for name in READS:
        answer = client_for(name).get(job.result["url"])
        assert answer.status_code == (200 if "RIF" in READS[name] else 404), name
    answer = commander.get(job.result["url"])
    assert answer["Content-Type"] == "application/pdf"
    assert "plan-v1-sector-RIF-ar.pdf" in answer["Content-Disposition"]
    pdf = b"".join(answer.streaming_content)  # type: ignore[attr-defined]
    text = pdf_text(pdf, tmp_path)
    # Page numbers from the page box, the signature block, Arabic in reading order
    # (pdftotext places spaces around numbers in Arabic lines by its own rules, and
    # writes a mark before or after its letter: compared without either).
    pages = job.result["pages"]
    flat = squash(text)
    assert squash(f"صفحة 1 من {pages}") in flat, text
    assert squash(f"صفحة {pages} من {pages}") in flat
    for words in ("الاسم", "الرتبة", "التوقيع", "التاريخ", "قائد قاطع الرفاعي"):
        assert squash(words) in flat, words
    assert squash("الطوق الداخلي (التفتيش عند البوابة)") in flat
    assert squash("يلزم 20 فرداً إضافياً لمهمة الطوق الخارجي") in flat
    assert squash("U-0001") in flat
    assert "C-0003" not in text
    if os.environ.get("POLLGUARD_SCREENSHOTS") == "1":
        save_page_image(pdf, "plan-order-ar", tmp_path)


@pytest.mark.browser
@pytest.mark.slow
@needs_pdf_tools
def test_the_english_pdfs_number_their_pages(
    approved: Plan, client_for: Any, orders_dir: Path, tmp_path: Path
) -> None:
    job = make_pdf(client_for("cmd_rifai"), ORDERS["RIF"], "en")
    assert job.result is not None
    pdf = b"".join(client_for("cmd_rifai").get(job.result["url"]).streaming_content)  # type: ignore[attr-defined]
    words = " ".join(pdf_text(pdf, tmp_path, layout=False).split())
    pages = job.result["pages"]
    assert f"page 1 of {pages}" in words, words
    assert f"page {pages} of {pages}" in words
    assert "inner cordon (search at the gate)" in words
    assert "20 more people are needed for the outer cordon" in words
    assert "Commander of the al-Rifai sector" in words
    assert not SOLVER_WORDS.search(words)
    if os.environ.get("POLLGUARD_SCREENSHOTS") == "1":
        save_page_image(pdf, "plan-order-en", tmp_path)

    job = make_pdf(client_for("liaison_army"), ORDERS["IA"], "en")
    assert job.result is not None
    answer = client_for("liaison_army").get(job.result["url"])
    pdf = b"".join(answer.streaming_content)  # type: ignore[attr-defined]
    words = " ".join(pdf_text(pdf, tmp_path, layout=False).split())
    assert f"page 1 of {job.result['pages']}" in words
    assert "Received by: Liaison officer of 10th" in words  # the cell wraps beside its pair
    assert "outer cordon" in words
    assert "7 March 2010 05:00" in words
    assert client_for("cmd_rifai").get(job.result["url"]).status_code == 404


def save_page_image(pdf: bytes, name: str, tmp_path: Path) -> None:
    """docs/img/<name>.png: the PDF's first page as an image, for the user guide."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    target = Path(__file__).resolve().parents[2] / "docs" / "img" / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", source, target],
        check=True,
    )
