"""What every dashboard view shares: a dimension's visible labels and natural order, and a
response rate that is None rather than a division by zero.

The page views (overview, groups, explore, map_values) and the reports name and sort values
through these, so a label reads the same on every page and in the report.
"""

from __future__ import annotations

import duckdb
import pandas as pd

import data_pipeline.analysis.catalog as catalog
from data_pipeline.core.i18n import gender_label, t


def labels(con: duckdb.DuckDBPyConnection, dim: str, lang: str = "da") -> dict[str, str]:
    """Code -> visible label for any dimension."""
    if dim in ("topic", "format", "time", "engagement", "interest"):
        frame = catalog.vocabulary(con, dim, lang)
        return dict(zip(frame["code"], frame["label"], strict=True))
    if dim == "area":
        frame = catalog.areas(con)
        return dict(zip(frame["area_code"], frame["name"], strict=True))
    if dim == "gender":
        return {g: gender_label(g, lang) for g in ("kvinde", "mand", "andet", "uoplyst")}
    if dim == "age_band":
        return {b: t("group.band_years", lang, band=b) for b in catalog.age_bands(con)}
    return {}


def order(con: duckdb.DuckDBPyConnection, dim: str) -> list[str]:
    """The natural order of a dimension's values (vocabulary order, age order, names)."""
    if dim in ("topic", "format", "time", "engagement", "interest"):
        return list(catalog.vocabulary(con, dim)["code"])
    if dim == "age_band":
        return catalog.age_bands(con)
    if dim == "gender":
        return ["kvinde", "mand", "andet", "uoplyst"]
    if dim == "area":
        return list(catalog.areas(con)["area_code"])
    if dim == "wave":
        return catalog.waves(con)
    return []


def label_series(con, dim: str, values: pd.Series, lang: str) -> pd.Series:
    """Labels for a column of codes: a missing value reads "unknown", an unlisted code as itself."""
    mapping = labels(con, dim, lang)
    return values.map(lambda v: mapping.get(v, t("unknown", lang) if v is None or v != v else v))


def response_rate(respondents: int | None, population: int | None) -> float | None:
    """Respondents / population, or None when either is missing or zero (no rate to show)."""
    if not respondents or not population:
        return None
    return respondents / population
