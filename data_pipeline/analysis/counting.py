"""The counts the pages show: a Filters value in, a few aggregated rows out.

Respondents and citizens 15+ under a filter, crossed by up to two dimensions, topic × format,
and every question's options in one scan (overview, explore, map). Topics and formats are
counted through the respondent's bit masks, which keeps a crosstab over topics a single scan
(4-16x faster than joining the long tables). By area or under an area filter, respondents
known only by a postal code count with their area shares (area_spread).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from data_pipeline.analysis.area_spread import respondent_source, whole, whole_counts
from data_pipeline.analysis.catalog import latest_wave, population_period
from data_pipeline.analysis.filtering import (
    DIMENSIONS,
    MULTI_DIMENSIONS,
    Filters,
    column_alias,
    dim_sql,
    population_where,
    where_clause,
)
from data_pipeline.core import dialect


def count_respondents(con: duckdb.DuckDBPyConnection, filters: Filters) -> int | float:
    """Respondents under the filter; under an area filter a respondent spread over areas
    counts with its share in the chosen areas (so the count may be fractional)."""
    wave = filters.wave or latest_wave(con)
    where = where_clause(con, filters, wave)
    source = respondent_source(filters)
    sql = f"SELECT {source.count} FROM {source.relation} WHERE {where.sql}"  # noqa: S608
    return whole(con.execute(sql, where.params).fetchone()[0])


def count_population(con: duckdb.DuckDBPyConnection, filters: Filters) -> int | None:
    period = population_period(con, filters.wave or latest_wave(con))
    if period is None:
        return None
    where = population_where(filters)
    sql = (
        "SELECT sum(p.count) FROM population p JOIN age_band b "  # noqa: S608
        f"ON p.age BETWEEN b.min_age AND b.max_age WHERE p.period = $period AND {where.sql}"
    )
    row = con.execute(sql, {"period": period, **where.params}).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def population_by_band_gender(con, filters: Filters) -> pd.DataFrame:
    period = population_period(con, filters.wave or latest_wave(con))
    where = population_where(filters)
    sql = (
        "SELECT b.label AS age_band, any_value(b.sort_order) AS sort_order, p.gender, "  # noqa: S608
        "sum(p.count)::BIGINT AS population FROM population p JOIN age_band b "
        f"ON p.age BETWEEN b.min_age AND b.max_age WHERE p.period = $period AND {where.sql} "
        "GROUP BY b.label, p.gender"
    )
    return con.execute(sql, {"period": period, **where.params}).df()


def respondents_by(con, filters: Filters, dims: tuple[str, ...]) -> pd.DataFrame:
    """Counts crossed by up to two whitelisted dimensions (topic/format via masks).

    By area or under an area filter, respondents known only by a postal code count with their
    area shares (see AREA_SPREAD_RELATION); counts are integers unless such shares occur."""
    wave = filters.wave or latest_wave(con)
    where = where_clause(con, filters, wave)
    source = respondent_source(filters, by_area="area" in dims)
    for dim in dims:
        if dim not in DIMENSIONS and dim not in MULTI_DIMENSIONS and not dim.startswith("extra."):
            raise ValueError(f"Unknown dimension {dim!r}")
    multi = [d for d in dims if d in MULTI_DIMENSIONS]
    plain = [d for d in dims if d not in MULTI_DIMENSIONS]
    select_plain = [f"{dim_sql(d)} AS {column_alias(d)}" for d in plain]
    params = dict(where.params)
    if not multi:
        group = ", ".join(column_alias(d) for d in plain)
        sql = (
            f"SELECT {', '.join(select_plain)}, {source.count} AS respondents "  # noqa: S608
            f"FROM {source.relation} WHERE {where.sql} GROUP BY {group}"
        )
        frame = con.execute(sql, params).df()
        frame["respondents"] = whole_counts(frame["respondents"])
        return frame
    # One topic/format dimension: unpivot the mask's bits with one scan per row group.
    kind, column = MULTI_DIMENSIONS[multi[0]]
    vocab = con.execute(
        "SELECT code, bit FROM vocabulary WHERE kind = $k AND bit IS NOT NULL ORDER BY sort_order",
        {"k": kind},
    ).fetchall()
    sums = ", ".join(
        f"{source.weighted(f'((r.{column} >> {int(bit)}) & 1)::INTEGER')} AS b{int(bit)}"
        for _, bit in vocab
    )
    group = ", ".join(column_alias(d) for d in plain)
    select = ", ".join([*select_plain, sums]) if plain else sums
    sql = f"SELECT {select} FROM {source.relation} WHERE {where.sql}"  # noqa: S608
    if plain:
        sql += f" GROUP BY {group}"
    wide = con.execute(sql, params).df()
    long = wide.melt(
        id_vars=[column_alias(d) for d in plain], var_name="bit", value_name="respondents"
    )
    code_of = {f"b{int(bit)}": code for code, bit in vocab}
    long[column_alias(multi[0])] = long["bit"].map(code_of)
    long = long.drop(columns="bit")
    long["respondents"] = whole_counts(long["respondents"])
    if len(multi) == 2:
        raise ValueError("Cross topic with format through crosstab_multi")
    return long[[column_alias(d) for d in dims] + ["respondents"]]


def population_by(con: duckdb.DuckDBPyConnection, filters: Filters, dim: str) -> pd.DataFrame:
    """Citizens 15+ by one of age_band, gender or area, for the wave's population period."""
    column = {"age_band": "b.label", "gender": "p.gender", "area": "p.area_code"}[dim]
    period = population_period(con, filters.wave or latest_wave(con))
    where = population_where(filters)
    sql = (
        f"SELECT {column} AS {dim}, sum(p.count)::BIGINT AS population "  # noqa: S608
        "FROM population p JOIN age_band b ON p.age BETWEEN b.min_age AND b.max_age "
        f"WHERE p.period = $period AND {where.sql} GROUP BY 1"
    )
    return con.execute(sql, {"period": period, **where.params}).df()


def crosstab_multi(
    con: duckdb.DuckDBPyConnection, filters: Filters, rows: str, cols: str
) -> pd.DataFrame:
    """Topic × format: every pair of bits counted in one scan (with area shares under an
    area filter)."""
    wave = filters.wave or latest_wave(con)
    where = where_clause(con, filters, wave)
    source = respondent_source(filters)
    (kind_r, col_r), (kind_c, col_c) = MULTI_DIMENSIONS[rows], MULTI_DIMENSIONS[cols]
    vocab_r = con.execute(
        "SELECT code, bit FROM vocabulary WHERE kind = $k AND bit IS NOT NULL", {"k": kind_r}
    ).fetchall()
    vocab_c = con.execute(
        "SELECT code, bit FROM vocabulary WHERE kind = $k AND bit IS NOT NULL", {"k": kind_c}
    ).fetchall()
    sums = ", ".join(
        f"{source.count} FILTER (WHERE (r.{col_r} >> {int(br)}) & 1 = 1 "
        f"AND (r.{col_c} >> {int(bc)}) & 1 = 1) AS p_{int(br)}_{int(bc)}"
        for _, br in vocab_r
        for _, bc in vocab_c
    )
    row = con.execute(
        f"SELECT {sums} FROM {source.relation} WHERE {where.sql}",  # noqa: S608
        where.params,
    ).fetchone()
    pairs = [(cr, cc) for cr, _ in vocab_r for cc, _ in vocab_c]
    return pd.DataFrame(
        {
            rows: [p[0] for p in pairs],
            cols: [p[1] for p in pairs],
            "respondents": whole_counts(pd.Series(list(row), dtype=float)),
        }
    )


CHOICE_COLUMNS = {
    "time": "time_per_month",
    "engagement": "engagement_level",
    "interest": "interest",
}


def option_counts(
    con: duckdb.DuckDBPyConnection, filters: Filters
) -> tuple[int, dict[str, pd.DataFrame]]:
    """The total and the count per option of every question, in ONE scan of the respondents.

    The scan groups by the three single-choice answers (a few dozen groups) and sums the
    topic and format bits within each; pandas then adds the groups up per question. Under an
    area filter respondents known only by a postal code count with their share of the chosen
    areas, so the total and the counts may be fractional.
    """
    wave = filters.wave or latest_wave(con)
    where = where_clause(con, filters, wave)
    source = respondent_source(filters)
    vocab = con.execute(
        "SELECT kind, code, bit FROM vocabulary WHERE kind IN ('topic', 'format') "
        "AND bit IS NOT NULL ORDER BY kind, sort_order"
    ).fetchall()
    sums = [
        f"{source.weighted(f'((r.{MULTI_DIMENSIONS[kind][1]} >> {int(bit)}) & 1)::INTEGER')} "
        f"AS b_{kind}_{int(bit)}"
        for kind, _code, bit in vocab
    ]
    choice = ", ".join(f"r.{column} AS {kind}" for kind, column in CHOICE_COLUMNS.items())
    frame = con.execute(
        f"SELECT {choice}, {source.count} AS n, {', '.join(sums)} "  # noqa: S608
        f"FROM {source.relation} WHERE {where.sql} {dialect.GROUP_BY_ALL}",
        where.params,
    ).df()
    total = whole(frame["n"].sum())
    result = {
        kind: pd.DataFrame(
            {
                "code": [code for k, code, _ in vocab if k == kind],
                "respondents": [
                    whole(frame[f"b_{k}_{int(bit)}"].sum()) for k, _c, bit in vocab if k == kind
                ],
            }
        )
        for kind in MULTI_DIMENSIONS
    }
    for kind in CHOICE_COLUMNS:
        counts = frame.groupby(kind, dropna=True)["n"].sum()
        result[kind] = pd.DataFrame(
            {"code": counts.index, "respondents": whole_counts(counts).to_numpy()}
        )
    return total, result
