"""A report as PDF with fpdf2 (pure Python), charts as PNG from vl-convert.

Text is set in DejaVu Sans (Debian fonts-dejavu-core), which has the Danish letters; the core
PDF fonts cannot print æ, ø and å reliably. The council report starts each section on a new
page, so the method always sits on a page of its own.
"""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from data_pipeline.core.errors import PipelineError
from data_pipeline.core.i18n import t
from data_pipeline.present.reports.model import Fact, Figure, Report, Section, Table, format_cell

FONT_DIR = Path(os.environ.get("DELTAGELSESATLAS_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FONT = "DejaVu"
INK = (29, 43, 54)
MUTED = (91, 107, 120)
ACCENT = (31, 95, 139)
SOFT = (242, 246, 249)
RULE = (217, 225, 232)
MARGIN = 18.0


class FontMissing(PipelineError):
    """The TTF font with Danish letters is not installed (an environment problem: exit 1)."""


def _font_files() -> dict[str, Path]:
    files = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}
    missing = [str(p) for p in files.values() if not p.exists()]
    if missing:
        raise FontMissing(
            f"Skrifttypen mangler: {', '.join(missing)}. Installér Debian-pakken fonts-dejavu-core "
            "(apt-get install fonts-dejavu-core) eller sæt DELTAGELSESATLAS_FONT_DIR. / "
            f"The font is missing: {', '.join(missing)}. Install the Debian package "
            "fonts-dejavu-core or set DELTAGELSESATLAS_FONT_DIR."
        )
    return files


class _ReportPDF(FPDF):
    def __init__(self, report: Report) -> None:
        super().__init__(format="A4", unit="mm")
        self.report = report
        for style, path in _font_files().items():
            self.add_font(FONT, style, str(path))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=16)
        self.set_title(f"{report.title} – {report.subtitle}")
        self.set_author("Deltagelsesatlas")
        self.set_creator("Deltagelsesatlas")
        self.set_lang(report.lang)

    def footer(self) -> None:
        self.set_y(-11)
        self._font(7.5, color=MUTED)
        left = f"{self.report.title} · {self.report.subtitle}"
        self.cell(self.epw * 0.75, 5, left, align="L")
        page = t("report.page", self.report.lang, n=self.page_no(), total="{nb}")
        self.cell(self.epw * 0.25, 5, page, align="R")

    def _font(self, size: float, bold: bool = False, color=INK) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(*color)

    def paragraph(self, text: str, size: float = 9.5, color=INK, gap: float = 1.8) -> None:
        self._font(size, color=color)
        self.multi_cell(0, size * 0.47, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(gap)


def render_pdf(report: Report) -> bytes:
    pdf = _ReportPDF(report)
    pdf.add_page()
    _title_block(pdf, report)
    for index, section in enumerate(report.sections):
        if index > 0 and (report.page_per_section or section.page_break):
            pdf.add_page()
        _section(pdf, section, report)
    return bytes(pdf.output())


def _title_block(pdf: _ReportPDF, report: Report) -> None:
    pdf._font(18, bold=True, color=ACCENT)
    pdf.multi_cell(0, 8.5, report.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf._font(12)
    pdf.cell(0, 7, report.subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.paragraph(report.scope, size=8.5, color=MUTED, gap=0)
    pdf.paragraph(report.generated, size=8.5, color=MUTED, gap=1)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.9)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + pdf.epw, pdf.get_y() + 1)
    pdf.ln(6)


def _section(pdf: _ReportPDF, section: Section, report: Report) -> None:
    if pdf.get_y() > pdf.t_margin + 40:  # air above a heading that follows text
        pdf.ln(3)
    pdf._font(14, bold=True, color=ACCENT)
    pdf.multi_cell(0, 7, section.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, pdf.get_y() + 0.5, pdf.l_margin + pdf.epw, pdf.get_y() + 0.5)
    pdf.ln(2.5)
    if section.lead:
        pdf.paragraph(section.lead, size=9, color=MUTED, gap=2.5)
    if section.facts:
        _facts(pdf, section.facts)
    if section.items and section.key == "headline":
        pdf._font(11, bold=True)
        pdf.cell(0, 6, t("report.key_messages", report.lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for text in section.paragraphs:
        pdf.paragraph(text)
    if section.items:
        _items(pdf, section)
    for text in section.after:
        pdf.paragraph(text)
    for figure in section.figures:
        _figure(pdf, figure)
    for table in section.tables:
        if table.printed:
            _table(pdf, table, report.lang)
    for text in section.closing:
        pdf.paragraph(text, size=8, color=MUTED)


def _facts(pdf: _ReportPDF, facts: list[Fact]) -> None:
    """Headline figures as a grid of three boxes per row."""
    gap, height = 4.0, 23.0
    width = (pdf.epw - 2 * gap) / 3
    top = pdf.get_y()
    for i, fact in enumerate(facts):
        x = pdf.l_margin + (i % 3) * (width + gap)
        y = top + (i // 3) * (height + gap)
        pdf.set_fill_color(*SOFT)
        pdf.rect(x, y, width, height, style="F")
        pdf.set_fill_color(*ACCENT)
        pdf.rect(x, y, 1.2, height, style="F")
        pdf.set_xy(x + 4, y + 2)
        pdf._font(7.5, color=MUTED)
        pdf.cell(width - 6, 4, fact.label)
        pdf.set_xy(x + 4, y + 6.5)
        pdf._font(16, bold=True)
        pdf.cell(width - 6, 8, fact.value)
        if fact.note:
            pdf.set_xy(x + 4, y + 15)
            pdf._font(6.8, color=MUTED)
            pdf.multi_cell(width - 6, 3.2, fact.note, align="L")
    rows = (len(facts) + 2) // 3
    pdf.set_xy(pdf.l_margin, top + rows * (height + gap) + 1)


def _items(pdf: _ReportPDF, section: Section) -> None:
    indent = 6.0
    for number, item in enumerate(section.items, start=1):
        # A (head, body) item carries its own number in the head.
        marker = "" if isinstance(item, tuple) else f"{number}." if section.numbered else "•"
        y = pdf.get_y()
        pdf._font(9.5, bold=isinstance(item, tuple))
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(indent, 4.6, marker)
        pdf.set_xy(pdf.l_margin + indent, y)
        if isinstance(item, tuple):
            head, body = item
            pdf.multi_cell(
                pdf.epw - indent, 4.8, head, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            pdf.set_x(pdf.l_margin + indent)
            pdf._font(9)
            pdf.multi_cell(
                pdf.epw - indent, 4.4, body, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        else:
            pdf.multi_cell(
                pdf.epw - indent, 4.6, item, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        pdf.ln(1.6)
    pdf.ln(1)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels from the PNG header (IHDR follows the 8-byte signature)."""
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _figure(pdf: _ReportPDF, figure: Figure) -> None:
    data = figure.png(pdf.report.lang)
    px_w, px_h = png_size(data)
    width = min(figure.max_width_mm, pdf.epw)
    height = width * px_h / px_w
    if height > figure.max_height_mm:
        height = figure.max_height_mm
        width = height * px_w / px_h
    caption_room = 10 if figure.caption else 2
    if pdf.get_y() + height + caption_room > pdf.page_break_trigger:
        pdf.add_page()
    x = pdf.l_margin + (pdf.epw - width) / 2
    pdf.image(io.BytesIO(data), x=x, y=pdf.get_y(), w=width, h=height, alt_text=figure.title)
    pdf.set_y(pdf.get_y() + height + 1)
    if figure.caption:
        pdf.paragraph(figure.caption, size=7.8, color=MUTED, gap=2)


def _column_widths(pdf: _ReportPDF, table: Table, lang: str) -> list[float]:
    """Numbers keep their natural width; text columns take what is left, but never less
    than their longest word (a word split over two lines reads as two words)."""
    natural, shortest = [], []
    for c, column in enumerate(table.columns):
        texts = [format_cell(row[c], table.kind(r, c), lang) for r, row in enumerate(table.rows)]
        pdf._font(7.8)
        longest = max([pdf.get_string_width(s) for s in texts] or [0])
        word = max([pdf.get_string_width(w) for s in texts for w in s.split()] or [0])
        pdf._font(7.8, bold=True)
        header = max(pdf.get_string_width(w) for w in column.title.split())
        natural.append(max(longest, header) + 4)
        shortest.append(max(word, header) + 4)
    text = [i for i, c in enumerate(table.columns) if c.kind == "text"] or [0]
    numbers = sum(w for i, w in enumerate(natural) if i not in text)
    room = pdf.epw - numbers
    wanted = sum(natural[i] for i in text)
    widths = list(natural)
    if wanted <= room:
        for i in text:
            widths[i] += (room - wanted) / len(text)
        return widths
    for i in text:
        widths[i] = max(shortest[i], natural[i] * room / wanted)
    # Still too wide: everything shrinks alike (headers may then break inside a word).
    scale = min(1.0, pdf.epw / sum(widths))
    return [w * scale for w in widths]


def _table(pdf: _ReportPDF, table: Table, lang: str) -> None:
    if pdf.get_y() + 8 + 5 * min(len(table.rows), 4) > pdf.page_break_trigger:
        pdf.add_page()
    pdf._font(10, bold=True)
    pdf.multi_cell(0, 5.5, table.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(0.5)
    widths = _column_widths(pdf, table, lang)
    aligns = ["LEFT" if c.kind == "text" else "RIGHT" for c in table.columns]
    pdf._font(7.8)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    headings = FontFace(emphasis="BOLD", color=INK, fill_color=SOFT)
    # fpdf keeps the last fill colour (the accent bar of the facts) for unstyled cells.
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(
        col_widths=widths,
        width=min(sum(widths), pdf.epw),
        align="LEFT",
        text_align=aligns,
        line_height=4.2,
        headings_style=headings,
        borders_layout="HORIZONTAL_LINES",
        cell_fill_mode="ROWS",
        cell_fill_color=(250, 251, 253),
        padding=(0.8, 1.2, 0.8, 1.2),
    ) as grid:
        header = grid.row()
        for column in table.columns:
            header.cell(column.title)
        for r, row in enumerate(table.rows):
            cells = grid.row()
            for c, value in enumerate(row):
                cells.cell(format_cell(value, table.kind(r, c), lang))
    pdf.ln(1)
    if table.note:
        pdf.paragraph(table.note, size=7.5, color=MUTED, gap=3)
