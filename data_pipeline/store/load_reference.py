"""Reference data: which loader a file goes to (population, area boundaries, postal codes),
and the area boundaries and postal-code tables themselves.

The population table from Statistics Denmark is staged by load_population.py; its labels are
decoded by dst_labels.py.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.mapping import UserMapping, area_map
from data_pipeline.ingest.parse_limit import read_table_within
from data_pipeline.ingest.readers import ROW_COLUMN, sniff_container
from data_pipeline.store.batch import Staged, stage_rejections
from data_pipeline.store.dst_labels import find_column
from data_pipeline.store.load_population import stage_population

POSTAL_COLUMNS = {
    "postal_code": ("postnummer", "postnr", "postal_code", "postal code"),
    "area": ("kode", "area_code", "lokalområde", "område", "area"),
    "share": ("andel", "share"),
}


def stage_reference(
    con, path: Path, kind: str, mapping: UserMapping, lang: str, code_field, name_field
):
    if kind == "population":
        return stage_population(con, path, mapping, lang)
    if sniff_container(path) == "text" and _looks_like_postal(path):
        return stage_postal(con, path)
    return stage_areas(con, path, code_field, name_field)


def _looks_like_postal(path: Path) -> bool:
    head = Path(path).read_bytes()[:400].decode("utf-8", "ignore").lower()
    return "postn" in head.split("\n", 1)[0]


def stage_areas(con, path: Path, code_field, name_field):
    from data_pipeline.ingest.boundaries import (
        BoundaryError,
        frame_to_geojson_rows,
        read_boundaries,
    )

    try:
        boundaries = read_boundaries(path, code_field=code_field, name_field=name_field)
    except BoundaryError as exc:
        raise InvalidFile(str(exc)) from exc
    frame = boundaries.frame
    existing = con.execute(
        "SELECT area_code FROM area WHERE area_code IN (SELECT unnest($codes))",
        {"codes": list(frame["area_code"])},
    ).fetchall()
    if existing:
        shown = ", ".join(r[0] for r in existing[:10])
        raise InvalidFile(
            f"Områdekoderne {shown} er allerede indlæst; fortryd den batch først. / "
            f"Area codes {shown} are already loaded; undo that batch first."
        )
    rows = frame_to_geojson_rows(frame)
    bounds = frame.geometry.bounds

    def write(con: duckdb.DuckDBPyConnection, batch_id: int) -> int:
        records = [
            (code, name, "lokalområde", None, geometry, *bounds.iloc[i].tolist(), batch_id)
            for i, (code, name, geometry) in enumerate(rows)
        ]
        con.executemany("INSERT INTO area VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", records)
        return len(records)

    stage_rejections(con, [])
    meta = dict(boundaries.meta)
    detected = {"format": meta.get("format"), "encoding": None, "delimiter": None, "sheet": None}
    detected.update({k: meta.get(k) for k in ("source_crs", "code_field", "name_field", "areas")})
    return Staged(
        rows_read=int(meta.get("features_read", len(rows))),
        detected=detected,
        ignored=[],
        wave_id=None,
        write=write,
        rejections_sql=None,
    )


def stage_postal(con, path: Path):

    raw = read_table_within(path)  # under the parse time limit
    cols = {key: find_column(raw.headers, names) for key, names in POSTAL_COLUMNS.items()}
    missing = [k for k, v in cols.items() if v is None and k != "share"]
    if missing:
        raise InvalidFile(
            f"Postnummertabellen mangler {', '.join(missing)}; fundne kolonner: "
            f"{', '.join(raw.headers)}. / The postal table lacks {', '.join(missing)}."
        )
    areas = con.execute("SELECT area_code, name FROM area").fetchall()
    known = area_map(
        sorted({v for v in raw.table.column(raw.headers[cols["area"]]).to_pylist() if v}),
        areas,
        UserMapping(),
    )
    out, rejections = [], []
    table = raw.table.to_pylist()
    for row in table:
        postal = (row[raw.headers[cols["postal_code"]]] or "").strip()
        area_value = row[raw.headers[cols["area"]]]
        share_text = row[raw.headers[cols["share"]]] if cols["share"] is not None else "1"
        code = known.get(area_value) if area_value else None
        try:
            share = float((share_text or "1").replace(",", "."))
        except ValueError:
            share = None
        if not postal or code is None or share is None or not 0 <= share <= 1:
            rejections.append(
                (
                    row[ROW_COLUMN],
                    raw.headers[cols["area"]],
                    area_value,
                    "Ukendt område eller ugyldig andel / Unknown area or invalid share",
                )
            )
            continue
        out.append((postal, code, share))

    def write(con, batch_id: int) -> int:
        con.executemany(
            "INSERT INTO postal_area VALUES (?, ?, ?, ?)", [(*r, batch_id) for r in out]
        )
        return len(out)

    stage_rejections(con, rejections)
    detected = {k: raw.meta.get(k) for k in ("format", "encoding", "delimiter", "sheet")}
    detected["format"] = "postal"
    return Staged(
        rows_read=raw.rows,
        detected=detected,
        ignored=[],
        wave_id=None,
        write=write,
        rejections_sql="SELECT * FROM stg_rejections",
    )
