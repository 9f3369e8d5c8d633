"""Shared by the browser tests: start `streamlit run app.py` on a free port, launch Chromium.

One place for the server command line, the health wait and the Chromium flags this machine
needs (no sandbox as root; no background networking on a closed network).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
requires_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"
)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen | None = None, seconds: float = 60) -> None:
    """Poll a URL until it answers; fail early if the process behind it has died."""
    for _ in range(int(seconds * 2)):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            if process is not None and process.poll() is not None:
                break
            time.sleep(0.5)
    pytest.fail(f"{url} did not answer")


@contextmanager
def streamlit_server(
    db: Path,
    address: str = "127.0.0.1",
    extra_args: tuple[str, ...] = (),
    env: dict | None = None,
    port: int | None = None,
) -> Iterator[str]:
    """`streamlit run app.py` on the given database; yields the base URL, stops it after.

    Pass `port` when the URL must be known before the server starts (an OIDC redirect URI)."""
    port = port or free_port()
    environment = {**os.environ, "DELTAGELSESATLAS_DB": str(db), **(env or {})}
    environment.pop("DELTAGELSESATLAS_PRODUCTION", None)
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
        "--server.port", str(port), "--server.address", address,
        "--browser.gatherUsageStats", "false", *extra_args,
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/_stcore/health", process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
