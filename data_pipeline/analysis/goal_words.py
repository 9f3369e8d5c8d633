"""Goals in plain words: the goal as a sentence, its status line and figures for Overblik,
and the goals with their status as JSON (the CLI). Never imports streamlit.
"""

from __future__ import annotations

import json

from data_pipeline.analysis.goal_progress import current_status, is_missing
from data_pipeline.analysis.goals import PLATFORM_METRIC, Goal, current_goals, goal_detail
from data_pipeline.core.i18n import number, t


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
    if now["ratio"] is None or is_missing(now["ratio"]):
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
    if now["ratio"] is None or is_missing(now["ratio"]):
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
