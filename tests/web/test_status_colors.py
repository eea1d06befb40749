"""Every center status color is readable (WCAG AA, 4.5:1) wherever the pages draw it."""

from __future__ import annotations

import pytest

from pollguard.registry.choices import (
    CENTER_STATUS_COLORS,
    CENTER_STATUS_TEXT_COLOR,
    STATUS_BACKGROUNDS,
    CenterStatus,
)


def _luminance(color: str) -> float:
    channels = [int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_formula_gives_the_known_extremes() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#fd7e14", "#ffffff") == pytest.approx(2.57, abs=0.01)


@pytest.mark.parametrize("status", list(CenterStatus))
@pytest.mark.parametrize("background", STATUS_BACKGROUNDS)
def test_each_status_color_reads_on_each_background(status: CenterStatus, background: str) -> None:
    assert contrast(CENTER_STATUS_COLORS[status], background) >= 4.5


@pytest.mark.parametrize("status", list(CenterStatus))
def test_text_drawn_on_each_status_color_reads(status: CenterStatus) -> None:
    assert contrast(CENTER_STATUS_TEXT_COLOR, CENTER_STATUS_COLORS[status]) >= 4.5
