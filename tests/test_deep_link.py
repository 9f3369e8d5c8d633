"""A shared link as a fresh server's first visit goes through app.py (issue 15).

Streamlit treats a `pages/` folder as a legacy multipage app until st.navigation has run once
in the process; app_support.streamlit_compat works around it. Without that workaround the
first visit to /kort runs pages/kort.py alone: the menu then lists file names ("app", "maal")
and app.py's demo banner and role switcher are missing.
"""

from __future__ import annotations

import shutil

import pytest

from app_support.navigation import PAGES
from data_pipeline.core.i18n import t
from tests.browser_support import chromium, requires_chromium, streamlit_server

pytestmark = [pytest.mark.browser, requires_chromium]


@pytest.mark.parametrize("path", ["kort", "maal"])
def test_a_deep_link_as_the_first_visit_runs_through_app_py(sample_db_file, tmp_path, path):
    db = tmp_path / "app.duckdb"
    shutil.copy(sample_db_file, db)
    shutil.copy(f"{sample_db_file}.key", f"{db}.key")
    with streamlit_server(db) as url, chromium() as browser:  # a fresh server per case
        page = browser.new_page(viewport={"width": 1440, "height": 1200})
        page.goto(f"{url}/{path}")  # nothing has visited "/" on this server
        page.wait_for_selector('[data-testid="stSidebarNav"] a', timeout=90_000)
        page.wait_for_selector("h1", timeout=90_000)
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000
        )
        links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
        menu = [text.split("\n")[-1].strip() for text in links]  # after the icon's name
        titles = {t(key, "da") for _file, key, _icon, _url in PAGES}
        assert menu and set(menu) <= titles, menu  # app.py's Danish titles, not file names
        assert t("nav.goals", "da") in menu
        assert page.url.split("?")[0].endswith(f"/{path}"), page.url
        heading = page.locator("h1").first.inner_text()
        wanted = {"kort": t("map.title", "da"), "maal": t("goals.title", "da")}[path]
        assert heading == wanted
        page.close()
