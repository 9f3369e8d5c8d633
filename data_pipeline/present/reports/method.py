"""The council report's last section: how the figures were made (rate, ratio, scores, weights,
segments, suppression) and the table of the data behind them (survey files, population, areas).
"""

from __future__ import annotations

import pandas as pd

import data_pipeline.analysis.catalog as catalog
from data_pipeline.analysis.raking import RakeResult
from data_pipeline.core.i18n import number, period_text, t, tn
from data_pipeline.present.explore import weights_note
from data_pipeline.present.reports.model import Column, Section, Table
from data_pipeline.present.reports.shared import (
    credit,
    date_text,
    population_sources,
    wave_name,
    wave_row,
)
from data_pipeline.store.batch import list_batches


def method_section(con, filters, weights: RakeResult, lang: str, k: int) -> Section:
    period = catalog.population_period(con, filters.wave)
    trim = weights.trim or (0.2, 5.0)
    paragraphs = [
        t("report.method.rate", lang, period=period_text(period, lang)),
        t("report.method.ratio", lang),
        t("report.method.scores", lang),
        t(
            "report.method.weights",
            lang,
            low=number(trim[0], lang, 1),
            high=number(trim[1], lang, 1),
            ess=number(weights.effective_sample_size, lang),
        ),
        weights_note(weights, lang),
        t("report.method.segments", lang),
        t("report.method.suppression", lang, k=k),
    ]
    spread = catalog.postal_spread_respondents(con, filters.wave)
    if spread:
        paragraphs.append(
            f"{t('postal.spread_note', lang)} {tn('postal.spread_detail', spread, lang)}"
        )
    return Section(
        key="method",
        title=t("report.method.title", lang),
        paragraphs=paragraphs,
        tables=[sources_table(con, filters.wave, lang)],
        closing=[credit(con, lang)],
    )


def sources_table(con, wave: str, lang: str) -> Table:
    """The data behind the report: the wave's survey files, the population and the areas."""
    populations = population_sources(con).set_index("batch_id")
    _name, opened, closed = wave_row(con, wave)
    rows = []
    for batch in list_batches(con):
        if batch["undone_at"] is not None and not pd.isna(batch["undone_at"]):
            continue
        kind = batch["kind"]
        if kind == "survey" and batch["wave_id"] == wave:
            what = t("report.source.survey", lang, name=wave_name(con, wave))
            when = f"{date_text(opened, lang)}–{date_text(closed, lang)}"
        elif kind == "population" and batch["batch_id"] in populations.index:
            entry = populations.loc[batch["batch_id"]]
            what = t("report.source.population", lang, source=entry["source"] or "")
            when = t("report.source.periods", lang, periods=entry["periods"])
        elif kind == "areas":
            what, when = t("report.source.areas", lang), ""
        else:
            continue
        rows.append(
            [what, batch["file_name"], when, date_text(batch["loaded_at"], lang),
             batch["rows_loaded"]]
        )  # fmt: skip
    return Table(
        sheet=t("report.sheet.sources", lang),
        title=t("report.sources.title", lang),
        columns=[
            Column(t("report.col.source", lang)),
            Column(t("report.col.file", lang)),
            Column(t("report.col.period", lang)),
            Column(t("report.col.loaded", lang)),
            Column(t("report.col.rows", lang), "count"),
        ],
        rows=rows,
        note=t(
            "report.sources.note",
            lang,
            period=period_text(catalog.population_period(con, wave), lang),
        ),
    )
