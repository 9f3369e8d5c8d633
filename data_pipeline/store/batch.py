"""The batch core: one file = one batch = one transaction; undo by batch.

Every loader (survey in `load`, population/areas/postal codes in `load_reference`, platform
exports in `load_platform`) stages its rows into TEMP tables and hands a `Staged` to
`run_batch`, which writes the batch, its rows, its rejections and the audit entry inside one
`db.transaction`. A dry run (`check`) runs the same transaction and rolls it back.

Tests that need to stop a load between its last insert and COMMIT register a callable in
`BEFORE_COMMIT` (tests/pause_before_commit.py); product code never reads a test switch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from data_pipeline.core.errors import InvalidFile
from data_pipeline.store.db import WRITE_LOCK, audit, transaction

REJECTION_PREVIEW = 100
# Called inside the transaction after every insert, just before COMMIT (a seam for crash
# tests; empty in the product).
BEFORE_COMMIT: list[Callable[[], None]] = []


@dataclass
class IngestResult:
    """What the CLI prints for one file (the JSON contract of `ingest --json`)."""

    file: str
    batch_id: int | None
    status: str  # loaded | duplicate | rejected
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejections: list[dict] = field(default_factory=list)
    detected: dict = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    message: str | None = None
    new_values: dict = field(default_factory=dict)  # field -> labels new to the vocabulary
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Staged:
    """A kind-specific loader's answer: counts, detection, and the inserts to run."""

    rows_read: int
    detected: dict
    ignored: list[str]
    wave_id: str | None
    write: Callable[[duckdb.DuckDBPyConnection, int], int]  # returns rows loaded
    rejections_sql: str | None = None  # SELECT row, column, value, reason from TEMP tables
    new_values: dict = field(default_factory=dict)
    content_sha256: str | None = None  # the rows' content, so a re-saved file is a duplicate


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_duplicate(
    con: duckdb.DuckDBPyConnection, sha: str, kind: str, content: str | None = None
) -> int | None:
    """A batch of this kind, not undone, with the same bytes or the same rows (content)."""
    row = con.execute(
        "SELECT batch_id FROM batch WHERE kind = $kind AND undone_at IS NULL AND (sha256 = $sha "
        "OR (CAST($content AS VARCHAR) IS NOT NULL "
        "AND json_extract_string(detected, '$.content_sha256') = $content)) "
        "ORDER BY batch_id LIMIT 1",
        {"sha": sha, "kind": kind, "content": content},
    ).fetchone()
    return row[0] if row else None


def stage_rejections(con, rejections: list[tuple]) -> None:
    """The TEMP table a loader fills with (row, column, value, reason) of rows it refused."""
    con.execute(
        'CREATE OR REPLACE TEMP TABLE stg_rejections (row_number INTEGER, "column" VARCHAR, '
        "value VARCHAR, reason VARCHAR)"
    )
    if rejections:
        con.executemany("INSERT INTO stg_rejections VALUES (?, ?, ?, ?)", rejections)


def db_file(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return row[0] if row else None


def run_batch(
    con, staged: Staged, kind: str, name: str, sha: str, actor: str, check: bool = False
) -> IngestResult:
    """Everything for one file inside one transaction: batch, rows, rejections, audit.

    A load that would keep no row is refused (InvalidFile) and rolled back: "loaded" always
    means something was loaded.
    """
    with transaction(con, rollback=check, before_commit=BEFORE_COMMIT):
        batch_id = con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM batch").fetchone()[0]
        loaded = staged.write(con, batch_id)
        refusal = _nothing_to_load(con, staged) if loaded == 0 else None
        if refusal and not check:
            raise InvalidFile(refusal)
        rejected_rows = 0
        if staged.rejections_sql:  # also in a dry run: the preview shows them
            con.execute(
                f"INSERT INTO rejection SELECT $b, * FROM ({staged.rejections_sql})",  # noqa: S608
                {"b": batch_id},
            )
            rejected_rows = con.execute(
                "SELECT count(DISTINCT row_number) FROM rejection WHERE batch_id = $b",
                {"b": batch_id},
            ).fetchone()[0]
        con.execute(
            "INSERT INTO batch VALUES ($b, $kind, $file, $sha, $wave, $read, $loaded, "
            "$rejected, $detected, $at, $actor, NULL)",
            {
                "b": batch_id,
                "kind": kind,
                "file": name,
                "sha": sha,
                "wave": staged.wave_id,
                "read": staged.rows_read,
                "loaded": loaded,
                "rejected": rejected_rows,
                "detected": json.dumps(staged.detected, ensure_ascii=False),
                "at": _now(),
                "actor": actor,
            },
        )
        audit(con, actor, "ingest", {"batch_id": batch_id, "kind": kind, "rows": loaded})
        rejections = con.execute(
            'SELECT row_number, "column", value, reason FROM rejection WHERE batch_id = $b '
            "ORDER BY row_number LIMIT $n",
            {"b": batch_id, "n": REJECTION_PREVIEW},
        ).fetchall()
    return IngestResult(
        file=name,
        batch_id=None if check else batch_id,
        status=("rejected" if refusal else "check") if check else "loaded",
        message=refusal,
        rows_read=staged.rows_read,
        rows_loaded=loaded,
        rows_rejected=rejected_rows,
        rejections=[
            {"row": r, "column": c, "value": v, "reason": why} for r, c, v, why in rejections
        ],
        detected=staged.detected,
        ignored_columns=staged.ignored,
        new_values=staged.new_values,
        warnings=list(staged.detected.get("warnings") or []),
    )


def _nothing_to_load(con, staged: Staged) -> str:
    """The sentence for a file that would keep no row: why, in the rows' own words."""
    if not staged.rejections_sql:
        return "Filen indeholder ingen rækker, der kan indlæses. / The file holds no loadable rows."
    top = con.execute(
        f'SELECT "column", reason, count(*) AS n FROM ({staged.rejections_sql}) '  # noqa: S608
        "GROUP BY ALL ORDER BY n DESC LIMIT 3"
    ).fetchall()
    reasons = "; ".join(
        f"{n} × {why}" + (f" ({column})" if column else "") for column, why, n in top
    )
    return (
        f"Ingen rækker ville blive indlæst, så intet er indlæst. Afvist: {reasons}. / "
        f"No row would be loaded, so nothing was loaded. Rejected: {reasons}."
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def undo(con: duckdb.DuckDBPyConnection, batch_id: int, actor: str = "cli") -> dict:
    """Remove everything a batch loaded, in one transaction; the batch row stays as history."""
    with WRITE_LOCK:
        row = con.execute(
            "SELECT kind, undone_at FROM batch WHERE batch_id = $b", {"b": batch_id}
        ).fetchone()
        if row is None:
            raise InvalidFile(f"Batch {batch_id} findes ikke. / Batch {batch_id} does not exist.")
        if row[1] is not None:
            raise InvalidFile(f"Batch {batch_id} er allerede fortrudt. / Already undone.")
        with transaction(con):
            ids = "SELECT respondent_id FROM respondent WHERE batch_id = $b"
            for table in ("respondent_topic", "respondent_format", "contact"):
                con.execute(
                    f"DELETE FROM {table} WHERE respondent_id IN ({ids})",  # noqa: S608
                    {"b": batch_id},
                )
            for table in ("respondent", "population", "platform_activity", "postal_area", "area"):
                con.execute(f"DELETE FROM {table} WHERE batch_id = $b", {"b": batch_id})  # noqa: S608
            _remove_traces(con, batch_id)
            con.execute(
                "UPDATE batch SET undone_at = $at WHERE batch_id = $b",
                {"b": batch_id, "at": _now()},
            )
            audit(con, actor, "undo", {"batch_id": batch_id})
    return {"batch_id": batch_id, "status": "undone"}


def _remove_traces(con, batch_id: int) -> None:
    """After a batch's rows are gone: waves left without answers, and the vocabulary entries
    the batch added that no remaining wave uses, go too."""
    con.execute(
        "DELETE FROM survey_wave WHERE wave_id NOT IN (SELECT DISTINCT wave_id FROM respondent)"
    )
    con.execute(
        "DELETE FROM wave_vocabulary WHERE wave_id NOT IN (SELECT wave_id FROM survey_wave)"
    )
    detected = con.execute(
        "SELECT detected FROM batch WHERE batch_id = $b", {"b": batch_id}
    ).fetchone()[0]
    added = json.loads(detected or "{}").get("vocabulary_added") or []
    for kind, code in added:
        # wave_vocabulary rows of this batch's wave: drop those no respondent still uses
        con.execute(
            "DELETE FROM wave_vocabulary w WHERE kind = $k AND code = $c AND NOT EXISTS ("
            "SELECT 1 FROM respondent r WHERE r.wave_id = w.wave_id AND ("
            "($k = 'interest' AND r.interest = $c) OR ($k = 'time' AND r.time_per_month = $c) "
            "OR ($k = 'engagement' AND r.engagement_level = $c) "
            "OR ($k = 'topic' AND r.respondent_id IN "
            "(SELECT respondent_id FROM respondent_topic WHERE topic = $c)) "
            "OR ($k = 'format' AND r.respondent_id IN "
            "(SELECT respondent_id FROM respondent_format WHERE format = $c))))",
            {"k": kind, "c": code},
        )
        con.execute(
            "DELETE FROM vocabulary WHERE kind = $k AND code = $c AND NOT EXISTS "
            "(SELECT 1 FROM wave_vocabulary WHERE kind = $k AND code = $c)",
            {"k": kind, "c": code},
        )


def list_batches(con: duckdb.DuckDBPyConnection) -> list[dict]:
    cursor = con.execute(
        "SELECT batch_id, kind, file_name, wave_id, rows_read, rows_loaded, rows_rejected, "
        "loaded_at, loaded_by, undone_at FROM batch ORDER BY batch_id"
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
