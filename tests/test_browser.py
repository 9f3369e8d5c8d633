"""A real browser against `streamlit run app.py`: every page opens, a filter changes, and no
Streamlit exception box appears. Screenshots land in artifacts/screenshots/ for a human look.
"""

from __future__ import annotations

import shutil

import pytest

from tests.browser_support import chromium, requires_chromium, streamlit_server
from tests.conftest import ROOT

SHOTS = ROOT / "artifacts" / "screenshots"
PAGES = ["overblik", "udforsk", "kort", "grupper"]

pytestmark = [pytest.mark.browser, requires_chromium]


@pytest.fixture(scope="module")
def server(sample_db_file, tmp_path_factory):
    db = tmp_path_factory.mktemp("browser") / "app.duckdb"
    shutil.copy(sample_db_file, db)
    with streamlit_server(db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def wait_for_app(page) -> None:
    page.wait_for_selector("h1", timeout=60_000)
    # Streamlit shows a running indicator while the script runs; wait until it is gone.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.wait_for_timeout(2500)


def assert_no_exception(page, where: str) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, f"{where}: {boxes.first.inner_text()[:500]}"


@pytest.mark.parametrize("name", PAGES)
def test_each_page_renders_and_reacts_to_a_filter(server, browser, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 2600})
    page.goto(f"{server}/{name}")
    wait_for_app(page)
    assert_no_exception(page, name)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    # Change the gender filter through the real multiselect.
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(1).click()
    page.get_by_role("option", name="Kvinder").click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    assert_no_exception(page, f"{name} after filter")
    assert "gender=kvinde" in page.url
    page.screenshot(path=str(SHOTS / f"{name}_kvinder.png"), full_page=True)
    page.close()


def test_a_shared_link_opens_the_same_view(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 2600})
    page.goto(f"{server}/overblik?wave=2021&age=80%2B&lang=en")
    wait_for_app(page)
    assert_no_exception(page, "link")
    assert page.locator("h1").first.inner_text().strip() == "Overview"
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "80+" in sidebar
    assert "wave=2021" in page.url and "lang=en" in page.url
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text().strip() != ""
    page.screenshot(path=str(SHOTS / "overview_en_link.png"), full_page=True)
    page.close()
