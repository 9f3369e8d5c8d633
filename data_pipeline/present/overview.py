"""What the Overblik page shows for a filter: the headline count, rate and scores, the largest
gaps, the age-gender chart and the ranked answers, small, labelled and suppressed.

Suppression (core.disclosure, and the filter-level rule of analysis.differencing) is applied
here, before anything leaves the pipeline; the council report reads the same Overview.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import data_pipeline.analysis.catalog as catalog
import data_pipeline.analysis.counting as counting
import data_pipeline.analysis.disclosure_counts as disclosure_counts
import data_pipeline.analysis.filtering as filtering
from data_pipeline.analysis.differencing import differencing_mask, prefetch
from data_pipeline.analysis.gaps import gap_tables
from data_pipeline.core.disclosure import is_publishable, suppress_table, survives_differencing
from data_pipeline.present.groups import gaps_in_context, open_dimensions
from data_pipeline.present.view_shared import labels, order, response_rate

# The questions whose options can be ranked by share (the Overblik page ranks the first three).
RANKED_KINDS = ("topic", "format", "time", "engagement", "interest")
OVERVIEW_RANKED = RANKED_KINDS[:3]


@dataclass
class Overview:
    """Everything the Overblik page draws for one filter, already suppressed; the council
    report's headline, maps and gaps sections read the same object."""

    wave: str | None
    respondents: int
    respondents_publishable: bool
    population: int | None
    rate: float | None
    previous_wave: str | None
    previous_rate: float | None
    previous_respondents: int | None
    scores: pd.DataFrame | None
    gaps: pd.DataFrame | None
    by_band_gender: pd.DataFrame
    ranked: dict[str, pd.DataFrame] = field(default_factory=dict)
    # The one 0-100 score the page leads with, its sentence and interval (scores.plain_score_text).
    plain_score: dict | None = None
    # What the gaps compare with: the whole municipality's rate among respondents whose age,
    # gender and area are known (also under a filter), which is not the headline `rate`.
    gap_reference: float | None = None


def headline_publishable(con, filters: filtering.Filters, n, wave_total, k: int = 5) -> bool:
    """The respondent count under a filter may be shown: at least k, k from the wave total (or
    the total itself), and no count one filter change away differs from it by 1 to k-1."""
    if not (is_publishable(n, wave_total, k) or n == wave_total and n >= k):
        return False
    return survives_differencing(n, disclosure_counts.filter_complements(con, filters), k)


def headline_count(con, filters: filtering.Filters, k: int = 5):
    """The headline respondent count as Overblik publishes it, or None where it is hidden."""
    wave = filters.wave or catalog.latest_wave(con)
    filters = filters.replace(wave=wave)
    n = counting.count_respondents(con, filters)
    wave_total = counting.count_respondents(con, filtering.Filters(wave=wave))
    return n if headline_publishable(con, filters, n, wave_total, k) else None


def overview_view(con, filters: filtering.Filters, k: int = 5, lang: str = "da") -> Overview:
    from data_pipeline.analysis.cells import (
        BACKGROUND,
        cells_for,
        grouping_cells,
        has_demographic_filter,
        reference_rate,
        resolve_wave,
    )
    from data_pipeline.analysis.scores import plain_score_text, scores

    wave = filters.wave or catalog.latest_wave(con)
    filters = filters.replace(wave=wave)
    n, option_counts = counting.option_counts(con, filters)
    wave_total = counting.count_respondents(con, filtering.Filters(wave=wave))
    publishable = headline_publishable(con, filters, n, wave_total, k)
    population = counting.count_population(con, filters)
    previous = catalog.previous_wave(con, wave) if wave else None
    prev_n = counting.count_respondents(con, filters.replace(wave=previous)) if previous else None
    prev_pop = counting.count_population(con, filters.replace(wave=previous)) if previous else None
    has_population = population is not None and n > 0
    # One scan of every age × gender × area combination feeds the scores, the gaps and the
    # age-gender chart.
    cells = grouping_cells(con, filters) if has_population else None
    score_table = scores(con, filters, cells=cells) if has_population else None
    gap_reference = None
    if has_population and has_demographic_filter(filters):
        gap_reference = reference_rate(
            con, filters, wave, resolve_wave(con, filters)[1], BACKGROUND
        )
    elif has_population:  # no age, gender or area filter: the full cells are the municipality
        full = cells[cells["gid"] == 0]
        known = float(full["population"].sum())
        gap_reference = float(full["respondents"].sum()) / known if known else None
    # Every table the page publishes is checked for differencing; their counts come in one
    # scan per filter variant, shared through `checked` (at 1 M respondents the separate
    # queries were two thirds of a rerun).
    checked: dict = {}
    gap_cells = cells_for(cells, open_dimensions(filters)) if has_population else None
    tables = [(kind,) for kind in OVERVIEW_RANKED] + [("age_band", "gender")]
    if gap_cells is not None:
        tables += gap_tables(gap_cells, open_dimensions(filters))
    prefetch(con, filters, tables, checked)
    return Overview(
        wave=wave,
        respondents=n,
        respondents_publishable=publishable,
        population=population,
        rate=response_rate(n, population) if publishable else None,
        previous_wave=previous,
        previous_rate=response_rate(prev_n, prev_pop) if prev_n and prev_n >= k else None,
        previous_respondents=prev_n if prev_n and prev_n >= k else None,
        scores=score_table,
        gaps=gaps_in_context(con, filters, top=5, k=k, cells=gap_cells, checked=checked)
        if has_population
        else None,
        by_band_gender=band_gender_view(con, filters, k, lang, cells=cells, checked=checked),
        ranked={
            kind: _ranked(con, option_counts[kind], n, kind, k, lang, filters, checked)
            for kind in OVERVIEW_RANKED
        },
        plain_score=plain_score_text(con, score_table, lang) if publishable else None,
        gap_reference=gap_reference if publishable else None,
    )


def band_gender_view(
    con,
    filters: filtering.Filters,
    k: int = 5,
    lang: str = "da",
    cells: pd.DataFrame | None = None,
    checked: dict | None = None,
) -> pd.DataFrame:
    """Share of responses next to share of citizens, per age band and gender (kvinde/mand).

    `cells` (from cells.grouping_cells) saves two queries when the overview has them.
    """
    if cells is not None:
        # GROUPING() bits: age_band, gender, area -> only area rolled up is 0b001.
        frame = cells[(cells["gid"] == 1) & cells["gender"].isin(["kvinde", "mand"])]
        frame = frame[["age_band", "gender", "population", "respondents"]].copy()
        band_order = {band: i for i, band in enumerate(catalog.age_bands(con))}
        frame["sort_order"] = frame["age_band"].map(band_order)
        total_r = frame["respondents"].sum()
    else:
        respondents = counting.respondents_by(con, filters, ("age_band", "gender"))
        respondents = respondents[respondents["gender"].isin(["kvinde", "mand"])]
        population = counting.population_by_band_gender(con, filters)
        frame = population.merge(respondents, on=["age_band", "gender"], how="left")
        frame["respondents"] = frame["respondents"].fillna(0)
        total_r = respondents["respondents"].sum()
    cells = {"age_band": "age_band", "gender": "gender"}
    hidden = differencing_mask(con, filters, frame, cells, "respondents", k, cache=checked)
    frame = suppress_table(frame, "respondents", k, group_column="age_band", hidden=hidden)
    total_p = frame["population"].sum()
    frame["share_respondents"] = frame["respondents"] / total_r if total_r else np.nan
    frame["share_population"] = frame["population"] / total_p if total_p else np.nan
    frame["gender_label"] = frame["gender"].map(labels(con, "gender", lang))
    return frame.sort_values(["sort_order", "gender"]).reset_index(drop=True)


def ranked_view(
    con, filters: filtering.Filters, kind: str, k: int = 5, lang: str = "da"
) -> pd.DataFrame:
    """Options of one question ranked by the share of (filtered) respondents choosing them."""
    total, counts = counting.option_counts(con, filters)
    return _ranked(
        con,
        counts.get(kind, pd.DataFrame(columns=["code", "respondents"])),
        total,
        kind,
        k,
        lang,
        filters,
    )


def _ranked(
    con,
    counts: pd.DataFrame,
    total: int,
    kind: str,
    k: int,
    lang: str,
    filters: filtering.Filters,
    checked: dict | None = None,
) -> pd.DataFrame:
    frame = pd.DataFrame({"code": order(con, kind)}).merge(counts, on="code", how="left")
    frame["respondents"] = frame["respondents"].fillna(0)
    # Multi-select options are not parts of one total, so only the complement rule applies.
    multi = kind in ("topic", "format")
    hidden = differencing_mask(con, filters, frame, {"code": kind}, "respondents", k, checked)
    frame = suppress_table(frame, "respondents", k, total=total, additive=not multi, hidden=hidden)
    frame["share"] = frame["respondents"] / total if total else np.nan
    frame["label"] = frame["code"].map(labels(con, kind, lang)).fillna(frame["code"])
    if multi:
        frame = frame.sort_values("share", ascending=False, na_position="last")
    return frame.reset_index(drop=True)
