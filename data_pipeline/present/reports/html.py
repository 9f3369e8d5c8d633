"""A report as one self-contained HTML file: inline CSS, charts as base64 PNG, no links out.

Every text is escaped; the file makes no network request when opened, printed or mailed.
"""

from __future__ import annotations

import base64
from html import escape

from data_pipeline.core.i18n import t
from data_pipeline.present.reports.model import Figure, Report, Section, Table, format_cell

CSS = """
:root { --ink: #1d2b36; --muted: #5b6b78; --accent: #1f5f8b; --rule: #d9e1e8; --soft: #f2f6f9; }
* { box-sizing: border-box; }
body { margin: 0; background: #e9eef2; color: var(--ink);
  font: 15px/1.5 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 920px; margin: 0 auto; background: #fff; padding: 48px 56px 40px; }
header.report { border-bottom: 4px solid var(--accent); padding-bottom: 16px; margin-bottom: 8px; }
header.report h1 { font-size: 28px; line-height: 1.2; margin: 0 0 6px; color: var(--accent); }
header.report .subtitle { font-size: 18px; margin: 0 0 8px; }
header.report .meta { color: var(--muted); font-size: 13px; margin: 2px 0; }
nav.contents { font-size: 13px; color: var(--muted); margin: 12px 0 0; }
nav.contents ol { margin: 4px 0 0; padding-left: 20px; columns: 2; }
section { margin-top: 36px; }
section h2 { font-size: 21px; color: var(--accent); border-bottom: 1px solid var(--rule);
  padding-bottom: 4px; margin: 0 0 10px; }
section h3 { font-size: 15px; margin: 20px 0 6px; }
p.lead { color: var(--muted); margin-top: 0; }
.facts { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; margin: 14px 0; }
.fact { background: var(--soft); border-left: 4px solid var(--accent); padding: 10px 14px; }
.fact .label { font-size: 13px; color: var(--muted); }
.fact .value { font-size: 26px; font-weight: bold; line-height: 1.2; }
.fact .note { font-size: 12px; color: var(--muted); }
ol.items li, ul.items li { margin: 6px 0; }
ul.items.segments { list-style: none; padding-left: 0; }
ul.items.segments li { border-left: 4px solid var(--rule); padding: 4px 12px; margin: 10px 0; }
.item-head { font-weight: bold; display: block; }
.item-body { white-space: pre-line; }
figure { margin: 18px 0; text-align: center; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 13px; color: var(--muted); text-align: left; margin-top: 4px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 6px 0; }
caption { text-align: left; font-weight: bold; font-size: 14px; padding: 4px 0; }
th { text-align: left; border-bottom: 2px solid var(--ink); padding: 5px 6px; vertical-align: bottom; }
td { border-bottom: 1px solid var(--rule); padding: 4px 6px; vertical-align: top; }
th.num, td.num { text-align: right; white-space: nowrap; }
p.note { font-size: 12px; color: var(--muted); margin: 2px 0 10px; }
details { margin: 8px 0; }
summary { cursor: pointer; color: var(--accent); font-size: 14px; }
footer { margin-top: 40px; border-top: 1px solid var(--rule); padding-top: 8px;
  font-size: 12px; color: var(--muted); }
@media print {
  body { background: #fff; }
  main { padding: 0; max-width: none; }
  section.page { break-before: page; }
  details { display: block; }
  tr, figure, .fact { break-inside: avoid; }
}
"""


def render_html(report: Report) -> bytes:
    lang = report.lang
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(report.title)} – {escape(report.subtitle)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        _header(report),
    ]
    for index, section in enumerate(report.sections):
        parts.append(_section(section, report, index))
    parts.append(f"<footer>{escape(report.credit)} · {escape(report.generated)}</footer>")
    parts.append("</main></body></html>")
    return "\n".join(parts).encode("utf-8")


def _header(report: Report) -> str:
    contents = ""
    if report.page_per_section:
        entries = "".join(f"<li>{escape(s.title)}</li>" for s in report.sections)
        contents = (
            f'<nav class="contents">{escape(t("report.contents", report.lang))}'
            f"<ol>{entries}</ol></nav>"
        )
    return (
        '<header class="report">'
        f"<h1>{escape(report.title)}</h1>"
        f'<p class="subtitle">{escape(report.subtitle)}</p>'
        f'<p class="meta">{escape(report.scope)}</p>'
        f'<p class="meta">{escape(report.generated)}</p>'
        f"{contents}</header>"
    )


def _section(section: Section, report: Report, index: int) -> str:
    page = " page" if report.page_per_section and index > 0 else ""
    out = [f'<section id="{escape(section.key)}" class="{escape(section.key)}{page}">']
    out.append(f"<h2>{escape(section.title)}</h2>")
    if section.lead:
        out.append(f'<p class="lead">{escape(section.lead)}</p>')
    if section.facts:
        out.append('<div class="facts">' + "".join(_fact(f) for f in section.facts) + "</div>")
    if section.items and section.key == "headline":
        out.append(f"<h3>{escape(t('report.key_messages', report.lang))}</h3>")
    out.extend(f"<p>{escape(p)}</p>" for p in section.paragraphs)
    if section.items:
        out.append(_items(section))
    out.extend(f"<p>{escape(p)}</p>" for p in section.after)
    out.extend(_figure(f, report.lang) for f in section.figures)
    for table in section.tables:
        out.append(_table(table, report) if table.printed else _folded(table, report))
    out.extend(f'<p class="note">{escape(p)}</p>' for p in section.closing)
    out.append("</section>")
    return "\n".join(out)


def _fact(fact) -> str:
    note = f'<div class="note">{escape(fact.note)}</div>' if fact.note else ""
    return (
        f'<div class="fact"><div class="label">{escape(fact.label)}</div>'
        f'<div class="value">{escape(fact.value)}</div>{note}</div>'
    )


def _items(section: Section) -> str:
    tag = "ol" if section.numbered else "ul"
    extra = " segments" if any(isinstance(i, tuple) for i in section.items) else ""
    rows = []
    for item in section.items:
        if isinstance(item, tuple):
            head, body = item
            rows.append(
                f'<li><span class="item-head">{escape(head)}</span>'
                f'<span class="item-body">{escape(body)}</span></li>'
            )
        else:
            rows.append(f"<li>{escape(item)}</li>")
    return f'<{tag} class="items{extra}">' + "".join(rows) + f"</{tag}>"


def _figure(figure: Figure, lang: str) -> str:
    data = base64.b64encode(figure.png(lang)).decode("ascii")
    caption = f"<figcaption>{escape(figure.caption)}</figcaption>" if figure.caption else ""
    return (
        f'<figure><img alt="{escape(figure.title)}" src="data:image/png;base64,{data}">'
        f"{caption}</figure>"
    )


def _table(table: Table, report: Report) -> str:
    head = "".join(
        f'<th class="{"num" if c.kind != "text" else "text"}">{escape(c.title)}</th>'
        for c in table.columns
    )
    body = []
    for r, row in enumerate(table.rows):
        cells = []
        for c, value in enumerate(row):
            kind = table.kind(r, c)
            css = "num" if table.columns[c].kind != "text" else "text"
            cells.append(f'<td class="{css}">{escape(format_cell(value, kind, report.lang))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    return (
        f"<table><caption>{escape(table.title)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>{note}"
    )


def _folded(table: Table, report: Report) -> str:
    """Tables that back a chart (map values, segment details) fold away under it."""
    return f"<details><summary>{escape(table.title)}</summary>{_table(table, report)}</details>"
