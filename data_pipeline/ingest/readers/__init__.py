"""Readers: one per source format, behind `read_table(path) -> RawTable`.

The format is decided by the file's content (magic bytes, sheet names, headers), never by its
extension. Each reader module registers itself in `registry` (the `Reader` interface and the
detection order); `read_table` asks the registry which reader claims the file. Tables from the
generic text and workbook readers are then named by a layout (msforms, googleforms, govocal,
decidim, dst), which recognises its headers and prepares the table.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from data_pipeline.core.errors import InvalidFile

# Importing a reader or layout module registers it.
from data_pipeline.ingest.readers import (  # noqa: F401
    decidim,
    dst,
    googleforms,
    govocal,
    msforms,
    spreadsheet,
    surveyxact,
    text,
)
from data_pipeline.ingest.readers.base import ROW_COLUMN, RawTable, content_fingerprint
from data_pipeline.ingest.readers.registry import (
    Reader,
    Source,
    detect_format,
    reader_for,
    readers,
    recognise,
    sniff_container,
)

__all__ = [
    "ROW_COLUMN",
    "RawTable",
    "Reader",
    "bundle_inputs",
    "content_fingerprint",
    "detect_format",
    "read_table",
    "recognise",
    "sniff_container",
]

# What to say about a file no reader claims, by its container.
UNCLAIMED = {
    "zip": (
        "Zip-filen indeholder hverken et regneark eller en SurveyXact-eksport. (Grænser indlæses "
        "som --kind areas.) / The zip holds neither a workbook nor a SurveyXact export. "
        "(Boundaries are loaded with --kind areas.)"
    ),
    "ole": (
        "Gamle .xls-filer understøttes ikke; gem som .xlsx. / "
        "Legacy .xls files are not supported; save as .xlsx."
    ),
}
UNKNOWN_TYPE = "Filtypen er ukendt. / Unknown file type."


def read_table(path: Path, sheet: str | None = None) -> RawTable:
    """Read any supported survey, platform or population file into a RawTable."""
    source = Source.sniff(path, sheet)
    reader = reader_for(source)
    if reader is None:
        raise InvalidFile(UNCLAIMED.get(source.container, UNKNOWN_TYPE))
    return reader.read(source)


def bundle_inputs(paths: Iterable[Path]) -> list[Path]:
    """The files to load: a file another one's reader reads along travels with it.

    Uploads and `ingest a.csv b.csv c.csv` may name all three parts of a SurveyXact CSV
    export; only the dataset is loaded (its reader finds the other two beside it).
    """
    paths = [Path(p) for p in paths]
    consumed: set[Path] = set()
    for path in paths:
        source = Source.sniff(path)
        for reader in readers():
            consumed.update(p.resolve() for p in reader.companions(source))
    return [p for p in paths if p.resolve() not in consumed]
