"""Disclosure control at the level of the filter for whole tables (issue 13, finding 2).

A cell of a published table is read as "the filter plus the cell's own values"; it is hidden
when a count one filter change away differs from it by 1 to k-1 (docs/SECURITY.md). The counts
come from `disclosure_counts.table_counts`, a few GROUP BY queries per table, never one per cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import data_pipeline.analysis.catalog as catalog
import data_pipeline.analysis.disclosure_counts as disclosure_counts
import data_pipeline.analysis.filtering as filtering
from data_pipeline.core.disclosure import DEFAULT_K, EPS, check_k

_NULL_KEY = "\x00unknown"


def _cell_keys(values: pd.Series) -> list[str]:
    """Each value as the text a GROUP BY returns (unknown as one key of its own)."""
    return [_NULL_KEY if v is None or v is pd.NA or v != v else str(v) for v in values.tolist()]


def _aligned(
    keys: dict[str, list[str]], size: int, table: pd.DataFrame, columns: list[str]
) -> np.ndarray:
    """The counts of `table` for each of the `size` cells of `keys` (matched on `columns`; 0
    where absent).

    A plain dict, not a pandas groupby and merge: a page checks a few hundred cells against
    a dozen tables per rerun, and pandas' fixed cost per call was most of Overblik's rerun."""
    counts = table["respondents"].astype(float).fillna(0.0).to_numpy()
    if not columns:
        return np.full(size, float(counts.sum()))
    sums: dict[tuple[str, ...], float] = {}
    for key, n in zip(
        zip(*(_cell_keys(table[c]) for c in columns), strict=True), counts.tolist(), strict=True
    ):
        sums[key] = sums.get(key, 0.0) + n
    wanted = zip(*(keys[c] for c in columns), strict=True)
    return np.fromiter((sums.get(key, 0.0) for key in wanted), dtype=float, count=size)


def differencing_mask(
    con,
    filters,
    frame: pd.DataFrame,
    dims: dict[str, str],
    count_column: str = "respondents",
    k: int = DEFAULT_K,
    cache: dict | None = None,
) -> np.ndarray:
    """True for each cell of a published table whose count a user could difference against
    the same cell one filter change away (survives_differencing, for a whole table at once).

    `frame` holds one row per cell; `dims` maps its columns to dimension names
    (filtering.DIMENSIONS, topic, format). A cell is read as the filter plus its own values, so:
    1. for each field the filter narrows (and no column of the table fixes): the same table
       with that field cleared, minus the cell, is 0 or at least k; with two or more values
       chosen, each chosen value's own count in the cell is 0 or at least k;
    2. for each column that is a filter field (age band, gender, area, time, engagement,
       topic, format): the cell's row of the table without that column (its field cleared;
       for topic/format under the same filter) minus the cell is 0 or at least k.
    The tables are counted together, in one GROUPING SETS scan per filter variant where they
    can be (disclosure_counts.table_counts_many), never one query per cell. Pass the result as
    `hidden` to suppress_table, whose secondary suppression then protects the cells hidden here
    as well. Views that check several tables under one filter may share a `cache` dict (and
    fill it first with prefetch): the same wider table is then counted once.
    """

    k = check_k(k)
    if frame.empty:
        return np.zeros(0, dtype=bool)
    filters = filters.replace(wave=filters.wave or catalog.latest_wave(con))
    alias = {column: filtering.column_alias(dim) for column, dim in dims.items()}
    keys = {alias[c]: _cell_keys(frame[c]) for c in dims}
    counts = frame[count_column].astype(float).fillna(0.0).to_numpy()
    cache = {} if cache is None else cache
    checks = list(_checks(filters, tuple(dims.values())))
    _fetch(con, [request for request, *_ in checks], cache)

    def risky(values: np.ndarray) -> np.ndarray:
        return (values > EPS) & (values < k - EPS)

    mask = np.zeros(len(frame), dtype=bool)
    for request, columns, value in checks:
        table = cache[request]
        if value is None:  # the wider table, minus the cell
            mask |= risky(_aligned(keys, len(frame), table, columns) - counts)
        else:  # one chosen value's own count in the cell
            part = table[table[disclosure_counts.SPLIT_ALIAS] == value]
            mask |= risky(_aligned(keys, len(frame), part, columns))
    return mask


def prefetch(con, filters, tables: list[tuple[str, ...]], cache: dict) -> None:
    """Fill `cache` with the counts differencing_mask will need for tables of these dimension
    names under `filters`, in as few scans as possible (disclosure_counts.table_counts_many).
    A view that checks several tables (find_gaps: one per grouping set) calls this first and
    passes the same `cache` to each differencing_mask."""
    filters = filters.replace(wave=filters.wave or catalog.latest_wave(con))
    _fetch(con, [request for names in tables for request, *_ in _checks(filters, names)], cache)


def _fetch(con, requests: list[tuple], cache: dict) -> None:
    missing = [request for request in dict.fromkeys(requests) if request not in cache]
    if missing:
        cache.update(disclosure_counts.table_counts_many(con, missing))


def _checks(filters, names: tuple[str, ...]):
    """The comparisons of differencing_mask's rule for a table of dimension `names`, each as
    (table request (filters, dims, split), columns to match the cells on, chosen value): with
    value None the cell is compared with the wider table's count, else with that chosen
    value's own count."""
    field_of = {dim: field for field, dim in filtering.FIELD_DIMENSIONS.items()}
    columns = [filtering.column_alias(d) for d in names]
    fixed = {
        field_of[d] for d in names if d in field_of and field_of[d] in filtering.FILTER_COLUMNS
    }
    for field in (*filtering.FILTER_COLUMNS, *filtering.FILTER_MASKS):
        chosen = tuple(getattr(filters, field))
        if not chosen or field in fixed:
            continue
        yield (filters.replace(**{field: ()}), names, None), columns, None
        if len(chosen) >= 2:
            for value in chosen:
                yield (filters, names, field), columns, str(value)
    for dim in names:
        field = field_of.get(dim)
        if field is None:
            continue
        rest = tuple(d for d in names if d != dim)
        cleared = filters.replace(**{field: ()}) if field in filtering.FILTER_COLUMNS else filters
        yield (cleared, rest, None), [filtering.column_alias(d) for d in rest], None


# --- pseudonyms ----------------------------------------------------------------------------
