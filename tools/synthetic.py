"""Deterministic generator of the fictional sample municipality "Fjordlund Kommune".

This module owns everything synthetic: the 15 local areas (organic Voronoi-based polygons),
the postal-code mapping, a Statistics Denmark style population table, two post-election
survey waves (2021 CSV as saved by Danish Excel, 2025 Microsoft Forms XLSX), Go Vocal
exports, the ground-truth segment labels and the sample README with the planted patterns.

Everything is seeded and vectorised with numpy: ``make_survey`` produces 1,000,000
respondents in a few seconds, so the same code serves the sample data and the benchmark.
No streamlit import here (``data_pipeline`` rule, docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter
from shapely.geometry import LineString, MultiPoint, Point, Polygon, mapping
from shapely.geometry.polygon import orient
from shapely.ops import unary_union, voronoi_diagram

CRS = "EPSG:25832"
CENTER = (520_000.0, 6_220_000.0)
MUNICIPALITY = "Fjordlund Kommune"

# ---------------------------------------------------------------------------------------------
# Vocabularies (exact Danish labels, shared by both survey waves)
# ---------------------------------------------------------------------------------------------
TOPICS = [
    "Klima og miljø",
    "Skoler og dagtilbud",
    "Ældrepleje",
    "Trafik",
    "Kultur og fritid",
    "Byudvikling",
    "Sundhed",
    "Erhverv og job",
    "Natur og friluftsliv",
    "Børn og unge",
]
FORMATS = [
    "Høringer",
    "Borgermøder",
    "Politiske workshops",
    "Digitale møder",
    "Hurtige online-afstemninger",
    "Borgerpaneler",
    "Opgaveudvalg",
]
INTEREST = [
    "Meget interesseret",
    "Noget interesseret",
    "Lidt interesseret",
    "Slet ikke interesseret",
]
TIME_PER_MONTH = ["Under 1 time", "1-2 timer", "3-5 timer", "Mere end 5 timer"]
ENGAGEMENT = [
    "Holde mig orienteret",
    "Give min mening til kende",
    "Deltage aktivt",
    "Tage medansvar",
]
GENDER_CODES = ["kvinde", "mand", "andet", "uoplyst"]
GENDER_LABELS = {
    "kvinde": "Kvinde",
    "mand": "Mand",
    "andet": "Andet",
    "uoplyst": "Ønsker ikke at oplyse",
}

# Segment profiles: core topics/formats are ticked with P_CORE, all others with P_OTHER.
P_CORE, P_OTHER = 0.85, 0.06
SEGMENTS: dict[str, dict[str, list[str]]] = {
    "Grøn": {
        "topics": ["Klima og miljø", "Natur og friluftsliv"],
        "formats": ["Digitale møder", "Hurtige online-afstemninger"],
    },
    "Familie": {
        "topics": ["Skoler og dagtilbud", "Børn og unge", "Kultur og fritid"],
        "formats": ["Hurtige online-afstemninger", "Digitale møder"],
    },
    "Omsorg": {
        "topics": ["Ældrepleje", "Sundhed"],
        "formats": ["Borgermøder", "Høringer"],
    },
    "By og erhverv": {
        "topics": ["Byudvikling", "Trafik", "Erhverv og job"],
        "formats": ["Borgerpaneler", "Politiske workshops", "Opgaveudvalg"],
    },
    "Kultur": {
        "topics": ["Kultur og fritid", "Byudvikling"],
        "formats": ["Borgermøder", "Politiske workshops"],
    },
}
SEGMENT_NAMES = list(SEGMENTS)
SEGMENT_BASE_PROB = np.array([0.22, 0.20, 0.18, 0.22, 0.18])
# Per-segment answer distributions (rows follow SEGMENT_NAMES, columns the vocabulary order).
INTEREST_PROB = np.array(
    [
        [0.40, 0.35, 0.18, 0.07],
        [0.25, 0.40, 0.25, 0.10],
        [0.30, 0.35, 0.25, 0.10],
        [0.45, 0.35, 0.15, 0.05],
        [0.20, 0.40, 0.28, 0.12],
    ]
)
TIME_PROB = np.array(
    [
        [0.30, 0.40, 0.20, 0.10],
        [0.50, 0.35, 0.12, 0.03],
        [0.25, 0.40, 0.25, 0.10],
        [0.15, 0.35, 0.30, 0.20],
        [0.35, 0.40, 0.18, 0.07],
    ]
)
ENGAGEMENT_PROB = np.array(
    [
        [0.25, 0.45, 0.20, 0.10],
        [0.40, 0.40, 0.15, 0.05],
        [0.30, 0.35, 0.25, 0.10],
        [0.10, 0.30, 0.35, 0.25],
        [0.35, 0.35, 0.20, 0.10],
    ]
)
# Consent to contact rises with engagement; gives ≈35% "Ja" overall.
CONSENT_BY_ENGAGEMENT = np.array([0.22, 0.33, 0.45, 0.60])

# ---------------------------------------------------------------------------------------------
# Planted representation pattern (multipliers on the response rate of a population cell)
# ---------------------------------------------------------------------------------------------
MULT_NORDBY_YOUNG_MEN = 0.22  # men 18-29 in Nordby
MULT_AGE_80_PLUS = 0.35  # everybody 80+
MULT_HAVNEKVARTERET = 0.5  # the whole area
MULT_WOMEN_60_69 = 1.7  # over-represented
MULT_AGE_15_17 = 0.7  # mild, realistic noise
MISSING_AGE_SHARE = 0.07
GENDER_UOPLYST_SHARE = 0.02
GENDER_ANDET_SHARE = 0.007
MIN_AGE = 15

# ---------------------------------------------------------------------------------------------
# Areas: name, seed offset from CENTER in km, size weight, age profile, postal code, 2021 pop
# ---------------------------------------------------------------------------------------------
AREA_SPECS = [
    ("01", "Nordby", (0.0, 11.0), 1.15, "default", "7430", 5200),
    ("02", "Sønderby", (0.0, -12.0), 1.15, "default", "7440", 5000),
    ("03", "Midtbyen", (0.0, 0.0), 0.55, "town", "7410", 9500),
    ("04", "Havnekvarteret", (3.8, 0.4), 0.35, "harbour", "7420", 3800),
    ("05", "Østerled", (10.0, -3.5), 1.0, "default", "7450", 4200),
    ("06", "Vesterå", (-11.5, 1.0), 1.2, "rural_old", "7470", 3600),
    ("07", "Skovbakken", (-4.5, 3.5), 0.7, "family", "7470", 4800),
    ("08", "Engelund", (-7.0, -9.0), 1.0, "family", "7480", 4300),
    ("09", "Kirkebjerg", (-3.5, -4.0), 0.7, "family", "7480", 4200),
    ("10", "Strandvejen", (11.0, -10.0), 1.05, "rural_old", "7450", 2600),
    ("11", "Møllehøj", (-13.0, -6.0), 1.1, "rural_old", "7480", 2100),
    ("12", "Lyngå", (4.5, 8.0), 0.95, "rural_old", "7460", 2400),
    ("13", "Bøgely", (13.5, 9.5), 1.0, "rural_old", "7460", 1800),
    ("14", "Fjordside", (9.0, 5.5), 0.85, "default", "7460", 3000),
    ("15", "Ålund", (-8.5, 9.5), 1.1, "rural_old", "7470", 2700),
]
AREA_CODES = [s[0] for s in AREA_SPECS]
AREA_NAMES = [s[1] for s in AREA_SPECS]
PERIODS = {2021: "2021K4", 2025: "2025K4"}
MAX_AGE = 100  # 100 means "100 år og derover"

FIRST_NAMES_F = [
    "Mette",
    "Åse",
    "Æbbe",
    "Signe",
    "Anne",
    "Helle",
    "Ida",
    "Sørine",
    "Birgitte",
    "Mathilde",
    "Lærke",
    "Gitte",
    "Astrid",
    "Karen",
    "Emma",
    "Bodil",
    "Grethe",
    "Maja",
]
FIRST_NAMES_M = [
    "Søren",
    "Jørgen",
    "Bjørn",
    "Mads",
    "Frederik",
    "Jens",
    "Rasmus",
    "Kåre",
    "Ørjan",
    "Børge",
    "Mikkel",
    "Niels",
    "Thøger",
    "Jørn",
    "Hans",
    "Åge",
    "Kasper",
    "Bent",
]
FIRST_NAMES = FIRST_NAMES_F + FIRST_NAMES_M
LAST_NAMES = [
    "Æbelø",
    "Østergård",
    "Bækgaard",
    "Jørgensen",
    "Sørensen",
    "Møller",
    "Nørgaard",
    "Lærkesen",
    "Højbjerg",
    "Ågesen",
    "Kjær",
    "Thøgersen",
    "Andersen",
    "Nielsen",
    "Hansen",
    "Skovgård",
    "Bøgh",
    "Dahl",
    "Fjordbæk",
    "Lund",
    "Østerby",
    "Vestergård",
    "Frøkjær",
    "Pedersen",
]
_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def _fold(text: str) -> str:
    """ASCII-fold Danish letters the way people write e-mail addresses (ø -> oe)."""
    return text.translate(_FOLD).lower()


# =============================================================================================
# Geometry
# =============================================================================================
def _outline(rng: np.random.Generator) -> Polygon:
    """Irregular coastline: a radius modulated by a few random harmonics, minus a fjord."""
    theta = np.linspace(0.0, 2 * np.pi, 360, endpoint=False)
    radius = np.full_like(theta, 17_500.0)
    for k in range(2, 9):
        radius += rng.uniform(300, 1_600) / k**0.3 * np.sin(k * theta + rng.uniform(0, 2 * np.pi))
    x = CENTER[0] + radius * np.cos(theta)
    y = CENTER[1] + 0.95 * radius * np.sin(theta)
    land = Polygon(np.column_stack([x, y])).buffer(0)
    # The fjord enters from the east and ends just east of the town (Havnekvarteret's harbour).
    fjord_xy = [(25, 3.2), (18, 2.6), (13, 3.4), (8.5, 1.9), (5.6, 1.4)]
    fjord_line = LineString([(CENTER[0] + a * 1e3, CENTER[1] + b * 1e3) for a, b in fjord_xy])
    fjord = fjord_line.buffer(650, cap_style="round").union(
        Point(CENTER[0] + 14_000, CENTER[1] + 3_000).buffer(1_100)
    )
    return land.difference(fjord)


def _largest_part(geom):
    """Return the largest polygon of a (multi)polygon."""
    if geom.geom_type == "Polygon":
        return geom
    return max(geom.geoms, key=lambda g: g.area)


def _merge_fragments(parts: list) -> list:
    """Move every detached fragment of an area to the neighbour sharing its longest border.

    Weighted nearest-seed assignment can leave islands; real lokalområder are contiguous.
    """
    for _ in range(10):
        changed = False
        for i, geom in enumerate(parts):
            if geom.geom_type != "MultiPolygon":
                continue
            keep = _largest_part(geom)
            for frag in geom.geoms:
                if frag is keep or frag.equals(keep):
                    continue
                shared = [
                    (frag.boundary.intersection(other.boundary).length, j)
                    for j, other in enumerate(parts)
                    if j != i
                ]
                length, j = max(shared)
                if length > 0:
                    parts[j] = unary_union([parts[j], frag])
                else:  # an island with no neighbour stays with its own area
                    keep = unary_union([keep, frag])
            parts[i] = keep
            changed = True
        if not changed:
            break
    return parts


def make_areas(seed: int = 2025) -> gpd.GeoDataFrame:
    """Fifteen organic lokalområder tiling an irregular municipality (EPSG:25832).

    Small Voronoi cells of random points are given to the nearest (size-weighted) area seed
    and dissolved; borders are therefore shared exactly and the shapes look like parishes.
    """
    rng = np.random.default_rng(seed)
    outline = _outline(rng)
    minx, miny, maxx, maxy = outline.bounds
    pts = np.column_stack([rng.uniform(minx, maxx, 550), rng.uniform(miny, maxy, 550)])
    cells = voronoi_diagram(MultiPoint(pts), envelope=outline.envelope.buffer(5_000))
    cells = list(cells.geoms)
    centroids = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    seeds = np.array(
        [
            [CENTER[0] + dx * 1e3 + rng.normal(0, 400), CENTER[1] + dy * 1e3 + rng.normal(0, 400)]
            for _, _, (dx, dy), *_ in AREA_SPECS
        ]
    )
    weights = np.array([s[3] for s in AREA_SPECS])
    dist = np.linalg.norm(centroids[:, None, :] - seeds[None, :, :], axis=2) / weights[None, :]
    owner = dist.argmin(axis=1)
    parts = []
    for i in range(len(AREA_SPECS)):
        merged = unary_union([cells[k] for k in np.flatnonzero(owner == i)])
        parts.append(merged.intersection(outline))
    parts = _merge_fragments(parts)
    # Snap to a 1 m grid: identical inputs round identically, so shared borders stay exact.
    parts = [orient(_clean(shapely.set_precision(p, 1.0)), 1.0) for p in parts]
    return gpd.GeoDataFrame({"kode": AREA_CODES, "navn": AREA_NAMES}, geometry=parts, crs=CRS)


def _clean(geom):
    """Drop slivers left by snapping and return a single Polygon when possible."""
    geom = geom.buffer(0)
    if geom.geom_type == "MultiPolygon":
        big = [g for g in geom.geoms if g.area > 1.0]
        geom = big[0] if len(big) == 1 else shapely.MultiPolygon(big)
    return geom


def make_postal_codes(
    areas: gpd.GeoDataFrame, population: pd.DataFrame | None = None, period: str = "2025K4"
) -> pd.DataFrame:
    """Postal code -> area shares (``andel`` = area share of the postal code's 15+ population)."""
    pop = population if population is not None else make_population(areas)
    adults = pop[(pop["period"] == period) & (pop["age"] >= MIN_AGE)]
    per_area = adults.groupby("area_code")["count"].sum()
    spec = pd.DataFrame({"kode": AREA_CODES, "postnummer": [s[5] for s in AREA_SPECS]})
    spec = spec[spec["kode"].isin(areas["kode"])]
    spec["pop"] = spec["kode"].map(per_area).astype(float)
    spec["andel"] = spec["pop"] / spec.groupby("postnummer")["pop"].transform("sum")
    spec["andel"] = spec["andel"].round(4)
    # Force exact sums of 1 after rounding by giving the remainder to the largest area.
    for _, grp in spec.groupby("postnummer"):
        idx = grp["andel"].idxmax()
        spec.loc[idx, "andel"] = round(1.0 - (grp["andel"].sum() - spec.loc[idx, "andel"]), 4)
    out = spec.sort_values(["postnummer", "kode"])[["postnummer", "kode", "andel"]]
    return out.reset_index(drop=True)


# =============================================================================================
# Population
# =============================================================================================
_AGE_KNOTS = np.array([0, 5, 15, 20, 25, 30, 40, 50, 55, 60, 70, 75, 80, 85, 90, 95, 99, 100])
_AGE_WEIGHTS = np.array(
    [
        1.05,
        1.10,
        1.15,
        1.20,
        1.30,
        1.20,
        1.15,
        1.30,
        1.35,
        1.25,
        1.15,
        1.05,
        0.70,
        0.40,
        0.17,
        0.05,
        0.012,
        0.012,
    ]
)


def _gauss(age: np.ndarray, mu: float, sd: float) -> np.ndarray:
    return np.exp(-0.5 * ((age - mu) / sd) ** 2)


def _age_profile(kind: str, age: np.ndarray) -> np.ndarray:
    """Relative single-year weights: a Danish pyramid bent by the area's character."""
    w = np.interp(age, _AGE_KNOTS, _AGE_WEIGHTS)
    if kind == "town":
        w = w * (1 + 0.7 * _gauss(age, 26, 6))
    elif kind == "harbour":
        w = w * (1 + 1.6 * _gauss(age, 30, 6)) * np.where((age < 15) | (age > 70), 0.6, 1.0)
    elif kind == "family":
        w = w * (1 + 0.5 * _gauss(age, 41, 7) + 0.45 * _gauss(age, 9, 5))
        w = w * np.where((age >= 19) & (age <= 28), 0.6, 1.0)
    elif kind == "rural_old":
        w = w * (1 + 0.55 * _gauss(age, 68, 9)) * np.where((age >= 19) & (age <= 30), 0.55, 1.0)
    w[-1] = w[-2] * 0.9  # the open 100+ class holds about one single year
    return w / w.sum()


def _male_share(age: np.ndarray) -> np.ndarray:
    """Boys slightly outnumber girls; women dominate among the oldest."""
    return np.interp(age, [0, 50, 75, 90, 100], [0.513, 0.505, 0.46, 0.34, 0.2])


def make_population(areas: gpd.GeoDataFrame, seed: int = 2025, scale: float = 1.0) -> pd.DataFrame:
    """Single-year population per area, gender and period (2021K4, 2025K4).

    ``scale`` multiplies the expected counts (the benchmark inflates the population so the
    response rate stays realistic at 1 M respondents).
    """
    rng = np.random.default_rng(seed + 1)
    ages = np.arange(MAX_AGE + 1)
    spec = {s[0]: s for s in AREA_SPECS}
    frames = []
    for code, name in zip(areas["kode"], areas["navn"], strict=True):
        kind, total = spec[code][4], spec[code][6]
        for period, growth, ageing in (("2021K4", 1.0, 0.0), ("2025K4", 1.025, 0.08)):
            # 2025 is slightly larger and older: tilt weights towards higher ages.
            profile = _age_profile(kind, ages) * (1 + ageing * np.clip((ages - 40) / 40, -1, 1))
            expected = total * growth * scale * profile / profile.sum()
            male = _male_share(ages)
            for gender, share in (("mand", male), ("kvinde", 1 - male)):
                frames.append(
                    pd.DataFrame(
                        {
                            "area_code": code,
                            "area_name": name,
                            "age": ages,
                            "gender": gender,
                            "period": period,
                            "count": rng.poisson(expected * share).astype(np.int64),
                        }
                    )
                )
    pop = pd.concat(frames, ignore_index=True)
    return pop.sort_values(["area_code", "period", "age", "gender"]).reset_index(drop=True)


# =============================================================================================
# Survey
# =============================================================================================
def cell_multiplier(area_name, age, gender) -> np.ndarray:
    """Planted response-rate multiplier of population cells (vectorised; effects multiply)."""
    area_name, age, gender = np.asarray(area_name), np.asarray(age), np.asarray(gender)
    mult = np.ones(age.shape, dtype=float)
    mult *= np.where(
        (area_name == "Nordby") & (gender == "mand") & (age >= 18) & (age <= 29),
        MULT_NORDBY_YOUNG_MEN,
        1.0,
    )
    mult *= np.where(age >= 80, MULT_AGE_80_PLUS, 1.0)
    mult *= np.where(area_name == "Havnekvarteret", MULT_HAVNEKVARTERET, 1.0)
    mult *= np.where((gender == "kvinde") & (age >= 60) & (age <= 69), MULT_WOMEN_60_69, 1.0)
    mult *= np.where((age >= 15) & (age <= 17), MULT_AGE_15_17, 1.0)
    return mult


def survey_cells(population: pd.DataFrame, wave_year: int) -> pd.DataFrame:
    """Population cells (15+) of the wave's period with their multiplier."""
    cells = population[
        (population["period"] == PERIODS[wave_year]) & (population["age"] >= MIN_AGE)
    ].reset_index(drop=True)
    cells = cells.assign(mult=cell_multiplier(cells["area_name"], cells["age"], cells["gender"]))
    return cells


def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Draw one index per row from row-wise probability vectors (n x k)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return (u[:, None] > cum).sum(axis=1)


def _segment_probs(age: np.ndarray) -> np.ndarray:
    """Segment choice depends mildly on age: Omsorg 60+, Familie 25-49."""
    w = np.tile(SEGMENT_BASE_PROB, (len(age), 1))
    fam, oms = SEGMENT_NAMES.index("Familie"), SEGMENT_NAMES.index("Omsorg")
    w[:, fam] *= np.where((age >= 25) & (age <= 49), 2.0, np.where(age >= 60, 0.4, 1.0))
    w[:, oms] *= np.where(age >= 60, 2.2, np.where(age < 40, 0.5, 1.0))
    return w


def _multi_select(
    rng: np.random.Generator, segment: np.ndarray, labels: list[str], key: str
) -> np.ndarray:
    """Boolean n x k matrix; core options at P_CORE, others at P_OTHER, never empty."""
    prob = np.full((len(SEGMENT_NAMES), len(labels)), P_OTHER)
    for s, name in enumerate(SEGMENT_NAMES):
        for label in SEGMENTS[name][key]:
            prob[s, labels.index(label)] = P_CORE
    chosen = rng.random((len(segment), len(labels))) < prob[segment]
    empty = np.flatnonzero(~chosen.any(axis=1))
    if len(empty):  # a blank answer gets one of the segment's core options
        core = [[labels.index(x) for x in SEGMENTS[n][key]] for n in SEGMENT_NAMES]
        pick = [core[s][rng.integers(len(core[s]))] for s in segment[empty]]
        chosen[empty, pick] = True
    return chosen


def _timestamps(rng: np.random.Generator, wave_year: int, n: int) -> np.ndarray:
    """Sorted submission times in the weeks after the November local election."""
    start = np.datetime64(f"{wave_year}-11-{17 if wave_year == 2021 else 19}T00:00:00")
    days = np.minimum(rng.exponential(8.0, n), 29.9).astype(np.int64)
    seconds = rng.integers(7 * 3600, 23 * 3600, n)
    ts = start + (days * 86400 + seconds).astype("timedelta64[s]")
    return np.sort(ts)


def _first_name_index(rng: np.random.Generator, gender: np.ndarray) -> np.ndarray:
    """Index into FIRST_NAMES: women get a female name, men a male one, others either."""
    n_f, n_m = len(FIRST_NAMES_F), len(FIRST_NAMES_M)
    idx = rng.integers(n_f + n_m, size=len(gender))
    idx = np.where(gender == "kvinde", rng.integers(n_f, size=len(gender)), idx)
    return np.where(gender == "mand", n_f + rng.integers(n_m, size=len(gender)), idx)


def _contacts(
    rng: np.random.Generator, ids: np.ndarray, gender: np.ndarray
) -> tuple[list, list, list]:
    """Fictional names, unique e-mails (id appended) and +45 phone numbers."""
    fi = _first_name_index(rng, gender)
    li = rng.integers(len(LAST_NAMES), size=len(ids))
    first = np.array(FIRST_NAMES, dtype=object)[fi]
    last = np.array(LAST_NAMES, dtype=object)[li]
    names = (pd.Series(first) + " " + pd.Series(last)).tolist()
    f_fold = np.array([_fold(x) for x in FIRST_NAMES], dtype=object)[fi]
    l_fold = np.array([_fold(x) for x in LAST_NAMES], dtype=object)[li]
    emails = (
        pd.Series(f_fold) + "." + pd.Series(l_fold) + pd.Series(ids).astype(str) + "@example.dk"
    ).tolist()
    digits = rng.integers(20_000_000, 100_000_000, size=len(ids))
    phones = [
        f"+45 {d // 1000000:02d} {d // 10000 % 100:02d} {d // 100 % 100:02d} {d % 100:02d}"
        for d in digits.tolist()
    ]
    return names, emails, phones


def _systematic_round(rng: np.random.Generator, expected: np.ndarray) -> np.ndarray:
    """Integer counts that sum exactly to round(sum(expected)), each floor or ceil of its cell.

    Systematic (stochastic) rounding keeps group totals within about one respondent of their
    expectation, so the documented ratios are recovered almost exactly (a multinomial draw
    would add +-2 SD noise to small groups such as Nordby's young men).
    """
    edges = np.floor(np.concatenate([[0.0], np.cumsum(expected)]) + rng.random())
    return np.diff(edges).astype(np.int64)


def make_survey(
    wave_year: int,
    n: int,
    seed: int,
    population: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    postal: pd.DataFrame,
) -> pd.DataFrame:
    """Exactly ``n`` valid respondents of one wave, with a ground-truth ``segment`` column.

    Counts per population cell are the systematically rounded expectation
    n x population x planted multiplier / sum, so the expected representation ratio of a cell is its
    multiplier divided by the population-weighted mean multiplier.
    Columns: respondent_id, submitted_at, age, birth_year, gender, area_code, area_name,
    postal_code, ``topic:<label>``..., interest, ``format:<label>``..., time_per_month,
    engagement, consent, name, email, phone, segment.
    """
    rng = np.random.default_rng(seed)
    cells = survey_cells(population, wave_year)
    weight = cells["count"].to_numpy(float) * cells["mult"].to_numpy()
    counts = _systematic_round(rng, n * weight / weight.sum())
    idx = rng.permutation(np.repeat(np.arange(len(cells)), counts))
    age = cells["age"].to_numpy()[idx]
    gender = cells["gender"].to_numpy()[idx].astype(object)
    area_code = cells["area_code"].to_numpy()[idx]
    area_name = cells["area_name"].to_numpy()[idx]
    postal_of = dict(zip(postal["kode"], postal["postnummer"], strict=True))

    segment = _categorical(rng, _segment_probs(age))
    topics = _multi_select(rng, segment, TOPICS, "topics")
    formats = _multi_select(rng, segment, FORMATS, "formats")
    engagement = _categorical(rng, ENGAGEMENT_PROB[segment])
    consent = rng.random(n) < CONSENT_BY_ENGAGEMENT[engagement]

    # Reported gender: a few decline or answer "Andet"; reported age sometimes missing.
    u = rng.random(n)
    gender[u < GENDER_UOPLYST_SHARE] = "uoplyst"
    gender[(u >= GENDER_UOPLYST_SHARE) & (u < GENDER_UOPLYST_SHARE + GENDER_ANDET_SHARE)] = "andet"
    reported_age = pd.array(age, dtype="Int64")
    reported_age[rng.random(n) < MISSING_AGE_SHARE] = pd.NA

    ids = np.arange(1, n + 1)
    df = pd.DataFrame(
        {
            "respondent_id": pd.array(ids, dtype="Int64"),
            "submitted_at": _timestamps(rng, wave_year, n),
            "age": reported_age,
            "birth_year": wave_year - reported_age,  # documented rule: age = wave year - birth year
            "gender": gender,
            "area_code": area_code,
            "area_name": area_name,
            "postal_code": pd.Series(area_code).map(postal_of).to_numpy(),
        }
    )
    topic_cols = {f"topic:{t}": topics[:, i] for i, t in enumerate(TOPICS)}
    format_cols = {f"format:{f}": formats[:, i] for i, f in enumerate(FORMATS)}
    df = pd.concat([df, pd.DataFrame(topic_cols), pd.DataFrame(format_cols)], axis=1)
    df["interest"] = np.array(INTEREST, dtype=object)[_categorical(rng, INTEREST_PROB[segment])]
    df["time_per_month"] = np.array(TIME_PER_MONTH, dtype=object)[
        _categorical(rng, TIME_PROB[segment])
    ]
    df["engagement"] = np.array(ENGAGEMENT, dtype=object)[engagement]
    df["consent"] = consent
    names, emails, phones = _contacts(rng, ids[consent], gender[consent])
    for col, values in (("name", names), ("email", emails), ("phone", phones)):
        df[col] = pd.Series([None] * n, dtype=object)
        df.loc[consent, col] = values
    df["segment"] = np.array(SEGMENT_NAMES, dtype=object)[segment]
    return df


# Invalid rows are inserted at fixed 0-based positions of the final table (file row = pos + 2).
INVALID_ROWS = {
    2021: [
        (411, "age_150"),
        (1_777, "unknown_area"),
        (2_999, "empty"),
        (3_870, "age_150"),
        (5_101, "unknown_area"),
    ],
    2025: [
        (523, "age_150"),
        (2_222, "unknown_area"),
        (4_444, "empty"),
        (6_001, "age_150"),
        (7_777, "unknown_area"),
    ],
}


def inject_invalid_rows(df: pd.DataFrame, wave_year: int, seed: int) -> pd.DataFrame:
    """Insert the documented invalid rows; add ``row_status`` and renumber respondent ids.

    Corrupted rows are copies of random valid respondents (so they keep a segment label);
    the empty row has no id at all. Ids run 1.. over all non-empty rows in file order.
    """
    rng = np.random.default_rng(seed + 7)
    out = df.assign(row_status="valid")
    for pos, kind in INVALID_ROWS[wave_year]:
        row = out.iloc[[rng.integers(len(df))]].copy()
        row["row_status"] = kind
        row["submitted_at"] = out["submitted_at"].iloc[pos]  # keeps the file in time order
        # A copy must not duplicate someone's contact details (e-mails are unique).
        row["consent"], row["name"], row["email"], row["phone"] = False, None, None, None
        if kind == "age_150":
            row["age"], row["birth_year"] = 150, wave_year - 150
        elif kind == "unknown_area":
            row["area_code"], row["area_name"], row["postal_code"] = None, "Atlantis", "9999"
        else:
            row = pd.DataFrame({c: [None] for c in out.columns}).astype(out.dtypes.to_dict())
            row["row_status"] = kind
        out = pd.concat([out.iloc[:pos], row, out.iloc[pos:]], ignore_index=True)
    filled = out["row_status"] != "empty"
    out["respondent_id"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out.loc[filled, "respondent_id"] = np.arange(1, int(filled.sum()) + 1)
    return out


def _join_options(
    df: pd.DataFrame, prefix: str, labels: list[str], sep: str, trailing: bool
) -> pd.Series:
    """Multi-select cell text: "A, B" (Excel CSV) or "A;B;" (Microsoft Forms)."""
    parts = pd.DataFrame(
        {
            lab: np.where(df[f"{prefix}:{lab}"].fillna(False).astype(bool), lab + sep, "")
            for lab in labels
        }
    )
    text = parts.sum(axis=1).astype(str)
    if not trailing:
        text = text.str.removesuffix(sep)
    return text.where(df["row_status"] != "empty", "") if "row_status" in df else text


def _labels(series: pd.Series) -> pd.Series:
    return series.map(GENDER_LABELS)


def write_survey_2021_csv(df: pd.DataFrame, path) -> None:
    """2021 wave as Danish Excel saves CSV: ';', cp1252, CRLF, no BOM, birth year, postal code."""
    out = pd.DataFrame(
        {
            "Respondent": df["respondent_id"],
            "Tidspunkt": pd.to_datetime(df["submitted_at"]).dt.strftime("%d-%m-%Y %H:%M"),
            "Fødselsår": df["birth_year"],
            "Køn": _labels(df["gender"]),
            "Postnummer": df["postal_code"],
            "Hvilke emner interesserer dig mest?": _join_options(df, "topic", TOPICS, ", ", False),
            "Hvor interesseret er du i at deltage i lokaldemokratiet?": df["interest"],
            "Hvordan vil du helst deltage?": _join_options(df, "format", FORMATS, ", ", False),
            "Hvor meget tid vil du bruge pr. måned?": df["time_per_month"],
            "Hvor engageret vil du være?": df["engagement"],
            "Må vi kontakte dig?": df["consent"].map({True: "Ja", False: "Nej"}),
            "Navn": df["name"],
            "E-mail": df["email"],
            "Telefon": df["phone"],
        }
    ).astype(object)
    if "row_status" in df:  # the planted empty row has every cell empty
        out.loc[df["row_status"] == "empty", :] = None
    out.to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")


FIXED_XLSX_TIME = dt.datetime(2025, 12, 31, 12, 0, 0)


def _save_xlsx(wb: Workbook, path) -> None:
    """Save a workbook byte-identically: fixed document properties and zip entry times."""
    wb.properties.created = FIXED_XLSX_TIME
    wb.properties.modified = FIXED_XLSX_TIME
    wb.properties.creator = MUNICIPALITY
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # save_workbook() would stamp modified=now()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 12, 31, 12, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))


def _write_rows_xlsx(header: list[str], rows, path, sheet: str = "Sheet1") -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append(header)
    for row in rows:
        ws.append(row)
    _save_xlsx(wb, path)


def _cell(value):
    """Turn pandas missing values and numpy scalars into plain Python for openpyxl."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


FORMS_HEADER = [
    "ID",
    "Start time",
    "Completion time",
    "Email",
    "Name",
    "Hvad er din alder?",
    "Køn",
    "Hvilket lokalområde bor du i?",
    "Hvilke emner interesserer dig mest?",
    "Hvor interesseret er du i at deltage i lokaldemokratiet?",
    "Hvordan vil du helst deltage?",
    "Hvor meget tid vil du bruge pr. måned?",
    "Hvor engageret vil du være?",
    "Må vi kontakte dig?",
    "Telefon",
]


def write_survey_2025_xlsx(df: pd.DataFrame, path) -> None:
    """2025 wave as a Microsoft Forms export (real Excel datetimes, "A;B;" multi-select)."""
    rng = np.random.default_rng(len(df))
    empty = df.get("row_status", pd.Series("valid", index=df.index)) == "empty"
    start = pd.to_datetime(df["submitted_at"])
    done = start + pd.to_timedelta(rng.integers(90, 900, len(df)), unit="s")
    consent = df["consent"].fillna(False).astype(bool)
    out = pd.DataFrame(
        {
            "ID": df["respondent_id"],
            "Start time": start,
            "Completion time": done,
            "Email": np.where(consent, df["email"], "anonymous"),
            "Name": np.where(consent, df["name"], None),
            "Hvad er din alder?": df["age"],
            "Køn": _labels(df["gender"]),
            "Hvilket lokalområde bor du i?": df["area_name"],
            "Hvilke emner": _join_options(df, "topic", TOPICS, ";", True),
            "interest": df["interest"],
            "formats": _join_options(df, "format", FORMATS, ";", True),
            "time": df["time_per_month"],
            "engagement": df["engagement"],
            "consent": consent.map({True: "Ja", False: "Nej"}),
            "Telefon": df["phone"],
        }
    )
    out = out.astype(object)
    out.loc[empty, :] = None
    rows = ([_cell(v) for v in rec] for rec in out.itertuples(index=False, name=None))
    _write_rows_xlsx(FORMS_HEADER, rows, path)


def alder_label(age: int) -> str:
    """Statistics Denmark ALDER label."""
    return "100 år og derover" if age >= MAX_AGE else f"{age} år"


def write_population_bulk_csv(pop: pd.DataFrame, path) -> None:
    """Statbank BULK layout: UTF-8 with BOM, CRLF, ';', OMRÅDE;ALDER;KØN;TID;INDHOLD."""
    order = pop.assign(g=pop["gender"].map({"mand": 0, "kvinde": 1}))
    order = order.sort_values(["area_code", "age", "g", "period"])
    out = pd.DataFrame(
        {
            "OMRÅDE": order["area_name"],
            "ALDER": [alder_label(a) for a in order["age"]],
            "KØN": order["gender"].map({"mand": "Mænd", "kvinde": "Kvinder"}),
            "TID": order["period"],
            "INDHOLD": order["count"],
        }
    )
    out.to_csv(path, sep=";", index=False, encoding="utf-8-sig", lineterminator="\r\n")


def _ints(obj):
    """Recursively turn whole-metre float coordinates into ints for a compact GeoJSON."""
    if isinstance(obj, (list, tuple)):
        return [_ints(x) for x in obj]
    return int(round(obj)) if float(obj).is_integer() else obj


def write_areas_geojson(gdf: gpd.GeoDataFrame, path) -> None:
    """GeoJSON in EPSG:25832 with the legacy named-CRS member, properties kode and navn."""
    features = [
        {
            "type": "Feature",
            "properties": {"kode": kode, "navn": navn},
            "geometry": {
                "type": geom.geom_type,
                "coordinates": _ints(mapping(geom)["coordinates"]),
            },
        }
        for kode, navn, geom in zip(gdf["kode"], gdf["navn"], gdf.geometry, strict=True)
    ]
    doc = {
        "type": "FeatureCollection",
        "name": "lokalomraader",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": features,
    }
    Path(path).write_text(
        json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )


def write_postal_csv(df: pd.DataFrame, path) -> None:
    """postnummer;kode;andel, UTF-8, decimal point."""
    df[["postnummer", "kode", "andel"]].to_csv(
        path, sep=";", index=False, encoding="utf-8", lineterminator="\n", float_format="%.4f"
    )


# =============================================================================================
# Go Vocal (CitizenLab) exports
# =============================================================================================
GOVOCAL_PROJECTS = {
    "Klimaplan for Fjordlund": (
        ["Klima og miljø", "Natur og friluftsliv"],
        [
            "Flere ladestandere",
            "Solceller på kommunens tage",
            "Plant flere træer",
            "Bedre affaldssortering",
            "Vandre- og cykelruter langs fjorden",
            "Grønne tage i byen",
        ],
    ),
    "Ny skolestruktur 2026": (
        ["Skoler og dagtilbud", "Børn og unge"],
        [
            "Bevar den lokale skole",
            "Sikker skolevej",
            "Mere udeundervisning",
            "Større legeplads",
            "Bedre SFO-åbningstider",
            "Fælles musikskole",
        ],
    ),
    "Trafiksikker by": (
        ["Trafik", "Byudvikling"],
        [
            "Fartbump ved skolen",
            "Bedre belysning på stien",
            "Ny fodgængerovergang",
            "30 km/t i boligområdet",
            "Flere cykelparkeringer",
            "Rundkørsel ved kirken",
        ],
    ),
    "Havnefronten": (
        ["Byudvikling", "Kultur og fritid", "Erhverv og job"],
        [
            "Havnebad ved kajen",
            "Streetfood-marked",
            "Bænke og læ ved vandet",
            "Plads til iværksættere",
            "Kulturhus i pakhuset",
            "Sti hele vejen rundt om havnen",
        ],
    ),
    "Et godt ældreliv": (
        ["Ældrepleje", "Sundhed"],
        [
            "Flere aktiviteter på plejecentret",
            "Bedre busforbindelse til lægehuset",
            "Spisefællesskaber",
            "Motion for seniorer",
            "Besøgsvenner",
        ],
    ),
}
GOVOCAL_STATUS = ["Foreslået", "Under overvejelse", "Accepteret", "Gennemført", "Afvist"]
GOVOCAL_USERS_HEADER = [
    "id",
    "email",
    "first_name",
    "last_name",
    "profile_page",
    "created_at",
    "registration_completed_at",
    "invite_status",
    "Køn",
    "Fødselsår",
    "Bopæl",
]
GOVOCAL_IDEAS_HEADER = [
    "id",
    "title",
    "description",
    "author_name",
    "author_email",
    "author_id",
    "proposed_budget",
    "published_at",
    "submitted_at",
    "comments",
    "likes",
    "dislikes",
    "project",
    "topics",
    "status",
    "Køn",
    "Fødselsår",
    "Bopæl",
]


def _uuids(rng: np.random.Generator, n: int) -> list[str]:
    """UUID4-shaped strings from the seeded generator (uuid.uuid4 is not reproducible)."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    out = []
    for row in raw:
        h = row.tobytes().hex()
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


def _govocal_users(rng: np.random.Generator, areas: gpd.GeoDataFrame, n: int) -> pd.DataFrame:
    """Registered users sampled from the 2025 population, few young men and very few 80+."""
    cells = survey_cells(make_population(areas), 2025)
    young_men = (cells["gender"] == "mand") & cells["age"].between(18, 29)
    mult = np.where(young_men, 0.3, 1.0) * np.where(cells["age"] >= 80, 0.15, 1.0)
    weight = cells["count"].to_numpy(float) * mult
    pick = rng.choice(len(cells), size=n, p=weight / weight.sum())
    age = cells["age"].to_numpy()[pick]
    gender = cells["gender"].map({"mand": "Mand", "kvinde": "Kvinde"}).to_numpy()[pick]
    gender = np.where(rng.random(n) < 0.01, "Andet", gender).astype(object)
    gender[rng.random(n) < 0.05] = None  # optional registration field left blank
    birth = (2025 - age).astype(object)
    birth[rng.random(n) < 0.08] = None
    area = cells["area_name"].to_numpy()[pick].astype(object)
    area[rng.random(n) < 0.04] = None
    true_gender = cells["gender"].to_numpy()[pick]
    first = np.array(FIRST_NAMES, dtype=object)[_first_name_index(rng, true_gender)]
    last = np.array(LAST_NAMES, dtype=object)[rng.integers(len(LAST_NAMES), size=n)]
    start = dt.datetime(2025, 1, 6, 8, 0)
    created = [
        start + dt.timedelta(seconds=int(s)) for s in np.sort(rng.integers(0, 450 * 86400, n))
    ]
    ids = _uuids(rng, n)
    slugs = [
        f"{_fold(fn)}-{_fold(ln)}-{i + 1}"
        for i, (fn, ln) in enumerate(zip(first, last, strict=True))
    ]
    return pd.DataFrame(
        {
            "id": ids,
            "email": [f"{s.replace('-', '.')}@example.dk" for s in slugs],
            "first_name": first,
            "last_name": last,
            "profile_page": [f"https://fjordlund.govocal.com/da-DK/profile/{s}" for s in slugs],
            "created_at": created,
            "registration_completed_at": [
                c + dt.timedelta(seconds=int(s))
                for c, s in zip(created, rng.integers(30, 900, n), strict=True)
            ],
            "invite_status": np.where(rng.random(n) < 0.05, "accepted", None),
            "Køn": gender,
            "Fødselsår": birth,
            "Bopæl": area,
        }
    )


def _govocal_ideas(rng: np.random.Generator, users: pd.DataFrame, n: int) -> pd.DataFrame:
    """Ideas by a skewed set of authors (a few power users write many)."""
    activity = rng.pareto(1.5, len(users)) + 0.2
    author = rng.choice(len(users), size=n, p=activity / activity.sum())
    projects = list(GOVOCAL_PROJECTS)
    proj = rng.choice(len(projects), size=n, p=[0.26, 0.2, 0.24, 0.18, 0.12])
    end = dt.datetime(2026, 10, 31, 22, 0)
    rows = []
    for k in range(n):
        u = users.iloc[author[k]]
        topics_all, titles = GOVOCAL_PROJECTS[projects[proj[k]]]
        n_topics = 1 + int(rng.random() < 0.4)
        topics = [topics_all[i] for i in sorted(rng.choice(len(topics_all), n_topics, False))]
        submitted = min(
            u["created_at"] + dt.timedelta(minutes=int(rng.exponential(60 * 24 * 40))), end
        )
        published = submitted + dt.timedelta(seconds=int(rng.integers(0, 3600)))
        title = titles[rng.integers(len(titles))]
        budget = int(rng.integers(1, 40)) * 25_000 if rng.random() < 0.15 else None
        rows.append(
            {
                "id": None,
                "title": title,
                "description": f"{title}. Forslag til projektet {projects[proj[k]]}.",
                "author_name": f"{u['first_name']} {u['last_name']}",
                "author_email": u["email"],
                "author_id": u["id"],
                "proposed_budget": budget,
                "published_at": published,
                "submitted_at": submitted,
                "comments": int(rng.poisson(2.5)),
                "likes": int(rng.poisson(6.0)),
                "dislikes": int(rng.poisson(0.8)),
                "project": projects[proj[k]],
                "topics": ", ".join(topics),
                "status": GOVOCAL_STATUS[
                    _categorical(rng, np.array([[0.45, 0.25, 0.12, 0.08, 0.10]]))[0]
                ],
                "Køn": u["Køn"],
                "Fødselsår": u["Fødselsår"],
                "Bopæl": u["Bopæl"],
            }
        )
    ideas = pd.DataFrame(rows).sort_values("published_at", kind="stable").reset_index(drop=True)
    ideas["id"] = _uuids(rng, n)
    return ideas


def write_govocal(
    users_path,
    ideas_path,
    seed: int,
    areas: gpd.GeoDataFrame,
    n_users: int = 700,
    n_ideas: int = 1_300,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Go Vocal users and ideas exports (XLSX, one sheet each); returns both frames."""
    rng = np.random.default_rng(seed)
    users = _govocal_users(rng, areas, n_users)
    ideas = _govocal_ideas(rng, users, n_ideas)
    for frame, header, path in (
        (users, GOVOCAL_USERS_HEADER, users_path),
        (ideas, GOVOCAL_IDEAS_HEADER, ideas_path),
    ):
        rows = (
            [_cell(v) for v in rec]
            for rec in frame[header].astype(object).itertuples(index=False, name=None)
        )
        _write_rows_xlsx(header, rows, path)
    return users, ideas


# =============================================================================================
# Ground truth and the whole sample
# =============================================================================================
SAMPLE_SEED = 2025
SURVEY_N = {2021: 6_000, 2025: 9_000}
SURVEY_SEED = {2021: 2021, 2025: 2026}
GOVOCAL_SEED = 4242


# Planted groups: (label, uses age, uses gender, mask on age/gender/area_name columns).
PLANTED_GROUPS = [
    (
        "Nordby, mænd 18-29",
        True,
        True,
        lambda a, g, n: (n == "Nordby") & (g == "mand") & a.between(18, 29),
    ),
    ("Alder 80+", True, False, lambda a, g, n: a >= 80),
    ("Havnekvarteret", False, False, lambda a, g, n: n == "Havnekvarteret"),
    ("Kvinder 60-69", True, True, lambda a, g, n: (g == "kvinde") & a.between(60, 69)),
    ("Alder 15-17", True, False, lambda a, g, n: a.between(15, 17)),
    (
        "Mænd 30-59 uden for Havnekvarteret",
        True,
        True,
        lambda a, g, n: (g == "mand") & a.between(30, 59) & (n != "Havnekvarteret"),
    ),
]


def planted_ratios(
    population: pd.DataFrame, survey: pd.DataFrame, wave_year: int
) -> tuple[pd.DataFrame, float]:
    """Expected and realised representation ratios of the planted groups.

    expected = population-weighted mean multiplier of the group / that of all 15+ cells.
    realised = (group share of the valid respondents whose needed attributes are known)
    / (group share of the 15+ population), computed from the reported (file) values.
    """
    cells = survey_cells(population, wave_year)
    pop, mult = cells["count"].to_numpy(float), cells["mult"].to_numpy()
    mean_mult = (pop * mult).sum() / pop.sum()
    if "row_status" in survey:  # frames straight from make_survey have only valid rows
        survey = survey[survey["row_status"] == "valid"]
    resp = survey
    r_age = resp["age"].astype("Float64")
    rows = []
    for label, uses_age, uses_gender, rule in PLANTED_GROUPS:
        m = rule(cells["age"], cells["gender"], cells["area_name"]).to_numpy()
        known = pd.Series(True, index=resp.index)
        if uses_age:
            known &= r_age.notna()
        if uses_gender:
            known &= resp["gender"].isin(["kvinde", "mand"])
        hit = rule(r_age.fillna(-1), resp["gender"], resp["area_name"]) & known
        pop_share = pop[m].sum() / pop.sum()
        rows.append(
            {
                "wave": wave_year,
                "group": label,
                "population_15plus": int(pop[m].sum()),
                "respondents": int(hit.sum()),
                "expected_ratio": round(
                    float((pop[m] * mult[m]).sum() / pop[m].sum() / mean_mult), 4
                ),
                "realised_ratio": round(float(hit.sum() / known.sum() / pop_share), 4),
            }
        )
    return pd.DataFrame(rows), mean_mult


def write_sample(out_dir) -> dict:
    """Write every sample file into ``out_dir``; returns a small summary (totals, ratios)."""
    out = Path(out_dir)
    (out / "ground_truth").mkdir(parents=True, exist_ok=True)
    areas = make_areas(SAMPLE_SEED)
    population = make_population(areas, SAMPLE_SEED)
    postal = make_postal_codes(areas, population)
    write_areas_geojson(areas, out / "areas.geojson")
    write_postal_csv(postal, out / "postal_codes.csv")
    write_population_bulk_csv(population, out / "population.csv")
    summary = {"population": population.groupby("period")["count"].sum().to_dict()}
    ratios = []
    for year in (2021, 2025):
        df = make_survey(year, SURVEY_N[year], SURVEY_SEED[year], population, areas, postal)
        df = inject_invalid_rows(df, year, SURVEY_SEED[year])
        if year == 2021:
            write_survey_2021_csv(df, out / "survey_2021.csv")
        else:
            write_survey_2025_xlsx(df, out / "survey_2025.xlsx")
        id_col = "Respondent" if year == 2021 else "ID"
        truth = df[df["row_status"] != "empty"][["respondent_id", "segment"]]
        truth.rename(columns={"respondent_id": id_col}).to_csv(
            out / "ground_truth" / f"segments_{year}.csv", index=False, lineterminator="\n"
        )
        table, mean_mult = planted_ratios(population, df, year)
        ratios.append(table)
        summary[year] = _wave_summary(df, mean_mult)
    ratio_table = pd.concat(ratios, ignore_index=True)
    ratio_table.to_csv(
        out / "ground_truth" / "expected_ratios.csv", index=False, lineterminator="\n"
    )
    summary["ratios"] = ratio_table
    summary["govocal"] = write_govocal(
        out / "govocal_users.xlsx", out / "govocal_ideas.xlsx", GOVOCAL_SEED, areas
    )
    (out / "README.md").write_text(
        readme_text(summary, areas, population, postal), encoding="utf-8"
    )
    return summary


def _wave_summary(df: pd.DataFrame, mean_mult: float) -> dict:
    valid = df[df["row_status"] == "valid"]
    invalid = df[df["row_status"] != "valid"]
    return {
        "valid_rows": len(valid),
        "file_rows": len(df),
        "missing_age": int(valid["age"].isna().sum()),
        "gender": valid["gender"].value_counts().to_dict(),
        "consent_ja": int(valid["consent"].sum()),
        "segments": valid["segment"].value_counts().to_dict(),
        "mean_multiplier": round(float(mean_mult), 4),
        "invalid": [
            (int(i) + 2, s, None if pd.isna(r) else int(r))
            for i, s, r in zip(
                invalid.index, invalid["row_status"], invalid["respondent_id"], strict=True
            )
        ],
    }


# =============================================================================================
# README (generated, so every number in it matches the files)
# =============================================================================================
# Measured once with scikit-learn on the written files (KMeans k=5, n_init=10, random_state=0
# on the 17 one-hot topic+format columns vs ground_truth); sklearn is not needed to generate.
MEASURED_ARI = {2021: 0.9763, 2025: 0.9733}


def _md_table(df: pd.DataFrame) -> str:
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(map(str, row)) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _areas_table(areas, population, postal) -> str:
    pop = population.assign(adult=population["age"] >= MIN_AGE)
    piv = pop.pivot_table(index="area_code", columns="period", values="count", aggfunc="sum")
    adult = pop[pop["adult"]].pivot_table(
        index="area_code", columns="period", values="count", aggfunc="sum"
    )
    post = dict(zip(postal["kode"], postal["postnummer"], strict=True))
    share = dict(zip(postal["kode"], postal["andel"], strict=True))
    rows = [
        {
            "kode": k,
            "navn": n,
            "postnummer": post[k],
            "andel": f"{share[k]:.4f}",
            "km²": f"{g.area / 1e6:.1f}",
            "pop 2021K4": int(piv.loc[k, "2021K4"]),
            "pop 2025K4": int(piv.loc[k, "2025K4"]),
            "15+ 2021K4": int(adult.loc[k, "2021K4"]),
            "15+ 2025K4": int(adult.loc[k, "2025K4"]),
        }
        for k, n, g in zip(areas["kode"], areas["navn"], areas.geometry, strict=True)
    ]
    return _md_table(pd.DataFrame(rows))


def _segments_table() -> str:
    rows = []
    for s, name in enumerate(SEGMENT_NAMES):
        rows.append(
            {
                "segment": name,
                "core topics": ", ".join(SEGMENTS[name]["topics"]),
                "core formats": ", ".join(SEGMENTS[name]["formats"]),
                "base prob": f"{SEGMENT_BASE_PROB[s]:.2f}",
                "interest (Meget/Noget/Lidt/Slet ikke)": " / ".join(
                    f"{x:.2f}" for x in INTEREST_PROB[s]
                ),
                "time (<1/1-2/3-5/>5)": " / ".join(f"{x:.2f}" for x in TIME_PROB[s]),
                "engagement (orient./mening/aktivt/medansvar)": " / ".join(
                    f"{x:.2f}" for x in ENGAGEMENT_PROB[s]
                ),
            }
        )
    return _md_table(pd.DataFrame(rows))


def _wave_table(summary) -> str:
    rows = []
    for year in (2021, 2025):
        w = summary[year]
        rows.append(
            {
                "wave": year,
                "valid rows": w["valid_rows"],
                "data rows in file": w["file_rows"],
                "missing age": w["missing_age"],
                "Kvinde": w["gender"].get("kvinde", 0),
                "Mand": w["gender"].get("mand", 0),
                "Andet": w["gender"].get("andet", 0),
                "Ønsker ikke at oplyse": w["gender"].get("uoplyst", 0),
                "consent Ja": w["consent_ja"],
                **{name: w["segments"].get(name, 0) for name in SEGMENT_NAMES},
            }
        )
    return _md_table(pd.DataFrame(rows))


def _invalid_table(summary) -> str:
    reasons = {
        "age_150": {2021: "Fødselsår 1871 (age 150)", 2025: "Hvad er din alder? = 150"},
        "unknown_area": {2021: "Postnummer 9999", 2025: 'lokalområde "Atlantis"'},
        "empty": {2021: "every cell empty (also Respondent)", 2025: "every cell empty (also ID)"},
    }
    rows = [
        {
            "wave": year,
            "file row (header = 1)": r,
            "id": "" if i is None else i,
            "kind": k,
            "what": reasons[k][year],
        }
        for year in (2021, 2025)
        for r, k, i in summary[year]["invalid"]
    ]
    return _md_table(pd.DataFrame(rows))


README_FILES = [
    (
        "`areas.geojson`",
        'GeoJSON, EPSG:25832 (legacy `"crs"` member `urn:ogc:def:crs:EPSG::25832`), UTF-8',
        '15 lokalområder, properties `kode` ("01".."15", text) and `navn`; organic polygons '
        "tiling the municipality with exactly shared borders (1 m grid)",
    ),
    (
        "`postal_codes.csv`",
        "`;`, UTF-8, LF, decimal point",
        "`postnummer;kode;andel`: 8 postal codes; each area lies in exactly one postal code; "
        "`andel` = area share of the postal code's 15+ population in 2025K4 (sums to 1)",
    ),
    (
        "`population.csv`",
        "Statistics Denmark BULK: UTF-8 **with BOM**, CRLF, `;`",
        '`OMRÅDE;ALDER;KØN;TID;INDHOLD`; OMRÅDE = area name, ALDER "0 år".."99 år", '
        '"100 år og derover", KØN Mænd/Kvinder, TID 2021K4/2025K4',
    ),
    (
        "`survey_2021.csv`",
        "Danish Excel CSV: `;`, **cp1252**, CRLF, no BOM",
        "2021 wave; `Fødselsår` and `Postnummer` instead of age and area; multi-select joined "
        'by `", "`; `Tidspunkt` as `dd-mm-yyyy HH:MM`',
    ),
    (
        "`survey_2025.xlsx`",
        "Microsoft Forms export, sheet `Sheet1`",
        "2025 wave; `ID`, real Excel datetimes, `Email` = `anonymous` and `Name` empty unless "
        'consent; age as integer; area by name; multi-select as `"A;B;"`',
    ),
    (
        "`govocal_users.xlsx`",
        "Go Vocal users export",
        "{n_users} users: id (UUID), email, first_name, last_name, profile_page, created_at, "
        "registration_completed_at, invite_status, Køn, Fødselsår, Bopæl",
    ),
    (
        "`govocal_ideas.xlsx`",
        "Go Vocal ideas export",
        "{n_ideas} ideas by {n_auth} distinct authors (`author_id` = users `id`), 2025-2026, "
        'topics joined by `", "`',
    ),
    (
        "`ground_truth/segments_2021.csv`",
        "CSV, `,`",
        "`Respondent,segment` for every 2021 row that has an id",
    ),
    (
        "`ground_truth/segments_2025.csv`",
        "CSV, `,`",
        "`ID,segment` for every 2025 row that has an id",
    ),
    ("`ground_truth/expected_ratios.csv`", "CSV, `,`", "the ratio table below, machine-readable"),
]


def readme_text(summary, areas, population, postal) -> str:
    """The sample README: files, conventions and the planted ground truth."""
    users, ideas = summary["govocal"]
    ratios = summary["ratios"]
    ari = ", ".join(f"{y}: {v}" for y, v in MEASURED_ARI.items() if v is not None) or "n/a"
    pop = summary["population"]
    files = pd.DataFrame(README_FILES, columns=["file", "format", "content"])
    files["content"] = [
        c.format(n_users=len(users), n_ideas=len(ideas), n_auth=ideas["author_id"].nunique())
        for c in files["content"]
    ]
    return README_TEMPLATE.format(
        files_table=_md_table(files),
        pop21=pop["2021K4"],
        pop25=pop["2025K4"],
        areas_table=_areas_table(areas, population, postal),
        wave_table=_wave_table(summary),
        invalid_table=_invalid_table(summary),
        ratio_table=_md_table(ratios),
        segments_table=_segments_table(),
        mean21=summary[2021]["mean_multiplier"],
        mean25=summary[2025]["mean_multiplier"],
        n21=SURVEY_N[2021],
        n25=SURVEY_N[2025],
        ari=ari,
        p_core=P_CORE,
        p_other=P_OTHER,
        m_nordby=MULT_NORDBY_YOUNG_MEN,
        m_80=MULT_AGE_80_PLUS,
        m_havn=MULT_HAVNEKVARTERET,
        m_w60=MULT_WOMEN_60_69,
        m_1517=MULT_AGE_15_17,
        miss=MISSING_AGE_SHARE,
        uopl=GENDER_UOPLYST_SHARE,
        andet=GENDER_ANDET_SHARE,
        n_users=len(users),
        n_ideas=len(ideas),
        n_auth=ideas["author_id"].nunique(),
        consent=", ".join(f"{x:.2f}" for x in CONSENT_BY_ENGAGEMENT),
    )


README_TEMPLATE = """\
# Sample data: Fjordlund Kommune (fictional)

Generated by `python sample_data/generate.py [--out DIR]`; all logic is in
`tools/synthetic.py`. Every seed is fixed and XLSX timestamps are pinned, so a re-run
writes byte-identical files. **This README is generated too** — edit the template in
`synthetic.py`, not this file. Everything is fictional; e-mails use `example.dk`.

## Files

{files_table}

## Areas and population

Total population: **{pop21}** (2021K4) and **{pop25}** (2025K4). 2025 is ~2.5% larger and
older (weights tilted by up to +8% above age 40). Age profiles differ by area: Midtbyen young
(peak ~26), Havnekvarteret young adults (peak ~30, few children and 70+), Skovbakken, Engelund
and Kirkebjerg families, Vesterå, Strandvejen, Møllehøj, Lyngå, Bøgely and Ålund older.
Counts are Poisson draws around the expected values.

{areas_table}

Postal codes 7410 (Midtbyen), 7420 (Havnekvarteret), 7430 (Nordby) and 7440 (Sønderby) each
hold exactly one area, so the 2021 wave (postal codes only) still identifies the planted areas.

## Survey waves: totals

Valid totals (invalid rows excluded): **2021: {n21}**, **2025: {n25}** respondents.
Conventions: age = wave year − birth year (2021 `Fødselsår` = 2021 − age, no birthday
correction); respondent ids run 1.. over all non-empty rows in file order (invalid rows
included, the empty row has no id). Respondents are drawn from the population of the wave's
own period (2021K4 for 2021, 2025K4 for 2025), ages 15+. Dirt among the valid rows: age missing
with p={miss}, gender "Ønsker ikke at oplyse" p={uopl}, "Andet" p={andet} (replacing the
population gender). Consent "Ja" with p = {consent} by engagement level; only consenting rows
have Navn/E-mail/Telefon (phones `+45 12 34 56 78`; e-mails unique, the respondent id is part
of the local part).

{wave_table}

### Invalid rows (exactly these, not part of the valid totals)

{invalid_table}

The age-150 and unknown-area rows are copies of a random valid respondent (with consent
removed) and keep that respondent's segment label in `ground_truth`.

## Planted representation pattern

Respondents per population cell (area × single age 15+ × gender) = systematic rounding of
n × pop × multiplier / Σ(pop × multiplier), so every cell count is the floor or ceiling of
its expectation and the wave totals are exactly n. Multipliers (they multiply when combined,
e.g. Havnekvarteret 80+ = {m_havn} × {m_80}):

- men aged 18–29 in Nordby: ×{m_nordby}
- everybody aged 80+: ×{m_80}
- the whole area Havnekvarteret: ×{m_havn}
- women aged 60–69: ×{m_w60} (over-represented)
- ages 15–17: ×{m_1517} (mild noise)
- every other cell: ×1.0

Expected representation ratio of a group = (population-weighted mean multiplier of the group)
/ (population-weighted mean multiplier of all 15+ cells). That overall mean is {mean21}
(2021) and {mean25} (2025). `realised_ratio` is computed from the file values the way the
dashboard does it: (group share of valid respondents whose needed attributes are known) /
(group share of the 15+ population); it differs from the expectation only by the planted
missing ages / gender relabelling and rounding.

{ratio_table}

## Planted interest segments

Each respondent belongs to one of 5 segments. Base probabilities are below; Familie ×2.0 at
ages 25–49 and ×0.4 at 60+; Omsorg ×2.2 at 60+ and ×0.5 under 40 (then renormalised). Within
a segment every core topic/format is ticked with p={p_core}, every other option with
p={p_other}; a respondent with no topic (format) gets one random core topic (format).

{segments_table}

Recoverability: KMeans (k=5, n_init=10, random_state=0) on the 17 one-hot topic+format columns
read back from the files gives adjusted Rand index vs `ground_truth` of {ari}.

## Go Vocal

Users are sampled from the 2025K4 population 15+ with multipliers men 18–29 ×0.3 and 80+ ×0.15
(so young men and the oldest are under-represented here too); about 5% leave Køn empty, 8%
Fødselsår and 4% Bopæl; ~1% Køn "Andet". Ideas are written by a skewed set of authors
(Pareto activity), copy the author's Køn/Fødselsår/Bopæl, and belong to one of the projects
Klimaplan for Fjordlund, Ny skolestruktur 2026, Trafiksikker by, Havnefronten, Et godt
ældreliv. Users + ideas = {n_users} + {n_ideas} activities.
"""
