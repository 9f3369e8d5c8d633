"""The one writer for every CSV and XLSX file the project hands out (pages, CLI, reports).

Owns the OWASP CSV-injection rule and the typing of spreadsheet cells: numbers become numeric
cells with a number format, text becomes text that no spreadsheet evaluates. Never imports
streamlit; callers give it a frame that is already suppressed.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence

import pandas as pd

# OWASP: a cell starting with one of these is read as a formula. Tab and CR because Excel strips
# them and evaluates what follows; the full-width (U+FF1D ...) and small (U+FE66 ...) forms
# because some spreadsheet programs fold them to their ASCII twins before parsing.
FORMULA_STARTS = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\uff1d",  # ＝
    "\uff0b",  # ＋
    "\uff0d",  # －
    "\uff20",  # ＠
    "\ufe66",  # ﹦
    "\ufe62",  # ﹢
    "\ufe63",  # ﹣
)
# Not formulas although they start like one: a phone number (+ then digits and spaces) and a
# plain number, possibly signed, with Danish or English separators and an optional percent sign.
PHONE = re.compile(r"\+[0-9][0-9 ]*")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]{3})*(?:[.,][0-9]+)?(?:\s?%)?")

# Excel number formats: Excel shows them with the reader's own separators (4.418 and 15,3 % in
# a Danish Excel), so the cell stays a number that sums and sorts.
NUMBER_FORMATS = {
    "count": "#,##0",
    "percent": "0.0%",
    "ratio": "0.00",
    "signed": "+#,##0;-#,##0;0",
    "points": "+0.0%;-0.0%;0.0%",
    "signed_ratio": "+0.00;-0.00;0.00",
}
CSV_DECIMALS = {"count": 0, "percent": 1, "ratio": 2, "signed": 0, "points": 1, "signed_ratio": 2}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
# openpyxl refuses the C0 control characters (except tab, LF, CR); they carry nothing we need.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet would evaluate; a phone number or a plain number is not."""
    if not text.startswith(FORMULA_STARTS):
        return False
    return not (PHONE.fullmatch(text) or PLAIN_NUMBER.fullmatch(text))


def neutralise(value) -> str:
    """A cell as CSV text that no spreadsheet evaluates: '=1+1' becomes "'=1+1"."""
    if is_missing(value):
        return ""
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def _number(value) -> int | float | None:
    """The value as a Python number, or None when it is not one (text, bool, missing)."""
    if isinstance(value, bool) or is_missing(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None if isinstance(value, float) and math.isinf(value) else value
    return None


def _csv_number(value: int | float, kind: str | None, lang: str) -> str:
    if kind in ("percent", "points"):
        value, suffix = value * 100, " %"
    else:
        suffix = ""
    decimals = CSV_DECIMALS.get(kind or "")
    if decimals is None:
        text = str(value) if isinstance(value, int) else f"{value:.10g}"
    else:
        text = f"{value:.{decimals}f}"
    if lang != "en":
        text = text.replace(".", ",")
    return text + suffix


def csv_bytes(
    frame: pd.DataFrame, kinds: Mapping[str, str] | None = None, lang: str = "da"
) -> bytes:
    """Semicolon-separated UTF-8 with BOM (what Danish Excel opens), every text cell neutralised.

    Numbers are written plainly (no thousands separator, decimal comma in Danish) so any
    spreadsheet reads them as numbers; `kinds` names a column's kind (count, percent, ratio).
    """
    kinds = kinds or {}
    column_kinds = [kinds.get(c) for c in frame.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        cells = []
        for value, kind in zip(row, column_kinds, strict=True):
            number = _number(value)
            cells.append(neutralise(value) if number is None else _csv_number(number, kind, lang))
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8-sig")


def put(cell, value, kind: str | None = None) -> None:
    """Write one openpyxl cell: a number as a number (with the kind's format), text as text."""
    if is_missing(value):
        cell.value = None
        return
    number = _number(value)
    if number is not None:
        cell.value = number
        fmt = NUMBER_FORMATS.get(kind or "")
        if fmt is None and isinstance(number, int):
            fmt = NUMBER_FORMATS["count"]
        if fmt is not None:
            cell.number_format = fmt
        return
    if isinstance(value, bool):
        value = "Ja" if value else "Nej"
    text = _ILLEGAL.sub("", str(value))
    cell.value = text
    # openpyxl would store "=..." as a formula; a data string is always a string. The quote
    # prefix (not visible in the cell) keeps Excel from evaluating it after an edit.
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True


def xlsx_bytes(
    frame: pd.DataFrame,
    sheet: str = "Data",
    kinds: Mapping[str, str] | None = None,
    about: Sequence[tuple[str, str]] = (),
    about_sheet: str = "Om tabellen",
) -> bytes:
    """One sheet with a bold header row; numbers numeric, text never a formula.

    `about` ((label, text) pairs: what the table is, filter, wave, source, date) goes on a
    second sheet, in the file's properties and in the printed page's header and footer, so
    the table itself keeps its header in row 1 (sorting, pivot tables) and a file found later
    still says what it holds."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    kinds = kinds or {}
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = re.sub(r"[\[\]:*?/\\]", " ", sheet).strip()[:31] or "Data"
    column_kinds = [kinds.get(c) for c in frame.columns]
    right = Alignment(horizontal="right")
    for c, column in enumerate(frame.columns, start=1):
        put(worksheet.cell(1, c), str(column))
        worksheet.cell(1, c).font = Font(bold=True)
        if column_kinds[c - 1]:  # a number column's header sits over its numbers
            worksheet.cell(1, c).alignment = right
    for r, row in enumerate(frame.itertuples(index=False), start=2):
        for c, (value, kind) in enumerate(zip(row, column_kinds, strict=True), start=1):
            cell = worksheet.cell(r, c)
            put(cell, value, kind)
            if kind and isinstance(cell.value, str):  # "<5" sits where the number would
                cell.alignment = right
    worksheet.freeze_panes = "A2"
    # Columns as wide as their header or longest text (Excel opens every column at 8.43
    # characters, cutting "Svarprocent" and "Repræsentation"); numbers get room for 12 digits.
    for c, column in enumerate(frame.columns, start=1):
        texts = [str(column)] + [str(v) for v in frame.iloc[:200, c - 1] if isinstance(v, str)]
        longest = max(max(len(text) for text in texts), 12 if column_kinds[c - 1] else 0)
        worksheet.column_dimensions[get_column_letter(c)].width = min(60, longest + 2)
    print_one_page_wide(worksheet)
    if about:
        describe(workbook, worksheet, about, about_sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def describe(workbook, worksheet, about: Sequence[tuple[str, str]], about_sheet: str) -> None:
    """What the table holds, written three ways: a sheet of its own (label, text), the
    workbook's title and description, and the printed page's header and footer. `about` is
    ordered as state.export_about writes it: title first; source, date and a note last."""
    from openpyxl.styles import Alignment, Font

    sheet = workbook.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", about_sheet).strip()[:31])
    for r, (label, text) in enumerate(about, start=1):
        put(sheet.cell(r, 1), label)
        sheet.cell(r, 1).font = Font(bold=True)
        put(sheet.cell(r, 2), text)
        sheet.cell(r, 2).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = max(len(str(label)) for label, _ in about) + 2
    sheet.column_dimensions["B"].width = 90
    texts = [neutralise(text) for _, text in about]
    workbook.properties.title = texts[0][:250]
    workbook.properties.description = "\n".join(texts)[:1000]
    # Header and footer codes start with "&": a literal ampersand is written twice.
    # The header holds the title, then what narrows it (municipality, wave, filters); the
    # footer the source and date (the second and third last pairs; the last is a note).
    printed = [text.replace("&", "&&")[:90] for text in texts]
    worksheet.oddHeader.left.text = printed[0]
    worksheet.oddHeader.right.text = " · ".join(printed[1:-3])[:160]
    worksheet.oddFooter.left.text = " · ".join(printed[-3:-1])[:160]
    worksheet.oddFooter.right.text = "&P / &N"


def print_one_page_wide(worksheet) -> None:
    """Printed (or saved as PDF) a sheet keeps its columns together: landscape, one page wide,
    as many pages long as it needs."""
    worksheet.page_setup.orientation = "landscape"
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
