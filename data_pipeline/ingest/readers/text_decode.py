"""Delimited text's bytes made ready to parse: which encoding, and odd line endings.

Encoding: a BOM means UTF-8 or UTF-16; otherwise strict UTF-8; otherwise cp1252. We never
guess further (a cp1250 guess turns "Søren Æbelø" into "Sřren Ćbelř"). A file that is UTF-8
except a few rows (two exports pasted together) keeps UTF-8; only the odd rows are read as
cp1252, and each is named in the warnings (with its CSV record number, so the reader's row
numbers and these agree).

Line endings: LF and CRLF are kept as they are; CR-only (old Mac) and the doubled CR of CRLF
written through a text-mode writer (CR CR LF) are normalised. The bytes are touched only when
needed: the common file goes to DuckDB's parallel reader unchanged (readers/text.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.uploads import bom_encoding

# How much of the head is decoded to choose the encoding and sniff the delimiter.
HEAD_BYTES = 1 << 16

# The names meta["encoding"] uses for the codecs Python decodes with.
ENCODING_LABELS = {"utf-8-sig": "utf-8-bom", "utf-16": "utf-16-bom"}
ASCII_BYTES = bytes(range(128))
# Bytes 0x80-0xBF: cp1252's own characters (0x80-0x9F) and every UTF-8 continuation byte.
HIGH_LOW_HALF = re.compile(rb"[\x80-\xbf]")
UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
MAX_LISTED_WARNINGS = 10

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
