"""Area boundaries: read, reproject, flatten, repair, dissolve, simplify, orient and draw them.

Everything leaves this module in WGS84 lon/lat (EPSG:4326). It must never import streamlit.
"""

from __future__ import annotations

import json
import math
import os
import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from data_pipeline.ingest.geo_repair import RepairTimeout, repair_within

WGS84 = "EPSG:4326"
# UTM zone 32N covers all of Denmark well enough for metre-based tolerances and label points.
METRIC_CRS = "EPSG:25832"

SUPPRESSED_GREY = "#d4d4d4"
LABEL_COLOUR = "#222222"
DIVERGING_STROKE = "#9e9e9e"
DEFAULT_TOOLTIP_TITLES = {"name": "Område", "value": "Værdi", "n": "Svar", "population": "Borgere"}
# Beyond this many areas the names overlap into noise, so they are only drawn on request.
MAX_LABELLED_AREAS = 40
# Ratios are coloured on a log scale from 1/4 to 4, clamped: 1 is always the neutral middle, half
# as many as expected is exactly as dark as twice as many, and 1.01 is barely tinted.
RATIO_LIMIT = 4.0
RATIO_TICKS = (0.25, 0.5, 1.0, 2.0, 4.0)
LABEL_FONT_SIZE = 10
# A conservative width of one character of the 10 px label font, in pixels (with its halo).
LABEL_CHAR_WIDTH = 6.4
LEADER_COLOUR = "#555555"

_CODE_WORDS = ("kode", "code", "nr", "no", "nummer", "number")
_NAME_WORDS = ("navn", "name")
_FORMATS_BY_SUFFIX = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".topojson": "topojson",
    ".gpkg": "gpkg",
    ".zip": "shapefile",
    ".shp": "shapefile",
}


def max_vertices() -> int:
    """Danish parish boundaries (DAGI, full detail) hold a few million vertices in all."""
    return int(os.environ.get("DELTAGELSESATLAS_MAX_VERTICES", "5000000"))


class BoundaryError(ValueError):
    """A boundary file that cannot be used, explained in Danish and English for the user."""

    def __init__(self, message: str, *, field: str | None = None, available: Iterable[str] = ()):
        super().__init__(message)
        self.field = field
        self.available = list(available)


@dataclass
class Boundaries:
    """One row per area (area_code, name, geometry) in EPSG:4326, plus what was read."""

    frame: gpd.GeoDataFrame
    meta: dict = field(default_factory=dict)


# --- reading -------------------------------------------------------------------------------------


def read_boundaries(
    path: str | Path, code_field: str | None = None, name_field: str | None = None
) -> Boundaries:
    """Read a GeoJSON, TopoJSON, GeoPackage or zipped Shapefile into one row per area code."""
    path = Path(path)
    file_format = _detect_format(path)
    # Our own TopoJSON decoder: GDAL's breaks the DAGI parishes (see read_topojson).
    raw = read_topojson(path) if file_format == "topojson" else _read_with_gdal(path, file_format)
    if raw.empty:
        raise BoundaryError(
            f"Filen {path.name} indeholder ingen områder. / The file {path.name} contains no areas."
        )
    coordinates = shapely.get_coordinates(raw.geometry.to_numpy())
    if len(coordinates) and not np.isfinite(coordinates).all():
        raise BoundaryError(
            f"Filen {path.name} har koordinater, der ikke er tal (NaN eller uendelig). / "
            f"The file {path.name} has coordinates that are not numbers (NaN or infinite)."
        )

    properties = [column for column in raw.columns if column != "geometry"]
    candidates = {
        "code": _code_candidates(raw, properties),
        "name": _name_candidates(raw, properties),
    }
    code_field = _choose_code_field(code_field, candidates["code"], properties)
    name_field = _choose_name_field(name_field, code_field, candidates["name"], properties)

    source_crs = _crs_label(raw.crs)
    frame = gpd.GeoDataFrame(
        {
            "area_code": _as_text(raw[code_field]),
            "name": _as_text(raw[name_field]).str.strip(),
        },
        geometry=shapely.force_2d(raw.geometry.to_numpy()),
        crs=raw.crs,
    )
    frame = frame[frame["area_code"].notna() & frame.geometry.notna() & ~frame.geometry.is_empty]
    frame, repaired = _repair(frame)
    frame = _dissolve_by_code(frame.to_crs(WGS84))
    meta = {
        "format": file_format,
        "source_crs": source_crs,
        "code_field": code_field,
        "name_field": name_field,
        "features_read": len(raw),
        "areas": len(frame),
        "repaired": repaired,
        "candidates": candidates,
    }
    return Boundaries(frame=frame, meta=meta)


def _detect_format(path: Path) -> str:
    file_format = _FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if file_format is None:
        raise BoundaryError(
            f"Ukendt filtype {path.suffix!r}: brug GeoJSON, TopoJSON, GeoPackage eller zippet "
            f"Shapefile. / Unknown file type {path.suffix!r}: use GeoJSON, TopoJSON, GeoPackage "
            "or a zipped Shapefile."
        )
    if file_format == "geojson" and _looks_like_topojson(path):
        return "topojson"
    return file_format


def _looks_like_topojson(path: Path) -> bool:
    # A TopoJSON file is often saved as .json; its first bytes say {"type":"Topology".
    with path.open("rb") as handle:
        head = handle.read(512).decode("utf-8", errors="ignore")
    return re.search(r'"type"\s*:\s*"Topology"', head) is not None


def _read_with_gdal(path: Path, file_format: str) -> gpd.GeoDataFrame:
    if file_format == "gpkg":
        _require_geopackage(path)
    source = _gdal_source(path) if file_format == "shapefile" else str(path)
    try:
        with warnings.catch_warnings():  # GDAL's warnings quote the server path
            warnings.simplefilter("ignore", RuntimeWarning)
            layer = _polygon_layer(source) if file_format == "gpkg" else None
            raw = gpd.read_file(source, layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        raise BoundaryError(
            f"Kan ikke læse {path.name}: {error} / Cannot read {path.name}: {error}"
        ) from error
    except shapely.errors.GEOSException as error:  # NaN coordinates, rings that do not close
        raise BoundaryError(
            f"{path.name} har geometrier, der ikke kan læses (koordinater, der ikke er tal, "
            "eller ringe, der ikke slutter). / The file has geometries that cannot be read "
            "(coordinates that are not numbers, or rings that do not close)."
        ) from error
    if raw.crs is None or _is_lonlat(raw.crs):
        raw = _guess_missing_crs(raw)
    return raw


def _require_geopackage(path: Path) -> None:
    """A GeoPackage is SQLite with application_id 'GPKG' (or GP10/GP11) at byte 68."""
    with path.open("rb") as handle:
        head = handle.read(72)
    if not head.startswith(b"SQLite format 3\x00") or head[68:72] not in (
        b"GPKG",
        b"GP10",
        b"GP11",
    ):
        raise BoundaryError(
            f"{path.name} er ikke en GeoPackage (en almindelig SQLite-database eller en anden "
            "fil). / The file is not a GeoPackage."
        )


def _gdal_source(path: Path) -> str:
    if path.suffix.lower() != ".zip":
        return str(path)
    with zipfile.ZipFile(path) as archive:
        shapefiles = sorted(n for n in archive.namelist() if n.lower().endswith(".shp"))
    if not shapefiles:
        raise BoundaryError(
            f"Zip-filen {path.name} indeholder ingen .shp-fil. / "
            f"The zip file {path.name} contains no .shp file."
        )
    return f"/vsizip/{path.resolve()}/{shapefiles[0]}"


def _polygon_layer(source: str) -> str:
    """The first polygon layer of a GeoPackage, which may also hold points or tables."""
    layers = pyogrio.list_layers(source)
    for name, geometry_type in layers:
        if geometry_type and "POLYGON" in str(geometry_type).upper():
            return name
    raise BoundaryError(
        "GeoPackage-filen har intet lag med polygoner. / The GeoPackage has no polygon layer."
    )


def _is_lonlat(crs) -> bool:
    return crs is not None and crs.is_geographic


def _guess_missing_crs(raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """GDAL labels CRS-less GeoJSON as lon/lat; Danish files without a CRS are usually UTM 32N."""
    min_x, min_y, max_x, max_y = raw.total_bounds
    if min_x >= -180 and max_x <= 180 and min_y >= -90 and max_y <= 90:
        return raw.set_crs(WGS84, allow_override=True)
    if min_x >= 100_000 and max_x <= 1_000_000 and min_y >= 5_900_000 and max_y <= 6_500_000:
        return raw.set_crs(METRIC_CRS, allow_override=True)
    raise BoundaryError(
        "Filen har intet koordinatsystem, og koordinaterne ligner hverken længde/bredde eller "
        "UTM 32N. / The file has no coordinate system and the coordinates look like neither "
        "lon/lat nor UTM 32N."
    )


def _crs_label(crs) -> str | None:
    if crs is None:
        return None
    authority = crs.to_authority()
    if authority is None:
        return crs.to_string()
    name, code = authority
    # CRS84 is lon/lat WGS84, what everyone knows as EPSG:4326.
    return WGS84 if (name, code) == ("OGC", "CRS84") else f"{name}:{code}"


# --- TopoJSON ----------------------------------------------------------------------------------


def read_topojson(path: str | Path) -> gpd.GeoDataFrame:
    """Decode a TopoJSON file ourselves: GDAL mis-decodes DAGI's delta-encoded third coordinate.

    Only x and y are delta-decoded and z is ignored. TopoJSON has no CRS, so lon/lat is assumed.
    """
    try:
        topology = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(topology, dict) or topology.get("type") != "Topology":
            raise BoundaryError("Filen er ikke TopoJSON. / The file is not TopoJSON.")
        arcs = _decode_arcs(topology.get("arcs", []), topology.get("transform"))
        rows, geometries = [], []
        for topo_object in topology.get("objects", {}).values():
            for geometry_object in _flatten_collection(topo_object):
                geometry = _topo_geometry(geometry_object, arcs)
                if geometry is not None:
                    rows.append(geometry_object.get("properties") or {})
                    geometries.append(geometry)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        # A bad arc index, a list nested thousands deep, text where numbers belong.
        raise BoundaryError(
            "TopoJSON-filen er ugyldig (buer, indeks eller opbygning passer ikke). / "
            "The TopoJSON file is invalid (arcs, indexes or structure do not fit)."
        ) from exc
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geometries, crs=WGS84)


def _decode_arcs(arcs: list, transform: dict | None) -> list[list[tuple[float, float]]]:
    if not transform:
        return [[(float(p[0]), float(p[1])) for p in arc] for arc in arcs]
    scale_x, scale_y = transform["scale"]
    shift_x, shift_y = transform["translate"]
    decoded = []
    for arc in arcs:
        x = y = 0
        points = []
        for position in arc:
            # Quantized arcs store each position as a difference from the previous one.
            x += position[0]
            y += position[1]
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        decoded.append(points)
    return decoded


def _flatten_collection(topo_object: dict) -> Iterable[dict]:
    if topo_object.get("type") == "GeometryCollection":
        for child in topo_object.get("geometries", []):
            yield from _flatten_collection(child)
    else:
        yield topo_object


def _topo_geometry(geometry_object: dict, arcs: list) -> Polygon | MultiPolygon | None:
    kind = geometry_object.get("type")
    if kind == "Polygon":
        return _topo_polygon(geometry_object["arcs"], arcs)
    if kind == "MultiPolygon":
        parts = [_topo_polygon(polygon, arcs) for polygon in geometry_object["arcs"]]
        return MultiPolygon([p for p in parts if p is not None])
    # Points and lines cannot be areas.
    return None


def _topo_polygon(ring_arcs: list[list[int]], arcs: list) -> Polygon | None:
    rings = [_topo_ring(indices, arcs) for indices in ring_arcs]
    if not rings or len(rings[0]) < 4:
        return None
    return Polygon(rings[0], [ring for ring in rings[1:] if len(ring) >= 4])


def _topo_ring(indices: list[int], arcs: list) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for index in indices:
        # A negative index ~i means arc i walked backwards.
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Consecutive arcs share their joining point; keep it once.
        ring.extend(arc[1:] if ring else arc)
    return ring


# --- choosing the code and name fields -----------------------------------------------------------


def _words(column: str) -> list[str]:
    return [word for word in re.split(r"[^a-zæøå0-9]+", column.lower()) if word]


def _matches(column: str, stems: tuple[str, ...]) -> bool:
    """bydel_nr, KOMKODE, POSTNR_TXT and SOGNENAVN match; ogc_fid and mi_prinx do not."""
    return any(word.endswith(stem) for word in _words(column) for stem in stems)


def _distinct(raw: pd.DataFrame, column: str) -> int:
    return int(raw[column].astype("string").nunique(dropna=True))


def _code_candidates(raw: gpd.GeoDataFrame, properties: list[str]) -> list[str]:
    """Properties named like a code that vary between features, best first.

    Codes named kode/nr come before a bare id; ties go to the property with more distinct values,
    so a constant such as Aarhus' `kommunekode` never beats the district number.
    """

    def rank(column: str) -> tuple[int, int]:
        by_name = 0 if _matches(column, _CODE_WORDS) else 1
        return by_name, -_distinct(raw, column)

    named = [c for c in properties if _matches(c, _CODE_WORDS) or _words(c)[-1:] == ["id"]]
    varying = [c for c in named if _distinct(raw, c) > 1 or len(raw) == 1]
    return sorted(varying, key=rank)


def _name_candidates(raw: gpd.GeoDataFrame, properties: list[str]) -> list[str]:
    named = [c for c in properties if _matches(c, _NAME_WORDS)]
    varying = [c for c in named if _distinct(raw, c) > 1 or len(raw) == 1]
    return sorted(varying, key=lambda c: -_distinct(raw, c))


def _choose_code_field(explicit: str | None, candidates: list[str], properties: list[str]) -> str:
    if explicit is not None:
        return _require_field(explicit, properties, "kodekolonnen", "code column")
    if not candidates:
        raise BoundaryError(
            "Kan ikke finde en kodekolonne. Vælg en af egenskaberne: "
            f"{_listing(properties)}. / Cannot find a code column. Choose one of the "
            f"properties: {_listing(properties)}.",
            available=properties,
        )
    return candidates[0]


def _choose_name_field(
    explicit: str | None, code_field: str, candidates: list[str], properties: list[str]
) -> str:
    if explicit is not None:
        return _require_field(explicit, properties, "navnekolonnen", "name column")
    if not candidates:
        raise BoundaryError(
            "Kan ikke finde en navnekolonne. Vælg en af egenskaberne: "
            f"{_listing(properties)}. / Cannot find a name column. Choose one of the "
            f"properties: {_listing(properties)}.",
            available=properties,
        )
    # The name that belongs to the code shares its prefix: KOMKODE/KOMNAVN, rode_nr/rodenavn.
    by_prefix = sorted(candidates, key=lambda c: -_common_prefix(c.lower(), code_field.lower()))
    return by_prefix[0]


def _common_prefix(left: str, right: str) -> int:
    length = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        length += 1
    return length


def _require_field(name: str, properties: list[str], role_da: str, role_en: str) -> str:
    if name not in properties:
        raise BoundaryError(
            f"Feltet {name!r} til {role_da} findes ikke. Mulige egenskaber: "
            f"{_listing(properties)}. / The field {name!r} for the {role_en} does not exist. "
            f"Available properties: {_listing(properties)}.",
            field=name,
            available=properties,
        )
    return name


def _listing(properties: list[str]) -> str:
    return ", ".join(properties) if properties else "(ingen / none)"


def _as_text(column: pd.Series) -> pd.Series:
    """Codes are text: keep "0101" as it is, and write an integer-valued 7.0 as "7", not "7.0"."""

    def to_text(value) -> str | None:
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    return column.astype(object).map(to_text).astype("string")


# --- repair and dissolve -------------------------------------------------------------------------


def _repair(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, int]:
    """Make invalid geometries valid and keep only their polygonal parts; return how many."""
    geometries = frame.geometry.to_numpy()
    vertices, limit = int(shapely.get_num_coordinates(geometries).sum()), max_vertices()
    if vertices > limit:
        raise BoundaryError(
            f"Grænsefilen har {vertices} punkter; grænsen er {limit}. Forenkl den først (f.eks. "
            "i QGIS: Vektor > Geometriværktøjer > Forenkl). / The boundary file has "
            f"{vertices} vertices; the limit is {limit}. Simplify it first."
        )
    invalid = ~shapely.is_valid(geometries)
    if invalid.any():
        geometries = geometries.copy()
        try:
            geometries[invalid] = repair_within(list(geometries[invalid]))
        except RepairTimeout as timeout:
            raise BoundaryError(
                f"{int(invalid.sum())} områdegrænse(r) krydser sig selv så mange steder, at de "
                f"ikke kan repareres på {timeout.seconds:.0f} s. Ret filen først (f.eks. i QGIS: "
                "Vektor > Geometriværktøjer > Ret geometrier). / "
                f"{int(invalid.sum())} boundary(ies) cross themselves so often that they cannot "
                f"be repaired in {timeout.seconds:.0f} s. Fix the file first (e.g. QGIS: Fix "
                "geometries)."
            ) from None
    repaired = frame.set_geometry(gpd.GeoSeries(geometries, index=frame.index, crs=frame.crs))
    repaired = repaired[~repaired.geometry.is_empty]
    return repaired, int(invalid.sum())


def _polygonal(geometry) -> Polygon | MultiPolygon:
    """make_valid may return lines and points beside the polygons (a bow-tie's knot); drop them."""
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, Polygon | MultiPolygon)]
    polygons = [q for p in parts for q in shapely.get_parts(p)]
    return MultiPolygon(polygons) if polygons else Polygon()


def _dissolve_by_code(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per code: DAGI stores each island of a municipality as its own feature."""
    grouped = frame.groupby("area_code", sort=True)
    names = grouped["name"].first()
    geometries = grouped.geometry.apply(lambda parts: shapely.union_all(parts.to_numpy()))
    dissolved = gpd.GeoDataFrame(
        {"area_code": names.index.astype("string"), "name": names.to_numpy()},
        geometry=list(geometries.loc[names.index]),
        crs=frame.crs,
    )
    return dissolved.reset_index(drop=True)


# --- shaping for display -------------------------------------------------------------------------


def simplify_for_display(frame: gpd.GeoDataFrame, tolerance_m: float = 25.0) -> gpd.GeoDataFrame:
    """Simplify all areas together so neighbours keep one shared border (no slivers or gaps)."""
    metric = frame.to_crs(METRIC_CRS)
    simplified = shapely.coverage_simplify(metric.geometry.to_numpy(), tolerance_m)
    result = metric.set_geometry(gpd.GeoSeries(simplified, index=metric.index, crs=METRIC_CRS))
    return result.to_crs(WGS84)


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
    return _orient_clockwise(_polygonal(geometry))


def bounds_wgs84(frame: gpd.GeoDataFrame) -> list[float]:
    """[min_lon, min_lat, max_lon, max_lat] of all areas."""
    lonlat = frame if frame.crs is None else frame.to_crs(WGS84)
    return [float(value) for value in lonlat.total_bounds]


def label_points(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A point inside each area for its name; found in metres so thin areas get a sensible spot."""
    metric = frame.to_crs(METRIC_CRS)
    points = metric.geometry.representative_point()
    return metric.set_geometry(points).to_crs(WGS84)


# --- database round trip -------------------------------------------------------------------------


def frame_from_geojson_text(rows) -> gpd.GeoDataFrame:
    """Rows of (area_code, name, GeoJSON text in WGS84), as stored in `area`, to a GeoDataFrame."""
    if isinstance(rows, pd.DataFrame):
        rows = rows[["area_code", "name", "geometry"]].itertuples(index=False, name=None)
    codes, names, texts = [], [], []
    for area_code, name, text in rows:
        codes.append(str(area_code))
        names.append(name)
        texts.append(text)
    geometries = shapely.from_geojson(texts) if texts else []
    return gpd.GeoDataFrame(
        {"area_code": pd.array(codes, dtype="string"), "name": pd.array(names, dtype="string")},
        geometry=list(geometries),
        crs=WGS84,
    )


def frame_to_geojson_rows(frame: gpd.GeoDataFrame) -> list[tuple[str, str, str]]:
    """The reverse of frame_from_geojson_text: (area_code, name, GeoJSON text in WGS84)."""
    lonlat = frame.to_crs(WGS84)
    texts = shapely.to_geojson(lonlat.geometry.to_numpy())
    return [
        (str(code), str(name), str(text))
        for code, name, text in zip(lonlat["area_code"], lonlat["name"], texts, strict=True)
    ]


# --- the choropleth ------------------------------------------------------------------------------


def choropleth(
    frame: gpd.GeoDataFrame,
    values: pd.DataFrame,
    value_field: str,
    title: str,
    value_format: str = ",.0%",
    legend_title: str = "",
    suppressed_label: str = "Skjult (for få svar)",
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
) -> alt.LayerChart:
    """A map of one value per area, drawn from inline GeoJSON so it works offline.

    `values` is keyed by area_code with the column `value_field` (float or NaN), `n`,
    `population`, `suppressed` and `label` (the value as text). Suppressed or missing areas are
    grey and their value never reaches the chart data. `diverging` colours ratios on a log scale
    centred on 1 (red under, blue over, 1 neutral, clamped at 1/4 and 4); other values on a
    sequential scale that starts at 0. Names are written on the map when there are few areas (or
    show_labels=True), moved aside with a leader line where they would overlap, and left to the
    tooltip when no free place is found. `subtitle` lines (group, filters, source) go under the
    title, so a downloaded PNG says what it shows; `locale` is a Vega `{number, time}` locale.
    `select` names a click selection on the shown areas (its field: `area_code`), for a page that
    filters by the clicked area; `selected` is the area_code drawn with a dark outline.
    """
    titles = {**DEFAULT_TOOLTIP_TITLES, **(tooltip_titles or {})}
    features = _choropleth_features(frame, values, value_field, value_format, suppressed_label)
    shown = [f for f in features if f["properties"]["shown"]]
    hidden = [f for f in features if not f["properties"]["shown"]]
    tooltip = [
        alt.Tooltip("properties.name:N", title=titles["name"]),
        alt.Tooltip("properties.label:N", title=titles["value"]),
        alt.Tooltip("properties.n:N", title=titles["n"]),
        alt.Tooltip("properties.population:N", title=titles["population"]),
    ]
    layers = [_value_layer(shown, value_format, legend_title, diverging, tooltip, categorical)]
    if select:
        # A click chooses one area, shift-click adds one; a click outside the areas keeps them.
        click = alt.selection_point(name=select, fields=["area_code"], on="click", clear=False)
        layers[0] = (
            layers[0].transform_calculate(area_code="datum.properties.area_code").add_params(click)
        )
    if hidden:
        layers.append(_hidden_layer(hidden, suppressed_label, tooltip))
    if selected is not None:
        outline = [f for f in features if f["properties"]["area_code"] == str(selected)]
        if outline:
            layers.append(
                alt.Chart(_geo_data(outline))
                .mark_geoshape(filled=False, stroke=SELECTED_STROKE, strokeWidth=3)
                .project(type="mercator")
            )
    if show_labels if show_labels is not None else len(features) <= MAX_LABELLED_AREAS:
        layers.extend(_name_layers(frame, width, height))
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
    if locale:
        chart.config.locale = locale
    return chart


def _choropleth_features(
    frame: gpd.GeoDataFrame,
    values: pd.DataFrame,
    value_field: str,
    value_format: str,
    suppressed_label: str,
) -> list[dict]:
    by_code = values.assign(area_code=values["area_code"].astype(str)).set_index("area_code")
    # One value per area; a repeated code would otherwise turn a row lookup into a table.
    by_code = by_code[~by_code.index.duplicated(keep="first")]
    oriented = orient_for_vega(frame.to_crs(WGS84))
    features = []
    for row in oriented.itertuples(index=False):
        record = by_code.loc[row.area_code] if row.area_code in by_code.index else None
        properties = _area_properties(
            row.area_code, row.name, record, value_field, value_format, suppressed_label
        )
        geometry = _rounded(shapely.geometry.mapping(row.geometry))
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    return features


def _area_properties(
    area_code: str, name: str, record, value_field, value_format, suppressed_label
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
        "population": _population_text(record.get("population")) if record is not None else "",
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


def _population_text(value) -> str:
    number = _float_or_none(value)
    if number is None:
        return _text_or_blank(value)
    # Danish thousands separator: 12.345 borgere.
    return f"{number:,.0f}".replace(",", ".")


def _rounded(geometry: dict) -> dict:
    """Round to 6 decimals (~10 cm): plenty for a map and a third of the JSON size."""

    def walk(item):
        if isinstance(item, list | tuple):
            return [walk(part) for part in item]
        return round(item, 6) if isinstance(item, float) else item

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


SELECTED_STROKE = "#111111"  # the area chosen as filter, outlined on top of its colour


def _geo_data(features: list[dict]) -> alt.Data:
    collection = {"type": "FeatureCollection", "features": features}
    return alt.Data(values=collection, format=alt.DataFormat(property="features"))


def _value_layer(features, value_format, legend_title, diverging, tooltip, categorical=False):
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
        alt.Chart(_geo_data(features))
        .mark_geoshape(stroke=stroke, strokeWidth=0.8)
        .encode(color=colour, tooltip=tooltip)
        .project(type="mercator")
    )


def _hidden_layer(features, suppressed_label, tooltip) -> alt.Chart:
    # Its own one-entry legend explains the grey.
    colour = alt.Color(
        "properties.label:N",
        scale=alt.Scale(domain=[suppressed_label], range=[SUPPRESSED_GREY]),
        legend=alt.Legend(title=None, orient="right", symbolType="square"),
    )
    return (
        alt.Chart(_geo_data(features))
        .mark_geoshape(stroke="white", strokeWidth=0.8)
        .encode(color=colour, tooltip=tooltip)
        .project(type="mercator")
    )


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


def _name_layers(frame: gpd.GeoDataFrame, width: int = 620, height: int = 480) -> list[alt.Chart]:
    placed = place_labels(frame, width, height)
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
                longitude="lon:Q",
                latitude="lat:Q",
                longitude2="label_lon:Q",
                latitude2="label_lat:Q",
            ).project(type="mercator")
        )
        dots = alt.Chart(alt.Data(values=leaders)).mark_circle(size=12, color=LEADER_COLOUR)
        layers.append(dots.encode(longitude="lon:Q", latitude="lat:Q").project(type="mercator"))
    base = alt.Chart(alt.Data(values=labels.to_dict(orient="records"))).encode(
        longitude="lon:Q", latitude="lat:Q", text="name:N"
    )
    # The same text twice: a thick white stroke underneath keeps it legible on dark blue.
    halo = base.mark_text(
        fontSize=LABEL_FONT_SIZE, stroke="white", strokeWidth=3, strokeJoin="round"
    )
    ink = base.mark_text(fontSize=LABEL_FONT_SIZE, fill=LABEL_COLOUR)
    return [*layers, halo.project(type="mercator"), ink.project(type="mercator")]


def chart_to_png(chart: alt.TopLevelMixin, scale: float = 2) -> bytes:
    """Render a chart to PNG bytes offline (vl-convert), for reports and checks."""
    import vl_convert

    return vl_convert.vegalite_to_png(chart.to_json(), scale=scale)
