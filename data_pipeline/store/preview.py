"""What the Upload page shows before anything is stored: detection, a preview, the column
plan with suggestions, and a dry-run validation report with the unknown values to map.

Runs the same staging code as `ingest` (TEMP tables only) and never writes a batch. The page
stays thin: it calls these functions and draws their DataFrames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.column_plan import map_columns
from data_pipeline.ingest.mapping import SURVEY_FIELDS, UserMapping, Vocabulary, normalize_text
from data_pipeline.ingest.matching import match_areas, merge, remembered, suggest_choice
from data_pipeline.ingest.multiselect import split_column
from data_pipeline.ingest.parse_limit import read_table_within
from data_pipeline.ingest.readers import ROW_COLUMN
from data_pipeline.ingest.uploads import UTF8_BOM
from data_pipeline.store.batch import db_file
from data_pipeline.store.db import WRITE_LOCK

PREVIEW_ROWS = 20
PROBLEM_ROWS = 100
FIELD_CHOICES = ["ignore", *SURVEY_FIELDS]
GENDERS = {"kvinde": "Kvinde", "mand": "Mand", "andet": "Andet", "uoplyst": "Uoplyst"}


@dataclass
class Preview:
    detected: dict
    head: pd.DataFrame
    columns: pd.DataFrame  # header, example, suggestion (survey only)
    candidates: dict = field(default_factory=dict)  # areas: code/name property candidates


@dataclass
class Report:
    rows_read: int
    rows_rejected: int
    problems: pd.DataFrame  # row, column, value, reason (first 100)
    unknown: pd.DataFrame  # field, value, rows, suggestion, label
    detected: dict
    new_values: dict = field(default_factory=dict)  # field -> labels new to the vocabulary

    def new_values_table(self) -> pd.DataFrame:
        """One row per new answer label: field, header, label, rows, the code it could join."""
        rows = [
            (field_name, info.get("header"), item["label"], item["rows"], item.get("merge_into"))
            for field_name, info in self.new_values.items()
            for item in info.get("new", [])
        ]
        return pd.DataFrame(rows, columns=["field", "header", "label", "rows", "merge_into"])

    @property
    def rows_ok(self) -> int:
        return self.rows_read - self.rows_rejected


def preview_file(path: Path, kind: str, mapping: UserMapping | None = None) -> Preview:
    """Detected format and metadata, the first rows, and a suggested field per column."""
    if kind == "areas" and _is_boundary(path):
        return _preview_boundaries(path)
    raw = read_table_within(path)  # under the parse time limit
    meta = {k: raw.meta.get(k) for k in ("format", "encoding", "delimiter", "sheet", "header_row")}
    meta["rows"] = raw.meta.get("rows_in_file", raw.rows)
    for extra in ("export", "entity", "skipped"):
        if raw.meta.get(extra):
            meta[extra] = len(raw.meta[extra]) if extra == "skipped" else raw.meta[extra]
    head = raw.table.slice(0, PREVIEW_ROWS).drop([ROW_COLUMN]).to_pandas()
    columns = pd.DataFrame(columns=["header", "example", "suggestion"])
    if kind == "survey":
        plan = map_columns(raw.headers, mapping)
        by_index = {i: f for f, i in plan.fields.items()}
        examples = [_example(raw.table.column(h).to_pylist()) for h in raw.headers]
        columns = pd.DataFrame(
            {
                "header": raw.headers,
                "example": examples,
                "suggestion": [by_index.get(i, "ignore") for i in range(len(raw.headers))],
            }
        )
    return Preview(detected=meta, head=head, columns=columns)


def _is_boundary(path: Path) -> bool:
    head = Path(path).read_bytes()[:512]
    return head.startswith((b"PK", b"SQLite")) or head.lstrip(UTF8_BOM + b" \r\n\t")[:1] == b"{"


def _preview_boundaries(path: Path) -> Preview:
    from data_pipeline.ingest.boundaries import BoundaryError, read_boundaries

    try:
        boundaries = read_boundaries(path)
    except BoundaryError as exc:
        raise InvalidFile(str(exc)) from exc
    meta = {k: boundaries.meta.get(k) for k in ("format", "source_crs", "code_field", "name_field")}
    meta["rows"] = boundaries.meta.get("features_read")
    meta["areas"] = boundaries.meta.get("areas")
    head = pd.DataFrame(boundaries.frame[["area_code", "name"]]).head(PREVIEW_ROWS)
    return Preview(
        detected=meta,
        head=head,
        columns=pd.DataFrame(columns=["header", "example", "suggestion"]),
        candidates=boundaries.meta.get("candidates", {}),
    )


def _example(values: list) -> str:
    return next((str(v)[:60] for v in values if v not in (None, "")), "")


def check_file(
    con,
    path: Path,
    kind: str,
    wave: str | None = None,
    mapping: UserMapping | None = None,
    lang: str = "da",
    code_field: str | None = None,
    name_field: str | None = None,
    file_name: str | None = None,
) -> Report:
    """A dry run of `ingest`: the validation report and the unknown values, nothing stored."""

    mapping = merge(remembered(db_file(con)), mapping or UserMapping())
    name = file_name or Path(path).name
    with WRITE_LOCK:
        staged = _stage(con, Path(path), kind, name, wave, mapping, lang, code_field, name_field)
        if staged.rejections_sql:
            problems = con.execute(
                f'SELECT row_number AS row, "column", value, reason FROM ({staged.rejections_sql}) '  # noqa: S608
                "ORDER BY row_number LIMIT $n",
                {"n": PROBLEM_ROWS},
            ).df()
            counts = con.execute(
                f'SELECT "column", value, count(DISTINCT row_number) FROM ({staged.rejections_sql}) '  # noqa: S608
                "WHERE value IS NOT NULL GROUP BY ALL"
            ).fetchall()
            rejected = con.execute(
                f"SELECT count(DISTINCT row_number) FROM ({staged.rejections_sql})"  # noqa: S608
            ).fetchone()[0]
        else:
            problems = pd.DataFrame(columns=["row", "column", "value", "reason"])
            counts, rejected = [], 0
        unknown = _unknown_values(con, path, kind, staged.detected, counts, mapping)
    return Report(
        rows_read=staged.rows_read,
        rows_rejected=int(rejected),
        problems=problems,
        unknown=unknown,
        detected=staged.detected,
        new_values=staged.new_values,
    )


def _stage(con, path, kind, name, wave, mapping, lang, code_field, name_field):
    from data_pipeline.store.load import stage_survey_file

    if kind == "survey":
        return stage_survey_file(con, path, name, wave, mapping, lang)
    if kind in ("population", "areas"):
        from data_pipeline.store.load_reference import stage_reference

        return stage_reference(con, path, kind, mapping, lang, code_field, name_field)
    from data_pipeline.store.load_platform import stage_platform

    return stage_platform(con, path, mapping, lang, db_path=db_file(con))


def _unknown_values(con, path, kind, detected, counts, mapping) -> pd.DataFrame:
    """Areas, genders and topics the file uses but the database does not know, with the
    closest known value as a suggestion."""
    columns = detected.get("columns") or {}
    field_of = {header: f for f, header in columns.items()}
    if kind == "population":
        field_of.update({detected.get("variables", {}).get("area"): "area"})
    areas = con.execute("SELECT area_code, name FROM area").fetchall()
    names = dict(areas)
    rows = []
    for column, value, n in counts:
        target = field_of.get(column)
        if target == "area":
            [match] = match_areas([value], areas, mapping)
            best = match.suggestions[0] if match.suggestions else (None, None, None)
            rows.append(("area", value, n, best[0], best[1]))
        elif target == "gender":
            best = (suggest_choice(value, GENDERS) or [(None, None, None)])[0]
            rows.append(("gender", value, n, best[0], best[1]))
    for value, suggestions in (detected.get("suggestions", {}).get("area") or {}).items():
        if not any(r[0] == "area" and r[1] == value for r in rows):
            code, name_, _ = suggestions[0]
            rows.append(("area", value, None, code, name_ or names.get(code)))
    if kind == "survey" and "topics" in columns:
        rows.extend(_new_topics(con, path, columns["topics"], mapping))
    return pd.DataFrame(rows, columns=["field", "value", "rows", "suggestion", "label"])


def _new_topics(con, path, header: str, mapping: UserMapping) -> list[tuple]:
    """Topic labels no vocabulary entry knows: they would become new topics unless mapped."""
    vocab = Vocabulary(
        "topic",
        con.execute(
            "SELECT code, label_da, label_en, sort_order, bit FROM vocabulary WHERE kind = 'topic'"
        ).fetchall(),
    )
    options = {row[0]: row[1] for row in vocab.rows}
    user_values = {normalize_text(k) for k in mapping.values.get("topics", {})}
    raw = read_table_within(path)  # under the parse time limit
    cells = [c for c in raw.table.column(header).to_pylist() if c and c.strip()]
    split = split_column(sorted(set(cells)), vocab.labels)
    labels: dict[str, int] = {}
    for cell in cells:
        for label in split[cell]:
            if vocab.code_for(label) is None and normalize_text(label) not in user_values:
                labels[label] = labels.get(label, 0) + 1
    result = []
    for label, n in sorted(labels.items()):
        best = (suggest_choice(label, options) or [(None, None, None)])[0]
        result.append(("topics", label, n, best[0], best[1]))
    return result


def mapping_from_choices(columns: pd.DataFrame | None, values: pd.DataFrame | None) -> UserMapping:
    """The analyst's choices on the page as a UserMapping (validated like a mapping file)."""
    data: dict = {"columns": {}, "values": {}}
    if columns is not None and len(columns):
        for header, target in zip(columns["header"], columns["field"], strict=True):
            if target:
                data["columns"][header] = target
    if values is not None and len(values):
        for target, value, chosen in zip(
            values["field"], values["value"], values["choice"], strict=True
        ):
            if chosen:
                data["values"].setdefault(target, {})[value] = chosen
    return UserMapping.from_dict(data)


def value_choices(con, lang: str) -> dict[str, list[str]]:
    """What an unknown value can be mapped to, as "code · label" in the reader's language:
    every area (by code), the four genders and every topic of the vocabulary (in its order)."""
    label = "label_en" if lang == "en" else "label_da"
    areas = con.execute("SELECT area_code, name FROM area ORDER BY area_code").fetchall()
    topics = con.execute(
        f"SELECT code, {label} FROM vocabulary WHERE kind = 'topic' ORDER BY sort_order"  # noqa: S608
    ).fetchall()
    return {
        "area": [f"{code} · {name}" for code, name in areas],
        "gender": list(GENDERS),
        "topics": [f"{code} · {name}" for code, name in topics],
    }
