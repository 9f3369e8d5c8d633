"""The goals' status lines on Overblik (issue 17), what the Mål page reads and saves, and the
target typed as a Danish decimal ("0,80").

Reads through the snapshot cursor and writes through data.with_writer; the goal table lives in
data_pipeline.analysis.goals, the words in goal_words, the status rule in goal_progress.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import streamlit as st

import data_pipeline.analysis.goal_progress as goal_progress
import data_pipeline.analysis.goal_words as goal_words
from app_support import data
from data_pipeline.analysis import goals
from data_pipeline.core.i18n import number, t

TARGET_RANGE = (0.05, 5.0)
# A decimal as the reader writes it: Danish "1.234,5" / "0,8", English "1,234.5" / "0.8".
DECIMAL = {
    "da": (re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?"), ".", ","),
    "en": (re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?"), ",", "."),
}

# Streamlit badges, not emoji: the municipal PCs' fonts may lack emoji.
COLOUR = {
    goal_progress.ON_TRACK: "green",
    goal_progress.BEHIND: "red",
    goal_progress.UNKNOWN: "gray",
}


def badge(status: str, lang: str) -> str:
    return f":{COLOUR[status]}-badge[{t(f'goals.status.{status}', lang)}]"


def status_lines(lang: str) -> None:
    lines = data.with_cursor(goal_words.status_lines, lang)
    if not lines:
        return
    st.subheader(t("goals.overview", lang))
    st.markdown("\n".join(f"- {badge(status, lang)} {line}" for status, line in lines))


def target_text(value: float, lang: str) -> str:
    """A target as the input shows it: 0.8 -> "0,80" (da) / "0.80" (en)."""
    return number(value, lang, 2)


def parse_target(text: str | None, lang: str) -> float:
    """The typed target read with the reader's decimal rules, within TARGET_RANGE; a ValueError
    whose message is the sentence to show otherwise ("0.8" is not a Danish decimal)."""
    pattern, grouping, decimal = DECIMAL["en" if lang == "en" else "da"]
    cleaned = re.sub(r"\s", "", text or "")
    low, high = TARGET_RANGE
    if pattern.fullmatch(cleaned):
        value = float(cleaned.replace(grouping, "").replace(decimal, "."))
        if low <= value <= high:
            return value
    raise ValueError(
        t("goals.target_invalid", lang, low=number(low, lang, 2), high=number(high, lang, 0))
    )


@dataclass
class GoalsView:
    """What the Mål page draws: the goals followed now with sentence, status and progress table,
    and every version ever set with its sentence."""

    followed: list
    shown: list  # (goal, sentence, current status, progress table)
    history: list
    said: list[str]
    sentences: dict


def goals_view(con, lang: str) -> GoalsView:
    followed = goals.current_goals(con)
    shown = []
    for goal in followed:
        table = goal_progress.progress(con, goal)
        now = goal_progress.current_status(con, goal)
        shown.append((goal, goal_words.goal_sentence(con, goal, lang), now, table))
    history = goals.goal_history(con)
    said = [
        goal_words.goal_sentence(con, g, lang)
        + (f" {t('goals.retired', lang)}" if g.retired else "")
        for g in history
    ]
    sentences = {g.goal_id: goal_words.goal_sentence(con, g, lang) for g in followed}
    return GoalsView(followed, shown, history, said, sentences)


def progress_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("goals.col.wave", lang): table["wave"],
            t("goals.col.ratio", lang): [number(v, lang, 2) for v in table["ratio"]],
            t("goals.col.interval", lang): [
                f"{number(lo, lang, 2)}–{number(hi, lang, 2)}"
                for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)
            ],
            t("goals.col.status", lang): [t(f"goals.status.{s}", lang) for s in table["status"]],
        }
    )


def history_table(view: GoalsView, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("goals.which", lang): [g.goal_id for g in view.history],
            t("goals.col.version", lang): [g.version for g in view.history],
            t("goals.col.set_at", lang): [
                g.set_at.strftime("%d.%m.%Y %H:%M") for g in view.history
            ],
            t("goals.col.set_by", lang): [g.set_by for g in view.history],
            t("goals.col.goal", lang): view.said,
        }
    )
