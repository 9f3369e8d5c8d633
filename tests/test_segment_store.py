"""Segments are clustered once per data version and read afterwards, by any process, without
scikit-learn; only aggregates are stored (issue 16: the fit was most of Grupper's first visit)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from data_pipeline.analysis import segment_store
from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.segments import fit_segments
from tests.conftest import ROOT

READ_IN_A_NEW_PROCESS = """
import json, sys
import duckdb
from data_pipeline.analysis import segment_store
con = duckdb.connect(sys.argv[1], read_only=True)
result = segment_store.profiles(con, sys.argv[2], "2025")
clusters = segment_store.area_clusters(con, sys.argv[2], "2025")
print(json.dumps({"sklearn": "sklearn" in sys.modules, "k": result.k,
                  "names": [p["name_da"] for p in result.profiles],
                  "clusters": clusters["cluster"].tolist()}))
"""


def plain(value) -> object:
    return json.loads(json.dumps(value, default=lambda v: v.item()))


def test_stored_segments_are_the_fit_and_hold_no_members(sample_db, tmp_path):
    db = tmp_path / "sample.duckdb"

    result = segment_store.profiles(sample_db, db, "2025")
    expected = fit_segments(sample_db, Filters(wave="2025"))

    assert plain(result.to_json()) == plain(expected.to_json())
    assert result.labels.empty
    text = segment_store.path_for(db).read_text(encoding="utf-8")
    assert "respondent_id" not in text
    n = sample_db.execute("SELECT count(*) FROM respondent WHERE wave_id = '2025'").fetchone()[0]
    sizes = [p["size"] for p in json.loads(text)["2025"]["segments"]["result"]["segments"]]
    assert sum(sizes) == n  # sizes per segment, not a list per respondent


def test_another_process_reads_them_without_clustering(sample_db, tmp_path):
    db = tmp_path / "sample.duckdb"
    stored = segment_store.profiles(sample_db, db, "2025")
    clusters = segment_store.area_clusters(sample_db, db, "2025")
    copy = tmp_path / "copy.duckdb"  # the same data; the original is held by this test
    shutil.copy(db, copy)

    run = subprocess.run(
        [sys.executable, "-c", READ_IN_A_NEW_PROCESS, str(copy), str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    read = json.loads(run.stdout)

    assert read["sklearn"] is False
    assert read["k"] == stored.k
    assert read["names"] == [p["name_da"] for p in stored.profiles]
    assert read["clusters"] == clusters["cluster"].tolist()


def test_changed_answers_are_clustered_again(sample_db, tmp_path):
    db = tmp_path / "sample.duckdb"
    before = segment_store.profiles(sample_db, db, "2025")
    key = json.loads(segment_store.path_for(db).read_text())["2025"]["segments"]["fingerprint"]

    sample_db.execute("UPDATE respondent SET topic_mask = 1 WHERE wave_id = '2025'")
    after = segment_store.profiles(sample_db, db, "2025")

    stored = json.loads(segment_store.path_for(db).read_text())["2025"]["segments"]
    assert stored["fingerprint"] != key
    assert plain(after.to_json()) == plain(fit_segments(sample_db, Filters(wave="2025")).to_json())
    assert plain(after.to_json()) != plain(before.to_json())


def test_an_undo_from_the_cli_stores_the_segments_of_what_is_left(sample_db_file, tmp_path):
    db = tmp_path / "cli.duckdb"
    shutil.copy(sample_db_file, db)
    shutil.copy(f"{sample_db_file}.key", f"{db}.key")
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    (batch,) = con.execute(
        "SELECT batch_id FROM batch WHERE kind = 'survey' AND wave_id = '2021'"
    ).fetchone()
    con.close()

    run = subprocess.run(
        [sys.executable, "-m", "data_pipeline", "undo", str(batch), "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )

    assert run.returncode == 0, run.stderr
    stored = json.loads(segment_store.path_for(db).read_text(encoding="utf-8"))
    assert sorted(stored) == ["2025"]  # 2021 has no responses left
    assert sorted(stored["2025"]) == ["area_clusters", "segments"]
