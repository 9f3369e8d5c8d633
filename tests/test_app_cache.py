"""The app's caches answer a rerun from memory, and never with data of an older snapshot (issue 16)."""

from __future__ import annotations

import shutil

import pytest
import streamlit as st

from data_pipeline.core.errors import PipelineError
from data_pipeline.store.load import undo


@pytest.fixture()
def app_db(sample_db_file, tmp_path, monkeypatch):
    db = tmp_path / "app.duckdb"
    shutil.copy(sample_db_file, db)
    shutil.copy(f"{sample_db_file}.key", f"{db}.key")
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(db))
    st.cache_data.clear()
    yield str(db)
    st.cache_data.clear()


def test_the_cluster_map_is_one_spec_per_wave_until_the_data_changes(app_db):
    from app_support import data

    spec = data.area_cluster_map(app_db, "2025", "da")
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert "Områder med lignende huller" in str(spec["title"])
    assert data.area_cluster_map(app_db, "2025", "da") == spec
    assert data.area_cluster_map(app_db, "2025", "en") != spec  # each language its own spec

    # Undo the 2025 survey: the next call reads the new snapshot, not the cached map.
    con = data.writer()
    try:
        (batch,) = con.execute(
            "SELECT batch_id FROM batch WHERE kind = 'survey' AND wave_id = '2025'"
        ).fetchone()
        undo(con, batch)
    finally:
        con.close()
    with pytest.raises(PipelineError):
        data.area_cluster_map(app_db, "2025", "da")


@pytest.mark.parametrize(("page", "tables"), [("udforsk", 1), ("grupper", 1), ("kort", 1)])
def test_table_downloads_are_written_on_click_not_on_every_rerun(app_db, page, tables):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]

    buttons = [b.proto for b in at.get("download_button") if b.proto.id.endswith(("_csv", "_xlsx"))]
    assert len(buttons) == 2 * tables  # a CSV and an XLSX per table
    for button in buttons:
        assert button.deferred_file_id and not button.url, button.label
