"""tools/browser_bench.py runs against a real server and Chromium and keeps its JSON contract:
every timing it reports ends after the server's script finished. Speed itself is never asserted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.browser_support import requires_chromium
from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow, requires_chromium]


def test_browser_bench_reports_every_timing_as_median_min_max(tmp_path):
    out = tmp_path / "browser.json"
    command = [
        sys.executable, "tools/browser_bench.py", "--repeat", "2", "--pages", "udforsk",
        "--workdir", str(tmp_path), "--out", str(out), "--json",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)

    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result == json.loads(out.read_text())
    [report] = result["reports"]
    assert report["data"] == "sample"
    assert {"start", "end"} <= set(report["load_average"])
    measured = [(s["measurement"], s["page"]) for s in report["series"]]
    expected = [
        (m, "udforsk")
        for m in ("first_visit", "shared_link", "filter_age", "filter_area", "filter_topic")
    ]
    assert measured == expected
    for series in report["series"]:
        assert series["errors"] == [], series
        assert series["runs"] == 2
        assert series["min_ms"] <= series["median_ms"] <= series["max_ms"]
        # Idle comes after the server's script_finished, which comes after the start.
        assert 0 < series["script_median_ms"] <= series["median_ms"]
    assert report["server_memory_mb"]["end"]["rss_mb"] > 0


def test_browser_bench_prints_a_markdown_table_with_the_load_average(tmp_path):
    command = [
        sys.executable, "tools/browser_bench.py", "--repeat", "1", "--pages", "kort",
        "--only", "warm", "--workdir", str(tmp_path),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)

    assert done.returncode == 0, done.stderr[-2000:]
    assert "| measurement | page | median |" in done.stdout
    assert "| filter topic | kort |" in done.stdout
    assert "Load average (1 min): start" in done.stdout
