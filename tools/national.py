"""All of Denmark in one database: 98 municipalities, 5.9 M inhabitants, a 20 % response.

Owns the national-scale build and its measurement (issue 16, item 5). The data model has no
municipality entity: a database holds areas, and the app treats them as one municipality's
local areas. The national database therefore holds 98 municipalities × the sample's 15 local
areas = 1,470 areas, each coded `<municipality 001-098><local 01-15>` (e.g. `00307`) and named
"<local name> (Kommune 03)"; each municipality has its own 8 postal codes (1000-8767). Every
municipality is a copy of Fjordlund (the same polygons, moved on a 10 × 10 grid 40 km apart;
its own population, seeded, scaled to a Danish-like spread of sizes) with the sample's planted
representation pattern, so the national total is 5.9 M inhabitants and 20 % of them, 1.18 M,
answered one wave (2025).

    python tools/national.py --fraction 0.02 --workdir /tmp/national   # a quick smoke build
    python tools/national.py --out national.json                       # the full build

Reports the time and peak memory of generating and loading every file (areas, postal codes,
population, the survey CSV through the real `ingest`), the database size, and the page
queries, the map and (optionally) the analysis at that size, with the pandas baseline, as
`python -m data_pipeline bench` measures them. The filter changes are bench's, with the area
filter on national codes; one of them is a director's view: all 15 areas of one municipality.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python tools/national.py` from anywhere
    sys.path.insert(0, str(ROOT))

from data_pipeline.analysis.filtering import Filters  # noqa: E402
from tools import bench  # noqa: E402

MUNICIPALITIES = 98
INHABITANTS = 5_900_000
RESPONSE = 0.20
GRID_KM = 40  # the sample municipality is ~35 km across
SEED = 98
POSTAL_BASE = 1000
WAVE = bench.WAVE


def area_code(municipality: int, local: str) -> str:
    """1-based municipality number and the sample's local code ("01".."15")."""
    return f"{municipality:03d}{local}"


def municipality_areas(municipality: int) -> tuple[str, ...]:
    from tools import synthetic as syn

    return tuple(area_code(municipality, local) for local in syn.AREA_CODES)


# Bench's four filter changes on national codes: the third is one municipality's director
# looking at her own municipality (all its areas), the fourth three areas of another.
NATIONAL_FILTERS = (
    bench.FILTER_CHANGES[0],
    bench.FILTER_CHANGES[1],
    Filters(
        wave=WAVE,
        areas=municipality_areas(1),
        age_bands=("60-69", "70-79"),
        topics=("trafik", "aeldre"),
    ),
    Filters(
        wave=WAVE,
        areas=tuple(area_code(2, local) for local in ("01", "02", "05")),
        engagements=("aktiv", "medansvar"),
    ),
)


def parse_fraction(data: str) -> float:
    """'national' -> 1.0, 'national:0.05' -> 0.05 (what browser_bench and load_test accept)."""
    _, _, text = data.partition(":")
    fraction = float(text) if text else 1.0
    if not 0 < fraction <= 1:
        raise ValueError(f"national fraction must be in (0, 1], not {text}")
    return fraction


# --- generating ----------------------------------------------------------------------------------


@dataclass
class NationalInputs:
    areas: Path
    postal: Path
    population: Path
    csv: Path
    inhabitants: int = 0
    respondents: int = 0
    seconds: float = 0.0


def municipality_sizes(fraction: float, seed: int = SEED):
    """Inhabitants per municipality: a log-normal spread (the smallest a few thousand, the
    largest 413 k; the real range is 1.8 k to 650 k), summing to 5.9 M × fraction."""
    import numpy as np

    rng = np.random.default_rng(seed)
    weights = rng.lognormal(0.0, 0.8, MUNICIPALITIES)
    return weights / weights.sum() * INHABITANTS * fraction


def write_national(fraction: float, root: Path, seed: int = SEED) -> NationalInputs:
    """Write areas, postal codes, population and the survey CSV, municipality by municipality
    (run in a child process: see `generate_national`)."""
    import geopandas as gpd
    import pandas as pd
    from shapely import affinity

    from tools import synthetic as syn

    start = time.perf_counter()
    root.mkdir(parents=True, exist_ok=True)
    inputs = NationalInputs(
        areas=root / "areas.geojson",
        postal=root / "postal_codes.csv",
        population=root / "population.csv",
        csv=root / f"survey_{WAVE}.csv",
    )
    base = syn.make_areas(syn.SAMPLE_SEED)
    base_total = sum(spec[6] for spec in syn.AREA_SPECS) * 1.025  # the 2025 period's growth
    sizes = municipality_sizes(fraction, seed)
    areas, populations, postals = [], [], []
    part = root / "survey.part.csv"
    next_id = 1
    with open(inputs.csv, "wb") as out:
        for index, size in enumerate(sizes):
            m = index + 1
            kommune = f"Kommune {m:02d}"
            codes = {local: area_code(m, local) for local in syn.AREA_CODES}
            pop = syn.make_population(base, seed * 1000 + m, scale=size / base_total)
            postal = syn.make_postal_codes(base, pop)
            # The survey is drawn with the sample's own codes and names, so its planted
            # pattern (Nordby's young men, Havnekvarteret) holds in every municipality.
            inhabitants = int(pop.loc[pop["period"] == "2025K4", "count"].sum())
            respondents = round(RESPONSE * inhabitants)
            survey = syn.make_survey(int(WAVE), respondents, seed * 1000 + m, pop, base, postal)
            postal_of = {
                p: str(POSTAL_BASE + index * 80 + (int(p) - 7410) // 10)
                for p in postal["postnummer"].unique()
            }
            survey["respondent_id"] += next_id - 1
            survey["postal_code"] = survey["postal_code"].map(postal_of)
            next_id += respondents
            syn.write_survey_2021_csv(survey, part)
            with open(part, "rb") as chunk:
                header = chunk.readline()
                if index == 0:
                    out.write(header)
                shutil.copyfileobj(chunk, out)
            inputs.respondents += respondents
            inputs.inhabitants += inhabitants

            dx, dy = (index % 10) * GRID_KM * 1000, (index // 10) * GRID_KM * 1000
            moved = base.copy()
            moved["geometry"] = [affinity.translate(g, dx, dy) for g in base.geometry]
            moved["navn"] = [f"{name} ({kommune})" for name in base["navn"]]
            moved["kode"] = [codes[c] for c in base["kode"]]
            areas.append(moved)
            pop = pop.assign(
                area_name=pop["area_name"] + f" ({kommune})", area_code=pop["area_code"].map(codes)
            )
            populations.append(pop)
            postals.append(
                postal.assign(
                    kode=postal["kode"].map(codes), postnummer=postal["postnummer"].map(postal_of)
                )
            )
    part.unlink()
    syn.write_areas_geojson(
        gpd.GeoDataFrame(pd.concat(areas, ignore_index=True), crs=base.crs), inputs.areas
    )
    syn.write_postal_csv(pd.concat(postals, ignore_index=True), inputs.postal)
    syn.write_population_bulk_csv(pd.concat(populations, ignore_index=True), inputs.population)
    inputs.seconds = time.perf_counter() - start
    return inputs


def generate_national(fraction: float, root: Path) -> NationalInputs:
    """In a fresh process, so the generator's memory never counts in a peak measured here."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(write_national, (fraction, root))


# --- loading -------------------------------------------------------------------------------------


def timed_ingest(con, file: Path, kind: str, **options) -> tuple[float, float | None, object]:
    """One real `ingest`: seconds, the process's peak RSS while it ran, the result."""
    from data_pipeline.store.load import ingest

    gc.collect()
    bench.reset_peak_rss()
    start = time.perf_counter()
    result = ingest(con, file, kind, actor="national", **options)
    seconds = time.perf_counter() - start
    if result.status != "loaded":
        raise RuntimeError(f"national ingest of {file.name}: {result.status} {result.message}")
    return seconds, bench.peak_rss_mb(), result


def load_national(
    inputs: NationalInputs, target: Path, counts: dict | None = None
) -> list[bench.Result]:
    """Areas, postal codes, population, then the survey, into a new database; one run each.
    `counts` receives rows loaded and rejected per step."""
    from data_pipeline.store.db import connect

    steps = (
        ("ingest_areas", inputs.areas, "areas", {}),
        ("ingest_postal", inputs.postal, "areas", {}),
        ("ingest_population", inputs.population, "population", {}),
        ("ingest_survey_csv", inputs.csv, "survey", {"wave": WAVE}),
    )
    results = []
    con = connect(target)
    try:
        for name, file, kind, options in steps:
            bench.progress(f"{name} ({file.stat().st_size / 2**20:,.1f} MB)")
            seconds, peak, result = timed_ingest(con, file, kind, **options)
            row = bench.Result(name, bench.Timing([seconds * 1000], peak))
            loaded = getattr(result, "rows_loaded", None)
            if counts is not None:
                counts[name] = {"loaded": loaded, "rejected": result.rows_rejected}
            if loaded and kind in ("population", "survey"):
                row.rows_per_s = loaded / seconds
            results.append(row)
    finally:
        con.close()
    return results


def build_national_db(fraction: float, root: Path, target: Path) -> list[bench.Result]:
    """The national database at `target` (used by browser_bench and load_test too)."""
    inputs = generate_national(fraction, root)
    if target.exists():
        target.unlink()
    return load_national(inputs, target)


# --- the run -------------------------------------------------------------------------------------


def run(fraction: float, runs: int, only: tuple[str, ...], work: Path) -> dict:
    bench.allow_generated_files()  # the national survey CSV is 218 MB, over the 200 MB default
    setup: dict = {"load_average_start": round(os.getloadavg()[0], 2), "fraction": fraction}
    bench.progress(f"generating 98 municipalities at fraction {fraction} in {work}")
    inputs = generate_national(fraction, work / "inputs")
    setup.update(
        generate_s=round(inputs.seconds, 2),
        inhabitants=inputs.inhabitants,
        respondents=inputs.respondents,
        areas=MUNICIPALITIES * 15,
    )
    target = work / "national.duckdb"
    if target.exists():
        target.unlink()
    setup["rows"] = {}
    results = load_national(inputs, target, setup["rows"])
    setup["db_mb"] = round(target.stat().st_size / 2**20, 1)
    from data_pipeline.store.db import connect

    con = connect(target, read_only=True)
    try:
        results += bench.bench_queries(con, runs, only, NATIONAL_FILTERS)
    finally:
        con.close()
    setup["load_average_end"] = round(os.getloadavg()[0], 2)
    bench.apply_targets(results, inputs.respondents)
    peaks = [r.timing.peak_mb for r in results if r.timing and r.timing.peak_mb is not None]
    return {
        "rows": inputs.respondents,
        "machine": bench.machine(),
        "results": [r.to_json() for r in results],
        "peak_mb": round(max(peaks)) if peaks else None,
        "setup": setup,
        "runs": runs,
    }


def markdown(report: dict) -> str:
    s = report["setup"]
    rows = ", ".join(
        f"{name.removeprefix('ingest_')} {c['loaded']:,} / {c['rejected']:,}"
        for name, c in s.get("rows", {}).items()
    )
    head = (
        f"### All 98 municipalities (fraction {s['fraction']}): {s['inhabitants']:,} inhabitants "
        f"in {s['areas']:,} areas, {s['respondents']:,} respondents\n\n"
        f"Generated in {s['generate_s']} s; database {s['db_mb']} MB; ingest rows are one "
        f"run each; peak MB is the process's resident peak during the operation. Rows loaded / "
        f"rejected: {rows}.\n\n"
    )
    return head + bench.markdown_table(report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--fraction",
        type=float,
        default=1.0,
        help="share of 5.9 M inhabitants (0.02 for a smoke run)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query (median)")
    parser.add_argument(
        "--only",
        default="pages,map",
        help="after loading: comma-separated pages, analysis, map (pages adds the pandas baseline)",
    )
    parser.add_argument("--workdir", type=Path, help="keep the generated files and database here")
    parser.add_argument("--out", type=Path, help="also write the JSON report to this file")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    if not 0 < args.fraction <= 1:
        parser.error("--fraction must be in (0, 1]")
    only = tuple(part for part in args.only.split(",") if part)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        report = run(args.fraction, args.repeat, only, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="deltagelsesatlas-national-") as tmp:
            report = run(args.fraction, args.repeat, only, Path(tmp))
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
