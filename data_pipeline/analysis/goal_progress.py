"""Whether a goal is getting there: the group's ratio with its 95 % interval in every survey
wave (or among the platform participants), and the status that interval gives against the
target (on track, behind, or not enough data to tell). Never imports streamlit.
"""

from __future__ import annotations

import math

import duckdb
import pandas as pd

from data_pipeline.analysis.catalog import wave_respondents, waves
from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.goals import PLATFORM_METRIC, Goal
from data_pipeline.core.errors import PipelineError

ON_TRACK, BEHIND, UNKNOWN = "on_track", "behind", "unknown"


def status_for(ci_low: float | None, ci_high: float | None, target: float) -> str:
    """On track when the whole 95 % interval lies at or above the target, behind when it lies
    wholly below, otherwise (or without a figure) not enough data to tell."""
    if ci_low is None or ci_high is None or any(map(is_missing, (ci_low, ci_high))):
        return UNKNOWN
    if ci_low >= target:
        return ON_TRACK
    if ci_high < target:
        return BEHIND
    return UNKNOWN


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def progress(con: duckdb.DuckDBPyConnection, goal: Goal) -> pd.DataFrame:
    """The group's ratio with its 95 % interval in every wave that has answers, oldest first;
    a group hidden for too few answers has no figure (and says nothing about the goal)."""
    from data_pipeline.analysis.ratios import representation_table

    if goal.metric == PLATFORM_METRIC:
        return _platform_progress(con, goal)
    rows = []
    for wave in waves(con):
        if not wave_respondents(con, wave):  # a wave announced but not answered yet
            continue
        try:
            table = representation_table(con, Filters(wave=wave), by=(goal.dimension,))
        except PipelineError:  # a wave without answers or without population figures
            continue
        match = table[table[goal.dimension].astype(str) == goal.group_code]
        if match.empty:
            continue
        row = match.iloc[0]
        ratio, low, high = (
            None if is_missing(row[c]) else float(row[c]) for c in ("ratio", "ci_low", "ci_high")
        )
        rows.append(
            {
                "wave": wave,
                "ratio": ratio,
                "ci_low": low,
                "ci_high": high,
                "status": status_for(low, high, goal.target),
            }
        )
    return pd.DataFrame(rows, columns=["wave", "ratio", "ci_low", "ci_high", "status"])


def _platform_progress(con: duckdb.DuckDBPyConnection, goal: Goal) -> pd.DataFrame:
    """The group's ratio among the distinct platform participants (all platforms, all
    activity so far) against the population, with its 95 % interval: one row, labelled by the
    years the activity covers. No activity, or too few participants: no figure."""
    from data_pipeline.analysis.activity import has_activity, participant_representation, platforms

    columns = ["wave", "ratio", "ci_low", "ci_high", "status"]
    if not has_activity(con):
        return pd.DataFrame(columns=columns)
    table = participant_representation(con, goal.dimension)
    if table is None:
        return pd.DataFrame(columns=columns)
    match = table[table[goal.dimension].astype(str) == goal.group_code]
    if match.empty or bool(match.iloc[0]["suppressed"]):
        return pd.DataFrame(columns=columns)
    first, last = con.execute(
        "SELECT year(min(occurred_at)), year(max(occurred_at)) FROM platform_activity"
    ).fetchone()
    years = str(first) if first == last else f"{first}–{last}"
    row = match.iloc[0]
    ratio, low, high = (
        None if is_missing(row[c]) else float(row[c]) for c in ("ratio", "ci_low", "ci_high")
    )
    names = {"govocal": "Go Vocal", "decidim": "Decidim"}
    label = f"{'/'.join(names.get(p, p) for p in platforms(con))} {years}"
    return pd.DataFrame(
        [[label, ratio, low, high, status_for(low, high, goal.target)]], columns=columns
    )


def current_status(con: duckdb.DuckDBPyConnection, goal: Goal) -> dict:
    """The status in the latest wave with answers, with its figures."""
    table = progress(con, goal)
    if table.empty:
        return {"wave": None, "ratio": None, "ci_low": None, "ci_high": None, "status": UNKNOWN}
    return table.iloc[-1].to_dict()
