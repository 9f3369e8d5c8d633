"""Segment and area-cluster descriptions use the verdict words (issue 12, item 7): a group
is "underrepræsenteret" only when its whole 95 % interval lies below 0.8, and nothing is "som
befolkningen" (or "på niveau med kommunen") unless its interval lies inside 0.8-1.25."""

from __future__ import annotations

import math
import re

import pytest

from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.segments import area_clusters
from data_pipeline.store.db import connect

Z = 1.959963984540054


def wilson_high(x: float, n: float) -> float:
    p = x / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    return centre + Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))


@pytest.fixture(scope="module")
def con(sample_db_file):
    con = connect(sample_db_file, read_only=True)
    yield con
    con.close()


def pooled(con, areas: list[str], gender: str, band: str) -> tuple[float, float]:
    """Respondents and citizens 15+ of one age band × gender over the given areas."""
    respondents = con.execute(
        "SELECT count(*) FROM respondent WHERE wave_id = '2025' AND gender = $g "
        "AND age_band = $b AND area_code = ANY($a)",
        {"g": gender, "b": band, "a": areas},
    ).fetchone()[0]
    population = con.execute(
        "SELECT sum(count) FROM population p JOIN age_band b ON p.age BETWEEN b.min_age "
        "AND b.max_age WHERE p.period = '2025K4' AND p.gender = $g AND b.label = $b "
        "AND p.area_code = ANY($a)",
        {"g": gender, "b": band, "a": areas},
    ).fetchone()[0]
    return float(respondents), float(population)


def test_cluster_descriptions_say_under_represented_only_when_the_interval_says_so(con):
    clusters = area_clusters(con, Filters(wave="2025"))
    known = con.execute(
        "SELECT count(*) FROM respondent WHERE wave_id = '2025' AND age_band IS NOT NULL "
        "AND gender IN ('kvinde', 'mand') AND area_code IS NOT NULL"
    ).fetchone()[0]
    citizens = con.execute(
        "SELECT sum(count) FROM population p JOIN age_band b ON p.age BETWEEN b.min_age "
        "AND b.max_age WHERE p.period = '2025K4'"
    ).fetchone()[0]
    reference = known / citizens
    checked = 0
    for cluster, group in clusters.groupby("cluster"):
        text = group["description_da"].iloc[0]
        assert "på niveau med kommunen" not in text and "Lav deltagelse" not in text
        found = re.search(r"(kvinder|mænd) (\d+[-+]\d*) år", text)
        if "Underrepræsenteret" in text and found:
            gender = {"kvinder": "kvinde", "mænd": "mand"}[found.group(1)]
            x, n = pooled(con, group["area"].tolist(), gender, found.group(2))
            assert wilson_high(x, n) / reference < 0.8, (cluster, text, x, n)
            checked += 1
    assert checked >= 1
