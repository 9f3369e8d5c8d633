"""When a survey row was submitted: the timestamp format a file writes, and its time zones.

Staging parses every timestamp with one format found on a sample (`timestamp_format`), since
trying twenty formats per row is slow at 1 M rows, and reads wall-clock time: a zone suffix
("GMT+1", "+01:00", "Z") is stripped, and only when the file has one (`has_zones`).
"""

from __future__ import annotations

import duckdb

TIMESTAMP_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %H.%M.%S",
    "%d/%m/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y/%m/%d %I:%M:%S %p",
    "%d.%m.%Y %H.%M.%S",
    "%d.%m.%Y %H:%M:%S",
    "%d-%m-%Y %H.%M.%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%Y-%m-%d",
    "%d-%m-%Y",
]


def timestamp_format(con: duckdb.DuckDBPyConnection, column: str | None) -> list[str]:
    """The one format that parses a sample of the timestamps; trying many per row is slow."""
    if column is None:
        return TIMESTAMP_FORMATS
    sample = [
        r[0]
        for r in con.execute(
            f"SELECT {strip_zone(column)} FROM raw_in WHERE {column} IS NOT NULL LIMIT 200"  # noqa: S608
        ).fetchall()
    ]
    for fmt in TIMESTAMP_FORMATS:
        parsed = con.execute(
            "SELECT count(try_strptime(v, $f)) FROM (SELECT unnest($s) AS v)",
            {"f": fmt, "s": sample},
        ).fetchone()[0]
        if sample and parsed == len(sample):
            return [fmt]
    return TIMESTAMP_FORMATS


def has_zones(con: duckdb.DuckDBPyConnection, column: str) -> bool:
    """Whether a sample of the timestamps carries a zone, so `strip_zone` is worth a regex."""
    return bool(
        con.execute(
            f"SELECT count(*) FROM (SELECT {column} AS v FROM raw_in "  # noqa: S608
            f"WHERE {column} IS NOT NULL LIMIT 200) "
            "WHERE regexp_matches(v, '(GMT|UTC)|T\\d{2}:\\d{2}.*([+-]\\d{2}:?\\d{2}|Z)$')"
        ).fetchone()[0]
    )


def strip_zone(expr: str) -> str:
    """Local wall-clock time: drop " GMT+1" (Google Forms) and ISO offsets ("+01:00", "Z")."""
    return (
        f"regexp_replace(regexp_replace({expr}, '\\s*(GMT|UTC)\\s*([+-]\\d{{1,2}}(:?\\d{{2}})?)?$', ''), "
        f"'(T\\d{{2}}:\\d{{2}}(:\\d{{2}}(\\.\\d+)?)?)([+-]\\d{{2}}:?\\d{{2}}|Z)$', '\\1')"
    )
