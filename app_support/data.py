"""The dashboard's data: a read-only snapshot per process, a cursor per call, cached page data.

The app never keeps the database file open, so scheduled CLI imports can write while it serves
(docs/CONCURRENCY.md). Pages read `<db>.snapshot`, which every writer publishes under the
database lock; a page view notices a new snapshot and switches to it (so a reload after an
import shows the new wave). The app's own writes open the file briefly through `writer()`.

Results are cached by filter state and snapshot version (st.cache_data with ttl and
max_entries). Nothing cached here holds contact data: the views return suppressed aggregates.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import streamlit as st

import data_pipeline.analysis.catalog as catalog
import data_pipeline.store.locking as store
from data_pipeline.analysis import lookups
from data_pipeline.analysis.filtering import Filters
from data_pipeline.core import dialect, scratch
from data_pipeline.core.errors import DatabaseError
from data_pipeline.ingest.uploads import deny_file_access
from data_pipeline.present.explore import explore_view
from data_pipeline.present.groups import groups_view
from data_pipeline.present.map_values import map_view
from data_pipeline.present.overview import overview_view
from data_pipeline.present.view_shared import labels, order
from data_pipeline.store.db import check_version, connect, default_db_path

CACHE_TTL = 600
SNAPSHOT_ALIAS = "atlas"
RETIRED_GRACE_S = 120  # a replaced snapshot stays open this long for queries still running


def db_path() -> str:
    return os.environ.get("DELTAGELSESATLAS_DB", default_db_path())


@dataclass
class _Reader:
    path: str
    version: tuple[int, int]
    con: duckdb.DuckDBPyConnection
    # Waves, vocabulary, areas, age bands and population periods of this snapshot, read once
    # (data_pipeline.analysis.lookups): ~6 ms a query, several per rerun.
    lookups: dict = field(default_factory=dict)


_READER_LOCK = threading.RLock()
_STATE: dict = {"reader": None, "retired": []}


def _build_sample(path: str) -> None:
    """First start without app_support.serve: build the database from sample_data/."""
    from data_pipeline.analysis.sample_ready import build_sample
    from data_pipeline.core.i18n import t

    with st.spinner(t("app.building", st.session_state.get("lang", "da"))):
        build_sample(path)


def _open_snapshot(path: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the snapshot attached read-only: every snapshot gets its own
    instance (DuckDB would hand out the cached instance of the old file for the same path)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(
            dialect.attach_read_only("p", SNAPSHOT_ALIAS), {"p": str(store.snapshot_path(path))}
        )
        con.execute(f"USE {SNAPSHOT_ALIAS}")
        check_version(con)
        deny_file_access(con)  # pages cannot read local files through this connection
    except duckdb.Error as exc:
        con.close()
        raise DatabaseError(f"Kan ikke åbne {path} / Cannot open {path}: {exc}") from exc
    except BaseException:
        con.close()
        raise
    return con


def _reader() -> _Reader:
    """The reader for the current snapshot; publishes one first if it is missing or behind."""
    path = db_path()
    with _READER_LOCK:
        current = _STATE["reader"]
        if current is None:  # start-up: abandoned uploads and killed loads' copies go
            scratch.sweep()
        if not Path(path).exists():
            _build_sample(path)
        waiting = current is None or current.path != path
        version = store.ensure_snapshot(path, wait=waiting)
        if version is None:
            raise DatabaseError(f"Databasen {path} findes ikke. / The database {path} is missing.")
        if current is not None and current.path == path and current.version == version:
            _close_retired(time.monotonic() - RETIRED_GRACE_S)
            return current
        reader = _Reader(path, version, _open_snapshot(path))
        _STATE["reader"] = reader
        if current is not None:
            _STATE["retired"].append((time.monotonic(), current.con))
            st.cache_data.clear()  # page-level caches too (versioned keys cover this module)
        _close_retired(time.monotonic() - RETIRED_GRACE_S)
        return reader


def _close_retired(before: float) -> None:
    keep = []
    for since, con in _STATE["retired"]:
        if since <= before:
            con.close()
        else:
            keep.append((since, con))
    _STATE["retired"] = keep


def refresh(close_old: bool = False) -> None:
    """Switch to the newest snapshot now; `close_old` also closes replaced snapshots at once
    (after an erasure: the old snapshot file may still hold the erased rows)."""
    with _READER_LOCK:
        _reader()
        if close_old:
            _close_retired(float("inf"))


def connection():
    """The read-only connection to the current snapshot (sealed: no file access)."""
    return _reader().con


def cursor():
    """A cursor per call: one DuckDB connection is shared by every session's threads."""
    cur = connection().cursor()
    cur.execute(f"USE {SNAPSHOT_ALIAS}")
    return cur


def writer():
    """A read-write connection to the database file itself, for one action of the app (load,
    undo, a dry run, an audited export). It waits for other writers; close it when done: that
    releases the lock and publishes a new snapshot, which the next page view reads."""
    con = connect(db_path())
    try:
        deny_file_access(con)
    except BaseException:
        con.close()
        raise
    return con


def delete_and_rewrite(delete) -> tuple[object, str | None]:
    """Erasure and purge: `delete(con)` on the file, then the rewrite that removes the deleted
    bytes, both under one hold of the lock; then only the new snapshot is read. Returns what
    `delete` returned and None, or the reason the rewrite failed. Every page cache is dropped:
    aggregates computed before an erasure may include the citizen."""
    from data_pipeline.core.errors import PipelineError
    from data_pipeline.privacy.erasure import rewrite_database

    st.cache_data.clear()
    path, problem = db_path(), None
    with store.hold(path):  # no other writer between the delete and the rewrite
        con = writer()
        try:
            result = delete(con)
        finally:
            con.close()
        try:
            rewrite_database(path)
        except PipelineError as exc:
            problem = str(exc)
    refresh(close_old=True)  # the replaced snapshot may hold the deleted rows
    from data_pipeline.analysis.segment_store import path_for

    path_for(path).unlink(missing_ok=True)  # stored segments counted the deleted rows too
    return result, problem


@contextmanager
def reading() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the current snapshot, with that snapshot's small lookups kept in memory."""
    reader = _reader()
    cur = reader.con.cursor()
    try:
        cur.execute(f"USE {SNAPSHOT_ALIAS}")
        with lookups.kept(reader.lookups):
            yield cur
    finally:
        cur.close()


def with_cursor(function, *args, **kwargs):
    """`function(cursor, *args)` on the current snapshot; the cursor is closed afterwards."""
    with reading() as cur:
        return function(cur, *args, **kwargs)


def with_writer(function, *args, **kwargs):
    """`function(connection, *args)` on the database file (see `writer`), closed afterwards:
    that releases the lock and publishes the snapshot the next page view reads."""
    con = writer()
    try:
        return function(con, *args, **kwargs)
    finally:
        con.close()


def _source(path: str) -> str:
    """The cache key for a database: its path and the snapshot version being read."""
    reader = _reader()
    return f"{path}#{reader.version[0]}:{reader.version[1]}"


def versioned(cached):
    """Page calls pass the database path; the cache sees path and snapshot version."""

    @functools.wraps(cached)
    def call(path: str, *args, **kwargs):
        return cached(_source(path), *args, **kwargs)

    call.clear = cached.clear
    return call


@versioned
@st.cache_data(ttl=CACHE_TTL, max_entries=32, show_spinner=False)
def choices(path: str, lang: str) -> dict:
    """Filter options: codes and labels, read once per database and language."""
    with reading() as cur:
        return {
            "wave": catalog.waves(cur),
            "age_band": catalog.age_bands(cur),
            "gender": ["kvinde", "mand", "andet", "uoplyst"],
            "area": list(catalog.areas(cur)["area_code"]),
            "topic": order(cur, "topic"),
            "format": order(cur, "format"),
            "time": order(cur, "time"),
            "engagement": order(cur, "engagement"),
            "extra": catalog.extra_dimensions(cur),
            "labels": {
                dim: labels(cur, dim, lang)
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


@versioned
@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def overview(path: str, filters: Filters, k: int, lang: str):
    return with_cursor(overview_view, filters, k=k, lang=lang)


@versioned
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
    return with_cursor(explore_view, filters, rows, cols, measure, weighted, k, lang)


@versioned
@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def map_values(
    path: str, filters: Filters, measure: str, group: tuple, code: str | None, k: int, lang: str
):
    group_dict = {key: value for key, value in group}
    return with_cursor(map_view, filters, measure, group_dict, code, k, lang)


@versioned
@st.cache_data(ttl=CACHE_TTL, max_entries=8, show_spinner=False)
def area_frame(path: str):
    from data_pipeline.ingest.boundaries import frame_from_geojson_text

    return with_cursor(lambda cur: frame_from_geojson_text(catalog.area_geometries(cur)))


@versioned
@st.cache_data(ttl=CACHE_TTL, max_entries=8, show_spinner=False)
def area_shapes(path: str, width: int = 620, height: int = 480):
    """The map's areas as drawn (turned, rounded, names placed), once per data version: only the
    values change with a filter (data_pipeline.present.maps.AreaShapes)."""
    from data_pipeline.present.maps import area_shapes as shapes_of

    return shapes_of(area_frame(path), width, height)


@versioned
@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def groups(path: str, filters: Filters, by: tuple[str, ...], k: int, lang: str):
    return with_cursor(groups_view, filters, by, k, lang)


@versioned
@st.cache_data(ttl=3600, max_entries=8, show_spinner=False)
def segments(path: str, wave: str | None, lang: str):
    """Clustering runs once per wave and data version, in whichever process comes first
    (data_pipeline.analysis.segment_store keeps the profiles next to the database, and the CLI stores
    them after an import): other filter changes never re-cluster silently. The cache keeps
    the segment profiles (aggregates) only, never who is in which segment."""
    from data_pipeline.analysis import segment_store

    result = with_cursor(segment_store.profiles, db_path(), wave)
    return dataclasses.replace(result, labels=result.labels.iloc[0:0])


def segment_members(wave: str | None, segment: int) -> tuple[int, ...]:
    """The respondents in one segment, for the Kontakt page: computed on request, not cached
    (the same seed and snapshot give the same segments as the cached profiles)."""
    from data_pipeline.analysis.segments import fit_segments

    labels = with_cursor(fit_segments, Filters(wave=wave)).labels
    return tuple(int(i) for i in labels.loc[labels["segment"] == segment, "respondent_id"])


@versioned
@st.cache_data(ttl=3600, max_entries=8, show_spinner=False)
def area_clusters(path: str, wave: str | None):
    from data_pipeline.analysis import segment_store

    return with_cursor(segment_store.area_clusters, db_path(), wave)


@versioned
@st.cache_data(ttl=3600, max_entries=8, show_spinner=False)
def area_cluster_map(path: str, wave: str | None, lang: str) -> dict:
    """Grupper's map of areas with similar gaps as a Vega-Lite spec, built and validated once per
    wave and data version: it does not depend on the other filters, and drawing it anew on every
    filter change cost ~175 ms at 1 M respondents (tools/profile_rerun.py). Raises
    PipelineError when the wave has too few responses or areas (never cached)."""
    from data_pipeline.core.i18n import t
    from data_pipeline.present.maps import choropleth

    clusters = area_clusters(path, wave)
    values = clusters.rename(columns={"area": "area_code"}).assign(
        value=clusters["cluster"].astype(float),
        label=clusters[f"description_{lang}"],
        n="",
        population=None,
        suppressed=False,
    )
    chart = choropleth(
        area_frame(path),
        values,
        "value",
        t("groups.area_clusters", lang),
        legend_title=t("groups.cluster_legend", lang),
        categorical=True,
        tooltip_titles={"value": t("groups.cluster_legend", lang)},
        lang=lang,
    )
    return chart.to_dict()


@versioned
@st.cache_data(ttl=CACHE_TTL, max_entries=32, show_spinner=False)
def activity_over_time(path: str, by: str, platform: str | None):
    from data_pipeline.analysis import activity

    return with_cursor(activity.activity_over_time, by, platform)


@versioned
@st.cache_data(ttl=CACHE_TTL, max_entries=32, show_spinner=False)
def activity_representation(path: str, dim: str, platform: str | None, k: int):
    from data_pipeline.analysis import activity

    return with_cursor(activity.participant_representation, dim, platform, None, k)
