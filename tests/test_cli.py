"""The CLI contract: commands, JSON keys and exit codes (0 ok, 2 invalid input, 1 internal)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from data_pipeline.store.sample import SAMPLE_DIR
from tests.conftest import ROOT, write_text


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "data_pipeline", *args], cwd=ROOT, capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "x.duckdb"
    result = cli("init", "--db", str(path), "--sample", "--json")
    assert result.returncode == 0, result.stderr
    return path


def test_init_sample_then_summary_shows_waves_population_and_areas(sample_file):
    result = cli("summary", "--db", str(sample_file), "--json")
    assert result.returncode == 0
    summary = json.loads(result.stdout)
    assert summary["respondents"] == {"2021": 6000, "2025": 9000}
    assert summary["population"] == {"2021K4": 59605, "2025K4": 60850}
    assert summary["areas"]["count"] == 15
    min_lon, min_lat, max_lon, max_lat = summary["areas"]["bounds"]
    assert 8 < min_lon < max_lon < 13 and 54.5 < min_lat < max_lat < 58  # WGS84, in Denmark
    assert summary["platform_activities"] == 2000
    assert summary["batches"] == 7


def test_ingest_json_reports_each_file(tmp_path, sample_file):
    db = tmp_path / "c.duckdb"
    cli("ingest", str(SAMPLE_DIR / "areas.geojson"), "--db", str(db), "--kind", "areas")
    result = cli(
        "ingest",
        str(SAMPLE_DIR / "survey_2025.xlsx"),
        "--db",
        str(db),
        "--kind",
        "survey",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[0])
    assert report["status"] == "loaded"
    assert (report["rows_read"], report["rows_loaded"], report["rows_rejected"]) == (9005, 9000, 5)
    assert report["detected"]["format"] == "msforms"
    assert report["detected"]["sheet"] == "Sheet1"
    assert {"row": 525, "column": "Hvad er din alder?", "value": "150"}.items() <= report[
        "rejections"
    ][0].items()
    assert report["ignored_columns"] == ["Start time"]
    again = cli(
        "ingest",
        str(SAMPLE_DIR / "survey_2025.xlsx"),
        "--db",
        str(db),
        "--kind",
        "survey",
        "--json",
    )
    assert again.returncode == 0
    assert json.loads(again.stdout)["status"] == "duplicate"


def test_a_refused_file_exits_2_and_names_the_problem(tmp_path):
    db = tmp_path / "d.duckdb"
    cli("ingest", str(SAMPLE_DIR / "areas.geojson"), "--db", str(db), "--kind", "areas")
    bad = write_text(tmp_path / "svar_2025.csv", "Navn;Køn\r\nBo;Mand\r\n", "utf-8")
    result = cli("ingest", str(bad), "--db", str(db), "--kind", "survey", "--json")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["status"] == "rejected"
    assert "lokalområde eller postnummer" in report["message"]
    assert "'Navn', 'Køn'" in report["message"]


def test_batches_and_undo(tmp_path):
    db = tmp_path / "e.duckdb"
    cli("ingest", str(SAMPLE_DIR / "areas.geojson"), "--db", str(db), "--kind", "areas")
    batches = json.loads(cli("batches", "--db", str(db), "--json").stdout)
    assert [b["kind"] for b in batches] == ["areas"]
    assert cli("undo", str(batches[0]["batch_id"]), "--db", str(db)).returncode == 0
    summary = json.loads(cli("summary", "--db", str(db), "--json").stdout)
    assert summary["areas"]["count"] == 0 and summary["batches"] == 0
    assert cli("undo", "99", "--db", str(db)).returncode == 2


def test_a_second_writer_gets_a_clear_error(sample_file):
    import duckdb

    holder = duckdb.connect(str(sample_file))
    try:
        result = cli(
            "ingest", str(SAMPLE_DIR / "areas.geojson"), "--db", str(sample_file), "--kind", "areas"
        )
    finally:
        holder.close()
    assert result.returncode == 2
    assert "allerede åben i en anden proces" in result.stderr
