"""Weighted estimates: shares and crossed counts with the raking weights next to the unweighted
ones, with the design effect's interval; cells below k suppressed.

Definitions: docs/DEFINITIONS.md. The weights travel into SQL as bound lists.
"""

from __future__ import annotations

import itertools

import duckdb
import numpy as np
import pandas as pd

from data_pipeline.analysis.area_spread import respondent_source
from data_pipeline.analysis.cells import InvalidInput, resolve_wave
from data_pipeline.analysis.filtering import DIMENSIONS, MULTI_DIMENSIONS, Filters, where_clause
from data_pipeline.analysis.raking import RakeResult, rake
from data_pipeline.analysis.statistics import Z95
from data_pipeline.core import dialect
from data_pipeline.core.disclosure import DEFAULT_K, suppress_table


def _weighted_respondents(con, filters: Filters, rake_result: RakeResult) -> tuple[str, dict]:
    """A CTE `rw` of the filtered respondents with their weight `w`. The cell weights travel as
    bound lists (no registered view to name, share or clean up between threads).

    rw reads the area-spread relation: a respondent known only by a postal code is one row per
    area with `area_w` its share there, and `w` = area_w × that area's cell weight, so its
    weight is the share-weighted mean of its areas' weights. Unweighted counts sum area_w."""
    wave, _ = resolve_wave(con, filters)
    where = where_clause(con, filters, wave)
    source = respondent_source(filters, by_area=True)
    cw = rake_result.cell_weights
    params = {
        **where.params,
        "cw_band": cw["age_band"].astype(str).tolist(),
        "cw_gender": cw["gender"].astype(str).tolist(),
        "cw_area": cw["area"].astype(str).tolist(),
        "cw_weight": cw["weight"].astype(float).tolist(),
    }
    cte = f"""
        cw AS ({
        dialect.list_rows(
            ("cw_band", "age_band"),
            ("cw_gender", "gender"),
            ("cw_area", "area"),
            ("cw_weight", "weight"),
        )
    }),
        rw AS (SELECT r.*, r.area_w * coalesce(cw.weight, 1.0) AS w FROM {source.relation}
               LEFT JOIN cw ON r.age_band = cw.age_band AND r.gender = cw.gender
                           AND r.area_code = cw.area
               WHERE {where.sql})
    """  # noqa: S608
    return cte, params


def _vocab(con, kind: str) -> pd.DataFrame:
    return con.execute(
        "SELECT code, label_da, label_en, bit FROM vocabulary WHERE kind = $k ORDER BY sort_order",
        {"k": kind},
    ).df()


def weighted_shares(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    kind: str,
    rake_result: RakeResult | None = None,
    k: int = DEFAULT_K,
) -> pd.DataFrame:
    """Unweighted and weighted shares of each answer of `kind` (topic, format, time,
    engagement, interest). Topic and format shares are of all respondents (several may be
    picked); the single-choice kinds are shares of those who answered. Cells below k
    respondents are suppressed (NaN)."""
    kind_column = {
        "time": "time_per_month",
        "engagement": "engagement_level",
        "interest": "interest",
    }
    if kind not in (*MULTI_DIMENSIONS, *kind_column):
        raise InvalidInput(f"Ukendt type '{kind}'. / Unknown kind '{kind}'.")
    rake_result = rake_result or rake(con, filters)
    cte, params = _weighted_respondents(con, filters, rake_result)
    vocab = _vocab(con, kind)
    if kind in MULTI_DIMENSIONS:
        column = MULTI_DIMENSIONS[kind][1]
        sums = ", ".join(
            f"sum(r.area_w * ((r.{column} >> {int(b)}) & 1)) AS n{i}, "
            f"sum(r.w * ((r.{column} >> {int(b)}) & 1)) AS w{i}"
            for i, b in enumerate(vocab["bit"])
        )
        row = con.execute(
            f"WITH {cte} SELECT sum(r.area_w), sum(r.w), {sums} FROM rw r",
            params,  # noqa: S608
        ).fetchone()
        total_n, total_w = row[0] or 0.0, row[1] or 0.0
        counts = np.array(row[2::2], dtype=float)
        wsums = np.array([v or 0.0 for v in row[3::2]], dtype=float)
    else:
        grouped = con.execute(
            f"WITH {cte} SELECT r.{kind_column[kind]} AS code, sum(r.area_w) AS n, "  # noqa: S608
            f"sum(r.w) AS w FROM rw r WHERE code IS NOT NULL {dialect.GROUP_BY_ALL}",
            params,
        ).df()
        by_code = grouped.set_index("code")
        counts = vocab["code"].map(by_code["n"]).fillna(0.0).to_numpy(float)
        wsums = vocab["code"].map(by_code["w"]).fillna(0.0).to_numpy(float)
        total_n, total_w = counts.sum(), wsums.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        table = vocab[["code", "label_da", "label_en"]].assign(
            respondents=counts,
            unweighted_share=counts / total_n if total_n else np.nan,
            weighted_share=wsums / total_w if total_w else np.nan,
        )
        # The weighted share's 95 % interval with Kish's design effect: the weights cost
        # precision as if there were n / deff answers.
        deff = rake_result.design_effect
        p = table["weighted_share"].to_numpy(float)
        half = Z95 * np.sqrt(deff * p * (1 - p) / total_n) if total_n else np.nan
        table["weighted_low"] = np.clip(p - half, 0.0, 1.0)
        table["weighted_high"] = np.clip(p + half, 0.0, 1.0)
    table.attrs["design_effect"] = deff
    return suppress_table(
        table,
        "respondents",
        k,
        dependent_columns=("unweighted_share", "weighted_share", "weighted_low", "weighted_high"),
    )


def weighted_counts(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    dims: tuple[str, str],
    rake_result: RakeResult | None = None,
    k: int = DEFAULT_K,
) -> pd.DataFrame:
    """Weighted counts crossed by two dimensions (the names of counting.respondents_by).

    Columns: the dims, respondents (unweighted), weighted. Topic and format are counted
    through the bit masks, so a respondent counts once under each option picked. Cells below
    k respondents are suppressed (NaN)."""
    dims = tuple(dims)
    for d in dims:
        if d not in DIMENSIONS and d not in MULTI_DIMENSIONS:
            raise InvalidInput(f"Ukendt dimension '{d}'. / Unknown dimension '{d}'.")
    rake_result = rake_result or rake(con, filters)
    cte, params = _weighted_respondents(con, filters, rake_result)
    plain = [d for d in dims if d in DIMENSIONS]
    options = [_options(con, d) for d in dims if d in MULTI_DIMENSIONS]
    multi = [d for d in dims if d in MULTI_DIMENSIONS]
    combos = list(itertools.product(*options))
    sums = []
    for i, combo in enumerate(combos):
        indicator = " * ".join(expr for _, expr in combo) or "1"
        sums.append(f"sum(r.area_w * {indicator}) AS n{i}, sum(r.w * {indicator}) AS w{i}")
    select = [f"{DIMENSIONS[d]} AS {d}" for d in plain] + sums
    sql = f"WITH {cte} SELECT {', '.join(select)} FROM rw r"  # noqa: S608
    if plain:
        sql += f" {dialect.GROUP_BY_ALL}"
    wide = con.execute(sql, params).df()
    rows = []
    for _, row in wide.iterrows():
        for i, combo in enumerate(combos):
            entry = {d: row[d] for d in plain}
            entry.update({d: code for d, (code, _) in zip(multi, combo, strict=True)})
            entry.update({"respondents": row[f"n{i}"], "weighted": row[f"w{i}"]})
            rows.append(entry)
    table = pd.DataFrame(rows, columns=[*plain, *multi, "respondents", "weighted"])
    table = table[[*dims, "respondents", "weighted"]]
    table["weighted"] = table["weighted"].astype(float).fillna(0.0)
    return suppress_table(table, "respondents", k, dependent_columns=("weighted",))


def _options(con, dim: str) -> list[tuple[str, str]]:
    kind, column = MULTI_DIMENSIONS[dim]
    vocab = _vocab(con, kind)
    return [
        (code, f"((r.{column} >> {int(bit)}) & 1)")
        for code, bit in zip(vocab["code"], vocab["bit"], strict=True)
        if not pd.isna(bit)
    ]
