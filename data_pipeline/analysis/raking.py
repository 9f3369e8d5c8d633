"""Raking: respondent weights fitted to the population margins (age band × gender, area) by
iterative proportional fitting with trimming, and their diagnostics (effective sample size,
design effect, balance).

Definitions: docs/DEFINITIONS.md. Weights are per cell; no respondent leaves the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from data_pipeline.analysis.cells import BACKGROUND, cell_counts, resolve_wave
from data_pipeline.analysis.filtering import Filters
from data_pipeline.core.i18n import t


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
