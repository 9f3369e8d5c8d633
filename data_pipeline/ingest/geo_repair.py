"""Repairing invalid boundary geometries under a time limit, in a child process.

GEOS's make_valid has no time limit and a polygon whose edges cross thousands of times takes
minutes (500 random vertices: 250 s), holding the write lock. The parent sends WKB on stdin
and kills the child when the limit passes. Imports shapely only; never reads files itself.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import shapely
from shapely.geometry import MultiPolygon, Polygon


def repair_seconds() -> float:
    """The time limit for repairing one file's geometries (DELTAGELSESATLAS_REPAIR_SECONDS)."""
    return float(os.environ.get("DELTAGELSESATLAS_REPAIR_SECONDS", "20"))


# Below this many vertices in the invalid geometries make_valid is instant; no child needed.
IN_PROCESS_VERTICES = 64


class RepairTimeout(Exception):
    """make_valid did not finish within the limit (`seconds`)."""

    def __init__(self, seconds: float):
        super().__init__(seconds)
        self.seconds = seconds


def polygonal(geometry) -> Polygon | MultiPolygon:
    """make_valid may return lines and points beside the polygons (a bow-tie's knot); drop them."""
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, Polygon | MultiPolygon)]
    polygons = [q for p in parts for q in shapely.get_parts(p)]
    return MultiPolygon(polygons) if polygons else Polygon()


def repair_all(geometries: list) -> list:
    return [polygonal(shapely.make_valid(g)) for g in geometries]


def repair_within(geometries: list, seconds: float | None = None) -> list:
    """The repaired geometries, or RepairTimeout when that takes longer than `seconds`."""
    seconds = repair_seconds() if seconds is None else seconds
    if int(shapely.get_num_coordinates(geometries).sum()) <= IN_PROCESS_VERTICES:
        return repair_all(geometries)
    payload = pickle.dumps([shapely.to_wkb(g) for g in geometries])
    try:
        done = subprocess.run(
            [sys.executable, "-m", "data_pipeline.ingest.geo_repair"],
            input=payload,
            capture_output=True,
            timeout=seconds,
            check=True,
        )
    except subprocess.TimeoutExpired as exc:  # subprocess.run has killed the child
        raise RepairTimeout(seconds) from exc
    return [shapely.from_wkb(w) for w in pickle.loads(done.stdout)]  # noqa: S301 (our own child)


def _child() -> None:
    wkbs = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 (from our own parent)
    repaired = repair_all([shapely.from_wkb(w) for w in wkbs])
    sys.stdout.buffer.write(pickle.dumps([shapely.to_wkb(g) for g in repaired]))


if __name__ == "__main__":
    _child()
