"""Delimited text (CSV/TSV): encoding detection, delimiter sniffing and fast parsing.

Encoding: a BOM means UTF-8 or UTF-16; otherwise strict UTF-8; otherwise cp1252. We never
guess further (a cp1250 guess turns "Søren Æbelø" into "Sřren Ćbelř"). A file that is UTF-8
except a few rows (two exports pasted together) keeps UTF-8; only the odd rows are read as
cp1252, and each is named in meta["warnings"].

Line endings: LF and CRLF are read as they are; CR-only (old Mac) and the doubled CR of
CRLF written through a text-mode writer (CR CR LF) are normalised before parsing.

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
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from data_pipeline.core.errors import InvalidFile
from data_pipeline.core.scratch import scratch_file
from data_pipeline.ingest.readers.base import ROW_COLUMN, RawTable, blank_row_count, unique_headers
from data_pipeline.ingest.readers.registry import Source, recognise, register
from data_pipeline.ingest.uploads import bom_encoding

DELIMITERS = (";", ",", "\t")
# The names meta["encoding"] uses for the codecs Python decodes with.
ENCODING_LABELS = {"utf-8-sig": "utf-8-bom", "utf-16": "utf-16-bom"}
HEAD_BYTES = 1 << 16
ASCII_BYTES = bytes(range(128))
# Bytes 0x80-0xBF: cp1252's own characters (0x80-0x9F) and every UTF-8 continuation byte.
HIGH_LOW_HALF = re.compile(rb"[\x80-\xbf]")
UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
QUOTED_NEWLINE_ERROR = "quoted new lines"
MAX_LISTED_WARNINGS = 10
SNIFF_RECORDS = 20

RECODED_WARNING = (
    "Række {row} var ikke UTF-8 og er læst som Windows-1252",
    "Row {row} was not UTF-8 and was read as Windows-1252",
)
UTF8_IN_CP1252_WARNING = (
    "Række {row} var UTF-8 i en Windows-1252-fil og er læst som UTF-8",
    "Row {row} was UTF-8 in a Windows-1252 file and was read as UTF-8",
)
MORE_WARNINGS = (
    "… og {count} rækker mere med samme problem",
    "… and {count} more rows with the same problem",
)


def detect_encoding(data: bytes) -> str:
    """'utf-8-sig', 'utf-16', 'utf-8' or 'cp1252' (the file as a whole; see `prepare`)."""
    announced = bom_encoding(data)
    if announced is not None:
        return announced
    if data.isascii():
        return "utf-8"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def encoding_label(encoding: str) -> str:
    return ENCODING_LABELS.get(encoding, encoding)


# --- bytes ready to parse ------------------------------------------------------------------


@dataclass
class Prepared:
    """A file's bytes made ready to parse: `encoding` is what DuckDB reads them as."""

    data: bytes
    encoding: str  # "utf-8" or "latin-1"
    label: str  # for meta["encoding"]
    changed: bool  # the bytes differ from the file's, so they are parsed from a temp file
    warnings: list[str] = field(default_factory=list)
    recoded_rows: list[int] = field(default_factory=list)


def prepare(data: bytes) -> Prepared:
    """Decide the encoding and normalise odd line endings, touching the bytes only if needed."""
    encoding = detect_encoding(data)
    changed = False
    if encoding == "utf-16":
        # UTF-16 is rare and small in practice: decode it whole and take the transcoding path.
        data = _decode(data, encoding).lstrip("\ufeff").encode("utf-8")
        changed = True
    data, normalised = normalise_line_endings(data)
    changed = changed or normalised
    label = encoding_label(encoding)
    if encoding == "utf-8-sig" and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = "mixed"
    if encoding == "cp1252" and not HIGH_LOW_HALF.search(data.translate(None, ASCII_BYTES)):
        # Without bytes 0x80-0xBF there is neither a cp1252-only character nor any UTF-8
        # sequence: cp1252 and latin-1 are the same here, and DuckDB reads latin-1 natively.
        return Prepared(data, "latin-1", label, changed)
    if encoding in ("cp1252", "mixed"):
        text, label, warnings, rows = _decode_line_by_line(data, label)
        return Prepared(text.encode("utf-8"), "utf-8", label, True, warnings, rows)
    return Prepared(data, "utf-8", label, changed)


def normalise_line_endings(data: bytes) -> tuple[bytes, bool]:
    """CR-only and CR CR LF line endings become LF and CRLF; others are left alone.

    Judged on the head: a file whose lines end in a lone CR has more lone CRs than LFs (an LF
    there is a line break inside a quoted cell).
    """
    head = data[:HEAD_BYTES]
    if b"\r" not in head:
        return data, False
    if b"\r\r\n" in head:
        return re.sub(rb"\r+\n", b"\r\n", data), True
    crlf = head.count(b"\r\n")
    if head.count(b"\r") - crlf > head.count(b"\n") - crlf:
        return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n"), True
    return data, False


def decode_text(data: bytes) -> tuple[str, str, list[str]]:
    """The whole file as text (no BOM, line endings normalised), its label and any warnings."""
    prepared = prepare(data)
    text = prepared.data.decode(prepared.encoding).lstrip("\ufeff")
    return text, prepared.label, prepared.warnings


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InvalidFile(
            f"Filen kan ikke læses som {encoding}. / Cannot decode as {encoding}."
        ) from exc


def _decode_line_by_line(data: bytes, label: str) -> tuple[str, str, list[str], list[int]]:
    """A file that is not UTF-8 as a whole: cp1252, or UTF-8 with a few cp1252 rows.

    Each line is UTF-8 if it decodes as UTF-8, else cp1252. The encoding most lines use names
    the file; every line in the other encoding is reported by its record number.
    """
    if label != "utf-8-bom" and not UTF8_SEQUENCE.search(data):
        return _decode(data, "cp1252"), "cp1252", [], []
    lines = data.split(b"\n")
    decoded: list[str] = []
    utf8_lines: list[int] = []
    cp1252_lines: list[int] = []
    for index, line in enumerate(lines):
        if line.isascii():
            decoded.append(line.decode("ascii"))
            continue
        try:
            decoded.append(line.decode("utf-8"))
            utf8_lines.append(index)
        except UnicodeDecodeError:
            try:
                decoded.append(line.decode("cp1252"))
            except UnicodeDecodeError as exc:
                row = _record_numbers(lines)[index]
                raise InvalidFile(
                    f"Række {row} kan hverken læses som UTF-8 eller Windows-1252. / "
                    f"Row {row} is neither UTF-8 nor Windows-1252."
                ) from exc
            cp1252_lines.append(index)
    text = "\n".join(decoded)
    if len(utf8_lines) >= len(cp1252_lines) or label == "utf-8-bom":
        label = label if label == "utf-8-bom" else "utf-8"
        odd, template = cp1252_lines, RECODED_WARNING
    else:
        label = "cp1252"
        odd, template = utf8_lines, UTF8_IN_CP1252_WARNING
    numbers = _record_numbers(lines)
    rows = sorted({numbers[i] for i in odd})
    warnings = [f"{template[0]} / {template[1]}".format(row=row) for row in rows]
    if len(warnings) > MAX_LISTED_WARNINGS:
        more = len(warnings) - MAX_LISTED_WARNINGS
        warnings = warnings[:MAX_LISTED_WARNINGS] + [
            f"{MORE_WARNINGS[0]} / {MORE_WARNINGS[1]}".format(count=more)
        ]
    return text, label, warnings, rows


def _record_numbers(lines: list[bytes]) -> list[int]:
    """The CSV record (header = 1) each physical line belongs to: a line break inside quotes
    continues the record."""
    numbers = []
    record = 1
    inside_quotes = False
    for line in lines:
        numbers.append(record)
        if line.count(b'"') % 2:
            inside_quotes = not inside_quotes
        if not inside_quotes:
            record += 1
    return numbers


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
