"""Connection handling, the canonical schema as versioned DDL, and migrations.

Owns every CREATE statement. Never imports streamlit; never writes data other than the schema
version and the seed vocabulary.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

import duckdb

import data_pipeline.store.locking as store
from data_pipeline.core.errors import DatabaseError
from data_pipeline.core.scratch import make_private
from data_pipeline.ingest.vocabulary import VOCABULARY_FILE, load_vocabulary_seed  # noqa: F401

SCHEMA_VERSION = 4

# Version 1 is the canonical model (the tables below). Large tables carry no primary keys:
# ids are assigned under the writer lock, and an ART index would cost more at 1 M rows
# than it protects.
DDL_V1 = """
CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL);
CREATE TABLE survey_wave (
    wave_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, election_year INTEGER,
    opened_at TIMESTAMP, closed_at TIMESTAMP);
CREATE TABLE batch (
    batch_id INTEGER PRIMARY KEY, kind VARCHAR NOT NULL, file_name VARCHAR,
    sha256 VARCHAR NOT NULL, wave_id VARCHAR, rows_read INTEGER, rows_loaded INTEGER,
    rows_rejected INTEGER, detected JSON, loaded_at TIMESTAMP, loaded_by VARCHAR,
    undone_at TIMESTAMP);
CREATE TABLE rejection (
    batch_id INTEGER NOT NULL, row_number INTEGER, "column" VARCHAR, value VARCHAR,
    reason VARCHAR NOT NULL);
CREATE TABLE respondent (
    respondent_id BIGINT NOT NULL, wave_id VARCHAR NOT NULL, batch_id INTEGER NOT NULL,
    source_id VARCHAR, submitted_at TIMESTAMP, age SMALLINT, age_band VARCHAR,
    gender VARCHAR NOT NULL, area_code VARCHAR, postal_code VARCHAR, interest VARCHAR,
    engagement_level VARCHAR, time_per_month VARCHAR, consent_contact BOOLEAN NOT NULL,
    topic_mask UBIGINT NOT NULL DEFAULT 0, format_mask UBIGINT NOT NULL DEFAULT 0,
    extra JSON);
CREATE TABLE respondent_topic (respondent_id BIGINT NOT NULL, topic VARCHAR NOT NULL,
    interest VARCHAR);
CREATE TABLE respondent_format (respondent_id BIGINT NOT NULL, format VARCHAR NOT NULL);
CREATE TABLE contact (
    respondent_id BIGINT NOT NULL, name VARCHAR, email VARCHAR, phone VARCHAR,
    consent_at TIMESTAMP, source VARCHAR, withdrawn_at TIMESTAMP);
CREATE TABLE area (
    area_code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, level VARCHAR, parent_code VARCHAR,
    geometry VARCHAR, min_lon DOUBLE, min_lat DOUBLE, max_lon DOUBLE, max_lat DOUBLE,
    batch_id INTEGER);
CREATE TABLE postal_area (postal_code VARCHAR NOT NULL, area_code VARCHAR NOT NULL,
    share DOUBLE NOT NULL, batch_id INTEGER);
CREATE TABLE population (
    area_code VARCHAR, age SMALLINT, gender VARCHAR, count INTEGER NOT NULL,
    period VARCHAR NOT NULL, source VARCHAR, batch_id INTEGER);
CREATE TABLE platform_activity (
    platform VARCHAR NOT NULL, activity_id VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    occurred_at TIMESTAMP, project VARCHAR, topic VARCHAR, user_key VARCHAR, age SMALLINT,
    gender VARCHAR, area_code VARCHAR, batch_id INTEGER);
CREATE TABLE audit_log ("at" TIMESTAMP NOT NULL, actor VARCHAR, action VARCHAR NOT NULL,
    detail JSON);
CREATE TABLE vocabulary (
    kind VARCHAR NOT NULL, code VARCHAR NOT NULL, label_da VARCHAR NOT NULL,
    label_en VARCHAR NOT NULL, sort_order INTEGER NOT NULL, bit INTEGER,
    PRIMARY KEY (kind, code));
CREATE TABLE wave_vocabulary (wave_id VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    code VARCHAR NOT NULL);
"""

# Version 2 makes age bands data: a municipality changes them without a code change.
DDL_V2 = """
CREATE TABLE age_band (label VARCHAR PRIMARY KEY, min_age INTEGER NOT NULL,
    max_age INTEGER NOT NULL, sort_order INTEGER NOT NULL);
"""

# Version 3 (issue 17): panel draws and who was invited (ids only, never contact data), and
# goals for the term, versioned: a change appends a row, so the history stays.
DDL_V3 = """
CREATE TABLE panel_draw (
    draw_id INTEGER PRIMARY KEY, drawn_at TIMESTAMP NOT NULL, actor VARCHAR, topic VARCHAR,
    size INTEGER NOT NULL, seed BIGINT NOT NULL, detail JSON);
CREATE TABLE panel_invitation (
    draw_id INTEGER NOT NULL, respondent_id BIGINT NOT NULL, role VARCHAR NOT NULL,
    reserve_rank INTEGER, invited_at TIMESTAMP NOT NULL);
CREATE TABLE goal (
    goal_id INTEGER NOT NULL, version INTEGER NOT NULL, set_at TIMESTAMP NOT NULL,
    set_by VARCHAR NOT NULL, metric VARCHAR NOT NULL, dimension VARCHAR NOT NULL,
    group_code VARCHAR NOT NULL, target DOUBLE NOT NULL, due_year INTEGER NOT NULL,
    note VARCHAR, retired BOOLEAN NOT NULL DEFAULT false, PRIMARY KEY (goal_id, version));
"""

# Version 4 (issue 17): whether an invited citizen took part in the dialogue. A flag on the
# invitation, nothing else (NULL: not recorded); erasure removes it with the invitation.
DDL_V4 = """
ALTER TABLE panel_invitation ADD COLUMN attended BOOLEAN;
"""

MIGRATIONS: dict[int, str] = {1: DDL_V1, 2: DDL_V2, 3: DDL_V3, 4: DDL_V4}


# Inside one process every load, undo and erasure goes through this lock; across processes
# data_pipeline.store.locking's file lock (taken by `connect`) lets one writer in at a time.
WRITE_LOCK = threading.RLock()


def default_db_path() -> str:
    """The database the app and CLI use when none is given; configurable for deployments."""
    return os.environ.get("DELTAGELSESATLAS_DB", "deltagelsesatlas.duckdb")


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and create or migrate) a database; refuse clearly when that is unsafe.

    A database file is opened under its lock (data_pipeline.store.locking): exclusive for read-write,
    shared for read-only. A second writer waits for the first (up to the lock timeout) instead
    of failing; closing the connection releases the lock and republishes the dashboard's
    snapshot when the file changed.
    """
    path = str(path)
    held = store.acquire(path, exclusive=not read_only) if store.is_local_file(path) else None
    try:
        con = _open(path, read_only)
    except BaseException:
        if held is not None:
            held.release()
        raise
    return con if held is None else LockedConnection(con, held)


def _open(path: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        con = duckdb.connect(path, read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseError(
                f"Databasen {path} er allerede åben i en anden proces. Luk den og prøv igen. / "
                f"The database {path} is already open in another process."
            ) from exc
        raise DatabaseError(f"Kan ikke åbne {path} / Cannot open {path}: {exc}") from exc
    try:
        if not read_only:
            ensure_schema(con)
            if store.is_local_file(path):  # answers and contacts: readable by us alone
                make_private(path, f"{path}.wal")
        else:
            check_version(con)
    except BaseException:
        con.close()
        raise
    return con


class LockedConnection:
    """A DuckDB connection that releases the database lock when it is closed.

    Everything else is the connection's own (`execute`, `cursor`, `register`, ...). A connection
    dropped without `close()` gives its lock back when it is garbage-collected.
    """

    __slots__ = ("_con", "_held")

    def __init__(self, con: duckdb.DuckDBPyConnection, held: store.Hold):
        self._con, self._held = con, held

    def __getattr__(self, name: str):
        if name in LockedConnection.__slots__:
            raise AttributeError(name)
        return getattr(self._con, name)

    def close(self) -> None:
        held, self._held = self._held, None
        try:
            self._con.close()
        finally:
            if held is not None:
                held.release()

    def __enter__(self) -> LockedConnection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        held = getattr(self, "_held", None)
        if held is not None:
            with suppress(Exception):  # never raise from a finaliser
                held.release()


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    return {r[0] for r in rows}


def current_version(con: duckdb.DuckDBPyConnection) -> int | None:
    tables = _tables(con)
    if "schema_version" not in tables:
        if tables:
            raise DatabaseError(
                "Filen er ikke en Deltagelsesatlas-database (ingen schema_version). / "
                "This file is not a Deltagelsesatlas database (no schema_version)."
            )
        return None
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return row[0] if row and row[0] is not None else None


def check_version(con: duckdb.DuckDBPyConnection) -> int:
    version = current_version(con)
    if version is None or version > SCHEMA_VERSION:
        raise DatabaseError(
            f"Databasen har skemaversion {version}, programmet kender {SCHEMA_VERSION}. "
            f"Opdater programmet. / The database has schema version {version}; this program "
            f"knows {SCHEMA_VERSION}. Update the program."
        )
    return version


def ensure_schema(con: duckdb.DuckDBPyConnection) -> int:
    """Create the schema, or migrate an older one, each step in its own transaction."""
    with WRITE_LOCK:
        version = current_version(con)
        if version is not None and version > SCHEMA_VERSION:
            check_version(con)
        start = (version or 0) + 1
        for target in range(start, SCHEMA_VERSION + 1):
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(MIGRATIONS[target])
                _seed(con, target)
                con.execute(
                    "INSERT INTO schema_version VALUES ($v, $at)",
                    {"v": target, "at": datetime.now(UTC).replace(tzinfo=None)},
                )
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
        return SCHEMA_VERSION


def _seed(con: duckdb.DuckDBPyConnection, version: int) -> None:
    seed = load_vocabulary_seed()
    if version == 1:
        rows = []
        for kind, entries in seed["vocabularies"].items():
            for order, entry in enumerate(entries):
                bit = order if kind in ("topic", "format") else None
                rows.append((kind, entry["code"], entry["da"], entry["en"], order, bit))
        con.executemany("INSERT INTO vocabulary VALUES (?, ?, ?, ?, ?, ?)", rows)
    if version == 2:
        rows = [
            (band["label"], band["min"], band["max"], order)
            for order, band in enumerate(seed["age_bands"])
        ]
        con.executemany("INSERT INTO age_band VALUES (?, ?, ?, ?)", rows)


@contextmanager
def transaction(
    con: duckdb.DuckDBPyConnection,
    rollback: bool = False,
    before_commit: list[Callable[[], None]] | tuple = (),
) -> Iterator[duckdb.DuckDBPyConnection]:
    """One all-or-nothing write under the process writer lock.

    `rollback` runs the same statements and undoes them (a dry run that says exactly what a
    write would do); `before_commit` callables run last inside the transaction.
    """
    with WRITE_LOCK:
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
            if not rollback:
                for hook in before_commit:
                    hook()
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("ROLLBACK" if rollback else "COMMIT")


def audit(con: duckdb.DuckDBPyConnection, actor: str, action: str, detail: dict) -> None:
    """Record who did what. Callers pass ids and counts only, never contact data."""
    con.execute(
        "INSERT INTO audit_log VALUES ($at, $actor, $action, $detail)",
        {
            "at": datetime.now(UTC).replace(tzinfo=None),
            "actor": actor,
            "action": action,
            "detail": json.dumps(detail, ensure_ascii=False),
        },
    )
