"""HTML to PDF with Debian's headless chromium (the engine `docs/pdf-engine.md` chose).

Chromium shapes Arabic and orders mixed Arabic, digits and Latin codes as the print page
does, and prints CSS `@page` margin boxes ("page 2 of 5") since version 131. WeasyPrint
was measured against it and lost: its text layer splits Arabic marks from their letters,
so `pdftotext`, search and copy read the lines out of order (the test that decides is
`tests/web/test_plan_order_pdf_engine.py`).

Runs in a Celery worker, never in a web thread: one chromium process per PDF, its output
captured (never the worker's stdout), in a private temporary folder holding the page, the
browser profile and the result. The page is self-contained (styles inline, no network:
every host resolves to nothing) and carries no script. (Turning scripts off with
`--blink-settings=scriptEnabled=false` makes chromium 156 exit 0 without writing the PDF.)
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

RENDER_TIMEOUT_S = 120.0


class PdfEngineError(Exception):
    """The PDF could not be made (chromium missing, crashed or too slow)."""


def chromium_path() -> Path:
    return Path(settings.POLLGUARD_CHROMIUM)


def html_to_pdf(html: str, *, timeout: float = RENDER_TIMEOUT_S) -> bytes:
    """The PDF of a self-contained HTML page, printed by headless chromium."""
    chromium = chromium_path()
    if not chromium.exists():
        raise PdfEngineError(f"{chromium} is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="pollguard-pdf-") as tmp:
        folder = Path(tmp)
        page, out = folder / "order.html", folder / "order.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            str(chromium),
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={folder / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        if os.geteuid() == 0:
            # Chromium refuses to start as root inside its sandbox (containers, CI).
            command.insert(1, "--no-sandbox")
        env = {**os.environ, "HOME": tmp, "XDG_CONFIG_HOME": tmp, "XDG_CACHE_HOME": tmp}
        try:
            done = subprocess.run(  # noqa: S603 - our own command line, no shell
                command,
                capture_output=True,
                timeout=timeout,
                env=env,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            raise PdfEngineError(f"chromium took more than {timeout:.0f} s") from exc
        if done.returncode != 0 or not out.exists():
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise PdfEngineError(f"chromium failed ({done.returncode}): {' / '.join(tail)}")
        return out.read_bytes()


_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF chromium wrote (its page objects are not compressed)."""
    return len(_PAGE.findall(pdf))
