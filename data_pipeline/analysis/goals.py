"""Goals for the term (issue 17): what the director wants by when, stored with every version.

Owns the versioned goal table (a change appends a version; nothing is overwritten): checking,
setting and retiring a goal, and reading the goals followed and their history. A goal is a
group's representation ratio (its share of the respondents against its share of the
population; for an area that is its response rate against the municipality's) of at least a
target by a year, measured in the survey waves or on the participation platforms. Progress is
measured in goal_progress, and said in words in goal_words. Never imports streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from data_pipeline.core.errors import PipelineError
from data_pipeline.privacy.roles import Principal, require_role
from data_pipeline.store.db import audit, transaction

DIMENSIONS = ("age_band", "gender", "area")
METRIC = "ratio"
# A goal's channel: the survey waves (representation among respondents) or the participation
# platforms (distinct Go Vocal and Decidim participants against the population).
PLATFORM_METRIC = "platform_ratio"
CHANNELS = {"survey": METRIC, "platforms": PLATFORM_METRIC}


class InvalidGoal(PipelineError):
    exit_code = 2


@dataclass(frozen=True)
class Goal:
    goal_id: int
    version: int
    set_at: datetime
    set_by: str
    dimension: str
    group_code: str
    target: float
    due_year: int
    note: str | None = None
    retired: bool = False
    metric: str = METRIC


def _check(con, dimension: str, group_code: str, target: float, due_year: int) -> None:
    if dimension not in DIMENSIONS:
        raise InvalidGoal(
            f"Et mål gælder alder, køn eller område (age_band, gender, area), ikke '{dimension}'. "
            f"/ A goal is for age_band, gender or area, not '{dimension}'."
        )
    known = {
        "age_band": "SELECT label FROM age_band",
        "gender": "SELECT * FROM (VALUES ('kvinde'), ('mand'))",
        "area": "SELECT area_code FROM area",
    }[dimension]
    if group_code not in {r[0] for r in con.execute(known).fetchall()}:
        raise InvalidGoal(
            f"Ukendt gruppe '{group_code}' for {dimension}. / Unknown group '{group_code}'."
        )
    if not (isinstance(target, int | float) and math.isfinite(target) and 0 < target <= 5):
        raise InvalidGoal("Målet skal være et tal mellem 0 og 5. / The target must be in (0, 5].")
    if not 2000 <= int(due_year) <= 2100:
        raise InvalidGoal("Årstallet skal ligge mellem 2000 og 2100. / Year must be 2000-2100.")


def set_goal(
    con: duckdb.DuckDBPyConnection,
    principal: Principal,
    dimension: str,
    group_code: str,
    target: float,
    due_year: int,
    note: str | None = None,
    goal_id: int | None = None,
    channel: str | None = None,
) -> Goal:
    """A new goal, or (with goal_id) a new version of one: the old version stays as history.
    `channel` is 'survey' (the default for a new goal) or 'platforms'; a new version keeps
    the channel of the last one unless another is given."""
    require_role(principal, "set_goal")
    _check(con, dimension, group_code, float(target), int(due_year))
    if channel is not None and channel not in CHANNELS:
        raise InvalidGoal(
            f"Kanalen skal være survey eller platforms, ikke '{channel}'. / "
            f"The channel must be survey or platforms, not '{channel}'."
        )
    now = datetime.now(UTC).replace(tzinfo=None)
    with transaction(con):
        if goal_id is None:
            goal_id = con.execute("SELECT coalesce(max(goal_id), 0) + 1 FROM goal").fetchone()[0]
            version = 1
        else:
            version = con.execute(
                "SELECT max(version) FROM goal WHERE goal_id = $g", {"g": int(goal_id)}
            ).fetchone()[0]
            if version is None:
                raise InvalidGoal(f"Mål {goal_id} findes ikke. / Goal {goal_id} does not exist.")
            version += 1
        if channel is None and version > 1:
            metric = con.execute(
                "SELECT metric FROM goal WHERE goal_id = $g AND version = $v",
                {"g": int(goal_id), "v": version - 1},
            ).fetchone()[0]
        else:
            metric = CHANNELS[channel or "survey"]
        goal = Goal(
            int(goal_id), version, now, principal.actor, dimension, group_code,
            float(target), int(due_year), (note or "").strip()[:300] or None, False, metric,
        )  # fmt: skip
        _insert(con, goal)
        audit(con, principal.actor, "set_goal", goal_detail(goal))
    return goal


def retire_goal(con: duckdb.DuckDBPyConnection, principal: Principal, goal_id: int) -> Goal:
    """Stop following a goal: a last version marked retired (the history stays)."""
    require_role(principal, "set_goal")
    history = goal_history(con, goal_id)
    if not history:
        raise InvalidGoal(f"Mål {goal_id} findes ikke. / Goal {goal_id} does not exist.")
    last = history[-1]
    now = datetime.now(UTC).replace(tzinfo=None)
    retired = Goal(**{**last.__dict__, "version": last.version + 1, "set_at": now,
                      "set_by": principal.actor, "retired": True})  # fmt: skip
    with transaction(con):
        _insert(con, retired)
        audit(con, principal.actor, "retire_goal", goal_detail(retired))
    return retired


def _insert(con, goal: Goal) -> None:
    con.execute(
        "INSERT INTO goal VALUES ($id, $v, $at, $by, $metric, $dim, $grp, $target, $year, "
        "$note, $retired)",
        {
            "id": goal.goal_id,
            "v": goal.version,
            "at": goal.set_at,
            "by": goal.set_by,
            "metric": goal.metric,
            "dim": goal.dimension,
            "grp": goal.group_code,
            "target": goal.target,
            "year": goal.due_year,
            "note": goal.note,
            "retired": goal.retired,
        },
    )


def channel_of(goal: Goal) -> str:
    """'survey' or 'platforms': where the goal is measured."""
    return "platforms" if goal.metric == PLATFORM_METRIC else "survey"


def goal_detail(goal: Goal) -> dict:
    return {
        "goal_id": goal.goal_id,
        "version": goal.version,
        "dimension": goal.dimension,
        "group": goal.group_code,
        "target": goal.target,
        "due_year": goal.due_year,
        "retired": goal.retired,
        "channel": channel_of(goal),
    }


_COLUMNS = (
    "goal_id, version, set_at, set_by, dimension, group_code, target, due_year, note, retired, "
    "metric"
)


def _goals(rows) -> list[Goal]:
    return [Goal(*row) for row in rows]


def has_goal_table(con: duckdb.DuckDBPyConnection) -> bool:
    """A database not yet migrated to version 3 (read through an old snapshot) has no goals."""
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'goal' "
            "AND database_name = current_database()"
        ).fetchone()[0]
    )


def current_goals(con: duckdb.DuckDBPyConnection) -> list[Goal]:
    """The latest version of every goal still followed, in the order they were first set."""
    if not has_goal_table(con):
        return []
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM (SELECT *, max(version) OVER (PARTITION BY goal_id) AS newest "  # noqa: S608
        "FROM goal) WHERE version = newest ORDER BY goal_id"
    ).fetchall()
    return [g for g in _goals(rows) if not g.retired]


def goal_history(con: duckdb.DuckDBPyConnection, goal_id: int | None = None) -> list[Goal]:
    """Every version (of one goal, or of all), oldest first."""
    if not has_goal_table(con):
        return []
    sql = f"SELECT {_COLUMNS} FROM goal"  # noqa: S608
    params = {}
    if goal_id is not None:
        sql += " WHERE goal_id = $g"
        params["g"] = int(goal_id)
    return _goals(con.execute(sql + " ORDER BY goal_id, version", params).fetchall())
