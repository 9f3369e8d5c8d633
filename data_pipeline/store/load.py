"""Loading a file: the one entry (`ingest`) for every kind, and the survey load itself.

`ingest` guards the file, finds duplicates and hands it to the kind's stager (survey here,
reference data in `load_reference`, platform exports in `load_platform`); all of them finish
in `batch.run_batch`, one file = one batch = one transaction. The batch names are re-exported
here because callers think of loading as one place.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.column_plan import map_columns
from data_pipeline.ingest.mapping import UserMapping
from data_pipeline.ingest.parse_limit import read_table_within
from data_pipeline.ingest.scales import sort_position
from data_pipeline.ingest.uploads import check_upload
from data_pipeline.ingest.validate import require_survey_fields, stage_survey
from data_pipeline.store.batch import (
    IngestResult,
    Staged,
    db_file,
    file_sha256,
    find_duplicate,
    list_batches,
    run_batch,
    undo,
)
from data_pipeline.store.db import WRITE_LOCK
from data_pipeline.store.load_platform import stage_platform
from data_pipeline.store.load_reference import stage_reference

KINDS = ("survey", "population", "areas", "platform")
# One column whose problems reject more than this share of the non-blank rows (and at least
# COLUMN_REFUSAL_MIN_ROWS rows) refuses the file whole: that is a question worded or answered
# differently, not a few bad rows.
COLUMN_REFUSAL_SHARE = 0.20
COLUMN_REFUSAL_MIN_ROWS = 10  # in a tiny file a few bad rows are just rows to reject
ORDERED_KINDS = ("interest", "time", "engagement")


__all__ = [
    "IngestResult",
    "Staged",
    "file_sha256",
    "ingest",
    "list_batches",
    "run_batch",
    "stage_survey_file",
    "undo",
]


def ingest(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    kind: str,
    wave: str | None = None,
    mapping: UserMapping | None = None,
    actor: str = "cli",
    lang: str = "da",
    code_field: str | None = None,
    name_field: str | None = None,
    file_name: str | None = None,
    check: bool = False,
) -> IngestResult:
    """Load one file as one batch. InvalidFile means refused whole, with nothing written.

    With `check`, everything runs inside the transaction and is then rolled back: the result
    says exactly what a load would do (status "check") and the database is unchanged.
    """
    path = Path(path)
    name = file_name or path.name
    if kind not in KINDS:
        raise InvalidFile(f"Ukendt type '{kind}'. / Unknown kind '{kind}'.")
    from data_pipeline.ingest.matching import merge, remembered

    # One input guard for every path (CLI, Upload page, scheduled imports): size, type by
    # content, zip/XML bombs and column count, before any parser or the write lock.
    check_upload(path, name)
    # Confirmations the analyst made earlier apply again; this load's mapping wins.
    mapping = merge(remembered(db_file(con)), mapping or UserMapping())
    sha = file_sha256(path)
    with WRITE_LOCK:
        duplicate = find_duplicate(con, sha, kind)
        if duplicate is not None:
            return IngestResult(file=name, batch_id=duplicate, status="duplicate")
        if kind == "survey":
            staged = stage_survey_file(con, path, name, wave, mapping, lang)
            duplicate = find_duplicate(con, sha, kind, staged.content_sha256)
            if duplicate is not None:
                return IngestResult(file=name, batch_id=duplicate, status="duplicate")
        elif kind in ("population", "areas"):
            staged = stage_reference(con, path, kind, mapping, lang, code_field, name_field)
        else:
            staged = stage_platform(con, path, mapping, lang, db_path=db_file(con))
        return run_batch(con, staged, kind, name, sha, actor, check=check)


def wave_from(name: str, wave: str | None) -> str:
    if wave:
        return str(wave).strip()
    match = re.search(r"(19|20)\d\d", name)
    if not match:
        raise InvalidFile(
            f"Angiv bølgen med --wave; den kan ikke læses af filnavnet '{name}'. / "
            f"Give the wave with --wave; it cannot be read from the file name '{name}'."
        )
    return match.group(0)


def stage_survey_file(con, path: Path, name: str, wave: str | None, mapping, lang) -> Staged:
    wave_id = wave_from(name, wave)
    raw = read_table_within(path)  # under the parse time limit
    plan = map_columns(raw.headers, mapping)
    require_survey_fields(plan)
    year_match = re.search(r"(19|20)\d\d", wave_id)
    wave_year = int(year_match.group(0)) if year_match else datetime.now(UTC).year
    stage = stage_survey(con, raw, plan, mapping, wave_year, lang)
    refuse_if_one_column_fails(con, plan)  # before the reader's own skips join the rejections
    skipped = _stage_skipped_rows(con, raw.meta.get("skipped") or [])
    detected = {k: raw.meta.get(k) for k in ("format", "encoding", "delimiter", "sheet")}
    detected["header_row"] = raw.meta.get("header_row")
    detected["columns"] = {f: plan.headers[i] for f, i in plan.fields.items()}
    detected["content_sha256"] = stage.content_sha256
    warnings = list(raw.meta.get("warnings") or [])
    warnings += [f"'{header}': {note}" for header, note in plan.notes.items()]
    if warnings:
        detected["warnings"] = warnings
    if skipped:
        detected["skipped"] = skipped
    if "area" in plan.fields:
        detected["suggestions"] = {"area": _area_suggestions(con, plan.header("area"))}

    def write(con: duckdb.DuckDBPyConnection, batch_id: int) -> int:
        detected["vocabulary_added"] = _write_vocabulary(con, stage.vocabularies)
        base = con.execute("SELECT coalesce(max(respondent_id), 0) FROM respondent").fetchone()[0]
        # Row numbers are unique within a file, so base + row number is a fresh id.
        ok = "SELECT $base + row_number AS respondent_id, * FROM stg WHERE NOT has_error"
        params = {"base": base, "wave": wave_id, "b": batch_id}
        if not con.execute("SELECT count(*) FROM stg WHERE NOT has_error").fetchone()[0]:
            return 0  # refused by run_batch; no wave is created for nothing
        _upsert_wave(con, wave_id, wave_year)
        con.execute(
            f"""
            INSERT INTO respondent
            SELECT respondent_id, $wave, $b, source_id, submitted_at, age, age_band, gender,
                   area_code, postal_raw, interest, engagement_level, time_per_month,
                   consent_contact, topic_mask, format_mask, extra
            FROM ({ok})
            """,
            params,
        )
        con.execute(
            f"INSERT INTO respondent_topic SELECT respondent_id, unnest(topic_codes), NULL "
            f"FROM ({ok})",
            {"base": base},
        )
        con.execute(
            f"INSERT INTO respondent_format SELECT respondent_id, unnest(format_codes) FROM ({ok})",
            {"base": base},
        )
        # Contact details are kept only with consent, and apart from the answers.
        con.execute(
            f"""
            INSERT INTO contact
            SELECT respondent_id, name, nullif(lower(email), 'anonymous'), phone,
                   submitted_at, $src, NULL
            FROM ({ok})
            WHERE consent_contact
              AND coalesce(name, nullif(lower(email), 'anonymous'), phone) IS NOT NULL
            """,
            {"base": base, "src": name},
        )
        used = {"topic": stage.topic_codes, "format": stage.format_codes, **stage.choice_codes}
        for kind, codes in used.items():
            con.execute(
                "INSERT INTO wave_vocabulary SELECT DISTINCT $wave, $kind, code FROM "
                "(SELECT unnest($codes) AS code) WHERE code NOT IN "
                "(SELECT code FROM wave_vocabulary WHERE wave_id = $wave AND kind = $kind)",
                {"wave": wave_id, "kind": kind, "codes": sorted(codes)},
            )
        return con.execute(
            "SELECT count(*) FROM respondent WHERE batch_id = $b", {"b": batch_id}
        ).fetchone()[0]

    rejections_sql = "SELECT * FROM stg_rejections"
    return Staged(
        rows_read=raw.meta.get("rows_in_file", raw.rows),
        detected=detected,
        ignored=plan.ignored,
        wave_id=wave_id,
        write=write,
        rejections_sql=rejections_sql,
        new_values=stage.new_values,
        content_sha256=detected["content_sha256"],
    )


def refuse_if_one_column_fails(con, plan) -> None:
    """Refuse the file whole when one column rejects more than COLUMN_REFUSAL_SHARE of it.

    The message names the column, its distinct problem values with counts and how to fix it;
    the exception carries a mapping template (`ingest --write-mapping FILE` writes it).
    """
    nonblank = con.execute("SELECT count(*) FROM stg WHERE NOT is_empty").fetchone()[0]
    if not nonblank:
        return
    rows = con.execute(
        'SELECT "column", count(DISTINCT row_number) AS n FROM stg_rejections '
        'WHERE "column" IS NOT NULL GROUP BY 1 ORDER BY n DESC'
    ).fetchall()
    failing = [
        (column, n)
        for column, n in rows
        if n > COLUMN_REFUSAL_SHARE * nonblank and n >= COLUMN_REFUSAL_MIN_ROWS
    ]
    if not failing:
        return
    column, n = failing[0]
    values = con.execute(
        'SELECT value, count(*) AS k, any_value(reason) FROM stg_rejections WHERE "column" = $c '
        "GROUP BY value ORDER BY k DESC, value LIMIT 12",
        {"c": column},
    ).fetchall()
    listed = ", ".join(f"'{v}' ({k})" for v, k, _ in values)
    field_name = next((f for f, i in plan.fields.items() if plan.headers[i] == column), None)
    template = {
        "columns": {plan.headers[i]: f for f, i in plan.fields.items()},
        "values": {field_name or column: {str(v): "" for v, _, _ in values if v is not None}},
    }
    share = round(100 * n / nonblank)
    raise InvalidFile(
        f"Filen er ikke indlæst: kolonnen '{column}' afviser {n} af {nonblank} rækker "
        f"({share} %, grænsen er {round(100 * COLUMN_REFUSAL_SHARE)} %). Årsag: {values[0][2]}. "
        f"Værdierne: {listed}. Ret filen, eller skriv en mappingfil med "
        f"`--write-mapping FIL`, udfyld den og indlæs igen med `--mapping FIL`. / "
        f"The file was not loaded: column '{column}' rejects {n} of {nonblank} rows "
        f"({share} %, the limit is {round(100 * COLUMN_REFUSAL_SHARE)} %). Values: {listed}. "
        f"Fix the file, or write a mapping with `--write-mapping FILE`, fill it in and load "
        f"again with `--mapping FILE`.",
        mapping_template=template,
    )


def _area_suggestions(con, header: str) -> dict[str, list]:
    """Unknown area names with their closest known names, for the analyst to confirm."""
    from data_pipeline.ingest.matching import match_areas

    values = [
        r[0]
        for r in con.execute(
            'SELECT DISTINCT value FROM stg_rejections WHERE "column" = $h AND value IS NOT NULL '
            "ORDER BY 1 LIMIT 200",
            {"h": header},
        ).fetchall()
    ]
    if not values:
        return {}
    areas = con.execute("SELECT area_code, name FROM area").fetchall()
    return {m.value: m.suggestions for m in match_areas(values, areas) if m.code is None}


def _stage_skipped_rows(con, skipped: list[dict]) -> int:
    """Rows a reader left out on purpose (e.g. incomplete SurveyXact responses) are reported
    as rejections with the reader's reason, so nothing disappears silently."""
    if skipped:
        con.executemany(
            "INSERT INTO stg_rejections VALUES (?, ?, ?, ?)",
            [(s["row"], s["column"], s["value"], s["reason"]) for s in skipped],
        )
    return len(skipped)


def _write_vocabulary(con, vocabularies: dict) -> list[list[str]]:
    """Insert the labels this file added; returns [kind, code] pairs so undo can remove them.

    For ordered scales every label of the kind is placed on one scale read from its words
    (scales.sort_position), so "I høj grad" sorts with "Meget interesseret" across waves.
    """
    added = []
    for kind, vocab in vocabularies.items():
        for code, label_da, label_en, order, bit in vocab.new:
            con.execute(
                "INSERT INTO vocabulary (kind, code, label_da, label_en, sort_order, bit) "
                "VALUES ($kind, $code, $da, $en, $order, $bit)",
                {
                    "kind": kind,
                    "code": code,
                    "da": label_da,
                    "en": label_en,
                    "order": order,
                    "bit": bit,
                },
            )
            added.append([kind, code])
        if vocab.new and kind in ORDERED_KINDS:
            for code, label_da, *_ in vocab.rows:
                position = sort_position(kind, label_da)
                if position is not None:
                    con.execute(
                        "UPDATE vocabulary SET sort_order = $p WHERE kind = $k AND code = $c",
                        {"p": position, "k": kind, "c": code},
                    )
    return added


def _upsert_wave(con, wave_id: str, wave_year: int) -> None:
    opened, closed = con.execute(
        "SELECT min(submitted_at), max(submitted_at) FROM stg WHERE NOT has_error"
    ).fetchone()
    exists = con.execute("SELECT 1 FROM survey_wave WHERE wave_id = $w", {"w": wave_id}).fetchone()
    if exists:
        con.execute(
            "UPDATE survey_wave SET opened_at = least(opened_at, $o), closed_at = greatest(closed_at, $c) "
            "WHERE wave_id = $w",
            {"w": wave_id, "o": opened, "c": closed},
        )
        return
    con.execute(
        "INSERT INTO survey_wave VALUES ($w, $name, $year, $o, $c)",
        {
            "w": wave_id,
            "name": f"Borgerundersøgelse {wave_id}",
            "year": wave_year,
            "o": opened,
            "c": closed,
        },
    )
