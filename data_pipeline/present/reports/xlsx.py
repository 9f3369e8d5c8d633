"""A report as an Excel workbook (openpyxl): an overview sheet, one sheet per table, the method.

Numbers are real numbers with formats (percent, thousands, ratios); headers are frozen; topics
and formats get a native bar chart. Every cell goes through data_pipeline.core.safe_export.put, so a
value that starts like a formula, an area name from a boundary file for example, stays text.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from data_pipeline.core.i18n import t
from data_pipeline.core.safe_export import NUMBER_FORMATS, print_one_page_wide, put
from data_pipeline.present.reports.model import Report, Section, Table

HEADER_ROW = 3  # row 1 the title, row 2 the note, row 3 the column headers
HEADER_FILL = PatternFill("solid", fgColor="DCE6EF")
TITLE_FONT = Font(bold=True, size=13, color="1F5F8B")
OVERVIEW_WIDTH = 100  # characters of column A on the overview sheet
OVERVIEW_CHARS_PER_LINE = 95  # what fits in it with proportional letters, to size rows


def render_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    overview = workbook.active
    names: set[str] = set()
    overview.title = _sheet_name(t("report.sheet.overview", report.lang), names)
    tables = report.tables()
    sheets = [_sheet_name(table.sheet, names) for table in tables]
    method = next((s for s in report.sections if s.key == "method"), None)
    method_name = _sheet_name(t("report.sheet.method", report.lang), names) if method else None
    _write_overview(overview, report, [*sheets, *([method_name] if method_name else [])])
    for table, name in zip(tables, sheets, strict=True):
        _write_table(workbook.create_sheet(name), table)
    if method is not None:
        _write_method(workbook.create_sheet(method_name), method, report)
    for sheet in workbook.worksheets:
        print_one_page_wide(sheet)
    workbook.properties.creator = "Deltagelsesatlas"
    workbook.properties.title = f"{report.title} – {report.subtitle}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(name: str, taken: set[str]) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name, each name once."""
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Ark"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _write_overview(sheet: Worksheet, report: Report, sheet_names: list[str]) -> None:
    rows = [report.title, report.subtitle, report.scope, report.generated, report.credit]
    for r, text in enumerate(rows, start=1):
        put(sheet.cell(r, 1), text)
    sheet.cell(1, 1).font = TITLE_FONT
    row = len(rows) + 2
    headline = next((s for s in report.sections if s.key == "headline"), None)
    if headline is not None and headline.items:
        put(sheet.cell(row, 1), t("report.key_messages", report.lang))
        sheet.cell(row, 1).font = Font(bold=True)
        for item in headline.items:
            row += 1
            text = item if isinstance(item, str) else " ".join(item)
            put(sheet.cell(row, 1), text)
            # A key message is a sentence or two: wrapped in the column, not cut at its edge,
            # in a row tall enough for its lines (spreadsheets do not grow a row on opening).
            sheet.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
            sheet.row_dimensions[row].height = 15 * -(-len(text) // OVERVIEW_CHARS_PER_LINE)
        row += 2
    put(sheet.cell(row, 1), t("report.contents", report.lang))
    sheet.cell(row, 1).font = Font(bold=True)
    for name in sheet_names:
        row += 1
        put(sheet.cell(row, 1), name)
    sheet.column_dimensions["A"].width = OVERVIEW_WIDTH


def _write_table(sheet: Worksheet, table: Table) -> None:
    put(sheet.cell(1, 1), table.title)
    sheet.cell(1, 1).font = TITLE_FONT
    put(sheet.cell(2, 1), table.note)
    sheet.cell(2, 1).font = Font(italic=True, color="5B6B78")
    for c, column in enumerate(table.columns, start=1):
        cell = sheet.cell(HEADER_ROW, c)
        put(cell, column.title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(
            wrap_text=True,
            vertical="bottom",
            horizontal="left" if column.kind == "text" else "right",
        )
    for r, row in enumerate(table.rows):
        for c, value in enumerate(row):
            cell = sheet.cell(HEADER_ROW + 1 + r, c + 1)
            put(cell, value)
            kind = table.kind(r, c)
            if kind in NUMBER_FORMATS and not isinstance(value, str):
                cell.number_format = NUMBER_FORMATS[kind]
            elif isinstance(value, str) and kind != "text":
                # "<5" in a number column sits where the number would.
                cell.alignment = Alignment(horizontal="right")
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    _fit_columns(sheet, table)
    if table.bar_chart and table.rows:
        _bar_chart(sheet, table)


def _fit_columns(sheet: Worksheet, table: Table) -> None:
    for c, column in enumerate(table.columns, start=1):
        longest = max(
            [len(str(row[c - 1])) for row in table.rows if row[c - 1] is not None]
            + [len(column.title) * 0.8, 8]
        )
        sheet.column_dimensions[get_column_letter(c)].width = min(max(longest + 2, 10), 70)
    sheet.row_dimensions[HEADER_ROW].height = 30


def _bar_chart(sheet: Worksheet, table: Table) -> None:
    """Excel's own bar chart of the share columns, so it stays live when the sheet is edited."""
    first, last = HEADER_ROW + 1, HEADER_ROW + len(table.rows)
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = table.title
    chart.y_axis.number_format = "0%"
    chart.y_axis.majorGridlines = None
    # Bars are drawn bottom-up; reversing the category axis keeps the table's order.
    chart.x_axis.scaling.orientation = "maxMin"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    for column in table.bar_chart:
        data = Reference(sheet, min_col=column + 1, min_row=HEADER_ROW, max_row=last)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=last))
    chart.height = max(7.5, 0.9 * len(table.rows) + 3)
    chart.width = 17
    sheet.add_chart(chart, f"{get_column_letter(len(table.columns) + 2)}{HEADER_ROW}")


def _write_method(sheet: Worksheet, section: Section, report: Report) -> None:
    put(sheet.cell(1, 1), section.title)
    sheet.cell(1, 1).font = TITLE_FONT
    row = 3
    for text in [*section.paragraphs, *section.closing]:
        cell = sheet.cell(row, 1)
        put(cell, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    sheet.column_dimensions["A"].width = 110
