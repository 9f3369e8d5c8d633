"""Where a rerun's time goes: cProfile of the page scripts after filter changes, via AppTest.

Owns this diagnosis only; it reads a database (the sample, built in a temporary directory,
unless --db is given) and never writes to it.

    python tools/profile_rerun.py                      # the four dashboard pages, the sample
    python tools/profile_rerun.py --db big.duckdb --page overblik --stats /tmp/overblik.pstats

Each page runs once to warm up, then adds one option at a time to the age, area and topic
filters (--changes per kind), so every rerun is a new filter state and a cache miss, as in
tools/browser_bench.py. The profile covers the script thread only. The split:
  - queries: self time of data_pipeline functions; DuckDB's C++ calls (execute, fetch to pandas)
    are invisible to cProfile and land here, in the function that called them. numpy's
    bootstrap draws in scores.bootstrap_counts are shown apart;
  - pandas and Python in data_pipeline: the rest of the time inside data_pipeline;
  - chart specs: Streamlit turning Altair charts into Vega-Lite (`to_dict`), of which the
    JSON-schema validation is shown apart;
  - Streamlit and the pages: everything else in the script thread (widgets, the filter bar,
    the page scripts, protobuf).
Drawing happens in the browser: tools/browser_bench.py gives it (idle minus server share).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAGES = ("overblik", "udforsk", "kort", "grupper")
FILTER_KINDS = {"age": 0, "area": 2, "topic": 3}  # sidebar multiselect index
PIPELINE = str(ROOT / "data_pipeline")


def _profile_script_threads(profile: dict) -> None:
    """AppTest runs each script in a new thread: profile that thread while one is wanted."""
    original = threading.Thread.run

    def run(self):
        active = profile.get("current")
        if active is None:
            return original(self)
        active.enable()
        try:
            return original(self)
        finally:
            active.disable()

    threading.Thread.run = run


def _cum(stats: dict, name: str, file_part: str = "") -> float:
    return sum(v[3] for k, v in stats.items() if k[2] == name and file_part in k[0])


def split(stats: pstats.Stats) -> dict[str, float]:
    """Seconds per part (see the module docstring)."""
    raw = stats.stats  # {(file, line, name): (cc, nc, tottime, cumtime, callers)}
    total = _cum(raw, "_run_script", "script_runner.py")
    pipeline_self = sum(v[2] for k, v in raw.items() if k[0].startswith(PIPELINE))
    bootstrap = sum(v[2] for k, v in raw.items() if k[2] == "bootstrap_counts")
    # data_pipeline's outermost calls: cumulative time of functions called from outside it
    entry = 0.0
    for (file, _line, _name), (_cc, _nc, _tt, _ct, callers) in raw.items():
        if not file.startswith(PIPELINE):
            continue
        for (caller_file, _l, _n), caller_stats in callers.items():
            if not caller_file.startswith(PIPELINE):
                entry += caller_stats[3]
    charts = _cum(raw, "_convert_altair_to_vega_lite_spec")
    validation = _cum(raw, "validate_jsonschema", "schemapi.py")
    queries = pipeline_self - bootstrap
    return {
        "total": total,
        "queries": queries,
        "bootstrap": bootstrap,
        "pandas": max(entry - pipeline_self, 0.0),
        "charts": charts,
        "chart_validation": validation,
        "streamlit_and_page": max(total - entry - charts, 0.0),
    }


def profile_page(db: Path, page: str, changes: int, stats_out: Path | None) -> dict:
    from streamlit.testing.v1 import AppTest

    os.environ["DELTAGELSESATLAS_DB"] = str(db)
    state: dict = {}
    _profile_script_threads(state)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    app.run()
    app.switch_page(f"pages/{page}.py")
    app.run()
    profile = cProfile.Profile()
    walls = []
    for index in FILTER_KINDS.values():
        for i in range(changes):
            box = app.sidebar.multiselect[index]
            box.select(box.options[i])
            state["current"] = profile
            start = time.perf_counter()
            app.run()
            walls.append((time.perf_counter() - start) * 1000)
            state["current"] = None
            if app.exception:
                raise RuntimeError(f"{page}: {app.exception[0].message}")
        app.sidebar.multiselect[index].set_value([])
        app.run()
    if stats_out is not None:
        profile.dump_stats(stats_out)
    parts = split(pstats.Stats(profile))
    reruns = len(walls)
    return {
        "page": page,
        "reruns": reruns,
        "wall_median_ms": round(statistics.median(walls), 1),
        "per_rerun_ms": {key: round(value * 1000 / reruns, 1) for key, value in parts.items()},
    }


def markdown(results: list[dict], load: tuple[float, float]) -> str:
    lines = [
        "| page | reruns | wall median | profiled total | queries (DuckDB) | "
        "bootstrap (numpy) | pandas in pipeline | chart specs | of which validation | "
        "Streamlit + page |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        p = r["per_rerun_ms"]
        lines.append(
            f"| {r['page']} | {r['reruns']} | {r['wall_median_ms']:.0f} ms | {p['total']:.0f} ms | "
            f"{p['queries']:.0f} ms | {p['bootstrap']:.0f} ms | {p['pandas']:.0f} ms | "
            f"{p['charts']:.0f} ms | {p['chart_validation']:.0f} ms | "
            f"{p['streamlit_and_page']:.0f} ms |"
        )
    lines.append("")
    lines.append(
        f"Per rerun, averaged; load average {load[0]} at the start, {load[1]} at the end. "
        "The wall median is AppTest's, measured with the profiler on; the parts are cProfile's."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="database to read (default: the sample)")
    parser.add_argument("--page", action="append", help="url path (repeatable); default: four")
    parser.add_argument("--changes", type=int, default=3, help="filter changes per kind")
    parser.add_argument("--stats", type=Path, help="write the pstats of the (last) page here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    load_start = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryDirectory(prefix="deltagelsesatlas-profile-") as tmp:
        db = args.db
        if db is None:
            sys.path.insert(0, str(ROOT / "tools"))
            from browser_bench import build_database

            db = build_database("sample", Path(tmp))
        results = [
            profile_page(db, page, args.changes, args.stats) for page in (args.page or PAGES)
        ]
    load = (load_start, round(os.getloadavg()[0], 2))
    if args.json:
        print(json.dumps({"load_average": load, "pages": results}, indent=2))
    else:
        print(markdown(results, load))
    return 0


if __name__ == "__main__":
    sys.exit(main())
