"""Who is missing: response rates, representation ratios with intervals, intersections (gaps)
in plain words, and raking weights with weighted estimates (the scores live in scores.py).

Owns the definitions of DESIGN.md §6 (rate, ratio, Wilson interval, missing voices, the three
scores, raking with trimming). Aggregates in SQL and hands back small DataFrames; never pulls raw
respondents into pandas, never imports streamlit, and publishes counts only through
privacy.suppress_table.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from data_pipeline.analysis.differencing import differencing_mask
from data_pipeline.analysis.lookups import per_data_version
from data_pipeline.analysis.queries import (
    DIMENSIONS,
    MULTI_DIMENSIONS,
    Filters,
    latest_wave,
    population_period,
    population_where,
    postal_spread_respondents,
    respondent_source,
    waves,
    where_clause,
)
from data_pipeline.core.disclosure import DEFAULT_K, check_k, suppress_table
from data_pipeline.core.errors import PipelineError
from data_pipeline.core.i18n import t

Z95 = 1.959963984540054
BACKGROUND = ("age_band", "gender", "area")
KNOWN_GENDERS = ("kvinde", "mand")

# Respondent side of each background attribute. Unknown values become NULL, so a NULL in a
# grouped column always means "unknown" (GROUPING() tells it from a rolled-up NULL). Gender
# andet/uoplyst is unknown here because the population only counts kvinde and mand. By area,
# r is queries.AREA_SPREAD_RELATION: a respondent known only by a postal code that spans
# several areas is one row per area with its population share as area_w, and counts are
# sum(area_w), so that respondent counts fractionally in each area and once in every total.
_RESPONDENT_SQL = {
    "age_band": "r.age_band",
    "gender": "CASE WHEN r.gender IN ('kvinde', 'mand') THEN r.gender END",
    "area": "r.area_code",
}
_POPULATION_SQL = {"age_band": "b.label", "gender": "p.gender", "area": "p.area_code"}
_STAT_COLUMNS = ("rate", "ratio", "ci_low", "ci_high", "missing_voices", "p_value")


class InvalidInput(PipelineError):
    """A request the data cannot answer (unknown wave, no population): exit code 2."""

    exit_code = 2


# --- shared plumbing ------------------------------------------------------------------------


def resolve_wave(con: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[str, str]:
    """The wave a filter means and its population period, or a clear bilingual error."""
    known = waves(con)
    wave = filters.wave or latest_wave(con)
    if wave is None:
        raise InvalidInput("Databasen har ingen svar endnu. / The database holds no responses yet.")
    if wave not in known:
        raise InvalidInput(
            f"Ukendt bølge '{wave}'. Kendte bølger: {', '.join(known)}. / "
            f"Unknown wave '{wave}'. Known waves: {', '.join(known)}."
        )
    period = population_period(con, wave)
    if period is None:
        raise InvalidInput(
            "Der er ingen befolkningstal i databasen; indlæs dem først. / "
            "No population figures are loaded; load them first."
        )
    return wave, period


_VARIABLE_WORDS = {
    "age": ("alder", "age", "ALDER"),
    "gender": ("køn", "sex", "KØN"),
    "area": ("område", "area", "OMRÅDE"),
}


def needed_variables(dims) -> tuple[str, ...]:
    """The population variables an analysis by `dims` needs: always age (every rate counts
    citizens aged 15+), plus gender and area when grouped by them."""
    needs = ["age"]
    variable = {"age_band": "age", "gender": "gender", "area": "area"}
    needs += [variable[d] for d in dims if d in variable]
    return tuple(dict.fromkeys(needs))


def require_population(
    con: duckdb.DuckDBPyConnection, filters: Filters, needs: tuple[str, ...], what: str
) -> tuple[str, str]:
    """resolve_wave, then refuse in words when the wave's population lacks a variable the
    analysis needs (instead of computing against a population of 0). `what` names the
    analysis in the message, "da / en"."""
    from data_pipeline.analysis.queries import population_coverage, population_sources

    wave, period = resolve_wave(con, filters)
    coverage = population_coverage(con, period)
    missing = [v for v in needs if not coverage.get(v)]
    if not missing:
        return wave, period
    files = ", ".join(population_sources(con, period)) or "?"
    da = " og ".join(_VARIABLE_WORDS[v][0] for v in missing)
    en = " and ".join(_VARIABLE_WORDS[v][1] for v in missing)
    columns = ", ".join(_VARIABLE_WORDS[v][2] for v in missing)
    what_da, _, what_en = what.partition(" / ")
    raise InvalidInput(
        f"Befolkningstallene for {period} ({files}) har ingen {da}, så {what_da} kan ikke "
        f"beregnes. Indlæs en tabel fra Danmarks Statistik med {columns} (fx FOLK1A med "
        f"OMRÅDE;ALDER;KØN;TID). / "
        f"The population for {period} ({files}) has no {en}, so {what_en or what_da} cannot be "
        f"computed. Load a Statistics Denmark table with {columns} (e.g. FOLK1A by area, age "
        f"and sex)."
    )


def check_background(by: tuple[str, ...]) -> tuple[str, ...]:
    by = tuple(by)
    unknown = [d for d in by if d not in BACKGROUND]
    if unknown or len(set(by)) != len(by):
        raise InvalidInput(
            f"Ugyldig gruppering {by!r}; brug {', '.join(BACKGROUND)}. / "
            f"Invalid grouping {by!r}; use {', '.join(BACKGROUND)}."
        )
    return by


@per_data_version
def area_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT area_code, name FROM area").fetchall())


@per_data_version
def _band_order(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return dict(con.execute("SELECT label, sort_order FROM age_band").fetchall())


def _respondent_counts(con, filters: Filters, wave: str, by: tuple[str, ...]) -> pd.DataFrame:
    """Respondents per cell of `by`; cells with an unknown attribute hold NULLs. By area (or
    under an area filter) a postal-only respondent counts with its share in each area."""
    where = where_clause(con, filters, wave)
    source = respondent_source(filters, by_area="area" in by)
    select = [f"{_RESPONDENT_SQL[d]} AS {d}" for d in by]
    sql = (
        f"SELECT {', '.join([*select, f'{source.count}::DOUBLE AS respondents'])} "  # noqa: S608
        f"FROM {source.relation} WHERE {where.sql}"
    )
    if by:
        sql += " GROUP BY ALL"
    return con.execute(sql, where.params).df()


def _population_counts(con, filters: Filters, period: str, by: tuple[str, ...]) -> pd.DataFrame:
    where = population_where(filters)
    select = [f"{_POPULATION_SQL[d]} AS {d}" for d in by]
    sql = (
        f"SELECT {', '.join([*select, 'sum(p.count)::DOUBLE AS population'])} "  # noqa: S608
        "FROM population p JOIN age_band b ON p.age BETWEEN b.min_age AND b.max_age "
        f"WHERE p.period = $period AND {where.sql}"
    )
    if by:
        sql += " GROUP BY ALL"
    frame = con.execute(sql, {"period": period, **where.params}).df()
    return frame.dropna(subset=list(by)) if by else frame.fillna({"population": 0.0})


def cell_counts(
    con, filters: Filters, wave: str, period: str, by: tuple[str, ...]
) -> tuple[pd.DataFrame, int]:
    """Respondents and population side by side per cell, and how many respondents had an
    unknown attribute (left out of every cell)."""
    resp = _respondent_counts(con, filters, wave, by)
    pop = _population_counts(con, filters, period, by)
    if not by:
        cells = pd.DataFrame(
            {
                "respondents": [float(resp["respondents"].sum())],
                "population": [float(pop["population"].sum())],
            }
        )
        return cells, 0
    unknown = resp[list(by)].isna().any(axis=1)
    # A spread respondent's rows share every attribute but the area, so its shares add up to 1.
    excluded = int(round(resp.loc[unknown, "respondents"].sum()))
    resp = resp.loc[~unknown]
    for frame in (resp, pop):
        for d in by:
            frame[d] = frame[d].astype(object)
    cells = resp.merge(pop, on=list(by), how="outer")
    cells[["respondents", "population"]] = (
        cells[["respondents", "population"]].astype(float).fillna(0.0)
    )
    return cells, excluded


# --- the statistics -------------------------------------------------------------------------


def wilson_interval(successes, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """95 % Wilson score interval for a proportion; NaN where n is 0. Counts above n (a cell
    where more answered than the register holds) are capped at n.

    `successes` may be fractional: by area, a respondent known only by a postal code counts
    with its population share in each area. The Wilson formula is continuous in the count, and
    a fractional count is the share-weighted mean of the whole counts it could be, so the
    interval is that of the expected allocation. It covers sampling noise only, not the error of
    the allocation itself (that postal-only respondents live in the postal code's areas in
    proportion to its population); every output that uses it says so (see
    queries.postal_spread_respondents and the note `postal.spread_note`).
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.minimum(x / n, 1.0)
        denom = 1.0 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    low = np.where(n > 0, np.maximum(centre - half, 0.0), np.nan)
    high = np.where(n > 0, np.minimum(centre + half, 1.0), np.nan)
    return low, high


# The stated band around 1 inside which a group is "like the population" (DESIGN.md §6).
FINE_BAND = (0.8, 1.25)
# The false discovery rate controlled when many groups are judged at once.
FDR_Q = 0.05
# A group too small to publish is still named when about this many answers were expected
# (rounded to 10, so the figure rests on the population and the reference rate only).
EXPECTED_HINT_MIN = 20


def expected_hint(population, reference: float | None) -> np.ndarray:
    """The answers a group would have given at the whole municipality's rate, rounded to 10;
    NaN below EXPECTED_HINT_MIN. Built from the population and the published reference rate
    only, so next to "fewer than k" it discloses nothing about the respondents."""
    pop = np.asarray(population, dtype=float)
    if reference is None or reference != reference or reference <= 0:
        return np.full(pop.shape, np.nan)
    hint = np.round(pop * reference / 10.0) * 10.0
    return np.where(hint >= EXPECTED_HINT_MIN, hint, np.nan)


def _status(
    respondents, ci_low, ci_high, threshold: float, k: int, upper: float | None = None
) -> np.ndarray:
    """The verdict per group, from its interval (DESIGN.md §6): "under" when the whole interval
    lies below `threshold`, "over" when it lies above `upper` (default 1/threshold), "fine"
    (like the population) only when it lies inside [threshold, upper], and otherwise
    "uncertain" (not enough answers to tell), the default. A group below k respondents or
    without an interval is never judged."""
    upper = 1 / threshold if upper is None else upper
    respondents = np.asarray(respondents, dtype=float)
    low, high = np.asarray(ci_low, dtype=float), np.asarray(ci_high, dtype=float)
    judged = (respondents >= k) & ~np.isnan(low) & ~np.isnan(high)
    with np.errstate(invalid="ignore"):
        status = np.select(
            [high < threshold, low > upper, (low >= threshold) & (high <= upper)],
            ["under", "over", "fine"],
            "uncertain",
        )
    return np.where(judged, status, "uncertain")


def score_p_values(respondents, population, reference) -> np.ndarray:
    """Two-sided p-values of the score test of H0: the group's rate equals `reference` (the
    whole municipality's rate), i.e. ratio = 1; the same score statistic as the Wilson interval.
    NaN where a group has no population or the reference is 0 or 1."""
    x = np.asarray(respondents, dtype=float)
    n = np.asarray(population, dtype=float)
    p0 = np.asarray(reference, dtype=float) * np.ones_like(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (np.minimum(x, n) - n * p0) / np.sqrt(n * p0 * (1 - p0))
    ok = (n > 0) & (p0 > 0) & (p0 < 1) & np.isfinite(z)
    p = np.full(z.shape, np.nan)
    p[ok] = [math.erfc(abs(v) / math.sqrt(2)) for v in z[ok]]
    return p


def benjamini_hochberg(p_values, q: float = FDR_Q) -> np.ndarray:
    """Which hypotheses the Benjamini–Hochberg step-up procedure rejects at false discovery
    rate q: the i smallest p-values, for the largest i with p_(i) <= i·q/m. NaN p-values are
    not tested (never rejected, not counted in m)."""
    p = np.asarray(p_values, dtype=float)
    reject = np.zeros(p.shape, dtype=bool)
    tested = np.flatnonzero(~np.isnan(p))
    m = len(tested)
    if m == 0:
        return reject
    order = tested[np.argsort(p[tested], kind="stable")]
    below = np.flatnonzero(p[order] <= q * np.arange(1, m + 1) / m)
    if len(below):
        reject[order[: below[-1] + 1]] = True
    return reject


def apply_fdr(table: pd.DataFrame, q: float = FDR_Q) -> pd.DataFrame:
    """Judge the groups of `table` together: an "under" or "over" verdict stands only where
    Benjamini–Hochberg over all the groups' p-values (H0: ratio = 1) rejects; otherwise the
    group becomes "uncertain". Suppressed groups and groups without a p-value are not tested."""
    out = table.copy()
    # Every group with a p-value is tested, whatever its interval says; m counts them all.
    judged = out["p_value"].notna()
    if "suppressed" in out:
        judged &= ~out["suppressed"].astype(bool)
    reject = np.zeros(len(out), dtype=bool)
    reject[np.flatnonzero(judged.to_numpy())] = benjamini_hochberg(
        out.loc[judged, "p_value"].to_numpy(float), q
    )
    demote = out["status"].isin(["under", "over"]).to_numpy() & ~reject
    out.loc[demote, "status"] = "uncertain"
    out.attrs["fdr_tested"] = int(judged.sum())
    return out


def add_statistics(
    cells: pd.DataFrame,
    threshold: float = 0.8,
    k: int = DEFAULT_K,
    reference: float | None = None,
) -> pd.DataFrame:
    """Rate, ratio with its interval, missing voices, p-value and status per cell.

    `reference` is the whole municipality's rate (DESIGN.md §6): respondents / population 15+
    among those with the grouped attributes known, without any age, gender or area filter. By
    default it is total respondents / total population of these cells, which is the same
    thing when the cells partition the unfiltered municipality. Missing voices = the group's
    population × the reference − its respondents (= population share × all respondents when
    unfiltered)."""
    out = cells.copy()
    resp, pop = out["respondents"].astype(float), out["population"].astype(float)
    total_resp, total_pop = resp.sum(), pop.sum()
    if reference is None:
        reference = total_resp / total_pop if total_pop > 0 else np.nan
    overall = reference if reference and reference > 0 else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate"] = np.where(pop > 0, resp / pop, np.nan)
        low, high = wilson_interval(resp, pop)
        out["ratio"] = out["rate"] / overall
        out["ci_low"] = low / overall
        out["ci_high"] = high / overall
    out["missing_voices"] = pop * overall - resp
    out["p_value"] = score_p_values(resp, pop, overall)
    out["status"] = _status(resp, out["ci_low"], out["ci_high"], threshold, k)
    out.attrs["reference_rate"] = float(overall) if overall == overall else None
    return out


def demographic_free(filters: Filters) -> Filters:
    """The filter without age, gender and area: the whole municipality that ratios compare
    with (topic, format and time filters narrow the answers on both sides alike)."""
    return filters.replace(age_bands=(), genders=(), areas=())


def has_demographic_filter(filters: Filters) -> bool:
    return bool(filters.age_bands or filters.genders or filters.areas)


def reference_rate(con, filters: Filters, wave: str, period: str, by: tuple[str, ...]) -> float:
    """The whole municipality's rate for a grouping by `by`: respondents with those attributes
    known / population 15+, ignoring any age, gender or area filter."""
    cells, _ = cell_counts(con, demographic_free(filters), wave, period, by)
    pop = float(cells["population"].sum())
    return float(cells["respondents"].sum()) / pop if pop > 0 else np.nan


def representation_table(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    by: tuple[str, ...] = ("age_band",),
    threshold: float = 0.8,
    k: int = DEFAULT_K,
) -> pd.DataFrame:
    """Respondents against the population per cell of `by` (any of age_band, gender, area).

    Respondents are narrowed by every filter, the population by the demographic ones only, for
    the wave's population period. Respondents whose grouped attribute is unknown (no age band
    or area, gender andet/uoplyst when grouping by gender) are left out of the cells and the
    overall rate; their number is in ``df.attrs['excluded']``. Cells below k respondents are
    suppressed (counts and everything derived from them NaN, ``suppressed`` True).

    Ratios compare with the whole municipality (``attrs['reference_rate']``), also under an
    age, gender or area filter: filtered to one area, that area keeps its unfiltered ratio.
    The verdicts are judged together: "under"/"over" stand only where Benjamini–Hochberg
    across the table's groups rejects ratio = 1 (see apply_fdr).
    """
    k = check_k(k)
    by = check_background(by)
    wave, period = resolve_wave(con, filters)
    cells, excluded = cell_counts(con, filters, wave, period, by)
    reference = (
        reference_rate(con, filters, wave, period, by) if has_demographic_filter(filters) else None
    )
    table = add_statistics(cells, threshold, k, reference)
    reference = table.attrs.get("reference_rate")
    table = _label_and_sort(con, table, by)
    # Only a group hidden for its own small count says "fewer than k, where about N were
    # expected"; one hidden to protect another (secondary suppression) may have k or more.
    too_few = (table["respondents"] < k).to_numpy()
    # A count one filter change away must not reveal a small group either (docs/SECURITY.md).
    hidden = differencing_mask(con, filters.replace(wave=wave), table, {d: d for d in by}, k=k)
    table = suppress_table(table, "respondents", k, dependent_columns=_STAT_COLUMNS, hidden=hidden)
    table["expected_hint"] = np.where(
        too_few, expected_hint(table["population"], reference), np.nan
    )
    table = apply_fdr(table)
    columns = [*_label_columns(by), "population", "respondents", "rate", "ratio", "ci_low"]
    table = table[[*columns, "ci_high", "missing_voices", "status", "suppressed", "expected_hint"]]
    table = table.reset_index(drop=True)
    table.attrs.update(
        {"excluded": excluded, "wave": wave, "period": period, "reference_rate": reference}
    )
    table.attrs.update(postal_note(con, filters, wave, by))
    return table


def postal_note(con, filters: Filters, wave: str, dims) -> dict:
    """What an analysis says about respondents spread over areas by postal code: their number
    in the wave and the note in both languages, when the analysis is by area or under an area
    filter and the wave has such respondents; else {"postal_spread": 0}."""
    if "area" not in tuple(dims) and not filters.areas:
        return {"postal_spread": 0}
    n = postal_spread_respondents(con, wave)
    if not n:
        return {"postal_spread": 0}
    return {
        "postal_spread": n,
        "note_da": t("postal.spread_note", "da"),
        "note_en": t("postal.spread_note", "en"),
    }


def _label_columns(by: tuple[str, ...]) -> list[str]:
    columns = []
    for d in by:
        columns.extend(["area", "area_name"] if d == "area" else [d])
    return columns


def _label_and_sort(con, table: pd.DataFrame, by: tuple[str, ...]) -> pd.DataFrame:
    if not by:
        return table
    keys = []
    if "age_band" in by:
        order = _band_order(con)
        table["_band"] = table["age_band"].map(order).fillna(len(order))
        keys.append("_band")
    if "gender" in by:
        keys.append("gender")
    if "area" in by:
        table["area_name"] = table["area"].map(area_names(con))
        keys.append("area")
    return table.sort_values(keys, kind="stable").drop(columns=["_band"], errors="ignore")


# --- intersections --------------------------------------------------------------------------


def find_gaps(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    dims: tuple[str, ...] = BACKGROUND,
    top: int | None = 10,
    min_population: int = 50,
    k: int = DEFAULT_K,
    threshold: float = 0.8,
    only_under: bool = True,
    cells: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every combination of up to three attributes, ranked by missing voices (largest first).

    One GROUPING SETS query per side (respondents, population); GROUPING() tells a rolled-up
    NULL from an unknown value, and cells with an unknown grouped attribute are dropped (each
    grouping set's overall rate counts only respondents known on that set's attributes).
    Suppression runs per grouping set on all its cells; suppressed cells are left out of the
    findings (their missing voices would reveal the count). Cells below `min_population`
    are left out, and with `only_under` (default) so is every cell whose status is not 'under'.
    `top=None` returns them all.

    Each grouping set's reference is the whole municipality's rate for it, also under an age,
    gender or area filter. All the cells left are judged at once, so an "under" verdict also
    needs Benjamini–Hochberg across them to reject ratio = 1 at a false discovery rate of
    FDR_Q (apply_fdr); ``attrs['fdr_tested']`` is how many groups were tested.
    """
    k = check_k(k)
    dims = check_background(dims)
    if not dims:
        raise InvalidInput("Vælg mindst én egenskab. / Choose at least one attribute.")
    if cells is None:
        wave, period = resolve_wave(con, filters)
        cells = grouping_set_cells(con, filters, wave, period, dims)
    else:
        wave = filters.wave or latest_wave(con)
    note = postal_note(con, filters, wave, dims)
    # The whole municipality is the reference of every grouping set, also under a filter.
    references: dict[int, float] = {}
    if has_demographic_filter(filters):
        _, period = resolve_wave(con, filters)
        whole = grouping_set_cells(con, demographic_free(filters), wave, period, dims)
        sums = whole.groupby("gid")[["respondents", "population"]].sum()
        references = (sums["respondents"] / sums["population"]).to_dict()
    tables, hidden, checked = [], [], {}  # `checked`: wider tables shared by the sets
    for gid, cell in cells.groupby("gid", sort=True):
        stats = add_statistics(cell, threshold, k, references.get(gid))
        too_few = (stats["respondents"] < k).to_numpy()
        hint = expected_hint(stats["population"], stats.attrs.get("reference_rate"))
        # GROUPING() sets the bit of a rolled-up column; the first column is the highest bit.
        grouped = {d: d for i, d in enumerate(dims) if not (gid >> (len(dims) - 1 - i)) & 1}
        differs = differencing_mask(
            con, filters.replace(wave=wave), stats, grouped, k=k, cache=checked
        )
        stats = suppress_table(
            stats, "respondents", k, dependent_columns=_STAT_COLUMNS, hidden=differs
        )
        tables.append(stats)
        small = too_few & ~np.isnan(hint) & (stats["population"] >= min_population).to_numpy()
        hidden.append(stats[small].assign(expected_hint=hint[small]))
    if not tables:
        empty = _findings(
            cells.assign(**dict.fromkeys(_STAT_COLUMNS, np.nan), status="", suppressed=False),
            dims,
            {},
            k,
        )
        empty.attrs.update(note)
        return empty
    found = pd.concat(tables, ignore_index=True)
    found = found[~found["suppressed"] & (found["population"] >= min_population)]
    # Every group listed here is judged at once: control the false discovery rate over them.
    found = apply_fdr(found)
    tested = found.attrs.get("fdr_tested", 0)
    if only_under:
        found = found[found["status"] == "under"]
    # A group with fewer than k answers where about N were expected stays on the list as
    # "too_few": it lacks at least N - k answers, which ranks it without revealing its count.
    small = pd.concat(hidden, ignore_index=True)
    small = small.assign(status="too_few", rank=small["expected_hint"] - k)
    found = pd.concat(
        [found.assign(rank=found["missing_voices"], expected_hint=np.nan), small],
        ignore_index=True,
    )
    found = found.sort_values(["rank", "population"], ascending=False, kind="stable")
    found = found.drop(columns="rank")
    if top is not None:
        found = found.head(top)
    interest = {lang: interest_words(con, filters, lang) for lang in ("da", "en")}
    findings = _findings(found, dims, area_names(con), k, interest)
    findings.attrs.update(note)
    findings.attrs["fdr_tested"] = tested
    return findings


def grouping_cells(con, filters: Filters, dims: tuple[str, ...] = BACKGROUND) -> pd.DataFrame:
    """Respondents and population for every combination of `dims`, from one scan each; pass
    the result to scores() and find_gaps() (same dims) to avoid scanning again."""
    dims = check_background(dims)
    wave, period = resolve_wave(con, filters)
    return grouping_set_cells(con, filters, wave, period, dims)


def cells_for(cells: pd.DataFrame, dims: tuple[str, ...]) -> pd.DataFrame:
    """The cells of grouping_cells() (every BACKGROUND combination) that a query over `dims`
    alone would return: the grouping sets that roll up every other attribute, numbered as
    GROUPING(dims) numbers them. Under a filter that fixes one value the page needs both,
    and this saves the second scan."""
    dims = check_background(dims)
    if dims == BACKGROUND:
        return cells
    n = len(BACKGROUND)
    gid = cells["gid"].to_numpy()
    bit = {d: (gid >> (n - 1 - i)) & 1 for i, d in enumerate(BACKGROUND)}
    rolled_up = np.ones(len(cells), dtype=bool)
    for d in BACKGROUND:
        if d not in dims:
            rolled_up &= bit[d] == 1
    renumbered = sum(bit[d] << (len(dims) - 1 - j) for j, d in enumerate(dims))
    subset = cells.assign(gid=renumbered)[rolled_up]
    return subset[["gid", *dims, "respondents", "population"]].reset_index(drop=True)


def grouping_set_cells(con, filters, wave, period, dims) -> pd.DataFrame:
    sets = [c for size in (1, 2, 3) for c in itertools.combinations(dims, size)]
    grouping = ", ".join(f"({', '.join(s)})" for s in sets)
    cols = ", ".join(dims)
    rwhere = where_clause(con, filters, wave)
    pwhere = population_where(filters)
    source = respondent_source(filters, by_area="area" in dims)
    weight = "r.area_w" if source.spread else "1.0"
    resp_cols = ", ".join(f"{_RESPONDENT_SQL[d]} AS {d}" for d in dims)
    pop_cols = ", ".join(f"{_POPULATION_SQL[d]} AS {d}" for d in dims)
    joined = " AND ".join(f"x.{d} IS NOT DISTINCT FROM y.{d}" for d in dims)
    sql = f"""
        WITH r AS (SELECT {resp_cols}, {weight}::DOUBLE AS area_w
                   FROM {source.relation} WHERE {rwhere.sql}),
        p AS (SELECT {pop_cols}, p.count FROM population p JOIN age_band b
              ON p.age BETWEEN b.min_age AND b.max_age
              WHERE p.period = $period AND {pwhere.sql}),
        x AS (SELECT GROUPING({cols}) AS gid, {cols}, sum(area_w) AS respondents
              FROM r GROUP BY GROUPING SETS ({grouping})),
        y AS (SELECT GROUPING({cols}) AS gid, {cols}, sum(count)::DOUBLE AS population
              FROM p GROUP BY GROUPING SETS ({grouping}))
        SELECT coalesce(x.gid, y.gid) AS gid,
               {", ".join(f"coalesce(x.{d}, y.{d}) AS {d}" for d in dims)},
               coalesce(x.respondents, 0)::DOUBLE AS respondents,
               coalesce(y.population, 0)::DOUBLE AS population
        FROM x FULL OUTER JOIN y ON x.gid = y.gid AND {joined}
    """  # noqa: S608 - identifiers come from the BACKGROUND whitelist
    cells = con.execute(sql, {"period": period, **rwhere.params, **pwhere.params}).df()
    # GROUPING() sets the bit of a rolled-up column; the first column is the highest bit.
    n = len(dims)
    keep = pd.Series(True, index=cells.index)
    for i, d in enumerate(dims):
        grouped = (cells["gid"].to_numpy() >> (n - 1 - i)) & 1 == 0
        keep &= ~(grouped & cells[d].isna().to_numpy())
    return cells[keep]


def _findings(
    found: pd.DataFrame, dims, names: Mapping[str, str], k: int, interest: dict | None = None
) -> pd.DataFrame:
    interest = interest or {}
    groups = [{d: row[d] for d in dims if isinstance(row[d], str)} for _, row in found.iterrows()]
    if "expected_hint" not in found:
        found = found.assign(expected_hint=np.nan)
    columns = ["population", "respondents", *_STAT_COLUMNS, "status", "suppressed"]
    out = found[[*columns, "expected_hint"]].copy()
    out.insert(0, "group", groups)
    for lang in ("da", "en"):
        out[f"sentence_{lang}"] = [
            finding_sentence(g, r, lang, names, k, interest.get(lang))
            for g, (_, r) in zip(groups, out.iterrows(), strict=True)
        ]
    return out.drop(columns="suppressed").reset_index(drop=True)


# --- plain words ----------------------------------------------------------------------------

_GENDER_WORDS = {"kvinde": ("Kvinder", "Women"), "mand": ("Mænd", "Men")}
_FRACTIONS = [
    (1 / 10, "en tiendedel af", "a tenth of"),
    (1 / 5, "en femtedel af", "a fifth of"),
    (1 / 4, "en fjerdedel af", "a quarter of"),
    (1 / 3, "en tredjedel af", "a third of"),
    (1 / 2, "halvdelen af", "half"),
    (2 / 3, "to tredjedele af", "two thirds of"),
    (3 / 4, "tre fjerdedele af", "three quarters of"),
]


def describe_group(
    group: Mapping[str, str], lang: str = "da", names: Mapping[str, str] | None = None
) -> str:
    """Name a group in words: "Mænd 18-24 år i Nordby" / "Men aged 18-24 in Nordby".

    `group` maps age_band, gender and area (an area code, named through `names`, for example
    representation.area_names(con))."""
    en = lang == "en"
    gender, band, area = group.get("gender"), group.get("age_band"), group.get("area")
    who = _GENDER_WORDS.get(gender, (None, None))[1 if en else 0] if gender else None
    if who is None:
        who = "Residents" if en else "Borgere"
        if not band and not area:
            who = "All residents" if en else "Alle borgere"
    text = who
    if band:
        text += f" aged {band}" if en else f" {band} år"
    if area:
        name = (names or {}).get(area, area)
        only_area = not gender and not band
        text += (f" of {name}" if only_area else f" in {name}") if en else f" i {name}"
    return text


def format_number(value: float, lang: str = "da", decimals: int = 0) -> str:
    """1.450 and 0,21 in Danish; 1,450 and 0.21 in English."""
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def ratio_words(ratio: float, lang: str = "da", interest: bool = False) -> str:
    """ "en femtedel af svarprocenten i hele kommunen" / "0,6 gange svarprocenten i hele
    kommunen": the reference is always the whole municipality, and the words say so. Under a
    topic, format or time filter (`interest`) the figure is the share who answered and chose
    it, so the words say "andelen i hele kommunen", never the response rate."""
    en = lang == "en"
    rate = "the response rate of the whole municipality" if en else "svarprocenten i hele kommunen"
    if interest:
        rate = "the share in the whole municipality" if en else "andelen i hele kommunen"
    if ratio != ratio:  # NaN: no ratio to put in words
        return "–"
    if abs(ratio - 1) < 0.05:
        return f"about {rate}" if en else f"omtrent {rate}"
    for value, da_words, en_words in _FRACTIONS:
        # Within 7 %: 0,52 reads as "halvdelen", 0,36 as "en tredjedel"; the exact ratio
        # follows in brackets anyway.
        if abs(ratio / value - 1) <= 0.07:
            return f"{en_words if en else da_words} {rate}"
    times = format_number(ratio, lang, 1 if ratio >= 0.1 else 2)
    return f"{times} times {rate}" if en else f"{times} gange {rate}"


@per_data_version
def _vocabulary_labels(con) -> dict[tuple[str, str], tuple[str, str]]:
    """(kind, code) -> (Danish label, English label) for every vocabulary entry."""
    rows = con.execute("SELECT kind, code, label_da, label_en FROM vocabulary").fetchall()
    return {(kind, code): (da, en) for kind, code, da, en in rows}


def interest_words(con, filters: Filters, lang: str) -> str | None:
    """What a topic, format, time or engagement filter selects, as words for a sentence:
    "valgte Klima og miljø" / "chose Climate and environment"; None without such a filter."""
    chosen = [
        (kind, code)
        for kind, codes in (
            ("topic", filters.topics),
            ("format", filters.formats),
            ("time", filters.times),
            ("engagement", filters.engagements),
        )
        for code in codes
    ]
    if not chosen:
        return None
    labels = _vocabulary_labels(con)
    words = [labels.get(c, (c[1], c[1]))[1 if lang == "en" else 0].lower() for c in chosen]
    joined = (" or " if lang == "en" else " eller ").join(words)
    return f"chose {joined}" if lang == "en" else f"valgte {joined}"


def finding_sentence(
    group: Mapping[str, str],
    row: Mapping,
    lang: str,
    names: Mapping[str, str],
    k: int = DEFAULT_K,
    interest: str | None = None,
) -> str:
    """One plain sentence for one cell, in the format of DESIGN.md §3 (Danish or English).

    Under a topic, format or time filter, `interest` (interest_words) says what the count
    is: those who answered and chose it, compared with the same share in the whole
    municipality; no responses are "missing" then, since choosing a topic is not taking part.
    """
    en = lang == "en"
    who = describe_group(group, lang, names)
    pop = format_number(row["population"], lang)
    if pd.isna(row["respondents"]):
        count = f"fewer than {k}" if en else f"færre end {k}"
        hint = row.get("expected_hint")
        if hint is not None and not pd.isna(hint):  # the gap stays visible, the count hidden
            return t(
                "gaps.too_few_expected",
                lang,
                who=who,
                k=k,
                population=pop,
                expected=format_number(hint, lang),
            )
        return f"{who}: {count} {'responses among' if en else 'svar blandt'} {pop} " + (
            "residents." if en else "borgere."
        )
    resp = format_number(row["respondents"], lang)
    numbers = (
        f"({format_number(row['ratio'], lang, 2)}; 95 %: "
        f"{format_number(row['ci_low'], lang, 2)}-{format_number(row['ci_high'], lang, 2)})"
    )
    if en:
        numbers = numbers.replace("95 %", "95%")
    if interest:
        words = ratio_words(row["ratio"], lang, interest=True)
        if en:
            return f"{who}: {resp} of {pop} residents answered and {interest} – {words} {numbers}."
        return f"{who}: {resp} af {pop} borgere svarede og {interest} – {words} {numbers}."
    head = (
        f"{who}: {resp} responses among {pop} residents – {ratio_words(row['ratio'], lang)} {numbers}."
        if en
        else f"{who}: {resp} svar blandt {pop} borgere – {ratio_words(row['ratio'], lang)} {numbers}."
    )
    return f"{head} {_missing_words(row['missing_voices'], lang)}".rstrip()


def _missing_words(missing: float, lang: str) -> str:
    """Missing responses, said only for a group below the line (fewer responses than its
    share); "manglende svar", never "stemmer", which reads as votes."""
    if pd.isna(missing) or round(missing) <= 0:
        return ""
    count = format_number(missing, lang)
    return (
        f"About {count} responses are missing."
        if lang == "en"
        else f"Der mangler ca. {count} svar."
    )


# --- raking ---------------------------------------------------------------------------------


@dataclass
class RakeResult:
    """Raking weights by age band × gender × area cell (IPF weights are constant in a cell).

    Weights are relative: their mean over the respondents with known attributes is 1.
    """

    cell_weights: pd.DataFrame
    converged: bool
    iterations: int
    effective_sample_size: float
    margins: pd.DataFrame
    respondents: int = 0
    excluded: int = 0
    trim: tuple[float, float] | None = (0.2, 5.0)
    trimmed_cells: int = 0
    empty_margins: list[str] = field(default_factory=list)
    # Categories with respondents but no population; their respondents keep weight 1.
    zero_targets: list[str] = field(default_factory=list)

    @property
    def design_effect(self) -> float:
        """Kish's design effect of the weights, n / effective n (1 = no loss of precision)."""
        n = self.respondents + self.excluded
        return n / self.effective_sample_size if self.effective_sample_size else float("nan")

    @property
    def balance(self) -> pd.DataFrame:
        """Absolute standardised difference per variable before and after weighting, as
        Meta's balance reports it: per category |sample share - population share| /
        sqrt(p(1-p)) with p the population share, averaged over the variable's categories."""
        m = self.margins[(self.margins["population_share"] > 0)]
        m = m[m["population_share"] < 1]
        scale = np.sqrt(m["population_share"] * (1 - m["population_share"]))
        frame = m.assign(
            before=(m["unweighted_share"] - m["population_share"]).abs() / scale,
            after=(m["weighted_share"] - m["population_share"]).abs() / scale,
        )
        out = frame.groupby("dimension", sort=False)[["before", "after"]].mean()
        return out.rename_axis("variable").reset_index()

    def to_json(self) -> dict:
        return {
            "effective_sample_size": self.effective_sample_size,
            "design_effect": self.design_effect,
            "balance": self.balance.to_dict(orient="records"),
            "converged": self.converged,
            "iterations": self.iterations,
            "respondents": self.respondents,
            "excluded": self.excluded,
            "trim": list(self.trim) if self.trim else None,
            "trimmed_cells": self.trimmed_cells,
            "empty_margins": self.empty_margins,
            "zero_targets": self.zero_targets,
            "unknown_rule": t("weights.unknown_rule", "da"),
            "unknown_rule_en": t("weights.unknown_rule", "en"),
            "margins": self.margins.to_dict(orient="records"),
        }


def ipf(
    counts: np.ndarray,
    margin_index: list[np.ndarray],
    targets: list[np.ndarray],
    weights: np.ndarray | None = None,
    max_iter: int = 200,
    tol: float = 1e-10,
) -> tuple[np.ndarray, int, bool]:
    """Iterative proportional fitting of cell weights: Σ counts·weights per margin category
    reaches its target. Returns (weights, iterations, converged)."""
    w = np.ones(len(counts)) if weights is None else weights.astype(float).copy()
    for iteration in range(1, max_iter + 1):
        for index, target in zip(margin_index, targets, strict=True):
            current = np.bincount(index, counts * w, minlength=len(target))
            w *= (target / np.where(current > 0, current, 1.0))[index]
        # Relative error per category; rake() drops zero targets, an absolute one guards here.
        error = max(
            np.max(np.abs(np.bincount(i, counts * w, minlength=len(t)) - t) / np.maximum(t, 1.0))
            for i, t in zip(margin_index, targets, strict=True)
        )
        if error < tol:
            return w, iteration, True
    return w, max_iter, False


def rake(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    trim: tuple[float, float] | None = (0.2, 5.0),
    max_iter: int = 200,
    tol: float = 1e-10,
) -> RakeResult:
    """Rake respondent weights to the population margins age band × gender and area.

    Targets are population shares × known respondents, so the mean weight is 1. After IPF the
    weights are trimmed to trim[0]-trim[1] × the mean and raked again, until both hold (at
    most 50 rounds); `converged` says whether the margins were met within `tol` and the weights
    stayed within the trim bounds. A binding trim can make exact margins impossible.
    Unknown attributes, one stated rule: respondents with an unknown band, area or gender
    (andet/uoplyst), and respondents in a category the population does not hold (a zero
    target, e.g. 15-17-year-olds when the population starts at 18), get weight 1, the mean:
    nothing is known to weight them by, so they are not part of the fit and count as
    themselves in weighted estimates; `excluded` counts them all and `zero_targets` names the
    categories. A zero target is dropped before the fit, so it can never stall convergence.
    A margin category without respondents cannot be reached; it is dropped, the other targets
    scaled up, and it is listed in `empty_margins`.
    """
    wave, period = resolve_wave(con, filters)
    cells, excluded = cell_counts(con, filters, wave, period, BACKGROUND)
    cells = cells.assign(bg=cells["age_band"] + "|" + cells["gender"])
    pop_bg = cells.groupby("bg")["population"].sum()
    pop_area = cells.groupby("area")["population"].sum()
    answered = cells["respondents"] > 0
    outside = answered & (
        cells["bg"].map(pop_bg).le(0).to_numpy() | cells["area"].map(pop_area).le(0).to_numpy()
    )
    zero = [
        f"age_band_gender={v}"
        for v in pop_bg.index[pop_bg <= 0]
        if v in set(cells.loc[answered, "bg"])
    ]
    zero += [
        f"area={v}" for v in pop_area.index[pop_area <= 0] if v in set(cells.loc[answered, "area"])
    ]
    excluded += int(round(cells.loc[outside, "respondents"].sum()))
    pop_bg, pop_area = pop_bg[pop_bg > 0], pop_area[pop_area > 0]
    sample = cells[answered & ~outside].reset_index(drop=True)
    n = sample["respondents"].to_numpy(float)
    total = n.sum()
    empty = [f"age_band_gender={v}" for v in pop_bg.index if v not in set(sample["bg"])]
    empty += [f"area={v}" for v in pop_area.index if v not in set(sample["area"])]
    index, targets = [], []
    for column, pop in (("bg", pop_bg), ("area", pop_area)):
        reached = pop[pop.index.isin(sample[column])]
        codes = pd.Categorical(sample[column], categories=reached.index)
        index.append(np.asarray(codes.codes, dtype=np.intp))
        targets.append(reached.to_numpy(float) / reached.sum() * total)
    w, iterations, converged, trimmed = _rake_with_trim(n, index, targets, trim, max_iter, tol)
    sample["weight"] = w
    weighted = float(np.sum(n * w)) + excluded
    ess = weighted**2 / (float(np.sum(n * w**2)) + excluded) if weighted else 0.0
    return RakeResult(
        cell_weights=sample[["age_band", "gender", "area", "respondents", "weight"]],
        converged=converged,
        iterations=iterations,
        effective_sample_size=ess,
        margins=_margins(sample, pop_bg, pop_area),
        respondents=int(round(total)),
        excluded=excluded,
        trim=trim,
        trimmed_cells=trimmed,
        empty_margins=empty,
        zero_targets=zero,
    )


def _rake_with_trim(n, index, targets, trim, max_iter, tol):
    if len(n) == 0:
        return np.array([]), 0, False, 0
    w, total_iter, converged = None, 0, False
    for _round in range(50):
        w, iterations, converged = ipf(n, index, targets, w, max_iter, tol)
        total_iter += iterations
        if trim is None:
            return w, total_iter, converged, 0
        mean = np.sum(n * w) / np.sum(n)
        low, high = trim[0] * mean, trim[1] * mean
        outside = (w < low * (1 - 1e-9)) | (w > high * (1 + 1e-9))
        if not outside.any():
            trimmed = int(np.sum((w <= low * (1 + 1e-9)) | (w >= high * (1 - 1e-9))))
            return w, total_iter, converged, trimmed
        w = np.clip(w, low, high)
    return w, total_iter, False, int(np.sum(outside))


def _margins(sample: pd.DataFrame, pop_bg: pd.Series, pop_area: pd.Series) -> pd.DataFrame:
    frames = []
    weighted = sample["respondents"] * sample["weight"]
    for dimension, column, pop in (("age_band_gender", "bg", pop_bg), ("area", "area", pop_area)):
        frame = pd.DataFrame(
            {
                "dimension": dimension,
                "value": pop.index.astype(str),
                "population_share": (pop / pop.sum()).to_numpy(),
            }
        )
        wsum = weighted.groupby(sample[column]).sum() / weighted.sum()
        usum = sample.groupby(column)["respondents"].sum() / sample["respondents"].sum()
        frame["weighted_share"] = frame["value"].map(wsum).fillna(0.0).to_numpy()
        frame["unweighted_share"] = frame["value"].map(usum).fillna(0.0).to_numpy()
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


# --- weighted estimates ---------------------------------------------------------------------


def _weighted_respondents(con, filters: Filters, rake_result: RakeResult) -> tuple[str, dict]:
    """A CTE `rw` of the filtered respondents with their weight `w`. The cell weights travel as
    bound lists (no registered view to name, share or clean up between threads).

    rw reads the area-spread relation: a respondent known only by a postal code is one row per
    area with `area_w` its share there, and `w` = area_w × that area's cell weight, so its
    weight is the share-weighted mean of its areas' weights. Unweighted counts sum area_w."""
    wave, _ = resolve_wave(con, filters)
    where = where_clause(con, filters, wave)
    source = respondent_source(filters, by_area=True)
    cw = rake_result.cell_weights
    params = {
        **where.params,
        "cw_band": cw["age_band"].astype(str).tolist(),
        "cw_gender": cw["gender"].astype(str).tolist(),
        "cw_area": cw["area"].astype(str).tolist(),
        "cw_weight": cw["weight"].astype(float).tolist(),
    }
    cte = f"""
        cw AS (SELECT unnest($cw_band) AS age_band, unnest($cw_gender) AS gender,
                      unnest($cw_area) AS area, unnest($cw_weight)::DOUBLE AS weight),
        rw AS (SELECT r.*, r.area_w * coalesce(cw.weight, 1.0) AS w FROM {source.relation}
               LEFT JOIN cw ON r.age_band = cw.age_band AND r.gender = cw.gender
                           AND r.area_code = cw.area
               WHERE {where.sql})
    """  # noqa: S608
    return cte, params


def _vocab(con, kind: str) -> pd.DataFrame:
    return con.execute(
        "SELECT code, label_da, label_en, bit FROM vocabulary WHERE kind = $k ORDER BY sort_order",
        {"k": kind},
    ).df()


def weighted_shares(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    kind: str,
    rake_result: RakeResult | None = None,
    k: int = DEFAULT_K,
) -> pd.DataFrame:
    """Unweighted and weighted shares of each answer of `kind` (topic, format, time,
    engagement, interest). Topic and format shares are of all respondents (several may be
    picked); the single-choice kinds are shares of those who answered. Cells below k
    respondents are suppressed (NaN)."""
    kind_column = {
        "time": "time_per_month",
        "engagement": "engagement_level",
        "interest": "interest",
    }
    if kind not in (*MULTI_DIMENSIONS, *kind_column):
        raise InvalidInput(f"Ukendt type '{kind}'. / Unknown kind '{kind}'.")
    rake_result = rake_result or rake(con, filters)
    cte, params = _weighted_respondents(con, filters, rake_result)
    vocab = _vocab(con, kind)
    if kind in MULTI_DIMENSIONS:
        column = MULTI_DIMENSIONS[kind][1]
        sums = ", ".join(
            f"sum(r.area_w * ((r.{column} >> {int(b)}) & 1)) AS n{i}, "
            f"sum(r.w * ((r.{column} >> {int(b)}) & 1)) AS w{i}"
            for i, b in enumerate(vocab["bit"])
        )
        row = con.execute(
            f"WITH {cte} SELECT sum(r.area_w), sum(r.w), {sums} FROM rw r",
            params,  # noqa: S608
        ).fetchone()
        total_n, total_w = row[0] or 0.0, row[1] or 0.0
        counts = np.array(row[2::2], dtype=float)
        wsums = np.array([v or 0.0 for v in row[3::2]], dtype=float)
    else:
        grouped = con.execute(
            f"WITH {cte} SELECT r.{kind_column[kind]} AS code, sum(r.area_w) AS n, "  # noqa: S608
            "sum(r.w) AS w FROM rw r WHERE code IS NOT NULL GROUP BY ALL",
            params,
        ).df()
        by_code = grouped.set_index("code")
        counts = vocab["code"].map(by_code["n"]).fillna(0.0).to_numpy(float)
        wsums = vocab["code"].map(by_code["w"]).fillna(0.0).to_numpy(float)
        total_n, total_w = counts.sum(), wsums.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        table = vocab[["code", "label_da", "label_en"]].assign(
            respondents=counts,
            unweighted_share=counts / total_n if total_n else np.nan,
            weighted_share=wsums / total_w if total_w else np.nan,
        )
        # The weighted share's 95 % interval with Kish's design effect: the weights cost
        # precision as if there were n / deff answers.
        deff = rake_result.design_effect
        p = table["weighted_share"].to_numpy(float)
        half = Z95 * np.sqrt(deff * p * (1 - p) / total_n) if total_n else np.nan
        table["weighted_low"] = np.clip(p - half, 0.0, 1.0)
        table["weighted_high"] = np.clip(p + half, 0.0, 1.0)
    table.attrs["design_effect"] = deff
    return suppress_table(
        table,
        "respondents",
        k,
        dependent_columns=("unweighted_share", "weighted_share", "weighted_low", "weighted_high"),
    )


def weighted_counts(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    dims: tuple[str, str],
    rake_result: RakeResult | None = None,
    k: int = DEFAULT_K,
) -> pd.DataFrame:
    """Weighted counts crossed by two dimensions (the names of queries.respondents_by).

    Columns: the dims, respondents (unweighted), weighted. Topic and format are counted
    through the bit masks, so a respondent counts once under each option picked. Cells below
    k respondents are suppressed (NaN)."""
    dims = tuple(dims)
    for d in dims:
        if d not in DIMENSIONS and d not in MULTI_DIMENSIONS:
            raise InvalidInput(f"Ukendt dimension '{d}'. / Unknown dimension '{d}'.")
    rake_result = rake_result or rake(con, filters)
    cte, params = _weighted_respondents(con, filters, rake_result)
    plain = [d for d in dims if d in DIMENSIONS]
    options = [_options(con, d) for d in dims if d in MULTI_DIMENSIONS]
    multi = [d for d in dims if d in MULTI_DIMENSIONS]
    combos = list(itertools.product(*options))
    sums = []
    for i, combo in enumerate(combos):
        indicator = " * ".join(expr for _, expr in combo) or "1"
        sums.append(f"sum(r.area_w * {indicator}) AS n{i}, sum(r.w * {indicator}) AS w{i}")
    select = [f"{DIMENSIONS[d]} AS {d}" for d in plain] + sums
    sql = f"WITH {cte} SELECT {', '.join(select)} FROM rw r"  # noqa: S608
    if plain:
        sql += " GROUP BY ALL"
    wide = con.execute(sql, params).df()
    rows = []
    for _, row in wide.iterrows():
        for i, combo in enumerate(combos):
            entry = {d: row[d] for d in plain}
            entry.update({d: code for d, (code, _) in zip(multi, combo, strict=True)})
            entry.update({"respondents": row[f"n{i}"], "weighted": row[f"w{i}"]})
            rows.append(entry)
    table = pd.DataFrame(rows, columns=[*plain, *multi, "respondents", "weighted"])
    table = table[[*dims, "respondents", "weighted"]]
    table["weighted"] = table["weighted"].astype(float).fillna(0.0)
    return suppress_table(table, "respondents", k, dependent_columns=("weighted",))


def _options(con, dim: str) -> list[tuple[str, str]]:
    kind, column = MULTI_DIMENSIONS[dim]
    vocab = _vocab(con, kind)
    return [
        (code, f"((r.{column} >> {int(bit)}) & 1)")
        for code, bit in zip(vocab["code"], vocab["bit"], strict=True)
        if not pd.isna(bit)
    ]
