"""Go Vocal (CitizenLab) exports: users, ideas/inputs, and phase or survey sheets.

Recognised by their fixed columns; which export it is goes into meta["export"]. The rows become
activities in `ingest/platform_rows.py`, and the platform loader (`store/load_platform.py`)
stores them as pseudonymous platform_activity.
"""

from __future__ import annotations

import re
from pathlib import Path

from data_pipeline.ingest.readers.base import RawTable
from data_pipeline.ingest.readers.registry import Layout, register_layout

NAME = "govocal"


def key(header: str) -> str:
    """ "Author ID", "author_id" and "Author id" are the same column."""
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def export_kind(headers: list[str]) -> str | None:
    keys = [key(h) for h in headers]
    if not keys or keys[0] != "id":
        return None
    found = set(keys)
    if {"registration_completed_at", "invite_status"} & found:
        return "users"
    idea_columns = {"title", "title_multiloc", "published_at", "likes", "topics"}
    if "author_id" in found and idea_columns & found:
        return "ideas"
    if "author_id" in found and "submitted_at" in found:
        return "survey"
    if {"author_id", "author_name"} & found:
        return "ideas"
    return None


def matches(raw: RawTable, path: Path | None = None) -> bool:
    return export_kind(raw.headers) is not None


def prepare(raw: RawTable, path: Path | None = None) -> RawTable:
    raw.meta["export"] = export_kind(raw.headers)
    return raw


register_layout(Layout(NAME, matches, prepare))
