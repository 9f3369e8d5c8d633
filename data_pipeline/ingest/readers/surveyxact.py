"""SurveyXact exports: Excel (sheets Labels, Dataset, Structure) or three CSV files.

This module recognises and reads the three kinds of export and registers their readers;
surveyxact_decode.py decodes them: codes through Labels, a multi-choice question (one 0/1
column per option) as one column of chosen option texts, "A;B;", and only completed responses
kept (the others reported in meta["skipped"] with a reason, never dropped silently). Headers
become the question texts so mapping can match them.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from pathlib import Path

from data_pipeline.core.errors import InvalidFile
from data_pipeline.core.scratch import scratch_root
from data_pipeline.ingest.readers.base import RawTable
from data_pipeline.ingest.readers.registry import Source, register
from data_pipeline.ingest.readers.spreadsheet import cell_text, open_workbook, sheet_rows
from data_pipeline.ingest.readers.surveyxact_decode import (
    STRUCTURE_HEADER,
    Export,
    clean_text,
    code,
    decode,
    labels_dict,
    structure_dicts,
    trim_rows,
)
from data_pipeline.ingest.readers.text import first_record, sniff_delimiter
from data_pipeline.ingest.readers.text_decode import HEAD_BYTES, decode_text
from data_pipeline.ingest.uploads import bom_encoding

SHEETS = ("Labels", "Dataset", "Structure")
ZIP_MEMBER_LIMIT = 512 * 1024 * 1024  # refuse bundles that inflate beyond this


# --- recognising ---------------------------------------------------------------------------


def is_workbook_export(sheet_names: list[str]) -> bool:
    return {"Dataset", "Structure"} <= set(sheet_names)


def csv_role(path: Path) -> str | None:
    """'structure', 'labels' or 'dataset' for a SurveyXact CSV file, judged by content."""
    first = _first_fields(path)
    if first is None:
        return None
    fields = [f.strip().lower() for f in first]
    if tuple(fields[:3]) == STRUCTURE_HEADER:
        return "structure"
    if len(fields) == 3 and re.fullmatch(r"[a-z][a-z0-9_]*", fields[0]) and code(fields[1]):
        return "labels"
    return None


def companion_files(path: Path) -> dict[str, Path] | None:
    """The labels and structure files beside a dataset file, when they describe its columns."""
    path = Path(path)
    if csv_role(path) is not None:
        return None
    found: dict[str, Path] = {}
    try:
        siblings = sorted(path.parent.iterdir())
    except OSError:
        return None
    for sibling in siblings:
        name = sibling.name.lower()
        if sibling == path or not sibling.is_file() or not name.endswith((".csv", ".txt")):
            continue
        # The name only narrows the search; the content decides.
        if "struct" in name or "label" in name:
            role = csv_role(sibling)
            if role and role not in found:
                found[role] = sibling
    if set(found) != {"structure", "labels"}:
        return None
    variables = {row["variablename"] for row in _read_structure(found["structure"])}
    header = {h.strip() for h in _first_fields(path) or []}
    if not header or len(header & variables) < max(1, len(header) // 2):
        return None
    return found


def zip_holds_export(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        names = [n.lower() for n in archive.namelist()]
    return any("struct" in n and n.endswith(".csv") for n in names) and any(
        "label" in n and n.endswith(".csv") for n in names
    )


# --- reading -------------------------------------------------------------------------------


def read_workbook(path: Path) -> RawTable:
    workbook = open_workbook(path)
    missing = [s for s in SHEETS if s not in workbook.sheet_names]
    if missing:
        raise InvalidFile(
            f"SurveyXact-filen mangler arket {', '.join(missing)}. / "
            f"The SurveyXact file lacks the sheet {', '.join(missing)}."
        )
    dataset = sheet_rows(workbook, "Dataset")
    structure = sheet_rows(workbook, "Structure")
    labels = sheet_rows(workbook, "Labels")
    export = Export(
        header=[clean_text(h) for h in dataset[0]],
        rows=[[cell_text(v) for v in row] for row in trim_rows(dataset[1:])],
        row_numbers=list(range(2, len(trim_rows(dataset[1:])) + 2)),
        labels=labels_dict(labels),
        structure=structure_dicts(structure),
    )
    meta = {"encoding": None, "delimiter": None, "sheet": "Dataset", "header_row": 1}
    return decode(export, meta)


def read_csv_export(dataset: Path, labels: Path, structure: Path) -> RawTable:
    rows, data_encoding, delimiter, warnings = _read_rows(dataset)
    structure_rows, encoding, _, _ = _read_rows(structure)
    label_rows, label_encoding, _, _ = _read_rows(labels)
    if not rows:
        raise InvalidFile("SurveyXact-datasættet er tomt. / The SurveyXact dataset is empty.")
    body = trim_rows([[v if v != "" else None for v in row] for row in rows[1:]])
    export = Export(
        header=[clean_text(h) for h in rows[0]],
        rows=body,
        row_numbers=list(range(2, len(body) + 2)),
        labels=labels_dict(label_rows),
        structure=structure_dicts(structure_rows),
    )
    meta = {
        # The texts live in structure and labels; an all-ASCII dataset says little.
        "encoding": encoding,
        "encodings": {"dataset": data_encoding, "labels": label_encoding, "structure": encoding},
        "delimiter": delimiter,
        "sheet": None,
        "header_row": 1,
        "files": [dataset.name, labels.name, structure.name],
    }
    if warnings:
        meta["warnings"] = warnings
    return decode(export, meta)


def read_zip(path: Path) -> RawTable:
    """A zip of the three CSV files: extracted to a private temp dir, size-checked first."""
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
        if sum(m.file_size for m in members) > ZIP_MEMBER_LIMIT:
            raise InvalidFile("Zip-filen er for stor udpakket. / The zip inflates too much.")
        # In the private scratch directory: a killed load leaves it to the sweep, not to /tmp.
        with tempfile.TemporaryDirectory(dir=scratch_root()) as folder:
            paths = []
            for member in members:
                target = Path(folder) / Path(member.filename).name  # no paths from the zip
                target.write_bytes(archive.read(member))
                paths.append(target)
            for candidate in paths:
                found = companion_files(candidate)
                if found:
                    return read_csv_export(candidate, found["labels"], found["structure"])
    raise InvalidFile(
        "Zip-filen indeholder ikke en SurveyXact-eksport (dataset, labels og structure). / "
        "The zip does not hold a SurveyXact export (dataset, labels and structure)."
    )


def _read_structure(path: Path) -> list[dict[str, str]]:
    return structure_dicts(_read_rows(path)[0])


def _read_rows(path: Path) -> tuple[list[list[str]], str, str, list[str]]:
    """Rows, encoding label, delimiter and decoding warnings: the same decoding and sniffing
    as any other CSV file (readers.text)."""
    text, encoding, warnings = decode_text(Path(path).read_bytes())
    delimiter = sniff_delimiter(text[:HEAD_BYTES], strict=False)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InvalidFile(
            f"Kan ikke læse {Path(path).name}. / Cannot parse {Path(path).name}."
        ) from exc
    return rows, encoding, delimiter, warnings


def _first_fields(path: Path) -> list[str] | None:
    """The first record's fields, from the file's head; None for unreadable or binary files."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8192)
    except OSError:
        return None
    utf16 = bom_encoding(head) == "utf-16"
    if b"\x00" in head and not utf16:
        return None
    cut = max(head.rfind(b"\n"), head.rfind(b"\r"))
    if len(head) == 8192 and cut > 0 and not utf16:
        head = head[: cut + 1]  # no character cut in half at the end
    try:
        text, _, _ = decode_text(head)
    except (InvalidFile, UnicodeDecodeError):
        text = head.decode("cp1252", errors="replace")
    return first_record(text)


# --- the three readers, in the registry's detection order ---------------------------------


class WorkbookExport:
    """Sheets Dataset, Structure and Labels in one workbook (when no sheet is asked for)."""

    name = "surveyxact-workbook"

    def claims(self, source: Source) -> bool:
        if source.container != "zip" or not source.is_workbook or source.sheet is not None:
            return False
        return is_workbook_export(open_workbook(source.path).sheet_names)

    def read(self, source: Source) -> RawTable:
        return read_workbook(source.path)

    def companions(self, source: Source) -> list[Path]:
        return []


class ZipExport:
    """A zip (not a workbook) holding the three CSV files."""

    name = "surveyxact-zip"

    def claims(self, source: Source) -> bool:
        return (
            source.container == "zip" and not source.is_workbook and zip_holds_export(source.path)
        )

    def read(self, source: Source) -> RawTable:
        return read_zip(source.path)

    def companions(self, source: Source) -> list[Path]:
        return []


class CsvExport:
    """A dataset CSV with its labels and structure files beside it; those two are not loaded
    on their own when they are named together with it."""

    name = "surveyxact-csv"

    def claims(self, source: Source) -> bool:
        return bool(self._found(source))

    def read(self, source: Source) -> RawTable:
        found = self._found(source)
        return read_csv_export(source.path, found["labels"], found["structure"])

    def companions(self, source: Source) -> list[Path]:
        return list((self._found(source) or {}).values())

    def _found(self, source: Source) -> dict[str, Path] | None:
        if source.container != "text":
            return None
        return source.once(self.name, lambda: companion_files(source.path))


register(WorkbookExport())
register(ZipExport())
register(CsvExport())
