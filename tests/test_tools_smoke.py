"""tools/load_test.py cannot rot silently: its arguments, its pure parts (browser_bench's idle
rule it reuses, the percentile, the server-log scan) and one very short session in Chromium
against the sample. Speed is never asserted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.browser_support import requires_chromium
from tests.conftest import ROOT
from tools import browser_bench as bb
from tools import load_test as lt
from tools.bench import copy_db


def test_the_load_test_takes_a_list_of_session_counts_and_has_bounded_defaults():
    args = lt.parse_args([])
    assert (args.sessions, args.seconds, args.data) == ([20], 120, "sample")
    assert args.pages == bb.PAGES
    args = lt.parse_args(
        ["--sessions", "1,5,10,20", "--seconds", "30", "--data", "1_000_000", "--pages", "kort"]
    )
    assert (args.sessions, args.seconds, args.data, args.pages) == (
        [1, 5, 10, 20], 30, "1000000", ("kort",),
    )  # fmt: skip
    assert lt.parse_args(["--data", "national:0.05"]).data == "national:0.05"


@pytest.mark.parametrize(
    "argv",
    [["--sessions", "0"], ["--sessions", "5,x"], ["--data", "many"], ["--seconds", "0"]],
)
def test_the_load_test_refuses_arguments_it_cannot_run(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        lt.parse_args(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_idle_needs_a_finished_script_no_status_widget_and_quiet():
    state = {"now": 2000.0, "finished": [[100.0, 1]], "mut": 300.0, "draw": 250.0, "t0": None,
             "running": False, "errors": 0}  # fmt: skip
    assert bb.idle_result(state, 0.0) == (300.0, 100.0, 0)
    assert bb.idle_result({**state, "now": 700.0}, 0.0) is None  # 400 ms quiet < QUIET_MS
    assert bb.idle_result({**state, "running": True}, 0.0) is None
    assert bb.idle_result({**state, "finished": [[100.0, 2]]}, 0.0) is None  # ended for a rerun
    assert bb.idle_result(state, None) is None  # a filter timing before its click
    assert bb.idle_result({**state, "t0": 50.0}, None) == (250.0, 50.0, 0)


def test_percentile_and_server_tracebacks(tmp_path):
    assert lt.percentile([], 95) is None
    assert lt.percentile([7.0], 95) == 7.0
    assert lt.percentile([float(i) for i in range(1, 101)], 95) == 95.0
    log = tmp_path / "server.log"
    log.write_text("ready\nTraceback (most recent call last):\n  File 'x'\nValueError: boom\n")
    assert lt.log_tracebacks(log, 0) == (1, ["ValueError: boom"])
    assert lt.log_tracebacks(log, log.stat().st_size) == (0, [])


@pytest.mark.browser
@requires_chromium
def test_one_short_session_against_the_sample(sample_db_file, tmp_path):
    copy_db(sample_db_file, tmp_path / "sample.duckdb")  # the tool reuses it from --workdir
    out = tmp_path / "load.json"
    command = [
        sys.executable, "tools/load_test.py", "--sessions", "1", "--seconds", "3",
        "--pages", "udforsk", "--workdir", str(tmp_path), "--out", str(out), "--json",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result == json.loads(out.read_text())
    assert result["data"] == "sample" and result["login"] is False
    [level] = result["levels"]
    assert level["sessions"] == 1 and level["filter_changes"] >= 1
    assert lt.error_count(level) == 0, level["errors"]
    assert 0 < level["filter_script_median_ms"] <= level["filter_median_ms"]
    assert level["filter_median_ms"] <= level["filter_p95_ms"] <= level["filter_max_ms"]
    assert level["server_rss_mb"]["peak_sampled"] > 0
    assert result["held_within_target"] in (0, 1)


def test_the_national_build_is_98_municipalities_of_5_9_million_with_unique_codes():
    from tools import national, synthetic

    sizes = national.municipality_sizes(1.0)
    assert len(sizes) == 98 and abs(sizes.sum() - 5_900_000) < 1
    assert sizes.min() < 20_000 < 200_000 < sizes.max()  # small islands to the capital
    codes = {code for m in range(1, 99) for code in national.municipality_areas(m)}
    assert len(codes) == 98 * len(synthetic.AREA_CODES) == 1_470
    assert national.NATIONAL_FILTERS[2].areas == national.municipality_areas(1)
    assert national.parse_fraction("national") == 1.0
    assert national.parse_fraction("national:0.05") == 0.05
    with pytest.raises(ValueError):
        national.parse_fraction("national:2")


def test_a_wire_session_changes_a_filter_as_a_click_does(sample_db_file, tmp_path):
    """The load test's browserless session (tools/wire_session.py) against a real server: the
    filter it sends is the filter the app applies (the link changes), and an exception box
    would be counted (none on these pages)."""
    import asyncio
    import random

    from tools.wire_session import WireSession

    db = copy_db(sample_db_file, tmp_path / "sample.duckdb")

    async def drive(url: str):
        async with WireSession(url) as wire:
            opened = await wire.open("udforsk", timeout_s=120)
            assert {"f_age_band", "f_area", "f_topic"} <= set(opened.multiselects)
            assert "age=" not in wire.query_string
            changed = await wire.choose(opened, "age", random.Random(3), timeout_s=120)
            return opened, changed, wire.query_string, wire.widgets

    with bb.streamlit_server(db, log=tmp_path / "server.log") as server:
        opened, changed, link, sent = asyncio.run(drive(server.url))
    assert opened.ms > 0 and changed.ms > 0
    assert (opened.exceptions, changed.exceptions, changed.error_alerts) == (0, 0, 0)
    [chosen] = next(iter(sent.values()))  # one age band, by its label ("25-29 år")
    assert f"age={chosen.split()[0]}" in link, (chosen, link)


@pytest.mark.browser
@requires_chromium
def test_a_short_wire_level_reports_browser_and_server_apart(sample_db_file, tmp_path):
    copy_db(sample_db_file, tmp_path / "sample.duckdb")
    command = [
        sys.executable, "tools/load_test.py", "--wire", "--sessions", "2", "--seconds", "3",
        "--pages", "udforsk", "--workdir", str(tmp_path), "--json",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    [level] = result["levels"]
    assert result["wire"] is True and level["browser_sessions"] == 1
    assert level["browser"]["sessions"] == 1 and level["wire"]["sessions"] == 1
    assert level["browser"]["filter_changes"] >= 1 and level["wire"]["filter_changes"] >= 1
    assert lt.error_count(level) == 0, level["errors"]
    assert result["held_by_server_answer"] in (0, 2)
