"""Shared fixtures: real DuckDB files in tmp paths, built from the committed sample data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from data_pipeline.store.db import connect
from data_pipeline.store.sample import SAMPLE_DIR, load_sample

ROOT = Path(__file__).resolve().parents[1]
# A failing page must fail its test: the app would otherwise show a Danish sentence and log it
# (app_support.navigation.run_guarded). Inherited by the servers the browser tests start.
os.environ.setdefault("DELTAGELSESATLAS_RAISE_PAGE_ERRORS", "1")
# A key missing from the word catalogue raises (data_pipeline.core.i18n.MissingWord) instead of
# being logged once and shown as the key.
os.environ.setdefault("DELTAGELSESATLAS_RAISE_MISSING_WORDS", "1")
REAL_DATA = ROOT.parent / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def sample_db_file(tmp_path_factory) -> Path:
    """The sample municipality loaded once; tests that write copy it first."""
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    con = connect(path)
    load_sample(con)
    con.close()
    return path


@pytest.fixture()
def sample_db(sample_db_file, tmp_path):
    """A private, writable copy of the sample database."""
    path = tmp_path / "sample.duckdb"
    shutil.copy(sample_db_file, path)
    shutil.copy(f"{sample_db_file}.key", f"{path}.key")
    con = connect(path)
    yield con
    con.close()


@pytest.fixture()
def areas_db(tmp_path):
    """A database holding only the sample areas and postal codes: ready for survey files."""
    from data_pipeline.store.load import ingest

    con = connect(tmp_path / "areas.duckdb")
    ingest(con, SAMPLE_DIR / "areas.geojson", "areas")
    ingest(con, SAMPLE_DIR / "postal_codes.csv", "areas")
    yield con
    con.close()


def write_text(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path
