"""The counts a disclosure check needs beside what a page shows (analysis.differencing,
privacy.survives_differencing): the complement of each narrowed filter field
(filter_complements) and the respondents per cell of a published table, optionally split by
a narrowed field (table_counts), each in a few GROUP BY queries.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from data_pipeline.analysis.area_spread import respondent_source, whole
from data_pipeline.analysis.catalog import latest_wave
from data_pipeline.analysis.counting import count_respondents
from data_pipeline.analysis.filtering import (
    FILTER_COLUMNS,
    FILTER_MASKS,
    MULTI_DIMENSIONS,
    Filters,
    column_alias,
    dim_sql,
    where_clause,
)


@dataclass(frozen=True)
class Complement:
    """What a user can learn next to the count under a filter by changing one of its fields:
    the count of each chosen value (for topics and formats: of those who chose only that one
    of the chosen), and the count with this field's filter removed."""

    field: str
    chosen: tuple[str, ...]
    cells: dict
    without: float


def filter_complements(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[Complement]:
    """One Complement per narrowed field of the filter (privacy.survives_differencing)."""
    wave = filters.wave or latest_wave(con)
    filters = filters.replace(wave=wave)
    where = where_clause(con, filters, wave)
    source = respondent_source(filters)
    weight = "r.area_w" if source.spread else "1.0"
    result = []
    for field_name in (*FILTER_COLUMNS, *FILTER_MASKS):
        chosen = tuple(getattr(filters, field_name))
        if not chosen:
            continue
        if field_name in FILTER_COLUMNS:
            sql = (
                f"SELECT {FILTER_COLUMNS[field_name]}::VARCHAR, sum({weight}) "  # noqa: S608
                f"FROM {source.relation} WHERE {where.sql} GROUP BY 1"
            )
            params = where.params
        else:
            kind, mask = FILTER_MASKS[field_name]
            sql = (
                "SELECT CAST(CAST(round(log2(m::DOUBLE)) AS INTEGER) AS VARCHAR), sum(w) FROM ("  # noqa: S608
                f"SELECT r.{mask} & (SELECT coalesce(bit_or(1::UBIGINT << bit), 0::UBIGINT) "
                f"FROM vocabulary WHERE kind = '{kind}' AND code IN (SELECT unnest($chosen))) "
                f"AS m, {weight} AS w FROM {source.relation} WHERE {where.sql}) "
                "WHERE bit_count(m) = 1 GROUP BY 1"
            )
            params = {**where.params, "chosen": list(chosen)}
        cells = {value: whole(n) for value, n in con.execute(sql, params).fetchall()}
        without = count_respondents(con, filters.replace(**{field_name: ()}))
        result.append(Complement(field_name, chosen, cells, without))
    return result


SPLIT_ALIAS = "split_value"


def table_counts(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    dims: tuple[str, ...],
    split: str | None = None,
) -> pd.DataFrame:
    """Respondents per cell of `dims` under the filter, in one GROUP BY (for the disclosure
    check of a published table: analysis.differencing).

    Topic and format cells are those who chose the option (several per respondent). `split`
    names a narrowed filter field whose chosen values become one more column, SPLIT_ALIAS:
    for age band, gender, area, time and engagement the respondent's value; for topics and
    formats the chosen option of those who chose exactly one of the chosen (the people a user
    removes by dropping that option from the filter). Values are text; unknown is NULL."""
    spread = "area" in dims or split == "areas"
    sql, params = _counts_query(con, filters, dims, split, spread)
    return con.execute(sql, params).df()


def table_counts_many(
    con: duckdb.DuckDBPyConnection, requests: list[tuple[Filters, tuple[str, ...], str | None]]
) -> dict[tuple, pd.DataFrame]:
    """table_counts for each (filters, dims, split) request, in as few scans as possible.

    Requests under the same filter and split, on the same source (area-spread or not) and
    without topic or format dimensions (their joins would multiply the other sets' rows)
    share one GROUPING SETS scan: the differencing check of a page asks for a dozen or more
    tables, and at 1 M respondents each scan took ~25 ms (23 of them were half of an Overblik
    rerun). GROUPING() tells a set's own unknown value (NULL) from a rolled-up column. Each
    answer is the frame table_counts gives: the request's columns in its order, then
    SPLIT_ALIAS if split, then respondents."""
    answers: dict[tuple, pd.DataFrame] = {}
    shared: dict[tuple, list[tuple[str, ...]]] = {}
    for request in dict.fromkeys(requests):
        filters, dims, split = request
        if not dims or any(dim in MULTI_DIMENSIONS for dim in dims):
            answers[request] = table_counts(con, filters, dims, split)
            continue
        spread = "area" in dims or split == "areas"
        shared.setdefault((filters, split, spread), []).append(dims)
    for (filters, split, spread), sets in shared.items():
        if len(sets) == 1:
            answers[(filters, sets[0], split)] = table_counts(con, filters, sets[0], split)
            continue
        columns = list(dict.fromkeys(dim for dims in sets for dim in dims))
        sql, params = _counts_query(con, filters, tuple(columns), split, spread, sets)
        found = con.execute(sql, params).df()
        extra = [SPLIT_ALIAS] if split else []
        for dims in sets:
            # GROUPING(a, b, c): the first column is the highest bit, set when rolled up.
            rolled = sum(
                1 << (len(columns) - 1 - i) for i, dim in enumerate(columns) if dim not in dims
            )
            part = found[found["grouping_id"] == rolled]
            keep = [column_alias(dim) for dim in dims] + extra + ["respondents"]
            answers[(filters, dims, split)] = part[keep].reset_index(drop=True)
    return answers


def _counts_query(
    con,
    filters: Filters,
    dims: tuple[str, ...],
    split: str | None,
    spread: bool,
    sets: list[tuple[str, ...]] | None = None,
) -> tuple[str, dict]:
    """The SQL of table_counts; with `sets`, one GROUPING SETS query over `dims` (their union)
    that also returns each row's grouping_id."""
    wave = filters.wave or latest_wave(con)
    where = where_clause(con, filters, wave)
    source = respondent_source(filters, by_area=spread)
    weight = "r.area_w" if source.spread else "1.0"
    params = dict(where.params)
    select, joins, conditions = [], [], [where.sql]
    for dim in dims:
        alias = column_alias(dim)
        if dim in MULTI_DIMENSIONS:
            kind, mask = MULTI_DIMENSIONS[dim]
            joins.append(
                f"JOIN vocabulary v_{alias} ON v_{alias}.kind = '{kind}' AND v_{alias}.bit IS "
                f"NOT NULL AND ((r.{mask} >> v_{alias}.bit) & 1) = 1"
            )
            select.append(f"v_{alias}.code AS {alias}")
        else:
            select.append(f"{dim_sql(dim)}::VARCHAR AS {alias}")
    if split in FILTER_COLUMNS:
        select.append(f"{FILTER_COLUMNS[split]}::VARCHAR AS {SPLIT_ALIAS}")
    elif split in FILTER_MASKS:
        kind, mask = FILTER_MASKS[split]
        chosen = (
            f"(SELECT coalesce(bit_or(1::UBIGINT << bit), 0::UBIGINT) FROM vocabulary "
            f"WHERE kind = '{kind}' AND code IN (SELECT unnest($split_chosen)))"
        )
        joins.append(
            f"JOIN vocabulary v_split ON v_split.kind = '{kind}' AND v_split.bit IS NOT NULL "
            f"AND ((r.{mask} >> v_split.bit) & 1) = 1 "
            "AND v_split.code IN (SELECT unnest($split_chosen))"
        )
        conditions.append(f"bit_count(r.{mask} & {chosen}) = 1")
        select.append(f"v_split.code AS {SPLIT_ALIAS}")
        params["split_chosen"] = list(getattr(filters, split))
    elif split is not None:
        raise ValueError(f"Unknown filter field {split!r}")
    if sets is not None:
        # The same rows as one query per set, grouped once per set in a single scan.
        aliases = [column_alias(dim) for dim in dims]
        split_key = [SPLIT_ALIAS] if split else []
        grouping = ", ".join(
            "(" + ", ".join([column_alias(dim) for dim in one] + split_key) + ")" for one in sets
        )
        inner = (
            f"SELECT {', '.join([*select, f'{weight} AS w'])} "  # noqa: S608
            f"FROM {source.relation} {' '.join(joins)} WHERE {' AND '.join(conditions)}"
        )
        sql = (
            f"SELECT {', '.join(aliases + split_key)}, GROUPING({', '.join(aliases)}) "  # noqa: S608
            f"AS grouping_id, sum(w)::DOUBLE AS respondents FROM ({inner}) "
            f"GROUP BY GROUPING SETS ({grouping})"
        )
        return sql, params
    sql = (
        f"SELECT {', '.join([*select, f'sum({weight})::DOUBLE AS respondents'])} "  # noqa: S608
        f"FROM {source.relation} {' '.join(joins)} WHERE {' AND '.join(conditions)}"
    )
    if select:
        sql += " GROUP BY ALL"
    return sql, params
