"""Every picture the user guide shows is in the repository (docs/img)."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_image_the_guides_show_exists() -> None:
    missing = []
    for page in sorted(DOCS.rglob("*.md")):
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+\.png)\)", page.read_text("utf-8")):
            if not (page.parent / target).resolve().is_file():
                missing.append(f"{page.relative_to(DOCS)}: {target}")
    assert missing == []
