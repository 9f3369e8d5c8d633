"""A real browser against `streamlit run app.py`: every page opens, a filter changes, and no
Streamlit exception box appears. Screenshots land in artifacts/screenshots/ for a human look.
"""

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

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"
PAGES = ["overblik", "udforsk", "kort", "grupper"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(sample_db_file, tmp_path_factory):
    db = tmp_path_factory.mktemp("browser") / "app.duckdb"
    shutil.copy(sample_db_file, db)
    port = free_port()
    env = {**os.environ, "DELTAGELSESATLAS_DB": str(db)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("streamlit did not start")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


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
