"""Delimited text (CSV/TSV): encoding detection, delimiter sniffing and fast parsing.

Encoding: a BOM means UTF-8 or UTF-16; otherwise strict UTF-8; otherwise cp1252. We never
guess further (a cp1250 guess turns "Søren Æbelø" into "Sřren Ćbelř").
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa

from data_pipeline.errors import InvalidFile
from data_pipeline.readers.base import ROW_COLUMN, RawTable, unique_headers

DELIMITERS = (";", ",", "\t")
CP1252_ONLY = re.compile(rb"[\x80-\x9f]")


def detect_encoding(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def sniff_delimiter(first_line: str) -> str:
    """The candidate that splits the header into the most fields, outside quotes."""
    counts = {}
    for delimiter in DELIMITERS:
        fields = next(csv.reader([first_line], delimiter=delimiter), [])
        counts[delimiter] = len(fields)
    best = max(DELIMITERS, key=lambda d: counts[d])
    if counts[best] < 2:
        raise InvalidFile(
            "Kan ikke finde skilletegnet (; , eller tabulator) i første linje. / "
            "Cannot find the delimiter (; , or tab) in the first line."
        )
    return best


def read_delimited(path: Path) -> RawTable:
    data = Path(path).read_bytes()
    encoding = detect_encoding(data)
    if encoding == "utf-16":
        # UTF-16 is rare and small in practice: decode it whole and take the transcoding path.
        text = _decode(data, encoding)
        data = text.lstrip("\ufeff").encode("utf-8")
        encoding_used = "utf-8"
    else:
        encoding_used = encoding
    head = data[: 1 << 16].decode(encoding_used, errors="replace").lstrip("\ufeff")
    delimiter = sniff_delimiter(head.split("\n", 1)[0].rstrip("\r"))
    body = data.rstrip(b"\r\n")
    has_blank_lines = b"\n\n" in body or b"\n\r\n" in body
    if has_blank_lines:
        # DuckDB skips blank lines, which would shift row numbers; the slow path keeps them.
        table = _parse_with_csv_module(_decode(data, encoding_used).lstrip("\ufeff"), delimiter)
    elif encoding == "utf-16":
        table = _parse_transcoded(data.decode("utf-8"), delimiter)
    elif encoding in ("utf-8", "utf-8-sig"):
        table = _parse_with_duckdb(Path(path), delimiter)
    elif not CP1252_ONLY.search(data):
        # Without bytes 0x80-0x9F, cp1252 and latin-1 are the same; DuckDB reads latin-1 natively.
        table = _parse_with_duckdb(Path(path), delimiter, "latin-1")
    else:
        table = _parse_transcoded(_decode(data, encoding), delimiter)
    meta = {
        "encoding": {"utf-8-sig": "utf-8-bom", "utf-16": "utf-16-bom"}.get(encoding, encoding),
        "delimiter": delimiter,
        "sheet": None,
        "header_row": 1,
        "rows": table.num_rows,
    }
    return RawTable(table=table, meta=meta)


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InvalidFile(
            f"Filen kan ikke læses som {encoding}. / Cannot decode as {encoding}."
        ) from exc


def _parse_with_duckdb(path: Path, delimiter: str, encoding: str = "utf-8") -> pa.Table:
    con = duckdb.connect()
    try:
        table = con.sql(
            "SELECT * FROM read_csv($path, encoding = $encoding, delim = $delim, header = true, "
            "all_varchar = true, quote = '\"', escape = '\"', null_padding = true, "
            "strict_mode = false)",
            params={"path": str(path), "encoding": encoding, "delim": delimiter},
        ).to_arrow_table()
    except duckdb.Error as exc:
        raise InvalidFile(f"CSV-filen kan ikke læses / Cannot parse the CSV file: {exc}") from exc
    finally:
        con.close()
    return _finish(table)


def _parse_transcoded(text: str, delimiter: str) -> pa.Table:
    """DuckDB reads UTF-8 natively; other encodings are rewritten to a private temp file."""
    handle, temp_path = tempfile.mkstemp(suffix=".csv")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text.lstrip("\ufeff"))
        return _parse_with_duckdb(Path(temp_path), delimiter)
    finally:
        os.unlink(temp_path)


def _parse_with_csv_module(text: str, delimiter: str) -> pa.Table:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = list(reader)
    if not rows:
        raise InvalidFile("Filen er tom. / The file is empty.")
    headers = unique_headers(rows[0])
    width = len(headers)
    columns: list[list] = [[] for _ in range(width)]
    numbers = []
    for line_number, row in enumerate(rows[1:], start=2):
        numbers.append(line_number)
        for i in range(width):
            value = row[i] if i < len(row) else ""
            columns[i].append(value if value != "" else None)
    arrays = {h: pa.array(c, type=pa.string()) for h, c in zip(headers, columns, strict=True)}
    arrays[ROW_COLUMN] = pa.array(numbers, type=pa.int64())
    return pa.table(arrays)


def _finish(table: pa.Table) -> pa.Table:
    names = unique_headers(table.column_names)
    table = table.rename_columns(names)
    # Header is line 1, so data row i (0-based) is line i + 2 in the file.
    numbers = pa.array(range(2, table.num_rows + 2), type=pa.int64())
    return table.append_column(ROW_COLUMN, numbers)
