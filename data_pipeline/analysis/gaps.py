"""Gaps: every combination of up to three background attributes, judged together and ranked by
missing voices, each said in one sentence (gap_words.py).

Definitions: docs/DEFINITIONS.md. Suppressed groups never appear with a count; a group too
small to publish is named only by the answers expected of it.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import numpy as np
import pandas as pd

from data_pipeline.analysis.catalog import latest_wave
from data_pipeline.analysis.cells import (
    BACKGROUND,
    InvalidInput,
    area_names,
    check_background,
    demographic_free,
    grouping_set_cells,
    has_demographic_filter,
    postal_note,
    resolve_wave,
)
from data_pipeline.analysis.differencing import differencing_mask, prefetch
from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.gap_words import finding_sentence, interest_words
from data_pipeline.analysis.statistics import (
    STAT_COLUMNS,
    add_statistics,
    apply_fdr,
    expected_hint,
)
from data_pipeline.core.disclosure import DEFAULT_K, check_k, suppress_table


def _grouped(dims: tuple[str, ...], gid: int) -> tuple[str, ...]:
    # GROUPING() sets the bit of a rolled-up column; the first column is the highest bit.
    return tuple(d for i, d in enumerate(dims) if not (gid >> (len(dims) - 1 - i)) & 1)


def gap_tables(cells: pd.DataFrame, dims: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The tables find_gaps checks for disclosure (one per grouping set of `cells`), for a
    view that prefetches them with its other tables (differencing.prefetch)."""
    dims = check_background(dims)
    return [_grouped(dims, int(gid)) for gid in cells["gid"].unique()]


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
    checked: dict | None = None,
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

    `checked` is a disclosure-count cache (differencing.prefetch) a view shares between this
    and its other tables, filled beforehand with `gap_tables`, so that all of them are
    counted in one scan per filter variant.
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
    tables, hidden = [], []
    checked = {} if checked is None else checked  # wider tables shared by the sets

    def grouped_by(gid: int) -> dict[str, str]:
        return {d: d for d in _grouped(dims, gid)}

    # Every set's disclosure counts in a few scans, not a few per set.
    prefetch(con, filters.replace(wave=wave), gap_tables(cells, dims), checked)
    for gid, cell in cells.groupby("gid", sort=True):
        stats = add_statistics(cell, threshold, k, references.get(gid))
        too_few = (stats["respondents"] < k).to_numpy()
        hint = expected_hint(stats["population"], stats.attrs.get("reference_rate"))
        grouped = grouped_by(int(gid))
        differs = differencing_mask(
            con, filters.replace(wave=wave), stats, grouped, k=k, cache=checked
        )
        stats = suppress_table(
            stats, "respondents", k, dependent_columns=STAT_COLUMNS, hidden=differs
        )
        tables.append(stats)
        small = too_few & ~np.isnan(hint) & (stats["population"] >= min_population).to_numpy()
        hidden.append(stats[small].assign(expected_hint=hint[small]))
    if not tables:
        empty = _findings(
            cells.assign(**dict.fromkeys(STAT_COLUMNS, np.nan), status="", suppressed=False),
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


def _findings(
    found: pd.DataFrame, dims, names: Mapping[str, str], k: int, interest: dict | None = None
) -> pd.DataFrame:
    interest = interest or {}
    groups = [{d: row[d] for d in dims if isinstance(row[d], str)} for _, row in found.iterrows()]
    if "expected_hint" not in found:
        found = found.assign(expected_hint=np.nan)
    columns = ["population", "respondents", *STAT_COLUMNS, "status", "suppressed"]
    out = found[[*columns, "expected_hint"]].copy()
    out.insert(0, "group", groups)
    for lang in ("da", "en"):
        out[f"sentence_{lang}"] = [
            finding_sentence(g, r, lang, names, k, interest.get(lang))
            for g, (_, r) in zip(groups, out.iterrows(), strict=True)
        ]
    return out.drop(columns="suppressed").reset_index(drop=True)
