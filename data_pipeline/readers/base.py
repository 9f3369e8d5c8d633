"""The one small interface every reader implements: a file in, a RawTable out.

A RawTable holds the source's own headers and text values (nothing interpreted yet) plus the
metadata the reader detected. Readers never touch the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

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
