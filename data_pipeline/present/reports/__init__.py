"""Reports: the council report (PDF, XLSX, HTML) and the public summary for citizens (HTML, PDF).

content.py (with its section modules headline.py, gap_sections.py, answer_sections.py,
method.py and goal_status.py) and public.py decide what a report says, from the dashboard's own
suppressed functions, and shared.py holds what both use; html.py, pdf.py and xlsx.py only lay it
out. Never imports streamlit and never
reads the contact table.
"""

from __future__ import annotations

from data_pipeline.core.errors import PipelineError
from data_pipeline.present.reports.content import build_report
from data_pipeline.present.reports.model import Report
from data_pipeline.present.reports.public import build_public_summary
from data_pipeline.present.reports.shared import EmptySelection

COUNCIL_FORMATS = ("pdf", "xlsx", "html")
PUBLIC_FORMATS = ("pdf", "html")
MIME_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
}


class UnknownFormat(PipelineError):
    """A report format (file extension) that is not offered: exit code 2."""

    exit_code = 2


def check_format(fmt: str, public: bool = False) -> str:
    """The format name, or a bilingual error naming the formats on offer."""
    fmt = fmt.lower().lstrip(".")
    offered = PUBLIC_FORMATS if public else COUNCIL_FORMATS
    if fmt not in offered:
        listing = ", ".join(f".{f}" for f in offered)
        what_da = "Borgeropsummeringen" if public else "Rapporten"
        what_en = "The citizens' summary" if public else "The report"
        raise UnknownFormat(
            f"{what_da} kan ikke laves som '.{fmt}'; vælg {listing}. / "
            f"{what_en} cannot be made as '.{fmt}'; choose {listing}."
        )
    return fmt


def render(report: Report, fmt: str) -> bytes:
    """The report as bytes in one of pdf, xlsx, html."""
    fmt = check_format(fmt, public=report.kind == "public")
    if fmt == "pdf":
        from data_pipeline.present.reports.pdf import render_pdf

        return render_pdf(report)
    if fmt == "xlsx":
        from data_pipeline.present.reports.xlsx import render_xlsx

        return render_xlsx(report)
    from data_pipeline.present.reports.html import render_html

    return render_html(report)


__all__ = [
    "COUNCIL_FORMATS",
    "EmptySelection",
    "MIME_TYPES",
    "PUBLIC_FORMATS",
    "Report",
    "UnknownFormat",
    "build_public_summary",
    "build_report",
    "check_format",
    "render",
]
