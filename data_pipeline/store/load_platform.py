"""Participation platform exports -> platform_activity: Go Vocal and Decidim.

Owns the platform batch: reads the export under the parse time limit, has its rows turned into
activities (`ingest/platform_rows.py`), maps gender and area over distinct values, computes
ages, pseudonymises the users and writes platform_activity in the batch's transaction.

Names and emails are never read into the output: the user becomes a keyed pseudonym (HMAC),
birth year becomes age at the activity's date, and domicile becomes an area code only on an
exact or confirmed match (fuzzy ones are suggested in `detected`, never applied silently).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from data_pipeline.core.disclosure import pseudonym, pseudonym_key
from data_pipeline.core.errors import InvalidFile, headers_text
from data_pipeline.ingest.mapping import UserMapping, gender_map
from data_pipeline.ingest.parse_limit import read_table_within
from data_pipeline.ingest.platform_rows import (
    CLASH_SUFFIX,
    Activity,
    decidim_activities,
    govocal_activities,
)
from data_pipeline.ingest.readers.govocal import key as govocal_key
from data_pipeline.store.batch import Staged, stage_rejections

# Go Vocal columns that name a person: listed as ignored, never read.
PERSONAL_COLUMNS = {
    "email",
    "first_name",
    "last_name",
    "author_name",
    "author_email",
    "profile_page",
    "assignee",
    "assignee_email",
    "ip_hash",
}


def stage_platform(con, path: Path, mapping: UserMapping, lang: str, db_path: str | None):

    raw = read_table_within(path)  # under the parse time limit
    fmt = raw.meta.get("format")
    if fmt == "govocal":
        activities, rejections = govocal_activities(raw)
    elif fmt == "decidim":
        activities, rejections = decidim_activities(raw, mapping)
    else:
        raise InvalidFile(
            "Platformfilen genkendes ikke som en Go Vocal- eller Decidim-eksport. "
            f"Fundne kolonner: {headers_text(raw.headers)}. / "
            "Not a recognised platform export (Go Vocal or Decidim)."
        )
    rows, detected_maps = _finish(con, activities, mapping, pseudonym_key(db_path))

    def write(con: duckdb.DuckDBPyConnection, batch_id: int) -> int:
        _insert_activities(con, rows, batch_id)
        return len(rows)

    stage_rejections(con, rejections)
    detected = {k: raw.meta.get(k) for k in ("format", "encoding", "delimiter", "sheet")}
    detected["export"] = raw.meta.get("export") or raw.meta.get("entity")
    detected.update(detected_maps)
    ignored = [h for h in raw.headers if govocal_key(CLASH_SUFFIX.sub("", h)) in PERSONAL_COLUMNS]
    ignored += [h for h in raw.headers if h.lower().startswith(("author/name", "author/url"))]
    return Staged(
        rows_read=raw.rows,
        detected=detected,
        ignored=ignored,
        wave_id=None,
        write=write,
        rejections_sql="SELECT * FROM stg_rejections",
    )


def _finish(con, activities: list[Activity], mapping: UserMapping, key: bytes):
    """Map gender and area over distinct values; pseudonymise users; compute ages."""
    from data_pipeline.ingest.matching import match_areas

    areas = con.execute("SELECT area_code, name FROM area").fetchall()
    area_values = sorted({a.area for a in activities if a.area})
    matches = match_areas(area_values, areas, mapping)
    amap = {m.value: m.code for m in matches}
    gmap = gender_map(sorted({a.gender for a in activities if a.gender}), mapping)
    rows = []
    for a in activities:
        rows.append(
            (
                a.platform,
                a.activity_id,
                a.kind,
                a.occurred_at,
                a.project,
                a.topic,
                pseudonym(key, a.user if a.platform == "govocal" else f"decidim:{a.user}")
                if a.user
                else None,
                _age(a),
                gmap.get(a.gender) if a.gender else None,
                amap.get(a.area) if a.area else None,
            )
        )
    detected = {
        "activities": len(rows),
        "unmatched": {
            "area": sum(1 for a in activities if a.area and amap.get(a.area) is None),
            "gender": sum(1 for a in activities if a.gender and gmap.get(a.gender) is None),
        },
        "suggestions": {
            "area": {m.value: m.suggestions for m in matches if m.code is None and m.suggestions}
        },
    }
    return rows, detected


def _insert_activities(con, rows: list[tuple], batch_id: int) -> None:
    names = (
        "platform",
        "activity_id",
        "kind",
        "occurred_at",
        "project",
        "topic",
        "user_key",
        "age",
        "gender",
        "area_code",
    )
    types = {"age": pa.int16()}
    frame = pa.table(
        {n: pa.array([r[i] for r in rows], types.get(n, pa.string())) for i, n in enumerate(names)}
    )
    con.complete()
    con.register("stg_platform_arrow", frame)
    con.execute(
        "INSERT INTO platform_activity SELECT platform, activity_id, kind, "
        "try_cast(occurred_at AS TIMESTAMP), project, topic, user_key, age, "
        "coalesce(gender, 'uoplyst'), area_code, $b FROM stg_platform_arrow",
        {"b": batch_id},
    )
    con.unregister("stg_platform_arrow")


def _age(a: Activity) -> int | None:
    if a.age and _is_number(a.age):
        age = int(float(a.age))
    else:
        year = int(a.occurred_at[:4]) if a.occurred_at else None
        birth = int(float(a.birth_year)) if a.birth_year and _is_number(a.birth_year) else None
        age = year - birth if year and birth else None
    return age if age is not None and 0 <= age <= 125 else None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True
