"""Fixtures for the security suite: a private copy of the sample database, also for the app."""

from __future__ import annotations

import pytest

from tests.security.helpers import copy_db


@pytest.fixture()
def db_file(sample_db_file, tmp_path):
    return copy_db(sample_db_file, tmp_path / "atlas.duckdb")


@pytest.fixture()
def app_db(db_file, monkeypatch):
    """The app runs on its own copy; production mode and a role file are switched off."""
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(db_file))
    monkeypatch.delenv("DELTAGELSESATLAS_PRODUCTION", raising=False)
    return db_file
