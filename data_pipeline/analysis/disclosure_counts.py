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
    wave = filters.wave or latest_wave(con)
    where = where_clause(con, filters, wave)
    spread = "area" in dims or split == "areas"
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
    sql = (
        f"SELECT {', '.join([*select, f'sum({weight})::DOUBLE AS respondents'])} "  # noqa: S608
        f"FROM {source.relation} {' '.join(joins)} WHERE {' AND '.join(conditions)}"
    )
    if select:
        sql += " GROUP BY ALL"
    return con.execute(sql, params).df()
