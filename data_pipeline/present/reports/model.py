"""What a report says, independent of its format: sections of facts, sentences, figures, tables.

The content builders fill these with already suppressed aggregates; the renderers (html, pdf,
xlsx) only lay them out. Nothing here may hold a person's name, email or phone number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from data_pipeline.core.i18n import number, percent, points, signed

# The kinds a table cell can have; each renderer maps them to its own number format.
KINDS = ("text", "count", "percent", "ratio", "signed", "points", "signed_ratio")
HIDDEN = "–"  # a derived value hidden with its count; the count itself shows "<k"


@dataclass
class Column:
    title: str
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown column kind {self.kind!r}")


@dataclass
class Table:
    """One table: in the documents when `printed`, and always as its own XLSX sheet.

    Cells hold numbers, text, or None for a hidden or undefined value. A suppressed count is
    the text "<k" (never the number). `cell_kinds` overrides the column kinds cell by cell
    (the headline table mixes counts, percentages and ratios in one column).
    """

    sheet: str
    title: str
    columns: list[Column]
    rows: list[list]
    note: str = ""
    printed: bool = True
    bar_chart: tuple[int, ...] = ()  # XLSX: columns (0-based) drawn as a native bar chart
    cell_kinds: list[list[str]] | None = None

    def kind(self, row: int, column: int) -> str:
        if self.cell_kinds is not None:
            return self.cell_kinds[row][column]
        return self.columns[column].kind


@dataclass
class Figure:
    """A chart (Altair) rendered once to PNG with vl-convert and shared by HTML and PDF."""

    title: str
    chart: object
    caption: str = ""
    max_width_mm: float = 170.0
    max_height_mm: float = 120.0
    _png: dict = field(default_factory=dict, repr=False)

    def png(self, lang: str = "da") -> bytes:
        """PNG at twice the size, Danish number style in Danish (0,5 and 1.000), no URL fetched."""
        if lang not in self._png:
            import vl_convert

            self._png[lang] = vl_convert.vegalite_to_png(
                self.chart.to_json(),
                scale=2,
                format_locale="da-DK" if lang == "da" else "en-US",
                allowed_base_urls=[],
            )
        return self._png[lang]


@dataclass
class Fact:
    """A headline figure: a label, the value as text, and a short note under it."""

    label: str
    value: str
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    lead: str = ""
    facts: list[Fact] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    # A list item is a sentence, or (head, body): a bold head followed by its text.
    items: list[str | tuple[str, str]] = field(default_factory=list)
    numbered: bool = False
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    after: list[str] = field(default_factory=list)  # paragraphs right after the items
    closing: list[str] = field(default_factory=list)  # small print after figures and tables
    page_break: bool = False  # start a new page in a flowing (summary) layout


@dataclass
class Report:
    """A council report (kind 'council') or the citizens' summary (kind 'public')."""

    kind: str
    lang: str
    k: int
    title: str
    subtitle: str
    scope: str
    generated: str
    credit: str
    sections: list[Section]
    # The council report starts every section on a new page; the summary flows.
    page_per_section: bool = True
    wave: str = ""

    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]

    def figures(self) -> list[Figure]:
        return [figure for section in self.sections for figure in section.figures]


def format_cell(value, kind: str, lang: str) -> str:
    """A cell as text for HTML and PDF, Danish number style in Danish."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return HIDDEN
    if isinstance(value, str) or kind == "text":
        return str(value)
    if kind == "count":
        return number(value, lang)
    if kind == "percent":
        return percent(value, lang, 1)
    if kind == "ratio":
        return number(value, lang, 2)
    if kind == "signed":
        return signed(value, lang)
    if kind == "signed_ratio":
        return signed(value, lang, 2)
    return points(value, lang)  # a difference of two percentages, in percentage points


def is_numeric_kind(kind: str) -> bool:
    return kind != "text"
