"""The counts a disclosure check needs beside what a page shows (analysis.differencing,
privacy.survives_differencing): the complement of each narrowed filter field
(filter_complements) and the respondents per cell of a published table, optionally split by
a narrowed field (table_counts), each in a few GROUP BY queries.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from data_pipeline.analysis.area_spread import respondent_source, whole
from data_pipeline.analysis.catalog import latest_wave
from data_pipeline.analysis.counting import count_respondents
from data_pipeline.analysis.filtering import (
    FILTER_COLUMNS,
    FILTER_MASKS,
    MULTI_DIMENSIONS,
    Filters,
    bits,
    column_alias,
    dim_sql,
    where_clause,
)
from data_pipeline.core import dialect


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
                f"SELECT r.{mask} & {dialect.option_mask(kind, 'chosen')} "
                f"AS m, {weight} AS w FROM {source.relation} WHERE {where.sql}) "
                f"WHERE {dialect.bit_count('m')} = 1 GROUP BY 1"
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

    A disclosure check asks for a dozen or more tables under a handful of filter variants
    (the page's filter with one field cleared); at 1 M respondents one scan took 75–290 ms,
    and one per table and variant was most of an Overblik rerun. Requests of one wave, split
    and source (area-spread or not) therefore share a single scan:
    - each filter variant is a flag per row (its WHERE clause), the scan reads the rows of any
      variant, and every count is a sum FILTER (WHERE flag);
    - the tables' ordinary columns are GROUPING SETS of that scan; GROUPING() tells a set's
      own unknown value (NULL) from a rolled-up column;
    - a topic or format column (several per respondent) is a conditional sum per option bit
      instead of a join to the vocabulary, which multiplied the rows; a table with both a
      topic and a format column still gets its own query.
    Each answer is the frame table_counts gives (tests/test_disclosure_counts.py compares
    them): the request's columns in its order, then SPLIT_ALIAS if split, then respondents;
    a cell exists where at least one respondent is in it."""
    answers: dict[tuple, pd.DataFrame] = {}
    groups: dict[tuple, list[tuple]] = {}
    for request in dict.fromkeys(requests):
        filters, dims, split = request
        if sum(dim in MULTI_DIMENSIONS for dim in dims) > 1:
            answers[request] = table_counts(con, filters, dims, split)
            continue
        wave = filters.wave or latest_wave(con)
        spread = "area" in dims or split == "areas"
        relation = respondent_source(filters, by_area=spread).relation
        chosen = tuple(getattr(filters, split)) if split else ()
        # Option tables apart from the rest: every aggregate is computed for every grouping
        # set of a scan, so mixing them would sum each option bit for each set.
        kind = next((dim for dim in dims if dim in MULTI_DIMENSIONS), None)
        groups.setdefault((wave, split, chosen, relation, kind), []).append(request)
    for (wave, split, chosen, relation, _kind), members in groups.items():
        answers.update(_shared_scan(con, wave, split, chosen, relation, members))
    return answers


def _shared_scan(con, wave, split, chosen, relation, members) -> dict[tuple, pd.DataFrame]:
    variants = list(dict.fromkeys(filters for filters, _dims, _split in members))
    spread = relation != respondent_source(Filters()).relation
    weight = "r.area_w" if spread else "1.0"
    flags, params = _variant_flags(con, variants)
    params["wave"] = wave
    columns = list(
        dict.fromkeys(d for _f, dims, _s in members for d in dims if d not in MULTI_DIMENSIONS)
    )
    kinds = sorted({d for _f, dims, _s in members for d in dims if d in MULTI_DIMENSIONS})
    option_bits = _option_bits(con, kinds)
    aliases = [column_alias(dim) for dim in columns]
    select = [
        f"{dim_sql(dim)}::VARCHAR AS {alias}" for dim, alias in zip(columns, aliases, strict=True)
    ]
    select += [f"({flag}) AS in_{i}" for i, flag in enumerate(flags)]
    select += [f"r.{MULTI_DIMENSIONS[kind][1]} AS mask_{kind}" for kind in kinds]
    joins = []
    conditions = ["r.wave_id = $wave", "(" + " OR ".join(f"({flag})" for flag in flags) + ")"]
    split_key = [SPLIT_ALIAS] if split else []
    if split in FILTER_COLUMNS:
        select.append(f"{FILTER_COLUMNS[split]}::VARCHAR AS {SPLIT_ALIAS}")
    elif split in FILTER_MASKS:
        # Those who chose exactly one of the chosen options; the split value is that option
        # (the one bit left of mask & chosen), found by an equality join, not a bit test.
        kind, mask = FILTER_MASKS[split]
        chosen_bits = dialect.option_mask(kind, "split_chosen")
        conditions.append(f"{dialect.bit_count(f'r.{mask} & {chosen_bits}')} = 1")
        joins.append(
            f"JOIN vocabulary v_split ON v_split.kind = '{kind}' AND v_split.bit = "
            f"{dialect.lowest_bit(f'r.{mask} & {chosen_bits}')}"
        )
        select.append(f"v_split.code AS {SPLIT_ALIAS}")
        params["split_chosen"] = list(chosen)
    elif split is not None:
        raise ValueError(f"Unknown filter field {split!r}")
    measures = []
    for i in range(len(variants)):
        measures += [
            f"count(*) FILTER (WHERE in_{i}) AS n_{i}",
            f"sum(w) FILTER (WHERE in_{i}) AS s_{i}",
        ]
        for kind in kinds:
            for bit, _code in option_bits[kind]:
                has = f"in_{i} AND {dialect.has_bit(f'mask_{kind}', str(int(bit)))}"
                measures += [
                    f"count(*) FILTER (WHERE {has}) AS n_{i}_{kind}_{int(bit)}",
                    f"sum(w) FILTER (WHERE {has}) AS s_{i}_{kind}_{int(bit)}",
                ]
    inner = (
        f"SELECT {', '.join([*select, f'{weight} AS w'])} "  # noqa: S608
        f"FROM {relation} {' '.join(joins)} WHERE {' AND '.join(conditions)}"
    )
    sets = list(
        dict.fromkeys(
            tuple(d for d in dims if d not in MULTI_DIMENSIONS) for _f, dims, _s in members
        )
    )
    keys = aliases + split_key
    outer = list(keys)
    if aliases:
        outer.append(f"GROUPING({', '.join(aliases)}) AS grouping_id")
    sql = f"SELECT {', '.join(outer + measures)} FROM ({inner})"  # noqa: S608
    if keys:
        grouping = ", ".join(
            "(" + ", ".join([column_alias(dim) for dim in one] + split_key) + ")" for one in sets
        )
        sql += f" GROUP BY GROUPING SETS ({grouping})"
    found = con.execute(sql, params).df()
    if "grouping_id" not in found:
        found["grouping_id"] = 0
    answers = {}
    for request in members:
        filters, dims, _split = request
        i = variants.index(filters)
        own = [d for d in dims if d not in MULTI_DIMENSIONS]
        rolled = sum(1 << (len(columns) - 1 - j) for j, dim in enumerate(columns) if dim not in own)
        part = found[found["grouping_id"] == rolled]
        own_keys = [column_alias(dim) for dim in own] + split_key
        multi = [d for d in dims if d in MULTI_DIMENSIONS]
        order = [column_alias(dim) for dim in dims] + split_key + ["respondents"]
        if not multi:
            if not own_keys:  # one total: a row even when nobody is in it, as a plain sum
                total = part[f"s_{i}"].astype(float).sum(min_count=1) if len(part) else None
                rows = pd.DataFrame({"respondents": [total]}, dtype=float)
            else:
                held = part[part[f"n_{i}"] > 0]
                rows = held[own_keys].assign(respondents=held[f"s_{i}"].astype(float))
            answers[request] = rows[order].reset_index(drop=True)
            continue
        # One row per (row of the set, option with someone in it), option by option.
        kind = multi[0]
        codes = [code for _bit, code in option_bits[kind]]
        present = part[[f"n_{i}_{kind}_{bit}" for bit, _code in option_bits[kind]]].to_numpy() > 0
        sums = part[[f"s_{i}_{kind}_{bit}" for bit, _code in option_bits[kind]]].to_numpy(
            dtype=float
        )
        which_option, which_row = np.nonzero(present.T)  # option by option
        rows = part[own_keys].iloc[which_row].reset_index(drop=True)
        rows[column_alias(kind)] = np.asarray(codes, dtype=object)[which_option]
        rows["respondents"] = sums.T[which_option, which_row]
        answers[request] = rows[order]
    return answers


def _variant_flags(con, variants: list[Filters]) -> tuple[list[str], dict]:
    """Each filter variant's WHERE clause (filtering.where_clause, less the wave) as a flag per
    row: scalar tests on bound lists and bit masks, because the subqueries of a WHERE clause
    became a join per variant when used as a flag (35 s for one scan at 1 M respondents)."""
    flags, params = [], {}
    for i, filters in enumerate(variants):
        parts = []
        for name, column in FILTER_COLUMNS.items():
            if getattr(filters, name):
                parts.append(dialect.list_has(f"v{i}_{name}", column))
                params[f"v{i}_{name}"] = list(getattr(filters, name))
        for name, (kind, mask) in FILTER_MASKS.items():
            if getattr(filters, name):  # any of the chosen options, as where_clause
                parts.append(f"(r.{mask} & $v{i}_{name}) != 0")
                params[f"v{i}_{name}"] = bits(con, kind, tuple(getattr(filters, name)))
        flags.append(" AND ".join(parts) or "true")
    return flags, params


def _option_bits(con, kinds: list[str]) -> dict[str, list[tuple[int, str]]]:
    """(bit, code) of each topic or format option, for the conditional sums."""
    found: dict[str, list[tuple[int, str]]] = {kind: [] for kind in kinds}
    if kinds:
        rows = con.execute(
            f"SELECT kind, bit, code FROM vocabulary WHERE {dialect.in_list('kind', 'k')} "
            "AND bit IS NOT NULL ORDER BY kind, bit",
            {"k": kinds},
        ).fetchall()
        for kind, bit, code in rows:
            found[kind].append((int(bit), code))
    return found


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
                f"NOT NULL AND {dialect.has_bit(f'r.{mask}', f'v_{alias}.bit')}"
            )
            select.append(f"v_{alias}.code AS {alias}")
        else:
            select.append(f"{dim_sql(dim)}::VARCHAR AS {alias}")
    if split in FILTER_COLUMNS:
        select.append(f"{FILTER_COLUMNS[split]}::VARCHAR AS {SPLIT_ALIAS}")
    elif split in FILTER_MASKS:
        kind, mask = FILTER_MASKS[split]
        chosen = dialect.option_mask(kind, "split_chosen")
        joins.append(
            f"JOIN vocabulary v_split ON v_split.kind = '{kind}' AND v_split.bit IS NOT NULL "
            f"AND {dialect.has_bit(f'r.{mask}', 'v_split.bit')} "
            f"AND {dialect.in_list('v_split.code', 'split_chosen')}"
        )
        conditions.append(f"{dialect.bit_count(f'r.{mask} & {chosen}')} = 1")
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
        sql += f" {dialect.GROUP_BY_ALL}"
    return sql, params
