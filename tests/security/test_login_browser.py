"""The real server in a real browser: demo mode on real data is refused on a public address."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from data_pipeline.db import connect
from data_pipeline.load import ingest
from data_pipeline.sample import SAMPLE_DIR
from tests.conftest import ROOT
from tests.security.helpers import copy_db

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(db: Path, address: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DELTAGELSESATLAS_DB": str(db)}
    env.pop("DELTAGELSESATLAS_PRODUCTION", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", address,
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    pytest.fail("streamlit did not start")


def test_demo_mode_on_real_data_is_refused_on_a_public_address(sample_db_file, tmp_path):
    """As IT I loaded real survey data and started the app without [auth] on all interfaces:
    the browser shows a refusal and no figures, instead of an open demo."""
    db = copy_db(sample_db_file, tmp_path / "real.duckdb")
    lines = (SAMPLE_DIR / "survey_2021.csv").read_bytes().splitlines(keepends=True)
    real = tmp_path / "real_survey_2029.csv"
    real.write_bytes(b"".join(lines[:51]))
    con = connect(db)
    ingest(con, real, "survey", wave="2029", actor="it-drift")
    con.close()
    process, url = start(db, "0.0.0.0")
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            for path in ("", "/kontakt"):
                page.goto(f"{url}{path}")
                page.wait_for_selector('[data-testid="stAlert"]', timeout=60_000)
                assert "Demo mode" in page.content() or "Demotilstand" in page.content()
                assert page.locator('[data-testid="stMetric"]').count() == 0
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
