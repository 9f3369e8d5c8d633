"""SurveyXact decoding: codes through Labels, multi-choice 0/1 columns to option texts, and only
completed responses kept (the others reported with a reason). Reads no file; surveyxact.py does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyarrow as pa

from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.readers.base import ROW_COLUMN, RawTable, unique_headers
from data_pipeline.ingest.readers.spreadsheet import cell_text

NAME = "surveyxact"
STRUCTURE_HEADER = ("questionname", "variablename", "questiontype")
STATUS_QUESTION = "statoverall"
# SurveyXact's overall status: 1 new, 2 distributed, 3 partly answered, 4 completed, 5 dropped.
COMPLETED_CODE = "4"
COMPLETED_TEXTS = {"gennemført", "gjennomført", "completed", "fullført", "genomförd"}

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
    # survive the multi-select split in multiselect.split_column.
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


def trim_rows(rows: list[list]) -> list[list]:
    rows = list(rows)
    while rows and all(v in (None, "") for v in rows[-1]):
        rows.pop()
    return rows


def labels_dict(rows: list[list]) -> dict[tuple[str, str], str]:
    result = {}
    for row in rows:
        if len(row) >= 3 and row[0] not in (None, ""):
            key = code(row[1])
            if key is not None:
                result[(str(row[0]).strip(), key)] = clean_text(row[2])
    return result


def structure_dicts(rows: list[list]) -> list[dict[str, str]]:
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
