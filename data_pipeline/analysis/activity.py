"""Platform activity for the Aktivitet page: activity over time, and who takes part.

Aggregates in SQL (a few dozen rows per chart). Participants are distinct pseudonymous users;
their demographics are compared with the population through statistics.add_statistics,
and small cells are suppressed exactly as for the survey. Never returns a user_key.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from data_pipeline.analysis.statistics import add_statistics
from data_pipeline.core import dialect
from data_pipeline.core.disclosure import DEFAULT_K, check_k, suppress_table

GROUPS = {
    "platform": "platform",
    "project": "coalesce(project, '–')",
    "topic": "coalesce(trim(t.topic), '–')",
    "kind": "kind",
}
MIN_AGE = 15
# A topic cell may hold several topics ("Klima, Trafik"): one row per topic.
TOPIC_PARTS = dialect.split_rows("coalesce(topic, '–')", ", ")
DIMENSIONS = {
    "age_band": ("b.label", "b.label"),
    "gender": ("CASE WHEN a.gender IN ('kvinde', 'mand') THEN a.gender END", "p.gender"),
    "area": ("a.area_code", "p.area_code"),
}


def has_activity(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) > 0 FROM platform_activity").fetchone()[0]


def platforms(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute("SELECT DISTINCT platform FROM platform_activity ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def platforms_with_activity(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The platforms to choose from on the Aktivitet page; none when nothing is loaded."""
    return platforms(con) if has_activity(con) else []


def activity_over_time(
    con: duckdb.DuckDBPyConnection,
    by: str = "platform",
    platform: str | None = None,
    top: int = 8,
) -> pd.DataFrame:
    """Activities and distinct participants per month and group; small groups become "other".

    A topic cell may hold several topics ("Klima, Trafik"): each counts once per topic.
    """
    if by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)}")
    source = (
        f"(SELECT *, {TOPIC_PARTS} AS topic_one "
        "FROM platform_activity) a, (SELECT a.topic_one AS topic) t"
        if by == "topic"
        else "platform_activity a"
    )
    group = GROUPS[by].replace("project", "a.project") if by == "project" else GROUPS[by]
    sql = f"""
        WITH base AS (
            SELECT date_trunc('month', a.occurred_at)::DATE AS month, {group} AS grp, a.user_key
            FROM {source}
            WHERE a.occurred_at IS NOT NULL AND ($platform IS NULL OR a.platform = $platform)
        ),
        ranked AS (
            SELECT grp, row_number() OVER (ORDER BY count(*) DESC, grp) AS rank
            FROM base GROUP BY grp
        )
        SELECT month, CASE WHEN rank <= $top THEN grp ELSE NULL END AS grp,
               count(*) AS activities, count(DISTINCT user_key) AS participants
        FROM base JOIN ranked USING (grp)
        {dialect.GROUP_BY_ALL} ORDER BY month, grp
    """  # noqa: S608 - group and source come from the GROUPS whitelist
    frame = con.execute(sql, {"platform": platform, "top": top}).df()
    frame["group"] = frame.pop("grp")
    return frame


def latest_period(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "SELECT period FROM population WHERE age IS NOT NULL ORDER BY period DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def participant_representation(
    con: duckdb.DuckDBPyConnection,
    dim: str = "age_band",
    platform: str | None = None,
    period: str | None = None,
    k: int = DEFAULT_K,
) -> pd.DataFrame | None:
    """Distinct participants (15+) against the population per age band, gender or area.

    The same statistics as the survey (rate, ratio with its Wilson interval, missing voices,
    status), with cells below k participants suppressed. None without a population.
    """
    k = check_k(k)
    if dim not in DIMENSIONS:
        raise ValueError(f"dim must be one of {', '.join(DIMENSIONS)}")
    period = period or latest_period(con)
    if period is None:
        return None
    users_expr, pop_expr = DIMENSIONS[dim]
    # One row per participant: their latest known attributes across activities.
    participants = con.execute(
        f"""
        WITH people AS (
            SELECT user_key, {dialect.latest("age", "occurred_at")} AS age,
                   {dialect.latest("gender", "occurred_at")} AS gender,
                   {dialect.latest("area_code", "occurred_at")} AS area_code
            FROM platform_activity
            WHERE user_key IS NOT NULL AND user_key <> ''
              AND ($platform IS NULL OR platform = $platform)
            GROUP BY user_key
        )
        SELECT {users_expr} AS cell, count(*) AS respondents
        FROM people a LEFT JOIN age_band b ON a.age BETWEEN b.min_age AND b.max_age
        WHERE a.age IS NULL OR a.age >= $min_age
        {dialect.GROUP_BY_ALL}
        """,  # noqa: S608 - expressions come from the DIMENSIONS whitelist
        {"platform": platform, "min_age": MIN_AGE},
    ).df()
    population = con.execute(
        f"""
        SELECT {pop_expr} AS cell, sum(p.count)::DOUBLE AS population
        FROM population p JOIN age_band b ON p.age BETWEEN b.min_age AND b.max_age
        WHERE p.period = $period AND p.age >= $min_age
        {dialect.GROUP_BY_ALL}
        """,  # noqa: S608
        {"period": period, "min_age": MIN_AGE},
    ).df()
    unknown = participants["cell"].isna()
    excluded = int(participants.loc[unknown, "respondents"].sum())
    cells = participants.loc[~unknown].merge(population.dropna(), on="cell", how="outer")
    cells[["respondents", "population"]] = cells[["respondents", "population"]].fillna(0.0)
    table = add_statistics(cells.astype({"respondents": float}), k=k)
    table = suppress_table(
        table,
        "respondents",
        k,
        dependent_columns=("rate", "ratio", "ci_low", "ci_high", "missing_voices"),
    )
    table = table.rename(columns={"respondents": "participants", "cell": dim})
    table.attrs.update({"excluded": excluded, "period": period})
    return table.sort_values(dim).reset_index(drop=True)
