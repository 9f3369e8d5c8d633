"""The representation table: each group of one grouping against the whole municipality, with
its interval and verdict, labelled, sorted and suppressed (cells → statistics → disclosure).

Definitions: docs/DEFINITIONS.md. Never publishes a count below k.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from data_pipeline.analysis.cells import (
    area_names,
    cell_counts,
    check_background,
    has_demographic_filter,
    postal_note,
    reference_rate,
    resolve_wave,
)
from data_pipeline.analysis.differencing import differencing_mask
from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.lookups import per_data_version
from data_pipeline.analysis.statistics import (
    STAT_COLUMNS,
    add_statistics,
    apply_fdr,
    expected_hint,
)
from data_pipeline.core.disclosure import DEFAULT_K, check_k, suppress_table


@per_data_version
def _band_order(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return dict(con.execute("SELECT label, sort_order FROM age_band").fetchall())


def representation_table(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    by: tuple[str, ...] = ("age_band",),
    threshold: float = 0.8,
    k: int = DEFAULT_K,
) -> pd.DataFrame:
    """Respondents against the population per cell of `by` (any of age_band, gender, area).

    Respondents are narrowed by every filter, the population by the demographic ones only, for
    the wave's population period. Respondents whose grouped attribute is unknown (no age band
    or area, gender andet/uoplyst when grouping by gender) are left out of the cells and the
    overall rate; their number is in ``df.attrs['excluded']``. Cells below k respondents are
    suppressed (counts and everything derived from them NaN, ``suppressed`` True).

    Ratios compare with the whole municipality (``attrs['reference_rate']``), also under an
    age, gender or area filter: filtered to one area, that area keeps its unfiltered ratio.
    The verdicts are judged together: "under"/"over" stand only where Benjamini–Hochberg
    across the table's groups rejects ratio = 1 (see apply_fdr).
    """
    k = check_k(k)
    by = check_background(by)
    wave, period = resolve_wave(con, filters)
    cells, excluded = cell_counts(con, filters, wave, period, by)
    reference = (
        reference_rate(con, filters, wave, period, by) if has_demographic_filter(filters) else None
    )
    table = add_statistics(cells, threshold, k, reference)
    reference = table.attrs.get("reference_rate")
    table = _label_and_sort(con, table, by)
    # Only a group hidden for its own small count says "fewer than k, where about N were
    # expected"; one hidden to protect another (secondary suppression) may have k or more.
    too_few = (table["respondents"] < k).to_numpy()
    # A count one filter change away must not reveal a small group either (docs/SECURITY.md).
    hidden = differencing_mask(con, filters.replace(wave=wave), table, {d: d for d in by}, k=k)
    table = suppress_table(table, "respondents", k, dependent_columns=STAT_COLUMNS, hidden=hidden)
    table["expected_hint"] = np.where(
        too_few, expected_hint(table["population"], reference), np.nan
    )
    table = apply_fdr(table)
    columns = [*_label_columns(by), "population", "respondents", "rate", "ratio", "ci_low"]
    table = table[[*columns, "ci_high", "missing_voices", "status", "suppressed", "expected_hint"]]
    table = table.reset_index(drop=True)
    table.attrs.update(
        {"excluded": excluded, "wave": wave, "period": period, "reference_rate": reference}
    )
    table.attrs.update(postal_note(con, filters, wave, by))
    return table


def _label_columns(by: tuple[str, ...]) -> list[str]:
    columns = []
    for d in by:
        columns.extend(["area", "area_name"] if d == "area" else [d])
    return columns


def _label_and_sort(con, table: pd.DataFrame, by: tuple[str, ...]) -> pd.DataFrame:
    if not by:
        return table
    keys = []
    if "age_band" in by:
        order = _band_order(con)
        table["_band"] = table["age_band"].map(order).fillna(len(order))
        keys.append("_band")
    if "gender" in by:
        keys.append("gender")
    if "area" in by:
        table["area_name"] = table["area"].map(area_names(con))
        keys.append("area")
    return table.sort_values(keys, kind="stable").drop(columns=["_band"], errors="ignore")
