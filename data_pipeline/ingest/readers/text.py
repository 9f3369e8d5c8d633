"""Delimited text (CSV/TSV): delimiter sniffing and fast parsing, over the bytes
readers/text_decode.py made ready (encoding decided, odd line endings normalised; rows that
were recoded are named in meta["warnings"]).

Rows: `__row` is the CSV record number with the header as record 1; a quoted cell with line
breaks is still one record, and blank lines are kept as empty records (validation rejects them
as empty rows), so every row number points at the record in the file.

Speed: the common file goes straight to DuckDB's parallel read_csv. Everything else is found
cheaply (a byte count, a head check, the record count DuckDB returns) and only those files take
a slower path.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import duckdb
import pyarrow as pa

from data_pipeline.core.errors import InvalidFile
from data_pipeline.core.scratch import scratch_file
from data_pipeline.ingest.readers.base import ROW_COLUMN, RawTable, blank_row_count, unique_headers
from data_pipeline.ingest.readers.registry import Source, recognise, register
from data_pipeline.ingest.readers.text_decode import HEAD_BYTES, prepare

DELIMITERS = (";", ",", "\t")
QUOTED_NEWLINE_ERROR = "quoted new lines"
SNIFF_RECORDS = 20


# --- delimiter -----------------------------------------------------------------------------


def first_record(text: str, delimiter: str | None = None) -> list[str]:
    """The fields of the first record (it may span lines inside quotes); [] if unreadable."""
    if delimiter is None:
        delimiter = sniff_delimiter(text, strict=False)
    try:
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error:
        return []


def sniff_delimiter(head: str, strict: bool = True) -> str:
    """The candidate that splits the header into several fields, outside quotes, and splits
    the next records into as many fields as the header.

    `head` is the start of the file (or just its first line). The agreement of the following
    records decides when a header or a first record holds commas in an unquoted text (a
    SurveyXact labels file: `s_2;1;Kvinde, voksen, over 18`); then the most fields; ties go to
    the earlier of ; , tab. With `strict`, a header that no candidate splits is refused.
    """

    def score(delimiter: str) -> tuple[bool, int, int]:
        found = _records(head, delimiter, SNIFF_RECORDS)
        if not found:
            return (False, 0, 0)
        width = len(found[0])
        # The last record may be cut off at the end of the head: it does not vote.
        following = found[1:-1] if len(found) > 2 else found[1:]
        agree = sum(1 for record in following if len(record) == width)
        return (width >= 2, agree, width)

    scores = {delimiter: score(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: scores[d])
    if strict and not scores[best][0]:
        raise InvalidFile(
            "Kan ikke finde skilletegnet (; , eller tabulator) i første linje. / "
            "Cannot find the delimiter (; , or tab) in the first line."
        )
    return best


def _records(text: str, delimiter: str, limit: int) -> list[list[str]]:
    """Up to `limit` records from the start of `text`; blank lines skipped."""
    found: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            if record:
                found.append(record)
            if len(found) >= limit:
                break
    except csv.Error:
        pass
    return found


# --- reading -------------------------------------------------------------------------------


def read_delimited(path: Path) -> RawTable:
    prepared = prepare(Path(path).read_bytes())
    data = prepared.data
    head = data[:HEAD_BYTES].decode(prepared.encoding, errors="replace").lstrip("\ufeff")
    delimiter = sniff_delimiter(head)
    end = _content_end(data)
    try:
        if prepared.changed:
            table = _parse_bytes(data, delimiter, prepared.encoding)
        else:
            table = _parse_with_duckdb(Path(path), delimiter, prepared.encoding)
    except InvalidFile:
        if not _has_blank_lines(data, end):
            raise
        table = None
    # DuckDB skips blank lines, which would shift row numbers; when its record count is short
    # of the line count (blank lines or quoted line breaks), look closer and keep them.
    if table is None or (
        table.num_rows + 1 != _line_count(data, end) and _has_blank_lines(data, end)
    ):
        text = data.decode(prepared.encoding).lstrip("\ufeff")
        table = _parse_with_csv_module(text, delimiter)
    meta = {
        "encoding": prepared.label,
        "delimiter": delimiter,
        "sheet": None,
        "header_row": 1,
        "rows": table.num_rows,
        "blank_rows": blank_row_count(table),
    }
    if prepared.warnings:
        meta["warnings"] = list(prepared.warnings)
        meta["recoded_rows"] = list(prepared.recoded_rows)
    return RawTable(table=table, meta=meta)


def _content_end(data: bytes) -> int:
    """The length without trailing line breaks (no copy of the data)."""
    end = len(data)
    while end and data[end - 1] in (10, 13):
        end -= 1
    return end


def _line_count(data: bytes, end: int) -> int:
    return data.count(b"\n", 0, end) + 1 if end else 0


def _has_blank_lines(data: bytes, end: int) -> bool:
    return data.find(b"\n\n", 0, end) >= 0 or data.find(b"\n\r\n", 0, end) >= 0


def _parse_with_duckdb(path: Path, delimiter: str, encoding: str = "utf-8") -> pa.Table:
    con = duckdb.connect()
    try:
        try:
            table = _duckdb_read(con, path, delimiter, encoding, parallel=True)
        except duckdb.Error as exc:
            # DuckDB's parallel scanner refuses quoted line breaks together with null_padding;
            # the single-threaded scanner reads them as one record.
            if QUOTED_NEWLINE_ERROR not in str(exc):
                raise
            table = _duckdb_read(con, path, delimiter, encoding, parallel=False)
    except duckdb.Error as exc:
        raise _csv_refusal(str(exc)) from None  # DuckDB's text quotes the row and the path
    finally:
        con.close()
    return _finish(table)


def _csv_refusal(message: str) -> InvalidFile:
    """DuckDB's first line only (never its 'Original Line: ...', options or file path)."""
    if "Maximum line size" in message:
        return InvalidFile(
            "En linje i filen er over 2 MB lang; det er ikke en besvarelse. / "
            "A line in the file is longer than 2 MB; that is not a response."
        )
    first = message.splitlines()[0] if message else ""
    return InvalidFile(f"CSV-filen kan ikke læses / Cannot parse the CSV file: {first[:200]}")


def _duckdb_read(con, path: Path, delimiter: str, encoding: str, parallel: bool) -> pa.Table:
    return con.sql(
        "SELECT * FROM read_csv($path, encoding = $encoding, delim = $delim, header = true, "
        "all_varchar = true, quote = '\"', escape = '\"', null_padding = true, "
        "strict_mode = false, parallel = $parallel)",
        params={"path": str(path), "encoding": encoding, "delim": delimiter, "parallel": parallel},
    ).to_arrow_table()


def _parse_bytes(data: bytes, delimiter: str, encoding: str) -> pa.Table:
    """Bytes that differ from the file (transcoded, normalised) go through a private temp file."""
    # In the private scratch directory (0700): a SIGKILL leaves it to the start-up sweep.
    handle, temp_path = scratch_file(".csv")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        return _parse_with_duckdb(temp_path, delimiter, encoding)
    finally:
        temp_path.unlink(missing_ok=True)


def _parse_with_csv_module(text: str, delimiter: str) -> pa.Table:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InvalidFile(f"CSV-filen kan ikke læses / Cannot parse the CSV file: {exc}") from exc
    if not rows:
        raise InvalidFile("Filen er tom. / The file is empty.")
    headers = unique_headers(rows[0])
    width = len(headers)
    columns: list[list] = [[] for _ in range(width)]
    numbers = []
    for record_number, row in enumerate(rows[1:], start=2):
        numbers.append(record_number)
        for i in range(width):
            value = row[i] if i < len(row) else ""
            columns[i].append(value if value != "" else None)
    arrays = {h: pa.array(c, type=pa.string()) for h, c in zip(headers, columns, strict=True)}
    arrays[ROW_COLUMN] = pa.array(numbers, type=pa.int64())
    return pa.table(arrays)


def _finish(table: pa.Table) -> pa.Table:
    names = unique_headers(table.column_names)
    table = table.rename_columns(names)
    # Header is record 1, so data record i (0-based) is record i + 2.
    numbers = pa.array(range(2, table.num_rows + 2), type=pa.int64())
    return table.append_column(ROW_COLUMN, numbers)


class DelimitedText:
    """Any text file no other reader claims: CSV with ; , or tab, named by its headers."""

    name = "csv"

    def claims(self, source: Source) -> bool:
        return source.container == "text"

    def read(self, source: Source) -> RawTable:
        return recognise(read_delimited(source.path), self.name, source.path)

    def companions(self, source: Source) -> list[Path]:
        return []


register(DelimitedText())
