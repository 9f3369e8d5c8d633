"""`python -m app_support.serve`: the warm start the README runs.

A real launcher process on a fresh database path: it must build the sample with its segment
profiles and publish the snapshot before the server answers its health check, keep Streamlit's
caches inside the runtime, visit every read-only page once to warm them, and serve Grupper
without an error box.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from app_support import warmup
from app_support.serve import _imported_modules
from data_pipeline.analysis.segment_store import path_for
from tests.browser_support import chromium, free_port, requires_chromium, wait_for
from tests.conftest import ROOT


def test_the_warm_list_holds_the_imports_made_inside_functions(tmp_path):
    source = tmp_path / "page.py"
    source.write_text(
        "import pandas as pd\n"
        "from data_pipeline.analysis import segment_store\n"
        "def fit():\n"
        "    from sklearn.cluster import KMeans\n"
        "    from .sibling import x\n",
        encoding="utf-8",
    )
    names = _imported_modules([source])
    assert "pandas" in names
    assert "sklearn.cluster" in names  # the lazy import a first visit would otherwise pay
    assert "data_pipeline.analysis.segment_store" in names  # `from package import module`
    assert not any(name.endswith("sibling") for name in names)  # relative: skipped


@pytest.mark.browser
@requires_chromium
def test_the_launcher_builds_the_sample_before_it_listens_and_serves_grupper(tmp_path):
    db = tmp_path / "fresh.duckdb"
    port = free_port()
    log = tmp_path / "serve.log"
    environment = {**os.environ, "DELTAGELSESATLAS_DB": str(db)}
    environment.pop("DELTAGELSESATLAS_PRODUCTION", None)
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app_support.serve", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        # Building the sample first takes ~15 s on a quiet machine, minutes under load.
        wait_for(f"http://127.0.0.1:{port}/_stcore/health", process, seconds=400)
        # Ready means ready: the first visitor finds the database, snapshot and segments.
        assert db.exists()
        assert os.path.exists(f"{db}.snapshot")
        assert path_for(db).exists(), "segments were left to Grupper's first visit"
        # The warm-up visits every read-only page before a person arrives (app_support.warmup).
        pages = len(warmup.PAGES)
        wanted = f"{pages} af {pages} sider varmet op"
        deadline = time.monotonic() + 400
        while wanted not in log.read_text(encoding="utf-8") and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text(encoding="utf-8")
            time.sleep(0.5)
        assert wanted in log.read_text(encoding="utf-8")
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1440, "height": 1800})
            page.goto(f"http://127.0.0.1:{port}/grupper", wait_until="domcontentloaded")
            page.wait_for_selector('[data-testid="stMain"] h1', timeout=90_000)
            page.wait_for_function(
                "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                timeout=90_000,
            )
            assert page.locator('[data-testid="stException"]').count() == 0
            assert "Grupper" in page.locator('[data-testid="stMain"]').inner_text()
    finally:
        process.terminate()
        process.wait(timeout=20)
    text = log.read_text(encoding="utf-8")
    assert "moduler forindlæst" in text
    assert "No runtime found" not in text  # no st.cache_data made outside the runtime
    assert "Opvarmning sprunget over" not in text
