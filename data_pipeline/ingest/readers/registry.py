"""Who reads a file: the `Reader` interface, the registry of readers and of table layouts, and
their detection order. Reader modules register themselves; this module knows no format.

A file is sniffed once into a `Source`; the first reader in READER_ORDER that claims it reads
it. The generic text and workbook readers then hand their table to `recognise`, where the first
layout in LAYOUT_ORDER whose headers match names the format and prepares the table.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Protocol

from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.readers.base import RawTable
from data_pipeline.ingest.uploads import ZIP_MAGIC, bom_encoding

OLE_MAGIC = b"\xd0\xcf\x11\xe0"

# SurveyXact comes before the generic readers: its exports are workbooks and CSV files too.
READER_ORDER = ("surveyxact-workbook", "xlsx", "surveyxact-zip", "surveyxact-csv", "csv")
LAYOUT_ORDER = ("msforms", "googleforms", "govocal", "decidim", "dst")


def sniff_container(path: Path) -> str:
    """'zip' (XLSX, zipped files), 'ole' (old .xls), 'binary' or 'text', from the first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if b"\x00" in head and bom_encoding(head) != "utf-16":
        return "binary"
    return "text"


@dataclass
class Source:
    """A file before it is read: its container, the sheet asked for, and what claims found."""

    path: Path
    container: str
    sheet: str | None = None
    found: dict = field(default_factory=dict, repr=False)

    @classmethod
    def sniff(cls, path: str | Path, sheet: str | None = None) -> Source:
        path = Path(path)
        return cls(path=path, container=sniff_container(path), sheet=sheet)

    @cached_property
    def is_workbook(self) -> bool:
        """A zip holding xl/workbook.xml; a damaged zip is refused here, whoever asks first."""
        try:
            with zipfile.ZipFile(self.path) as archive:
                return "xl/workbook.xml" in archive.namelist()
        except zipfile.BadZipFile as exc:
            raise InvalidFile("Zip-filen er beskadiget. / The zip file is damaged.") from exc

    def once(self, key: str, compute: Callable[[], object]):
        """What a reader's claim looked up (sheet names, companion files), kept for its read."""
        if key not in self.found:
            self.found[key] = compute()
        return self.found[key]


class Reader(Protocol):
    """One file format: does it claim this file, read it, and which other files it reads too."""

    name: str

    def claims(self, source: Source) -> bool: ...

    def read(self, source: Source) -> RawTable: ...

    def companions(self, source: Source) -> list[Path]: ...


@dataclass(frozen=True)
class Layout:
    """A source's layout inside a generic table (a Forms export, a platform export, DST)."""

    name: str
    matches: Callable[[RawTable, Path | None], bool]
    prepare: Callable[[RawTable, Path | None], RawTable]


_READERS: dict[str, Reader] = {}
_LAYOUTS: dict[str, Layout] = {}


def register(reader: Reader) -> Reader:
    if reader.name not in READER_ORDER:
        raise ValueError(f"Reader {reader.name!r} has no place in READER_ORDER")
    _READERS[reader.name] = reader
    return reader


def register_layout(layout: Layout) -> Layout:
    if layout.name not in LAYOUT_ORDER:
        raise ValueError(f"Layout {layout.name!r} has no place in LAYOUT_ORDER")
    _LAYOUTS[layout.name] = layout
    return layout


def readers() -> list[Reader]:
    """The registered readers in detection order."""
    return [_READERS[name] for name in READER_ORDER if name in _READERS]


def layouts() -> list[Layout]:
    return [_LAYOUTS[name] for name in LAYOUT_ORDER if name in _LAYOUTS]


def reader_for(source: Source) -> Reader | None:
    """The first reader, in detection order, that claims the file."""
    return next((reader for reader in readers() if reader.claims(source)), None)


def recognise(raw: RawTable, generic: str, path: Path | None = None) -> RawTable:
    """Name the format from the headers and let its layout prepare the table."""
    for layout in layouts():
        if layout.matches(raw, path):
            raw = layout.prepare(raw, path)
            raw.meta["format"] = layout.name
            return raw
    raw.meta["format"] = generic
    return raw


def detect_format(raw: RawTable, generic: str) -> str:
    """The format name only (for callers that already hold a table)."""
    return next((layout.name for layout in layouts() if layout.matches(raw, None)), generic)
