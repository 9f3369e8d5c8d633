"""What the Kort page colours: one value per area (response rate, a group's ratio, or the share
choosing an option), suppressed and hidden where a neighbouring filter would reveal a small count.

The choropleth itself (colours, legend, tooltip) is drawn by maps.py from this table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import data_pipeline.analysis.catalog as catalog
import data_pipeline.analysis.counting as counting
import data_pipeline.analysis.filtering as filtering
from data_pipeline.analysis.differencing import differencing_mask
from data_pipeline.core.disclosure import suppress_table
from data_pipeline.core.i18n import t
from data_pipeline.core.numbers import count
from data_pipeline.present.view_shared import response_rate


def hide_differences(con, frame: pd.DataFrame, filters: filtering.Filters, k: int) -> pd.DataFrame:
    """Per-area counts (map) hidden where a count one filter change away would reveal a
    suppressed cell: each area's count is checked as the count under filter + that area
    (analysis.differencing), then suppressed again so secondary suppression holds."""
    hidden = differencing_mask(con, filters, frame, {"area": "area"}, "respondents", k)
    return suppress_table(frame, "respondents", k, dependent_columns=("value",), hidden=hidden)


def map_view(
    con,
    filters: filtering.Filters,
    measure: str = "rate",
    group: dict | None = None,
    code: str | None = None,
    k: int = 5,
    lang: str = "da",
) -> pd.DataFrame:
    """One value per area for the choropleth: area_code, name, value, n, population, suppressed.

    rate: respondents / citizens 15+. ratio: the group's rate in the area / the rate of the
    whole municipality (no age, gender or area filter). topic/format: share of the area's
    respondents choosing the option.

    Respondents known only by a postal code that spans several areas count in each of its areas
    with its population share (area_spread.AREA_SPREAD_RELATION), so `respondents` may be
    fractional; `n` shows it rounded. ``attrs['postal_spread']`` is their number in the wave,
    and ``attrs['note_da']``/``attrs['note_en']`` say so when there are any.
    """
    areas = catalog.areas(con)
    base = filters.replace(areas=())
    if measure == "ratio":
        group = group or {}
        narrowed = base.replace(
            age_bands=tuple(group.get("age_bands", ())) or base.age_bands,
            genders=tuple(group.get("genders", ())) or base.genders,
        )
        counts = counting.respondents_by(con, narrowed, ("area",))
        population = counting.population_by(con, narrowed, "area")
        # The reference is the whole municipality, also under an age or gender filter.
        whole = base.replace(age_bands=(), genders=())
        overall = response_rate(
            counting.count_respondents(con, whole), counting.count_population(con, whole)
        )
        frame = _per_area(areas, counts, population)
        frame["value"] = frame["respondents"] / frame["population"] / overall if overall else np.nan
        frame = suppress_table(frame, "respondents", k, dependent_columns=("value",))
        frame = hide_differences(
            con, frame, narrowed.replace(wave=narrowed.wave or catalog.latest_wave(con)), k
        )
    elif measure in ("topic", "format"):
        totals = counting.respondents_by(con, base, ("area",))
        chosen_filter = base.replace(**{f"{measure}s": (code,)} if code else {})
        chosen = counting.respondents_by(con, chosen_filter, ("area",)).rename(
            columns={"respondents": "chosen"}
        )
        frame = _per_area(areas, totals, None).merge(chosen, on="area", how="left")
        frame["chosen"] = frame["chosen"].fillna(0)
        # The complement rule: both those who chose and those who did not must be >= k; and
        # neither count may be differenced against the same area one filter change away.
        hidden = (frame["chosen"] < k) | (frame["respondents"] - frame["chosen"] < k)
        wave = base.wave or catalog.latest_wave(con)
        hidden |= differencing_mask(con, base.replace(wave=wave), frame, {"area": "area"}, k=k)
        hidden |= differencing_mask(
            con, chosen_filter.replace(wave=wave), frame, {"area": "area"}, "chosen", k
        )
        frame["value"] = (frame["chosen"] / frame["respondents"]).where(~hidden)
        frame["suppressed"] = hidden | (frame["respondents"] < k)
        frame["population"] = np.nan
    else:
        counts = counting.respondents_by(con, base, ("area",))
        population = counting.population_by(con, base, "area")
        frame = _per_area(areas, counts, population)
        frame["value"] = frame["respondents"] / frame["population"]
        frame = suppress_table(frame, "respondents", k, dependent_columns=("value",))
        frame = hide_differences(
            con, frame, base.replace(wave=base.wave or catalog.latest_wave(con)), k
        )
    frame.loc[frame["suppressed"], "value"] = np.nan
    frame["n"] = [
        f"<{k}" if s else count(v)
        for v, s in zip(frame["respondents"], frame["suppressed"], strict=True)
    ]
    frame = frame.rename(columns={"area": "area_code"})
    frame.attrs.update(postal_spread_note(con, filters.wave))
    return frame


def postal_spread_note(con, wave: str | None) -> dict:
    """{"postal_spread": n, "note_da", "note_en"} for a wave whose respondents include some known
    only by a postal code spanning several areas (spread by population share); else n = 0."""
    n = catalog.postal_spread_respondents(con, wave)
    if not n:
        return {"postal_spread": 0}
    return {
        "postal_spread": n,
        "note_da": t("postal.spread_note"),
        "note_en": t("postal.spread_note", "en"),
    }


def _per_area(
    areas: pd.DataFrame, counts: pd.DataFrame, population: pd.DataFrame | None
) -> pd.DataFrame:
    frame = areas.rename(columns={"area_code": "area"}).merge(counts, on="area", how="left")
    frame["respondents"] = frame["respondents"].fillna(0)
    if population is not None:
        frame = frame.merge(population, on="area", how="left")
    return frame
