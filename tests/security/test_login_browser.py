"""The real server in a real browser: demo mode on real data is refused on a public address."""

from __future__ import annotations

import pytest

from data_pipeline.store.db import connect
from data_pipeline.store.load import ingest
from data_pipeline.store.sample import SAMPLE_DIR
from tests.browser_support import chromium, requires_chromium, streamlit_server
from tests.security.helpers import copy_db

pytestmark = [pytest.mark.browser, requires_chromium]


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
    with streamlit_server(db, address="0.0.0.0") as url, chromium() as browser:
        page = browser.new_page()
        for path in ("", "/kontakt"):
            page.goto(f"{url}{path}")
            page.wait_for_selector('[data-testid="stAlert"]', timeout=60_000)
            assert "Demo mode" in page.content() or "Demotilstand" in page.content()
            assert page.locator('[data-testid="stMetric"]').count() == 0
