"""The one small interface every reader implements: a file in, a RawTable out.

A RawTable holds the source's own headers and text values (nothing interpreted yet) plus the
metadata the reader detected. Readers never touch the database.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROW_COLUMN = "__row"


@dataclass
class RawTable:
    """Text cells under the source headers, plus `__row`: the row number in the file."""

    table: pa.Table
    meta: dict = field(default_factory=dict)

    @property
    def headers(self) -> list[str]:
        return [name for name in self.table.column_names if name != ROW_COLUMN]

    @property
    def rows(self) -> int:
        return self.table.num_rows


def unique_headers(headers: list) -> list[str]:
    """Blank headers get a position name and clashes get " (1)", as Go Vocal does."""
    seen: dict[str, int] = {}
    result = []
    for position, header in enumerate(headers):
        name = str(header).strip() if header is not None else ""
        if not name:
            name = f"kolonne_{position + 1}"
        base = name
        while name in seen or name == ROW_COLUMN:
            seen[base] = seen.get(base, 0) + 1
            name = f"{base} ({seen[base]})"
        seen.setdefault(name, 0)
        result.append(name)
    return result


def blank_row_count(table: pa.Table) -> int:
    """Rows with every cell empty: left in the table, so validation rejects them by row."""
    columns = [table.column(n) for n in table.column_names if n != ROW_COLUMN]
    if not columns or table.num_rows == 0:
        return 0
    empty = pc.is_null(columns[0])
    for column in columns[1:]:
        empty = pc.and_(empty, pc.is_null(column))
    return int(pc.sum(empty.cast(pa.int64())).as_py() or 0)


def content_fingerprint(raw: RawTable) -> str:
    """A hash of what a file says, not how it is written: headers and cell values in row order.

    Headers and cells are NFC-normalised and stripped, line breaks inside cells become LF, an
    empty cell equals a missing one, and fully empty rows are left out. So the same survey saved
    with or without a BOM, with CRLF or LF, in UTF-8 or cp1252, or with a blank row more, gives
    the same fingerprint; any changed cell gives another. Row numbers are not part of it.
    """
    digest = hashlib.sha256()
    headers = [unicodedata.normalize("NFC", h).strip() for h in raw.headers]
    digest.update(json.dumps(headers, ensure_ascii=False).encode("utf-8"))
    columns = [_normalised_cells(raw.table.column(name)) for name in raw.headers]
    if columns:
        empty = pc.equal(columns[0], "")
        for column in columns[1:]:
            empty = pc.and_(empty, pc.equal(column, ""))
        keep = pc.invert(empty)
        columns = [pc.filter(column, keep) for column in columns]
        digest.update(str(len(columns[0])).encode("ascii"))
    for column in columns:
        # Lengths then bytes, per column: unambiguous without any separator character.
        offsets = np.frombuffer(column.buffers()[1], dtype=np.int64)
        offsets = offsets[column.offset : column.offset + len(column) + 1]
        digest.update(np.diff(offsets).astype("<i8").tobytes())
        values = column.buffers()[2]
        if values is not None and len(column):
            digest.update(memoryview(values)[int(offsets[0]) : int(offsets[-1])])
    return digest.hexdigest()


def _normalised_cells(column) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks else pa.array([], pa.string())
    column = column.cast(pa.large_string())
    column = pc.utf8_normalize(column, "NFC")
    column = pc.replace_substring_regex(column, pattern=r"\r\n?", replacement="\n")
    column = pc.utf8_trim_whitespace(column)
    return pc.fill_null(column, "").cast(pa.large_string())
