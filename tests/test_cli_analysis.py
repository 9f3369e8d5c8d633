"""The analysis commands as a user runs them: a subprocess, JSON out, stable exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def db(sample_db_file, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "sample.duckdb"
    shutil.copy(sample_db_file, path)
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "data_pipeline", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_gaps_json(db):
    done = run("gaps", "--db", str(db), "--wave", "2025", "--top", "5", "--json")

    assert done.returncode == 0, done.stderr
    findings = json.loads(done.stdout)
    assert len(findings) == 5
    for finding in findings:
        assert {"group", "population", "respondents", "ratio", "ci_low", "ci_high"} <= set(finding)
        assert {"missing_voices", "status", "sentence"} <= set(finding)
        assert set(finding["group"]) <= {"age_band", "gender", "area"}
    assert findings[0]["group"] == {"age_band": "80+"}
    assert findings[0]["sentence"].startswith("Borgere 80+ år: 189 svar blandt 3.284 borgere")


def test_gaps_by_area_only(db):
    done = run("gaps", "--db", str(db), "--by", "area", "--json")
    assert done.returncode == 0, done.stderr
    assert [f["group"] for f in json.loads(done.stdout)] == [{"area": "04"}]


def test_weights_json(db):
    done = run("weights", "--db", str(db), "--json")

    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert {"effective_sample_size", "converged", "iterations", "margins"} <= set(payload)
    assert payload["converged"] is True
    keys = {"dimension", "value", "population_share", "weighted_share", "unweighted_share"}
    assert all(set(m) == keys for m in payload["margins"])
    assert {m["dimension"] for m in payload["margins"]} == {"age_band_gender", "area"}
    assert len(payload["margins"]) == 9 * 2 + 15


def test_segments_json(db):
    done = run("segments", "--db", str(db), "--k", "5", "--json")

    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["k"] == 5
    assert set(payload["silhouette"]) == {"5"}
    assert len(payload["segments"]) == 5
    for segment in payload["segments"]:
        assert {"size", "top_topics", "top_formats", "composition"} <= set(segment)
    assert sum(s["size"] for s in payload["segments"]) == 9000


@pytest.mark.parametrize("name", ["gaps", "weights", "segments"])
def test_unknown_wave_exits_2_with_a_clear_message(db, name):
    done = run(name, "--db", str(db), "--wave", "1999", "--json")
    assert done.returncode == 2
    assert "Ukendt bølge '1999'" in done.stderr
    assert "Unknown wave '1999'" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("gaps", "--by", "age_band,shoe_size"),
        ("segments", "--k", "many"),
    ],
)
def test_invalid_arguments_exit_2(db, args):
    done = run(args[0], "--db", str(db), *args[1:])
    assert done.returncode == 2
    assert done.stderr.strip()


def test_missing_database_exits_2(tmp_path):
    missing = tmp_path / "nope.duckdb"
    done = run("gaps", "--db", str(missing))
    assert done.returncode == 2
    assert not missing.exists()
