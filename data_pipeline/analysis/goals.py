"""Goals for the term (issue 17): what the director wants by when, and whether we are getting there.

Owns the versioned goal table (a change appends a version; nothing is overwritten), the goal in
plain words and its progress over the survey waves with 95 % intervals. A goal is a group's
representation ratio (its share of the respondents against its share of the population; for an
area that is its response rate against the municipality's) of at least a target by a year.
Never imports streamlit.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd

from data_pipeline.analysis.catalog import wave_respondents, waves
from data_pipeline.analysis.filtering import Filters
from data_pipeline.core.errors import PipelineError
from data_pipeline.core.i18n import number, t
from data_pipeline.privacy.roles import Principal, require_role
from data_pipeline.store.db import audit, transaction

DIMENSIONS = ("age_band", "gender", "area")
METRIC = "ratio"
# A goal's channel: the survey waves (representation among respondents) or the participation
# platforms (distinct Go Vocal and Decidim participants against the population).
PLATFORM_METRIC = "platform_ratio"
CHANNELS = {"survey": METRIC, "platforms": PLATFORM_METRIC}
ON_TRACK, BEHIND, UNKNOWN = "on_track", "behind", "unknown"


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
        "gender": "SELECT unnest(['kvinde', 'mand'])",
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
        f"SELECT {_COLUMNS} FROM goal QUALIFY version = max(version) OVER (PARTITION BY goal_id) "  # noqa: S608
        "ORDER BY goal_id"
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


# --- progress -------------------------------------------------------------------------------


def status_for(ci_low: float | None, ci_high: float | None, target: float) -> str:
    """On track when the whole 95 % interval lies at or above the target, behind when it lies
    wholly below, otherwise (or without a figure) not enough data to tell."""
    if ci_low is None or ci_high is None or any(map(_missing, (ci_low, ci_high))):
        return UNKNOWN
    if ci_low >= target:
        return ON_TRACK
    if ci_high < target:
        return BEHIND
    return UNKNOWN


def _missing(value) -> bool:
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
            None if _missing(row[c]) else float(row[c]) for c in ("ratio", "ci_low", "ci_high")
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
        None if _missing(row[c]) else float(row[c]) for c in ("ratio", "ci_low", "ci_high")
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


# --- words ----------------------------------------------------------------------------------


def group_name(con, goal: Goal, lang: str = "da") -> str:
    from data_pipeline.core.group_words import group_words

    areas = dict(con.execute("SELECT area_code, name FROM area").fetchall())
    if goal.dimension == "area":
        return t("goals.group_area", lang, area=areas.get(goal.group_code, goal.group_code))
    return group_words(goal.dimension, goal.group_code, lang, areas)


def goal_sentence(con, goal: Goal, lang: str = "da") -> str:
    """'18–24-årige skal udgøre mindst 0,80 af deres andel blandt deltagerne inden 2029.'"""
    group = group_name(con, goal, lang)
    if goal.metric == PLATFORM_METRIC:
        from data_pipeline.core.group_words import group_words

        areas = dict(con.execute("SELECT area_code, name FROM area").fetchall())
        group = group_words(goal.dimension, goal.group_code, lang, areas)
        text = t(
            "goals.sentence_platform",
            lang,
            group=group,
            target=number(goal.target, lang, 2),
            year=goal.due_year,
        )
        return text[:1].upper() + text[1:]
    if goal.dimension == "area" and goal.target >= 1:
        key = "goals.sentence_area_level" if goal.target == 1 else "goals.sentence_area"
    else:
        key = "goals.sentence_area" if goal.dimension == "area" else "goals.sentence"
    text = t(key, lang, group=group, target=number(goal.target, lang, 2), year=goal.due_year)
    return text[:1].upper() + text[1:]


def status_line(con, goal: Goal, lang: str = "da") -> str:
    """One short line for Overblik: the goal, its status and the latest figure."""
    now = current_status(con, goal)
    status = t(f"goals.status.{now['status']}", lang)
    if now["ratio"] is None or _missing(now["ratio"]):
        return t("goals.line_empty", lang, goal=goal_sentence(con, goal, lang), status=status)
    return t(
        "goals.line",
        lang,
        goal=goal_sentence(con, goal, lang),
        status=status,
        ratio=number(now["ratio"], lang, 2),
        low=number(now["ci_low"], lang, 2),
        high=number(now["ci_high"], lang, 2),
        wave=now["wave"],
    )


def figures_text(now: dict, lang: str = "da") -> str:
    """'0,95; 95 %: 0,88–1,01, bølge 2025', or '' without a figure."""
    if now["ratio"] is None or _missing(now["ratio"]):
        return ""
    return t(
        "goals.figures",
        lang,
        ratio=number(now["ratio"], lang, 2),
        low=number(now["ci_low"], lang, 2),
        high=number(now["ci_high"], lang, 2),
        wave=now["wave"],
    )


def status_lines(con, lang: str = "da") -> list[tuple[str, str]]:
    """(status, 'goal (figures)') for every goal followed: what Overblik shows with a badge."""
    lines = []
    for goal in current_goals(con):
        now = current_status(con, goal)
        figures = figures_text(now, lang)
        sentence = goal_sentence(con, goal, lang)
        line = f"{sentence.rstrip('.')} ({figures})." if figures else sentence
        lines.append((now["status"], line))
    return lines


def goals_json(con, lang: str = "da") -> list[dict]:
    out = []
    for g in current_goals(con):
        now = current_status(con, g)
        out.append(
            {
                **goal_detail(g),
                "set_at": g.set_at.isoformat(timespec="seconds"),
                "set_by": g.set_by,
                "note": g.note,
                "sentence": goal_sentence(con, g, lang),
                **{k: now[k] for k in ("wave", "ratio", "ci_low", "ci_high", "status")},
            }
        )
    return json.loads(json.dumps(out, default=str))


# --- the council report's "Status på målene" ------------------------------------------------
