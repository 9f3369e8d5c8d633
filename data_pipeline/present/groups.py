"""What the Grupper page shows, and the gaps the Overblik page ranks: representation by the
chosen split, the scores and the largest gaps named in the filter's context.

A filter that fixes one value (only women, say) leaves that dimension out of the search and
puts it into every sentence instead ("Kvinder 80+ år", not "Borgere 80+ år").
"""

from __future__ import annotations

import pandas as pd

import data_pipeline.analysis.catalog as catalog
import data_pipeline.analysis.counting as counting
import data_pipeline.analysis.filtering as filtering


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
    con,
    filters: filtering.Filters,
    top: int = 5,
    k: int = 5,
    cells: pd.DataFrame | None = None,
    checked: dict | None = None,
) -> pd.DataFrame:
    """The largest gaps among the open dimensions, named with the filter's fixed values too:
    under a filter for women, "Kvinder 80+ år", not "Borgere 80+ år". `checked`: find_gaps'
    shared disclosure-count cache."""
    from data_pipeline.analysis.cells import area_names
    from data_pipeline.analysis.gap_words import finding_sentence, interest_words
    from data_pipeline.analysis.gaps import find_gaps

    gaps = find_gaps(
        con, filters, dims=open_dimensions(filters), top=top, k=k, cells=cells, checked=checked
    )
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
