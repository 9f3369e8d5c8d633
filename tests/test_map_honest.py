"""The representation map tells the truth (issue 14): a log scale centred on 1, shares from 0,
titles that say what, when, where and from which source, and names that never overlap.

Checked on what is drawn: the rendered PNG's pixels and SVG text positions, and the Vega-Lite
spec the real page (AppTest on the sample database) sends to the browser.
"""

from __future__ import annotations

import io
import json
import re
import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import vl_convert
from PIL import Image
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

import data_pipeline.analysis.catalog as catalog
from data_pipeline.ingest import boundaries as geo
from data_pipeline.present import maps
from tests.conftest import ROOT

WIDTH, HEIGHT = 600, 120


def squares_in_a_row(count: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"area_code": [str(i) for i in range(count)], "name": [f"A{i}" for i in range(count)]},
        geometry=[box(10 + 0.1 * i, 55.0, 10.1 + 0.1 * i, 55.05) for i in range(count)],
        crs="EPSG:4326",
    )


def ratio_values(ratios) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": [str(i) for i in range(len(ratios))],
            "value": ratios,
            "n": ["120"] * len(ratios),
            "population": [1000] * len(ratios),
            "suppressed": [False] * len(ratios),
        }
    )


def fills(ratios) -> list[np.ndarray]:
    """The fill colour of each square, read from the PNG: the squares sit side by side across
    the plot, so the commonest non-white colour in the column through a square's middle is its
    fill."""
    chart = maps.choropleth(
        squares_in_a_row(len(ratios)),
        ratio_values(ratios),
        "value",
        "",
        value_format=".2f",
        diverging=True,
        show_labels=False,
        width=WIDTH,
        height=HEIGHT,
    )
    pixels = np.asarray(Image.open(io.BytesIO(maps.chart_to_png(chart, scale=1))).convert("RGB"))
    colours = []
    for i in range(len(ratios)):
        x = 5 + int((i + 0.5) * WIDTH / len(ratios))  # Vega pads the view by 5 px
        column = [tuple(p) for p in pixels[:, x] if tuple(p) != (255, 255, 255)]
        values, counts = np.unique(np.array(column), axis=0, return_counts=True)
        colours.append(values[counts.argmax()].astype(int))
    return colours


def is_neutral(colour) -> bool:
    return colour.max() - colour.min() < 12 and colour.min() > 225


def test_one_is_neutral_and_barely_more_is_not_darkest():
    # The sample: Lyngå at 1.01 was drawn darkest blue, Bøgely at 1.00 white.
    half, most, one, barely_more = fills([0.5, 0.95, 1.0, 1.01])

    assert is_neutral(one)
    assert is_neutral(barely_more)
    assert np.abs(barely_more - one).max() < 12
    assert half[0] - half[2] > 40  # under-represented: red


def test_scale_is_symmetric_on_a_log_scale_and_clamped():
    quarter, half, one, double, four, nine = fills([0.25, 0.5, 1.0, 2.0, 4.0, 9.0])

    assert half[0] - half[2] > 40, "half as many is red"
    assert double[2] - double[0] > 40, "twice as many is blue"
    # Half and double are equally far from 1, so equally dark.
    assert abs(int(half.mean()) - int(double.mean())) < 25
    assert quarter.mean() < half.mean() and four.mean() < double.mean()
    assert np.abs(nine - four).max() < 3, "beyond 4 the colour is clamped, not missing"
    assert is_neutral(one)


def test_share_scale_starts_at_zero():
    values = ratio_values([0.195, 0.22]).assign(label=["19,5 %", "22,0 %"])
    spec = maps.choropleth(squares_in_a_row(2), values, "value", "Klima", show_labels=False)

    scale = spec.to_dict()["layer"][0]["encoding"]["color"]["scale"]

    assert scale.get("zero") is True or scale.get("domainMin") == 0


def test_suppressed_areas_stay_grey_on_a_ratio_map():
    values = ratio_values([0.5, 1.2]).assign(suppressed=[False, True])
    spec = maps.choropleth(
        squares_in_a_row(2), values, "value", "R", diverging=True, show_labels=False
    ).to_dict()

    hidden = spec["layer"][1]
    assert hidden["encoding"]["color"]["scale"]["range"] == [maps.SUPPRESSED_GREY]
    assert [
        f["properties"]["value"] for f in spec["datasets"][hidden["data"]["name"]]["features"]
    ] == [None]


def text_boxes(svg: str) -> dict[str, tuple[float, float, float, float]]:
    """Every drawn name on the map: a box around its text at 10 px (0.62 em per character)."""
    boxes = {}
    pattern = r'<text[^>]*translate\(([-\d.]+),([-\d.]+)\)[^>]*font-size="10px"[^>]*>([^<]+)</text>'
    for x, y, name in re.findall(pattern, svg):
        x, y, half = float(x), float(y), 0.62 * 10 * len(name) / 2
        boxes[name] = (x - half, y - 10, x + half, y + 2)
    return boxes


def overlapping(boxes) -> list[tuple[str, str]]:
    names = sorted(boxes)
    return [
        (a, b)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if boxes[a][0] < boxes[b][2]
        and boxes[b][0] < boxes[a][2]
        and boxes[a][1] < boxes[b][3]
        and boxes[b][1] < boxes[a][3]
    ]


@pytest.mark.parametrize("size", [(620, 480), (520, 340)])
def test_sample_area_names_do_not_overlap(sample_db, size):
    frame = geo.frame_from_geojson_text(catalog.area_geometries(sample_db))
    values = ratio_values([1.0] * len(frame)).assign(area_code=list(frame["area_code"]))
    chart = maps.choropleth(
        frame, values, "value", "R", diverging=True, width=size[0], height=size[1]
    )

    boxes = text_boxes(vl_convert.vegalite_to_svg(chart.to_json()))

    assert {"Midtbyen", "Havnekvarteret"} <= set(boxes)
    assert overlapping(boxes) == []


# --- the page ------------------------------------------------------------------------------------


@pytest.fixture()
def app_db(sample_db_file, tmp_path, monkeypatch):
    path = tmp_path / "app.duckdb"
    shutil.copy(sample_db_file, path)
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(path))
    monkeypatch.delenv("DELTAGELSESATLAS_MUNICIPALITY", raising=False)
    return path


def map_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/kort.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def map_spec(at: AppTest) -> dict:
    charts = at.get("vega_lite_chart")
    assert charts, "the map is drawn"
    return json.loads(charts[0].proto.spec)


def title_text(spec: dict) -> str:
    title = spec["title"]
    subtitle = title.get("subtitle", [])
    lines = [title["text"], *([subtitle] if isinstance(subtitle, str) else subtitle)]
    return " · ".join(lines)


def test_representation_map_names_group_wave_municipality_and_source(app_db):
    at = map_page()
    at.radio(key="k_measure").set_value("ratio").run()
    assert not at.exception

    spec = map_spec(at)
    text = title_text(spec)

    assert text.startswith("Repræsentation af 18–29-årige · Bølge 2025 · Fjordlund Kommune")
    assert "Kilde: borgerundersøgelsen og Danmarks Statistik" in text
    assert "Ingen filtre" in text
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale["type"] == "log" and scale["domain"] == [0.25, 4.0]
    assert spec["config"]["locale"]["number"]["decimal"] == ","

    at.multiselect(key="k_group_gender").set_value(["kvinde"]).run()
    assert map_spec(at)["title"]["text"].startswith("Repræsentation af 18–29-årige kvinder")


def test_topic_map_scale_starts_at_zero_and_says_its_source(app_db):
    at = map_page()
    at.radio(key="k_measure").set_value("topic").run()
    assert not at.exception

    spec = map_spec(at)

    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale.get("zero") is True or scale.get("domainMin") == 0
    assert "Kilde: borgerundersøgelsen" in title_text(spec)
    assert "Danmarks Statistik" not in title_text(spec)


def test_map_png_carries_the_title(app_db):
    at = map_page()
    at.radio(key="k_measure").set_value("ratio").run()
    spec = map_spec(at)
    svg = vl_convert.vegalite_to_svg(json.dumps(spec))

    assert "Fjordlund Kommune" in svg
    assert "Kilde: borgerundersøgelsen og Danmarks Statistik" in svg
    assert overlapping(text_boxes(svg)) == []


def test_shapes_worked_out_once_draw_the_same_map_as_the_areas_themselves():
    # Kort caches the filter-free part (turned, rounded polygons and placed names) per data
    # version; a map from those shapes must be exactly the map from the boundaries.
    frame = squares_in_a_row(5)
    values = ratio_values([0.5, 1.0, 1.01, 2.0, float("nan")])
    direct = maps.choropleth(
        frame, values, "value", "Klima", diverging=True, width=WIDTH, height=HEIGHT
    )
    shapes = maps.area_shapes(frame, WIDTH, HEIGHT)
    cached = maps.choropleth(shapes, values, "value", "Klima", diverging=True)
    assert cached.to_dict() == direct.to_dict()
    # Five small squares in a row: their names are placed (and some moved), so the labels layer
    # is part of both maps, not silently left out of the cached one.
    assert shapes.places is not None and len(shapes.places) == 5
    assert len(direct.to_dict()["layer"]) > 2
    # Past MAX_LABELLED_AREAS no names are placed at all (placing them is quadratic).
    many = maps.area_shapes(squares_in_a_row(maps.MAX_LABELLED_AREAS + 1))
    assert many.places is None and many.dropped_names() == []
