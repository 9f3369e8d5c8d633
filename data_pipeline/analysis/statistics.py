"""Statistics: rate, ratio, Wilson interval, score test, Benjamini–Hochberg and the verdict.

Pure numpy on cell counts (cells.py makes them); no SQL, no words, no suppression.
Definitions: docs/DEFINITIONS.md.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from data_pipeline.core.disclosure import DEFAULT_K

Z95 = 1.959963984540054
# The columns derived from a cell's respondents: suppressed with its count.
STAT_COLUMNS = ("rate", "ratio", "ci_low", "ci_high", "missing_voices", "p_value")


def wilson_interval(successes, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """95 % Wilson score interval for a proportion; NaN where n is 0. Counts above n (a cell
    where more answered than the register holds) are capped at n.

    `successes` may be fractional: by area, a respondent known only by a postal code counts
    with its population share in each area. The Wilson formula is continuous in the count, and
    a fractional count is the share-weighted mean of the whole counts it could be, so the
    interval is that of the expected allocation. It covers sampling noise only, not the error of
    the allocation itself (that postal-only respondents live in the postal code's areas in
    proportion to its population); every output that uses it says so (see
    catalog.postal_spread_respondents and the note `postal.spread_note`).
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


# The stated band around 1 inside which a group is "like the population"
# (docs/DEFINITIONS.md, Verdicts).
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
    """The verdict per group, from its interval (docs/DEFINITIONS.md, Verdicts): "under" when
    the whole interval lies below `threshold`, "over" when it lies above `upper` (default
    1/threshold), "fine" (like the population) only when it lies inside [threshold, upper], and
    otherwise "uncertain" (not enough answers to tell), the default. A group below k respondents or
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

    `reference` is the whole municipality's rate (docs/DEFINITIONS.md): respondents /
    population 15+ among those with the grouped attributes known, without any age, gender or area filter. By
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
