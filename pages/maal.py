"""Mål: the directors' goals for the term and whether we are getting there (issue 17).

Only the director and admin roles reach this page; setting a goal checks the role again. Goals
are versioned in data_pipeline.analysis.goals: a change adds a version and the old one stays as history.
"""

import streamlit as st

from app_support import auth_ui, data, goals_ui, state, ui
from data_pipeline.analysis import goals
from data_pipeline.analysis.goal_words import figures_text
from data_pipeline.core.errors import PipelineError
from data_pipeline.core.i18n import t

lang, filters = state.page_setup()
principal = auth_ui.require_page("maal", lang)

st.title(t("goals.title", lang))
st.caption(t("goals.lead", lang))
if saved := st.session_state.pop("_goal_saved", None):
    st.success(t("goals.saved", lang, version=saved))

view = data.with_cursor(goals_ui.goals_view, lang)
followed, sentences = view.followed, view.sentences

if not followed:
    st.info(t("goals.none", lang))
for goal, sentence, now, table in view.shown:
    st.subheader(sentence)
    st.markdown(f"{goals_ui.badge(now['status'], lang)} {figures_text(now, lang)}")
    if not table.empty:
        ui.show_table(goals_ui.progress_table(table, lang), key=f"goal_progress_{goal.goal_id}")

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
    # Typed and shown as a Danish decimal ("0,80"): a number input would show "0.80".
    target_text = left.text_input(
        t("goals.target", lang),
        goals_ui.target_text(current.target if current else 0.8, lang),
        key="g_target",
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
goal = None
if save:
    try:
        target = goals_ui.parse_target(target_text, lang)
        goal = data.with_writer(
            goals.set_goal, principal, dimension, group, target, int(year), note, which, channel
        )
    except ValueError as exc:
        st.error(str(exc))
    except PipelineError as exc:
        st.error(ui.error_text(exc, lang))
    if goal is not None:
        st.session_state["_goal_saved"] = goal.version
        st.rerun()

if view.history:
    with st.expander(t("goals.history", lang)):
        ui.show_table(goals_ui.history_table(view, lang), key="goal_history")
