"""Readers: one per source format, behind `read_table(path) -> RawTable`.

The format is decided by the file's content (magic bytes, sheet names, headers), never by its
extension. Containers (text, workbook, zip) are read first; then one format module per source
(msforms, googleforms, govocal, decidim, dst) recognises and prepares the table. SurveyXact is
read whole by its own module because it spans three sheets or three files.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.readers import decidim, dst, googleforms, govocal, msforms, surveyxact
from data_pipeline.ingest.readers.base import ROW_COLUMN, RawTable, content_fingerprint
from data_pipeline.ingest.readers.spreadsheet import open_workbook, read_xlsx
from data_pipeline.ingest.readers.text import read_delimited

__all__ = [
    "ROW_COLUMN",
    "RawTable",
    "bundle_inputs",
    "content_fingerprint",
    "detect_format",
    "read_table",
    "sniff_container",
]

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"

# Tried in order; the first that recognises the headers names the format.
FORMATS = (msforms, googleforms, govocal, decidim, dst)


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


def is_workbook(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return "xl/workbook.xml" in archive.namelist()


def read_table(path: Path, sheet: str | None = None) -> RawTable:
    """Read any supported survey, platform or population file into a RawTable."""
    path = Path(path)
    container = sniff_container(path)
    if container == "zip":
        return _read_zip(path, sheet)
    if container == "text":
        found = surveyxact.companions(path)
        if found:
            return surveyxact.read_csv_export(path, found["labels"], found["structure"])
        return recognise(read_delimited(path), "csv", path)
    if container == "ole":
        raise InvalidFile(
            "Gamle .xls-filer understøttes ikke; gem som .xlsx. / "
            "Legacy .xls files are not supported; save as .xlsx."
        )
    raise InvalidFile("Filtypen er ukendt. / Unknown file type.")


def _read_zip(path: Path, sheet: str | None) -> RawTable:
    try:
        workbook_inside = is_workbook(path)
    except zipfile.BadZipFile as exc:
        raise InvalidFile("Zip-filen er beskadiget. / The zip file is damaged.") from exc
    if workbook_inside:
        if sheet is None and surveyxact.is_workbook_export(open_workbook(path).sheet_names):
            return surveyxact.read_workbook(path)
        return recognise(read_xlsx(path, sheet), "xlsx", path)
    if surveyxact.zip_holds_export(path):
        return surveyxact.read_zip(path)
    raise InvalidFile(
        "Zip-filen indeholder hverken et regneark eller en SurveyXact-eksport. (Grænser indlæses "
        "som --kind areas.) / The zip holds neither a workbook nor a SurveyXact export. "
        "(Boundaries are loaded with --kind areas.)"
    )


def recognise(raw: RawTable, generic: str, path: Path | None = None) -> RawTable:
    """Name the format from the headers and let its module prepare the table."""
    for module in FORMATS:
        if module.matches(raw, path):
            raw = module.prepare(raw, path) if module is decidim else module.prepare(raw)
            raw.meta["format"] = module.NAME
            return raw
    raw.meta["format"] = generic
    return raw


def detect_format(raw: RawTable, generic: str) -> str:
    """The format name only (kept for callers that already hold a table)."""
    for module in FORMATS:
        if module.matches(raw, None):
            return module.NAME
    return generic


def bundle_inputs(paths: Iterable[Path]) -> list[Path]:
    """The files to load: a SurveyXact labels/structure file travels with its dataset.

    Uploads and `ingest a.csv b.csv c.csv` may name all three parts of a SurveyXact CSV
    export; only the dataset is loaded (its reader finds the other two beside it).
    """
    paths = [Path(p) for p in paths]
    consumed: set[Path] = set()
    for path in paths:
        if sniff_container(path) != "text":
            continue
        found = surveyxact.companions(path)
        if found:
            consumed.update(p.resolve() for p in found.values())
    return [p for p in paths if p.resolve() not in consumed]
