"""The charts of a report as Altair specs: share bars and the two maps.

They take the small, suppressed tables the content builders made; a hidden value never
reaches a chart (its bar is left out, its area is grey).
"""

from __future__ import annotations

import altair as alt
import duckdb
import pandas as pd

import data_pipeline.analysis.catalog as catalog
from data_pipeline.core.i18n import number, percent, t
from data_pipeline.ingest.boundaries import frame_from_geojson_text
from data_pipeline.present.maps import choropleth

# The dashboard's colours (app_support.ui.COLORS), so a printed chart looks like the screen.
RESPONDENTS = "#1f5f8b"
POPULATION = "#b8c7d6"
FONT = "DejaVu Sans"


def _style(chart):
    return chart.configure(font=FONT).configure_axis(labelFontSize=11, titleFontSize=11)


def weighted_bars(frame: pd.DataFrame, lang: str, title: str) -> alt.Chart:
    """Weighted share (dark) and unweighted share (light) per option, largest weighted first.

    `frame` has label, unweighted_share, weighted_share; rows with hidden shares are left out.
    """
    shown = frame.dropna(subset=["weighted_share", "unweighted_share"])
    shown = shown.sort_values("weighted_share", ascending=False)
    weighted, unweighted = t("report.weighted", lang), t("report.unweighted", lang)
    long = pd.concat(
        [
            pd.DataFrame(
                {"label": shown["label"], "series": weighted, "share": shown["weighted_share"]}
            ),
            pd.DataFrame(
                {"label": shown["label"], "series": unweighted, "share": shown["unweighted_share"]}
            ),
        ],
        ignore_index=True,
    )
    chart = (
        alt.Chart(long, title=title)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title=t("col.share", lang), axis=alt.Axis(format="%")),
            y=alt.Y("label:N", sort=list(shown["label"]), title=None),
            yOffset=alt.YOffset("series:N", sort=[weighted, unweighted]),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=[weighted, unweighted], range=[RESPONDENTS, POPULATION]),
                legend=alt.Legend(title=None, orient="top"),
            ),
        )
        .properties(width=460, height=34 * max(3, len(shown)))
    )
    return _style(chart)


def share_bars(frame: pd.DataFrame, lang: str, title: str) -> alt.Chart:
    """One bar per option with its share written at the end (for the citizens' summary)."""
    shown = frame.dropna(subset=["weighted_share"]).sort_values("weighted_share", ascending=False)
    shown = shown.assign(text=[percent(v, lang, 0) for v in shown["weighted_share"]])
    base = alt.Chart(shown, title=title).encode(
        y=alt.Y("label:N", sort=list(shown["label"]), title=None),
        x=alt.X("weighted_share:Q", title=None, axis=None),
    )
    bars = base.mark_bar(color=RESPONDENTS)
    labels = base.mark_text(align="left", dx=4, fontSize=12).encode(text="text:N")
    chart = (bars + labels).properties(width=420, height=26 * max(3, len(shown)))
    return _style(chart).configure_view(stroke=None)


def area_frame(con: duckdb.DuckDBPyConnection):
    return frame_from_geojson_text(catalog.area_geometries(con))


def map_chart(
    areas, values: pd.DataFrame, measure: str, title: str, lang: str
) -> alt.LayerChart | None:
    """The dashboard's choropleth of a map_view table (rate or ratio); None without areas."""
    if areas is None or len(areas) == 0:
        return None
    values = values.copy()
    ratio = measure == "ratio"
    values["label"] = [
        "–" if hidden else (number(v, lang, 2) if ratio else percent(v, lang))
        for v, hidden in zip(values["value"], values["suppressed"], strict=True)
    ]
    values["population"] = values["population"].fillna(0)
    chart = choropleth(
        areas,
        values,
        "value",
        title,
        value_format=".2f" if ratio else ".0%",
        legend_title=t("col.ratio" if ratio else "col.rate", lang),
        width=520,
        height=340,
        diverging=ratio,
        lang=lang,
    )
    # choropleth() has configured the view already; configure() would replace that config.
    chart.config.font = FONT
    return chart
