"""The choropleth: one value per area as an Altair map from inline GeoJSON, and its PNG.

Owns the colour scales, the legend, the tooltip and the hidden (suppressed) areas; names on the
map are placed by map_labels.py. A suppressed value never reaches the chart data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import altair as alt
import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from data_pipeline.core.i18n import t
from data_pipeline.core.numbers import number
from data_pipeline.ingest.boundaries import WGS84
from data_pipeline.ingest.geo_repair import polygonal
from data_pipeline.present.map_labels import name_layers, place_labels

SUPPRESSED_GREY = "#d4d4d4"
DIVERGING_STROKE = "#9e9e9e"
# Beyond this many areas the names overlap into noise, so they are only drawn on request.
MAX_LABELLED_AREAS = 40
# Ratios are coloured on a log scale from 1/4 to 4, clamped: 1 is always the neutral middle, half
# as many as expected is exactly as dark as twice as many, and 1.01 is barely tinted.
RATIO_LIMIT = 4.0
RATIO_TICKS = (0.25, 0.5, 1.0, 2.0, 4.0)
SELECTED_STROKE = "#111111"  # the area chosen as filter, outlined on top of its colour
# The chart's named datasets: areas with a value, areas hidden or without one, the chosen area.
SHOWN_DATA, HIDDEN_DATA, SELECTED_DATA = "areas-shown", "areas-hidden", "area-selected"


@dataclass(frozen=True)
class AreaShapes:
    """The areas as a map draws them, worked out once per set of boundaries and map size.

    Nothing in it depends on a filter, so a page caches it per data version and a filter change
    only fills in values: turning, rounding and labelling the polygons was most of a Kort rerun.
    `shapes` holds (area_code, name, GeoJSON geometry in WGS84, wound as d3 expects, rounded);
    `places` is place_labels' table when names are drawn (few areas), else None.
    """

    shapes: tuple[tuple[str, str, dict], ...]
    places: pd.DataFrame | None
    width: int
    height: int

    def dropped_names(self) -> list[str]:
        """Names with no free place on the map (in the tooltip only)."""
        if self.places is None:
            return []
        return self.places.loc[self.places["dropped"], "name"].tolist()


def area_shapes(
    frame: gpd.GeoDataFrame, width: int = 620, height: int = 480, labels: bool | None = None
) -> AreaShapes:
    """The filter-free part of a map of `frame` (see AreaShapes); `labels` as show_labels."""
    oriented = orient_for_vega(frame.to_crs(WGS84))
    shapes = tuple(
        (str(row.area_code), row.name, _rounded(shapely.geometry.mapping(row.geometry)))
        for row in oriented.itertuples(index=False)
    )
    # Placing names is quadratic in the areas; past MAX_LABELLED_AREAS they are not drawn.
    named = labels if labels is not None else len(shapes) <= MAX_LABELLED_AREAS
    places = place_labels(frame, width, height) if named else None
    return AreaShapes(shapes, places, width, height)


def choropleth(
    frame: gpd.GeoDataFrame | AreaShapes,
    values: pd.DataFrame,
    value_field: str,
    title: str,
    value_format: str = ",.0%",
    legend_title: str = "",
    suppressed_label: str | None = None,
    width: int = 620,
    height: int = 480,
    diverging: bool = False,
    tooltip_titles: dict | None = None,
    show_labels: bool | None = None,
    categorical: bool = False,
    subtitle: str | list[str] | None = None,
    locale: dict | None = None,
    select: str | None = None,
    selected: str | None = None,
    lang: str = "da",
) -> alt.LayerChart:
    """A map of one value per area, drawn from inline GeoJSON so it works offline.

    `frame` is the areas' GeoDataFrame, or their AreaShapes worked out beforehand (a page caches
    those per data version; then `width`, `height` and `show_labels` are the shapes' own).
    `values` is keyed by area_code with the column `value_field` (float or NaN), `n`, `population`,
    `suppressed` and `label` (the value as text). Suppressed or missing areas are grey and their
    value never reaches the chart data. `diverging` colours ratios on a log scale
    centred on 1 (red under, blue over, 1 neutral, clamped at 1/4 and 4); other values on a
    sequential scale that starts at 0. Names are written on the map when there are few areas (or
    show_labels=True), moved aside with a leader line where they would overlap, and left to the
    tooltip when no free place is found. `subtitle` lines (group, filters, source) go under the
    title, so a downloaded PNG says what it shows; `locale` is a Vega `{number, time}` locale.
    `select` names a click selection on the shown areas (its field: `area_code`), for a page that
    filters by the clicked area; `selected` is the area_code drawn with a dark outline. The
    tooltip titles, the hidden areas' label and the citizens' count read in `lang` unless given.
    """
    titles = {
        "name": t("tooltip.area", lang),
        "value": t("tooltip.value", lang),
        "n": t("tooltip.n", lang),
        "population": t("tooltip.population", lang),
        **(tooltip_titles or {}),
    }
    if suppressed_label is None:
        suppressed_label = t("map.suppressed", lang)
    if isinstance(frame, AreaShapes):
        areas, width, height = frame, frame.width, frame.height
    else:
        areas = area_shapes(frame, width, height, show_labels)
    features = _choropleth_features(
        areas, values, value_field, value_format, suppressed_label, lang
    )
    shown = [f for f in features if f["properties"]["shown"]]
    hidden = [f for f in features if not f["properties"]["shown"]]
    tooltip = [
        alt.Tooltip("properties.name:N", title=titles["name"]),
        alt.Tooltip("properties.label:N", title=titles["value"]),
        alt.Tooltip("properties.n:N", title=titles["n"]),
        alt.Tooltip("properties.population:N", title=titles["population"]),
    ]
    # The polygons are named datasets of the finished chart, not inline data of each layer:
    # Altair deep-copies a layer's data at every chained call (mark, encode, project, layer,
    # properties), and that copying of some 40,000 coordinates was a third of a Kort rerun.
    datasets = {SHOWN_DATA: _collection(shown)}
    layers = [_value_layer(value_format, legend_title, diverging, tooltip, categorical)]
    if select:
        # A click chooses one area, shift-click adds one; a click outside the areas keeps them.
        click = alt.selection_point(name=select, fields=["area_code"], on="click", clear=False)
        layers[0] = (
            layers[0].transform_calculate(area_code="datum.properties.area_code").add_params(click)
        )
    if hidden:
        datasets[HIDDEN_DATA] = _collection(hidden)
        layers.append(_hidden_layer(suppressed_label, tooltip))
    if selected is not None:
        outline = [f for f in features if f["properties"]["area_code"] == str(selected)]
        if outline:
            datasets[SELECTED_DATA] = _collection(outline)
            layers.append(
                alt.Chart(_geo_data(SELECTED_DATA))
                .mark_geoshape(filled=False, stroke=SELECTED_STROKE, strokeWidth=3)
                .project(type="mercator")
            )
    if areas.places is not None:
        layers.extend(name_layers(areas.places))
    heading = (
        alt.TitleParams(
            text=title,
            subtitle=subtitle,
            anchor="start",
            fontSize=15,
            subtitleFontSize=12,
            subtitleColor="#444444",
        )
        if subtitle
        else title
    )
    chart = (
        alt.layer(*layers)
        .resolve_scale(color="independent")
        .properties(title=heading, width=width, height=height)
        .configure_view(stroke=None)
    )
    chart.datasets = datasets  # set, not passed through properties(): no copy, no validation
    if locale:
        chart.config.locale = locale
    return chart


def _choropleth_features(
    areas: AreaShapes,
    values: pd.DataFrame,
    value_field: str,
    value_format: str,
    suppressed_label: str,
    lang: str = "da",
) -> list[dict]:
    by_code = values.assign(area_code=values["area_code"].astype(str)).set_index("area_code")
    # One value per area; a repeated code would otherwise turn a row lookup into a table.
    by_code = by_code[~by_code.index.duplicated(keep="first")]
    features = []
    for area_code, name, geometry in areas.shapes:
        record = by_code.loc[area_code] if area_code in by_code.index else None
        properties = _area_properties(
            area_code, name, record, value_field, value_format, suppressed_label, lang
        )
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    return features


def _area_properties(
    area_code: str, name: str, record, value_field, value_format, suppressed_label, lang="da"
) -> dict:
    value = _float_or_none(record.get(value_field)) if record is not None else None
    suppressed = record is not None and bool(record.get("suppressed", False))
    shown = value is not None and not suppressed
    label = record.get("label") if record is not None and "label" in record.index else None
    if not shown:
        label = suppressed_label
    elif label is None or pd.isna(label):
        label = _format_value(value, value_format)
    return {
        "area_code": area_code,
        "name": name,
        # A suppressed value stays out of the chart data: the browser could otherwise reveal it.
        "value": value if shown else None,
        "shade": _shade(value) if shown else None,
        "label": str(label),
        "n": _text_or_blank(record.get("n")) if record is not None else "",
        "population": _population_text(record.get("population"), lang)
        if record is not None
        else "",
        "shown": shown,
    }


def _shade(value: float) -> float:
    """The value as coloured on a ratio map: clamped into [1/RATIO_LIMIT, RATIO_LIMIT]."""
    return min(max(value, 1 / RATIO_LIMIT), RATIO_LIMIT)


def _float_or_none(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _format_value(value: float, value_format: str) -> str:
    # d3 and Python agree on the common specs (",.0%", ".2f"); fall back to plain text otherwise.
    try:
        return format(value, value_format)
    except ValueError:
        return str(value)


def _text_or_blank(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _population_text(value, lang: str = "da") -> str:
    count = _float_or_none(value)
    if count is None:
        return _text_or_blank(value)
    # 12.345 borgere / 12,345 citizens.
    return number(count, lang)


def _rounded(geometry: dict) -> dict:
    """Round to 6 decimals (~10 cm): plenty for a map and a third of the JSON size."""

    def walk(item):
        if isinstance(item, list | tuple):
            return [walk(part) for part in item]
        return round(item, 6) if isinstance(item, float) else item

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _geo_data(name: str) -> alt.Data:
    """A reference to one of the chart's named GeoJSON datasets (SHOWN_DATA, ...)."""
    return alt.Data(name=name, format=alt.DataFormat(property="features"))


def _value_layer(value_format, legend_title, diverging, tooltip, categorical=False):
    # Ratios read against 1 (as many as expected); rates read from low to high; groups (such as
    # clusters of areas) get distinct colours named by their label.
    if categorical:
        colour = alt.Color(
            "properties.label:N",
            scale=alt.Scale(scheme="set2"),
            legend=alt.Legend(
                title=legend_title or None, orient="bottom", columns=1, labelLimit=600
            ),
        )
    elif diverging:
        # Symmetric on a log scale around 1: red = fewer than expected, blue = more.
        colour = alt.Color(
            "properties.shade:Q",
            scale=alt.Scale(
                type="log",
                domain=[1 / RATIO_LIMIT, RATIO_LIMIT],
                domainMid=1,
                scheme="redblue",
                clamp=True,
            ),
            legend=alt.Legend(
                title=legend_title or None,
                # 0.25, 0.5, 1, 2, 4: as few decimals as each needs (commas under a Danish locale).
                format="~g",
                values=list(RATIO_TICKS),
                orient="right",
                gradientLength=180,
            ),
        )
    else:
        # Shares and rates start at 0: a scale from 19.5 % makes 2-3 points look dramatic.
        colour = alt.Color(
            "properties.value:Q",
            scale=alt.Scale(scheme="blues", zero=True, domainMin=0),
            legend=alt.Legend(title=legend_title or None, format=value_format, orient="right"),
        )
    # The diverging midpoint is near-white, so white borders would vanish around ratios near 1.
    stroke = DIVERGING_STROKE if diverging else "white"
    return (
        alt.Chart(_geo_data(SHOWN_DATA))
        .mark_geoshape(stroke=stroke, strokeWidth=0.8)
        .encode(color=colour, tooltip=tooltip)
        .project(type="mercator")
    )


def _hidden_layer(suppressed_label, tooltip) -> alt.Chart:
    # Its own one-entry legend explains the grey.
    colour = alt.Color(
        "properties.label:N",
        scale=alt.Scale(domain=[suppressed_label], range=[SUPPRESSED_GREY]),
        legend=alt.Legend(title=None, orient="right", symbolType="square"),
    )
    return (
        alt.Chart(_geo_data(HIDDEN_DATA))
        .mark_geoshape(stroke="white", strokeWidth=0.8)
        .encode(color=colour, tooltip=tooltip)
        .project(type="mercator")
    )


# --- shapes as d3 draws them ---------------------------------------------------------------------


def orient_for_vega(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Wind exterior rings clockwise and holes counter-clockwise, as d3 expects.

    GeoJSON (RFC 7946) winds the other way, and d3 reads such a ring as "the whole globe except
    this area", so a single polygon paints the entire chart.
    """
    oriented = [_orient_clockwise(g) for g in frame.geometry]
    return frame.set_geometry(gpd.GeoSeries(oriented, index=frame.index, crs=frame.crs))


def _orient_clockwise(geometry):
    if geometry is None or geometry.is_empty:
        return geometry
    if isinstance(geometry, Polygon):
        return orient(geometry, sign=-1.0)
    if isinstance(geometry, MultiPolygon):
        return MultiPolygon([orient(part, sign=-1.0) for part in geometry.geoms])
    return _orient_clockwise(polygonal(geometry))


# --- PNG -----------------------------------------------------------------------------------------


def chart_to_png(chart: alt.TopLevelMixin, scale: float = 2) -> bytes:
    """Render a chart to PNG bytes offline (vl-convert), for reports and checks."""
    import vl_convert

    return vl_convert.vegalite_to_png(chart.to_json(), scale=scale)
