"""Microsoft Forms exports (XLSX or CSV): `ID, Start time, Completion time, Email, Name, ...`.

Recognised by its fixed leading columns in English or Danish; the questions follow. Multi-select
answers are "A;B;" and are split later by multiselect.split_column. Never reads the file
itself.
"""

from __future__ import annotations

from pathlib import Path

from data_pipeline.ingest.readers.base import RawTable
from data_pipeline.ingest.readers.registry import Layout, register_layout

NAME = "msforms"

# Microsoft translates the fixed columns with the form owner's language.
START = {"start time", "starttidspunkt", "starttid", "start tid"}
COMPLETION = {
    "completion time",
    "fuldførelsestidspunkt",
    "tidspunkt for fuldførelse",
    "sluttidspunkt",
    "færdiggørelsestidspunkt",
}
LAST_MODIFIED = {"last modified time", "tidspunkt for seneste ændring", "senest ændret"}


def matches(raw: RawTable, path: Path | None = None) -> bool:
    lowered = [h.strip().lower() for h in raw.headers[:7]]
    return (
        bool(lowered)
        and lowered[0] == "id"
        and bool(START & set(lowered))
        and bool(COMPLETION & set(lowered))
    )


def prepare(raw: RawTable, path: Path | None = None) -> RawTable:
    raw.meta["has_last_modified"] = any(h.strip().lower() in LAST_MODIFIED for h in raw.headers)
    return raw


register_layout(Layout(NAME, matches, prepare))
