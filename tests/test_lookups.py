"""Small lookups are read once per data version while the app keeps a memo, and read anew for a
new snapshot (issue 16: ~6 ms a query, several per rerun)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import streamlit as st

import data_pipeline.analysis.catalog as catalog
import data_pipeline.present.view_shared as view_shared
from data_pipeline.analysis import lookups


def rename_topic(con, label: str) -> None:
    con.execute(
        "UPDATE vocabulary SET label_da = $l WHERE kind = 'topic' AND code = 'klima'", {"l": label}
    )


def test_a_kept_lookup_answers_from_memory_until_the_memo_is_left(sample_db):
    with lookups.kept({}):
        before = catalog.vocabulary(sample_db, "topic", "da")
        rename_topic(sample_db, "Vejret")
        inside = catalog.vocabulary(sample_db, "topic", "da")
        labels = view_shared.labels(sample_db, "topic", "da")
    outside = catalog.vocabulary(sample_db, "topic", "da")

    pd.testing.assert_frame_equal(inside, before)
    assert labels["klima"] == before.set_index("code").loc["klima", "label"]
    assert outside.set_index("code").loc["klima", "label"] == "Vejret"


def test_a_kept_lookup_hands_out_copies(sample_db):
    with lookups.kept({}):
        first = catalog.vocabulary(sample_db, "topic", "da")
        first.loc[0, "label"] = "changed by a caller"
        waves = catalog.waves(sample_db)
        waves.append("2099")

        assert catalog.vocabulary(sample_db, "topic", "da").loc[0, "label"] != "changed by a caller"
        assert "2099" not in catalog.waves(sample_db)


@pytest.fixture()
def app_db(sample_db_file, tmp_path, monkeypatch):
    db = tmp_path / "app.duckdb"
    shutil.copy(sample_db_file, db)
    shutil.copy(f"{sample_db_file}.key", f"{db}.key")
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(db))
    st.cache_data.clear()
    yield str(db)
    st.cache_data.clear()


def test_the_app_reads_lookups_once_per_snapshot(app_db):
    from app_support import data

    with data.reading() as cur:
        before = view_shared.labels(cur, "topic", "da")["klima"]
    with data.reading() as cur:  # the same snapshot: the memo answers
        assert view_shared.labels(cur, "topic", "da")["klima"] == before

    con = data.writer()  # a new snapshot is published when the writer closes
    try:
        rename_topic(con, "Vejret")
    finally:
        con.close()

    with data.reading() as cur:
        assert view_shared.labels(cur, "topic", "da")["klima"] == "Vejret"
    assert before != "Vejret"
