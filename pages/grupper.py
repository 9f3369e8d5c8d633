"""Grupper: who takes part and who is missing – representation, scores, gaps and segments."""

import altair as alt
import pandas as pd
import streamlit as st

from app_support import data, state, ui, waves
from data_pipeline.core.errors import PipelineError
from data_pipeline.core.i18n import number, percent, t, tn

lang, filters = state.page_setup()
k = state.K_DEFAULT
path = data.db_path()
labels = data.choices(path, lang)["labels"]

SPLITS = {
    "age_band": ("age_band",),
    "gender": ("gender",),
    "area": ("area",),
    "age_band_gender": ("age_band", "gender"),
}

st.title(t("groups.title", lang))
st.caption(t("groups.lead", lang))
state.show_url_notice(lang)
st.caption(ui.plain(state.describe_filters(filters, lang)))

waves.stop_if_empty(filters, lang)
selected = waves.filtered_respondents(filters)
if selected == 0:
    st.warning(t("filter.empty", lang))
    st.stop()
if selected < k:  # every group would be suppressed: say so instead of drawing empty charts
    st.info(t("groups.too_few", lang, k=k))
    st.stop()

with st.expander(t("groups.how_to_read", lang)):
    st.markdown(t("groups.how_to_read_text", lang))

split = state.linked(
    st.radio,
    t("groups.by", lang),
    list(SPLITS),
    key="g_split",
    default="age_band",
    format_func=lambda s: " × ".join(t(f"dim.{d}", lang) for d in SPLITS[s]),
    horizontal=True,
)
by = SPLITS[split]
result = data.groups(path, filters, by, k, lang)
table = result["table"]
if table is None:
    st.info(t("overview.no_population", lang))
    st.stop()
if table["respondents"].fillna(0).sum() == 0 and not table["suppressed"].any():
    st.warning(t("filter.empty", lang))
    st.stop()
if result.get("postal_spread"):  # postal-only answers counted by area share
    spread = result["postal_spread"]
    st.caption(
        f"ℹ️ {t('postal.spread_note', lang)} {tn('postal.spread_detail', spread, lang)}",
    )


def group_label(row) -> str:
    parts = []
    for dim in by:
        value = row[dim]
        if dim == "area":
            parts.append(row.get("area_name") or labels["area"].get(value, value))
        else:
            parts.append(labels[dim].get(value, value))
    return " · ".join(str(p) for p in parts)


shown = table.copy()
shown["group"] = shown.apply(group_label, axis=1)
shown["status_text"] = shown["status"].map(lambda s: t(f"status.{s}", lang))
# A group hidden for its small count keeps its gap visible without its count (issue 12).
hint = shown["expected_hint"] if "expected_hint" in shown else pd.Series(dtype=float)
for i in hint.dropna().index:
    shown.loc[i, "status_text"] = t(
        "groups.too_few_expected", lang, k=k, expected=number(hint[i], lang)
    )
# Missing responses are said only for groups below the line (fewer answers than the whole
# municipality's rate would give), never as a negative number.
shown["missing_shown"] = shown["missing_voices"].where(shown["missing_voices"].round() > 0)

# Ratios with their intervals ---------------------------------------------------------------
st.subheader(t("groups.chart_title", lang))
if result.get("reference_rate") is not None:  # what every ratio and verdict compares with
    st.caption(t("groups.reference", lang, rate=percent(result["reference_rate"], lang)))
if table.attrs.get("excluded"):  # one method for unknowns, said where the rates are shown
    st.caption(tn("unknown.rates_note", table.attrs["excluded"], lang))
plot = shown.dropna(subset=["ratio"]).copy()
# Tooltips read text: a group with no missing answers (or no interval) says "–", not "null".
plot["missing_text"] = ["–" if pd.isna(v) else number(v, lang) for v in plot["missing_shown"]]
plot["ci_text"] = [
    "–" if pd.isna(lo) else f"{number(lo, lang, 2)}–{number(hi, lang, 2)}"
    for lo, hi in zip(plot["ci_low"], plot["ci_high"], strict=True)
]
order = list(plot["group"])
base = alt.Chart(plot).encode(y=alt.Y("group:N", sort=order, title=None))
status_colors = alt.Scale(
    domain=[t(f"status.{s}", lang) for s in ("under", "fine", "uncertain", "over")],
    range=["#c0392b", "#7f8c8d", "#bdc3c7", "#2471a3"],
)
chart = (
    base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", title=t("col.ratio", lang)),
        x2="ci_high:Q",
        color=alt.Color("status_text:N", scale=status_colors, title=t("col.status", lang)),
    )
    + base.mark_point(filled=True, size=70).encode(
        x="ratio:Q",
        color=alt.Color("status_text:N", scale=status_colors),
        tooltip=[
            alt.Tooltip("group:N", title=t("col.group", lang)),
            alt.Tooltip("ratio:Q", format=".2f", title=t("col.ratio", lang)),
            alt.Tooltip("ci_text:N", title=t("col.ci", lang)),
            alt.Tooltip("missing_text:N", title=t("col.missing", lang)),
        ],
    )
    + alt.Chart(pd.DataFrame({"x": [1.0]}))
    .mark_rule(strokeDash=[4, 4], color="#333")
    .encode(x="x:Q")
    + alt.Chart(pd.DataFrame({"x": [0.8, 1.25]}))
    .mark_rule(strokeDash=[2, 2], color="#c0392b")
    .encode(x="x:Q")
).properties(height=max(160, 24 * len(plot)))
ui.draw_chart(ui.danish_chart(chart, lang), height=max(160, 24 * len(plot)) + 60, key="g_chart")

display = pd.DataFrame(
    {
        t("col.group", lang): shown["group"],
        t("col.population", lang): shown["population"].map(lambda v: number(v, lang)),
        t("col.respondents", lang): [
            f"<{k}" if s else number(v, lang)
            for v, s in zip(shown["respondents"], shown["suppressed"], strict=True)
        ],
        t("col.rate", lang): shown["rate"].map(lambda v: percent(v, lang)),
        t("col.ratio", lang): shown["ratio"].map(lambda v: number(v, lang, 2)),
        t("col.ci", lang): [
            "–" if pd.isna(lo) else f"{number(lo, lang, 2)}–{number(hi, lang, 2)}"
            for lo, hi in zip(shown["ci_low"], shown["ci_high"], strict=True)
        ],
        t("col.missing", lang): shown["missing_shown"].map(
            lambda v: "–" if pd.isna(v) else number(v, lang)
        ),
        t("col.status", lang): shown["status_text"],
    }
)
ui.show_table(display, key="g_table")
# The files hold numbers as numbers (Excel formats them), "<k" only where a count is hidden.
export = pd.DataFrame(
    {
        t("col.group", lang): shown["group"],
        t("col.population", lang): shown["population"],
        t("col.respondents", lang): shown["respondents"]
        .astype(object)
        .where(~shown["suppressed"], f"<{k}"),
        t("col.rate", lang): shown["rate"],
        t("col.ratio", lang): shown["ratio"],
        f"{t('col.ci', lang)} ↓": shown["ci_low"],
        f"{t('col.ci', lang)} ↑": shown["ci_high"],
        t("col.missing", lang): shown["missing_shown"].round(),
        t("col.status", lang): shown["status_text"],
    }
)
kinds = {t("col.rate", lang): "percent", f"{t('col.ci', lang)} ↓": "ratio"}
kinds[f"{t('col.ci', lang)} ↑"] = "ratio"
kinds.update({t(f"col.{c}", lang): "count" for c in ("population", "respondents", "missing")})
kinds[t("col.ratio", lang)] = "ratio"
file_stem = ui.file_name(
    "repraesentation",
    *(t(f"dim.{d}", lang) for d in by),
    *state.filter_file_words(filters, lang),
)
title = t("groups.export_title", lang, split=" × ".join(t(f"dim.{d}", lang).lower() for d in by))
ui.downloads(export, file_stem, lang, "g_dl", kinds, state.export_about(title, filters, lang))

# Scores -----------------------------------------------------------------------------------
# The three analysts' measures, folded away as on Overblik: a director reads the ratios above.
scores = result["scores"].copy()


def with_interval(values, lows, highs, fmt) -> list[str]:
    """ "0,26 (0,23–0,30)": each score with its 95 % bootstrap interval."""
    return [
        "–"
        if pd.isna(v)
        else fmt(v)
        if pd.isna(lo)
        else t("score.interval", lang, value=fmt(v), low=fmt(lo), high=fmt(hi))
        for v, lo, hi in zip(values, lows, highs, strict=True)
    ]


scores_display = pd.DataFrame(
    {
        t("score.dimension", lang): scores["dimension"].map(
            lambda d: t("score.overall", lang) if d == "overall" else t(f"dim.{d}", lang)
        ),
        t("metric.minmax", lang): with_interval(
            scores["min_max_ratio"],
            scores["min_max_low"],
            scores["min_max_high"],
            lambda v: number(v, lang, 2),
        ),
        t("metric.overlap", lang): with_interval(
            scores["share_overlap"],
            scores["overlap_low"],
            scores["overlap_high"],
            lambda v: percent(v, lang, 0),
        ),
        t("metric.r_indicator", lang): with_interval(
            scores["r_indicator"], scores["r_low"], scores["r_high"], lambda v: number(v, lang, 2)
        ),
    }
)
with st.expander(t("groups.scores", lang)):
    st.caption(t("overview.analysts_lead", lang))
    ui.show_table(scores_display, key="g_scores")

# Intersections ----------------------------------------------------------------------------
st.subheader(t("groups.findings", lang))
gaps = result["gaps"]
if gaps is not None and len(gaps):
    st.markdown(
        "\n".join(f"{i}. {ui.plain(s)}" for i, s in enumerate(gaps[f"sentence_{lang}"], start=1))
    )
else:
    st.write(t("overview.no_gaps", lang))

# Segments ---------------------------------------------------------------------------------
st.subheader(t("groups.segments", lang))
st.caption(t("groups.segments_lead", lang) + " " + t("groups.segments_cached", lang))
try:
    profiles = data.segments(path, filters.wave, lang).profiles
except PipelineError:  # too few responses in the wave to form segments
    profiles = []
    st.info(t("groups.segments_too_few", lang))
for profile in profiles:
    with st.container(border=True):
        share = percent(profile["share"], lang, 0)
        name = ui.plain(profile[f"name_{lang}"])
        st.markdown(f"**{name}** · {number(profile['size'], lang)} ({share})")
        st.markdown(ui.plain(profile[f"description_{lang}"]))
        if profile.get("over_represented_note"):
            st.caption("⚠️ " + t("groups.over_note", lang))

# Areas with similar gaps ------------------------------------------------------------------
st.subheader(t("groups.area_clusters", lang))
st.caption(t("groups.area_clusters_lead", lang))
try:  # built once per wave and data version: the other filters do not change it
    cluster_map = data.area_cluster_map(path, filters.wave, lang)
except PipelineError:  # too few responses or areas
    st.info(t("groups.area_clusters_none", lang))
    st.stop()
st.vega_lite_chart(cluster_map, key="g_cluster_map")
