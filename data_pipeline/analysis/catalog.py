"""What the database holds, read without a filter: waves, vocabularies, areas, age bands, the
population period and coverage of a wave, extra background columns, and the summary the CLI
prints. Most reads are cached per data version (lookups.per_data_version).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from data_pipeline.analysis.lookups import per_data_version
from data_pipeline.core import dialect


@per_data_version
def postal_spread_respondents(con: duckdb.DuckDBPyConnection, wave: str | None) -> int:
    """Respondents of a wave (the latest when None) known only by a postal code that is in
    postal_area: the ones spread over areas by population share."""
    wave = wave or latest_wave(con)
    if wave is None:
        return 0
    return con.execute(
        "SELECT count(*) FROM respondent WHERE wave_id = $w AND area_code IS NULL "
        "AND postal_code IN (SELECT postal_code FROM postal_area WHERE share > 0)",
        {"w": wave},
    ).fetchone()[0]


@per_data_version
def latest_wave(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "SELECT wave_id FROM survey_wave ORDER BY election_year DESC, wave_id DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


@per_data_version
def previous_wave(con: duckdb.DuckDBPyConnection, wave: str) -> str | None:
    row = con.execute(
        "SELECT wave_id FROM survey_wave WHERE election_year < "
        "(SELECT election_year FROM survey_wave WHERE wave_id = $w) "
        "ORDER BY election_year DESC LIMIT 1",
        {"w": wave},
    ).fetchone()
    return row[0] if row else None


@per_data_version
def waves(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute("SELECT wave_id FROM survey_wave ORDER BY election_year").fetchall()
    ]


@per_data_version
def population_period(con: duckdb.DuckDBPyConnection, wave: str | None) -> str | None:
    """The population count that belongs to a wave: the latest period in its election year
    or before; the earliest period when only later ones exist."""
    if wave is None:
        return None
    row = con.execute(
        "SELECT max(period) FILTER (WHERE try_cast(left(period, 4) AS INTEGER) <= w.year), "
        "min(period) FROM population, "
        "(SELECT coalesce(max(election_year), 9999) AS year FROM survey_wave WHERE wave_id = $w) w",
        {"w": wave},
    ).fetchone()
    if not row or row[1] is None:
        return None
    return row[0] or row[1]


def respondents_by_wave(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT w.wave_id AS wave, count(r.respondent_id) AS respondents FROM survey_wave w "
        f"LEFT JOIN respondent r USING (wave_id) {dialect.GROUP_BY_ALL} "
        "ORDER BY any_value(w.election_year)"
    ).df()


@per_data_version
def vocabulary(con: duckdb.DuckDBPyConnection, kind: str, lang: str = "da") -> pd.DataFrame:
    label = "label_en" if lang == "en" else "label_da"
    return con.execute(
        f"SELECT code, {label} AS label, sort_order FROM vocabulary WHERE kind = $k "  # noqa: S608
        "ORDER BY sort_order",
        {"k": kind},
    ).df()


@per_data_version
def areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT area_code, name FROM area ORDER BY name").df()


def area_geometries(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    return con.execute("SELECT area_code, name, geometry FROM area ORDER BY area_code").fetchall()


@per_data_version
def age_bands(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT label FROM age_band ORDER BY sort_order").fetchall()]


def database_summary(con: duckdb.DuckDBPyConnection) -> dict:
    respondents = dict(
        con.execute(
            "SELECT w.wave_id, count(r.respondent_id) FROM survey_wave w "
            f"LEFT JOIN respondent r USING (wave_id) {dialect.GROUP_BY_ALL} ORDER BY 1"
        ).fetchall()
    )
    population = {
        period: int(total)
        for period, total in con.execute(
            "SELECT period, sum(count) FROM population GROUP BY period ORDER BY period"
        ).fetchall()
    }
    count, min_lon, min_lat, max_lon, max_lat = con.execute(
        "SELECT count(*), min(min_lon), min(min_lat), max(max_lon), max(max_lat) FROM area"
    ).fetchone()
    return {
        "respondents": respondents,
        "population": population,
        "areas": {
            "count": count,
            "bounds": [min_lon, min_lat, max_lon, max_lat] if count else None,
        },
        "postal_codes": con.execute(
            "SELECT count(DISTINCT postal_code) FROM postal_area"
        ).fetchone()[0],
        "platform_activities": con.execute("SELECT count(*) FROM platform_activity").fetchone()[0],
        "batches": con.execute("SELECT count(*) FROM batch WHERE undone_at IS NULL").fetchone()[0],
        "rejected_rows": con.execute(
            "SELECT coalesce(sum(rows_rejected), 0) FROM batch WHERE undone_at IS NULL"
        ).fetchone()[0],
    }


# An extra column is a dimension to cross only when it has few, short answers (education,
# housing); free text (comments, "other") would list what each citizen wrote as a row label.
EXTRA_MAX_OPTIONS = 30
EXTRA_MAX_LABEL = 60


def extra_dimensions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Extra background columns mapped at import (e.g. extra.uddannelse), as dimension names;
    free-text columns (many distinct or long values) are left out."""
    rows = con.execute(
        f"WITH cells AS (SELECT {dialect.json_key_rows('extra')} AS key, extra FROM respondent "
        "WHERE extra IS NOT NULL), answers AS (SELECT key, extra ->> key AS value FROM cells) "
        "SELECT key, count(DISTINCT value), coalesce(max(length(value)), 0) FROM answers "
        "GROUP BY key"
    ).fetchall()
    return sorted(
        f"extra.{key}"
        for key, options, longest in rows
        if key
        and key.replace("_", "").isalnum()
        and options <= EXTRA_MAX_OPTIONS
        and longest <= EXTRA_MAX_LABEL
    )


POPULATION_VARIABLES = ("age", "gender", "area")


def population_coverage(con: duckdb.DuckDBPyConnection, period: str | None) -> dict[str, bool]:
    """Which variables the population of a period holds: {"age", "gender", "area"} -> bool.

    A Statistics Denmark table by area and month only (FOLK1AM) loads with age and gender
    NULL; one by age and sex only (FOLK1A without OMRÅDE) with area NULL. Every rate counts
    citizens aged 15+, so a population without age serves no rate at all."""
    if period is None:
        return dict.fromkeys(POPULATION_VARIABLES, False)
    row = con.execute(
        "SELECT count(age) > 0, count(gender) > 0, count(area_code) > 0 "
        "FROM population WHERE period = $period",
        {"period": period},
    ).fetchone()
    return dict(zip(POPULATION_VARIABLES, (bool(v) for v in row), strict=True))


def population_sources(con: duckdb.DuckDBPyConnection, period: str | None) -> list[str]:
    """The source texts (file names) of the population rows of a period."""
    rows = con.execute(
        "SELECT DISTINCT source FROM population WHERE period = $period AND source IS NOT NULL "
        "ORDER BY source",
        {"period": period},
    ).fetchall()
    return [r[0] for r in rows]


@per_data_version
def wave_respondents(con: duckdb.DuckDBPyConnection, wave: str | None) -> int:
    """Respondents of a wave (the latest when None); 0 for a wave without responses."""
    wave = wave or latest_wave(con)
    if wave is None:
        return 0
    return con.execute(
        "SELECT count(*) FROM respondent WHERE wave_id = $w", {"w": wave}
    ).fetchone()[0]
