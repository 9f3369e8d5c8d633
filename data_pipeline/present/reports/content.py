"""The council report for a filter: which sections it has, in which order, and its cover.

Every figure comes from the dashboard's own view functions (data_pipeline.present), the analysis
modules (raking, weighting, gap words) or segments.py, already suppressed, so the report and the
dashboard agree. Each section is built in its own module: headline.py (the key figures),
gap_sections.py (maps and gaps), answer_sections.py (topics, formats, segments), method.py
(method and sources) and goal_status.py (the goals page); shared.py holds what the citizens'
summary uses too. Never reads the contact table and never imports streamlit.
"""

from __future__ import annotations

import datetime as dt

import duckdb

import data_pipeline.analysis.filtering as filtering
from data_pipeline.analysis.cells import area_names
from data_pipeline.analysis.raking import rake
from data_pipeline.core.disclosure import DEFAULT_K
from data_pipeline.core.i18n import t
from data_pipeline.present.overview import overview_view
from data_pipeline.present.reports.answer_sections import (
    formats_section,
    segments_section,
    topics_section,
)
from data_pipeline.present.reports.gap_sections import gaps_section, maps_section
from data_pipeline.present.reports.headline import headline_section
from data_pipeline.present.reports.method import method_section
from data_pipeline.present.reports.model import Report
from data_pipeline.present.reports.shared import (
    SHARE_KINDS,
    credit,
    describe_scope,
    option_shares,
    prepare,
    today_text,
    wave_name,
)


def build_report(
    con: duckdb.DuckDBPyConnection,
    filters: filtering.Filters,
    lang: str = "da",
    k: int = DEFAULT_K,
    segments=None,
    today: dt.date | None = None,
) -> Report:
    """The council report for a filter: headline, maps, gaps, topics, formats and time,
    segments and method. `segments` may pass a SegmentResult already fitted for the wave
    (the app caches one); otherwise it is fitted here (a few seconds)."""
    filters = prepare(con, filters, k)
    overview = overview_view(con, filters, k, lang)
    weights = rake(con, filters)
    shares = {
        kind: option_shares(con, filters, kind, weights, overview.respondents, k, lang)
        for kind in SHARE_KINDS
    }
    if segments is None:
        from data_pipeline.analysis.segments import fit_segments

        segments = fit_segments(con, filtering.Filters(wave=filters.wave))
    names = area_names(con)
    sections = [
        headline_section(con, filters, overview, shares, lang, k),
        maps_section(con, filters, overview, names, lang, k),
        gaps_section(overview, names, lang),
        topics_section(shares["topic"], weights, lang, k),
        formats_section(shares["format"], shares["time"], lang, k),
        segments_section(segments, filters, lang, k),
        method_section(con, filters, weights, lang, k),
    ]
    # Issue 17: one page "Status på målene" before the method, when goals are followed.
    from data_pipeline.present.reports.goal_status import report_sections

    sections[-1:-1] = report_sections(con, lang)
    return Report(
        kind="council",
        lang=lang,
        k=k,
        title=t("report.title", lang),
        subtitle=wave_name(con, filters.wave),
        scope=describe_scope(con, filters, lang),
        generated=t("report.generated", lang, date=today_text(lang, today)),
        credit=credit(con, lang),
        sections=sections,
        wave=filters.wave,
    )
