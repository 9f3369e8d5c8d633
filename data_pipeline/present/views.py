"""What each dashboard page shows for a filter: small, labelled, suppressed DataFrames.

Pages call one function here and draw the result; the benchmark times the same functions.
Suppression is applied here, before anything leaves the pipeline, through privacy.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

import data_pipeline.analysis.catalog as catalog
import data_pipeline.analysis.counting as counting
import data_pipeline.analysis.disclosure_counts as disclosure_counts
import data_pipeline.analysis.filtering as filtering
from data_pipeline.analysis.differencing import differencing_mask
from data_pipeline.core.disclosure import (
    is_publishable,
    suppress_table,
    survives_differencing,
)
from data_pipeline.core.i18n import gender_label, t
from data_pipeline.core.numbers import count

RANKED_KINDS = ("topic", "format", "time", "engagement", "interest")


@dataclass
class Overview:
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


def labels(con: duckdb.DuckDBPyConnection, dim: str, lang: str = "da") -> dict[str, str]:
    """Code -> visible label for any dimension."""
    if dim in ("topic", "format", "time", "engagement", "interest"):
        frame = catalog.vocabulary(con, dim, lang)
        return dict(zip(frame["code"], frame["label"], strict=True))
    if dim == "area":
        frame = catalog.areas(con)
        return dict(zip(frame["area_code"], frame["name"], strict=True))
    if dim == "gender":
        return {g: gender_label(g, lang) for g in ("kvinde", "mand", "andet", "uoplyst")}
    if dim == "age_band":
        return {b: t("group.band_years", lang, band=b) for b in catalog.age_bands(con)}
    return {}


def order(con: duckdb.DuckDBPyConnection, dim: str) -> list[str]:
    """The natural order of a dimension's values (vocabulary order, age order, names)."""
    if dim in ("topic", "format", "time", "engagement", "interest"):
        return list(catalog.vocabulary(con, dim)["code"])
    if dim == "age_band":
        return catalog.age_bands(con)
    if dim == "gender":
        return ["kvinde", "mand", "andet", "uoplyst"]
    if dim == "area":
        return list(catalog.areas(con)["area_code"])
    if dim == "wave":
        return catalog.waves(con)
    return []


def open_dimensions(filters: filtering.Filters) -> tuple[str, ...]:
    """Background dimensions still open under the filter: a filter that fixes one value (only
    women, say) would repeat every finding as "women ..." and "citizens ...", so it is left out."""
    fixed = {
        "age_band": len(filters.age_bands) == 1,
        "gender": len(filters.genders) == 1,
        "area": len(filters.areas) == 1,
    }
    return tuple(d for d in ("age_band", "gender", "area") if not fixed[d]) or ("age_band",)


def gaps_in_context(
    con, filters: filtering.Filters, top: int = 5, k: int = 5, cells: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The largest gaps among the open dimensions, named with the filter's fixed values too:
    under a filter for women, "Kvinder 80+ år", not "Borgere 80+ år"."""
    from data_pipeline.analysis.cells import area_names
    from data_pipeline.analysis.gap_words import finding_sentence, interest_words
    from data_pipeline.analysis.gaps import find_gaps

    gaps = find_gaps(con, filters, dims=open_dimensions(filters), top=top, k=k, cells=cells)
    fixed = {
        dim: values[0]
        for dim, values in (
            ("age_band", filters.age_bands),
            ("gender", filters.genders),
            ("area", filters.areas),
        )
        if len(values) == 1
    }
    if not fixed or gaps.empty:
        return gaps
    names = area_names(con)
    records = gaps.to_dict("records")
    for lang in ("da", "en"):
        gaps[f"sentence_{lang}"] = [
            finding_sentence(
                {**fixed, **row["group"]}, row, lang, names, k, interest_words(con, filters, lang)
            )
            for row in records
        ]
    return gaps


def _rate(respondents: int | None, population: int | None) -> float | None:
    if not respondents or not population:
        return None
    return respondents / population


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


def hide_differences(con, frame: pd.DataFrame, filters: filtering.Filters, k: int) -> pd.DataFrame:
    """Per-area counts (map) hidden where a count one filter change away would reveal a
    suppressed cell: each area's count is checked as the count under filter + that area
    (analysis.differencing), then suppressed again so secondary suppression holds."""
    hidden = differencing_mask(con, filters, frame, {"area": "area"}, "respondents", k)
    return suppress_table(frame, "respondents", k, dependent_columns=("value",), hidden=hidden)


def overview_view(con, filters: filtering.Filters, k: int = 5, lang: str = "da") -> Overview:
    from data_pipeline.analysis.cells import cells_for, grouping_cells
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
    return Overview(
        wave=wave,
        respondents=n,
        respondents_publishable=publishable,
        population=population,
        rate=_rate(n, population) if publishable else None,
        previous_wave=previous,
        previous_rate=_rate(prev_n, prev_pop) if prev_n and prev_n >= k else None,
        previous_respondents=prev_n if prev_n and prev_n >= k else None,
        scores=score_table,
        gaps=gaps_in_context(
            con, filters, top=5, k=k, cells=cells_for(cells, open_dimensions(filters))
        )
        if has_population
        else None,
        by_band_gender=band_gender_view(con, filters, k, lang, cells=cells),
        ranked={
            kind: _ranked(con, option_counts[kind], n, kind, k, lang, filters)
            for kind in ("topic", "format", "time")
        },
        plain_score=plain_score_text(con, score_table, lang) if publishable else None,
    )


def band_gender_view(
    con, filters: filtering.Filters, k: int = 5, lang: str = "da", cells: pd.DataFrame | None = None
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
    hidden = differencing_mask(con, filters, frame, cells, "respondents", k)
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
    con, counts: pd.DataFrame, total: int, kind: str, k: int, lang: str, filters: filtering.Filters
) -> pd.DataFrame:
    frame = pd.DataFrame({"code": order(con, kind)}).merge(counts, on="code", how="left")
    frame["respondents"] = frame["respondents"].fillna(0)
    # Multi-select options are not parts of one total, so only the complement rule applies.
    multi = kind in ("topic", "format")
    hidden = differencing_mask(con, filters, frame, {"code": kind}, "respondents", k)
    frame = suppress_table(frame, "respondents", k, total=total, additive=not multi, hidden=hidden)
    frame["share"] = frame["respondents"] / total if total else np.nan
    frame["label"] = frame["code"].map(labels(con, kind, lang)).fillna(frame["code"])
    if multi:
        frame = frame.sort_values("share", ascending=False, na_position="last")
    return frame.reset_index(drop=True)


def explore_view(
    con,
    filters: filtering.Filters,
    rows: str,
    cols: str,
    measure: str = "count",
    weighted: bool = False,
    k: int = 5,
    lang: str = "da",
) -> pd.DataFrame:
    """Two dimensions crossed: long table rows, cols, respondents, value, suppressed, labels."""
    if rows == cols:
        raise ValueError("rows and cols must differ")
    if rows in filtering.MULTI_DIMENSIONS and cols in filtering.MULTI_DIMENSIONS:
        frame = counting.crosstab_multi(con, filters, rows, cols)
    else:
        frame = counting.respondents_by(con, filters, (rows, cols))
    frame = frame.rename(
        columns={filtering.column_alias(rows): "row", filtering.column_alias(cols): "col"}
    )
    if weighted:
        from data_pipeline.analysis.raking import rake
        from data_pipeline.analysis.weighting import weighted_counts

        raked = rake(con, filters)
        weights = weighted_counts(con, filters, (rows, cols), raked)
        weights = weights.rename(
            columns={filtering.column_alias(rows): "row", filtering.column_alias(cols): "col"}
        )
        frame = frame.merge(weights[["row", "col", "weighted"]], on=["row", "col"], how="left")
    frame = _complete_grid(con, frame, rows, cols, filters)
    hidden = differencing_mask(con, filters, frame, {"row": rows, "col": cols}, "respondents", k)
    frame = suppress_table(
        frame, "respondents", k, group_column="row", dependent_columns=("weighted",), hidden=hidden
    )
    basis = "weighted" if weighted else "respondents"
    if measure == "row":
        frame["value"] = frame[basis] / frame.groupby("row")[basis].transform("sum")
    elif measure == "col":
        frame["value"] = frame[basis] / frame.groupby("col")[basis].transform("sum")
    else:
        frame["value"] = frame[basis]
    frame.loc[frame["suppressed"], "value"] = np.nan
    frame["row_label"] = _label_series(con, rows, frame["row"], lang)
    frame["col_label"] = _label_series(con, cols, frame["col"], lang)
    if weighted:  # what the weights cost and what they fixed, where weights are shown
        frame.attrs["weights_note"] = weights_note(raked, lang)
    return frame


def weights_note(raked, lang: str = "da") -> str:
    """One sentence of weighting diagnostics (as Meta's balance): Kish's design effect and
    effective n, the standardised difference per variable before/after, and the rule for
    respondents the weights cannot reach."""
    from data_pipeline.core.i18n import number

    balance = raked.balance.set_index("variable")

    def pair(variable: str) -> str:
        if variable not in balance.index:
            return "–"
        row = balance.loc[variable]
        return f"{number(row['before'], lang, 3)} → {number(row['after'], lang, 3)}"

    return t(
        "weights.diagnostics",
        lang,
        deff=number(raked.design_effect, lang, 2),
        ess=number(raked.effective_sample_size, lang),
        n=number(raked.respondents + raked.excluded, lang),
        bg=pair("age_band_gender"),
        area=pair("area"),
        rule=t("weights.unknown_rule", lang),
    )


# A single-valued dimension narrowed by the filter bar: values outside the selection are zero
# by construction, so they are left out rather than shown as a suppressed "<5" (issue 14).
FILTERED_BY = {
    "age_band": "age_bands",
    "gender": "genders",
    "area": "areas",
    "time": "times",
    "engagement": "engagements",
}


def _complete_grid(
    con, frame: pd.DataFrame, rows: str, cols: str, filters: filtering.Filters | None = None
) -> pd.DataFrame:
    """Every known row × col value appears, so a zero is shown (as suppressed), not hidden;
    values the filter excludes do not appear at all."""
    row_values = _within_filter(order(con, rows), rows, filters) or sorted(
        frame["row"].dropna().unique()
    )
    col_values = _within_filter(order(con, cols), cols, filters) or sorted(
        frame["col"].dropna().unique()
    )
    extra_rows = [v for v in frame["row"].unique() if v not in row_values]
    extra_cols = [v for v in frame["col"].unique() if v not in col_values]
    grid = pd.MultiIndex.from_product(
        [row_values + extra_rows, col_values + extra_cols], names=["row", "col"]
    ).to_frame(index=False)
    merged = grid.merge(frame, on=["row", "col"], how="left")
    merged["respondents"] = merged["respondents"].fillna(0)
    if "weighted" in merged:
        merged["weighted"] = merged["weighted"].fillna(0.0)
    return merged


def _within_filter(values: list, dim: str, filters: filtering.Filters | None) -> list:
    chosen = getattr(filters, FILTERED_BY.get(dim, ""), ()) if filters is not None else ()
    return [v for v in values if v in chosen] if chosen else values


def _label_series(con, dim: str, values: pd.Series, lang: str) -> pd.Series:
    mapping = labels(con, dim, lang)
    return values.map(lambda v: mapping.get(v, t("unknown", lang) if v is None or v != v else v))


def map_view(
    con,
    filters: filtering.Filters,
    measure: str = "rate",
    group: dict | None = None,
    code: str | None = None,
    k: int = 5,
    lang: str = "da",
) -> pd.DataFrame:
    """One value per area for the choropleth: area_code, name, value, n, population, suppressed.

    rate: respondents / citizens 15+. ratio: the group's rate in the area / the rate of the
    whole municipality (no age, gender or area filter). topic/format: share of the area's
    respondents choosing the option.

    Respondents known only by a postal code that spans several areas count in each of its areas
    with its population share (area_spread.AREA_SPREAD_RELATION), so `respondents` may be
    fractional; `n` shows it rounded. ``attrs['postal_spread']`` is their number in the wave,
    and ``attrs['note_da']``/``attrs['note_en']`` say so when there are any.
    """
    areas = catalog.areas(con)
    base = filters.replace(areas=())
    if measure == "ratio":
        group = group or {}
        narrowed = base.replace(
            age_bands=tuple(group.get("age_bands", ())) or base.age_bands,
            genders=tuple(group.get("genders", ())) or base.genders,
        )
        counts = counting.respondents_by(con, narrowed, ("area",))
        population = counting.population_by(con, narrowed, "area")
        # The reference is the whole municipality, also under an age or gender filter.
        whole = base.replace(age_bands=(), genders=())
        overall = _rate(
            counting.count_respondents(con, whole), counting.count_population(con, whole)
        )
        frame = _per_area(areas, counts, population)
        frame["value"] = frame["respondents"] / frame["population"] / overall if overall else np.nan
        frame = suppress_table(frame, "respondents", k, dependent_columns=("value",))
        frame = hide_differences(
            con, frame, narrowed.replace(wave=narrowed.wave or catalog.latest_wave(con)), k
        )
    elif measure in ("topic", "format"):
        totals = counting.respondents_by(con, base, ("area",))
        chosen_filter = base.replace(**{f"{measure}s": (code,)} if code else {})
        chosen = counting.respondents_by(con, chosen_filter, ("area",)).rename(
            columns={"respondents": "chosen"}
        )
        frame = _per_area(areas, totals, None).merge(chosen, on="area", how="left")
        frame["chosen"] = frame["chosen"].fillna(0)
        # The complement rule: both those who chose and those who did not must be >= k; and
        # neither count may be differenced against the same area one filter change away.
        hidden = (frame["chosen"] < k) | (frame["respondents"] - frame["chosen"] < k)
        wave = base.wave or catalog.latest_wave(con)
        hidden |= differencing_mask(con, base.replace(wave=wave), frame, {"area": "area"}, k=k)
        hidden |= differencing_mask(
            con, chosen_filter.replace(wave=wave), frame, {"area": "area"}, "chosen", k
        )
        frame["value"] = (frame["chosen"] / frame["respondents"]).where(~hidden)
        frame["suppressed"] = hidden | (frame["respondents"] < k)
        frame["population"] = np.nan
    else:
        counts = counting.respondents_by(con, base, ("area",))
        population = counting.population_by(con, base, "area")
        frame = _per_area(areas, counts, population)
        frame["value"] = frame["respondents"] / frame["population"]
        frame = suppress_table(frame, "respondents", k, dependent_columns=("value",))
        frame = hide_differences(
            con, frame, base.replace(wave=base.wave or catalog.latest_wave(con)), k
        )
    frame.loc[frame["suppressed"], "value"] = np.nan
    frame["n"] = [
        f"<{k}" if s else count(v)
        for v, s in zip(frame["respondents"], frame["suppressed"], strict=True)
    ]
    frame = frame.rename(columns={"area": "area_code"})
    frame.attrs.update(postal_spread_note(con, filters.wave))
    return frame


def postal_spread_note(con, wave: str | None) -> dict:
    """{"postal_spread": n, "note_da", "note_en"} for a wave whose respondents include some known
    only by a postal code spanning several areas (spread by population share); else n = 0."""
    n = catalog.postal_spread_respondents(con, wave)
    if not n:
        return {"postal_spread": 0}
    return {
        "postal_spread": n,
        "note_da": t("postal.spread_note"),
        "note_en": t("postal.spread_note", "en"),
    }


def _per_area(
    areas: pd.DataFrame, counts: pd.DataFrame, population: pd.DataFrame | None
) -> pd.DataFrame:
    frame = areas.rename(columns={"area_code": "area"}).merge(counts, on="area", how="left")
    frame["respondents"] = frame["respondents"].fillna(0)
    if population is not None:
        frame = frame.merge(population, on="area", how="left")
    return frame


def groups_view(
    con,
    filters: filtering.Filters,
    by: tuple[str, ...] = ("age_band",),
    k: int = 5,
    lang: str = "da",
) -> dict:
    """Representation by the chosen split, the scores and the ranked intersections."""
    from data_pipeline.analysis.cells import cells_for, grouping_cells
    from data_pipeline.analysis.ratios import representation_table
    from data_pipeline.analysis.scores import scores

    wave = filters.wave or catalog.latest_wave(con)
    filters = filters.replace(wave=wave)
    if counting.count_population(con, filters) is None:
        return {"table": None, "scores": None, "gaps": None, "postal_spread": 0}
    table = representation_table(con, filters, by=by, k=k)
    cells = grouping_cells(con, filters)
    # One scan serves the scores and the gaps, also when a filter fixes one value.
    shared = cells_for(cells, open_dimensions(filters))
    # The scores and the intersections always include area (and the table may be by area), so
    # the page says so whenever the wave has respondents spread over areas by postal code.
    return {
        "table": table,
        # The whole municipality's rate every ratio compares with, also under a filter.
        "reference_rate": table.attrs.get("reference_rate"),
        "scores": scores(con, filters, cells=cells),
        "gaps": gaps_in_context(con, filters, top=10, k=k, cells=shared),
        "postal_spread": catalog.postal_spread_respondents(con, wave),
    }
