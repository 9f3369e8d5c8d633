"""The committed sample municipality is exactly what the seeded generator writes."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import geopandas as gpd

from data_pipeline.store.sample import SAMPLE_DIR
from tests.conftest import ROOT

GENERATED = [
    "areas.geojson",
    "postal_codes.csv",
    "population.csv",
    "survey_2021.csv",
    "survey_2025.xlsx",
    "govocal_users.xlsx",
    "govocal_ideas.xlsx",
    "ground_truth/segments_2025.csv",
]


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_generator_reproduces_the_committed_files(tmp_path):
    subprocess.run(
        [sys.executable, "sample_data/generate.py", "--out", str(tmp_path)], cwd=ROOT, check=True
    )
    for name in GENERATED:
        assert sha(tmp_path / name) == sha(SAMPLE_DIR / name), name


def test_areas_tile_the_municipality_without_gaps_or_overlaps():
    areas = gpd.read_file(SAMPLE_DIR / "areas.geojson")
    assert len(areas) == 15 and areas.crs.to_epsg() == 25832
    assert areas.is_valid.all()
    union = areas.union_all()
    assert abs(areas.area.sum() - union.area) / union.area < 1e-3
