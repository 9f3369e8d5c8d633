"""The goals' status lines on Overblik (issue 17): one short line per goal, nothing when none.

Reads through the page's snapshot cursor; the words and the status rule live in
data_pipeline.goals.
"""

from __future__ import annotations

import streamlit as st

from app_support import data
from data_pipeline import goals
from data_pipeline.i18n import t

ICON = {goals.ON_TRACK: "🟢", goals.BEHIND: "🔴", goals.UNKNOWN: "⚪"}


def status_lines(lang: str) -> None:
    cur = data.cursor()
    try:
        lines = goals.status_lines(cur, lang)
    finally:
        cur.close()
    if not lines:
        return
    st.subheader(t("goals.overview", lang))
    st.markdown("\n".join(f"- {ICON[status]} {line}" for status, line in lines))
