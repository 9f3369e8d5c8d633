"""Panels: the record of a draw and its contact file (issue 17). Who was invited (ids, for the
recent-invitation rule), the audit entry (who, when, why, topic, quotas, seed, rows, sha256) and
the file of the invited and the reserve. Contact data is read only when the file is built,
through outreach's consent query and the safe writers; it never reaches the audit log, an
error or a log line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from data_pipeline.analysis.filtering import Filters
from data_pipeline.core.i18n import t
from data_pipeline.outreach.panel_model import (
    ALGORITHM,
    PanelDraw,
    QuotasNotMet,
)
from data_pipeline.privacy.roles import Principal, require_role
from data_pipeline.store.db import audit, transaction

# --- export and the record of who was invited ----------------------------------------------


@dataclass
class PanelExport:
    data: bytes
    file_format: str
    rows: int
    sha256: str
    draw_id: int


def export_segment(drawn: PanelDraw, draw_id: int | None = None):
    """The contact export's segment for a draw: its wave and topic, narrowed to the ids drawn
    (the export checks consent again); the label names the draw in the audit log."""
    from data_pipeline.outreach.contacts import Segment

    plan = drawn.plan
    label = f"panel {draw_id or ''}: {plan.request.topic}, seed {drawn.seed}".replace("  ", " ")
    filters = Filters(wave=plan.wave, topics=(plan.request.topic,))
    return Segment(filters=filters, respondent_ids=(*drawn.invited, *drawn.reserve), label=label)


def record_draw(
    con: duckdb.DuckDBPyConnection,
    principal: Principal,
    drawn: PanelDraw,
    reason: str,
    exported: dict | None = None,
    people: set[int] | None = None,
) -> int:
    """Record who was invited (ids, for the recent-invitation rule) and audit the draw: who,
    when, why, topic, quotas, seed, rows (and the file's sha256 when it is known here)."""
    from data_pipeline.outreach.contacts import check_reason

    require_role(principal, "draw_panel")
    reason = check_reason(reason)
    plan = drawn.plan
    now = datetime.now(UTC).replace(tzinfo=None)
    keep = people if people is not None else {*drawn.invited, *drawn.reserve}
    summary = drawn.probability_summary()
    with transaction(con):
        draw_id = con.execute("SELECT coalesce(max(draw_id), 0) + 1 FROM panel_draw").fetchone()[0]
        detail = {
            "draw_id": draw_id,
            "reason": reason,
            "wave": plan.wave,
            "topic": plan.request.topic,
            "areas": list(plan.request.areas),
            "formats": list(plan.request.formats),
            "size": plan.request.size,
            "reserve": len(drawn.reserve),
            "seed": drawn.seed,
            "algorithm": ALGORITHM,
            "relaxed": list(plan.request.relax),
            "quotas": [
                {"feature": q.feature, "value": q.value, "min": q.min, "max": q.max}
                for q in plan.quotas
            ],
            "pool": len(plan.pool),
            "probability": {k: round(v, 4) for k, v in summary.items()},
            "rows": len(keep),
            **(exported or {}),
        }
        con.execute(
            "INSERT INTO panel_draw VALUES ($id, $at, $actor, $topic, $size, $seed, $detail)",
            {
                "id": draw_id,
                "at": now,
                "actor": principal.actor,
                "topic": plan.request.topic,
                "size": plan.request.size,
                "seed": drawn.seed,
                "detail": _json(detail),
            },
        )
        rows = [(draw_id, rid, "invited", None, now) for rid in drawn.invited if rid in keep]
        rows += [
            (draw_id, rid, "reserve", rank, now)
            for rank, rid in enumerate(drawn.reserve, start=1)
            if rid in keep
        ]
        if rows:
            con.executemany(
                "INSERT INTO panel_invitation (draw_id, respondent_id, role, reserve_rank, "
                "invited_at) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        audit(con, principal.actor, "draw_panel", detail)
    return int(draw_id)


def export_panel(
    con: duckdb.DuckDBPyConnection,
    principal: Principal,
    drawn: PanelDraw,
    reason: str,
    file_format: str,
    lang: str = "da",
) -> PanelExport:
    """The contact file of the invited and the reserve, built by the contact export's consent
    query and safe writers with a column saying who is invited and who is reserve number n;
    then the draw is recorded with the file's rows and sha256. No contact data in the audit."""
    from data_pipeline.core.safe_export import csv_bytes, xlsx_bytes
    from data_pipeline.outreach.contacts import FORMATS, check_reason, consenting_contacts

    require_role(principal, "export_contacts")
    require_role(principal, "draw_panel")
    reason = check_reason(reason)
    if file_format not in FORMATS:
        raise QuotasNotMet(f"Ukendt format '{file_format}'. / Unknown format '{file_format}'.")
    ids = [*drawn.invited, *drawn.reserve]
    frame = consenting_contacts(con, principal, export_segment(drawn), lang)  # consent, now
    place = {rid: t("panel.col_invited", lang) for rid in drawn.invited}
    for rank, rid in enumerate(drawn.reserve, start=1):
        place[rid] = t("panel.col_reserve", lang, rank=rank)
    order = {rid: i for i, rid in enumerate(ids)}
    id_col = frame.columns[0]
    frame.insert(1, t("panel.col_place", lang), frame[id_col].map(lambda r: place.get(int(r), "")))
    frame = frame.sort_values(id_col, key=lambda s: s.map(lambda r: order.get(int(r), 0)))
    frame = frame.reset_index(drop=True)
    data = csv_bytes(frame, lang=lang) if file_format == "csv" else xlsx_bytes(frame, "Panel")
    sha = hashlib.sha256(data).hexdigest()
    exported = {int(r) for r in frame[id_col]}
    file_info = {"rows": len(frame), "format": file_format, "sha256": sha}
    draw_id = record_draw(con, principal, drawn, reason, file_info, exported)
    return PanelExport(data, file_format, len(frame), sha, draw_id)


def _json(detail: dict) -> str:
    import json

    return json.dumps(detail, ensure_ascii=False)
