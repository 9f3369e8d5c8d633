"""One DuckDB connection per process, a cursor per call, and cached page data.

Results are cached by filter state (st.cache_data with ttl and max_entries). Nothing cached
here holds contact data: the views return suppressed aggregates only.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from data_pipeline import queries, views
from data_pipeline.db import connect, default_db_path
from data_pipeline.queries import Filters

CACHE_TTL = 600


def db_path() -> str:
    return os.environ.get("DELTAGELSESATLAS_DB", default_db_path())


@st.cache_resource(show_spinner=False)
def _connection(path: str):
    from data_pipeline.i18n import t

    fresh = not Path(path).exists()
    con = connect(path)
    if fresh:
        from data_pipeline.sample import load_sample

        with st.spinner(t("app.building", st.session_state.get("lang", "da"))):
            load_sample(con)
    return con


def connection():
    return _connection(db_path())


def cursor():
    """A cursor per call: one DuckDB connection is shared by every session's threads."""
    return connection().cursor()


def _with_cursor(function, *args, **kwargs):
    cur = cursor()
    try:
        return function(cur, *args, **kwargs)
    finally:
        cur.close()


@st.cache_data(ttl=CACHE_TTL, max_entries=32, show_spinner=False)
def choices(path: str, lang: str) -> dict:
    """Filter options: codes and labels, read once per database and language."""
    cur = _connection(path).cursor()
    try:
        return {
            "wave": queries.waves(cur),
            "age_band": queries.age_bands(cur),
            "gender": ["kvinde", "mand", "andet", "uoplyst"],
            "area": list(queries.areas(cur)["area_code"]),
            "topic": views.order(cur, "topic"),
            "format": views.order(cur, "format"),
            "time": views.order(cur, "time"),
            "engagement": views.order(cur, "engagement"),
            "extra": queries.extra_dimensions(cur),
            "labels": {
                dim: views.labels(cur, dim, lang)
                for dim in (
                    "age_band",
                    "gender",
                    "area",
                    "topic",
                    "format",
                    "time",
                    "engagement",
                    "interest",
                )
            },
        }
    finally:
        cur.close()


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def overview(path: str, filters: Filters, k: int, lang: str):
    return _with_cursor(views.overview_view, filters, k=k, lang=lang)


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def explore(
    path: str,
    filters: Filters,
    rows: str,
    cols: str,
    measure: str,
    weighted: bool,
    k: int,
    lang: str,
):
    return _with_cursor(views.explore_view, filters, rows, cols, measure, weighted, k, lang)


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def map_values(
    path: str, filters: Filters, measure: str, group: tuple, code: str | None, k: int, lang: str
):
    group_dict = {key: value for key, value in group}
    return _with_cursor(views.map_view, filters, measure, group_dict, code, k, lang)


@st.cache_data(ttl=CACHE_TTL, max_entries=8, show_spinner=False)
def area_frame(path: str):
    from data_pipeline.geo import frame_from_geojson_text

    return _with_cursor(lambda cur: frame_from_geojson_text(queries.area_geometries(cur)))


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def groups(path: str, filters: Filters, by: tuple[str, ...], k: int, lang: str):
    return _with_cursor(views.groups_view, filters, by, k, lang)


@st.cache_data(ttl=3600, max_entries=8, show_spinner=False)
def segments(path: str, wave: str | None, lang: str):
    """Clustering runs once per wave: other filter changes never re-cluster silently."""
    from data_pipeline.segments import fit_segments

    return _with_cursor(fit_segments, Filters(wave=wave))


@st.cache_data(ttl=3600, max_entries=8, show_spinner=False)
def area_clusters(path: str, wave: str | None):
    from data_pipeline.segments import area_clusters as clusters

    return _with_cursor(clusters, Filters(wave=wave))
