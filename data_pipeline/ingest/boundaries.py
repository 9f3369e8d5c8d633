"""Area boundaries: read, choose code and name fields, repair, dissolve and simplify them.

Everything leaves this module in WGS84 lon/lat (EPSG:4326). The file formats live in
boundary_formats.py; drawing the map lives in present/maps.py. It must never import streamlit.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from data_pipeline.ingest.boundary_formats import (
    METRIC_CRS,
    WGS84,
    BoundaryError,
    crs_label,
    detect_format,
    read_topojson,
    read_with_gdal,
)
from data_pipeline.ingest.geo_repair import RepairTimeout, repair_within

__all__ = [
    "METRIC_CRS",
    "WGS84",
    "Boundaries",
    "BoundaryError",
    "bounds_wgs84",
    "frame_from_geojson_text",
    "frame_to_geojson_rows",
    "max_vertices",
    "read_boundaries",
    "read_topojson",
    "simplify_for_display",
]

_CODE_WORDS = ("kode", "code", "nr", "no", "nummer", "number")
_NAME_WORDS = ("navn", "name")


def max_vertices() -> int:
    """Danish parish boundaries (DAGI, full detail) hold a few million vertices in all."""
    return int(os.environ.get("DELTAGELSESATLAS_MAX_VERTICES", "5000000"))


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
    file_format = detect_format(path)
    # Our own TopoJSON decoder: GDAL's breaks the DAGI parishes (see read_topojson).
    raw = read_topojson(path) if file_format == "topojson" else read_with_gdal(path, file_format)
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

    source_crs = crs_label(raw.crs)
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


# --- shaping -------------------------------------------------------------------------------------


def simplify_for_display(frame: gpd.GeoDataFrame, tolerance_m: float = 25.0) -> gpd.GeoDataFrame:
    """Simplify all areas together so neighbours keep one shared border (no slivers or gaps)."""
    metric = frame.to_crs(METRIC_CRS)
    simplified = shapely.coverage_simplify(metric.geometry.to_numpy(), tolerance_m)
    result = metric.set_geometry(gpd.GeoSeries(simplified, index=metric.index, crs=METRIC_CRS))
    return result.to_crs(WGS84)


def bounds_wgs84(frame: gpd.GeoDataFrame) -> list[float]:
    """[min_lon, min_lat, max_lon, max_lat] of all areas."""
    lonlat = frame if frame.crs is None else frame.to_crs(WGS84)
    return [float(value) for value in lonlat.total_bounds]


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
