"""Many people at once: N browser sessions changing filters against one Streamlit server.

Owns the load test of issue 16 only. It starts `streamlit run app.py` on a free localhost port
against a database in its own work directory (as tools/browser_bench.py does; any database but
the sample behind the mock OIDC login), opens N Playwright contexts in one headless Chromium,
and lets each loop for a bounded time: open a page (sessions start on different pages), then
add one option to the age, area and topic filters in turn (a random option, seeded per
session), then the next page. Every filter change is timed click → idle exactly as
browser_bench times it (its init script and `idle_result`, imported, not copied).

    python tools/load_test.py                                  # 20 sessions, 120 s, sample
    python tools/load_test.py --sessions 1,5,10,20 --data 1000000 --out load.json

With several session counts, each runs on a fresh server (warmed by one visit per page), and
the report says how many sessions one server held within the target median (300 ms at 1 M,
200 ms on the sample; --target-ms) without errors.

With --wire, all sessions but one speak Streamlit's websocket protocol without a browser
(tools/wire_session.py) and are timed send → script_finished, the server's whole answer; the
one left is a real Chromium session timed click → idle, what a person feels under that load.
Without it, 20 Chromium pages on 2 cores measure Chromium: a page view costs the browser 1.4–6 s
of CPU against the server's 0.25–1.4 s.

    python tools/load_test.py --wire --sessions 1,5,10,20 --out load.json

Errors are Streamlit exception boxes, error alerts, timeouts (no idle within --timeout s),
failed browser actions and tracebacks in the server's log. Server memory is the resident set
of the server process and its children, sampled every 0.5 s (/proc), and its kernel peak
(VmHWM). Chromium runs on the same machine and competes for the same cores: the figures are an
upper bound of what a server alone would answer in.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python tools/load_test.py` from anywhere
    sys.path.insert(0, str(ROOT))

from tools import browser_bench as bb  # noqa: E402

KINDS = tuple(bb.FILTER_KINDS)  # age, area, topic
WARM_UP_S = 300  # the untimed first visit of each page before a level starts
POLL_MS = 100  # how often each session asks its page whether it is idle (timings use the
# browser's own timestamps, so the poll interval only delays the next action)
ERROR_ALERTS_JS = "() => document.querySelectorAll('[data-testid=\"stAlertContentError\"]').length"


def progress(message: str) -> None:
    print(f"load-test: {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


# --- what the sessions record --------------------------------------------------------------------


@dataclass
class Stats:
    filter_ms: list[float] = field(default_factory=list)
    filter_script_ms: list[float] = field(default_factory=list)
    by_page: dict[str, list[float]] = field(default_factory=dict)
    open_ms: list[float] = field(default_factory=list)
    exception_boxes: int = 0
    error_alerts: int = 0
    timeouts: int = 0
    failures: list[str] = field(default_factory=list)


class NotIdle(RuntimeError):
    pass


async def wait_idle(page, since: float | None, timeout_s: float) -> tuple[float, float, int]:
    """browser_bench's idle, polled from asyncio."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = bb.idle_result(await page.evaluate(bb.STATE_JS), since)
        if result is not None:
            return result
        await asyncio.sleep(POLL_MS / 1000)
    raise NotIdle(f"not idle after {timeout_s:.0f} s")


async def check_page(page, stats: Stats, boxes: int) -> None:
    stats.exception_boxes += boxes
    stats.error_alerts += await page.evaluate(ERROR_ALERTS_JS)


async def choose_option(page, kind: str, rng: random.Random, timeout_s: float):
    """Add a random not yet chosen option of a sidebar filter; time click → idle."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(
        bb.FILTER_KINDS[kind]
    )
    await box.locator("input").first.click(timeout=timeout_s * 1000)
    options = page.get_by_role("option")
    await options.first.wait_for(timeout=timeout_s * 1000)
    option = options.nth(rng.randrange(await options.count()))
    await page.evaluate("() => { window.__bench.t0 = null; window.__bench.armed = true; }")
    await option.click(timeout=timeout_s * 1000)
    result = await wait_idle(page, None, timeout_s)
    await page.keyboard.press("Escape")
    return result


async def session(
    index: int, browser, url: str, state, pages, stop_at: float, timeout_s: float, stats: Stats
) -> None:
    """One person: page after page, one change per filter kind on each, until `stop_at`.

    A change started before `stop_at` is finished and counted; none starts after it, except
    each session's first (so a very short run still times one change per session)."""
    rng = random.Random(index)
    context = await browser.new_context(viewport=bb.VIEWPORT, storage_state=state)
    await context.add_init_script(bb.INIT_SCRIPT)
    page = await context.new_page()
    step = 0
    try:
        while time.monotonic() < stop_at:
            name = pages[(index + step) % len(pages)]
            kinds = KINDS[step % len(KINDS) :] + KINDS[: step % len(KINDS)]
            step += 1
            try:
                await page.goto(f"{url}/{name}", timeout=timeout_s * 1000)
                elapsed, _script, boxes = await wait_idle(page, 0.0, timeout_s)
                stats.open_ms.append(elapsed)
                await check_page(page, stats, boxes)
                for kind in kinds:
                    if time.monotonic() >= stop_at and stats.filter_ms:
                        break
                    elapsed, script, boxes = await choose_option(page, kind, rng, timeout_s)
                    stats.filter_ms.append(elapsed)
                    stats.filter_script_ms.append(script)
                    stats.by_page.setdefault(name, []).append(elapsed)
                    await check_page(page, stats, boxes)
            except NotIdle:
                stats.timeouts += 1
            except Exception as exc:  # a failed action is an error of the run, not a crash
                stats.failures.append(f"{name}: {type(exc).__name__}: {str(exc)[:160]}")
    finally:
        await context.close()


async def wire_session(
    index: int, url: str, cookies: dict, pages, stop_at: float, timeout_s: float, stats: Stats
) -> None:
    """`session` without a browser: the same order of pages and filter kinds, the same seeded
    choices, over Streamlit's websocket (a new connection per page, as page.goto makes)."""
    from tools.wire_session import WireError, WireSession

    rng = random.Random(index)
    step = 0
    while time.monotonic() < stop_at:
        name = pages[(index + step) % len(pages)]
        kinds = KINDS[step % len(KINDS) :] + KINDS[: step % len(KINDS)]
        step += 1
        try:
            async with WireSession(url, cookies) as wire:
                run = await wire.open(name, timeout_s=timeout_s)
                stats.open_ms.append(run.ms)
                stats.exception_boxes += run.exceptions
                stats.error_alerts += run.error_alerts
                for kind in kinds:
                    if time.monotonic() >= stop_at and stats.filter_ms:
                        break
                    run = await wire.choose(run, kind, rng, timeout_s=timeout_s)
                    stats.filter_ms.append(run.ms)
                    stats.filter_script_ms.append(run.ms)
                    stats.by_page.setdefault(name, []).append(run.ms)
                    stats.exception_boxes += run.exceptions
                    stats.error_alerts += run.error_alerts
        except WireError as exc:
            if "within" in str(exc):
                stats.timeouts += 1
            else:
                stats.failures.append(f"{name} (wire): {exc}")
        except Exception as exc:  # a refused or dropped connection is an error of the run
            stats.failures.append(f"{name} (wire): {type(exc).__name__}: {str(exc)[:160]}")


def state_cookies(state) -> dict:
    """The signed-in browser's cookies (Playwright storage state) for the wire sessions."""
    return {c["name"]: c["value"] for c in (state or {}).get("cookies", [])}


# --- the server, sampled -------------------------------------------------------------------------


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (/proc/<pid>/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with suppress(OSError, ValueError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return out


def tree_rss_mb(pid: int) -> float:
    total = 0
    for member in process_tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process and its waited-for children (/proc/<pid>/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


async def sample_server(server: bb.Server, samples: dict, stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples["rss_mb"].append(tree_rss_mb(server.process.pid))
        samples["load"].append(os.getloadavg()[0])
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.5)


def log_tracebacks(log: Path, offset: int) -> tuple[int, list[str]]:
    """Tracebacks the server wrote after `offset`, and their last lines (the exceptions)."""
    if not log.exists():
        return 0, []
    lines = log.read_bytes()[offset:].decode("utf-8", "replace").splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
    last = []
    for i in starts:
        tail = next(
            (line for line in lines[i + 1 :] if line and not line.startswith(" ")), "Traceback"
        )
        last.append(tail[:200])
    return len(starts), last


# --- one level: N sessions on a fresh server -----------------------------------------------------


async def run_level(
    browser,
    server: bb.Server,
    state,
    sessions: int,
    seconds: float,
    pages,
    timeout_s: float,
    wire: bool = False,
) -> dict:
    # Warm-up: one visit per page, so the level measures a running server, not its start.
    # A first visit may take long (imports; Grupper fits the wave's segments), hence the
    # longer timeout; a page that never settles is reported, and the sessions still run.
    warm_started = time.monotonic()
    warm_errors: list[str] = []
    context = await browser.new_context(viewport=bb.VIEWPORT, storage_state=state)
    await context.add_init_script(bb.INIT_SCRIPT)
    page = await context.new_page()
    for name in pages:
        try:
            await page.goto(f"{server.url}/{name}", timeout=WARM_UP_S * 1000)
            await wait_idle(page, 0.0, WARM_UP_S)
        except Exception as exc:
            warm_errors.append(f"warm-up {name}: {type(exc).__name__}: {str(exc)[:160]}")
    await context.close()
    warm_s = time.monotonic() - warm_started

    samples: dict = {"rss_mb": [], "load": []}
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_server(server, samples, stop))
    load_start = os.getloadavg()[0]
    cpu_start = cpu_seconds(server.process.pid)
    started = time.monotonic()
    stop_at = started + seconds
    per_session = [Stats() for _ in range(sessions)]
    browsers = 1 if wire else sessions  # with --wire, session 0 is the one real browser
    cookies = state_cookies(state)
    await asyncio.gather(
        *(
            session(i, browser, server.url, state, pages, stop_at, timeout_s, per_session[i])
            if i < browsers
            else wire_session(i, server.url, cookies, pages, stop_at, timeout_s, per_session[i])
            for i in range(sessions)
        )
    )
    wall = time.monotonic() - started
    cpu = cpu_seconds(server.process.pid) - cpu_start
    stop.set()
    await sampler
    report = _level_report(per_session, sessions, seconds, wall, cpu, warm_s, samples, load_start)
    report["errors"]["warm_up"] = warm_errors
    if wire:  # the figures of each kind of session apart: answer vs felt time
        report["browser_sessions"] = browsers
        report["browser"] = _timings(per_session[:browsers])
        report["wire"] = _timings(per_session[browsers:])
    return report


def _timings(stats: list[Stats]) -> dict:
    filters = [ms for s in stats for ms in s.filter_ms]
    opens = [ms for s in stats for ms in s.open_ms]
    return {
        "sessions": len(stats),
        "filter_changes": len(filters),
        "filter_median_ms": _r(statistics.median(filters) if filters else None),
        "filter_p95_ms": _r(percentile(filters, 95)),
        "filter_max_ms": _r(max(filters) if filters else None),
        "page_open_median_ms": _r(statistics.median(opens) if opens else None),
    }


def _level_report(per_session, sessions, seconds, wall, cpu, warm_s, samples, load_start):
    total = Stats()
    for s in per_session:
        total.filter_ms += s.filter_ms
        total.filter_script_ms += s.filter_script_ms
        total.open_ms += s.open_ms
        for name, values in s.by_page.items():
            total.by_page.setdefault(name, []).extend(values)
        total.exception_boxes += s.exception_boxes
        total.error_alerts += s.error_alerts
        total.timeouts += s.timeouts
        total.failures += s.failures
    f = total.filter_ms
    return {
        "sessions": sessions,
        "seconds": seconds,
        "wall_s": round(wall, 1),
        "warm_up_s": round(warm_s, 1),
        "filter_changes": len(f),
        "filter_changes_per_min": round(len(f) / wall * 60, 1) if wall else None,
        "filter_median_ms": _r(statistics.median(f) if f else None),
        "filter_p95_ms": _r(percentile(f, 95)),
        "filter_max_ms": _r(max(f) if f else None),
        "filter_script_median_ms": _r(
            statistics.median(total.filter_script_ms) if total.filter_script_ms else None
        ),
        "filter_median_ms_by_page": {
            name: _r(statistics.median(v)) for name, v in sorted(total.by_page.items())
        },
        "page_open_median_ms": _r(statistics.median(total.open_ms) if total.open_ms else None),
        "page_open_p95_ms": _r(percentile(total.open_ms, 95)),
        "errors": {
            "exception_boxes": total.exception_boxes,
            "error_alerts": total.error_alerts,
            "timeouts": total.timeouts,
            "failures": len(total.failures),
            "failure_examples": total.failures[:5],
        },
        "server_rss_mb": {
            "peak_sampled": _r(max(samples["rss_mb"]) if samples["rss_mb"] else None, 0),
            "end": _r(samples["rss_mb"][-1] if samples["rss_mb"] else None, 0),
        },
        "server_cpu_s": round(cpu, 1),
        "server_cores_used": round(cpu / wall, 2) if wall else None,
        "load_average": {
            "start": round(load_start, 2),
            "max": round(max(samples["load"]), 2) if samples["load"] else None,
            "end": round(os.getloadavg()[0], 2),
        },
    }


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def error_count(level: dict) -> int:
    e = level["errors"]
    return (
        e["exception_boxes"]
        + e["error_alerts"]
        + e["timeouts"]
        + e["failures"]
        + e.get("server_tracebacks", 0)
        + len(e.get("warm_up", []))
    )


# --- the run -------------------------------------------------------------------------------------


async def run_levels_async(
    db: Path, levels, seconds, pages, timeout_s, auth, work: Path, wire: bool = False
):
    from playwright.async_api import async_playwright

    state = auth.state if auth is not None else None
    log = work / "server.log"
    out = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=bb.CHROMIUM, args=bb.CHROMIUM_ARGS
        )
        try:
            for sessions in levels:
                offset = log.stat().st_size if log.exists() else 0
                progress(f"{sessions} session(s) for {seconds:.0f} s")
                with bb.streamlit_server(db, auth, log=log) as server:
                    level = await run_level(
                        browser, server, state, sessions, seconds, pages, timeout_s, wire
                    )
                    level["server_rss_mb"].update(server.memory_mb())  # rss_mb, peak_mb (VmHWM)
                count, last = log_tracebacks(log, offset)
                level["errors"]["server_tracebacks"] = count
                level["errors"]["traceback_examples"] = last[:5]
                progress(
                    f"  {sessions} session(s): median {level['filter_median_ms']} ms, "
                    f"p95 {level['filter_p95_ms']} ms, {level['filter_changes']} changes, "
                    f"{error_count(level)} errors"
                )
                out.append(level)
        finally:
            await browser.close()
    return out


def sign_in_state(db: Path, auth) -> None:
    """Sign in once with the sync browser (before the asyncio loop starts)."""
    if auth is None:
        return
    with bb.chromium() as browser:
        bb.ensure_signed_in(browser, db, auth)


def run(
    data: str,
    levels: list[int],
    seconds: float,
    pages,
    work: Path,
    target_ms: float | None = None,
    timeout_s: float = 60,
    login: str = "auto",
    wire: bool = False,
) -> dict:
    progress(f"database {data}")
    db = bb.build_database(data, work)
    target = target_ms or bb.target_ms("filter", data)
    with bb.login_for(data, work, login) as auth:
        sign_in_state(db, auth)
        reports = asyncio.run(
            run_levels_async(db, levels, seconds, pages, timeout_s, auth, work, wire)
        )

    def held_by(key: str | None) -> int:
        held = [
            r["sessions"]
            for r in reports
            if (timings := r[key] if key else r)["filter_median_ms"] is not None
            and timings["filter_median_ms"] <= target
            and error_count(r) == 0
        ]
        return max(held) if held else 0

    from tools.bench import machine

    return {
        "data": data,
        "login": bb.needs_login(data, login),
        "pages": list(pages),
        "target_median_ms": target,
        "wire": wire,
        # With --wire: held by what the one browser session felt (click → idle), and by the
        # server's answer to the wire sessions (send → script_finished).
        "held_within_target": held_by("browser" if wire else None),
        "held_by_server_answer": held_by("wire") if wire else None,
        "machine": machine(),
        "levels": reports,
    }


# --- output --------------------------------------------------------------------------------------


def markdown(result: dict) -> str:
    return _markdown_wire(result) if result.get("wire") else _markdown_browsers(result)


def _markdown_wire(result: dict) -> str:
    ms = bb.fmt_ms
    lines = [
        f"### Load test: {bb.data_title(result['data'])}"
        + (", signed in" if result["login"] else "")
        + ", one browser and the rest over the websocket",
        "",
        "| sessions | filter changes | server answer median | p95 | max | page open (answer) "
        "| browser click → idle median | p95 | errors | server peak RSS | server cores used "
        "| load avg start / max / end |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in result["levels"]:
        w, b = r["wire"], r["browser"]
        lines.append(
            f"| {r['sessions']} | {r['filter_changes']} | {ms(w['filter_median_ms'])} | "
            f"{ms(w['filter_p95_ms'])} | {ms(w['filter_max_ms'])} | "
            f"{ms(w['page_open_median_ms'])} | {ms(b['filter_median_ms'])} | "
            f"{ms(b['filter_p95_ms'])} | {_server_cells(r)} |"
        )
    lines += [
        "",
        f"Each level: a fresh server warmed by one visit per page, then the sessions for "
        f"{result['levels'][0]['seconds']:.0f} s each (pages {', '.join(result['pages'])}; age, "
        f"area and topic changed in turn, no pause between). One session is a Chromium page "
        f"(click → idle); the others send Streamlit's websocket messages (send → "
        f"script_finished: the server's answer without drawing; a page open is a new "
        f"connection). Sessions held with no errors and a median within "
        f"{ms(result['target_median_ms'])}: **{result['held_within_target']}** by the browser's "
        f"felt time, **{result['held_by_server_answer']}** by the server's answer (of the levels "
        f"run).",
    ]
    lines += _error_lines(result)
    return "\n".join(lines)


def _server_cells(r: dict) -> str:
    """The columns both tables end with: errors, server peak RSS, cores used, load average."""
    rss = r["server_rss_mb"]
    peak = max(v for v in (rss.get("peak_sampled"), rss.get("peak_mb")) if v is not None)
    la = r["load_average"]
    errors = error_count(r)
    return (
        f"{errors if not errors else f'**{errors}**'} | {peak:,.0f} MB | "
        f"{r['server_cores_used']} | {la['start']} / {la['max']} / {la['end']}"
    )


def _error_lines(result: dict) -> list[str]:
    lines = []
    for r in result["levels"]:
        e = r["errors"]
        examples = (
            e.get("warm_up", []) + e.get("failure_examples", []) + e.get("traceback_examples", [])
        )
        if examples:
            lines.append(f"- {r['sessions']} session(s), first errors: " + "; ".join(examples[:3]))
    return lines


def _markdown_browsers(result: dict) -> str:
    ms = bb.fmt_ms
    lines = [
        f"### Load test: {bb.data_title(result['data'])}"
        + (", signed in" if result["login"] else ""),
        "",
        "| sessions | filter changes | median | p95 | max | to script_finished | page open "
        "median | errors | server peak RSS | server cores used | load avg start / max / end |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in result["levels"]:
        lines.append(
            f"| {r['sessions']} | {r['filter_changes']} | {ms(r['filter_median_ms'])} | "
            f"{ms(r['filter_p95_ms'])} | {ms(r['filter_max_ms'])} | "
            f"{ms(r['filter_script_median_ms'])} | {ms(r['page_open_median_ms'])} | "
            f"{_server_cells(r)} |"
        )
    lines += [
        "",
        f"Each level: a fresh server warmed by one visit per page, then the sessions for "
        f"{result['levels'][0]['seconds']:.0f} s each (pages {', '.join(result['pages'])}; age, "
        f"area and topic changed in turn). Sessions held within a median of "
        f"{ms(result['target_median_ms'])} and no errors: **{result['held_within_target']}** "
        f"(of the levels run). Chromium shares the machine's "
        f"{result['machine']['cpu_count']} cores with the server.",
    ]
    lines += _error_lines(result)
    return "\n".join(lines)


def _levels(text: str) -> list[int]:
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("comma-separated whole numbers, e.g. 1,5,10,20") from None
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError("each session count must be at least 1")
    return levels


def _data(text: str) -> str:
    if text == "sample" or text.startswith("national"):
        return text
    if text.replace("_", "").isdigit() and int(text.replace("_", "")) > 0:
        return str(int(text.replace("_", "")))
    raise argparse.ArgumentTypeError("'sample', a number of respondents or national[:FRACTION]")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sessions",
        type=_levels,
        default=[20],
        help="simultaneous browser sessions; a list (1,5,10,20) runs each on a fresh server",
    )
    parser.add_argument("--seconds", type=float, default=120, help="duration of each level")
    parser.add_argument(
        "--data",
        type=_data,
        default="sample",
        help="'sample', a number of respondents, or national[:FRACTION]",
    )
    parser.add_argument("--pages", default=",".join(bb.PAGES), help="comma-separated url paths")
    parser.add_argument(
        "--target-ms", type=float, help="median filter→idle a session count must meet "
        "(default: 200 on the sample, 300 otherwise)"
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=float, default=60, help="seconds before a change counts as a timeout"
    )
    parser.add_argument("--login", choices=("auto", "always"), default="auto")
    parser.add_argument(
        "--wire",
        action="store_true",
        help="all sessions but one without a browser (Streamlit's websocket messages); "
        "the one left is a real Chromium session",
    )
    parser.add_argument("--workdir", type=Path, help="keep the databases here for a rerun")
    parser.add_argument("--out", type=Path, help="also write the JSON report to this file")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    args.pages = tuple(p for p in args.pages.split(",") if p)
    return args


@contextmanager
def _workdir(path: Path | None):
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="deltagelsesatlas-load-") as tmp:
        yield Path(tmp)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with _workdir(args.workdir) as work:
        result = run(
            args.data, args.sessions, args.seconds, args.pages, work, args.target_ms,
            args.timeout, args.login, args.wire,
        )  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else markdown(result))
    return 1 if any(error_count(r) for r in result["levels"]) else 0


if __name__ == "__main__":
    sys.exit(main())
