"""What every benchmark script shares: the machine's description and its docs section.

docs/benchmarks.md has one section per script between `<!-- bench:NAME -->` and
`<!-- /bench:NAME -->`; a script rewrites only its own section, so several scripts can
report into one page.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import subprocess
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def machine() -> str:
    """CPU model, cores, memory and Python version, e.g. for a benchmark's header."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (OSError, ValueError):
        pass
    load = ""
    with contextlib.suppress(OSError):
        load = f", load average at start {os.getloadavg()[0]:.2f}"
    return (
        f"{model}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"
        f" on {platform.system()}{load}"
    )


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def write_section(marker: str, body: str, *, doc: Path = DOC) -> None:
    """Replace the text between this marker pair in docs/benchmarks.md with `body`."""
    text = doc.read_text(encoding="utf-8")
    pattern = re.compile(rf"(<!-- bench:{marker} -->\n).*?(<!-- /bench:{marker} -->)", re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{doc} has no bench:{marker} markers")
    text = pattern.sub(lambda m: m.group(1) + body.rstrip() + "\n" + m.group(2), text)
    doc.write_text(text, encoding="utf-8")


def wait_until_serving(port: int, server: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
    """Wait (up to a minute) until `pollguard serve` on 127.0.0.1:`port` answers; else stop it."""
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("pollguard serve did not start")
