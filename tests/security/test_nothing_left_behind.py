"""Nothing left behind (issue 13, finding 9): uploads and transcoded copies live in a private
scratch directory and go after the load, on erasure and at start-up; the database, its snapshot
and the pseudonym key are readable by the owner alone; the segment cache holds no person."""

from __future__ import annotations

import os
import stat
import tempfile
import time
from pathlib import Path

import pytest

import data_pipeline.store.locking as store
from data_pipeline.cli.main import main
from data_pipeline.core import scratch
from data_pipeline.core.disclosure import pseudonym_key
from data_pipeline.core.errors import DatabaseError
from data_pipeline.store.db import connect
from tests.security.helpers import app

PLANTED = "planted.borger.4711@example.dk"
SURVEY = (
    "Tidsstempel;Alder;Køn;Lokalområde;Må vi kontakte dig?;Navn;E-mail\r\n"
    f"20/11/2029 10.00.00;34;Kvinde;Nordby;Ja;Plantet Borger;{PLANTED}\r\n"
    "20/11/2029 10.05.00;51;Mand;Sydby;Nej;;\r\n"
    "20/11/2029 10.09.00;62;Kvinde;Nordby;Nej;;\r\n"
)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture()
def private_tmp(tmp_path, monkeypatch):
    """The process's temp directory moved under tmp_path, so the test sees every file."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.delenv("DELTAGELSESATLAS_TMP", raising=False)
    return temp


def files_holding(root: Path, needle: bytes) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if needle in data or needle.decode().encode("utf-16-le") in data:
                found.append(path)
    return found


def test_an_uploaded_e_mail_is_nowhere_after_erasure(app_db, private_tmp, tmp_path):
    """As a DPO: a citizen's e-mail that came in through the Upload page is, after
    `erase --email`, in no file under the data directory or the temp directory."""
    at = app("upload", role="analyst")
    at.text_input(key="u_wave").set_value("2029").run()
    at.file_uploader[0].set_value(("svar.csv", SURVEY.encode("utf-8"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="u_load").click().run()
    assert not at.exception and at.success
    con = connect(app_db)
    try:
        assert con.execute(
            "SELECT count(*) FROM contact WHERE email = $e", {"e": PLANTED}
        ).fetchone()[0]
    finally:
        con.close()

    code = main(["erase", "--db", str(app_db), "--email", PLANTED, "--actor", "dpo", "--json"])
    assert code == 0
    assert files_holding(tmp_path, PLANTED.encode()) == []


def test_a_loaded_upload_is_deleted_at_once(app_db, private_tmp):
    at = app("upload", role="analyst")
    at.text_input(key="u_wave").set_value("2029").run()
    at.file_uploader[0].set_value(("svar.csv", SURVEY.encode("utf-8"), "text/csv")).run()
    root = Path(at.session_state["u_root"])
    assert root.parent == scratch.scratch_root() and mode(root.parent) == 0o700
    assert [p.name for p in root.rglob("*.csv")] == ["svar.csv"]
    at.button(key="u_load").click().run()
    assert not at.exception and at.success
    assert list(root.rglob("*.csv")) == []


def test_the_sweep_removes_what_a_killed_load_left_and_keeps_fresh_uploads(private_tmp):
    """A transcoded copy left by a SIGKILL (hours old) goes at start-up; an upload someone is
    working on right now stays."""
    stale_handle, stale = scratch.scratch_file(".csv")
    os.close(stale_handle)
    fresh = scratch.scratch_dir("upload_")
    hours_ago = time.time() - 3 * 3600
    os.utime(stale, (hours_ago, hours_ago))
    assert mode(stale) == 0o600 and mode(fresh) == 0o700
    assert scratch.sweep() == 1
    assert not stale.exists() and fresh.exists()


def test_the_scratch_directory_must_be_ours(tmp_path, monkeypatch):
    """A directory planted in its place as a symlink (to somewhere readable) is refused."""
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "scratch").symlink_to(target)
    monkeypatch.setenv("DELTAGELSESATLAS_TMP", str(tmp_path / "scratch"))
    with pytest.raises(scratch.UnsafeScratch):
        scratch.scratch_root()


def test_the_database_its_snapshot_and_rewrite_are_0600(tmp_path, sample_db_file):
    path = tmp_path / "ny.duckdb"
    connect(path).close()
    assert mode(path) == 0o600
    store.publish(path)
    assert mode(store.snapshot_path(path)) == 0o600
    copy = tmp_path / "kopi.duckdb"
    copy.write_bytes(Path(sample_db_file).read_bytes())
    (tmp_path / "kopi.duckdb.key").write_bytes(Path(f"{sample_db_file}.key").read_bytes())
    con = connect(copy)
    try:
        someone = con.execute("SELECT min(respondent_id) FROM respondent").fetchone()[0]
    finally:
        con.close()
    os.chmod(copy, 0o644)  # as left by an older version
    assert main(["erase", "--db", str(copy), "--respondent", str(someone), "--actor", "dpo"]) == 0
    assert mode(copy) == 0o600


def test_the_pseudonym_key_is_created_once_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("DELTAGELSESATLAS_PSEUDONYM_KEY", raising=False)
    db = tmp_path / "atlas.duckdb"
    key = pseudonym_key(str(db))
    assert mode(f"{db}.key") == 0o600
    assert pseudonym_key(str(db)) == key  # never overwritten


def test_a_symlinked_pseudonym_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("DELTAGELSESATLAS_PSEUDONYM_KEY", raising=False)
    chosen = tmp_path / "chosen.key"
    chosen.write_text("an attacker's key", encoding="ascii")
    (tmp_path / "atlas.duckdb.key").symlink_to(chosen)
    with pytest.raises(DatabaseError, match="symbolsk link"):
        pseudonym_key(str(tmp_path / "atlas.duckdb"))


def test_the_segment_cache_holds_profiles_but_no_person(app_db):
    """The cached clustering (shared by every user of the server) has no respondent ids; the
    Kontakt page gets a segment's members computed for its request only."""
    from app_support import data

    cached = data.segments(str(app_db), "2025", "da")
    assert cached.profiles and len(cached.labels) == 0
    members = data.segment_members("2025", cached.profiles[0]["segment"])
    assert len(members) == cached.profiles[0]["size"]
