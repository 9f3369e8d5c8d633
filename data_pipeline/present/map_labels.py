"""Area names on the map: where each goes, moved aside with a leader line when names would
overlap, or left to the tooltip when no free place is found.
"""

from __future__ import annotations

import math

import altair as alt
import geopandas as gpd
import pandas as pd

from data_pipeline.ingest.boundaries import METRIC_CRS, WGS84

LABEL_COLOUR = "#222222"
LABEL_FONT_SIZE = 10
# A conservative width of one character of the 10 px label font, in pixels (with its halo).
LABEL_CHAR_WIDTH = 6.4
LEADER_COLOUR = "#555555"


def label_points(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A point inside each area for its name; found in metres so thin areas get a sensible spot."""
    metric = frame.to_crs(METRIC_CRS)
    points = metric.geometry.representative_point()
    return metric.set_geometry(points).to_crs(WGS84)


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    lat = max(min(lat, 85.0), -85.0)
    return math.radians(lon), math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _inverse_mercator(x: float, y: float) -> tuple[float, float]:
    return math.degrees(x), math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def _label_box(x: float, y: float, name: str) -> tuple[float, float, float, float]:
    half_width = LABEL_CHAR_WIDTH * len(name) / 2 + 2
    half_height = LABEL_FONT_SIZE / 2 + 2
    return x - half_width, y - half_height, x + half_width, y + half_height


def _overlaps(box, boxes) -> bool:
    return any(
        box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]
        for other in boxes
    )


def place_labels(frame: gpd.GeoDataFrame, width: int, height: int) -> pd.DataFrame:
    """Where each area's name goes: name, lon/lat of its area's inner point, label_lon/label_lat
    of the text and `moved` (a leader line is drawn) or `dropped` (no free place: tooltip only).

    The map is fitted to its areas as Vega's Mercator fit does; largest areas are placed first at
    their inner point, smaller ones try spots around theirs until one is free of other names."""
    points = label_points(frame)
    lonlat = frame.to_crs(WGS84)
    min_lon, min_lat, max_lon, max_lat = lonlat.total_bounds
    x0, y0 = _mercator(min_lon, min_lat)
    x1, y1 = _mercator(max_lon, max_lat)
    scale = min(width / max(x1 - x0, 1e-12), height / max(y1 - y0, 1e-12))
    # Vega centres the fitted extent in the view.
    pad_x = (width - (x1 - x0) * scale) / 2
    pad_y = (height - (y1 - y0) * scale) / 2

    def to_pixels(lon: float, lat: float) -> tuple[float, float]:
        x, y = _mercator(lon, lat)
        return pad_x + (x - x0) * scale, pad_y + (y1 - y) * scale

    def to_lonlat(px: float, py: float) -> tuple[float, float]:
        return _inverse_mercator((px - pad_x) / scale + x0, y1 - (py - pad_y) / scale)

    sizes = frame.to_crs(METRIC_CRS).geometry.area.to_numpy()
    order = sorted(range(len(frame)), key=lambda i: -sizes[i])
    step = LABEL_FONT_SIZE + 4
    rows, placed = [None] * len(frame), []
    for i in order:
        name = str(points["name"].iloc[i])
        lon, lat = float(points.geometry.iloc[i].x), float(points.geometry.iloc[i].y)
        px, py = to_pixels(lon, lat)
        half = LABEL_CHAR_WIDTH * len(name) / 2 + 6
        offsets = [(0, 0), (0, -step), (0, step), (0, -2 * step), (0, 2 * step)]
        offsets += [(half, -step), (-half, -step), (half, step), (-half, step)]
        offsets += [(0, -3 * step), (0, 3 * step), (2 * half, 0), (-2 * half, 0)]
        row = {"name": name, "lon": lon, "lat": lat, "moved": False, "dropped": True}
        for dx, dy in offsets:
            box = _label_box(px + dx, py + dy, name)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height
            if inside and not _overlaps(box, placed):
                placed.append(box)
                label_lon, label_lat = to_lonlat(px + dx, py + dy)
                row.update(
                    label_lon=label_lon,
                    label_lat=label_lat,
                    moved=(dx, dy) != (0, 0),
                    dropped=False,
                )
                break
        rows[i] = row
    table = pd.DataFrame(rows)
    for column in ("lon", "lat", "label_lon", "label_lat"):
        if column not in table:
            table[column] = float("nan")
        table[column] = table[column].astype(float).round(6)
    return table


def name_layers(placed: pd.DataFrame) -> list[alt.Chart]:
    """The names (with a white halo) and leader lines drawn from place_labels' table."""
    kept = placed[~placed["dropped"]]
    labels = kept[["name", "label_lon", "label_lat"]].rename(
        columns={"label_lon": "lon", "label_lat": "lat"}
    )
    layers = []
    moved = kept[kept["moved"]]
    if len(moved):
        # A short leader from the area's inner point to its moved name, and a dot on the point.
        leaders = moved[["lon", "lat", "label_lon", "label_lat"]].to_dict(orient="records")
        leader = alt.Chart(alt.Data(values=leaders)).mark_rule(color=LEADER_COLOUR, strokeWidth=0.8)
        layers.append(
            leader.encode(
                alt.Longitude("lon:Q"),
                alt.Latitude("lat:Q"),
                alt.Longitude2("label_lon"),
                alt.Latitude2("label_lat"),
            ).project(type="mercator")
        )
        dots = alt.Chart(alt.Data(values=leaders)).mark_circle(size=12, color=LEADER_COLOUR)
        layers.append(
            dots.encode(alt.Longitude("lon:Q"), alt.Latitude("lat:Q")).project(type="mercator")
        )
    # Channel objects, not "lon:Q" strings: Altair rebuilds a table of its whole schema for
    # every string it has to turn into a channel (about 10 ms each, a fifth of a Kort rerun).
    base = alt.Chart(alt.Data(values=labels.to_dict(orient="records"))).encode(
        alt.Longitude("lon:Q"), alt.Latitude("lat:Q"), alt.Text("name:N")
    )
    # The same text twice: a thick white stroke underneath keeps it legible on dark blue.
    halo = base.mark_text(
        fontSize=LABEL_FONT_SIZE, stroke="white", strokeWidth=3, strokeJoin="round"
    )
    ink = base.mark_text(fontSize=LABEL_FONT_SIZE, fill=LABEL_COLOUR)
    return [*layers, halo.project(type="mercator"), ink.project(type="mercator")]
