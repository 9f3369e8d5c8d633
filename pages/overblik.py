"""Overblik: headline numbers, the five largest gaps, and what people want, for the filter."""

import altair as alt
import streamlit as st

from app_support import data, state, ui, waves
from data_pipeline.core.i18n import number, percent, points, signed, t

lang, filters = state.page_setup()
k = state.K_DEFAULT

st.title(t("overview.title", lang))
st.caption(t("overview.lead", lang))
state.show_url_notice(lang)
st.caption(ui.plain(state.describe_filters(filters, lang)))
waves.stop_if_empty(filters, lang)

view = data.overview(data.db_path(), filters, k, lang)
filters_narrow = bool(filters.age_bands or filters.genders or filters.areas)

if view.wave is None:
    st.info(t("app.no_data", lang))
    st.stop()
if view.respondents == 0:
    st.warning(t("filter.empty", lang))
    st.stop()

# The one score a director reads first ------------------------------------------------------
if view.plain_score is not None:
    with st.container(border=True):
        # Markdown, not st.metric: the headline metrics below keep their places.
        value = view.plain_score["value"]
        st.markdown(
            f"#### {t('score.plain_title', lang)}: {value}",
            help=t("score.plain_help", lang),
        )
        st.caption(
            ui.plain(f"{view.plain_score['sentence']} {view.plain_score['interval']}".strip())
        )

# Headline numbers -------------------------------------------------------------------------
cols = st.columns(3)
respondents = number(view.respondents, lang) if view.respondents_publishable else f"<{k}"
change = None
if view.previous_respondents and view.respondents_publishable:
    change = signed(view.respondents - view.previous_respondents, lang)
cols[0].metric(
    t("metric.respondents", lang),
    respondents,
    delta=change,
    help=t("metric.change", lang, wave=view.previous_wave) if change else None,
)
rate_delta = None
if view.rate is not None and view.previous_rate is not None:
    rate_delta = points(view.rate - view.previous_rate, lang)
cols[1].metric(
    t("metric.rate", lang),
    percent(view.rate, lang) if view.rate is not None else "–",
    delta=rate_delta,
    help=t("metric.rate_help", lang),
)
if view.previous_wave:
    cols[2].metric(
        t("metric.previous", lang, wave=view.previous_wave),
        number(view.previous_respondents, lang) if view.previous_respondents else "–",
        help=t("metric.rate", lang)
        + ": "
        + (percent(view.previous_rate, lang) if view.previous_rate is not None else "–"),
    )

if view.population is None:
    st.info(t("overview.no_population", lang))
elif view.scores is not None:
    overall = view.scores.set_index("dimension").loc["overall"]

    def with_interval(value, low, high, fmt) -> str:
        if value != value:  # NaN: too few groups to compare
            return "–"
        if low != low:
            return fmt(value)
        return t("score.interval", lang, value=fmt(value), low=fmt(low), high=fmt(high))

    with st.expander(t("overview.analysts", lang)):
        st.caption(t("overview.analysts_lead", lang))
        score_cols = st.columns(3)
        score_cols[0].metric(
            t("metric.minmax", lang),
            with_interval(
                overall["min_max_ratio"],
                overall["min_max_low"],
                overall["min_max_high"],
                lambda v: number(v, lang, 2),
            ),
            help=t("metric.minmax_help", lang),
        )
        score_cols[1].metric(
            t("metric.overlap", lang),
            with_interval(
                overall["share_overlap"],
                overall["overlap_low"],
                overall["overlap_high"],
                lambda v: percent(v, lang, 0),
            ),
            help=t("metric.overlap_help", lang),
        )
        score_cols[2].metric(
            t("metric.r_indicator", lang),
            with_interval(
                overall["r_indicator"],
                overall["r_low"],
                overall["r_high"],
                lambda v: number(v, lang, 2),
            ),
            help=t("metric.r_indicator_help", lang),
        )

# Gaps -------------------------------------------------------------------------------------
# Issue 17: a short status line per goal for the term (app_support.goals_ui).
from app_support import goals_ui  # noqa: E402

goals_ui.status_lines(lang)

if view.gaps is not None:
    st.subheader(t("overview.gaps", lang))
    st.caption(t("overview.gaps_lead", lang))
    if view.gap_reference is not None and view.rate is not None:  # two rates: say which is which
        which = "overview.gaps_reference_filtered" if filters_narrow else "overview.gaps_reference"
        headline, reference = percent(view.rate, lang), percent(view.gap_reference, lang)
        st.caption(t(which, lang, rate=reference, headline=headline))
    sentences = view.gaps[f"sentence_{lang}"].head(5).tolist() if len(view.gaps) else []
    if sentences:
        st.markdown("\n".join(f"{i}. {ui.plain(s)}" for i, s in enumerate(sentences, start=1)))
    else:
        st.write(t("overview.no_gaps", lang))

# Respondents against the population --------------------------------------------------------
if view.population is not None:
    st.subheader(t("overview.by_band", lang))
    st.caption(t("overview.by_band_lead", lang))
    frame = view.by_band_gender
    if frame["share_respondents"].notna().sum() == 0:  # only the population would be drawn
        st.caption(t("chart.too_few", lang, n=number(view.respondents, lang), k=k))
        frame = None
if view.population is not None and frame is not None:
    long = frame.melt(
        id_vars=["age_band", "gender_label", "sort_order"],
        value_vars=["share_respondents", "share_population"],
        var_name="series",
        value_name="share",
    )
    long["series"] = long["series"].map(
        {
            "share_respondents": t("series.respondents", lang),
            "share_population": t("series.population", lang),
        }
    )
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X(
                "age_band:N", sort=list(frame["age_band"].unique()), title=t("dim.age_band", lang)
            ),
            xOffset=alt.XOffset("series:N"),
            y=alt.Y("share:Q", axis=alt.Axis(format="%"), title=t("col.share", lang)),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(
                    domain=[t("series.respondents", lang), t("series.population", lang)],
                    range=[ui.COLORS["respondents"], ui.COLORS["population"]],
                ),
                title=None,
                legend=alt.Legend(orient="top"),
            ),
            column=alt.Column("gender_label:N", title=None),
            tooltip=[
                alt.Tooltip("gender_label:N", title=t("dim.gender", lang)),
                alt.Tooltip("age_band:N", title=t("dim.age_band", lang)),
                alt.Tooltip("series:N", title=" "),
                alt.Tooltip("share:Q", format=".1%", title=t("col.share", lang)),
            ],
        )
        # Two panels of 220 px fit the main column at 1024 px too (330 px cut off "Mænd").
        .properties(width=220, height=240)
    )
    ui.draw_chart(ui.danish_chart(chart, lang), key="c_band_gender")

# What people want -------------------------------------------------------------------------
st.caption(t("overview.ranked_lead", lang))
chart_cols = st.columns(3)
for column, kind, title in zip(
    chart_cols,
    ("topic", "format", "time"),
    ("overview.topics", "overview.formats", "overview.times"),
    strict=True,
):
    with column:
        ranked = view.ranked[kind]
        if ranked["share"].notna().sum() == 0:  # every option hidden: a sentence, not an axis
            st.markdown(f"**{t(title, lang)}**")
            st.caption(t("chart.too_few", lang, n=number(view.respondents, lang), k=k))
            continue
        ui.draw_chart(
            ui.ranked_bars(ranked, lang, t(title, lang)),
            height=ui.ranked_height(ranked),
            key=f"c_{kind}",
        )
