"""The goals' status lines on Overblik (issue 17): one short line per goal, nothing when none.

Reads through the page's snapshot cursor; the words live in
data_pipeline.analysis.goal_words, the status rule in data_pipeline.analysis.goal_progress.
"""

from __future__ import annotations

import streamlit as st

import data_pipeline.analysis.goal_progress as goal_progress
import data_pipeline.analysis.goal_words as goal_words
from app_support import data
from data_pipeline.core.i18n import t

# Streamlit badges, not emoji: the municipal PCs' fonts may lack emoji.
COLOUR = {
    goal_progress.ON_TRACK: "green",
    goal_progress.BEHIND: "red",
    goal_progress.UNKNOWN: "gray",
}


def badge(status: str, lang: str) -> str:
    return f":{COLOUR[status]}-badge[{t(f'goals.status.{status}', lang)}]"


def status_lines(lang: str) -> None:
    cur = data.cursor()
    try:
        lines = goal_words.status_lines(cur, lang)
    finally:
        cur.close()
    if not lines:
        return
    st.subheader(t("goals.overview", lang))
    st.markdown("\n".join(f"- {badge(status, lang)} {line}" for status, line in lines))
