"""Transactional, idempotent loading: one file = one batch = one transaction; undo by batch.

Owns the batch and rejection tables and the survey load. Reference data (population, areas)
and platform exports have their own modules but share `run_batch` from here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from data_pipeline.db import WRITE_LOCK, audit
from data_pipeline.errors import InvalidFile
from data_pipeline.mapping import UserMapping, map_columns
from data_pipeline.parse_limit import read_table_within
from data_pipeline.scales import sort_position
from data_pipeline.uploads import check_upload
from data_pipeline.validate import require_survey_fields, stage_survey

KINDS = ("survey", "population", "areas", "platform")
REJECTION_PREVIEW = 100
# One column whose problems reject more than this share of the non-blank rows (and at least
# COLUMN_REFUSAL_MIN_ROWS rows) refuses the file whole: that is a question worded or answered
# differently, not a few bad rows.
COLUMN_REFUSAL_SHARE = 0.20
COLUMN_REFUSAL_MIN_ROWS = 10  # in a tiny file a few bad rows are just rows to reject
ORDERED_KINDS = ("interest", "time", "engagement")


@dataclass
class IngestResult:
    """What the CLI prints for one file (the JSON contract of `ingest --json`)."""

    file: str
    batch_id: int | None
    status: str  # loaded | duplicate | rejected
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejections: list[dict] = field(default_factory=list)
    detected: dict = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    message: str | None = None
    new_values: dict = field(default_factory=dict)  # field -> labels new to the vocabulary
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Staged:
    """A kind-specific loader's answer: counts, detection, and the inserts to run."""

    rows_read: int
    detected: dict
    ignored: list[str]
    wave_id: str | None
    write: Callable[[duckdb.DuckDBPyConnection, int], int]  # returns rows loaded
    rejections_sql: str | None = None  # SELECT row, column, value, reason from TEMP tables
    new_values: dict = field(default_factory=dict)
    content_sha256: str | None = None  # the rows' content, so a re-saved file is a duplicate


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_duplicate(
    con: duckdb.DuckDBPyConnection, sha: str, kind: str, content: str | None = None
) -> int | None:
    """A batch of this kind, not undone, with the same bytes or the same rows (content)."""
    row = con.execute(
        "SELECT batch_id FROM batch WHERE kind = $kind AND undone_at IS NULL AND (sha256 = $sha "
        "OR (CAST($content AS VARCHAR) IS NOT NULL "
        "AND json_extract_string(detected, '$.content_sha256') = $content)) "
        "ORDER BY batch_id LIMIT 1",
        {"sha": sha, "kind": kind, "content": content},
    ).fetchone()
    return row[0] if row else None


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
    from data_pipeline.matching import merge, remembered

    # One input guard for every path (CLI, Upload page, scheduled imports): size, type by
    # content, zip/XML bombs and column count, before any parser or the write lock.
    check_upload(path, name)
    # Confirmations the analyst made earlier apply again; this load's mapping wins.
    mapping = merge(remembered(_db_file(con)), mapping or UserMapping())
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
            from data_pipeline.load_reference import stage_reference

            staged = stage_reference(con, path, kind, mapping, lang, code_field, name_field)
        else:
            from data_pipeline.load_platform import stage_platform

            staged = stage_platform(con, path, mapping, lang, db_path=_db_file(con))
        return run_batch(con, staged, kind, name, sha, actor, check=check)


def _db_file(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return row[0] if row else None


def run_batch(
    con, staged: Staged, kind: str, name: str, sha: str, actor: str, check: bool = False
) -> IngestResult:
    """Everything for one file inside one transaction: batch, rows, rejections, audit.

    A load that would keep no row is refused (InvalidFile) and rolled back: "loaded" always
    means something was loaded.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        batch_id = con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM batch").fetchone()[0]
        loaded = staged.write(con, batch_id)
        refusal = _nothing_to_load(con, staged) if loaded == 0 else None
        if refusal and not check:
            raise InvalidFile(refusal)
        rejected_rows = 0
        if staged.rejections_sql:  # also in a dry run: the preview shows them
            con.execute(
                f"INSERT INTO rejection SELECT $b, * FROM ({staged.rejections_sql})",  # noqa: S608
                {"b": batch_id},
            )
            rejected_rows = con.execute(
                "SELECT count(DISTINCT row_number) FROM rejection WHERE batch_id = $b",
                {"b": batch_id},
            ).fetchone()[0]
        con.execute(
            "INSERT INTO batch VALUES ($b, $kind, $file, $sha, $wave, $read, $loaded, "
            "$rejected, $detected, $at, $actor, NULL)",
            {
                "b": batch_id,
                "kind": kind,
                "file": name,
                "sha": sha,
                "wave": staged.wave_id,
                "read": staged.rows_read,
                "loaded": loaded,
                "rejected": rejected_rows,
                "detected": json.dumps(staged.detected, ensure_ascii=False),
                "at": _now(),
                "actor": actor,
            },
        )
        audit(con, actor, "ingest", {"batch_id": batch_id, "kind": kind, "rows": loaded})
        rejections = con.execute(
            'SELECT row_number, "column", value, reason FROM rejection WHERE batch_id = $b '
            "ORDER BY row_number LIMIT $n",
            {"b": batch_id, "n": REJECTION_PREVIEW},
        ).fetchall()
        if check:
            con.execute("ROLLBACK")
        else:
            _pause_for_crash_test()
            con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return IngestResult(
        file=name,
        batch_id=None if check else batch_id,
        status=("rejected" if refusal else "check") if check else "loaded",
        message=refusal,
        rows_read=staged.rows_read,
        rows_loaded=loaded,
        rows_rejected=rejected_rows,
        rejections=[
            {"row": r, "column": c, "value": v, "reason": why} for r, c, v, why in rejections
        ],
        detected=staged.detected,
        ignored_columns=staged.ignored,
        new_values=staged.new_values,
        warnings=list(staged.detected.get("warnings") or []),
    )


def _nothing_to_load(con, staged: Staged) -> str:
    """The sentence for a file that would keep no row: why, in the rows' own words."""
    if not staged.rejections_sql:
        return "Filen indeholder ingen rækker, der kan indlæses. / The file holds no loadable rows."
    top = con.execute(
        f'SELECT "column", reason, count(*) AS n FROM ({staged.rejections_sql}) '  # noqa: S608
        "GROUP BY ALL ORDER BY n DESC LIMIT 3"
    ).fetchall()
    reasons = "; ".join(
        f"{n} × {why}" + (f" ({column})" if column else "") for column, why, n in top
    )
    return (
        f"Ingen rækker ville blive indlæst, så intet er indlæst. Afvist: {reasons}. / "
        f"No row would be loaded, so nothing was loaded. Rejected: {reasons}."
    )


def _pause_for_crash_test() -> None:
    """The crash-safety test kills the process here, after every insert and before COMMIT."""
    pause = os.environ.get("DELTAGELSESATLAS_PAUSE_BEFORE_COMMIT")
    if pause:
        print("PAUSED-BEFORE-COMMIT", flush=True)
        time.sleep(float(pause))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


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
    wave_year = int(year_match.group(0)) if year_match else _now().year
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
    from data_pipeline.matching import match_areas

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


def undo(con: duckdb.DuckDBPyConnection, batch_id: int, actor: str = "cli") -> dict:
    """Remove everything a batch loaded, in one transaction; the batch row stays as history."""
    with WRITE_LOCK:
        row = con.execute(
            "SELECT kind, undone_at FROM batch WHERE batch_id = $b", {"b": batch_id}
        ).fetchone()
        if row is None:
            raise InvalidFile(f"Batch {batch_id} findes ikke. / Batch {batch_id} does not exist.")
        if row[1] is not None:
            raise InvalidFile(f"Batch {batch_id} er allerede fortrudt. / Already undone.")
        con.execute("BEGIN TRANSACTION")
        try:
            ids = "SELECT respondent_id FROM respondent WHERE batch_id = $b"
            for table in ("respondent_topic", "respondent_format", "contact"):
                con.execute(
                    f"DELETE FROM {table} WHERE respondent_id IN ({ids})",  # noqa: S608
                    {"b": batch_id},
                )
            for table in ("respondent", "population", "platform_activity", "postal_area", "area"):
                con.execute(f"DELETE FROM {table} WHERE batch_id = $b", {"b": batch_id})  # noqa: S608
            _remove_traces(con, batch_id)
            con.execute(
                "UPDATE batch SET undone_at = $at WHERE batch_id = $b",
                {"b": batch_id, "at": _now()},
            )
            audit(con, actor, "undo", {"batch_id": batch_id})
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return {"batch_id": batch_id, "status": "undone"}


def _remove_traces(con, batch_id: int) -> None:
    """After a batch's rows are gone: waves left without answers, and the vocabulary entries
    the batch added that no remaining wave uses, go too."""
    con.execute(
        "DELETE FROM survey_wave WHERE wave_id NOT IN (SELECT DISTINCT wave_id FROM respondent)"
    )
    con.execute(
        "DELETE FROM wave_vocabulary WHERE wave_id NOT IN (SELECT wave_id FROM survey_wave)"
    )
    detected = con.execute(
        "SELECT detected FROM batch WHERE batch_id = $b", {"b": batch_id}
    ).fetchone()[0]
    added = json.loads(detected or "{}").get("vocabulary_added") or []
    for kind, code in added:
        # wave_vocabulary rows of this batch's wave: drop those no respondent still uses
        con.execute(
            "DELETE FROM wave_vocabulary w WHERE kind = $k AND code = $c AND NOT EXISTS ("
            "SELECT 1 FROM respondent r WHERE r.wave_id = w.wave_id AND ("
            "($k = 'interest' AND r.interest = $c) OR ($k = 'time' AND r.time_per_month = $c) "
            "OR ($k = 'engagement' AND r.engagement_level = $c) "
            "OR ($k = 'topic' AND r.respondent_id IN "
            "(SELECT respondent_id FROM respondent_topic WHERE topic = $c)) "
            "OR ($k = 'format' AND r.respondent_id IN "
            "(SELECT respondent_id FROM respondent_format WHERE format = $c))))",
            {"k": kind, "c": code},
        )
        con.execute(
            "DELETE FROM vocabulary WHERE kind = $k AND code = $c AND NOT EXISTS "
            "(SELECT 1 FROM wave_vocabulary WHERE kind = $k AND code = $c)",
            {"k": kind, "c": code},
        )


def list_batches(con: duckdb.DuckDBPyConnection) -> list[dict]:
    cursor = con.execute(
        "SELECT batch_id, kind, file_name, wave_id, rows_read, rows_loaded, rows_rejected, "
        "loaded_at, loaded_by, undone_at FROM batch ORDER BY batch_id"
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
