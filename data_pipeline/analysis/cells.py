"""Cells: respondents and population counted side by side per group, in SQL, for one wave.

Owns the wave and grouping checks (InvalidInput), the respondent and population sides of each
background attribute, the whole-municipality reference rate and the grouping-set scan the gaps
and scores share. Hands back small DataFrames; never pulls raw respondents into pandas, never
publishes a count (suppression happens where a table is finished: ratios.py, gaps.py).
Definitions: docs/DEFINITIONS.md.
"""

from __future__ import annotations

import itertools

import duckdb
import numpy as np
import pandas as pd

from data_pipeline.analysis.area_spread import respondent_source
from data_pipeline.analysis.catalog import (
    latest_wave,
    population_period,
    postal_spread_respondents,
    waves,
)
from data_pipeline.analysis.filtering import Filters, population_where, where_clause
from data_pipeline.analysis.lookups import per_data_version
from data_pipeline.core import dialect
from data_pipeline.core.errors import PipelineError
from data_pipeline.core.i18n import t

BACKGROUND = ("age_band", "gender", "area")
KNOWN_GENDERS = ("kvinde", "mand")

# Respondent side of each background attribute. Unknown values become NULL, so a NULL in a
# grouped column always means "unknown" (GROUPING() tells it from a rolled-up NULL). Gender
# andet/uoplyst is unknown here because the population only counts kvinde and mand. By area,
# r is area_spread.AREA_SPREAD_RELATION: a respondent known only by a postal code that spans
# several areas is one row per area with its population share as area_w, and counts are
# sum(area_w), so that respondent counts fractionally in each area and once in every total.
_RESPONDENT_SQL = {
    "age_band": "r.age_band",
    "gender": "CASE WHEN r.gender IN ('kvinde', 'mand') THEN r.gender END",
    "area": "r.area_code",
}
_POPULATION_SQL = {"age_band": "b.label", "gender": "p.gender", "area": "p.area_code"}


class InvalidInput(PipelineError):
    """A request the data cannot answer (unknown wave, no population): exit code 2."""

    exit_code = 2


def resolve_wave(con: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[str, str]:
    """The wave a filter means and its population period, or a clear bilingual error."""
    known = waves(con)
    wave = filters.wave or latest_wave(con)
    if wave is None:
        raise InvalidInput("Databasen har ingen svar endnu. / The database holds no responses yet.")
    if wave not in known:
        raise InvalidInput(
            f"Ukendt bølge '{wave}'. Kendte bølger: {', '.join(known)}. / "
            f"Unknown wave '{wave}'. Known waves: {', '.join(known)}."
        )
    period = population_period(con, wave)
    if period is None:
        raise InvalidInput(
            "Der er ingen befolkningstal i databasen; indlæs dem først. / "
            "No population figures are loaded; load them first."
        )
    return wave, period


_VARIABLE_WORDS = {
    "age": ("alder", "age", "ALDER"),
    "gender": ("køn", "sex", "KØN"),
    "area": ("område", "area", "OMRÅDE"),
}


def needed_variables(dims) -> tuple[str, ...]:
    """The population variables an analysis by `dims` needs: always age (every rate counts
    citizens aged 15+), plus gender and area when grouped by them."""
    needs = ["age"]
    variable = {"age_band": "age", "gender": "gender", "area": "area"}
    needs += [variable[d] for d in dims if d in variable]
    return tuple(dict.fromkeys(needs))


def require_population(
    con: duckdb.DuckDBPyConnection, filters: Filters, needs: tuple[str, ...], what: str
) -> tuple[str, str]:
    """resolve_wave, then refuse in words when the wave's population lacks a variable the
    analysis needs (instead of computing against a population of 0). `what` names the
    analysis in the message, "da / en"."""
    from data_pipeline.analysis.catalog import population_coverage, population_sources

    wave, period = resolve_wave(con, filters)
    coverage = population_coverage(con, period)
    missing = [v for v in needs if not coverage.get(v)]
    if not missing:
        return wave, period
    files = ", ".join(population_sources(con, period)) or "?"
    da = " og ".join(_VARIABLE_WORDS[v][0] for v in missing)
    en = " and ".join(_VARIABLE_WORDS[v][1] for v in missing)
    columns = ", ".join(_VARIABLE_WORDS[v][2] for v in missing)
    what_da, _, what_en = what.partition(" / ")
    raise InvalidInput(
        f"Befolkningstallene for {period} ({files}) har ingen {da}, så {what_da} kan ikke "
        f"beregnes. Indlæs en tabel fra Danmarks Statistik med {columns} (fx FOLK1A med "
        f"OMRÅDE;ALDER;KØN;TID). / "
        f"The population for {period} ({files}) has no {en}, so {what_en or what_da} cannot be "
        f"computed. Load a Statistics Denmark table with {columns} (e.g. FOLK1A by area, age "
        f"and sex)."
    )


def check_background(by: tuple[str, ...]) -> tuple[str, ...]:
    by = tuple(by)
    unknown = [d for d in by if d not in BACKGROUND]
    if unknown or len(set(by)) != len(by):
        raise InvalidInput(
            f"Ugyldig gruppering {by!r}; brug {', '.join(BACKGROUND)}. / "
            f"Invalid grouping {by!r}; use {', '.join(BACKGROUND)}."
        )
    return by


@per_data_version
def area_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT area_code, name FROM area").fetchall())


def _respondent_counts(con, filters: Filters, wave: str, by: tuple[str, ...]) -> pd.DataFrame:
    """Respondents per cell of `by`; cells with an unknown attribute hold NULLs. By area (or
    under an area filter) a postal-only respondent counts with its share in each area."""
    where = where_clause(con, filters, wave)
    source = respondent_source(filters, by_area="area" in by)
    select = [f"{_RESPONDENT_SQL[d]} AS {d}" for d in by]
    sql = (
        f"SELECT {', '.join([*select, f'{source.count}::DOUBLE AS respondents'])} "  # noqa: S608
        f"FROM {source.relation} WHERE {where.sql}"
    )
    if by:
        sql += f" {dialect.GROUP_BY_ALL}"
    return con.execute(sql, where.params).df()


def _population_counts(con, filters: Filters, period: str, by: tuple[str, ...]) -> pd.DataFrame:
    where = population_where(filters)
    select = [f"{_POPULATION_SQL[d]} AS {d}" for d in by]
    sql = (
        f"SELECT {', '.join([*select, 'sum(p.count)::DOUBLE AS population'])} "  # noqa: S608
        "FROM population p JOIN age_band b ON p.age BETWEEN b.min_age AND b.max_age "
        f"WHERE p.period = $period AND {where.sql}"
    )
    if by:
        sql += f" {dialect.GROUP_BY_ALL}"
    frame = con.execute(sql, {"period": period, **where.params}).df()
    return frame.dropna(subset=list(by)) if by else frame.fillna({"population": 0.0})


def cell_counts(
    con, filters: Filters, wave: str, period: str, by: tuple[str, ...]
) -> tuple[pd.DataFrame, int]:
    """Respondents and population side by side per cell, and how many respondents had an
    unknown attribute (left out of every cell)."""
    resp = _respondent_counts(con, filters, wave, by)
    pop = _population_counts(con, filters, period, by)
    if not by:
        cells = pd.DataFrame(
            {
                "respondents": [float(resp["respondents"].sum())],
                "population": [float(pop["population"].sum())],
            }
        )
        return cells, 0
    unknown = resp[list(by)].isna().any(axis=1)
    # A spread respondent's rows share every attribute but the area, so its shares add up to 1.
    excluded = int(round(resp.loc[unknown, "respondents"].sum()))
    resp = resp.loc[~unknown]
    for frame in (resp, pop):
        for d in by:
            frame[d] = frame[d].astype(object)
    cells = resp.merge(pop, on=list(by), how="outer")
    cells[["respondents", "population"]] = (
        cells[["respondents", "population"]].astype(float).fillna(0.0)
    )
    return cells, excluded


def demographic_free(filters: Filters) -> Filters:
    """The filter without age, gender and area: the whole municipality that ratios compare
    with (topic, format and time filters narrow the answers on both sides alike)."""
    return filters.replace(age_bands=(), genders=(), areas=())


def has_demographic_filter(filters: Filters) -> bool:
    return bool(filters.age_bands or filters.genders or filters.areas)


def reference_rate(con, filters: Filters, wave: str, period: str, by: tuple[str, ...]) -> float:
    """The whole municipality's rate for a grouping by `by`: respondents with those attributes
    known / population 15+, ignoring any age, gender or area filter."""
    cells, _ = cell_counts(con, demographic_free(filters), wave, period, by)
    pop = float(cells["population"].sum())
    return float(cells["respondents"].sum()) / pop if pop > 0 else np.nan


def postal_note(con, filters: Filters, wave: str, dims) -> dict:
    """What an analysis says about respondents spread over areas by postal code: their number
    in the wave and the note in both languages, when the analysis is by area or under an area
    filter and the wave has such respondents; else {"postal_spread": 0}."""
    if "area" not in tuple(dims) and not filters.areas:
        return {"postal_spread": 0}
    n = postal_spread_respondents(con, wave)
    if not n:
        return {"postal_spread": 0}
    return {
        "postal_spread": n,
        "note_da": t("postal.spread_note", "da"),
        "note_en": t("postal.spread_note", "en"),
    }


def grouping_cells(con, filters: Filters, dims: tuple[str, ...] = BACKGROUND) -> pd.DataFrame:
    """Respondents and population for every combination of `dims`, from one scan each; pass
    the result to scores() and find_gaps() (same dims) to avoid scanning again."""
    dims = check_background(dims)
    wave, period = resolve_wave(con, filters)
    return grouping_set_cells(con, filters, wave, period, dims)


def cells_for(cells: pd.DataFrame, dims: tuple[str, ...]) -> pd.DataFrame:
    """The cells of grouping_cells() (every BACKGROUND combination) that a query over `dims`
    alone would return: the grouping sets that roll up every other attribute, numbered as
    GROUPING(dims) numbers them. Under a filter that fixes one value the page needs both,
    and this saves the second scan."""
    dims = check_background(dims)
    if dims == BACKGROUND:
        return cells
    n = len(BACKGROUND)
    gid = cells["gid"].to_numpy()
    bit = {d: (gid >> (n - 1 - i)) & 1 for i, d in enumerate(BACKGROUND)}
    rolled_up = np.ones(len(cells), dtype=bool)
    for d in BACKGROUND:
        if d not in dims:
            rolled_up &= bit[d] == 1
    renumbered = sum(bit[d] << (len(dims) - 1 - j) for j, d in enumerate(dims))
    subset = cells.assign(gid=renumbered)[rolled_up]
    return subset[["gid", *dims, "respondents", "population"]].reset_index(drop=True)


def grouping_set_cells(con, filters, wave, period, dims) -> pd.DataFrame:
    sets = [c for size in (1, 2, 3) for c in itertools.combinations(dims, size)]
    grouping = ", ".join(f"({', '.join(s)})" for s in sets)
    cols = ", ".join(dims)
    rwhere = where_clause(con, filters, wave)
    pwhere = population_where(filters)
    source = respondent_source(filters, by_area="area" in dims)
    weight = "r.area_w" if source.spread else "1.0"
    resp_cols = ", ".join(f"{_RESPONDENT_SQL[d]} AS {d}" for d in dims)
    pop_cols = ", ".join(f"{_POPULATION_SQL[d]} AS {d}" for d in dims)
    joined = " AND ".join(f"x.{d} IS NOT DISTINCT FROM y.{d}" for d in dims)
    sql = f"""
        WITH r AS (SELECT {resp_cols}, {weight}::DOUBLE AS area_w
                   FROM {source.relation} WHERE {rwhere.sql}),
        p AS (SELECT {pop_cols}, p.count FROM population p JOIN age_band b
              ON p.age BETWEEN b.min_age AND b.max_age
              WHERE p.period = $period AND {pwhere.sql}),
        x AS (SELECT GROUPING({cols}) AS gid, {cols}, sum(area_w) AS respondents
              FROM r GROUP BY GROUPING SETS ({grouping})),
        y AS (SELECT GROUPING({cols}) AS gid, {cols}, sum(count)::DOUBLE AS population
              FROM p GROUP BY GROUPING SETS ({grouping}))
        SELECT coalesce(x.gid, y.gid) AS gid,
               {", ".join(f"coalesce(x.{d}, y.{d}) AS {d}" for d in dims)},
               coalesce(x.respondents, 0)::DOUBLE AS respondents,
               coalesce(y.population, 0)::DOUBLE AS population
        FROM x FULL OUTER JOIN y ON x.gid = y.gid AND {joined}
    """  # noqa: S608 - identifiers come from the BACKGROUND whitelist
    cells = con.execute(sql, {"period": period, **rwhere.params, **pwhere.params}).df()
    # GROUPING() sets the bit of a rolled-up column; the first column is the highest bit.
    n = len(dims)
    keep = pd.Series(True, index=cells.index)
    for i, d in enumerate(dims):
        grouped = (cells["gid"].to_numpy() >> (n - 1 - i)) & 1 == 0
        keep &= ~(grouped & cells[d].isna().to_numpy())
    return cells[keep]
