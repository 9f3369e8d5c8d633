"""Kontakt's "Invitér et panel" section: choose a topic and a size, see the quotas against the
pool, draw, and hand the contact list out through the page's access-checked download.

Keeps only ids, quotas and probabilities in the session (never contact data); the contact file
is built by the contact export when the one-time link is fetched. The role is checked here, in
data_pipeline.outreach.panel (the plan), .panel_draw and .panel_record, and again when the file
is fetched.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import data_pipeline.outreach.panel as panel
import data_pipeline.outreach.panel_draw as panel_draw
import data_pipeline.outreach.panel_model as panel_model
import data_pipeline.outreach.panel_record as panel_record
import data_pipeline.privacy.roles as auth
from app_support import data, ui, words
from data_pipeline.analysis.filtering import Filters
from data_pipeline.core.errors import PipelineError
from data_pipeline.core.i18n import number, percent, t, tn

RESULT = "_panel_draw"  # session key: the last draw (ids and figures only)


def render(principal: auth.Principal, filters: Filters, lang: str) -> None:
    if not principal.has_any(auth.ACTION_ROLES["draw_panel"]):
        return  # the page refused already; nothing of the panel for other roles
    st.header(t("panel.title", lang))
    st.caption(
        t(
            "panel.lead",
            lang,
            tolerance=int(panel_model.TOLERANCE * 100),
            days=panel_model.RECENT_DAYS,
        )
    )
    options = data.choices(data.db_path(), lang)
    labels = options["labels"]
    with st.form("p_form"):
        topic = st.selectbox(
            t("panel.topic", lang),
            options["topic"],
            format_func=lambda c: labels["topic"].get(c, c),
            key="p_topic",
        )
        left, middle, right = st.columns(3)
        size = left.number_input(t("panel.size", lang), 1, 500, 40, key="p_size")
        reserve = middle.number_input(t("panel.reserve", lang), 0, 200, 10, key="p_reserve")
        seed = right.number_input(
            t("panel.seed", lang), 0, 2**31 - 1, 0, help=t("panel.seed_help", lang), key="p_seed"
        )
        areas = st.multiselect(
            t("panel.areas", lang),
            options["area"],
            format_func=lambda c: labels["area"].get(c, c),
            placeholder=t("ui.choose_all", lang),
            key="p_areas",
        )
        relax = st.multiselect(
            t("panel.relax", lang),
            list(panel_model.FEATURES),
            format_func=lambda f: t(f"panel.feature.{f}", lang),
            placeholder=t("panel.relax_none", lang),
            help=t("panel.relax_help", lang),
            key="p_relax",
        )
        submitted = st.form_submit_button(t("panel.draw", lang), type="primary")
    if submitted:
        request = panel_model.PanelRequest(
            topic=topic,
            size=int(size),
            wave=filters.wave,
            areas=tuple(areas),
            relax=tuple(relax),
            reserve=int(reserve),
        )
        st.session_state.pop(RESULT, None)
        _draw(principal, request, int(seed) or None, lang)
    drawn = st.session_state.get(RESULT)
    if drawn is not None:
        _show(drawn, labels, lang)
        _export(principal, drawn, lang)


def _draw(principal, request: panel_model.PanelRequest, seed: int | None, lang: str) -> None:
    cur = data.cursor()
    try:
        plan = panel.plan_panel(cur, principal, request, lang)
    except PipelineError as exc:
        st.error(ui.error_text(exc, lang))
        return
    finally:
        cur.close()
    stop = panel.refusal(plan, lang)
    if stop:
        st.warning(t("panel.cannot", lang))
        for shortfall in plan.shortfalls:
            if shortfall.feature not in request.relax:
                st.markdown(f"- {shortfall.sentence} {shortfall.hint}")
        st.info(stop.splitlines()[-1])
        _show_whole(_quota_table(plan.quota_table(lang), None, lang), key="p_quota_plan")
        return
    with st.spinner(tn("panel.solving", len(plan.pool), lang, pool=number(len(plan.pool), lang))):
        try:
            drawn = panel_draw.draw_panel(None, principal, plan, seed, lang)
        except PipelineError as exc:
            st.error(ui.error_text(exc, lang))
            return
    st.session_state[RESULT] = drawn


def _quota_table(frame: pd.DataFrame, labels: dict | None, lang: str) -> pd.DataFrame:
    names = (labels or {}).get("area", {})
    shown = pd.DataFrame(
        {
            t("panel.col.feature", lang): [t(f"panel.feature.{f}", lang) for f in frame["feature"]],
            t("panel.col.value", lang): [
                _value_label(f, v, names, lang)
                for f, v in zip(frame["feature"], frame["value"], strict=True)
            ],
            t("panel.col.population", lang): [
                "" if pd.isna(s) else percent(s, lang) for s in frame["population_share"]
            ],
            t("panel.col.quota", lang): [
                f"{lo}–{hi}" for lo, hi in zip(frame["min"], frame["max"], strict=True)
            ],
            t("panel.col.pool", lang): [number(n, lang) for n in frame["pool"]],
        }
    )
    if "invited" in frame:
        shown[t("panel.col.invited", lang)] = [number(n, lang) for n in frame["invited"]]
    shown[t("panel.col.relaxed", lang)] = [
        t("panel.yes", lang) if r else "" for r in frame["relaxed"]
    ]
    return shown


def _value_label(feature: str, value: str, areas: dict, lang: str) -> str:
    if value == panel.UNKNOWN:
        return t("panel.unknown", lang)
    if feature == "area":
        return areas.get(value, value)
    if feature == "gender":
        return t(f"gender.{value}", lang)
    return t("panel.age_value", lang, band=value.replace("-", "–"))


def _show(drawn: panel_model.PanelDraw, labels: dict, lang: str) -> None:
    summary = drawn.probability_summary()
    st.success(
        t(
            "panel.drawn",
            lang,
            size=number(len(drawn.invited), lang),
            pool=number(len(drawn.plan.pool), lang),
            seed=drawn.seed,
        )
    )
    cols = st.columns(4)
    cols[0].metric(t("panel.m.invited", lang), number(len(drawn.invited), lang))
    cols[1].metric(t("panel.m.reserve", lang), number(len(drawn.reserve), lang))
    cols[2].metric(t("panel.m.pool", lang), number(len(drawn.plan.pool), lang))
    cols[3].metric(t("panel.m.seed", lang), str(drawn.seed))
    st.markdown(
        t(
            "panel.probabilities",
            lang,
            low=percent(summary["min"], lang),
            median=percent(summary["median"], lang),
            high=percent(summary["max"], lang),
        )
    )
    for note in [*drawn.plan.notes, drawn.reserve_note]:
        if note:
            st.caption(note)
    st.subheader(t("panel.comparison", lang))
    _show_whole(_quota_table(drawn.comparison(lang), labels, lang), key="p_quota_result")
    if drawn.reserve:
        st.caption(t("panel.reserve_order", lang, ids=", ".join(str(i) for i in drawn.reserve)))


def _export(principal, drawn: panel_model.PanelDraw, lang: str) -> None:
    """The contact list of the invited and the reserve, through the contact export's one-time
    link; the draw is recorded (who was invited, audited with quotas and seed) first."""
    with st.form("p_export"):
        reason = st.text_input(t("contact.reason", lang), max_chars=500, key="p_reason")
        file_format = st.radio(
            t("contact.file_format", lang),
            ["xlsx", "csv"],
            format_func=lambda code: words.format_label(code, lang),  # "Excel-fil", not "xlsx"
            horizontal=True,
            key="p_format",
        )
        asked = st.form_submit_button(t("panel.export", lang), type="primary")
    if not asked:
        return
    if not reason.strip():
        st.warning(t("contact.need_reason", lang))
        return
    try:  # the access-checked one-time link of the contact export (issue 13)
        from app_support import contact_download
    except ImportError:
        st.error(t("panel.export_unavailable", lang))
        return
    cur = data.writer()
    try:
        draw_id = panel_record.record_draw(cur, principal, drawn, reason)
    finally:
        cur.close()
    segment = panel_record.export_segment(drawn, draw_id)
    try:
        link = contact_download.issue(principal, segment, reason, file_format, lang)
    except contact_download.DownloadUnavailable:
        st.error(t("contact.download_unavailable", lang))
        return
    st.success(t("contact.ready", lang, minutes=contact_download.TICKET_SECONDS // 60))
    st.link_button(t("contact.download", lang), link, type="primary")


def _show_whole(frame: pd.DataFrame, key: str) -> None:
    """Every quota row at once (a scrolling table hid gender and area below the age bands)."""
    height = 35 * (len(frame) + 1) + 3  # Streamlit's row height, header included
    st.dataframe(ui.blank_missing(frame), hide_index=True, key=key, height=height)
