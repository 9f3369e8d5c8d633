"""What the council report and the citizens' summary share: the checked filter, the weighted
option shares, and the lines around the figures (scope, wave, dates, the population's credit).

Both builders (content.py, public.py) start here so they resolve the wave, suppress the shares
and name their sources the same way. Never imports streamlit and never reads the contact table.
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import numpy as np
import pandas as pd

import data_pipeline.analysis.counting as counting
import data_pipeline.analysis.filtering as filtering
from data_pipeline.analysis.cells import InvalidInput, resolve_wave
from data_pipeline.analysis.differencing import differencing_mask
from data_pipeline.analysis.raking import RakeResult
from data_pipeline.analysis.weighting import weighted_shares
from data_pipeline.core.disclosure import check_k, suppression_mask
from data_pipeline.core.i18n import number, t
from data_pipeline.present.view_shared import labels

# The questions whose weighted shares both reports show (topics, formats, times).
SHARE_KINDS = ("topic", "format", "time")
# Filter field -> dimension, in the order the scope line names them.
FILTER_FIELDS = (
    ("age_bands", "age_band"),
    ("genders", "gender"),
    ("areas", "area"),
    ("topics", "topic"),
    ("formats", "format"),
    ("times", "time"),
    ("engagements", "engagement"),
)
# Source texts that mean the population came from Statistics Denmark, credited by name.
DST_NAMES = ("danmarks statistik", "statistics denmark", "dst", "statbank")


class EmptySelection(InvalidInput):
    """No responses match the filter: there is nothing to report (exit code 2)."""


def prepare(
    con: duckdb.DuckDBPyConnection, filters: filtering.Filters, k: int
) -> filtering.Filters:
    """The filter with its wave resolved; a clear error for an unknown wave or no answers."""
    check_k(k)
    wave, _period = resolve_wave(con, filters)
    filters = filters.replace(wave=wave)
    if counting.count_respondents(con, filters) == 0:
        raise EmptySelection(
            "Ingen besvarelser passer til de valgte filtre. / No responses match the chosen filters."
        )
    return filters


def option_shares(
    con, filters: filtering.Filters, kind: str, weights: RakeResult, total: int, k: int, lang: str
) -> pd.DataFrame:
    """Weighted and unweighted shares per option (weighting.weighted_shares), with the
    dashboard's suppression on top: ranked_view also applies the complement rule to
    multi-select options and secondary suppression to single-choice ones."""
    table = weighted_shares(con, filters, kind, weights, k)
    multi = kind in filtering.MULTI_DIMENSIONS
    differs = differencing_mask(con, filters, table, {"code": kind}, k=k)
    mask = suppression_mask(
        table["respondents"], k, total=total if multi else None, additive=not multi, hidden=differs
    )
    hidden = mask.to_numpy() | table["suppressed"].to_numpy()
    for column in ("respondents", "unweighted_share", "weighted_share"):
        table[column] = table[column].astype(float).where(~hidden, np.nan)
    table["suppressed"] = hidden
    table["label"] = table["label_en" if lang == "en" else "label_da"]
    return table


def describe_scope(con, filters: filtering.Filters, lang: str) -> str:
    """Which wave and which filters the figures cover, in one line."""
    parts = []
    for field, dim in FILTER_FIELDS:
        values = getattr(filters, field)
        if values:
            names = labels(con, dim, lang)
            shown = ", ".join(names.get(v, v) for v in values)
            parts.append(f"{t(f'filter.{dim}', lang)}: {shown}")
    chosen = t("filter.active", lang, text="; ".join(parts)) if parts else t("filter.none", lang)
    return f"{wave_name(con, filters.wave)} · {chosen}"


def wave_row(con, wave: str) -> tuple[str, object, object]:
    row = con.execute(
        "SELECT name, opened_at, closed_at FROM survey_wave WHERE wave_id = $w", {"w": wave}
    ).fetchone()
    return row if row else (wave, None, None)


def wave_name(con, wave: str) -> str:
    return wave_row(con, wave)[0] or wave


def date_text(value, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return ""
    value = pd.Timestamp(value)
    return value.strftime("%d.%m.%Y") if lang == "da" else value.strftime("%Y-%m-%d")


def population_sources(con) -> pd.DataFrame:
    """Each population batch's source text and periods (the figures' origin and date)."""
    return con.execute(
        "SELECT batch_id, string_agg(DISTINCT source, ', ') AS source, "
        "string_agg(DISTINCT period, ', ' ORDER BY period) AS periods "
        "FROM population GROUP BY batch_id ORDER BY batch_id"
    ).df()


def credit(con, lang: str) -> str:
    """'Kilde: Danmarks Statistik' when the population comes from there, else its source."""
    sources = [s for s in population_sources(con)["source"].dropna() if s]
    if not sources or any(any(n in s.lower() for n in DST_NAMES) for s in sources):
        return t("report.credit_dst", lang)
    return t("report.credit_other", lang, source=", ".join(sorted(set(sources))))


def today_text(lang: str, today: dt.date | None = None) -> str:
    return date_text(today or dt.date.today(), lang)


def count_text(value, publishable: bool, k: int, lang: str) -> str:
    return number(value, lang) if publishable and value is not None else f"<{k}"
