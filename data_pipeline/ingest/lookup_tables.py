"""The TEMP lookup tables a survey's staging joins: each distinct answer -> its canonical value.

Counts the distinct values of every categorical column in one scan (`value_counts`), maps
them in Python (`mapping.py`) and registers the pairs as small tables (`register_map`) for an
equi-join in SQL, so the cost does not grow with the rows. Also the postal code -> area and
age -> band tables. Never rejects a row: the checks are `row_checks.py`'s.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.mapping import (
    CHOICE_FIELDS,
    UserMapping,
    area_map,
    consent_map,
    gender_map,
)
from data_pipeline.ingest.scales import is_dont_know

# A postal code gives an area only when that area holds (nearly) all of its people; a code
# that spans areas leaves the area unknown and is counted fractionally by the analyses.
POSTAL_WHOLE_SHARE = 0.999


CATEGORICAL_FIELDS = (
    "gender",
    "consent",
    "area",
    "age_band",
    "topics",
    "formats",
    *CHOICE_FIELDS,
)


def value_counts(con: duckdb.DuckDBPyConnection, col: dict) -> dict[str, dict[str, int]]:
    """Distinct values of every categorical column, with row counts, in ONE scan."""
    wanted = [f for f in CATEGORICAL_FIELDS if f in col]
    if not wanted:
        return {}
    lists = ", ".join(f"histogram({col[f]}) FILTER (WHERE {col[f]} IS NOT NULL)" for f in wanted)
    row = con.execute(f"SELECT {lists} FROM raw_in").fetchone()  # noqa: S608
    return {f: dict(sorted((values or {}).items())) for f, values in zip(wanted, row, strict=True)}


def register_map(con, name: str, pairs: list[tuple], types: str) -> None:
    """A small lookup table (source value -> canonical) for an equi-join in SQL."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({types})")
    if pairs:
        columns = [c.strip().split(" ", 1)[0] for c in types.split(",")]
        frame = pa.table({c: [p[i] for p in pairs] for i, c in enumerate(columns)})
        con.complete()
        con.register("map_arrow", frame)
        con.execute(f"INSERT INTO {name} SELECT * FROM map_arrow")  # noqa: S608
        con.unregister("map_arrow")


def build_value_maps(con, col: dict, user: UserMapping, vocabularies: dict, counts) -> None:
    """The lookup tables for gender, consent, area, postal code and age band (the choice and
    multi-select maps come with their reports, in `validate.stage_survey`)."""
    if "gender" in col:
        gmap = gender_map(list(counts["gender"]), user)
        register_map(con, "map_gender", list(gmap.items()), "raw VARCHAR, value VARCHAR")
    if "consent" in col:
        cmap = consent_map(list(counts["consent"]), user)
        register_map(con, "map_consent", list(cmap.items()), "raw VARCHAR, value BOOLEAN")
    if "area" in col:
        areas = con.execute("SELECT area_code, name FROM area").fetchall()
        if not areas:
            raise InvalidFile(
                "Der er ingen lokalområder i databasen. Indlæs områderne først "
                "(ingest --kind areas). / No areas are loaded; load the areas first."
            )
        amap = area_map(list(counts["area"]), areas, user)
        # "Ved ikke" / "Ønsker ikke at svare" as an area: the row loads with the area unknown.
        pairs = [(v, code, code is None and is_dont_know(v)) for v, code in amap.items()]
        register_map(con, "map_area", pairs, "raw VARCHAR, value VARCHAR, dont_know BOOLEAN")
    if "postal_code" in col:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE map_postal AS "
            "SELECT postal_code AS raw, "
            "CASE WHEN max(share) >= $whole THEN arg_max(area_code, share) END AS area_code, "
            "max(share) AS share FROM postal_area GROUP BY postal_code",
            {"whole": POSTAL_WHOLE_SHARE},
        )
    bands = con.execute("SELECT label, min_age, max_age FROM age_band").fetchall()
    if "age_band" in col:
        by_key = {_band_key(label): label for label, _, _ in bands}
        values = list(counts["age_band"])
        register_map(
            con,
            "map_age_band",
            [(v, by_key.get(_band_key(v))) for v in values],
            "raw VARCHAR, value VARCHAR",
        )
    pairs = [(age, label) for label, lo, hi in bands for age in range(lo, hi + 1)]
    register_map(con, "age_lookup", pairs, "age SMALLINT, band VARCHAR")


def _band_key(text: str) -> str:
    """ "25-29 år", "25 - 29", "25–29" all name the band "25-29"."""
    key = text.lower().replace("\u2013", "-").replace("år", "").replace("years", "")
    return key.replace(" ", "").replace("og derover", "+").strip()
