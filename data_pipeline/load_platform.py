"""Participation platform exports (Go Vocal users and ideas) -> platform_activity.

Names and emails are read only to be dropped: the user becomes a keyed pseudonym (HMAC), and
birth year becomes age at the activity's date.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from data_pipeline.errors import InvalidFile
from data_pipeline.mapping import (
    UserMapping,
    area_map,
    gender_map,
    normalize_header,
    normalize_text,
)
from data_pipeline.privacy import pseudonym, pseudonym_key
from data_pipeline.readers import read_table
from data_pipeline.readers.spreadsheet import cell_text

REGISTRATION_FIELDS = {
    "gender": ("køn", "gender"),
    "birth_year": ("fødselsår", "birthyear", "birth year", "year of birth"),
    "area": ("bopæl", "domicile", "lokalområde", "område", "place of residence"),
}


def _field(headers: list[str], names: tuple[str, ...]) -> str | None:
    for header in headers:
        # Go Vocal adds " (1)" on a name clash; the first one is the registration field.
        key = normalize_header(header)
        if key in names:
            return header
    return None


def stage_platform(con, path: Path, mapping: UserMapping, lang: str, db_path: str | None):
    from data_pipeline.load import Staged
    from data_pipeline.load_reference import _stage_rejections

    raw = read_table(path)
    if raw.meta.get("format") != "govocal":
        raise InvalidFile(
            "Platformfilen genkendes ikke som en Go Vocal-eksport (users eller ideas). "
            f"Fundne kolonner: {', '.join(raw.headers[:12])}. / Not a recognised platform export."
        )
    headers = raw.headers
    lowered = {normalize_header(h): h for h in headers}
    is_ideas = "author_id" in lowered
    kind = "idea" if is_ideas else "registration"
    user_column = lowered["author_id"] if is_ideas else lowered["id"]
    when_column = (
        lowered.get("published_at") or lowered.get("submitted_at")
        if is_ideas
        else lowered.get("registration_completed_at") or lowered.get("created_at")
    )
    fields = {k: _field(headers, names) for k, names in REGISTRATION_FIELDS.items()}
    rows = raw.table.to_pylist()
    areas = con.execute("SELECT area_code, name FROM area").fetchall()
    area_values = sorted({r[fields["area"]] for r in rows if fields["area"] and r[fields["area"]]})
    amap = area_map(area_values, areas, mapping)
    gender_values = sorted(
        {r[fields["gender"]] for r in rows if fields["gender"] and r[fields["gender"]]}
    )
    gmap = gender_map(gender_values, mapping)
    key = pseudonym_key(db_path)
    out = []
    for row in rows:
        when = row.get(when_column) if when_column else None
        year = _year(when)
        birth = row.get(fields["birth_year"]) if fields["birth_year"] else None
        age = year - int(float(birth)) if (year and birth and _is_number(birth)) else None
        topics = row.get(lowered.get("topics", ""), None) if is_ideas else None
        out.append(
            (
                "govocal",
                str(row[lowered["id"]]),
                kind,
                when,
                row.get(lowered.get("project", ""), None) if is_ideas else None,
                topics,
                pseudonym(key, str(row.get(user_column) or "")),
                age if age is None or 0 <= age <= 125 else None,
                gmap.get(row.get(fields["gender"])) if fields["gender"] else None,
                amap.get(row.get(fields["area"])) if fields["area"] else None,
            )
        )

    def write(con: duckdb.DuckDBPyConnection, batch_id: int) -> int:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE stg_platform (platform VARCHAR, activity_id VARCHAR, "
            "kind VARCHAR, occurred_at VARCHAR, project VARCHAR, topic VARCHAR, user_key VARCHAR, "
            "age SMALLINT, gender VARCHAR, area_code VARCHAR)"
        )
        if out:
            con.executemany("INSERT INTO stg_platform VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", out)
        con.execute(
            "INSERT INTO platform_activity SELECT platform, activity_id, kind, "
            "try_cast(occurred_at AS TIMESTAMP), project, topic, user_key, age, "
            "coalesce(gender, 'uoplyst'), area_code, $b FROM stg_platform",
            {"b": batch_id},
        )
        return len(out)

    _stage_rejections(con, [])
    detected = {k: raw.meta.get(k) for k in ("format", "encoding", "delimiter", "sheet")}
    detected["export"] = "ideas" if is_ideas else "users"
    ignored = [
        h
        for h in headers
        if normalize_text(h) in ("email", "first_name", "last_name", "author_name", "author_email")
    ]
    return Staged(rows_read=raw.rows, detected=detected, ignored=ignored, wave_id=None, write=write)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def _year(value: str | None) -> int | None:
    text = cell_text(value) if value is not None else None
    if text and len(text) >= 4 and text[:4].isdigit():
        return int(text[:4])
    return None
