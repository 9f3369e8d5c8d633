"""Boundary file formats: which format a file is, GDAL for GeoJSON/GeoPackage/Shapefile, our own
TopoJSON decoder, and the coordinate system when a file has none. Never repairs or draws.
"""

from __future__ import annotations

import json
import re
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import MultiPolygon, Polygon

WGS84 = "EPSG:4326"
# UTM zone 32N covers all of Denmark well enough for metre-based tolerances and label points.
METRIC_CRS = "EPSG:25832"
_FORMATS_BY_SUFFIX = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".topojson": "topojson",
    ".gpkg": "gpkg",
    ".zip": "shapefile",
    ".shp": "shapefile",
}


class BoundaryError(ValueError):
    """A boundary file that cannot be used, explained in Danish and English for the user."""

    def __init__(self, message: str, *, field: str | None = None, available: Iterable[str] = ()):
        super().__init__(message)
        self.field = field
        self.available = list(available)


# --- which format, read by GDAL ------------------------------------------------------------------


def detect_format(path: Path) -> str:
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


def read_with_gdal(path: Path, file_format: str) -> gpd.GeoDataFrame:
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


def crs_label(crs) -> str | None:
    if crs is None:
        return None
    authority = crs.to_authority()
    if authority is None:
        return crs.to_string()
    name, code = authority
    # CRS84 is lon/lat WGS84, what everyone knows as EPSG:4326.
    return WGS84 if (name, code) == ("OGC", "CRS84") else f"{name}:{code}"


# --- TopoJSON ------------------------------------------------------------------------------------


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
