"""The after-action report as a PDF, printed by Debian's chromium in a job and read back.

As for the plan orders (tests/web/test_plan_order_pdf_engine.py): `pdftotext -layout`
must give the Arabic lines in reading order (compared without spaces, vowel marks and
brackets), and `pdftoppm` draws the pages, which are checked as images: not blank, and
the Arabic page's heading stands at the right of the sheet, the English one's at the
left. POLLGUARD_SCREENSHOTS=1 keeps the first pages in docs/img/ for the user guide.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from pollguard.planning.order_pdf import chromium_path
from pollguard.registry.models import Election
from pollguard.reports.actions import do_load_previous_election

from .personas import Personas
from .test_plan_orders import BIDI_MARKS, squash
from .test_reports import DATA, content_of, export, vote_day  # noqa: F401 - vote_day: a fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (chromium_path().exists() and shutil.which("pdftotext") and shutil.which("pdftoppm")),
        reason="needs Debian's chromium and poppler-utils",
    ),
]


def pdf_text(path: Path, *, layout: bool = True) -> str:
    """`-layout` for Arabic lines (their order), without it for the words of a wrapped
    table cell (kept together)."""
    flags = ["-layout"] if layout else []
    out = subprocess.run(["pdftotext", *flags, str(path), "-"], capture_output=True, check=True)
    return BIDI_MARKS.sub("", out.stdout.decode("utf-8"))


def page_image(path: Path, page: int = 1, dpi: int = 40) -> tuple[int, int, bytes]:
    """Page `page` as 8-bit grey pixels (pdftoppm's PGM: width, height, rows)."""
    target = path.with_name(f"{path.stem}-{page}")
    subprocess.run(
        ["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
         str(path), str(target)],
        check=True,
    )  # fmt: skip
    data = target.with_suffix(".pgm").read_bytes()
    magic, width, height, _depth, pixels = data.split(maxsplit=4)
    assert magic == b"P5"
    return int(width), int(height), pixels


def heading_side(image: tuple[int, int, bytes]) -> float:
    """Where the ink of the page's top tenth leans: 0 left edge, 1 right edge."""
    width, height, pixels = image
    ink = total = 0.0
    for y in range(int(height * 0.04), int(height * 0.10)):
        row = pixels[y * width : (y + 1) * width]
        for x, value in enumerate(row):
            weight = 255 - value
            ink += weight * x
            total += weight
    assert total > 0, "the heading band is blank"
    return ink / total / width


def save(path: Path, name: str) -> None:
    target = Path(__file__).resolve().parents[2] / "docs" / "img" / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(path),
         str(target)],
        check=True,
    )  # fmt: skip


def test_the_arabic_after_action_pdf_reads_in_order_and_its_pages_read_from_the_right(
    election: Election,
    personas: Personas,
    vote_day: dict[str, Any],  # noqa: F811 - the fixture imported above
    client_for: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.POLLGUARD_REPORTS_DIR = tmp_path / "reports"
    do_load_previous_election(
        election, yaml.safe_load(DATA.read_text(encoding="utf-8")), acting_user=None
    )
    chair = client_for("chair")
    sides = {}
    for lang in ("ar", "en"):
        job = export(chair, subject="after_action", format="pdf", lang=lang)
        assert job.result is not None
        assert job.result["pages"] >= 1
        path = tmp_path / f"after-action-{lang}.pdf"
        path.write_bytes(content_of(chair, job))
        assert path.read_bytes().startswith(b"%PDF")
        image = page_image(path)
        assert sum(255 - v for v in image[2]) > image[0] * image[1] * 5  # a drawn page
        sides[lang] = heading_side(image)
        text = pdf_text(path)
        flat = squash(text)
        pages = job.result["pages"]
        if lang == "ar":
            for line in (
                "تقرير ما بعد العمل",
                "الخروقات الأمنية",
                "انتخابات مجالس المحافظات",
                "غير مسجّل",
                "الحوادث في كل ساعة حسب القاطع يوم الاقتراع العام",
                "أوقات افتتاح المراكز العامة",
                "المراكز المفتوحة في موعدها",
                f"صفحة 1 من {pages}",
            ):
                assert squash(line) in flat, (line, text)
        else:
            words = " ".join(pdf_text(path, layout=False).split())
            for line in (
                "After-action report",
                "Security breaches",
                "Provincial council election, Dhi Qar, 2009",
                "not recorded",
                "Incidents per hour and sector on the general vote day",
                f"page 1 of {pages}",
            ):
                assert line in words, (line, words)
        # The hour axis of the first chart: 00:00 at the right in Arabic, the left in English.
        axis = next(line for line in text.splitlines() if "00:00" in line and "22:00" in line)
        first, last = axis.index("00:00"), axis.index("22:00")
        assert (first > last) if lang == "ar" else (first < last), axis
        if os.environ.get("POLLGUARD_SCREENSHOTS") == "1":
            save(path, f"report-after-action-{lang}")
    assert sides["ar"] > 0.6, sides
    assert sides["en"] < 0.4, sides
