"""Boundaries: every supported format, the repairs, shared borders, ring winding and the map."""

import io
import json
import pathlib
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import vl_convert
from PIL import Image
from shapely.geometry import MultiPolygon, Polygon, box

from data_pipeline.ingest import boundaries as geo
from data_pipeline.present import maps

REAL_GEO = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "geo"


def write_geojson(path, features, crs_name=None):
    collection = {"type": "FeatureCollection", "features": features}
    if crs_name:
        collection["crs"] = {"type": "name", "properties": {"name": crs_name}}
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


def feature(properties, geometry):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def square(x, y, size=1.0):
    return box(x, y, x + size, y + size)


def ccw_polygon(polygon):
    """The RFC 7946 winding: exterior ring counter-clockwise."""
    return shapely.geometry.polygon.orient(polygon, sign=1.0)


# --- formats and repairs -------------------------------------------------------------------------


def test_geojson_in_utm_with_legacy_crs_member_is_reprojected(tmp_path):
    geometry = shapely.geometry.mapping(box(575000, 6222000, 576000, 6223000))
    path = write_geojson(
        tmp_path / "utm.geojson",
        [feature({"kode": "01", "navn": "Midtbyen"}, geometry)],
        crs_name="urn:ogc:def:crs:EPSG::25832",
    )

    result = geo.read_boundaries(path)

    assert result.frame.crs.to_epsg() == 4326
    assert result.meta["source_crs"] == "EPSG:25832"
    assert result.frame["area_code"].tolist() == ["01"]
    min_lon, min_lat, max_lon, max_lat = geo.bounds_wgs84(result.frame)
    assert 10.19 < min_lon < max_lon < 10.23
    assert 56.13 < min_lat < max_lat < 56.16


def test_three_d_geometries_are_flattened(tmp_path):
    ring = [[12.5, 55.6, -999.0], [12.6, 55.6, -999.0], [12.6, 55.7, -999.0], [12.5, 55.6, -999.0]]
    path = write_geojson(
        tmp_path / "z.geojson",
        [
            feature(
                {"KOMKODE": "0101", "KOMNAVN": "København"},
                {"type": "Polygon", "coordinates": [ring]},
            )
        ],
    )

    result = geo.read_boundaries(path)

    assert not result.frame.geometry.has_z.any()
    assert result.frame["area_code"].tolist() == ["0101"]
    assert result.meta["code_field"] == "KOMKODE"
    assert result.meta["name_field"] == "KOMNAVN"


def test_features_sharing_a_code_are_dissolved_into_one_area(tmp_path):
    island = shapely.geometry.mapping(square(10.0, 55.0, 0.1))
    mainland = shapely.geometry.mapping(square(10.5, 55.0, 0.1))
    path = write_geojson(
        tmp_path / "islands.geojson",
        [
            feature({"kode": "0400", "navn": "Bornholm"}, island),
            feature({"kode": "0400", "navn": "Bornholm"}, mainland),
            feature(
                {"kode": "0101", "navn": "København "}, shapely.geometry.mapping(square(12, 55))
            ),
        ],
    )

    result = geo.read_boundaries(path)

    expected = pd.DataFrame({"area_code": ["0101", "0400"], "name": ["København", "Bornholm"]})
    pd.testing.assert_frame_equal(
        pd.DataFrame(result.frame[["area_code", "name"]]).astype(object), expected.astype(object)
    )
    assert result.meta["features_read"] == 3
    assert result.meta["areas"] == 2
    assert isinstance(result.frame.geometry.iloc[1], MultiPolygon)


def test_a_bow_tie_polygon_is_repaired(tmp_path):
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[10, 55], [10.1, 55.1], [10.1, 55], [10, 55.1], [10, 55]]],
    }
    path = write_geojson(
        tmp_path / "bowtie.geojson", [feature({"kode": "7", "navn": "Sløjfe"}, bow_tie)]
    )

    result = geo.read_boundaries(path)

    assert result.meta["repaired"] == 1
    assert result.frame.geometry.is_valid.all()
    assert result.frame.geometry.iloc[0].geom_type in {"Polygon", "MultiPolygon"}
    assert result.frame.geometry.iloc[0].area == pytest.approx(0.005)


def frame_in_utm():
    return gpd.GeoDataFrame(
        {"sognekode": ["0042", "0043"], "sognenavn": ["Vest", "Øst"]},
        geometry=[box(575000, 6222000, 576000, 6223000), box(576000, 6222000, 577000, 6223000)],
        crs="EPSG:25832",
    )


def test_zipped_shapefile(tmp_path):
    frame_in_utm().to_file(tmp_path / "sogne.shp", engine="pyogrio")
    archive = tmp_path / "sogne.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in tmp_path.glob("sogne.*"):
            if part.suffix != ".zip":
                zipped.write(part, arcname=part.name)

    result = geo.read_boundaries(archive)

    assert result.meta["format"] == "shapefile"
    assert result.frame["area_code"].tolist() == ["0042", "0043"]
    assert result.frame.crs.to_epsg() == 4326
    min_lon, min_lat, max_lon, max_lat = geo.bounds_wgs84(result.frame)
    assert 10.19 < min_lon < max_lon < 10.24 and 56.13 < min_lat < max_lat < 56.16


def test_geopackage(tmp_path):
    path = tmp_path / "sogne.gpkg"
    frame_in_utm().to_file(path, layer="sogne", driver="GPKG", engine="pyogrio")

    result = geo.read_boundaries(path)

    assert result.meta["format"] == "gpkg"
    assert result.meta["source_crs"] == "EPSG:25832"
    assert result.frame["area_code"].tolist() == ["0042", "0043"]
    assert result.frame["name"].tolist() == ["Vest", "Øst"]


def test_topojson_decoder_reads_quantized_arcs_with_a_third_coordinate(tmp_path):
    # Two unit squares sharing the arc x=1; the first position of each arc carries a z.
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.25], "translate": [10.0, 55.0]},
        "arcs": [
            [[2, 0, -999], [0, 4]],  # the shared border, (11,55) -> (11,56)
            [[2, 4, -999], [-2, 0], [0, -4], [2, 0]],  # west square's other three sides
            [[2, 0, -999], [2, 0], [0, 4], [-2, 0]],  # east square's other three sides
        ],
        "objects": {
            "areas": {
                "type": "GeometryCollection",
                "geometries": [
                    {
                        "type": "Polygon",
                        "arcs": [[0, 1]],
                        "properties": {"kode": "01", "navn": "Vest"},
                    },
                    {
                        "type": "Polygon",
                        "arcs": [[2, -1]],
                        "properties": {"kode": "02", "navn": "Øst"},
                    },
                ],
            }
        },
    }
    path = tmp_path / "areas.topojson"
    path.write_text(json.dumps(topology), encoding="utf-8")

    result = geo.read_boundaries(path)

    assert result.meta["format"] == "topojson"
    assert geo.bounds_wgs84(result.frame) == [10.0, 55.0, 12.0, 56.0]
    assert result.frame.geometry.iloc[0].equals(box(10, 55, 11, 56))
    assert result.frame.geometry.iloc[1].equals(box(11, 55, 12, 56))


# --- choosing fields -----------------------------------------------------------------------------


def test_no_obvious_code_column_lists_the_properties(tmp_path):
    path = write_geojson(
        tmp_path / "vague.geojson",
        [feature({"omraade": "A", "beskrivelse": "x"}, shapely.geometry.mapping(square(10, 55)))],
    )

    with pytest.raises(geo.BoundaryError, match="Cannot find a code column.*omraade, beskrivelse"):
        geo.read_boundaries(path)


def test_an_unknown_explicit_field_is_named(tmp_path):
    path = write_geojson(
        tmp_path / "ok.geojson",
        [feature({"kode": "1", "navn": "A"}, shapely.geometry.mapping(square(10, 55)))],
    )

    with pytest.raises(geo.BoundaryError, match="'bydel'.*kode, navn") as raised:
        geo.read_boundaries(path, code_field="bydel")
    assert raised.value.field == "bydel"
    assert raised.value.available == ["kode", "navn"]


# --- display geometry ----------------------------------------------------------------------------


def wiggly_neighbours():
    """Two areas split by a zig-zag border with many small teeth, in lon/lat near Odense."""
    border = [
        (10.40 + 0.0004 * ((i % 2) * 2 - 1), y)
        for i, y in enumerate(np.linspace(55.35, 55.45, 301))
    ]
    west = Polygon([(10.30, 55.35), *border, (10.30, 55.45)])
    east = Polygon([*border, (10.50, 55.45), (10.50, 55.35)])
    return gpd.GeoDataFrame(
        {"area_code": ["1", "2"], "name": ["Vest", "Øst"]}, geometry=[west, east], crs="EPSG:4326"
    )


def test_simplify_for_display_keeps_the_shared_border_shared():
    frame = wiggly_neighbours()

    result = geo.simplify_for_display(frame, tolerance_m=200)

    metric = result.to_crs(geo.METRIC_CRS).geometry
    west, east = metric.iloc[0], metric.iloc[1]
    assert shapely.get_num_coordinates(west) < shapely.get_num_coordinates(frame.geometry.iloc[0])
    assert west.intersection(east).area == pytest.approx(0, abs=1e-3)
    assert west.union(east).area == pytest.approx(west.area + east.area, rel=1e-9)
    assert len(west.union(east).interiors) == 0


def test_orient_for_vega_winds_exterior_rings_clockwise():
    with_hole = Polygon(square(0, 0, 4).exterior.coords, [square(1, 1, 1).exterior.coords])
    frame = gpd.GeoDataFrame(
        {"area_code": ["1", "2"], "name": ["A", "B"]},
        geometry=[ccw_polygon(with_hole), MultiPolygon([ccw_polygon(square(5, 5)), square(7, 7)])],
        crs="EPSG:4326",
    )

    result = maps.orient_for_vega(frame)

    polygons = [p for g in result.geometry for p in shapely.get_parts(g)]
    assert len(polygons) == 3
    assert not any(p.exterior.is_ccw for p in polygons)
    assert all(hole.is_ccw for p in polygons for hole in p.interiors)


def test_geojson_rows_round_trip():
    frame = gpd.GeoDataFrame(
        {"area_code": ["0101"], "name": ["København"]},
        geometry=[square(12.5, 55.6, 0.1)],
        crs="EPSG:4326",
    )

    rows = geo.frame_to_geojson_rows(frame)
    result = geo.frame_from_geojson_text(rows)

    assert rows[0][:2] == ("0101", "København")
    assert result.crs.to_epsg() == 4326
    assert result["area_code"].tolist() == ["0101"]
    assert result.geometry.iloc[0].equals(frame.geometry.iloc[0])


# --- the map -------------------------------------------------------------------------------------


def two_adjacent_squares():
    return gpd.GeoDataFrame(
        {"area_code": ["1", "2"], "name": ["Vest", "Øst"]},
        geometry=[ccw_polygon(square(10.0, 55.0, 0.1)), ccw_polygon(square(10.1, 55.0, 0.1))],
        crs="EPSG:4326",
    )


def largest_colour_share(png: bytes) -> float:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    _, counts = np.unique(pixels, axis=0, return_counts=True)
    return counts.max() / counts.sum()


def values_for(codes, rates, suppressed=()):
    return pd.DataFrame(
        {
            "area_code": codes,
            "value": rates,
            "n": ["<5" if code in suppressed else "120" for code in codes],
            "population": [25_000] * len(codes),
            "suppressed": [code in suppressed for code in codes],
            "label": [f"{rate:.0%}" for rate in rates],
        }
    )


def test_map_of_two_squares_does_not_fill_the_whole_frame():
    # Counter-clockwise (RFC 7946) rings, as read from a GeoJSON file: choropleth must re-orient.
    chart = maps.choropleth(
        two_adjacent_squares(),
        values_for(["1", "2"], [0.2, 0.6]),
        "value",
        "Svar",
        show_labels=False,
    )

    share = largest_colour_share(maps.chart_to_png(chart, scale=1))

    # Each square takes about 37% of the image. A counter-clockwise ring is drawn by d3 as the
    # whole globe minus the square, and its colour then covers about 65%.
    assert share < 0.5


def inline_features(spec):
    """Every GeoJSON feature inlined anywhere in a Vega-Lite spec (Altair may hoist the data)."""
    if isinstance(spec, dict):
        if spec.get("type") == "Feature":
            return [spec]
        return [f for value in spec.values() for f in inline_features(value)]
    if isinstance(spec, list):
        return [f for value in spec for f in inline_features(value)]
    return []


def test_the_frame_check_catches_counter_clockwise_rings():
    chart = maps.choropleth(
        two_adjacent_squares(),
        values_for(["1", "2"], [0.2, 0.6]),
        "value",
        "Svar",
        show_labels=False,
    )
    spec = chart.to_dict()
    for feature_ in inline_features(spec):
        # Undo orient_for_vega: wind the exterior ring counter-clockwise again.
        feature_["geometry"]["coordinates"][0].reverse()

    share = largest_colour_share(vl_convert.vegalite_to_png(json.dumps(spec), scale=1))

    assert share > 0.5


def test_suppressed_areas_are_grey_and_keep_their_value_out_of_the_chart():
    frame = two_adjacent_squares()
    values = values_for(["1", "2"], [0.2, 0.6], suppressed={"2"})

    spec = maps.choropleth(frame, values, "value", "Svar", show_labels=False).to_dict()

    hidden = spec["datasets"][spec["layer"][1]["data"]["name"]]["features"]
    assert [f["properties"]["label"] for f in hidden] == ["Skjult (for få svar)"]
    assert hidden[0]["properties"]["value"] is None
    assert spec["layer"][1]["encoding"]["color"]["scale"]["range"] == [maps.SUPPRESSED_GREY]


def test_diverging_scale_is_centred_on_one():
    values = values_for(["1", "2"], [0.5, 1.5])

    spec = maps.choropleth(
        two_adjacent_squares(), values, "value", "Ratio", diverging=True
    ).to_dict()

    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    # Issue 14: symmetric on a log scale around 1, clamped at 1/4 and 4.
    assert scale == {
        "type": "log",
        "domain": [0.25, 4.0],
        "domainMid": 1,
        "scheme": "redblue",
        "clamp": True,
    }


# --- the real files ------------------------------------------------------------------------------


def real_file(name):
    if not REAL_GEO.is_dir():
        pytest.skip(f"the real boundary files are not here: {REAL_GEO}")
    return REAL_GEO / name


def test_real_copenhagen_districts():
    result = geo.read_boundaries(real_file("kbh_bydele.geojson"))

    assert result.meta["code_field"] == "bydel_nr"
    assert sorted(result.frame["area_code"], key=int) == [str(n) for n in range(1, 11)]
    assert "Indre By" in result.frame["name"].tolist()


def test_real_aarhus_local_communities_in_utm():
    path = real_file("aarhus_lokalsamfund.geojson")
    with pytest.raises(geo.BoundaryError, match="Kan ikke finde en kodekolonne.*lokalsamfund"):
        geo.read_boundaries(path)

    result = geo.read_boundaries(path, code_field="lokalsamfund", name_field="distrikt")

    assert result.meta["source_crs"] == "EPSG:25832"
    assert result.meta["areas"] == 24
    assert "01" in result.frame["area_code"].tolist()
    min_lon, min_lat, max_lon, max_lat = geo.bounds_wgs84(result.frame)
    assert 9.9 < min_lon < max_lon < 10.5
    assert 55.95 < min_lat < max_lat < 56.35


def test_real_municipalities_are_flattened_and_dissolved():
    result = geo.read_boundaries(real_file("dagi2014_kommuner.geojson"))

    assert result.meta["features_read"] == 311
    assert result.frame["area_code"].nunique() == 99
    assert "0101" in result.frame["area_code"].tolist()
    assert not result.frame.geometry.has_z.any()


def test_real_parishes_topojson_decodes_inside_denmark():
    result = geo.read_boundaries(real_file("dagi2014_sogne.topojson"))

    assert result.meta["format"] == "topojson"
    assert result.meta["areas"] == 2148
    assert result.frame.geometry.is_valid.all()
    bounds = result.frame.geometry.bounds
    assert bounds["minx"].min() > 8 and bounds["maxx"].max() < 15.3
    assert bounds["miny"].min() > 54.5 and bounds["maxy"].max() < 57.8


def test_real_copenhagen_rode_areas_are_repaired():
    result = geo.read_boundaries(real_file("kbh_roder.geojson"), "rode_nr", "rodenavn")

    assert result.meta["repaired"] == 2
    assert result.frame.geometry.is_valid.all()


def test_real_local_council_names_are_trimmed():
    result = geo.read_boundaries(real_file("kbh_roder.geojson"), "lokaludvalgnr", "lokaludvalgnavn")

    assert result.meta["areas"] == 12
    assert all(name == name.strip() for name in result.frame["name"])


def test_real_copenhagen_map_renders_to_png():
    frame = geo.simplify_for_display(geo.read_boundaries(real_file("kbh_bydele.geojson")).frame)
    codes = frame["area_code"].tolist()
    rates = [0.08 + 0.03 * int(code) for code in codes]
    chart = maps.choropleth(
        frame, values_for(codes, rates, suppressed={"7"}), "value", "Svarprocent"
    )

    png = maps.chart_to_png(chart)

    assert png.startswith(b"\x89PNG")
    pathlib.Path("/tmp/geo_check.png").write_bytes(png)
