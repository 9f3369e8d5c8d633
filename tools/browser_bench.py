"""Browser timings: what a director feels, from a click to a settled page, in headless Chromium.

Owns the browser benchmark only: it starts `streamlit run app.py` on a free port against a
database in its own work directory, drives Debian's Chromium with Playwright and prints a
Markdown table (or --json). It never touches the user's database.

    python tools/browser_bench.py                      # the sample municipality
    python tools/browser_bench.py --data sample --data 1000000 --out browser.json

"Idle" (the end of every timing) is the latest of three moments, confirmed by QUIET_MS in which
none of them happens again and Streamlit's status widget is absent:
  1. the server's `script_finished` message on the websocket (a ForwardMsg whose status is not
     "finished early for a rerun");
  2. the last change to the page's DOM (a MutationObserver on the whole document, ignoring the
     open drop-down list of the filter that was clicked);
  3. the last canvas drawing (CanvasRenderingContext2D.restore, which Vega calls when it has
     drawn a chart: a canvas redraw changes no DOM).
The start is the navigation start (first visit, shared link) or the `click` event on a filter
option (its event timestamp), both on the browser's clock, so Playwright's own round trips are
not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python tools/browser_bench.py` from anywhere
    sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PAGES = ("overblik", "udforsk", "kort", "grupper")
# Filter kind -> index of its multiselect in the sidebar (app_support.state.FILTER_PARAMS order)
FILTER_KINDS = {"age": 0, "area": 2, "topic": 3}
QUIET_MS = 500
TIMEOUT_S = 90
VIEWPORT = {"width": 1440, "height": 1800}
TARGETS_MS = {  # issue 16: (sample, 1 M respondents)
    "first_visit": (1500, 1500),
    "shared_link": (1500, 1500),
    "filter": (200, 300),
}

# Installed before any page script: stamps websocket messages, DOM changes, canvas draws and the
# click that starts a filter timing, all on performance.now().
INIT_SCRIPT = """
(() => {
  const b = window.__bench = {finished: [], mut: 0, draw: 0, t0: null, armed: false};
  // ForwardMsg field 6 is script_finished (an enum, so a varint); read only the top level.
  const finishedStatus = (u) => {
    let i = 0;
    const varint = () => {
      let r = 0, m = 1, x;
      do { x = u[i++]; r += (x & 0x7f) * m; m *= 128; } while ((x & 0x80) && i < u.length);
      return r;
    };
    while (i < u.length) {
      const tag = varint(), fieldNo = Math.floor(tag / 8), wire = tag & 7;
      if (wire === 0) { const v = varint(); if (fieldNo === 6) return v; }
      else if (wire === 2) { const n = varint(); i += n; }  // i += varint() reads i first
      else if (wire === 1) { i += 8; } else if (wire === 5) { i += 4; } else { return null; }
    }
    return null;
  };
  const note = (now, buffer) => {
    const status = finishedStatus(new Uint8Array(buffer));
    if (status !== null) b.finished.push([now, status]);
  };
  const Native = window.WebSocket;
  class BenchSocket extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (ev) => {
        const now = performance.now();
        if (ev.data instanceof ArrayBuffer) note(now, ev.data);
        else if (ev.data instanceof Blob) ev.data.arrayBuffer().then((buf) => note(now, buf));
      });
    }
  }
  window.WebSocket = BenchSocket;
  const inMenu = (node) => {
    const el = node && node.nodeType === 1 ? node : node && node.parentElement;
    return !!(el && el.closest && el.closest('[data-baseweb="popover"]'));
  };
  new MutationObserver((records) => {
    for (const r of records) { if (!inMenu(r.target)) { b.mut = performance.now(); return; } }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const restore = CanvasRenderingContext2D.prototype.restore;
  CanvasRenderingContext2D.prototype.restore = function () {
    b.draw = performance.now();
    return restore.call(this);
  };
  window.addEventListener('click', (ev) => {
    if (b.armed) { b.t0 = ev.timeStamp; b.armed = false; }
  }, true);
})();
"""

STATE_JS = """() => {
  const b = window.__bench;
  return {now: performance.now(), finished: b.finished, mut: b.mut, draw: b.draw, t0: b.t0,
          running: !!document.querySelector('[data-testid="stStatusWidget"]'),
          errors: document.querySelectorAll('[data-testid="stException"]').length};
}"""


# --- the database --------------------------------------------------------------------------------


def build_database(data: str, root: Path) -> Path:
    """The sample municipality, or N generated respondents as `bench` builds them (kept in root,
    so a second run with the same --workdir reuses it)."""
    from data_pipeline.store.db import connect

    path = root / f"{data}.duckdb"
    if path.exists():
        return path
    root.mkdir(parents=True, exist_ok=True)
    if data == "sample":
        from data_pipeline.store.sample import load_sample

        con = connect(path)
        try:
            load_sample(con)
        finally:
            con.close()
        return path
    from tools import bench

    bench.build_query_db(int(data), root / f"gen-{data}", path)
    return path


def filter_codes(db: Path) -> dict[str, list[str]]:
    """Codes for shared links: age bands, areas and topics, in the database's order."""
    import data_pipeline.analysis.catalog as catalog
    from data_pipeline.present import views
    from data_pipeline.store.db import connect

    con = connect(db, read_only=True)
    try:
        return {
            "age": list(catalog.age_bands(con)),
            "area": list(catalog.areas(con)["area_code"]),
            "topic": list(views.order(con, "topic")),
        }
    finally:
        con.close()


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen

    def memory_mb(self) -> dict[str, float | None]:
        """The server's resident memory now (VmRSS) and its peak so far (VmHWM)."""
        out: dict[str, float | None] = {"rss_mb": None, "peak_mb": None}
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out["rss_mb"] = round(int(line.split()[1]) / 1024)
                elif line.startswith("VmHWM:"):
                    out["peak_mb"] = round(int(line.split()[1]) / 1024)
        except OSError:
            pass
        return out


@contextmanager
def streamlit_server(db: Path) -> Iterator[Server]:
    port = free_port()
    env = {**os.environ, "DELTAGELSESATLAS_DB": str(db)}
    env.pop("DELTAGELSESATLAS_PRODUCTION", None)
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start on {url}") from None
                time.sleep(0.2)
        yield Server(url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# --- one timing ----------------------------------------------------------------------------------


class NotIdle(RuntimeError):
    pass


def wait_idle(page, since: float | None = None) -> tuple[float, float, int]:
    """Wait until the page is idle (see the module docstring); return ms from the start to
    idle, ms from the start to the last script_finished (the server's share, network
    included), and the Streamlit exception boxes on the page. `since` None: start at the click."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        s = page.evaluate(STATE_JS)
        start = s["t0"] if since is None else since
        if start is not None:
            done = [at for at, status in s["finished"] if at >= start]
            last_status = [status for at, status in s["finished"] if at >= start][-1:]
            if done and last_status[0] != 2:  # 2: FINISHED_EARLY_FOR_RERUN
                settled = max(done[-1], s["mut"], s["draw"])
                if not s["running"] and s["now"] - settled >= QUIET_MS:
                    return settled - start, done[-1] - start, s["errors"]
        page.wait_for_timeout(50)
    raise NotIdle(f"not idle after {TIMEOUT_S} s")


def new_page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(INIT_SCRIPT)
    return context, context.new_page()


def open_and_time(browser, url: str) -> tuple[float, float, int]:
    """A fresh browser context (a new session, nothing cached) opens the URL."""
    context, page = new_page(browser)
    try:
        page.goto(url)
        result = wait_idle(page, since=0.0)
        check_dashboard(page)
        return result
    finally:
        context.close()


def check_dashboard(page) -> None:
    """A timing of a refusal is no timing: demo mode (no login) runs only on the sample data."""
    if not page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').count():
        text = page.locator("body").inner_text()[:160].replace("\n", " ")
        raise RuntimeError(f"no filter bar: the app did not show the dashboard ({text})")


def choose_option(page, kind: str) -> tuple[float, float, int]:
    """Add the first not yet chosen option of a sidebar filter; time click → idle."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(
        FILTER_KINDS[kind]
    )
    # The text input, not the box's centre: with chips chosen, the centre may be a chip's ✕.
    box.locator("input").first.click()
    option = page.get_by_role("option").first
    option.wait_for(timeout=30_000)
    page.evaluate("() => { window.__bench.t0 = null; window.__bench.armed = true; }")
    option.click()
    result = wait_idle(page)
    page.keyboard.press("Escape")
    return result


# --- the measurements ----------------------------------------------------------------------------


@dataclass
class Series:
    measurement: str  # first_visit | shared_link | filter_age | filter_area | filter_topic
    page: str
    runs_ms: list[float] = field(default_factory=list)
    script_ms: list[float] = field(default_factory=list)  # start → last script_finished
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        runs = self.runs_ms
        return {
            "measurement": self.measurement,
            "page": self.page,
            "median_ms": round(statistics.median(runs), 1) if runs else None,
            "min_ms": round(min(runs), 1) if runs else None,
            "max_ms": round(max(runs), 1) if runs else None,
            "runs": len(runs),
            "runs_ms": [round(r, 1) for r in runs],
            "script_median_ms": round(statistics.median(self.script_ms), 1) if runs else None,
            "errors": self.errors,
        }


def record(series: Series, timed) -> None:
    try:
        elapsed, script, boxes = timed()
    except Exception as exc:  # a run that fails is reported, not lost
        series.errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
        progress(f"  {series.measurement} {series.page}: failed: {series.errors[-1]}")
        return
    series.runs_ms.append(elapsed)
    series.script_ms.append(script)
    progress(f"  {series.measurement} {series.page}: {elapsed:.0f} ms (server {script:.0f} ms)")
    if boxes:
        series.errors.append(f"{boxes} Streamlit exception box(es)")


def load() -> float:
    return round(os.getloadavg()[0], 2)


def progress(message: str) -> None:
    print(f"browser-bench: {message}", file=sys.stderr, flush=True)


def measure_first_visits(browser, db: Path, pages, repeat: int) -> list[Series]:
    """Each page's first visit on a server started for it, in a fresh browser context."""
    out = []
    for name in pages:
        series = Series("first_visit", name)
        for _ in range(repeat):
            with streamlit_server(db) as server:
                record(series, lambda s=server, n=name: open_and_time(browser, f"{s.url}/{n}"))
        out.append(series)
    return out


def shared_links(codes: dict[str, list[str]], pages, repeat: int) -> dict[str, list[str]]:
    """Per page, `repeat` links with a different filter each (an age band and a topic), so no
    run is answered by the result cache of the run before."""
    links = {}
    for name in pages:
        links[name] = [
            f"/{name}?age={codes['age'][i % len(codes['age'])]}"
            f"&topic={codes['topic'][(i + 1) % len(codes['topic'])]}"
            for i in range(repeat)
        ]
    return links


def measure_warm_server(browser, db: Path, pages, repeat: int, codes) -> tuple[list[Series], dict]:
    """Shared links and filter changes on one server, after every page was visited once."""
    out: list[Series] = []
    with streamlit_server(db) as server:
        for name in pages:  # warm-up: imports, the connection, the filter choices
            open_and_time(browser, f"{server.url}/{name}")
        memory = {"after_warm_up": server.memory_mb()}
        for name, links in shared_links(codes, pages, repeat).items():
            series = Series("shared_link", name)
            for link in links:
                record(series, lambda u=f"{server.url}{link}": open_and_time(browser, u))
            out.append(series)
        for name in pages:
            for kind in FILTER_KINDS:
                series = Series(f"filter_{kind}", name)
                # A new session per kind, and each run adds one more option: every run is a
                # filter state no session asked for before, so the result cache never answers.
                context, page = new_page(browser)
                try:
                    page.goto(f"{server.url}/{name}")
                    wait_idle(page, since=0.0)
                    check_dashboard(page)
                    for _ in range(repeat):
                        record(series, lambda p=page, k=kind: choose_option(p, k))
                finally:
                    context.close()
                out.append(series)
        memory["end"] = server.memory_mb()
    return out, memory


def run(data_sets, pages, repeat: int, work: Path, sections, out: Path | None = None) -> dict:
    """Measure every data set; with `out`, the JSON so far is written after each one, so a
    long run stopped half-way keeps what it measured."""

    reports = []
    with chromium() as browser:
        for data in data_sets:
            progress(f"database {data}")
            db = build_database(data, work)
            codes = filter_codes(db)
            report: dict = {"data": data, "load_average": {"start": load()}, "series": []}
            if "first" in sections:
                progress(f"{data}: first visits on fresh servers")
                report["series"] += [
                    s.to_json() for s in measure_first_visits(browser, db, pages, repeat)
                ]
                report["load_average"]["after_first_visits"] = load()
            if "warm" in sections:
                progress(f"{data}: shared links and filter changes on a warm server")
                series, memory = measure_warm_server(browser, db, pages, repeat, codes)
                report["series"] += [s.to_json() for s in series]
                report["server_memory_mb"] = memory
            report["load_average"]["end"] = load()
            reports.append(report)
            if out is not None:
                out.write_text(json.dumps(_result(reports, repeat), ensure_ascii=False, indent=2))
    return _result(reports, repeat)


def _result(reports: list[dict], repeat: int) -> dict:
    from tools.bench import machine

    return {
        "machine": machine(),
        "repeat": repeat,
        "quiet_ms": QUIET_MS,
        "idle": "latest of script_finished, last DOM change, last canvas draw; "
        f"then {QUIET_MS} ms without any and no status widget",
        "reports": reports,
    }


# --- output --------------------------------------------------------------------------------------


def target_ms(measurement: str, data: str) -> float:
    key = "filter" if measurement.startswith("filter") else measurement
    sample, large = TARGETS_MS[key]
    return sample if data == "sample" else large


def markdown(result: dict) -> str:
    lines = []
    for report in result["reports"]:
        data = report["data"]
        title = "sample" if data == "sample" else f"{int(data):,} respondents"
        lines += [
            f"### {title}",
            "",
            "| measurement | page | median | min | max | to script_finished | runs | target | met? |",
            "|---|---|---:|---:|---:|---:|---:|---|---|",
        ]
        for s in report["series"]:
            target = target_ms(s["measurement"], data)
            met = (
                "–" if s["median_ms"] is None else ("yes" if s["median_ms"] <= target else "**no**")
            )
            errors = f" ({len(s['errors'])} errors: {s['errors'][0]})" if s["errors"] else ""
            lines.append(
                f"| {s['measurement'].replace('_', ' ')} | {s['page']} | {_ms(s['median_ms'])} | "
                f"{_ms(s['min_ms'])} | {_ms(s['max_ms'])} | {_ms(s['script_median_ms'])} | {s['runs']} | ≤ {_ms(target)} | "
                f"{met}{errors} |"
            )
        la = report["load_average"]
        memory = report.get("server_memory_mb", {}).get("end")
        loads = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in la.items())
        held = (
            f"server memory at the end {memory['rss_mb']} MB (peak {memory['peak_mb']} MB); "
            if memory
            else ""
        )
        lines += [
            "",
            f"Load average (1 min): {loads}; {held}"
            f"median of {result['repeat']} runs; idle = {result['idle']}.",
            "",
        ]
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", action="append", help="'sample' or a number of respondents (repeatable)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (median)")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated url paths")
    parser.add_argument(
        "--only", default="first,warm", help="first (fresh servers), warm (links and filters)"
    )
    parser.add_argument("--workdir", type=Path, help="keep the databases here for a rerun")
    parser.add_argument("--out", type=Path, help="also write the JSON report to this file")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    data_sets = args.data or ["sample"]
    pages = tuple(p for p in args.pages.split(",") if p)
    sections = tuple(s for s in args.only.split(",") if s)
    if args.workdir:
        result = run(data_sets, pages, args.repeat, args.workdir, sections, args.out)
    else:
        with tempfile.TemporaryDirectory(prefix="deltagelsesatlas-browser-") as tmp:
            result = run(data_sets, pages, args.repeat, Path(tmp), sections, args.out)
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else markdown(result))
    errors = sum(len(s["errors"]) for r in result["reports"] for s in r["series"])
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
