"""Decidim open-data CSVs: `{host}-open-data-{entity}.csv`, `;`-separated, nested `a/b` columns.

The entity (proposals, proposal_comments, meetings, survey responses) comes from the file name
when it follows Decidim's pattern, else from the columns. Never stores names: see load_platform.
"""

from __future__ import annotations

import re
from pathlib import Path

from data_pipeline.ingest.readers.base import RawTable
from data_pipeline.ingest.readers.registry import Layout, register_layout

NAME = "decidim"
FILE_NAME = re.compile(r"open[-_]data[-_](?P<entity>[a-z_]+?)(?:[-_]\d+)?\.csv$", re.IGNORECASE)
ENTITY_ALIASES = {
    "proposals": "proposals",
    "proposal_comments": "proposal_comments",
    "comments": "proposal_comments",
    "meetings": "meetings",
    "meeting_comments": "proposal_comments",
    "surveys": "survey_responses",
    "survey_responses": "survey_responses",
    "survey_answers": "survey_responses",
    "answers": "survey_responses",
}


def entity_from_name(path: Path | None) -> str | None:
    if path is None:
        return None
    match = FILE_NAME.search(Path(path).name)
    return ENTITY_ALIASES.get(match.group("entity").lower()) if match else None


def entity_from_headers(headers: list[str]) -> str | None:
    keys = {h.strip().lower() for h in headers}
    lowered = [h.strip().lower() for h in headers]
    if {"commentable_id", "commentable_type"} & keys:
        return "proposal_comments"
    if lowered[:4] == ["id", "created_at", "ip_hash", "user_status"]:
        return "survey_responses"
    nested = any("/" in h for h in keys)
    if nested and "start_time" in keys and ("attendees" in keys or "attendees_count" in keys):
        return "meetings"
    if nested and "participatory_space/id" in keys and any(k.startswith("title/") for k in keys):
        return "proposals"
    return None


def matches(raw: RawTable, path: Path | None = None) -> bool:
    return entity_from_headers(raw.headers) is not None or (
        entity_from_name(path) is not None and "id" in {h.lower() for h in raw.headers}
    )


def prepare(raw: RawTable, path: Path | None = None) -> RawTable:
    raw.meta["entity"] = entity_from_headers(raw.headers) or entity_from_name(path)
    return raw


register_layout(Layout(NAME, matches, prepare))
