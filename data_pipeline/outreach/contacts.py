"""Consent-based outreach: a segment in, the consenting citizens' contact list out, audited.

Owns the only query that reads names, emails and phone numbers and the export audit entry;
the files are written by data_pipeline.core.safe_export. Never logs, caches or raises with contact data;
the audit entry holds the segment, reason, row count and file hash only.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

import duckdb
import pandas as pd

from data_pipeline.analysis.catalog import latest_wave
from data_pipeline.analysis.filtering import Filters, where_clause
from data_pipeline.core import dialect
from data_pipeline.core.errors import InvalidFile
from data_pipeline.core.i18n import t
from data_pipeline.core.safe_export import csv_bytes, xlsx_bytes
from data_pipeline.privacy.roles import Principal, require_role
from data_pipeline.store.db import audit, transaction

FORMATS = ("csv", "xlsx")
# The file's columns, headed in the reader's words (core/words: contact.col.*).
COLUMNS = ("respondent_id", "name", "email", "phone", "consent_at")
MAX_REASON = 500


@dataclass(frozen=True)
class Segment:
    """Who to contact: the shared filters, optionally narrowed to one clustering segment.

    `respondent_ids` are the members of the clustering segment (from fit_segments), so the
    export does not re-run the clustering; `label` names it in the audit log.
    """

    filters: Filters = field(default_factory=Filters)
    respondent_ids: tuple[int, ...] | None = None
    label: str | None = None

    def describe(self) -> dict:
        """The segment as codes, for the audit log (never contact data)."""
        chosen = {k: list(v) for k, v in asdict(self.filters).items() if v and k != "wave"}
        described = {"wave": self.filters.wave, **chosen}
        if self.label is not None:
            described["clustering_segment"] = self.label
        return described


@dataclass
class ContactExport:
    """A built export: the file's bytes live only here, with what the audit log recorded."""

    data: bytes
    file_format: str
    rows: int
    sha256: str


def segment_sql(con: duckdb.DuckDBPyConnection, segment: Segment) -> tuple[str, dict]:
    """Consent recorded on the answer AND a contact row whose consent is not withdrawn."""
    wave = segment.filters.wave or latest_wave(con)
    where = where_clause(con, segment.filters, wave)
    sql = (
        "FROM respondent r JOIN contact c ON c.respondent_id = r.respondent_id "  # noqa: S608
        f"WHERE {where.sql} AND r.consent_contact AND c.withdrawn_at IS NULL "
        "AND coalesce(c.email, c.phone) IS NOT NULL"
    )
    params = dict(where.params)
    if segment.respondent_ids is not None:
        sql += f" AND {dialect.in_list('r.respondent_id', 'segment_ids')}"
        params["segment_ids"] = list(segment.respondent_ids)
    return sql, params


def count_consenting(con: duckdb.DuckDBPyConnection, principal: Principal, segment: Segment) -> int:
    """How many consenting citizens match; the page suppresses the number below k."""
    require_role(principal, "count_contacts")
    sql, params = segment_sql(con, segment)
    return con.execute(f"SELECT count(*) {sql}", params).fetchone()[0]


def consenting_contacts(
    con: duckdb.DuckDBPyConnection, principal: Principal, segment: Segment, lang: str = "da"
) -> pd.DataFrame:
    """The contact list itself. Callers must not cache it or put it in shared state."""
    require_role(principal, "export_contacts")
    sql, params = segment_sql(con, segment)
    frame = con.execute(
        "SELECT r.respondent_id, c.name, c.email, c.phone, "
        f"strftime(c.consent_at, '%Y-%m-%d') {sql} ORDER BY r.respondent_id",
        params,
    ).df()
    frame.columns = [t(f"contact.col.{column}", lang) for column in COLUMNS]
    return frame


def file_format_for(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in FORMATS:
        raise InvalidFile(
            f"Filen skal ende på .csv eller .xlsx, ikke '.{suffix}'. / "
            f"The file must end in .csv or .xlsx, not '.{suffix}'."
        )
    return suffix


def check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidFile("Angiv en begrundelse for udtrækket. / Give a reason for the export.")
    return reason[:MAX_REASON]


def export_contacts(
    con: duckdb.DuckDBPyConnection,
    principal: Principal,
    segment: Segment,
    reason: str,
    file_format: str,
    lang: str = "da",
) -> ContactExport:
    """Build the contact file and write the audit entry; no audit entry, no file.

    Refuses without the outreach (or admin) role and without a reason.
    """
    require_role(principal, "export_contacts")
    reason = check_reason(reason)
    if segment.filters.wave is None:  # the audit log names the wave actually exported
        filters = segment.filters.replace(wave=latest_wave(con))
        segment = Segment(filters, segment.respondent_ids, segment.label)
    if file_format not in FORMATS:
        raise InvalidFile(f"Ukendt format '{file_format}'. / Unknown format '{file_format}'.")
    frame = consenting_contacts(con, principal, segment, lang)
    data = csv_bytes(frame, lang=lang) if file_format == "csv" else xlsx_bytes(frame, "Kontakter")
    sha = hashlib.sha256(data).hexdigest()
    detail = {
        "segment": segment.describe(),
        "reason": reason,
        "rows": len(frame),
        "format": file_format,
        "sha256": sha,
    }
    with transaction(con):
        audit(con, principal.actor, "export_contacts", detail)
    return ContactExport(data=data, file_format=file_format, rows=len(frame), sha256=sha)
