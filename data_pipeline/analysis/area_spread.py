"""Respondents known only by a postal code, spread over its areas by population share.

Owns AREA_SPREAD_RELATION (the respondent relation every count by area or under an area
filter reads), the Source a query counts from (respondent_source), and how such possibly
fractional counts are returned (whole, whole_counts).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data_pipeline.analysis.filtering import Filters

# Respondents whose area is unknown but whose postal code is in postal_area (a survey that asked
# only for the postal code, and the code spans several areas) are spread over the postal code's
# areas by population share: one row per (respondent, area) with area_w = share / Σ share of
# that postal code (so the rows of one respondent add up to 1 even where postal_area covers
# only part of a postal code). Every other respondent is one row with area_w = 1, and a
# respondent with neither a known area nor a known postal code keeps area_code NULL (unknown).
# Every count BY AREA, and every count UNDER AN AREA FILTER, reads this relation and sums
# area_w: a respondent from 7450 counts 0.62 in Østerled and 0.38 in Strandvejen, and exactly
# once in every total. Counts that are neither by area nor under an area filter read the plain
# respondent table (same numbers, no join).
AREA_SPREAD_RELATION = """(
    SELECT r.* REPLACE (coalesce(r.area_code, s.area_code) AS area_code),
           coalesce(s.weight, 1.0)::DOUBLE AS area_w
    FROM respondent r
    LEFT JOIN (SELECT postal_code, area_code,
                      share / sum(share) OVER (PARTITION BY postal_code) AS weight
               FROM postal_area WHERE share > 0) s
      ON r.area_code IS NULL AND s.postal_code = r.postal_code)"""


@dataclass(frozen=True)
class Source:
    """Where respondents are read from (aliased r) and how a group of them is counted."""

    relation: str
    count: str
    spread: bool

    def weighted(self, indicator: str) -> str:
        """The sum of a 0/1 indicator, each respondent counted with its area share."""
        return f"sum(({indicator}) * r.area_w)" if self.spread else f"sum({indicator})"


def respondent_source(filters: Filters, by_area: bool = False) -> Source:
    """The plain respondent table, or the area-spread relation when the query groups by area
    or the filter names areas (see AREA_SPREAD_RELATION)."""
    if by_area or filters.areas:
        return Source(f"{AREA_SPREAD_RELATION} r", "sum(r.area_w)", True)
    return Source("respondent r", "count(*)", False)


def whole(value):
    """A count as int when it is whole (every count without spread respondents), else the
    fractional float; None/NaN become 0."""
    if value is None or value != value:
        return 0
    value = float(value)
    return int(round(value)) if abs(value - round(value)) < 1e-9 else value


def whole_counts(series: pd.Series) -> pd.Series:
    """A column of counts as integers when every value is whole, else as floats."""
    values = series.astype(float).fillna(0.0)
    if ((values - values.round()).abs() < 1e-9).all():
        return values.round().astype(int)
    return values
