"""Server-side SVG bar charts for printed reports (no script, no chart library).

A chart is drawn once per language: in a right-to-left language the first category
stands at the right, the value axis is on the right and the legend reads from the right,
so an Arabic page reads the chart in the same direction as its text. Everything the
reader sees is text in the SVG (labels, ticks, legend), so `pdftotext` finds it and the
PDF stays searchable.

Each bar carries `data-category` and `data-series`, each legend entry `data-legend`, so
a test can check the direction from the drawing itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

PALETTE = ("#0a58ca", "#b02a37", "#146c43", "#a34d00", "#6f42c1", "#5a6169", "#0f7c8c")
FONT = '"Noto Naskh Arabic", "Noto Sans Arabic", "DejaVu Sans", sans-serif'


@dataclass(frozen=True)
class Series:
    """One stacked series: a label for the legend and one value per category."""

    label: str
    values: tuple[float, ...]
    color: str = ""


@dataclass(frozen=True)
class BarChart:
    """A stacked bar chart: `categories` along the reading direction, values upwards."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    value_label: str = ""
    empty_text: str = "no data"
    width: int = 680
    height: int = 260
    label_every: int = 1  # print every n-th category label (hours: every 2nd)
    legend: bool | None = None  # None: a legend when there are several series
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(sum(s.values) for s in self.series)


def _nice_top(value: float) -> tuple[float, float]:
    """The axis top and its tick step: 1, 2 or 5 times a power of ten, four ticks or so."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1.0) if value >= 1 else step
    return step * math.ceil(value / step), step


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def render_bar_chart(chart: BarChart, *, rtl: bool) -> str:
    """The chart as an inline `<svg>` element (module docstring for the direction)."""
    w, h = chart.width, chart.height
    legend = chart.legend if chart.legend is not None else len(chart.series) > 1
    legend_h = 22 if legend and chart.series else 0
    top, bottom, axis_w, side = 34 + legend_h, 46, 44, 12
    plot_w = w - axis_w - 2 * side
    plot_h = h - top - bottom
    # The value axis stands where a reader starts: the right in Arabic.
    plot_start = side if rtl else side + axis_w
    # The root's `direction` makes text anchors logical: "start" is the right edge of an
    # Arabic label, the left of an English one (and the page's own direction is inherited
    # by inline SVG, so an English chart says "ltr" as well).
    anchor_start = "start"
    direction = "rtl" if rtl else "ltr"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pg-chart" role="img" '
        f'width="{w}" height="{h}" viewBox="0 0 {w} {h}" direction="{direction}" '
        f'data-direction="{direction}" font-family=\'{FONT}\' font-size="11">',
        f"<title>{escape(chart.title)}</title>",
        f'<text x="{w - side if rtl else side}" y="18" text-anchor="{anchor_start}" '
        f'font-size="14" font-weight="bold" data-role="title">{escape(chart.title)}</text>',
    ]
    colors = [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(chart.series)]
    if legend_h:
        # The legend starts beside the value axis' label, on the reading side.
        x = w - side - axis_w if rtl else side + axis_w
        for label, color in zip((s.label for s in chart.series), colors, strict=True):
            swatch = x - 10 if rtl else x
            text_x = x - 14 if rtl else x + 14
            parts.append(
                f'<g data-legend="{escape(label)}" data-x="{x}">'
                f'<rect x="{swatch}" y="{top - legend_h - 2}" width="10" height="10" '
                f'fill="{color}"/>'
                f'<text x="{text_x}" y="{top - legend_h + 7}" text-anchor="{anchor_start}">'
                f"{escape(label)}</text></g>"
            )
            step = 24 + 7 * len(label)
            x = x - step if rtl else x + step
    n = len(chart.categories)
    if n == 0 or chart.total <= 0:
        parts.append(
            f'<text x="{w / 2}" y="{top + plot_h / 2}" text-anchor="middle" '
            f'data-role="empty">{escape(chart.empty_text)}</text>'
        )
        parts.append(
            f'<line x1="{plot_start}" y1="{top + plot_h}" x2="{plot_start + plot_w}" '
            f'y2="{top + plot_h}" stroke="#333"/>'
        )
        parts.append("</svg>")
        return "".join(parts)
    stacks = [sum(s.values[i] for s in chart.series) for i in range(n)]
    axis_top, tick = _nice_top(max(stacks))
    axis_x = plot_start + plot_w if rtl else plot_start
    label_x = axis_x + 4 if rtl else axis_x - 4
    ticks = round(axis_top / tick)
    tick_anchor = "end"  # numbers stand outside the axis, on its reading-start side
    for k in range(ticks + 1):
        value = tick * k
        y = top + plot_h - plot_h * value / axis_top
        parts.append(
            f'<line x1="{plot_start}" y1="{y:.1f}" x2="{plot_start + plot_w}" y2="{y:.1f}" '
            f'stroke="#ddd"/>'
            f'<text x="{label_x}" y="{y + 4:.1f}" text-anchor="{tick_anchor}" data-role="tick">'
            f"{_number(value)}</text>"
        )
    parts.append(
        f'<line x1="{axis_x}" y1="{top}" x2="{axis_x}" y2="{top + plot_h}" stroke="#333" '
        f'data-role="value-axis"/>'
    )
    if chart.value_label:
        vx = w - 4 if rtl else 12
        parts.append(
            f'<text x="{vx}" y="{top - 6}" text-anchor="{anchor_start}" font-size="10" '
            f'data-role="value-label">{escape(chart.value_label)}</text>'
        )
    slot = plot_w / n
    bar_w = max(2.0, slot * 0.7)
    for i, category in enumerate(chart.categories):
        # The i-th category's slot, counted from the reading start.
        left = plot_start + plot_w - slot * (i + 1) if rtl else plot_start + slot * i
        bar_x = left + (slot - bar_w) / 2
        base: float = top + plot_h
        for series, color in zip(chart.series, colors, strict=True):
            value = series.values[i]
            if value <= 0:
                continue
            bar_h = plot_h * value / axis_top
            base -= bar_h
            parts.append(
                f'<rect x="{bar_x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" '
                f'fill="{color}" data-category="{escape(category)}" '
                f'data-series="{escape(series.label)}" data-value="{_number(value)}"/>'
            )
        if stacks[i] > 0 and slot >= 16:
            parts.append(
                f'<text x="{bar_x + bar_w / 2:.1f}" y="{base - 3:.1f}" text-anchor="middle" '
                f'font-size="9">{_number(stacks[i])}</text>'
            )
        if i % max(chart.label_every, 1) == 0:
            parts.append(
                f'<text x="{left + slot / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                f'data-role="category">{escape(category)}</text>'
            )
    parts.append(
        f'<line x1="{plot_start}" y1="{top + plot_h}" x2="{plot_start + plot_w}" '
        f'y2="{top + plot_h}" stroke="#333"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
