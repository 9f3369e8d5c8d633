"""Loading: one transaction per file, duplicates add nothing, undo removes a batch, crashes
leave the database as it was, and schema versions are respected."""

from __future__ import annotations

import os
import signal
import subprocess

import duckdb
import pytest

import data_pipeline.store.db as db
from data_pipeline.core.errors import DatabaseError
from data_pipeline.ingest.mapping import UserMapping
from data_pipeline.store.load import ingest, run_batch, stage_survey_file, undo
from data_pipeline.store.sample import SAMPLE_DIR
from tests import pause_before_commit
from tests.conftest import ROOT

TABLES = (
    "respondent",
    "respondent_topic",
    "respondent_format",
    "contact",
    "batch",
    "rejection",
    "survey_wave",
    "vocabulary",
    "wave_vocabulary",
    "audit_log",
)


def counts(con) -> dict:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_same_file_twice_is_a_duplicate_and_adds_nothing(areas_db):
    first = ingest(areas_db, SAMPLE_DIR / "survey_2021.csv", "survey", wave="2021")
    before = counts(areas_db)
    second = ingest(areas_db, SAMPLE_DIR / "survey_2021.csv", "survey", wave="2021")
    assert first.status == "loaded" and first.rows_loaded == 6000
    assert (second.status, second.batch_id) == ("duplicate", first.batch_id)
    assert counts(areas_db) == before


def test_undo_removes_the_batch_completely(areas_db):
    before = counts(areas_db)
    result = ingest(areas_db, SAMPLE_DIR / "survey_2021.csv", "survey", wave="2021")
    undo(areas_db, result.batch_id)
    after = counts(areas_db)
    for table in ("respondent", "respondent_topic", "respondent_format", "contact"):
        assert after[table] == before[table] == 0
    undone = areas_db.execute(
        "SELECT undone_at IS NOT NULL FROM batch WHERE batch_id = $b", {"b": result.batch_id}
    ).fetchone()
    assert undone == (True,)
    # after an undo the same file loads again
    again = ingest(areas_db, SAMPLE_DIR / "survey_2021.csv", "survey", wave="2021")
    assert again.status == "loaded" and again.rows_loaded == 6000


def test_a_failure_midway_rolls_back_everything(areas_db):
    before = counts(areas_db)
    staged = stage_survey_file(
        areas_db, SAMPLE_DIR / "survey_2021.csv", "survey_2021.csv", "2021", UserMapping(), "da"
    )
    real_write = staged.write

    def write_then_fail(con, batch_id):
        real_write(con, batch_id)  # the real inserts have happened inside the transaction
        assert con.execute("SELECT count(*) FROM respondent").fetchone()[0] == 6000
        raise RuntimeError("disk full")

    staged.write = write_then_fail
    with pytest.raises(RuntimeError, match="disk full"):
        run_batch(areas_db, staged, "survey", "survey_2021.csv", "abc", "test")
    assert counts(areas_db) == before


def test_sigkill_during_ingest_leaves_the_database_as_it_was(tmp_path):
    path = tmp_path / "crash.duckdb"
    con = db.connect(path)
    ingest(con, SAMPLE_DIR / "areas.geojson", "areas")
    ingest(con, SAMPLE_DIR / "postal_codes.csv", "areas")
    before = counts(con)
    con.close()
    survey = SAMPLE_DIR / "survey_2025.xlsx"
    process = subprocess.Popen(
        [
            *pause_before_commit.command(60),
            "ingest",
            str(survey),
            "--db",
            str(path),
            "--kind",
            "survey",
            "--wave",
            "2025",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    # Every row is inserted (uncommitted) when the marker appears; then the process dies.
    assert process.stdout.readline().strip() == "PAUSED-BEFORE-COMMIT"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    con = db.connect(path)
    assert counts(con) == before
    result = ingest(con, survey, "survey", wave="2025")
    assert result.status == "loaded" and result.rows_loaded == 9000
    con.close()


def test_schema_version_is_recorded(tmp_path):
    con = db.connect(tmp_path / "a.duckdb")
    assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == db.SCHEMA_VERSION


def test_an_older_database_is_migrated(tmp_path):
    path = tmp_path / "old.duckdb"
    raw = duckdb.connect(str(path))
    raw.execute(db.DDL_V1)
    raw.execute("INSERT INTO schema_version VALUES (1, now())")
    raw.execute("INSERT INTO survey_wave VALUES ('2021', 'x', 2021, NULL, NULL)")
    raw.close()
    con = db.connect(path)
    assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == db.SCHEMA_VERSION
    assert con.execute("SELECT count(*) FROM age_band").fetchone()[0] == 9
    assert con.execute("SELECT wave_id FROM survey_wave").fetchall() == [("2021",)]


def test_a_newer_database_is_refused(tmp_path):
    path = tmp_path / "new.duckdb"
    con = db.connect(path)
    con.execute("INSERT INTO schema_version VALUES (99, now())")
    con.close()
    with pytest.raises(DatabaseError, match="skemaversion 99"):
        db.connect(path)


def test_a_foreign_database_is_refused(tmp_path):
    path = tmp_path / "other.duckdb"
    raw = duckdb.connect(str(path))
    raw.execute("CREATE TABLE customers (id INTEGER)")
    raw.close()
    with pytest.raises(DatabaseError, match="ikke en Deltagelsesatlas-database"):
        db.connect(path)
