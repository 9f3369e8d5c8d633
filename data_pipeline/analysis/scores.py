"""Headline scores of representation (docs/DEFINITIONS.md, Scores): min/max rate over the
marginals, share overlap and the bias-adjusted R-indicator, each with a seeded bootstrap
interval, and the one plain 0-100 score the Overblik leads with.

Scores publish no count. Never imports streamlit; counts come from cells.py's one
GROUPING SETS scan.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import duckdb
import numpy as np
import pandas as pd

from data_pipeline.analysis.cells import (
    BACKGROUND,
    area_names,
    check_background,
    grouping_set_cells,
    resolve_wave,
)
from data_pipeline.analysis.filtering import Filters
from data_pipeline.core.i18n import t

BOOTSTRAP_REPLICATES = 400
BOOTSTRAP_SEED = 12
# Genders named in a score sentence ("mænd"); any other code is shown as it is.
_NAMED_GENDERS = ("kvinde", "mand")


# --- the scores of one set of groups ----------------------------------------------------------


def _as_2d(respondents) -> np.ndarray:
    return np.atleast_2d(np.asarray(respondents, dtype=float))


def min_max_values(respondents, population) -> np.ndarray:
    """Lowest rate / highest rate (Go Vocal's representativeness score), per row of a
    replicates × groups array; NaN with fewer than two groups or no response."""
    resp, pop = _as_2d(respondents), np.asarray(population, dtype=float)
    if pop.size < 2:
        return np.full(len(resp), np.nan)
    rates = np.minimum(resp / pop, 1.0)
    high = rates.max(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(high > 0, rates.min(axis=1) / high, np.nan)


def overlap_values(respondents, population) -> np.ndarray:
    """Σ min(respondent share, population share) = 1 - dissimilarity, per row."""
    resp, pop = _as_2d(respondents), np.asarray(population, dtype=float)
    total = resp.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        overlap = np.minimum(resp / total, pop / pop.sum()).sum(axis=1)
    return np.where(total[:, 0] > 0, overlap, np.nan)


def r_indicator_values(respondents, population, adjusted: bool = True) -> np.ndarray:
    """R = 1 - 2·S(ρ) per row, with ρ the response propensity of each group (its rate) and S
    its population-weighted standard deviation (Schouten, Cobben & Bethlehem 2009).

    Each group's rate p̂_h = r_h / N_h is noisy, and the noise adds to the spread:
    E[Σ w_h (p̂_h - p̂)²] = S² + Σ w_h (1 - w_h) p_h (1 - p_h) / N_h with w_h = N_h / N. The
    bias-adjusted estimate subtracts that sampling variance, estimated without bias by
    p̂_h (1 - p̂_h) / (N_h - 1), and stops at S² = 0. Unadjusted, R falls as groups get smaller,
    so it moves with the number of answers alone; adjusted, it estimates the same R at any size.
    """
    resp, pop = _as_2d(respondents), np.asarray(population, dtype=float)
    if pop.size == 0:
        return np.full(len(resp), np.nan)
    w = pop / pop.sum()
    rates = np.minimum(resp / pop, 1.0)
    mean = (rates * w).sum(axis=1, keepdims=True)
    s2 = (w * (rates - mean) ** 2).sum(axis=1)
    if adjusted:
        with np.errstate(divide="ignore", invalid="ignore"):
            noise = np.where(pop > 1, w * (1 - w) * rates * (1 - rates) / (pop - 1), 0.0)
        s2 = s2 - noise.sum(axis=1)
    r = 1.0 - 2.0 * np.sqrt(np.maximum(s2, 0.0))
    return np.where(resp.sum(axis=1) > 0, r, np.nan)


def score_counts(respondents, population) -> dict[str, float]:
    """The three scores from matching respondent and population counts (groups without
    population left out): min_max_ratio, share_overlap, r_indicator (bias-adjusted) and
    r_indicator_unadjusted (1 - 2·SD of the observed rates, for comparison)."""
    resp = np.asarray(respondents, dtype=float)
    pop = np.asarray(population, dtype=float)
    keep = pop > 0
    resp, pop = resp[keep], pop[keep]
    if len(pop) == 0 or resp.sum() == 0:
        return dict.fromkeys(
            ("min_max_ratio", "share_overlap", "r_indicator", "r_indicator_unadjusted"), np.nan
        )
    return {
        "min_max_ratio": float(min_max_values(resp, pop)[0]),
        "share_overlap": float(overlap_values(resp, pop)[0]),
        "r_indicator": float(r_indicator_values(resp, pop)[0]),
        "r_indicator_unadjusted": float(r_indicator_values(resp, pop, adjusted=False)[0]),
    }


def bootstrap_counts(
    respondents, population, replicates: int, rng: np.random.Generator
) -> np.ndarray:
    """Replicates × groups respondent counts drawn as each group's binomial, Bin(N_h, p̂_h):
    who answers is the random part, the population is the register's."""
    pop = np.asarray(population, dtype=float)
    rates = np.clip(np.asarray(respondents, dtype=float) / pop, 0.0, 1.0)
    return rng.binomial(np.round(pop).astype(np.int64), rates, size=(replicates, len(pop)))


def _percentile_interval(values: np.ndarray, bounds: tuple[float, float]) -> tuple:
    """95 % percentile bootstrap interval: how far the score moves when the answers are drawn
    again. NaN without finite replicates."""
    values = values[np.isfinite(values)]
    if not len(values):
        return np.nan, np.nan
    low, high = np.clip(np.percentile(values, [2.5, 97.5]), *bounds)
    return float(low), float(high)


def _centred_interval(errors: np.ndarray, estimate: float, bounds: tuple[float, float]) -> tuple:
    """95 % basic bootstrap interval: the estimate minus the 97.5 % and 2.5 % quantiles of the
    replicates' errors against the bootstrap world's truth. Used for the adjusted R-indicator,
    whose replicates estimate the spread of the observed rates (noise included), not the
    estimate itself."""
    errors = errors[np.isfinite(errors)]
    if not len(errors) or estimate != estimate:
        return np.nan, np.nan
    low, high = np.percentile(errors, [2.5, 97.5])
    return float(np.clip(estimate - high, *bounds)), float(np.clip(estimate - low, *bounds))


def _fitted_rates(resp: np.ndarray, pop: np.ndarray, adjusted_r: float) -> np.ndarray:
    """The rates shrunk towards their population-weighted mean so that 1 - 2·SD of them is
    the adjusted R-indicator (never below 0: a mix of the mean and the observed rates)."""
    if not len(pop) or adjusted_r != adjusted_r:
        return np.zeros(len(pop))
    rates = np.minimum(resp / pop, 1.0)
    w = pop / pop.sum()
    mean = float(np.sum(w * rates))
    spread = math.sqrt(float(np.sum(w * (rates - mean) ** 2)))
    shrink = (1.0 - adjusted_r) / 2.0 / spread if spread > 0 else 0.0
    return mean + min(shrink, 1.0) * (rates - mean)


def score_row(respondents, population, groups, replicates: int, rng) -> tuple[dict, dict]:
    """The scores of one set of groups with 95 % percentile bootstrap intervals, and the
    bootstrap replicates of min/max (to combine across dimensions)."""
    resp = np.asarray(respondents, dtype=float)
    pop = np.asarray(population, dtype=float)
    point = score_counts(resp, pop)
    row = {"groups": len(pop), **point, "lowest": None, "highest": None}
    if len(pop) and resp.sum() > 0:
        rates = resp / pop
        row["lowest"], row["highest"] = groups[int(np.argmin(rates))], groups[int(np.argmax(rates))]
    draws = bootstrap_counts(resp, pop, replicates, rng) if len(pop) else np.zeros((0, 0))
    boot = {
        "min_max": min_max_values(draws, pop) if len(pop) else np.array([np.nan]),
        "overlap": overlap_values(draws, pop) if len(pop) else np.array([np.nan]),
    }
    row["min_max_low"], row["min_max_high"] = _percentile_interval(boot["min_max"], (0.0, 1.0))
    row["overlap_low"], row["overlap_high"] = _percentile_interval(boot["overlap"], (0.0, 1.0))
    # The R-indicator is bootstrapped from the fitted propensities: the observed rates shrunk
    # towards their mean until their spread is the adjusted one. Drawn from the raw rates
    # instead, the bootstrap world would hold the noise as true spread, and groups with no
    # answer would never vary, so the interval would be too narrow in small surveys.
    fitted = _fitted_rates(resp, pop, point["r_indicator"])
    r_draws = bootstrap_counts(fitted * pop, pop, replicates, rng) if len(pop) else draws
    boot["r"] = r_indicator_values(r_draws, pop) if len(pop) else np.array([np.nan])
    row["r_low"], row["r_high"] = _centred_interval(
        boot["r"] - point["r_indicator"], point["r_indicator"], (-1.0, 1.0)
    )
    finite = boot["r"][~np.isnan(boot["r"])]
    row["r_se"] = float(np.std(finite, ddof=1)) if len(finite) > 1 else np.nan
    return row, boot


SCORE_COLUMNS = [
    "dimension",
    "groups",
    "min_max_ratio",
    "min_max_low",
    "min_max_high",
    "lowest",
    "highest",
    "field",
    "share_overlap",
    "overlap_low",
    "overlap_high",
    "r_indicator",
    "r_low",
    "r_high",
    "r_se",
    "r_indicator_unadjusted",
]


def scores(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    dims: tuple[str, ...] = BACKGROUND,
    cells: pd.DataFrame | None = None,
    replicates: int = BOOTSTRAP_REPLICATES,
    seed: int = BOOTSTRAP_SEED,
) -> pd.DataFrame:
    """One row per dimension of `dims` plus 'overall', with 95 % bootstrap intervals.

    Per dimension: the scores over its groups (age bands, genders, areas). Overall, min/max
    and overlap are those of the weakest field (`field`: the lowest min/max; the lowest
    overlap), as Go Vocal scores per field, rather than over the full crossing, where the
    smallest of 270 noisy rates and the noise in 270 shares fall with the number of answers
    alone. The R-indicator is over the crossing of all `dims`, bias-adjusted
    (r_indicator_values). The bootstrap draws each group's respondents from its binomial
    (seeded: the same data give the same interval); the overall intervals take the weakest
    field replicate by replicate. Groups without population are left out; nothing is
    suppressed because no count is published.
    """
    dims = check_background(dims)
    wave, period = resolve_wave(con, filters)
    if cells is None:
        cells = grouping_set_cells(con, filters, wave, period, dims)
    rng = np.random.default_rng(seed)
    n = len(dims)
    every = (1 << n) - 1
    sets = [(d, every - (1 << (n - 1 - i))) for i, d in enumerate(dims)] + [("overall", 0)]
    rows, boots = [], {}
    for name, gid in sets:
        group = cells[(cells["gid"] == gid) & (cells["population"] > 0)]
        # DuckDB returns the groups in any order; sorted, the seeded draws repeat exactly.
        keys = [d for d in dims if name in ("overall", d)]
        group = group.sort_values(keys, key=lambda c: c.astype(str), kind="stable")
        labels = (
            group[name].astype(str).tolist()
            if name != "overall"
            else [dict(zip(dims, values, strict=True)) for values in group[list(dims)].values]
        )
        row, boot = score_row(group["respondents"], group["population"], labels, replicates, rng)
        row["dimension"] = name
        row["field"] = name if name != "overall" else None
        if (
            name != "overall"
            and row["groups"] >= 2
            and row["min_max_ratio"] == row["min_max_ratio"]
        ):
            boots[name] = boot
        rows.append(row)
    overall = rows[-1]
    fields = [r for r in rows[:-1] if r["dimension"] in boots]
    # Min/max and overlap overall: the weakest field, replicate by replicate for the interval.
    worst = min(fields, key=lambda r: r["min_max_ratio"]) if fields else None
    overall.update(
        {
            "min_max_ratio": worst["min_max_ratio"] if worst else np.nan,
            "lowest": worst["lowest"] if worst else None,
            "highest": worst["highest"] if worst else None,
            "field": worst["dimension"] if worst else None,
            "share_overlap": min(r["share_overlap"] for r in fields) if fields else np.nan,
        }
    )
    for score, low, high in (
        ("min_max", "min_max_low", "min_max_high"),
        ("overlap", "overlap_low", "overlap_high"),
    ):
        joint = (
            np.min(np.vstack([boots[r["dimension"]][score] for r in fields]), axis=0)
            if fields
            else np.array([np.nan])
        )
        overall[low], overall[high] = _percentile_interval(joint, (0.0, 1.0))
    return pd.DataFrame(rows)[SCORE_COLUMNS]


# --- the plain score --------------------------------------------------------------------------


def plain_score(frame: pd.DataFrame | None) -> dict | None:
    """The one 0-100 score a director reads: 100 × the overall min/max (the lowest group's
    response rate as a share of the highest's, in the field where the gap is largest), with
    its interval. None when it cannot be computed."""
    if frame is None or not len(frame) or "overall" not in set(frame["dimension"]):
        return None
    row = frame.set_index("dimension").loc["overall"]
    if pd.isna(row["min_max_ratio"]):
        return None

    def to_100(value):
        return None if pd.isna(value) else int(round(100 * float(value)))

    return {
        "score": to_100(row["min_max_ratio"]),
        "low": to_100(row["min_max_low"]),
        "high": to_100(row["min_max_high"]),
        "field": row["field"],
        "lowest": row["lowest"],
        "highest": row["highest"],
    }


def group_words(dimension: str, value: str, lang: str, names: Mapping[str, str]) -> str:
    """One group of one field in words: "de 18-24-årige", "mænd", "Havnekvarteret"."""
    if dimension == "age_band":
        return t("score.group.age_band", lang, band=value)
    if dimension == "gender":
        return t(f"group.gender.{value}", lang) if value in _NAMED_GENDERS else value
    return names.get(value, value)


def plain_score_sentence(score: Mapping, lang: str, names: Mapping[str, str]) -> str:
    """The one line under the score, saying what it compares:
    "Efter område svarer Havnekvarteret 47 % så ofte som Skovbakken. 100 = alle grupper svarer
    lige ofte." """
    field = score["field"]
    return t(
        "score.plain_line",
        lang,
        field=t(f"score.field.{field}", lang),
        lowest=group_words(field, score["lowest"], lang, names),
        highest=group_words(field, score["highest"], lang, names),
        score=score["score"],
    )


def plain_score_text(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame | None, lang: str
) -> dict | None:
    """plain_score with its headline (`value`), sentence (`sentence`, `short`) and interval
    text (`interval`).

    `undecided` when the score lies outside its own 95 % interval. That happens under a
    narrow filter (two age bands in one area: 95 with 56–94): the lowest of a few noisy rates
    over the highest is pulled down by chance alone, so every replicate falls below the
    estimate, and the figure says more about the noise than about the groups. Such a score is
    shown as "kan ikke afgøres" with the reason, never as a number."""
    score = plain_score(frame)
    if score is None:
        return None
    low, high = score["low"], score["high"]
    score["undecided"] = low is not None and high is not None and not low <= score["score"] <= high
    if score["undecided"]:
        field = t(f"score.field.{score['field']}", lang)
        score["value"] = t("score.undecided_value", lang)
        score["sentence"] = score["short"] = t("score.undecided_line", lang, field=field)
        score["interval"] = ""
        return score
    score["value"] = t("score.plain_value", lang, score=score["score"])
    names = area_names(con)
    score["sentence"] = plain_score_sentence(score, lang, names)
    field = score["field"]
    words = [
        t("group.band_years", lang, band=value)
        if field == "age_band"
        else group_words(field, value, lang, names)
        for value in (score["lowest"], score["highest"])
    ]
    score["short"] = t(
        "score.plain_short",
        lang,
        field=t(f"score.field.{field}", lang),
        lowest=words[0],
        highest=words[1],
        score=score["score"],
    )
    if score["low"] is not None and not math.isnan(score["low"]):
        score["interval"] = t("score.plain_interval", lang, low=score["low"], high=score["high"])
    else:
        score["interval"] = ""
    return score
