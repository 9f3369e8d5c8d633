"""Aktivitet: platform activity over time (by platform, project, topic or kind), and whether
the participants look like the population, with the survey's representation statistics."""

import json

import altair as alt
import pandas as pd
import streamlit as st

from app_support import data, state, ui, words
from data_pipeline.analysis import activity
from data_pipeline.core.i18n import number, period_text, t

lang, filters = state.page_setup()
k = state.K_DEFAULT
# Okabe-Ito: seven colours told apart also with colour blindness, strongest first.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]

st.title(t("activity.title", lang))
st.caption(t("activity.lead", lang))
# Platform activity is not linked to survey answers: no sidebar filter can narrow it.
st.info(t("filter.not_applied.activity", lang), icon=":material/filter_alt_off:")


platforms = data.with_cursor(activity.platforms_with_activity)
if not platforms:
    st.info(t("activity.none", lang))
    st.stop()

path = data.db_path()
left, right = st.columns(2)
platform = state.linked(
    left.selectbox,
    t("activity.platform", lang),
    ["", *platforms],  # "" is every platform (None would show Streamlit's "Choose an option")
    key="a_platform",
    default="",
    format_func=lambda p: words.format_label(p, lang) if p else t("activity.all", lang),
)
platform = platform or None
by = state.linked(
    right.radio,
    t("activity.by", lang),
    list(activity.GROUPS),
    key="a_by",
    default=list(activity.GROUPS)[0],
    format_func=lambda g: t(f"activity.by.{g}", lang),
    horizontal=True,
)

# Over time ----------------------------------------------------------------------------------
st.subheader(t("activity.over_time", lang))
frame = data.activity_over_time(path, by, platform).copy()
frame["group"] = frame["group"].fillna(t("activity.other", lang))
if by == "platform":  # "Go Vocal", not "govocal"
    frame["group"] = frame["group"].map(lambda p: words.format_label(p, lang))
# The largest groups first, each in a colour of its own; the rest together in grey, so the
# legend never needs ten colours that look alike.
totals = frame.groupby("group")["activities"].sum().sort_values(ascending=False)
largest = list(totals.index[: len(PALETTE)])
rest = t("activity.rest", lang)
plotted = frame.assign(group=frame["group"].where(frame["group"].isin(largest), rest))
order = largest + ([rest] if len(totals) > len(largest) else [])
chart = (
    alt.Chart(plotted)
    .mark_bar()
    .encode(
        x=alt.X(
            "yearmonth(month):T", title=t("activity.month", lang), axis=alt.Axis(format="%b %Y")
        ),
        y=alt.Y("sum(activities):Q", title=t("activity.activities", lang)),
        color=alt.Color(
            "group:N",
            title=t(f"activity.by.{by}", lang),
            sort=order,
            scale=alt.Scale(domain=order, range=PALETTE[: len(largest)] + ["#b0b0b0"]),
            legend=alt.Legend(labelLimit=260),
        ),
        order=alt.Order("group_rank:Q"),
        tooltip=[
            alt.Tooltip("yearmonth(month):T", title=t("activity.month", lang), format="%B %Y"),
            alt.Tooltip("group:N", title=t(f"activity.by.{by}", lang)),
            alt.Tooltip("sum(activities):Q", title=t("activity.activities", lang)),
        ],
    )
    .transform_calculate(group_rank=f"indexof({json.dumps(order)}, datum.group)")
    .properties(height=320)
)
st.altair_chart(ui.danish_chart(chart, lang), width="stretch")
table = frame.rename(
    columns={
        "month": t("activity.month", lang),
        "group": t(f"activity.by.{by}", lang),
        "activities": t("activity.activities", lang),
        "participants": t("activity.participants", lang),
    }
)
ui.downloads(table, "aktivitet", lang, key="a_over_time")

# Who takes part -----------------------------------------------------------------------------
st.subheader(t("activity.who", lang))
dim = state.linked(
    st.radio,
    t("groups.by", lang),
    list(activity.DIMENSIONS),
    key="a_dim",
    default=list(activity.DIMENSIONS)[0],
    format_func=lambda d: t(f"dim.{d}", lang),
    horizontal=True,
)
result = data.activity_representation(path, dim, platform, k)
if result is None:
    st.info(t("activity.no_population", lang))
    st.stop()
st.caption(
    t("activity.who_lead", lang, period=ui.plain(period_text(result.attrs.get("period"), lang)))
)
labels = data.choices(path, lang)["labels"].get(dim, {})
shown = result.copy()
shown["label"] = shown[dim].map(lambda v: labels.get(v, v))
plot = shown.dropna(subset=["ratio"])
base = alt.Chart(plot).encode(y=alt.Y("label:N", sort=list(plot["label"]), title=None))
ratio_chart = base.mark_rule(strokeWidth=2).encode(
    x=alt.X("ci_low:Q", title=t("col.ratio", lang)), x2="ci_high:Q"
) + base.mark_point(filled=True, size=70).encode(
    x="ratio:Q",
    tooltip=[alt.Tooltip("label:N"), alt.Tooltip("ratio:Q", format=".2f")],
)
rule = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
st.altair_chart(ui.danish_chart(ratio_chart + rule, lang), width="stretch")
excluded = result.attrs.get("excluded", 0)
if excluded:
    st.caption(t("activity.excluded", lang, n=number(excluded, lang)))
out = pd.DataFrame(
    {
        t(f"dim.{dim}", lang): shown["label"],
        t("activity.participants", lang): [
            ui.count_text(v, s, k)
            for v, s in zip(shown["participants"], shown["suppressed"], strict=True)
        ],
        t("col.population", lang): shown["population"].map(lambda v: number(v, lang)),
        t("col.ratio", lang): shown["ratio"].map(lambda v: number(v, lang, 2)),
        t("col.status", lang): shown["status"].map(lambda s: t(f"status.{s}", lang)),
    }
)
ui.show_table(out, key="a_who")
# The files hold numbers as numbers (Excel formats them); a hidden count stays "<k".
export = out.assign(
    **{
        t("activity.participants", lang): shown["participants"]
        .astype(object)
        .where(~shown["suppressed"].astype(bool), f"<{k}"),
        t("col.population", lang): shown["population"],
        t("col.ratio", lang): shown["ratio"],
    }
)
kinds = {t("activity.participants", lang): "count", t("col.population", lang): "count"}
kinds[t("col.ratio", lang)] = "ratio"
ui.downloads(export, "deltagere", lang, "a_who", kinds)
