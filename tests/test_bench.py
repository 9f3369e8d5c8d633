"""The benchmark command runs and keeps its JSON contract; its pandas baseline computes the same
numbers as the pipeline, so the speed comparison is honest. Speed itself is never asserted."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import data_pipeline.present.explore as explore_views
import data_pipeline.present.map_values as map_values
from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.gaps import find_gaps
from data_pipeline.analysis.ratios import representation_table
from data_pipeline.store.db import connect
from tools import bench

RESULT_KEYS = {
    "operation",
    "median_ms",
    "min_ms",
    "max_ms",
    "peak_mb",
    "baseline_median_ms",
    "ratio",
}
OPERATIONS = [
    "ingest_csv",
    "ingest_xlsx",
    "page_overview",
    "page_explore",
    "page_map",
    "page_groups",
    "gaps",
    "rake",
    "segments",
    "map_render",
]


@pytest.mark.slow
def test_bench_smoke_run_prints_one_json_report(tmp_path):
    out = tmp_path / "bench.json"
    command = [sys.executable, "-m", "data_pipeline", "bench", "--rows", "20000"]
    command += ["--json", "--repeat", "1", "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report == json.loads(out.read_text())
    assert report["rows"] == 20000
    assert {"cpu_count", "cpu_model", "memory_gb", "python", "duckdb", "platform"} <= set(
        report["machine"]
    )
    assert [r["operation"] for r in report["results"]] == OPERATIONS
    for result in report["results"]:
        assert set(result) >= RESULT_KEYS, result["operation"]
        assert result["error"] is None, result["error"]
        assert result["min_ms"] <= result["median_ms"] <= result["max_ms"]
        assert result["peak_mb"] > 0
    pages = [r for r in report["results"] if r["operation"].startswith("page_")]
    assert all(r["baseline_median_ms"] > 0 and r["ratio"] > 0 for r in pages)
    assert all(
        r["rows_per_s"] > 0 for r in report["results"] if r["operation"].startswith("ingest")
    )


@pytest.fixture(scope="module")
def pandas_case(sample_db_file):
    con = connect(sample_db_file, read_only=True)
    yield con, bench.load_pandas(con)
    con.close()


FILTERS = [*bench.FILTER_CHANGES, Filters(wave="2025")]


@pytest.mark.parametrize("filters", FILTERS)
def test_pandas_explore_counts_equal_explore_view(pandas_case, filters):
    con, data = pandas_case
    ours = explore_views.explore_view(con, filters, bench.EXPLORE_ROWS, bench.EXPLORE_COLS, k=3)
    ours = ours.loc[~ours["suppressed"], ["row", "col", "respondents"]]
    theirs = bench.pandas_explore(data, filters).rename(columns={"age_band": "row", "topic": "col"})

    merged = ours.merge(theirs, on=["row", "col"], suffixes=("", "_pandas"))
    assert len(merged) == len(ours)
    np.testing.assert_array_equal(merged["respondents"], merged["respondents_pandas"])


@pytest.mark.parametrize("filters", FILTERS)
def test_pandas_map_rates_equal_map_view(pandas_case, filters):
    con, data = pandas_case
    ours = map_values.map_view(con, filters, measure="rate")
    ours = ours.loc[~ours["suppressed"], ["area_code", "value"]]
    theirs = bench.pandas_map(data, filters)

    merged = ours.merge(theirs, on="area_code", suffixes=("", "_pandas"))
    assert len(merged) == len(ours) > 0
    np.testing.assert_allclose(merged["value"], merged["value_pandas"], rtol=1e-12)


def test_pandas_groups_table_equals_representation_table(pandas_case):
    con, data = pandas_case
    filters = bench.FILTER_CHANGES[1]
    ours = representation_table(con, filters, by=("age_band",), k=3)
    theirs = bench.pandas_groups(data, filters)["table"]

    merged = ours.merge(theirs, on="age_band", suffixes=("", "_pandas"))
    assert len(merged) == len(ours)
    for column in ("population", "respondents", "ratio", "ci_low", "ci_high", "missing_voices"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_pandas"], rtol=1e-9)


def test_pandas_gaps_find_the_same_groups_as_find_gaps(pandas_case):
    con, data = pandas_case
    filters = Filters(wave="2025")
    ours = find_gaps(con, filters, top=10, k=5)
    sub = data.respondents[bench.pandas_mask(data, filters)]
    theirs = bench.pandas_gaps(sub, bench.pandas_population(data, filters), top=10)

    expected = ours["missing_voices"].to_numpy()
    np.testing.assert_allclose(theirs["missing_voices"].to_numpy(), expected, rtol=1e-9)
    pd.testing.assert_series_equal(
        theirs["status"].reset_index(drop=True), ours["status"], check_names=False
    )
