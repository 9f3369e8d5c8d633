"""The council report's sections on what respondents said: topics, formats and times (weighted
and unweighted shares, with bar charts) and the interest segments.

The shares come already suppressed from shared.option_shares; a segment smaller than k is named
but its size and description are left out.
"""

from __future__ import annotations

import pandas as pd

import data_pipeline.analysis.filtering as filtering
from data_pipeline.analysis.raking import RakeResult
from data_pipeline.core.i18n import number, t
from data_pipeline.present.reports import charts
from data_pipeline.present.reports.model import Column, Figure, Section, Table


def _share_table(frame: pd.DataFrame, kind: str, sheet: str, title: str, lang, k) -> Table:
    ordered = frame
    if kind in filtering.MULTI_DIMENSIONS:
        ordered = frame.sort_values("weighted_share", ascending=False, na_position="last")
    rows = [
        [
            row.label,
            f"<{k}" if row.suppressed else row.respondents,
            row.unweighted_share,
            row.weighted_share,
        ]
        for row in ordered.itertuples()
    ]
    return Table(
        sheet=sheet,
        title=title,
        columns=[
            Column(t(f"dim.{kind}", lang)),
            Column(t("col.respondents", lang), "count"),
            Column(t("report.col.unweighted", lang), "percent"),
            Column(t("report.col.weighted", lang), "percent"),
        ],
        rows=rows,
        note=t(
            f"report.shares.note_{'multi' if kind in filtering.MULTI_DIMENSIONS else 'single'}",
            lang,
        )
        + " "
        + t("report.suppressed_note", lang, k=k),
        bar_chart=(2, 3),
    )


def topics_section(topics: pd.DataFrame, weights: RakeResult, lang: str, k: int) -> Section:
    title = t("overview.topics", lang)
    return Section(
        key="topics",
        title=t("report.topics.title", lang),
        lead=t(
            "report.weighting_lead",
            lang,
            ess=number(weights.effective_sample_size, lang),
            n=number(weights.respondents + weights.excluded, lang),
        ),
        figures=[
            Figure(title, charts.weighted_bars(topics, lang, title), max_height_mm=105),
        ],
        tables=[_share_table(topics, "topic", t("report.sheet.topics", lang), title, lang, k)],
    )


def formats_section(formats: pd.DataFrame, times: pd.DataFrame, lang: str, k: int) -> Section:
    title = t("overview.formats", lang)
    return Section(
        key="formats",
        title=t("report.formats.title", lang),
        lead=t("report.formats.lead", lang),
        figures=[Figure(title, charts.weighted_bars(formats, lang, title), max_height_mm=80)],
        tables=[
            _share_table(formats, "format", t("report.sheet.formats", lang), title, lang, k),
            _share_table(
                times, "time", t("report.sheet.time", lang), t("overview.times", lang), lang, k
            ),
        ],
    )


def segments_section(result, filters: filtering.Filters, lang: str, k: int) -> Section:
    items, rows = [], []
    for profile in result.profiles:
        name = profile[f"name_{lang}"]
        head = t("report.segments.head", lang, n=profile["segment"], name=name)
        if profile["size"] < k:
            # A tiny segment's size and shares would point at a handful of people.
            items.append((head, t("report.segments.small", lang, k=k)))
            rows.append([profile["segment"], name, f"<{k}", None, "", ""])
            continue
        line_1, _, line_2 = profile[f"description_{lang}"].partition("\n")
        items.append((head, f"{line_1}\n{line_2}".strip()))
        rows.append([profile["segment"], name, profile["size"], profile["share"], line_1, line_2])
    paragraphs = []
    if filters != filtering.Filters(wave=filters.wave):
        paragraphs.append(t("report.segments.whole_wave", lang, wave=filters.wave))
    return Section(
        key="segments",
        title=t("groups.segments", lang),
        lead=t("report.segments.lead", lang, k=result.k),
        items=items,
        paragraphs=paragraphs,
        tables=[
            Table(
                sheet=t("report.sheet.segments", lang),
                title=t("groups.segments", lang),
                columns=[
                    Column(t("report.col.segment", lang), "count"),
                    Column(t("report.col.name", lang)),
                    Column(t("col.respondents", lang), "count"),
                    Column(t("col.share", lang), "percent"),
                    Column(t("report.col.description", lang)),
                    Column(t("report.col.who", lang)),
                ],
                rows=rows,
                note=t("report.segments.note", lang),
                printed=False,
            )
        ],
    )
