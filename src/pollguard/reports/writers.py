"""Writing a `ReportContent` as CSV, XLSX or the HTML page the PDF is printed from.

- CSV: UTF-8 with a byte-order mark, so Excel opens Arabic as Arabic; each table is a
  title line, a header line and its rows, with an empty line between tables.
- XLSX (openpyxl): one sheet per table and per chart, right-to-left sheets for Arabic;
  each chart sheet holds its figures and an Excel bar chart whose categories run
  right-to-left in Arabic.
- HTML: self-contained (styles inline, charts as inline SVG, no script) for chromium.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from pollguard.core.charts import render_bar_chart
from pollguard.planning.orders import page_css
from pollguard.reports.content import ReportContent

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def to_csv(content: ReportContent) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    if content.facts:
        writer.writerow([content.title])
        writer.writerow([content.election_name])
        writer.writerows([label, value] for label, value in content.facts)
        writer.writerows([text] for text in content.paragraphs)
        writer.writerow([])
    several = len(content.tables) > 1
    for i, table in enumerate(content.tables):
        if several:
            if i:
                writer.writerow([])
            writer.writerow([table.title])
        writer.writerow(table.columns)
        writer.writerows(["" if c is None else c for c in row] for row in table.rows)
    return out.getvalue().encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", title).strip()[:28] or "sheet"
    name, n = base, 2
    while name in used:
        name = f"{base[:25]} {n}"
        n += 1
    used.add(name)
    return name


def to_xlsx(content: ReportContent) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    book = Workbook()
    used: set[str] = set()
    first = book.active
    assert first is not None
    book.remove(first)
    bold = Font(bold=True)
    if content.facts or content.paragraphs:
        sheet = book.create_sheet(_sheet_title(content.title, used))
        sheet.sheet_view.rightToLeft = content.rtl
        sheet.append([content.title])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([content.election_name])
        for label, value in content.facts:
            sheet.append([label, value])
        for text in content.paragraphs:
            sheet.append([text])
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["B"].width = 40
    for table in content.tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        sheet.sheet_view.rightToLeft = content.rtl
        sheet.append(table.columns)
        for cell in sheet[1]:
            cell.font = bold
        for row in table.rows:
            sheet.append(list(row))
        if table.note:
            sheet.append([table.note])
        for i, _column in enumerate(table.columns):
            letter = sheet.cell(row=1, column=i + 1).column_letter
            sheet.column_dimensions[letter].width = 18 if i else 30
        sheet.freeze_panes = "A2"
    for data in content.charts:
        chart = data.chart
        sheet = book.create_sheet(_sheet_title(chart.title, used))
        sheet.sheet_view.rightToLeft = content.rtl
        sheet.append(["", *(s.label for s in chart.series)])
        for i, category in enumerate(chart.categories):
            sheet.append([category, *(s.values[i] for s in chart.series)])
        if chart.categories and chart.series:
            bars = BarChart()
            bars.type = "col"
            bars.grouping = "stacked"
            bars.overlap = 100
            bars.title = chart.title
            bars.y_axis.title = chart.value_label
            values = Reference(
                sheet, min_col=2, max_col=1 + len(chart.series), min_row=1,
                max_row=1 + len(chart.categories),
            )  # fmt: skip
            labels = Reference(sheet, min_col=1, min_row=2, max_row=1 + len(chart.categories))
            bars.add_data(values, titles_from_data=True)
            bars.set_categories(labels)
            if content.rtl:
                # Categories from the right and the value axis on the right, as the page.
                bars.x_axis.scaling.orientation = "maxMin"
                bars.y_axis.crosses = "max"
            bars.width, bars.height = 24, 10
            sheet.add_chart(bars, f"B{len(chart.categories) + 3}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_css(lang: str) -> str:
    path = finders.find("reports/css/report.css")
    assert isinstance(path, str)  # shipped with the app
    return Path(path).read_text(encoding="utf-8") + "\n" + page_css(lang)


def to_html(
    content: ReportContent, *, for_pdf: bool, extra: Mapping[str, object] | None = None
) -> str:
    """The report's page: self-contained for the PDF, with links for the browser."""
    charts = [
        {"key": c.key, "svg": mark_safe(render_bar_chart(c.chart, rtl=content.rtl))}  # noqa: S308 - our own SVG, every text escaped
        for c in content.charts
    ]
    with translation.override(content.lang):
        return render_to_string(
            "reports/report_print.html",
            {
                "content": content,
                "charts": charts,
                "for_pdf": for_pdf,
                "inline_css": report_css(content.lang) if for_pdf else "",
                **(extra or {}),
            },
        )
