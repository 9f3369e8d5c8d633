"""Statistics Denmark (Statistikbanken) tables: the BULK/CSV layout `...;TID;INDHOLD`.

Recognised by the INDHOLD (content) column that every StatBank download ends with; decoding
the labels happens in store/dst_labels.py over distinct values.
"""

from __future__ import annotations

from pathlib import Path

from data_pipeline.ingest.readers.base import RawTable
from data_pipeline.ingest.readers.registry import Layout, register_layout

NAME = "dst"


def matches(raw: RawTable, path: Path | None = None) -> bool:
    return any(h.strip().lower() in ("indhold", "content") for h in raw.headers)


def prepare(raw: RawTable, path: Path | None = None) -> RawTable:
    return raw


register_layout(Layout(NAME, matches, prepare))
