"""Kort: a choropleth of the areas (rate, a group's representation, topic or format share)."""

import pandas as pd
import streamlit as st

from app_support import data, state, ui, waves
from data_pipeline.core.i18n import number, percent, t, tn, vega_locale
from data_pipeline.present.maps import chart_to_png, choropleth

lang, filters = state.page_setup()
k = state.K_DEFAULT
path = data.db_path()
options = data.choices(path, lang)
labels = options["labels"]

st.title(t("map.title", lang))
st.caption(t("map.lead", lang))
state.show_url_notice(lang)
st.caption(ui.plain(state.describe_filters(filters, lang)))
state.say_not_applied(filters, ("areas",), lang, "filter.not_applied.map_area")

if not options["area"]:
    st.info(t("map.no_areas", lang))
    st.stop()
waves.stop_if_empty(filters, lang)

MODE_PARAMS = {
    "ratio": ("group_age", "group_gender"),
    "topic": ("map_topic",),
    "format": ("map_format",),
}
measure = state.linked(
    st.radio,
    t("map.measure", lang),
    ["rate", "ratio", "topic", "format"],
    key="k_measure",
    default="rate",
    # A mode's own choices leave the link with it: a shared link holds only what is shown.
    drop=lambda mode: [p for m, params in MODE_PARAMS.items() if m != mode for p in params],
    format_func=lambda m: t(f"map.{m}", lang),
    horizontal=True,
)
group: tuple = ()
code = None
if measure == "ratio":
    left, right = st.columns(2)
    bands = state.linked(
        left.multiselect,
        t("map.group_age", lang),
        options["age_band"],
        key="k_group_age",
        default=[b for b in ("18-24", "25-29") if b in options["age_band"]],
        format_func=lambda b: labels["age_band"].get(b, b),
        placeholder=t("map.group_all_ages", lang),
        select_all=False,
    )
    genders = state.linked(
        right.multiselect,
        t("map.group_gender", lang),
        ["kvinde", "mand"],
        key="k_group_gender",
        default=[],
        format_func=lambda g: labels["gender"].get(g, g),
        placeholder=t("map.group_all_genders", lang),
        select_all=False,
    )
    group = (("age_bands", tuple(bands)), ("genders", tuple(genders)))
    replaced = ("age_bands",) * bool(bands) + ("genders",) * bool(genders)
    state.say_not_applied(filters, replaced, lang, "filter.not_applied.map_group")
    st.caption(t("map.ratio_note", lang))
elif measure in ("topic", "format"):
    code = state.linked(
        st.selectbox,
        t(f"map.choose_{measure}", lang),
        options[measure],
        key=f"k_{measure}",
        default=options[measure][0] if options[measure] else None,
        format_func=lambda c, m=labels[measure]: m.get(c, c),
    )

values = data.map_values(path, filters, measure, group, code, k, lang)
if values["respondents"].sum() == 0:
    st.warning(t("filter.empty", lang))
    st.stop()
if values.attrs.get("postal_spread"):  # postal-only answers counted by area share
    spread = values.attrs["postal_spread"]
    st.caption(
        f"ℹ️ {t('postal.spread_note', lang)} {tn('postal.spread_detail', spread, lang)}",
    )

if measure == "ratio":
    values["label"] = [
        "–" if s else number(v, lang, 2)
        for v, s in zip(values["value"], values["suppressed"], strict=True)
    ]
else:
    values["label"] = [
        "–" if s else percent(v, lang)
        for v, s in zip(values["value"], values["suppressed"], strict=True)
    ]
values["population"] = values["population"].fillna(0)
values["population_text"] = values["population"].map(lambda v: number(v, lang) if v else "–")
wave = filters.wave or (options["wave"][-1] if options["wave"] else None)
if measure == "ratio":
    group_words = ui.group_text(bands, genders, lang, labels["age_band"])
    heading = t("map.ratio_title", lang, group=group_words)
    legend_title = [t("map.ratio_legend", lang), t("map.ratio_legend_hint", lang)]
elif code:
    heading = f"{t(f'map.{measure}', lang)}: {labels[measure].get(code, code)}"
    legend_title = t("map.share_legend", lang)
else:
    heading = t("map.rate", lang)
    legend_title = t("map.rate", lang)
place = ui.municipality(labels["area"].values())
title = " · ".join(
    part for part in (heading, t("map.wave", lang, wave=wave) if wave else "", place) if part
)
source_key = "map.source_survey" if measure in ("topic", "format") else "map.source_population"
source = t(source_key, lang)
subtitle = [
    state.describe_filters(filters, lang),
    f"{source} · {t('map.made', lang, date=ui.today_text(lang))}",
]
areas = data.area_shapes(path)
chart = choropleth(
    areas,
    values,
    "value",
    title,
    value_format=".2f" if measure == "ratio" else ".0%",
    legend_title=legend_title,
    diverging=measure == "ratio",
    subtitle=subtitle,
    locale=vega_locale(lang),
    select=state.MAP_SELECTION,
    selected=filters.areas[0] if len(filters.areas) == 1 else None,
    lang=lang,
)
# A click on an area makes it the area filter of every page (and of the link).
map_key = state.map_key()
ui.draw_chart(
    chart,
    key=map_key,
    on_select=lambda: state.area_from_map(map_key),
    selection_mode=state.MAP_SELECTION,
)
if filters.areas:
    chosen = ", ".join(labels["area"].get(a, a) for a in filters.areas)
    left, right = st.columns([3, 1])
    left.caption(t("map.area_chosen", lang, names=ui.plain(chosen)))
    right.button(t("map.clear_area", lang), on_click=state.clear_area, key="k_clear_area")
else:
    st.caption(t("map.click_hint", lang))
file_stem = ui.file_name(
    t("map.title", lang),
    heading,
    t("map.wave", lang, wave=wave) if wave else "",
    *state.filter_file_words(filters, lang),
)
dropped = areas.dropped_names()
if dropped:
    st.caption(t("map.labels_dropped", lang, names=ui.plain(", ".join(dropped))))
st.download_button(
    t("map.download_png", lang),
    data=lambda: chart_to_png(chart),
    file_name=f"{file_stem}.png",
    mime="image/png",
    key="k_png",
)

st.subheader(t("map.table", lang))
table = values[["name", "label", "n", "population_text"]].rename(
    columns={
        "name": t("tooltip.area", lang),
        "label": heading,
        "n": t("tooltip.n", lang),
        "population_text": t("tooltip.population", lang),
    }
)
ui.show_table(table, key="k_table")
# The files hold numbers as numbers (Excel formats them); a hidden count stays "<k".
export = pd.DataFrame(
    {
        t("tooltip.area", lang): values["name"],
        heading: values["value"].where(~values["suppressed"]),
        t("tooltip.n", lang): values["respondents"]
        .round()
        .astype(object)
        .where(~values["suppressed"], values["n"]),
        t("tooltip.population", lang): values["population"].where(values["population"] > 0),
    }
)
kinds = {heading: "ratio" if measure == "ratio" else "percent", t("tooltip.n", lang): "count"}
kinds[t("tooltip.population", lang)] = "count"
about = state.export_about(heading, filters, lang, source_key)
ui.downloads(export, file_stem, lang, "k_dl", kinds, about)
