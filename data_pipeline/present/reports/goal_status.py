"""The council report's page "Status på målene": every followed goal with its latest status
(goals are stored in analysis.goals, judged in analysis.goal_progress; this only lays them out)."""

from __future__ import annotations

import duckdb

from data_pipeline.analysis.goal_progress import current_status
from data_pipeline.analysis.goal_words import goal_sentence, status_line
from data_pipeline.analysis.goals import current_goals
from data_pipeline.core.i18n import t
from data_pipeline.present.reports.model import Column, Section, Table


def report_sections(con: duckdb.DuckDBPyConnection, lang: str = "da") -> list:
    """One page "Status på målene" for the council report; nothing when no goal is followed."""
    followed = current_goals(con)
    if not followed:
        return []
    items, rows = [], []
    for goal in followed:
        now = current_status(con, goal)
        sentence = goal_sentence(con, goal, lang)
        items.append(
            (t(f"goals.status.{now['status']}", lang).capitalize(), status_line(con, goal, lang))
        )
        rows.append(
            [
                sentence,
                now["wave"],
                now["ratio"],
                now["ci_low"],
                now["ci_high"],
                t(f"goals.status.{now['status']}", lang),
                f"{goal.set_by}, {goal.set_at:%d.%m.%Y}",
            ]
        )
    table = Table(
        sheet=t("goals.sheet", lang),
        title=t("goals.report_title", lang),
        columns=[
            Column(t("goals.col.goal", lang)),
            Column(t("goals.col.wave", lang)),
            Column(t("goals.col.ratio", lang), "ratio"),
            Column(t("goals.col.low", lang), "ratio"),
            Column(t("goals.col.high", lang), "ratio"),
            Column(t("goals.col.status", lang)),
            Column(t("goals.col.set", lang)),
        ],
        rows=rows,
    )
    return [
        Section(
            key="goals",
            title=t("goals.report_title", lang),
            lead=t("goals.lead", lang),
            items=items,
            tables=[table],
        )
    ]
