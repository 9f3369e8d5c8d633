"""Staging a survey: the whole-file checks, then every row into TEMP tables.

`stage_survey` is the entry: it puts the file's cells in a view under positional names, runs
the whole-file checks, fingerprints the content, and has the lookup tables
(`lookup_tables.py`) and the staging table with its rejections (`row_checks.py`) built.

A whole-file problem raises InvalidFile naming the field and the headers found. Row problems
become (row, column, value, reason) records in a staging table; the rest of the file loads.
Staging tables are TEMP: they vanish with the connection and never touch the canonical model.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field

import duckdb

from data_pipeline.core.errors import InvalidFile, headers_text
from data_pipeline.ingest.column_plan import ColumnPlan
from data_pipeline.ingest.lookup_tables import build_value_maps, register_map, value_counts
from data_pipeline.ingest.mapping import (
    CHOICE_FIELDS,
    EXTRA_PREFIX,
    MULTI_FIELDS,
    UserMapping,
    Vocabulary,
    refuse_contact_extra,
)
from data_pipeline.ingest.multiselect import map_multi_column
from data_pipeline.ingest.readers import ROW_COLUMN, RawTable
from data_pipeline.ingest.row_checks import create_stage_table
from data_pipeline.ingest.scales import map_choice_column


def require_survey_fields(plan: ColumnPlan) -> None:
    """A survey without a place or an age field cannot be compared with the population."""
    found = headers_text(plan.headers)
    hints = " ".join(f"'{h}': {note}" for h, note in plan.notes.items() if "Ligner" in note)
    found = f"{found}. {hints}" if hints else found
    if "area" not in plan.fields and "postal_code" not in plan.fields:
        raise InvalidFile(
            f"Filen mangler en kolonne for lokalområde eller postnummer. Fundne kolonner: {found}. "
            f"/ The file has no area or postal code column. Headers found: {found}."
        )
    if not {"age", "birth_year", "age_band"} & set(plan.fields):
        raise InvalidFile(
            f"Filen mangler en kolonne for alder, fødselsår eller aldersgruppe. Fundne kolonner: "
            f"{found}. / The file has no age, birth year or age band column. Headers: {found}."
        )


@dataclass
class SurveyStage:
    """What staging learned: the new vocabulary entries and the wave's own answer labels."""

    vocabularies: dict[str, Vocabulary]
    topic_codes: set[str]
    format_codes: set[str]
    new_values: dict[str, dict] = field(default_factory=dict)  # field -> report (JSON)
    content_sha256: str | None = None  # what the rows say, for duplicates by content
    choice_codes: dict[str, set[str]] = field(default_factory=dict)  # kind -> codes used


def stage_survey(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    plan: ColumnPlan,
    user: UserMapping,
    wave_year: int,
    lang: str = "da",
) -> SurveyStage:
    """Normalise every mapped column into TEMP table `stg` with a list of errors per row."""
    # Source headers never reach SQL: columns are renamed to positional names c0, c1, ...
    names = [f"c{i}" for i in range(len(raw.headers))] + [ROW_COLUMN]
    table = raw.table.select([*raw.headers, ROW_COLUMN]).rename_columns(names)
    con.complete()  # DuckDB 2 refuses register() while an earlier result is half-read
    con.register("raw_arrow", table)
    trimmed = ", ".join(f"nullif(trim(c{i}), '') AS c{i}" for i in range(len(raw.headers)))
    # A view, not a copy: DuckDB scans the Arrow buffers in place.
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW raw_in AS SELECT {trimmed}, {ROW_COLUMN} FROM raw_arrow"
    )
    _choose_contact_columns(con, plan)
    _refuse_contact_extras(con, plan)
    content = _content_fingerprint(con, raw.headers)

    col = {f: f"c{i}" for f, i in plan.fields.items()}
    vocabularies = {
        kind: Vocabulary(
            kind,
            con.execute(
                "SELECT code, label_da, label_en, sort_order, bit FROM vocabulary "
                "WHERE kind = $k ORDER BY sort_order",
                {"k": kind},
            ).fetchall(),
        )
        for kind in ("topic", "format", "interest", "time", "engagement")
    }
    counts = value_counts(con, col)
    stage = SurveyStage(
        vocabularies=vocabularies,
        topic_codes=set(),
        format_codes=set(),
        content_sha256=content,
    )
    build_value_maps(con, col, user, vocabularies, counts)
    for field_name, kind in CHOICE_FIELDS.items():
        if field_name in col:
            codes, problems, report = map_choice_column(
                counts[field_name], vocabularies[kind], user, field_name, plan.header(field_name)
            )
            pairs = [(raw_value, codes[raw_value], problems.get(raw_value)) for raw_value in codes]
            register_map(
                con, f"map_{field_name}", pairs, "raw VARCHAR, value VARCHAR, problem VARCHAR"
            )
            stage.choice_codes[kind] = {c for c in codes.values() if c}
            if report.new or report.typos:
                stage.new_values[field_name] = report.to_json()
    for field_name, kind in MULTI_FIELDS.items():
        if field_name in col:
            mm, new = map_multi_column(counts[field_name], vocabularies[kind], user, field_name)
            pairs = [(cell, mm.codes[cell], mm.masks[cell]) for cell in mm.codes]
            register_map(
                con, f"map_{field_name}", pairs, "raw VARCHAR, codes VARCHAR[], mask UBIGINT"
            )
            seen = {code for codes in mm.codes.values() for code in codes}
            if field_name == "topics":
                stage.topic_codes = seen
            else:
                stage.format_codes = seen
            if new:
                stage.new_values[field_name] = {"header": plan.header(field_name), "new": new}
    create_stage_table(con, col, plan, wave_year, lang)
    return stage


def _content_fingerprint(con, headers: list[str]) -> str:
    """What a file says, not how it is written: the same rows re-saved by Excel (a BOM, CRLF,
    a blank row more, another encoding, rows in another order) give the same fingerprint.

    Cells are trimmed, empty equals missing, carriage returns inside cells are dropped and
    blank rows are left out; each row is hashed with DuckDB's 64-bit hash and the rows are
    combined order-free (count, sum and xor of the hashes), which costs one parallel scan
    (0.4 s at 1 M rows, against 3-4 s for a SHA-256 over the cells).
    """
    cells = ", ".join(f"replace(c{i}, chr(13), '')" for i in range(len(headers)))
    if not cells:
        return hashlib.sha256(b"").hexdigest()
    count, total, xor = con.execute(
        f"SELECT count(*), coalesce(sum(hash({cells})::HUGEINT), 0), "  # noqa: S608
        f"coalesce(bit_xor(hash({cells})), 0) FROM raw_in WHERE coalesce({cells}) IS NOT NULL"
    ).fetchone()
    names = json.dumps([unicodedata.normalize("NFC", h).strip() for h in headers])
    return hashlib.sha256(f"{names}|{count}|{total}|{xor}".encode()).hexdigest()


# Contact details by content: most filled cells of an extra.* column are e-mails or phone
# numbers (8+ digits, maybe +, spaces, dashes). Names are caught by the header (mapping.py).
EMAIL_CELL = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"
PHONE_CELL = r"^\+?[0-9][0-9 ()\-]{6,}[0-9]$"


def _refuse_contact_extras(con, plan: ColumnPlan) -> None:
    """An extra.* answer column may not hold contact data, whatever its header says."""
    for field_name, index in plan.fields.items():
        if not field_name.startswith(EXTRA_PREFIX):
            continue
        refuse_contact_extra(plan.headers[index], field_name)
        filled, contact = con.execute(
            f"SELECT count(c{index}), count(*) FILTER (WHERE "  # noqa: S608
            f"regexp_matches(c{index}, $email) OR regexp_matches(c{index}, $phone)) FROM raw_in",
            {"email": EMAIL_CELL, "phone": PHONE_CELL},
        ).fetchone()
        if filled and contact > filled / 2:
            raise InvalidFile(
                f"Kolonnen '{plan.headers[index][:40]}' indeholder mest e-mailadresser eller "
                f"telefonnumre og kan ikke gemmes som svar ('{field_name}'). Kortlæg den til "
                "email eller phone, eller udelad den. / The column holds mostly e-mail addresses "
                "or phone numbers and cannot be stored as an answer; map it to email or phone, "
                "or leave it out."
            )


def _choose_contact_columns(con, plan: ColumnPlan) -> None:
    """Of two columns naming the same contact field, keep the one that holds contact data.

    Microsoft Forms writes its own "Mail" (= "anonymous") and "Navn" (empty) columns before the
    questions; the question columns are the ones with the details.
    """
    for field_name, others in plan.alternates.items():
        candidates = [plan.fields[field_name], *others]
        filled = {
            index: con.execute(
                f"SELECT count(*) FROM raw_in WHERE c{index} IS NOT NULL "  # noqa: S608
                f"AND lower(c{index}) NOT IN ('anonymous', 'anonym')"
            ).fetchone()[0]
            for index in candidates
        }
        best = max(candidates, key=lambda i: (filled[i], i))
        plan.fields[field_name] = best
        plan.ignored.extend(plan.headers[i] for i in candidates if i != best)
