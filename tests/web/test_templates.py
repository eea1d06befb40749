"""Template mistakes that Django renders silently as page text."""

from __future__ import annotations

from pathlib import Path

import pytest

import pollguard

TEMPLATES = sorted(Path(pollguard.__file__).parent.rglob("templates/**/*.html"))


def test_templates_are_found() -> None:
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_a_short_comment_closes_on_its_own_line(path: Path) -> None:
    # `{# ... #}` is a one-line comment: spread over lines, its text shows on the page
    # (the map's side panel once read "Focusable: the side panel scrolls, and {#...").
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        opened = line.count("{#")
        assert opened == line.count("#}"), f"{path.name}:{number}: use {{% comment %}}"
