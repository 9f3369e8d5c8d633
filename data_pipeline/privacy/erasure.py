"""Erasure on request, contact retention and the audit log view: delete, then rewrite the file.

Owns the list of tables keyed by respondent and the database rewrite that makes deleted values
physically absent from disk (DuckDB's DELETE leaves them in free blocks until reused). Never
writes what was erased to the audit log, an error message or stdout.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

import data_pipeline.store.locking as store
from data_pipeline.core import dialect, scratch
from data_pipeline.core.disclosure import pseudonym, pseudonym_key
from data_pipeline.core.errors import DatabaseError, InvalidFile
from data_pipeline.core.scratch import make_private
from data_pipeline.privacy.roles import Principal, require_role
from data_pipeline.store.db import WRITE_LOCK, audit, connect, transaction

# Every table that holds rows keyed by respondent_id; the respondent row itself goes last.
# panel_invitation: who was drawn for a panel (issue 17) goes with the citizen too.
RESPONDENT_TABLES = (
    "respondent_topic",
    "respondent_format",
    "contact",
    "panel_invitation",
    "respondent",
)


@dataclass
class ErasureResult:
    """Counts only: what kind of rows went, never whose."""

    respondents: int
    rows_deleted: int
    rewritten: bool = False

    def to_json(self) -> dict:
        return {
            "status": "erased" if self.respondents else "not_found",
            "respondents": self.respondents,
            "rows_deleted": self.rows_deleted,
            "rewritten": self.rewritten,
        }


def _database_file(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return row[0] if row and row[0] else None


def _respondent_ids(con, email: str | None, respondent_id: int | None) -> list[int]:
    if (email is None) == (respondent_id is None):
        raise InvalidFile(
            "Angiv enten en email eller et respondent-id. / Give either an email or a respondent id."
        )
    if respondent_id is not None:
        rows = con.execute(
            "SELECT respondent_id FROM respondent WHERE respondent_id = $id",
            {"id": int(respondent_id)},
        ).fetchall()
    else:
        rows = con.execute(
            "SELECT DISTINCT respondent_id FROM contact WHERE lower(trim(email)) = $e",
            {"e": email.strip().lower()},
        ).fetchall()
    return [r[0] for r in rows]


def _delete_respondents(con, ids: list[int]) -> int:
    deleted = 0
    for table in RESPONDENT_TABLES:
        deleted += con.execute(
            f"DELETE FROM {table} WHERE {dialect.in_list('respondent_id', 'ids')}",  # noqa: S608
            {"ids": ids},
        ).fetchone()[0]
    return deleted


def _delete_traces(con, email: str | None) -> int:
    """Platform activity under the email's pseudonym, and rejected cells quoting the email."""
    if not email:
        return 0
    email = email.strip().lower()
    key = pseudonym_key(_database_file(con))
    deleted = con.execute(
        "DELETE FROM platform_activity WHERE user_key = $k",
        {"k": pseudonym(key, email)},
    ).fetchone()[0]
    deleted += con.execute(
        "DELETE FROM rejection WHERE strpos(lower(value), $e) > 0", {"e": email}
    ).fetchone()[0]
    return deleted


def erase_citizen(
    con: duckdb.DuckDBPyConnection,
    principal: Principal,
    email: str | None = None,
    respondent_id: int | None = None,
) -> ErasureResult:
    """Delete one citizen from every table in one transaction; audit that it happened.

    The file still holds the bytes until `rewrite_database` runs: callers must run it next.
    """
    require_role(principal, "erase")
    with transaction(con):
        ids = _respondent_ids(con, email, respondent_id)
        deleted = _delete_respondents(con, ids) if ids else 0
        deleted += _delete_traces(con, email)
        audit(con, principal.actor, "erase", {"respondents": len(ids), "rows": deleted})
    return ErasureResult(respondents=len(ids), rows_deleted=deleted)


def purge_contacts(
    con: duckdb.DuckDBPyConnection, principal: Principal, older_than_months: int
) -> int:
    """Retention: delete contact details whose consent is older than the given months."""
    require_role(principal, "purge_contacts")
    months = int(older_than_months)
    if months < 1:
        raise InvalidFile("Antal måneder skal være mindst 1. / Months must be at least 1.")
    with transaction(con):
        deleted = con.execute(
            "DELETE FROM contact WHERE consent_at IS NULL "
            "OR consent_at < current_localtimestamp() - to_months($m)",
            {"m": months},
        ).fetchone()[0]
        audit(
            con, principal.actor, "purge_contacts", {"older_than_months": months, "rows": deleted}
        )
    return deleted


def rewrite_database(path: str | Path) -> None:
    """Copy the live database into a fresh file and atomically put it in place.

    The fresh file holds only live rows, so deleted values are gone from disk; the scratch
    directory (upload copies) is emptied too. Runs under the
    database lock (other writers wait); releasing it republishes the dashboard's snapshot from
    the rewritten file, so the snapshot holds no erased bytes either.
    """
    path = Path(path)
    fresh = path.with_name(f".{path.name}.rewrite")
    for leftover in (fresh, Path(f"{fresh}.wal")):
        leftover.unlink(missing_ok=True)
    with store.hold(path), WRITE_LOCK:
        con = connect(path)
        try:
            con.execute("CHECKPOINT")
            con.execute(dialect.attach("p", "fresh"), {"p": str(fresh)})
            con.execute(dialect.copy_database(_quoted(con), "fresh"))
            con.execute("DETACH fresh")
        except duckdb.Error as exc:
            # e.g. the database is still open (and sealed) elsewhere in this process
            fresh.unlink(missing_ok=True)
            raise DatabaseError(
                "Databasen kunne ikke omskrives; prøv igen, når ingen andre bruger den. / "
                f"The database could not be rewritten; retry when no one else uses it "
                f"({type(exc).__name__})."
            ) from exc
        finally:
            con.close()
        _check_fresh(fresh)
        shutil.copymode(path, fresh)  # the rewrite keeps the file's permissions
        make_private(fresh)
        os.replace(fresh, path)
        Path(f"{path}.wal").unlink(missing_ok=True)
    # Upload copies and transcoded files may quote the erased citizen: none may outlive this.
    scratch.sweep(older_than_s=0)


def _quoted(con) -> str:
    name = con.execute("SELECT current_database()").fetchone()[0]
    return '"' + name.replace('"', '""') + '"'


def _check_fresh(fresh: Path) -> None:
    """Never replace the database with a copy that fails to open or lost its schema."""
    try:
        check = duckdb.connect(str(fresh), read_only=True)
        version = check.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        check.close()
    except duckdb.Error as exc:
        fresh.unlink(missing_ok=True)
        raise DatabaseError(
            "Omskrivningen af databasen mislykkedes; den gamle fil er bevaret. / "
            "Rewriting the database failed; the old file is kept."
        ) from exc
    if version is None:
        fresh.unlink(missing_ok=True)
        raise DatabaseError("Omskrivningen mistede skemaet. / The rewrite lost the schema.")


def erase_and_rewrite(
    path: str | Path,
    principal: Principal,
    email: str | None = None,
    respondent_id: int | None = None,
) -> ErasureResult:
    """The whole erasure for a closed database file (CLI): delete, close, rewrite."""
    require_role(principal, "erase")
    with store.hold(path):  # no other writer between the delete and the rewrite
        con = connect(path)
        try:
            result = erase_citizen(con, principal, email=email, respondent_id=respondent_id)
        finally:
            con.close()
        rewrite_database(path)
    result.rewritten = True
    return result


def purge_and_rewrite(path: str | Path, principal: Principal, older_than_months: int) -> int:
    require_role(principal, "purge_contacts")
    with store.hold(path):
        con = connect(path)
        try:
            deleted = purge_contacts(con, principal, older_than_months)
        finally:
            con.close()
        rewrite_database(path)
    return deleted


def audit_entries(con: duckdb.DuckDBPyConnection, principal: Principal, limit: int = 200):
    """The latest audit entries for the admin page (they hold ids and counts, never contacts)."""
    require_role(principal, "read_audit_log")
    return con.execute(
        'SELECT "at", actor, action, detail::VARCHAR AS detail FROM audit_log '
        'ORDER BY "at" DESC LIMIT $n',
        {"n": int(limit)},
    ).df()
