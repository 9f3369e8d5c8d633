"""`python -m data_pipeline bench`: ingest, page queries, analysis and the map timed at N rows.

Owns the benchmark, its pandas baseline and its JSON contract. It writes only inside its own
work directory (a temporary one unless --workdir is given), never to the user's database.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from data_pipeline.analysis.filtering import Filters
from data_pipeline.cli.registry import EXIT_OK, command
from data_pipeline.store.db import connect

WAVE = "2025"
SAMPLE_WAVE_ROWS = 9_000  # the sample municipality's 2025 wave: population scales by N / this
XLSX_MAX_ROWS = 200_000  # openpyxl needs minutes to write more, and Forms exports stay smaller
CHUNK_ROWS = 500_000  # generate and write the CSV in slices, so 5 M rows fit in memory
GROUPS = ("ingest", "pages", "analysis", "map")
PAGES = ("overview", "explore", "map", "groups")
GAP_DIMS = ("age_band", "gender", "area")

# Typical filter changes on the dashboard, applied in turn so no call repeats the previous one:
# a result cache (the app's st.cache_data) never answers, while DuckDB's buffer pool stays warm
# as it would in a running app.
FILTER_CHANGES = (
    Filters(wave=WAVE, age_bands=("18-24", "25-29"), topics=("klima",)),
    Filters(wave=WAVE, genders=("kvinde",), formats=("digitalt_moede", "online_afstemning")),
    Filters(wave=WAVE, age_bands=("60-69", "70-79"), topics=("trafik", "aeldre")),
    Filters(wave=WAVE, areas=("01", "02", "05"), engagements=("aktiv", "medansvar")),
)
ANALYSIS_FILTER = Filters(wave=WAVE)
EXPLORE_ROWS, EXPLORE_COLS = "age_band", "topic"


# --- measuring -----------------------------------------------------------------------------------


def reset_peak_rss() -> None:
    """Restart the kernel's RSS high-water mark at the current RSS (Linux only).

    DuckDB allocates outside Python's allocator, so tracemalloc would miss most of it.
    """
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass  # not Linux, or not permitted: the figure becomes the peak since start


def peak_rss_mb() -> float | None:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


@dataclass
class Timing:
    """Wall-clock runs (after one warm-up) and the process RSS peak while they ran."""

    runs_ms: list[float]
    peak_mb: float | None

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)


def measure(
    runs: int, call: Callable[[int], object], setup: Callable[[int], object] | None = None
) -> Timing:
    """Call `call(i)` once to warm up, then `runs` times; `setup(i)` runs untimed before each."""
    gc.collect()
    reset_peak_rss()
    times = []
    for i in range(runs + 1):
        if setup is not None:
            setup(i)
        start = time.perf_counter()
        call(i)
        elapsed = (time.perf_counter() - start) * 1000
        if i > 0:  # run 0 is the warm-up: first-touch page faults, imports, plan caches
            times.append(elapsed)
    return Timing(times, peak_rss_mb())


@dataclass
class Result:
    """One row of the report; `timing` is None when the operation could not run (`error`)."""

    operation: str
    timing: Timing | None
    baseline: Timing | None = None
    rows_per_s: float | None = None
    target: str | None = None
    met: bool | None = None
    missed: list[str] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict:
        out = dict.fromkeys(
            ("median_ms", "min_ms", "max_ms", "peak_mb", "baseline_median_ms", "ratio", "runs")
        )
        out["operation"] = self.operation
        if self.timing is not None:
            runs = self.timing.runs_ms
            out["median_ms"] = round(self.timing.median_ms, 2)
            out["min_ms"], out["max_ms"] = round(min(runs), 2), round(max(runs), 2)
            out["peak_mb"], out["runs"] = _round(self.timing.peak_mb, 0), len(runs)
        if self.timing is not None and self.baseline is not None:
            out["baseline_median_ms"] = round(self.baseline.median_ms, 2)
            out["ratio"] = round(self.baseline.median_ms / self.timing.median_ms, 2)
            out["baseline_peak_mb"] = _round(self.baseline.peak_mb, 0)
        if self.rows_per_s is not None:
            out["rows_per_s"] = round(self.rows_per_s)
        out["target"], out["met"], out["missed"] = self.target, self.met, self.missed
        out["error"] = self.error
        return out


def attempt(operation: str, run: Callable[[], Timing]) -> Result:
    """Measure one operation; a failure becomes a reported error, not a lost run.

    The benchmark drives code owned by others; one broken function must not hide the rest.
    """
    try:
        return Result(operation, run())
    except Exception as exc:  # reported in the JSON and on stderr, never swallowed
        progress(f"{operation} failed: {type(exc).__name__}: {exc}")
        return Result(operation, None, error=f"{type(exc).__name__}: {exc}")


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


# --- generating the input files ------------------------------------------------------------------


@dataclass
class Inputs:
    """Files in the sample municipality's shape, with N respondents in the 2025 wave."""

    areas: Path
    postal: Path
    population: Path
    csv: Path
    xlsx: Path | None
    seconds: float = 0.0


def write_inputs(rows: int, root: Path, with_xlsx: bool) -> Inputs:
    """Generate and write every input file (run in a child process: see `generate_inputs`)."""
    from tools import synthetic as syn

    start = time.perf_counter()
    areas = syn.make_areas(syn.SAMPLE_SEED)
    # The population grows with N, so response rates (and thus gap sizes) stay realistic.
    population = syn.make_population(areas, syn.SAMPLE_SEED, scale=rows / SAMPLE_WAVE_ROWS)
    postal = syn.make_postal_codes(areas, population)
    inputs = Inputs(
        areas=root / "areas.geojson",
        postal=root / "postal_codes.csv",
        population=root / "population.csv",
        csv=root / f"survey_{WAVE}.csv",
        xlsx=root / f"survey_{WAVE}.xlsx" if with_xlsx else None,
    )
    syn.write_areas_geojson(areas, inputs.areas)
    syn.write_postal_csv(postal, inputs.postal)
    syn.write_population_bulk_csv(population, inputs.population)
    survey = (population, areas, postal)
    _write_survey_csv(rows, inputs.csv, *survey)
    if inputs.xlsx is not None:
        frame = syn.make_survey(int(WAVE), rows, syn.SURVEY_SEED[2025], *survey)
        syn.write_survey_2025_xlsx(frame, inputs.xlsx)
    inputs.seconds = time.perf_counter() - start
    return inputs


def _write_survey_csv(rows: int, path: Path, population, areas, postal) -> None:
    """Danish Excel CSV (';', cp1252) written slice by slice and joined under one header."""
    from tools import synthetic as syn

    part = path.with_suffix(".part.csv")
    with open(path, "wb") as out:
        for index, start in enumerate(range(0, rows, CHUNK_ROWS)):
            n = min(CHUNK_ROWS, rows - start)
            frame = syn.make_survey(
                int(WAVE), n, syn.SURVEY_SEED[2025] + index, population, areas, postal
            )
            frame["respondent_id"] += start  # ids stay unique across slices
            syn.write_survey_2021_csv(frame, part)
            with open(part, "rb") as chunk:
                header = chunk.readline()
                if index == 0:
                    out.write(header)
                shutil.copyfileobj(chunk, out)
    part.unlink()


def generate_inputs(rows: int, root: Path, with_xlsx: bool) -> Inputs:
    """Write the inputs in a fresh process: the generator's pandas objects would otherwise
    stay in this process's heap and inflate every peak-memory figure after it."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(write_inputs, (rows, root, with_xlsx))


def build_base_db(inputs: Inputs, path: Path) -> None:
    """Areas, postal codes and population: what a survey file is validated against."""
    from data_pipeline.store.load import ingest

    con = connect(path)
    for file, kind in ((inputs.areas, "areas"), (inputs.postal, "areas")):
        ingest(con, file, kind, actor="bench")
    ingest(con, inputs.population, "population", actor="bench")
    con.close()


def copy_db(source: Path, target: Path) -> None:
    """A database file with its write-ahead log and pseudonym key, replacing the target's."""
    for suffix in ("", ".wal", ".key"):
        if Path(f"{target}{suffix}").exists():
            Path(f"{target}{suffix}").unlink()
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")


# --- ingest --------------------------------------------------------------------------------------


def bench_ingest(name: str, file: Path, base: Path, root: Path, runs: int, rows: int) -> Result:
    """The real `ingest()` (read, map, validate, normalise, load) into a fresh database each run.

    Copying the base database and opening it are setup, not timed; the warm-up run's
    database is kept as `<name>.duckdb` so a later step can query it.
    """
    from data_pipeline.store.load import ingest

    state: dict = {}

    def setup(i: int) -> None:
        if state.get("con") is not None:
            state["con"].close()
        target = root / (f"{name}.duckdb" if i == 0 else f"{name}_run.duckdb")
        copy_db(base, target)
        state["con"] = connect(target)

    def call(_i: int) -> None:
        result = ingest(state["con"], file, "survey", wave=WAVE, actor="bench")
        if result.status != "loaded":
            raise RuntimeError(f"bench ingest of {file.name}: {result.status} {result.message}")

    def run() -> Timing:
        try:
            return measure(runs, call, setup)
        finally:
            if state.get("con") is not None:
                state["con"].close()

    result = attempt(f"ingest_{name}", run)
    if result.timing is not None:
        result.rows_per_s = rows / (result.timing.median_ms / 1000)
    return result


# --- page queries, analysis and the map ----------------------------------------------------------


def page_calls(con: duckdb.DuckDBPyConnection) -> dict[str, Callable[[Filters], object]]:
    """What each dashboard page asks of the pipeline after a filter change."""
    from data_pipeline.present.explore import explore_view
    from data_pipeline.present.groups import groups_view
    from data_pipeline.present.map_values import map_view
    from data_pipeline.present.overview import overview_view

    return {
        "overview": lambda f: overview_view(con, f),
        "explore": lambda f: explore_view(con, f, EXPLORE_ROWS, EXPLORE_COLS),
        "map": lambda f: map_view(con, f, measure="rate"),
        "groups": lambda f: groups_view(con, f, by=("age_band",)),
    }


def run_gaps(con: duckdb.DuckDBPyConnection, f: Filters):
    from data_pipeline.analysis.gaps import find_gaps

    return find_gaps(con, f, dims=GAP_DIMS, top=10, min_population=50, k=5)


def run_rake(con: duckdb.DuckDBPyConnection, f: Filters):
    from data_pipeline.analysis.raking import rake

    return rake(con, f)


def run_segments(con: duckdb.DuckDBPyConnection, f: Filters):
    from data_pipeline.analysis.segments import fit_segments

    return fit_segments(con, f, k="auto", sample_size=100_000, random_state=0)


ANALYSIS: dict[str, Callable[[duckdb.DuckDBPyConnection, Filters], object]] = {
    "gaps": run_gaps,
    "rake": run_rake,
    "segments": run_segments,
}


def render_map(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict:
    """The map page end to end, short of the browser: values, boundaries, Vega-Lite spec."""
    from data_pipeline.analysis.catalog import area_geometries
    from data_pipeline.ingest import boundaries as geo
    from data_pipeline.present import maps
    from data_pipeline.present.map_values import map_view

    values = map_view(con, filters, measure="rate")
    frame = geo.frame_from_geojson_text(area_geometries(con))
    chart = maps.choropleth(frame, values, "value", "Svarprocent pr. område")
    return chart.to_dict()


def filter_at(i: int, filters: tuple[Filters, ...] = FILTER_CHANGES) -> Filters:
    return filters[i % len(filters)]


def bench_pages(con, runs: int, filters: tuple[Filters, ...] = FILTER_CHANGES) -> list[Result]:
    return [
        attempt(f"page_{page}", lambda c=call: measure(runs, lambda i: c(filter_at(i, filters))))
        for page, call in page_calls(con).items()
    ]


def bench_analysis(con, runs: int) -> list[Result]:
    return [
        attempt(name, lambda c=call: measure(runs, lambda _i: c(con, ANALYSIS_FILTER)))
        for name, call in ANALYSIS.items()
    ]


def bench_map(con, runs: int, filters: tuple[Filters, ...] = FILTER_CHANGES) -> Result:
    return attempt(
        "map_render", lambda: measure(runs, lambda i: render_map(con, filter_at(i, filters)))
    )


# --- the naive pandas baseline -------------------------------------------------------------------


@dataclass
class PandasData:
    """The whole respondent table in one DataFrame, the way an analyst would start.

    Topics and formats are 0/1 columns (the fastest layout for pandas); strings stay strings.
    """

    respondents: pd.DataFrame
    population: pd.DataFrame  # 15+, the wave's period, with an age_band column
    topic_cols: dict[str, str] = field(default_factory=dict)
    format_cols: dict[str, str] = field(default_factory=dict)


def load_pandas(con: duckdb.DuckDBPyConnection) -> PandasData:
    import data_pipeline.analysis.catalog as catalog

    topic_cols, format_cols, selects = {}, {}, []
    for kind, mask, target in (
        ("topic", "topic_mask", topic_cols),
        ("format", "format_mask", format_cols),
    ):
        for code, bit in con.execute(
            "SELECT code, bit FROM vocabulary WHERE kind = $k AND bit IS NOT NULL ORDER BY sort_order",
            {"k": kind},
        ).fetchall():
            target[code] = f"{kind}:{code}"
            selects.append(f'(({mask} >> {int(bit)}) & 1)::BOOLEAN AS "{kind}:{code}"')
    respondents = con.execute(
        "SELECT wave_id, age_band, gender, area_code, time_per_month, engagement_level, "  # noqa: S608
        f"interest, {', '.join(selects)} FROM respondent"
    ).df()
    period = catalog.population_period(con, WAVE)
    population = con.execute(
        "SELECT p.area_code, p.age, p.gender, p.count, b.label AS age_band FROM population p "
        "JOIN age_band b ON p.age BETWEEN b.min_age AND b.max_age WHERE p.period = $period",
        {"period": period},
    ).df()
    return PandasData(respondents, population, topic_cols, format_cols)


def pandas_mask(data: PandasData, f: Filters) -> np.ndarray:
    """The filter bar as boolean masks; topics and formats mean "any of the chosen"."""
    df = data.respondents
    mask = (df["wave_id"] == f.wave).to_numpy(copy=True)  # pandas 3 hands out read-only views
    for values, column in (
        (f.age_bands, "age_band"),
        (f.genders, "gender"),
        (f.areas, "area_code"),
        (f.times, "time_per_month"),
        (f.engagements, "engagement_level"),
    ):
        if values:
            mask &= df[column].isin(values).to_numpy()
    for values, cols in ((f.topics, data.topic_cols), (f.formats, data.format_cols)):
        if values:
            mask &= df[[cols[v] for v in values]].any(axis=1).to_numpy()
    return mask


def pandas_population(data: PandasData, f: Filters) -> pd.DataFrame:
    pop = data.population
    mask = np.ones(len(pop), dtype=bool)
    for values, column in (
        (f.age_bands, "age_band"),
        (f.genders, "gender"),
        (f.areas, "area_code"),
    ):
        if values:
            mask &= pop[column].isin(values).to_numpy()
    return pop[mask]


KNOWN_GENDERS = ["kvinde", "mand"]
Z95 = 1.959963984540054


def pandas_cells(sub: pd.DataFrame, pop: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Respondents and citizens per group; respondents with an unknown attribute (no band or
    area, gender outside kvinde/mand, which the population does not count) are left out."""
    keys = sub[by]
    if "gender" in by:
        keys = keys.assign(gender=keys["gender"].where(keys["gender"].isin(KNOWN_GENDERS)))
    counts = keys.groupby(by).size().rename("respondents")  # drops unknown (NaN) keys
    citizens = pop.groupby(by)["count"].sum().rename("population")
    return pd.concat([counts, citizens], axis=1).fillna(0.0).astype(float).reset_index()


def pandas_statistics(
    cells: pd.DataFrame, threshold: float = 0.8, k: int = 5, reference: float | None = None
) -> pd.DataFrame:
    """Rate with a Wilson interval, ratio to the whole municipality's rate (`reference`, by
    default the cells' own overall rate), missing voices and status."""
    resp, pop = cells["respondents"], cells["population"]
    overall = resp.sum() / pop.sum() if reference is None else reference
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = (resp / pop).where(pop > 0)
        p = rate.clip(upper=1.0)
        denom = 1 + Z95**2 / pop
        centre = (p + Z95**2 / (2 * pop)) / denom
        half = Z95 / denom * np.sqrt(p * (1 - p) / pop + Z95**2 / (4 * pop**2))
    low, high = (centre - half).clip(lower=0) / overall, (centre + half).clip(upper=1) / overall
    status = np.where(high < threshold, "under", np.where(low > 1 / threshold, "over", "fine"))
    uncertain = (resp < k) | low.isna() | high.isna() | ((low < threshold) & (high > 1 / threshold))
    return cells.assign(
        rate=rate,
        ratio=rate / overall,
        ci_low=low,
        ci_high=high,
        missing_voices=pop * overall - resp,
        status=np.where(uncertain, "uncertain", status),
    )


def pandas_gaps(sub: pd.DataFrame, pop: pd.DataFrame, top: int, k: int = 5) -> pd.DataFrame:
    """Every intersection of up to three of age band, gender and area, ranked by missing voices:
    what find_gaps answers, as seven groupbys (small cells dropped; no secondary suppression)."""
    dims = ["age_band", "gender", "area_code"]
    tables = []
    for size in (1, 2, 3):
        for combo in combinations(dims, size):
            table = pandas_statistics(pandas_cells(sub, pop, list(combo)), k=k)
            keep = (table["respondents"] >= k) & (table["population"] >= 50)
            tables.append(table[keep & (table["status"] == "under")])
    found = pd.concat(tables, ignore_index=True)
    return found.sort_values(["missing_voices", "population"], ascending=False).head(top)


def pandas_scores(sub: pd.DataFrame, pop: pd.DataFrame) -> pd.DataFrame:
    """Min/max rate, share overlap and R-indicator per attribute and over all three."""
    rows = []
    for name, by in (
        ("age_band", ["age_band"]),
        ("gender", ["gender"]),
        ("area", ["area_code"]),
        ("overall", ["age_band", "gender", "area_code"]),
    ):
        cells = pandas_cells(sub, pop, by)
        cells = cells[cells["population"] > 0]
        resp, citizens = cells["respondents"], cells["population"]
        rates, overall = resp / citizens, resp.sum() / citizens.sum()
        sd = np.sqrt((citizens / citizens.sum() * (rates - overall) ** 2).sum())
        rows.append(
            {
                "dimension": name,
                "min_max_ratio": rates.min() / rates.max(),
                "share_overlap": np.minimum(resp / resp.sum(), citizens / citizens.sum()).sum(),
                "r_indicator": 1 - 2 * sd,
            }
        )
    return pd.DataFrame(rows)


def pandas_ranked(sub: pd.DataFrame, data: PandasData) -> dict[str, pd.Series]:
    """Share of the filtered respondents choosing each topic, format and time option."""
    n = len(sub)
    return {
        "topic": (sub[list(data.topic_cols.values())].sum() / n).sort_values(ascending=False),
        "format": (sub[list(data.format_cols.values())].sum() / n).sort_values(ascending=False),
        "time": sub["time_per_month"].value_counts() / n,
    }


def pandas_overview(data: PandasData, f: Filters) -> dict:
    df = data.respondents
    sub = df[pandas_mask(data, f)]
    pop = pandas_population(data, f)
    return {
        "respondents": len(sub),
        "wave_total": int((df["wave_id"] == f.wave).sum()),
        "population": int(pop["count"].sum()),
        "by_band_gender": pandas_cells(sub, pop, ["age_band", "gender"]),
        "ranked": pandas_ranked(sub, data),
        "scores": pandas_scores(sub, pop),
        "gaps": pandas_gaps(sub, pop, top=5),
    }


def pandas_explore(data: PandasData, f: Filters) -> pd.DataFrame:
    """Age band x topic counts, long: what explore_view(rows="age_band", cols="topic") shows."""
    sub = data.respondents[pandas_mask(data, f)]
    cols = data.topic_cols
    wide = sub.groupby(EXPLORE_ROWS, dropna=False)[list(cols.values())].sum()
    wide = wide.rename(columns={v: k for k, v in cols.items()})
    return wide.reset_index().melt(id_vars=EXPLORE_ROWS, var_name="topic", value_name="respondents")


def pandas_map(data: PandasData, f: Filters) -> pd.DataFrame:
    """Respondents / citizens 15+ per area, ignoring the area filter (the map shows all)."""
    f = f.replace(areas=())
    sub = data.respondents[pandas_mask(data, f)]
    pop = pandas_population(data, f)
    counts = sub["area_code"].value_counts().rename("respondents")
    citizens = pop.groupby("area_code")["count"].sum().rename("population")
    table = pd.concat([counts, citizens], axis=1).fillna(0)
    table["value"] = table["respondents"] / table["population"]
    return table.rename_axis("area_code").reset_index()


def pandas_reference(data: PandasData, f: Filters, by: list[str]) -> float:
    """The whole municipality's rate for a grouping by `by`: the filter without its age, gender
    and area parts, as representation_table compares with."""
    whole = data.respondents[pandas_mask(data, f.replace(age_bands=(), genders=(), areas=()))]
    cells = pandas_cells(whole, data.population, by)
    return cells["respondents"].sum() / cells["population"].sum()


def pandas_groups(data: PandasData, f: Filters) -> dict:
    sub = data.respondents[pandas_mask(data, f)]
    pop = pandas_population(data, f)
    reference = pandas_reference(data, f, ["age_band"])
    return {
        "table": pandas_statistics(pandas_cells(sub, pop, ["age_band"]), reference=reference),
        "scores": pandas_scores(sub, pop),
        "gaps": pandas_gaps(sub, pop, top=10),
    }


PANDAS_PAGES: dict[str, Callable[[PandasData, Filters], object]] = {
    "overview": pandas_overview,
    "explore": pandas_explore,
    "map": pandas_map,
    "groups": pandas_groups,
}


def bench_baseline(
    con, runs: int, filters: tuple[Filters, ...] = FILTER_CHANGES
) -> dict[str, Timing | None]:
    """Time the pandas pages with the same filter sequence; loading the frame is not timed."""
    data = load_pandas(con)

    def run(call) -> Timing:
        return measure(runs, lambda i: call(data, filter_at(i, filters)))

    timings = {
        page: attempt(f"pandas_{page}", lambda c=call: run(c)).timing
        for page, call in PANDAS_PAGES.items()
    }
    data = None  # free the frame before anything else is measured
    gc.collect()
    return timings


# --- targets -------------------------------------------------------------------------------------

PEAK_TARGET_MB = 1536
TARGET_ROWS = 1_000_000


def target_checks(r: Result, rows: int) -> list[tuple[str, bool]]:
    """The issue's targets for one result, as (text, met) pairs.

    They are set at 1 M rows. Below that the upper bounds (time, memory) bind too, since cost
    only grows with N, but throughput and the pandas ratio carry fixed costs and are judged at
    1 M only (XLSX excepted). Above 1 M the one target is 300 ms per page.
    """
    t, op = r.timing, r.operation
    if rows > TARGET_ROWS:
        return [("≤ 300 ms", t.median_ms <= 300)] if op.startswith("page_") else []
    checks = []
    if op.startswith("page_"):
        checks.append(("≤ 100 ms", t.median_ms <= 100))
        if rows == TARGET_ROWS and r.baseline is not None:
            checks.append(("≥ 3× pandas", r.baseline.median_ms / t.median_ms >= 3))
    seconds = {"gaps": 2, "segments": 30}.get(op)
    if seconds:
        checks.append((f"≤ {seconds} s", t.median_ms <= seconds * 1000))
    throughput = {"ingest_csv": 200_000, "ingest_xlsx": 40_000}.get(op)
    # XLSX is only generated up to 200 k rows, so its rate is judged where it is measured.
    if throughput and (rows == TARGET_ROWS or op == "ingest_xlsx"):
        checks.append((f"≥ {throughput // 1000} k rows/s", r.rows_per_s >= throughput))
    if t.peak_mb is not None:
        checks.append(("peak ≤ 1.5 GB", t.peak_mb <= PEAK_TARGET_MB))
    return checks


def apply_targets(results: list[Result], rows: int) -> None:
    for r in results:
        checks = target_checks(r, rows) if r.timing is not None else []
        if checks:
            r.target = ", ".join(text for text, _ in checks)
            r.met = all(ok for _, ok in checks)
            r.missed = [text for text, ok in checks if not ok]


# --- the run -------------------------------------------------------------------------------------


def machine() -> dict:
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "platform": platform.platform(),
    }


@contextmanager
def workdir(path: Path | None) -> Iterator[Path]:
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="deltagelsesatlas-bench-") as tmp:
        yield Path(tmp)


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def allow_generated_files() -> None:
    """Raise the upload size limit for the generated files (1 GB at 5 M rows) unless the caller
    set one: they are the bench's own, and ingest still runs every other input check on them."""
    os.environ.setdefault("DELTAGELSESATLAS_MAX_UPLOAD_MB", "4096")


def run_benchmark(
    rows: int, runs: int = 5, only: tuple[str, ...] = GROUPS, work: Path | None = None
) -> dict:
    """Generate N rows, measure everything asked for in `only`, return the JSON report."""
    allow_generated_files()
    results: list[Result] = []
    # Other work on the machine shows up in the medians; the load average says how much.
    setup: dict = {"load_average_start": round(os.getloadavg()[0], 2)}
    with workdir(work) as root:
        progress(f"writing {rows:,} rows to {root}")
        inputs = generate_inputs(rows, root, with_xlsx="ingest" in only and rows <= XLSX_MAX_ROWS)
        setup["generate_s"] = round(inputs.seconds, 2)
        base = root / "base.duckdb"
        build_base_db(inputs, base)
        query_db = root / "csv.duckdb"
        if "ingest" in only:
            progress("ingest csv")
            results.append(bench_ingest("csv", inputs.csv, base, root, runs, rows))
            if inputs.xlsx is not None:
                progress("ingest xlsx")
                results.append(bench_ingest("xlsx", inputs.xlsx, base, root, runs, rows))
        else:  # one load builds the database: timed once, reported under "setup"
            gc.collect()
            reset_peak_rss()
            setup["load_s"] = round(_load_once(inputs.csv, base, query_db), 2)
            setup["load_peak_mb"] = _round(peak_rss_mb(), 0)
        setup["db_mb"] = round(query_db.stat().st_size / 2**20, 1)
        # The app opens a read-only file database; so do we, once loading is over.
        con = connect(query_db, read_only=True)
        results.extend(bench_queries(con, runs, only))
        con.close()
    setup["load_average_end"] = round(os.getloadavg()[0], 2)
    apply_targets(results, rows)
    peaks = [r.timing.peak_mb for r in results if r.timing and r.timing.peak_mb is not None]
    return {
        "rows": rows,
        "machine": machine(),
        "results": [r.to_json() for r in results],
        "peak_mb": _round(max(peaks), 0) if peaks else None,
        "setup": setup,
        "runs": runs,
    }


def build_query_db(rows: int, root: Path, target: Path) -> float:
    """A database with N generated respondents, as the page benchmark reads it (used by
    tools/browser_bench.py); returns the seconds the load took."""
    root.mkdir(parents=True, exist_ok=True)
    inputs = generate_inputs(rows, root, with_xlsx=False)
    base = root / "base.duckdb"
    build_base_db(inputs, base)
    return _load_once(inputs.csv, base, target)


def _load_once(csv: Path, base: Path, target: Path) -> float:
    from data_pipeline.store.load import ingest

    copy_db(base, target)
    con = connect(target)
    start = time.perf_counter()
    ingest(con, csv, "survey", wave=WAVE, actor="bench")
    con.close()
    return time.perf_counter() - start


def bench_queries(
    con, runs: int, only: tuple[str, ...], filters: tuple[Filters, ...] = FILTER_CHANGES
) -> list[Result]:
    """Pages, analysis and the map in that order; `filters` is the sequence of filter changes
    (tools/national.py passes one with the national area codes)."""
    results: list[Result] = []
    if "pages" in only:
        progress("page queries")
        results.extend(bench_pages(con, runs, filters))
    if "analysis" in only:
        progress("analysis")
        results.extend(bench_analysis(con, runs))
    if "map" in only:
        progress("map")
        results.append(bench_map(con, runs, filters))
    if "pages" in only:
        # Last, so the DataFrame's memory does not inflate the peaks measured above.
        progress("pandas baseline")
        for page, timing in bench_baseline(con, runs, filters).items():
            result = next(r for r in results if r.operation == f"page_{page}")
            result.baseline = timing if result.timing is not None else None
    return results


# --- output --------------------------------------------------------------------------------------

TARGET_NOTE = (
    "targets of issue 7: set at 1 M rows; below 1 M only the time and memory budgets are "
    "judged, above 1 M only the page budget of 300 ms"
)


def markdown_table(report: dict) -> str:
    """The results as a Markdown table (what `bench` prints without --json; pasteable)."""
    lines = [
        "| operation | median | min | max | peak MB | pandas median | ratio | target | met? |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in report["results"]:
        rate = f" ({r['rows_per_s'] / 1000:,.0f} k rows/s)" if r.get("rows_per_s") else ""
        met = {True: "yes", False: "**no**", None: "–"}[r["met"]]
        if r.get("missed"):
            met += ": " + ", ".join(r["missed"])
        if r.get("error"):
            lines.append(f"| {r['operation']} | not run: {r['error']} | | | | | | | |")
            continue
        lines.append(
            f"| {r['operation']} | {_ms(r['median_ms'])}{rate} | {_ms(r['min_ms'])} | "
            f"{_ms(r['max_ms'])} | {_num(r['peak_mb'])} | {_ms(r['baseline_median_ms'])} | "
            f"{_ratio(r['ratio'])} | {r['target'] or '–'} | {met} |"
        )
    m, setup = report["machine"], report["setup"]
    lines.append("")
    lines.append(
        f"{report['rows']:,} rows; median of {report['runs']} runs after one warm-up; "
        f"{m['cpu_count']} × {m['cpu_model']}, {m['memory_gb']} GB, Python {m['python']}, "
        f"DuckDB {m['duckdb']}; load average {setup['load_average_start']} at the start, "
        f"{setup['load_average_end']} at the end; {TARGET_NOTE}."
    )
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}×"


# --- the command ---------------------------------------------------------------------------------


def _positive(text: str) -> int:
    value = int(text.replace("_", ""))
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _groups(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [g for g in chosen if g not in GROUPS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(GROUPS)}")
    return chosen


def _setup_bench(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rows", type=_positive, default=100_000, help="respondents to generate")
    p.add_argument("--repeat", type=_positive, default=5, help="timed runs per operation (median)")
    p.add_argument(
        "--only", type=_groups, default=GROUPS, help=f"comma-separated: {','.join(GROUPS)}"
    )
    p.add_argument("--workdir", type=Path, help="keep the generated files and databases here")
    p.add_argument("--out", type=Path, help="also write the JSON report to this file")
    p.add_argument("--json", action="store_true", help="print JSON")


@command("bench", "measure ingest, page queries, analysis and the map at N rows")(_setup_bench)
def run_bench(args) -> tuple[object, int]:
    report = run_benchmark(args.rows, args.repeat, args.only, args.workdir)
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return (report if args.json else markdown_table(report)), EXIT_OK
