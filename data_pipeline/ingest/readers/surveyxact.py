"""SurveyXact exports: Excel (sheets Labels, Dataset, Structure) or three CSV files.

Codes are decoded through Labels; a multi-choice question (one 0/1 column per option) becomes
one column of chosen option texts, "A;B;", taking the option from Structure's choiceText.
Only completed responses are kept; the others are reported in meta["skipped"] with a reason,
never dropped silently. Headers become the question texts so mapping can match them.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from data_pipeline.core.errors import InvalidFile
from data_pipeline.core.scratch import scratch_root
from data_pipeline.ingest.readers.base import ROW_COLUMN, RawTable, unique_headers
from data_pipeline.ingest.readers.spreadsheet import cell_text, open_workbook, sheet_rows
from data_pipeline.ingest.readers.text import HEAD_BYTES, decode_text, first_record, sniff_delimiter

NAME = "surveyxact"
SHEETS = ("Labels", "Dataset", "Structure")
STRUCTURE_HEADER = ("questionname", "variablename", "questiontype")
STATUS_QUESTION = "statoverall"
# SurveyXact's overall status: 1 new, 2 distributed, 3 partly answered, 4 completed, 5 dropped.
COMPLETED_CODE = "4"
COMPLETED_TEXTS = {"gennemført", "gjennomført", "completed", "fullført", "genomförd"}
ZIP_MEMBER_LIMIT = 512 * 1024 * 1024  # refuse bundles that inflate beyond this

SKIPPED_REASON = (
    "Besvarelsen er ikke gennemført (SurveyXact-status '{status}'); kun gennemførte tæller",
    "The response is not completed (SurveyXact status '{status}'); only completed ones count",
)


@dataclass
class Export:
    """The three parts of an export, as text cells."""

    header: list[str]
    rows: list[list[str | None]]
    row_numbers: list[int]
    labels: dict[tuple[str, str], str]
    structure: list[dict[str, str]]


def code(value) -> str | None:
    """ "1", "1.0", 1.0 and " 1 " are the same code."""
    text = cell_text(value) if not isinstance(value, str) else value.strip()
    if text is None or text == "":
        return None
    if re.fullmatch(r"-?\d+[.,]0+", text):
        return text.split(".")[0].split(",")[0]
    return text


def clean_text(value) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()


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


def companions(path: Path) -> dict[str, Path] | None:
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
        rows=[[cell_text(v) for v in row] for row in _trim(dataset[1:])],
        row_numbers=list(range(2, len(_trim(dataset[1:])) + 2)),
        labels=_labels_dict(labels),
        structure=_structure_dicts(structure),
    )
    meta = {"encoding": None, "delimiter": None, "sheet": "Dataset", "header_row": 1}
    return decode(export, meta)


def read_csv_export(dataset: Path, labels: Path, structure: Path) -> RawTable:
    rows, data_encoding, delimiter, warnings = _read_rows(dataset)
    structure_rows, encoding, _, _ = _read_rows(structure)
    label_rows, label_encoding, _, _ = _read_rows(labels)
    if not rows:
        raise InvalidFile("SurveyXact-datasættet er tomt. / The SurveyXact dataset is empty.")
    body = _trim([[v if v != "" else None for v in row] for row in rows[1:]])
    export = Export(
        header=[clean_text(h) for h in rows[0]],
        rows=body,
        row_numbers=list(range(2, len(body) + 2)),
        labels=_labels_dict(label_rows),
        structure=_structure_dicts(structure_rows),
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
                found = companions(candidate)
                if found:
                    return read_csv_export(candidate, found["labels"], found["structure"])
    raise InvalidFile(
        "Zip-filen indeholder ikke en SurveyXact-eksport (dataset, labels og structure). / "
        "The zip does not hold a SurveyXact export (dataset, labels and structure)."
    )


# --- decoding ------------------------------------------------------------------------------


def decode(export: Export, meta: dict) -> RawTable:
    by_variable = {row["variablename"]: row for row in export.structure}
    keep, skipped = _completed_rows(export, by_variable)
    columns = _decoded_columns(export, by_variable, keep)
    headers = unique_headers([header for header, _variable, _values in columns])
    arrays = {
        h: pa.array(values, type=pa.string())
        for h, (_, _, values) in zip(headers, columns, strict=True)
    }
    arrays[ROW_COLUMN] = pa.array([export.row_numbers[i] for i in keep], type=pa.int64())
    table = pa.table(arrays)
    meta = dict(meta)
    meta.update(
        {
            "format": NAME,
            "rows": table.num_rows,
            "rows_in_file": len(export.rows),
            "skipped": skipped,
            "variables": {
                h: variable for h, (_, variable, _) in zip(headers, columns, strict=True)
            },
        }
    )
    return RawTable(table=table, meta=meta)


def _completed_rows(export: Export, by_variable: dict) -> tuple[list[int], list[dict]]:
    """Row indexes of completed responses, and a reasoned record for every other row."""
    status_vars = [
        v for v, row in by_variable.items() if row["questionname"].lower() == STATUS_QUESTION
    ]
    if STATUS_QUESTION in export.header and STATUS_QUESTION not in status_vars:
        status_vars.append(STATUS_QUESTION)
    positions = {h: i for i, h in enumerate(export.header)}
    status_vars = [v for v in status_vars if v in positions]
    if not status_vars:
        return list(range(len(export.rows))), []
    keep, skipped = [], []
    for index, row in enumerate(export.rows):
        status = _status_of(row, status_vars, positions, by_variable, export.labels)
        if status is not None and _is_completed(status):
            keep.append(index)
            continue
        label = status[1] if status else ""
        da, en = SKIPPED_REASON
        skipped.append(
            {
                "row": export.row_numbers[index],
                "column": STATUS_QUESTION,
                "value": label,
                "reason": f"{da.format(status=label)} / {en.format(status=label)}",
            }
        )
    return keep, skipped


def _status_of(row, status_vars, positions, by_variable, labels) -> tuple[str, str] | None:
    """(code, label) of a row's overall status, from one coded column or 0/1 columns."""
    for variable in status_vars:
        value = code(row[positions[variable]]) if positions[variable] < len(row) else None
        info = by_variable.get(variable, {})
        if info.get("subtype", "").lower() == "multiple":
            if value == "1":
                return code(info.get("choicevalue")), clean_text(info.get("choicetext"))
        elif value is not None:
            return value, clean_text(labels.get((variable, value), value))
    return None


def _is_completed(status: tuple[str | None, str]) -> bool:
    status_code, label = status
    return status_code == COMPLETED_CODE or label.lower() in COMPLETED_TEXTS


def _decoded_columns(export: Export, by_variable: dict, keep: list[int]) -> list[tuple]:
    """(header, variable, values) per output column: multi-choice groups become one column."""
    positions = {h: i for i, h in enumerate(export.header)}
    columns: list[tuple] = []
    seen_groups: set[str] = set()
    for variable in export.header:
        info = by_variable.get(variable)
        if info and info["questionname"].lower() == STATUS_QUESTION or variable == STATUS_QUESTION:
            continue
        if info and info.get("subtype", "").lower() == "multiple" and info.get("choicevalue"):
            group = info["questionname"]
            if group in seen_groups:
                continue
            seen_groups.add(group)
            options = [
                (positions[v], clean_text(r.get("choicetext")))
                for v, r in by_variable.items()
                if r["questionname"] == group and v in positions
            ]
            values = [_chosen(export.rows[i], options) for i in keep]
            columns.append((clean_text(info["questiontext"]) or group, group, values))
            continue
        index = positions[variable]
        raw_values = [export.rows[i][index] if index < len(export.rows[i]) else None for i in keep]
        if info and info.get("questiontype", "").lower() == "closed":
            values = [_label(export.labels, variable, v) for v in raw_values]
        else:
            values = [None if v in (None, "") else str(v) for v in raw_values]
        header = clean_text(info["questiontext"]) if info else variable
        columns.append((header or variable, variable, values))
    return columns


def _chosen(row: list, options: list[tuple[int, str]]) -> str | None:
    # Each option ends with ";" (as Microsoft Forms does), so option texts holding commas
    # survive the multi-select split in mapping.split_multi.
    picked = [text.replace(";", ",") for pos, text in options if code(_at(row, pos)) == "1"]
    return "".join(f"{text};" for text in picked) or None


def _at(row: list, position: int):
    return row[position] if position < len(row) else None


def _label(labels: dict, variable: str, value) -> str | None:
    key = code(value)
    if key is None:
        return None
    return clean_text(labels[(variable, key)]) if (variable, key) in labels else key


# --- small parsers -------------------------------------------------------------------------


def _trim(rows: list[list]) -> list[list]:
    rows = list(rows)
    while rows and all(v in (None, "") for v in rows[-1]):
        rows.pop()
    return rows


def _labels_dict(rows: list[list]) -> dict[tuple[str, str], str]:
    result = {}
    for row in rows:
        if len(row) >= 3 and row[0] not in (None, ""):
            key = code(row[1])
            if key is not None:
                result[(str(row[0]).strip(), key)] = clean_text(row[2])
    return result


def _structure_dicts(rows: list[list]) -> list[dict[str, str]]:
    if not rows:
        raise InvalidFile("Structure-arket er tomt. / The Structure sheet is empty.")
    names = [str(h or "").strip().lower() for h in rows[0]]
    if tuple(names[:3]) != STRUCTURE_HEADER:
        raise InvalidFile(
            f"Structure mangler kolonnerne questionName, variableName, questionType; fandt "
            f"{', '.join(names[:7])}. / Structure lacks questionName, variableName, questionType."
        )
    result = []
    for row in rows[1:]:
        record = {
            n: ("" if v is None else (code(v) if n == "choicevalue" else str(v)))
            for n, v in zip(names, row, strict=False)
        }
        if record.get("variablename"):
            record["choicevalue"] = record.get("choicevalue") or ""
            result.append(record)
    return result


def _read_structure(path: Path) -> list[dict[str, str]]:
    return _structure_dicts(_read_rows(path)[0])


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
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
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
