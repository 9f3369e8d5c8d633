"""Mål: the directors' goals for the term and whether we are getting there (issue 17).

Only the director and admin roles reach this page; setting a goal checks the role again. Goals
are versioned in data_pipeline.analysis.goals: a change adds a version and the old one stays as history.
"""

import pandas as pd
import streamlit as st

from app_support import auth_ui, data, goals_ui, state, ui
from data_pipeline.analysis import goals
from data_pipeline.analysis.goal_progress import current_status, progress
from data_pipeline.analysis.goal_words import figures_text, goal_sentence
from data_pipeline.core.errors import PipelineError
from data_pipeline.core.i18n import number, t

lang, filters = state.page_setup()
principal = auth_ui.require_page("maal", lang)

st.title(t("goals.title", lang))
st.caption(t("goals.lead", lang))
if saved := st.session_state.pop("_goal_saved", None):
    st.success(t("goals.saved", lang, version=saved))

cur = data.cursor()
try:
    followed = goals.current_goals(cur)
    shown = []
    for goal in followed:
        table = progress(cur, goal)
        now = current_status(cur, goal)
        shown.append((goal, goal_sentence(cur, goal, lang), now, table))
    history = goals.goal_history(cur)
    said = [
        goal_sentence(cur, g, lang) + (f" {t('goals.retired', lang)}" if g.retired else "")
        for g in history
    ]
    sentences = {g.goal_id: goal_sentence(cur, g, lang) for g in followed}
finally:
    cur.close()

if not followed:
    st.info(t("goals.none", lang))
for goal, sentence, now, table in shown:
    st.subheader(sentence)
    st.markdown(f"{goals_ui.badge(now['status'], lang)} {figures_text(now, lang)}")
    if not table.empty:
        ui.show_table(
            pd.DataFrame(
                {
                    t("goals.col.wave", lang): table["wave"],
                    t("goals.col.ratio", lang): [number(v, lang, 2) for v in table["ratio"]],
                    t("goals.col.interval", lang): [
                        f"{number(lo, lang, 2)}–{number(hi, lang, 2)}"
                        for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)
                    ],
                    t("goals.col.status", lang): [
                        t(f"goals.status.{s}", lang) for s in table["status"]
                    ],
                }
            ),
            key=f"goal_progress_{goal.goal_id}",
        )

st.header(t("goals.new", lang))
options = data.choices(data.db_path(), lang)
labels = options["labels"]
groups = {"age_band": options["age_band"], "gender": ["kvinde", "mand"], "area": options["area"]}
which = st.selectbox(
    t("goals.change", lang),
    [None, *[g.goal_id for g in followed]],
    format_func=lambda g: t("goals.new_goal", lang) if g is None else f"{g}. {sentences[g]}",
    key="g_which",
)
current = next((g for g in followed if g.goal_id == which), None)
dimension = st.selectbox(
    t("goals.dimension", lang),
    list(goals.DIMENSIONS),
    index=list(goals.DIMENSIONS).index(current.dimension) if current else 0,
    format_func=lambda d: t(f"panel.feature.{d}", lang),
    key="g_dimension",
)
with st.form("g_form"):
    choices = groups[dimension]
    group = st.selectbox(
        t("goals.group", lang),
        choices,
        index=choices.index(current.group_code) if current and current.group_code in choices else 0,
        format_func=lambda c: labels[dimension].get(c, c),
        key="g_group",
    )
    left, right = st.columns(2)
    target = left.number_input(
        t("goals.target", lang), 0.05, 5.0, current.target if current else 0.8, 0.05, key="g_target"
    )
    year = right.number_input(
        t("goals.year", lang), 2025, 2100, current.due_year if current else 2029, key="g_year"
    )
    channels = list(goals.CHANNELS)
    channel = st.radio(
        t("goals.channel", lang),
        channels,
        index=channels.index(goals.channel_of(current)) if current else 0,
        format_func=lambda c: t(f"goals.channel.{c}", lang),
        horizontal=True,
        key="g_channel",
    )
    note = st.text_input(t("goals.note", lang), max_chars=300, key="g_note")
    save = st.form_submit_button(t("goals.save", lang), type="primary")
if save:
    con = data.writer()
    try:
        goal = goals.set_goal(
            con, principal, dimension, group, float(target), int(year), note, which, channel
        )
    except PipelineError as exc:
        st.error(str(exc))
        goal = None
    finally:
        con.close()
    if goal is not None:
        st.session_state["_goal_saved"] = goal.version
        st.rerun()

if history:
    with st.expander(t("goals.history", lang)):
        ui.show_table(
            pd.DataFrame(
                {
                    t("goals.which", lang): [g.goal_id for g in history],
                    t("goals.col.version", lang): [g.version for g in history],
                    t("goals.col.set_at", lang): [
                        g.set_at.strftime("%d.%m.%Y %H:%M") for g in history
                    ],
                    t("goals.col.set_by", lang): [g.set_by for g in history],
                    t("goals.col.goal", lang): said,
                }
            ),
            key="goal_history",
        )
