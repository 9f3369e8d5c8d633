"""Scheduled imports while the dashboard serves: one writer at a time across processes, a
snapshot for the dashboard, erasure that leaves no copy behind (docs/CONCURRENCY.md).

Real processes on real DuckDB files: `python -m data_pipeline` subprocesses, `streamlit run`
with Chromium, and AppTest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

import data_pipeline.store.locking as store
from data_pipeline.store.db import connect
from data_pipeline.store.load import ingest
from data_pipeline.store.sample import SAMPLE_DIR
from tests import pause_before_commit
from tests.browser_support import chromium, requires_chromium
from tests.conftest import ROOT
from tests.oidc_support import app_with_login, log_in, oidc_provider
from tests.security.helpers import copy_db

TIMEOUT = 180


def cli(*args: str, env: dict | None = None, **popen) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "data_pipeline", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env={**os.environ, **(env or {})},
    )


def start_cli(*args: str, env: dict | None = None, pause: float = 0) -> subprocess.Popen:
    """The CLI in a child process; with `pause`, each load holds the lock that long before
    COMMIT (tests/pause_before_commit.py)."""
    prefix = (
        pause_before_commit.command(pause) if pause else [sys.executable, "-m", "data_pipeline"]
    )
    return subprocess.Popen(
        [*prefix, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def json_lines(stdout: str) -> list[dict]:
    """ingest --json prints one object per line (the crash-test pause marker is not JSON)."""
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


@pytest.fixture()
def areas_file(tmp_path) -> Path:
    """A closed database holding the sample areas and postal codes: ready for survey files."""
    path = tmp_path / "atlas.duckdb"
    con = connect(path)
    ingest(con, SAMPLE_DIR / "areas.geojson", "areas")
    ingest(con, SAMPLE_DIR / "postal_codes.csv", "areas")
    con.close()
    return path


@pytest.fixture()
def sample_copy(sample_db_file, tmp_path) -> Path:
    return copy_db(sample_db_file, tmp_path / "atlas.duckdb")


def new_wave_file(tmp_path: Path, rows: int = 300) -> Path:
    """A survey file no database has seen (its own checksum): the first rows of 2021."""
    lines = (SAMPLE_DIR / "survey_2021.csv").read_bytes().splitlines(keepends=True)
    target = tmp_path / "survey_2029.csv"
    target.write_bytes(b"".join(lines[: rows + 1]))  # same header, encoding and delimiter
    return target


def test_two_imports_started_at_once_both_load_and_one_waits(areas_file):
    """As IT with two scheduled imports at the same minute, both succeed: the second waits for
    the first and says so; the database then holds both batches whole."""
    first = start_cli(
        "ingest", str(SAMPLE_DIR / "survey_2021.csv"), "--kind", "survey", "--wave", "2021",
        "--db", str(areas_file), "--json", pause=2,  # each holds the lock > 2 s
    )  # fmt: skip
    second = start_cli(
        "ingest", str(SAMPLE_DIR / "survey_2025.xlsx"), "--kind", "survey", "--wave", "2025",
        "--db", str(areas_file), "--json", pause=2,  # each holds the lock > 2 s
    )  # fmt: skip
    outputs = [process.communicate(timeout=TIMEOUT) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    results = [json_lines(out)[0] for out, _err in outputs]
    assert [r["status"] for r in results] == ["loaded", "loaded"], results
    waited = sorted(r["waited_s"] for r in results)
    assert waited[0] < 1.0 and waited[1] >= 1.5, waited  # one went first, the other waited
    waiter = max(range(2), key=lambda i: results[i]["waited_s"])
    assert "Waited" in outputs[waiter][1] and "Ventede" in outputs[waiter][1]

    batches = json.loads(cli("batches", "--db", str(areas_file), "--json").stdout)
    surveys = {b["wave_id"]: b for b in batches if b["kind"] == "survey"}
    assert set(surveys) == {"2021", "2025"}
    con = connect(areas_file, read_only=True)
    try:
        for wave, batch in surveys.items():
            count = con.execute(
                "SELECT count(*) FROM respondent WHERE wave_id = $w AND batch_id = $b",
                {"w": wave, "b": batch["batch_id"]},
            ).fetchone()[0]
            assert count == batch["rows_loaded"] > 0
    finally:
        con.close()


def test_a_writer_past_the_lock_timeout_is_refused_with_a_sentence(areas_file):
    """As IT I learn why an import gave up: the other writer held on longer than the timeout."""
    with store.hold(areas_file):
        started = time.monotonic()
        result = cli(
            "ingest", str(SAMPLE_DIR / "survey_2021.csv"), "--kind", "survey", "--wave", "2021",
            "--db", str(areas_file), env={"DELTAGELSESATLAS_LOCK_TIMEOUT": "1"},
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert "mere end 1 s" in result.stderr and "more than 1 s" in result.stderr
    assert "DELTAGELSESATLAS_LOCK_TIMEOUT" in result.stderr
    assert "Traceback" not in result.stderr
    assert elapsed >= 1.0
    batches = json.loads(cli("batches", "--db", str(areas_file), "--json").stdout)
    assert [b["kind"] for b in batches] == ["areas", "areas"]  # nothing was loaded


def test_an_open_app_session_sees_a_cli_import_after_a_rerun(sample_copy, tmp_path, monkeypatch):
    """As a director with the dashboard open, I rerun the page after the night's import and
    the new wave is there; the import did not have to wait for me."""
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(sample_copy))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "2029" not in at.selectbox(key="f_wave").options

    result = cli(
        "ingest", str(new_wave_file(tmp_path)), "--kind", "survey", "--wave", "2029",
        "--db", str(sample_copy), "--json", env={"DELTAGELSESATLAS_LOCK_TIMEOUT": "5"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json_lines(result.stdout)[0]["status"] == "loaded"

    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "2029" in at.selectbox(key="f_wave").options


def test_a_page_view_runs_while_another_sessions_query_holds_the_shared_connection(
    sample_copy, monkeypatch
):
    """As one of several people with the dashboard open, my page loads while a colleague's
    query is running. Found by the load test (tools/load_test.py, 5 sessions): the entry
    script ran SQL on the connection every session shares, and DuckDB refuses a second call on
    a busy connection ("connection is busy with another call") instead of waiting."""
    import threading

    from app_support import data

    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(sample_copy))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]

    shared = data.connection()
    started, failures = threading.Event(), []

    def long_query() -> None:  # a colleague's query, until interrupted
        started.set()
        try:
            shared.execute("SELECT count(*) FROM range(1000000000000) a")
        except Exception as exc:  # the interrupt ends it
            failures.append(exc)

    thread = threading.Thread(target=long_query)
    thread.start()
    try:
        assert started.wait(10)
        time.sleep(0.5)  # the query is running on the shared connection now
        assert thread.is_alive()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.selectbox(key="f_wave").options  # the page drew its filter bar
        assert thread.is_alive()  # and it did so while the other query still ran
    finally:
        shared.interrupt()
        thread.join(30)
    assert failures and "INTERRUPT" in str(failures[0]).upper()
    # The entry script no longer seals the connection itself: the snapshot opens sealed.
    cur = data.cursor()
    try:
        with pytest.raises(duckdb.Error, match="disabled"):
            cur.execute("SELECT * FROM read_csv('/etc/passwd')")
    finally:
        cur.close()


@requires_chromium
def test_a_cli_import_succeeds_while_the_dashboard_serves_a_browser(sample_copy, tmp_path):
    """As IT I schedule imports without stopping the dashboard: with a signed-in browser on the
    page the import and the read commands succeed, and a reload shows the new wave. (Signed in:
    once real data is loaded, demo mode is refused, as in production.)"""
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    with (
        oidc_provider() as provider,
        app_with_login(sample_copy, provider, secrets) as server,
        chromium() as browser,
    ):
        _context, page = log_in(browser, server, "viewer")
        page.goto(server)
        wait_for_app(page)
        assert page.url.endswith("wave=2025")  # the newest wave is chosen and put in the URL

        quick = {"DELTAGELSESATLAS_LOCK_TIMEOUT": "5"}  # the app must not hold the lock
        result = cli(
            "ingest", str(new_wave_file(tmp_path)), "--kind", "survey", "--wave", "2029",
            "--db", str(sample_copy), "--json", env=quick,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert json_lines(result.stdout)[0]["status"] == "loaded"
        batches = cli("batches", "--db", str(sample_copy), "--json", env=quick)
        assert batches.returncode == 0, batches.stderr
        assert "2029" in {b["wave_id"] for b in json.loads(batches.stdout)}
        summary = cli("summary", "--db", str(sample_copy), "--json", env=quick)
        assert summary.returncode == 0, summary.stderr
        assert "2029" in summary.stdout

        page.reload()  # the open page, reloaded: it keeps its URL (wave 2025) and works
        wait_for_app(page)
        assert page.url.endswith("wave=2025")
        page.goto(server)  # the newest wave is now 2029, from the snapshot the import published
        wait_for_app(page)
        assert page.url.endswith("wave=2029")
        assert page.locator('[data-testid="stException"]').count() == 0


def wait_for_app(page) -> None:
    page.wait_for_selector("h1", timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.wait_for_timeout(1500)


def files_holding(directory: Path, text: str) -> list[str]:
    needle = text.encode("utf-8")
    return [p.name for p in directory.iterdir() if p.is_file() and needle in p.read_bytes()]


def a_contact_email(path: Path) -> str:
    con = connect(path, read_only=True)
    try:
        return con.execute(
            "SELECT email FROM contact WHERE email IS NOT NULL ORDER BY respondent_id LIMIT 1"
        ).fetchone()[0]
    finally:
        con.close()


def test_erasure_leaves_the_email_in_no_file_beside_the_database(sample_copy):
    """As a citizen who asked to be forgotten, my email is in no file the system keeps: not the
    database, its snapshot for the dashboard, a leftover copy, the WAL or the lock file."""
    email = a_contact_email(sample_copy)
    assert store.ensure_snapshot(sample_copy, wait=True) is not None  # as the dashboard does
    leftover = sample_copy.with_name(f".{sample_copy.name}.snapshot-99999-1")
    leftover.write_bytes(store.snapshot_path(sample_copy).read_bytes())  # a publisher died
    assert {sample_copy.name, f"{sample_copy.name}.snapshot", leftover.name} <= set(
        files_holding(sample_copy.parent, email)
    )

    result = cli("erase", "--db", str(sample_copy), "--email", email, "--actor", "dpo", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["respondents"] == 1
    names = {p.name for p in sample_copy.parent.iterdir()}
    assert f"{sample_copy.name}.snapshot" in names and f"{sample_copy.name}.lock" in names
    assert files_holding(sample_copy.parent, email) == []
    assert store.snapshot_is_current(sample_copy)


def test_erasure_from_the_admin_page_leaves_no_copy_either(sample_copy, monkeypatch):
    """As an administrator I erase from the admin page while the dashboard reads its snapshot;
    afterwards no file beside the database holds the email, and the pages still work."""
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(sample_copy))
    monkeypatch.delenv("DELTAGELSESATLAS_PRODUCTION", raising=False)
    email = a_contact_email(sample_copy)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["demo_role"] = "admin"
    at.switch_page("pages/admin.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"{sample_copy.name}.snapshot" in files_holding(sample_copy.parent, email)

    at.radio(key="a_by").set_value("email")
    at.text_input(key="a_value").input(email)
    at.checkbox(key="a_confirm").check()
    at.button(key="FormSubmitter:a_erase-Slet borgeren").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success, [e.value for e in at.error]
    assert files_holding(sample_copy.parent, email) == []
    assert store.snapshot_is_current(sample_copy)
