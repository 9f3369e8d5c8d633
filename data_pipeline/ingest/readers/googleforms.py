"""Google Forms CSV exports: first column `Tidsstempel` (Danish locale) or `Timestamp`.

Danish timestamps look like "27/05/2024 12.01.28"; English ones like "2020/10/30 3:08:44 PM
GMT+1". The GMT offset is stripped here (vectorised, no per-row Python) so one strptime format
parses the column; the local time is kept, as in the Danish export, which has no offset at all.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from data_pipeline.ingest.readers.base import RawTable
from data_pipeline.ingest.readers.registry import Layout, register_layout

NAME = "googleforms"
TIMESTAMP_HEADERS = ("tidsstempel", "timestamp")
GMT_OFFSET = r"\s*(GMT|UTC)([+-]\d{1,2}(:?\d{2})?)?\s*$"


def matches(raw: RawTable, path: Path | None = None) -> bool:
    headers = raw.headers
    return bool(headers) and headers[0].strip().lower() in TIMESTAMP_HEADERS


def prepare(raw: RawTable, path: Path | None = None) -> RawTable:
    column = raw.headers[0]
    values = raw.table.column(column)
    stripped = pc.replace_substring_regex(values, pattern=GMT_OFFSET, replacement="")
    if not pc.all(pc.equal(stripped, values).fill_null(True)).as_py():
        raw.meta["timestamp_offset_stripped"] = True
        index = raw.table.column_names.index(column)
        raw.table = raw.table.set_column(index, column, stripped.cast(pa.string()))
    return raw


register_layout(Layout(NAME, matches, prepare))
