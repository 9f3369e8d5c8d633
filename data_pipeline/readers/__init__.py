"""Readers: one per source format, behind `read_table(path) -> RawTable`.

The format is decided by the file's content (magic bytes, headers), not by its extension.
"""

from __future__ import annotations

from pathlib import Path

from data_pipeline.errors import InvalidFile
from data_pipeline.readers.base import ROW_COLUMN, RawTable
from data_pipeline.readers.spreadsheet import read_xlsx
from data_pipeline.readers.text import read_delimited

__all__ = ["ROW_COLUMN", "RawTable", "read_table", "sniff_container"]

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"

MSFORMS_HEADERS = ("id", "start time", "completion time", "email", "name")


def sniff_container(path: Path) -> str:
    """'zip' (XLSX, zipped files), 'ole' (old .xls) or 'text', from the first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def read_table(path: Path, sheet: str | None = None) -> RawTable:
    path = Path(path)
    container = sniff_container(path)
    if container == "zip":
        raw = read_xlsx(path, sheet)
        raw.meta["format"] = detect_format(raw, "xlsx")
    elif container == "text":
        raw = read_delimited(path)
        raw.meta["format"] = detect_format(raw, "csv")
    elif container == "ole":
        raise InvalidFile(
            "Gamle .xls-filer understøttes ikke; gem som .xlsx. / "
            "Legacy .xls files are not supported; save as .xlsx."
        )
    else:
        raise InvalidFile("Filtypen er ukendt. / Unknown file type.")
    return raw


def detect_format(raw: RawTable, generic: str) -> str:
    lowered = [h.strip().lower() for h in raw.headers]
    if tuple(lowered[:5]) == MSFORMS_HEADERS:
        return "msforms"
    if "indhold" in lowered:
        return "dst"
    if lowered and lowered[0] in ("tidsstempel", "timestamp"):
        return "googleforms"
    govocal = {"author_id", "author_name", "registration_completed_at", "invite_status"}
    if lowered and lowered[0] == "id" and govocal & set(lowered):
        return "govocal"
    return generic
