"""The test that chose the PDF engine of the plan orders (docs/pdf-engine.md).

One probe page mixes what an Iraqi order holds: Arabic with vowel marks (فرداً، موقّعة),
Arabic-Indic and Western digits, Latin codes (C-0012, EOD-01, U-0001), times (06:40)
and a date, a paragraph that wraps, a table, and "page X of Y" from a CSS `@page`
margin box over two pages. Each engine prints it; `pdftotext -layout` reads the text
back and each line must come out in reading order (compared without spaces and vowel
marks, which pdftotext places by its own rules), and `pdftoppm` draws the first page
(POLLGUARD_SCREENSHOTS=1 keeps both drawings in docs/img/ for the comparison).

Chromium (the engine the app uses, `planning.order_pdf`) passes. WeasyPrint is expected
to fail (strict: if a release fixes it, this test says so and the choice is worth
another look): its text layer cuts the Arabic lines apart at vowel marks and inline
elements, so the PDF's text (search, copy, screen readers) is out of order.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pollguard.planning.order_pdf import chromium_path, html_to_pdf, page_count

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (chromium_path().exists() and shutil.which("pdftotext") and shutil.which("pdftoppm")),
        reason="needs Debian's chromium and poppler-utils",
    ),
]

PROBE = """<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 18mm 15mm 20mm;
  @bottom-center { content: "صفحة " counter(page) " من " counter(pages);
                   font-family: "Noto Naskh Arabic"; font-size: 10pt; } }
body { font-family: "Noto Naskh Arabic", "DejaVu Sans", sans-serif; font-size: 13pt; }
.code { white-space: nowrap; }
p.narrow { inline-size: 120mm; }
table { border-collapse: collapse; inline-size: 100%; }
th, td { border: 1px solid #333; padding: 2mm; text-align: start; }
thead { display: table-header-group; }
.next { break-before: page; }
</style></head><body>
<h1>أمر الخطة الأمنية — قاطع الرفاعي</h1>
<p>يفتش الفريق <bdi class="code">EOD-01</bdi> المركز <bdi class="code">C-0012</bdi> من
06:40 إلى 07:20 يوم <bdi>2010-03-06</bdi></p>
<p>العدد ١٢ فرداً في الطوق الداخلي و 12 فرداً في الطوق الخارجي</p>
<p class="narrow">يقف <b>الطوق الداخلي</b> من الوحدة <span>شرطة الرفاعي</span> (<bdi
class="code">U-0001</bdi>) عند المركز <bdi class="code">C-0012</bdi> ويبدأ الواجب الساعة
05:00 ويفتش الفريق <b class="code">EOD-01</b> المركز بعد ذلك، ثم يوقّع المستلم نسخة
موقّعة.</p>
<table><thead><tr><th>الوحدة</th><th>العدد</th><th>الوقت</th></tr></thead>
<tbody><tr><td>شرطة الرفاعي (<bdi
class="code">U-0001</bdi>)</td><td>12</td><td>06:40</td></tr></tbody></table>
<p class="next">الصفحة الثانية: التوقيع والتاريخ</p>
</body></html>
"""

# The lines as a reader reads them (logical order).
EXPECTED = [
    "أمر الخطة الأمنية — قاطع الرفاعي",
    "يفتش الفريق EOD-01 المركز C-0012 من 06:40 إلى 07:20 يوم 2010-03-06",
    "العدد ١٢ فرداً في الطوق الداخلي و 12 فرداً في الطوق الخارجي",
    "يقف الطوق الداخلي من الوحدة شرطة الرفاعي (U-0001) عند المركز C-0012",
    "ويفتش الفريق EOD-01 المركز بعد ذلك، ثم يوقّع المستلم نسخة موقّعة.",
    "شرطة الرفاعي (U-0001)",
    "صفحة 1 من 2",
    "صفحة 2 من 2",
]

BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670]")
BRACKETS = re.compile(r"[()]")


def squash(text: str) -> str:
    """Text without spaces, vowel marks and brackets: pdftotext places the first two by
    its own rules and does not mirror brackets back around a Latin code in an Arabic
    line ("(U-0001)" reads "( )U-0001"); what is left is the order of the words."""
    return BRACKETS.sub("", ARABIC_MARKS.sub("", re.sub(r"\s+", "", BIDI_MARKS.sub("", text))))


def text_of(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def out_of_order(text: str) -> list[str]:
    """The expected lines that the PDF's text does not hold in reading order."""
    flat = squash(text)
    return [line for line in EXPECTED if squash(line) not in flat]


def draw(pdf: Path, name: str) -> Path:
    """The first page as a PNG (kept in docs/img/ with POLLGUARD_SCREENSHOTS=1)."""
    target = pdf.with_suffix("")
    if os.environ.get("POLLGUARD_SCREENSHOTS") == "1":
        target = Path(__file__).resolve().parents[2] / "docs" / "img" / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf, target],
        check=True,
    )
    return target.with_suffix(".png")


def chromium(html: str) -> bytes:
    return html_to_pdf(html)


def weasyprint(html: str) -> bytes:
    module = pytest.importorskip("weasyprint")
    pdf = module.HTML(string=html).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def check_engine(engine: Callable[[str], bytes], name: str, tmp_path: Path) -> None:
    started = time.monotonic()
    pdf = engine(PROBE)
    seconds = time.monotonic() - started
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    image = draw(path, f"pdf-engine-{name}")
    assert image.stat().st_size > 5_000  # a drawn page, not a blank one
    text = text_of(path)
    print(f"{name}: {seconds:.2f} s, {page_count(pdf)} pages\n{text}")  # shown with -s
    assert out_of_order(text) == [], text


def test_chromium_prints_mixed_arabic_in_reading_order(tmp_path: Path) -> None:
    check_engine(chromium, "chromium", tmp_path)
    assert page_count((tmp_path / "chromium.pdf").read_bytes()) == 2


@pytest.mark.xfail(
    strict=True,
    reason="WeasyPrint's text layer splits Arabic lines at vowel marks and inline "
    "elements (open bidi issues); docs/pdf-engine.md",
)
def test_weasyprint_prints_mixed_arabic_in_reading_order(tmp_path: Path) -> None:
    check_engine(weasyprint, "weasyprint", tmp_path)


def test_the_check_catches_a_line_out_of_order(tmp_path: Path) -> None:
    # The same words with the Latin code moved: what a broken bidi layer produces.
    broken = PROBE.replace(
        '<bdi class="code">EOD-01</bdi> المركز', 'المركز <bdi class="code">EOD-01</bdi>', 1
    )
    path = tmp_path / "broken.pdf"
    path.write_bytes(chromium(broken))
    assert out_of_order(text_of(path)) == [EXPECTED[1]]
