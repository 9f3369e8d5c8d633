"""Queries cannot reach the file system, a second writer is told clearly, concurrent imports
are serialised, a killed ingest leaves nothing behind, and production hides error details."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import tomllib

import duckdb
import pytest

from data_pipeline.ingest.uploads import deny_file_access
from data_pipeline.store.db import connect
from data_pipeline.store.load import ingest
from data_pipeline.store.sample import SAMPLE_DIR
from tests import pause_before_commit
from tests.conftest import ROOT
from tests.security.helpers import app

FILE_READS = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    "COPY (SELECT * FROM contact) TO '/tmp/stolen_contacts.csv'",
    "ATTACH '/tmp/other.duckdb' AS other",
    "INSTALL httpfs",
]


@pytest.mark.parametrize("sql", FILE_READS)
def test_a_sealed_query_connection_cannot_touch_local_files(sample_db, sql):
    """As an attacker who got SQL into a page query, I still cannot read or write files."""
    deny_file_access(sample_db)
    cur = sample_db.cursor()
    with pytest.raises(duckdb.Error):
        cur.execute(sql)
    assert cur.execute("SELECT count(*) FROM respondent").fetchone()[0] > 0
    assert not os.path.exists("/tmp/stolen_contacts.csv")


def test_the_app_seals_its_connection_after_loading(app_db):
    """As the operator I know the running app's connection has file access switched off."""
    app()
    from app_support import data

    cur = data.cursor()
    try:
        with pytest.raises(duckdb.Error):
            cur.execute("SELECT * FROM read_text('/etc/hostname')")
    finally:
        cur.close()


def test_a_second_writer_process_gets_a_clear_error(db_file):
    """As IT I run an erasure while another writer holds the database past the lock timeout,
    and I am told why it fails (a writer within the timeout waits: tests/test_concurrency.py)."""
    holder = connect(db_file)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "data_pipeline", "erase", "--db", str(db_file),
             "--respondent", "1", "--actor", "it"],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
            env={**os.environ, "DELTAGELSESATLAS_LOCK_TIMEOUT": "1"},
        )  # fmt: skip
    finally:
        holder.close()
    assert result.returncode == 2
    assert "busy with another write for more than 1 s" in result.stderr
    assert "Traceback" not in result.stderr


def test_two_concurrent_imports_are_serialised_and_both_load_whole(areas_db):
    """As two analysts uploading at the same moment, both files load completely, one after
    the other, with distinct batches and no respondent id used twice."""
    results, errors = {}, []

    def load(name, wave):
        cur = areas_db.cursor()
        try:
            results[name] = ingest(cur, SAMPLE_DIR / name, "survey", wave=wave)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            cur.close()

    threads = [
        threading.Thread(target=load, args=("survey_2021.csv", "2021")),
        threading.Thread(target=load, args=("survey_2025.xlsx", "2025")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    batches = {r.batch_id for r in results.values()}
    assert len(batches) == 2 and all(r.status == "loaded" for r in results.values())
    total, distinct = areas_db.execute(
        "SELECT count(*), count(DISTINCT respondent_id) FROM respondent"
    ).fetchone()
    assert total == distinct == sum(r.rows_loaded for r in results.values()) == 15000


def test_the_same_file_imported_twice_at_once_loads_once(areas_db):
    """As two analysts uploading the same file together, it is loaded once; the other is told
    it is a duplicate."""
    statuses = []

    def load():
        cur = areas_db.cursor()
        statuses.append(ingest(cur, SAMPLE_DIR / "survey_2021.csv", "survey", wave="2021").status)
        cur.close()

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert sorted(statuses) == ["duplicate", "loaded"]
    assert areas_db.execute("SELECT count(*) FROM respondent").fetchone()[0] == 6000


def test_sigkill_during_ingest_leaves_no_contact_data_behind(tmp_path):
    """As the operator whose server died mid-import, no half-loaded contact details remain,
    and the same file loads cleanly afterwards (see also tests/test_load.py)."""
    path = tmp_path / "crash.duckdb"
    con = connect(path)
    ingest(con, SAMPLE_DIR / "areas.geojson", "areas")
    ingest(con, SAMPLE_DIR / "postal_codes.csv", "areas")
    con.close()
    process = subprocess.Popen(
        [*pause_before_commit.command(60), "ingest", str(SAMPLE_DIR / "survey_2021.csv"),
         "--db", str(path), "--kind", "survey", "--wave", "2021"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout.readline().strip() == "PAUSED-BEFORE-COMMIT"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    con = connect(path)
    assert con.execute("SELECT count(*) FROM contact").fetchone()[0] == 0
    assert (
        con.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'ingest' AND detail->>'kind' = 'survey'"
        ).fetchone()[0]
        == 0
    )
    assert ingest(con, SAMPLE_DIR / "survey_2021.csv", "survey", wave="2021").status == "loaded"
    con.close()


def test_production_config_hides_error_details():
    """As the DPO I know a crash never shows a traceback (which could quote a cell) to users."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] in ("none", False)


def test_cli_internal_errors_do_not_echo_values(tmp_path):
    """As the DPO I know the CLI prints only the error type for unexpected errors, never the
    message (which may quote a contact value), unless debugging is switched on."""
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database, but maja@example.dk")
    result = subprocess.run(
        [sys.executable, "-m", "data_pipeline", "erase", "--db", str(broken), "--email",
         "maja@example.dk", "--actor", "it"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if k != "DELTAGELSESATLAS_DEBUG"},
    )  # fmt: skip
    assert result.returncode in (1, 2)
    assert "maja@example.dk" not in result.stdout + result.stderr
