"""Browser timings: what a director feels, from a click to a settled page, in headless Chromium.

Owns the browser benchmark only: it starts the dashboard as the README does (`python -m
app_support.serve`; `--start streamlit` for plain `streamlit run app.py`) on a free port against a
database in its own work directory, drives Debian's Chromium with Playwright and prints a
Markdown table (or --json). It never touches the user's database.

    python tools/browser_bench.py                      # the sample municipality
    python tools/browser_bench.py --data sample --data 1000000 --out browser.json

Any database but the sample is served with login (demo mode is refused there): every server
gets `[auth]` pointed at a mock OIDC provider on localhost (tools/oidc_mock.py), the tool signs
in once per database and gives every fresh browser context that signed-in state (the auth
cookies), so a first visit is a returning user's visit on a server that never ran a script. The
sign-in itself (login screen → provider → callback → the landing page idle, on a fresh server in
a fresh context) is reported as its own series, `sign_in`; --login always does the same on the
sample.

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

    path = root / f"{data.replace(':', '-')}.duckdb"
    if path.exists():
        return path
    root.mkdir(parents=True, exist_ok=True)
    if data == "sample":
        from data_pipeline.analysis.sample_ready import build_sample

        build_sample(path)  # with its segment profiles, as the app's own first start
        return path
    if data.startswith("national"):
        from tools import national

        national.build_national_db(national.parse_fraction(data), root / f"gen-{data}", path)
    else:
        from tools import bench

        bench.build_query_db(int(data), root / f"gen-{data}", path)
    _store_segments(path)
    return path


def _store_segments(path: Path) -> None:
    """Cluster once after the load, as the CLI does after every ingest, so no first visit
    times the fitting (issue 16)."""
    from data_pipeline.analysis import segment_store
    from data_pipeline.store.db import connect

    con = connect(path)
    try:
        segment_store.store_all(con, path)
    finally:
        con.close()


def filter_codes(db: Path) -> dict[str, list[str]]:
    """Codes for shared links: age bands, areas and topics, in the database's order."""
    import data_pipeline.analysis.catalog as catalog
    from data_pipeline.present.view_shared import order
    from data_pipeline.store.db import connect

    con = connect(db, read_only=True)
    try:
        return {
            "age": list(catalog.age_bands(con)),
            "area": list(catalog.areas(con)["area_code"]),
            "topic": list(order(con, "topic")),
        }
    finally:
        con.close()


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Auth:
    """Login for the servers of one run: the mock provider, where the secrets go, the role, and
    once signed in, the browser state (cookies) every new context starts from."""

    provider: str
    secrets_dir: Path
    role: str = "admin"  # sees every page, as the demo mode does by default
    state: dict | None = None
    # Streamlit's auth cookie names the origin it was issued for (port included), so every
    # server of one run listens on this one port, one server at a time.
    port: int = field(default_factory=free_port)


# How servers start: "serve" (python -m app_support.serve, the README command) or "streamlit"
# (plain `streamlit run app.py`); set from --start.
START = ["serve"]
# What app_support.warmup writes when it is done (or gave up).
WARMED = ("sider varmet op", "Opvarmning sprunget over")


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
def streamlit_server(
    db: Path, auth: Auth | None = None, log: Path | None = None, start: str | None = None
) -> Iterator[Server]:
    """The dashboard on `db`, started as the README starts it (`python -m app_support.serve`,
    warm) or with `start="streamlit"` as plain `streamlit run app.py`; with `auth`, behind
    login at the mock provider; with `log`, the server's stdout and stderr go to that file
    (tracebacks count as errors). Timings start once the health check answers and, with the
    launcher, once its warm-up visit has finished (the state the README's command leaves a
    server in before a person arrives; app_support.warmup)."""
    from tools.oidc_mock import write_auth_secrets

    port = auth.port if auth is not None else free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DELTAGELSESATLAS_DB": str(db)}
    env.pop("DELTAGELSESATLAS_PRODUCTION", None)
    login_args: list[str] = []
    if auth is not None:
        secrets, auth_env = write_auth_secrets(auth.secrets_dir, url, auth.provider)
        env.update(auth_env)
        login_args = ["--secrets.files", str(secrets)]
    launcher = (
        ["streamlit", "run", "app.py"]
        if (start or START[0]) == "streamlit"
        else ["app_support.serve"]
    )
    command = [
        sys.executable, "-m", *launcher, "--server.headless", "true",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", *login_args,
    ]  # fmt: skip
    warm = launcher == ["app_support.serve"]
    scratch_log = log is None and warm
    if scratch_log:  # the warm-up reports in the log: keep one to read it
        log = Path(tempfile.mkstemp(prefix="bench_serve_", suffix=".log")[1])
    output = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
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
        while warm and not any(mark in log.read_text(errors="replace") for mark in WARMED):
            if process.poll() is not None or time.monotonic() > deadline + 300:
                raise RuntimeError(f"the warm-up on {url} did not end")
            time.sleep(0.2)
        yield Server(url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log is not None:
            output.close()
        if scratch_log:
            log.unlink(missing_ok=True)


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


def idle_result(state: dict, since: float | None = None) -> tuple[float, float, int] | None:
    """Decide from one STATE_JS snapshot whether the page is idle (see the module docstring):
    None while it is not; else ms from the start to idle, ms from the start to the last
    script_finished (the server's share, network included), and the Streamlit exception boxes
    on the page. `since` None: start at the click. Shared with tools/load_test.py."""
    start = state["t0"] if since is None else since
    if start is None:
        return None
    done = [at for at, status in state["finished"] if at >= start]
    last_status = [status for at, status in state["finished"] if at >= start][-1:]
    if not done or last_status[0] == 2:  # 2: FINISHED_EARLY_FOR_RERUN
        return None
    settled = max(done[-1], state["mut"], state["draw"])
    if state["running"] or state["now"] - settled < QUIET_MS:
        return None
    return settled - start, done[-1] - start, state["errors"]


def wait_idle(page, since: float | None = None) -> tuple[float, float, int]:
    """Wait until the page is idle; return what `idle_result` returns."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        result = idle_result(page.evaluate(STATE_JS), since)
        if result is not None:
            return result
        page.wait_for_timeout(50)
    raise NotIdle(f"not idle after {TIMEOUT_S} s")


def new_page(browser, auth: Auth | None = None):
    """A fresh context (a new session, nothing cached); signed in when `auth` holds a state."""
    state = auth.state if auth is not None else None
    context = browser.new_context(viewport=VIEWPORT, storage_state=state)
    context.add_init_script(INIT_SCRIPT)
    return context, context.new_page()


def sign_in_and_time(browser, server: Server, auth: Auth) -> tuple[float, float, int]:
    """A fresh context opens the app, signs in at the provider and lands on the first page:
    wall clock from the first navigation to the landing page idle (Playwright's clicks
    included); keeps the signed-in state in `auth` for every later context."""
    from tools.oidc_mock import sign_in

    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(INIT_SCRIPT)
    try:
        page = context.new_page()
        started = time.time() * 1000
        sign_in(page, server.url, auth.role)
        elapsed, script, boxes = wait_idle(page, since=0.0)
        check_dashboard(page)
        origin = page.evaluate("performance.timeOrigin")  # the landing document's start
        auth.state = context.storage_state()
        return origin + elapsed - started, origin + script - started, boxes
    finally:
        context.close()


def ensure_signed_in(browser, db: Path, auth: Auth | None) -> None:
    """Sign in once (on a server of its own, so no timed server has run a script before)."""
    if auth is None or auth.state is not None:
        return
    with streamlit_server(db, auth) as server:
        sign_in_and_time(browser, server, auth)


FILTER_BAR = '[data-testid="stSidebar"] [data-testid="stMultiSelect"]'


def open_and_time(browser, url: str, auth: Auth | None = None) -> tuple[float, float, int]:
    """A fresh browser context (a new session, nothing cached) opens the URL."""
    context, page = new_page(browser, auth)
    try:
        page.goto(url)
        result = wait_idle(page, since=0.0)
        if not page.locator(FILTER_BAR).count():
            # The filter bar's widget code is fetched once the first script run arrives; on a
            # slow first load the page can be quiet for 500 ms before it is drawn: the view
            # is settled only when it is there, so time to the idle after it.
            page.locator(FILTER_BAR).first.wait_for(timeout=TIMEOUT_S * 1000)
            result = wait_idle(page, since=0.0)
        check_dashboard(page)
        return result
    finally:
        context.close()


def settle_dashboard(page) -> None:
    """Untimed: wait until the page is idle with its filter bar drawn. Under load an early
    script run can end, and the page look idle, before the rerun that draws the sidebar."""
    wait_idle(page, since=0.0)
    page.locator(FILTER_BAR).first.wait_for(timeout=TIMEOUT_S * 1000)
    wait_idle(page, since=0.0)


def check_dashboard(page) -> None:
    """A timing of a refusal is no timing: demo mode (no login) runs only on the sample data."""
    if not page.locator(FILTER_BAR).count():
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


def measure_first_visits(browser, db: Path, pages, repeat: int, auth=None) -> list[Series]:
    """Each page's first visit on a server started for it, in a fresh browser context (signed
    in beforehand, with `auth`); with `auth`, also the sign-in itself on fresh servers."""
    out = []
    if auth is not None:
        series = Series("sign_in", "/ → overblik")  # the login lands on the first page
        for _ in range(repeat):
            with streamlit_server(db, auth) as server:
                record(series, lambda s=server: sign_in_and_time(browser, s, auth))
        out.append(series)
    ensure_signed_in(browser, db, auth)
    for name in pages:
        series = Series("first_visit", name)
        for _ in range(repeat):
            with streamlit_server(db, auth) as server:
                record(
                    series,
                    lambda s=server, n=name: open_and_time(browser, f"{s.url}/{n}", auth),
                )
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


def measure_warm_server(
    browser, db: Path, pages, repeat: int, codes, auth: Auth | None = None
) -> tuple[list[Series], dict]:
    """Shared links and filter changes on one server, after every page was visited once."""
    out: list[Series] = []
    ensure_signed_in(browser, db, auth)
    with streamlit_server(db, auth) as server:
        for name in pages:  # warm-up: imports, the connection, the filter choices
            open_and_time(browser, f"{server.url}/{name}", auth)
        memory = {"after_warm_up": server.memory_mb()}
        for name, links in shared_links(codes, pages, repeat).items():
            series = Series("shared_link", name)
            for link in links:
                record(series, lambda u=f"{server.url}{link}": open_and_time(browser, u, auth))
            out.append(series)
        for name in pages:
            for kind in FILTER_KINDS:
                series = Series(f"filter_{kind}", name)
                # A new session per kind, and each run adds one more option: every run is a
                # filter state no session asked for before, so the result cache never answers.
                context, page = new_page(browser, auth)
                try:
                    page.goto(f"{server.url}/{name}")
                    settle_dashboard(page)
                    for _ in range(repeat):
                        record(series, lambda p=page, k=kind: choose_option(p, k))
                finally:
                    context.close()
                out.append(series)
        memory["end"] = server.memory_mb()
    return out, memory


def needs_login(data: str, login: str = "auto") -> bool:
    """Demo mode (no login) runs on the sample only; `login` "always" signs in there too."""
    return login == "always" or data != "sample"


@contextmanager
def login_for(data: str, work: Path, login: str = "auto") -> Iterator[Auth | None]:
    """The mock provider while one data set is measured, or None where no login is needed."""
    if not needs_login(data, login):
        yield None
        return
    from tools.oidc_mock import oidc_provider

    with oidc_provider(quiet=True) as provider:
        yield Auth(provider, work / "secrets")


def run(
    data_sets,
    pages,
    repeat: int,
    work: Path,
    sections,
    out: Path | None = None,
    login: str = "auto",
) -> dict:
    """Measure every data set; with `out`, the JSON so far is written after each one, so a
    long run stopped half-way keeps what it measured."""

    reports = []
    with chromium() as browser:
        for data in data_sets:
            progress(f"database {data}")
            db = build_database(data, work)
            codes = filter_codes(db)
            report: dict = {"data": data, "load_average": {"start": load()}, "series": []}
            with login_for(data, work, login) as auth:
                report["login"] = auth is not None
                _measure(browser, db, pages, repeat, codes, sections, auth, report)
            report["load_average"]["end"] = load()
            reports.append(report)
            if out is not None:
                out.write_text(json.dumps(_result(reports, repeat), ensure_ascii=False, indent=2))
    return _result(reports, repeat)


def _measure(browser, db, pages, repeat, codes, sections, auth, report) -> None:
    data = report["data"]
    if "first" in sections:
        progress(f"{data}: first visits on fresh servers")
        report["series"] += [
            s.to_json() for s in measure_first_visits(browser, db, pages, repeat, auth)
        ]
        report["load_average"]["after_first_visits"] = load()
    if "warm" in sections:
        progress(f"{data}: shared links and filter changes on a warm server")
        series, memory = measure_warm_server(browser, db, pages, repeat, codes, auth)
        report["series"] += [s.to_json() for s in series]
        report["server_memory_mb"] = memory


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


def target_ms(measurement: str, data: str) -> float | None:
    """The issue's target; None for the sign-in, which has none (it is reported beside the
    first visits, which exclude it)."""
    key = "filter" if measurement.startswith("filter") else measurement
    if key not in TARGETS_MS:
        return None
    sample, large = TARGETS_MS[key]
    return sample if data == "sample" else large


def data_title(data: str) -> str:
    if data == "sample":
        return "sample"
    if data.startswith("national"):
        return f"all 98 municipalities ({data})"
    return f"{int(data):,} respondents"


def markdown(result: dict) -> str:
    lines = []
    for report in result["reports"]:
        data = report["data"]
        title = data_title(data) + (", signed in" if report.get("login") else "")
        lines += [
            f"### {title}",
            "",
            "| measurement | page | median | min | max | to script_finished | runs | target | met? |",
            "|---|---|---:|---:|---:|---:|---:|---|---|",
        ]
        for s in report["series"]:
            target = target_ms(s["measurement"], data)
            met = (
                "–"
                if s["median_ms"] is None or target is None
                else ("yes" if s["median_ms"] <= target else "**no**")
            )
            errors = f" ({len(s['errors'])} errors: {s['errors'][0]})" if s["errors"] else ""
            lines.append(
                f"| {s['measurement'].replace('_', ' ')} | {s['page']} | {fmt_ms(s['median_ms'])} | "
                f"{fmt_ms(s['min_ms'])} | {fmt_ms(s['max_ms'])} | {fmt_ms(s['script_median_ms'])} | {s['runs']} | {_target(target)} | "
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


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def _target(value: float | None) -> str:
    return "–" if value is None else f"≤ {fmt_ms(value)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        action="append",
        help="'sample', a number of respondents, or 'national[:FRACTION]' (all 98 "
        "municipalities, tools/national.py); repeatable",
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (median)")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated url paths")
    parser.add_argument(
        "--only", default="first,warm", help="first (fresh servers), warm (links and filters)"
    )
    parser.add_argument(
        "--login",
        choices=("auto", "always"),
        default="auto",
        help="auto: sign in (mock OIDC) on any database but the sample; always: on the sample too",
    )
    parser.add_argument("--workdir", type=Path, help="keep the databases here for a rerun")
    parser.add_argument("--out", type=Path, help="also write the JSON report to this file")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument(
        "--start",
        choices=["serve", "streamlit"],
        default="serve",
        help="start servers as the README does (python -m app_support.serve, warm) or with "
        "plain `streamlit run app.py`",
    )
    args = parser.parse_args(argv)
    START[0] = args.start
    data_sets = args.data or ["sample"]
    pages = tuple(p for p in args.pages.split(",") if p)
    sections = tuple(s for s in args.only.split(",") if s)
    if args.workdir:
        result = run(data_sets, pages, args.repeat, args.workdir, sections, args.out, args.login)
    else:
        with tempfile.TemporaryDirectory(prefix="deltagelsesatlas-browser-") as tmp:
            result = run(data_sets, pages, args.repeat, Path(tmp), sections, args.out, args.login)
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else markdown(result))
    errors = sum(len(s["errors"]) for r in result["reports"] for s in r["series"])
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
