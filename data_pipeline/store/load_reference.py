"""Reference data: population tables from Statistics Denmark, area boundaries, postal codes.

Statistics Denmark labels ("25 år", "Mænd", "2025K1", or English/code forms) are decoded over
distinct values; totals ("I alt", "Alder i alt") are dropped, never summed twice.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow as pa

from data_pipeline.core.errors import InvalidFile, headers_text
from data_pipeline.core.i18n import t
from data_pipeline.ingest.mapping import UserMapping, area_map, normalize_header, normalize_text
from data_pipeline.ingest.parse_limit import read_table_within
from data_pipeline.ingest.readers import ROW_COLUMN, sniff_container
from data_pipeline.store.batch import Staged, stage_rejections

TOTAL = "__total__"
DST_COLUMNS = {
    "area": (
        "område",
        "omraade",
        "omrade",
        "område_kode",
        "komk",
        "kommune",
        "kom",
        "region",
        "sogn",
        "sogn1",
        "area",
        "municipality",
    ),
    "age": ("alder", "age"),
    "gender": ("køn", "koen", "kon", "sex", "gender"),
    "period": ("tid", "time", "period"),
    "count": ("indhold", "content", "value", "antal"),
}
POSTAL_COLUMNS = {
    "postal_code": ("postnummer", "postnr", "postal_code", "postal code"),
    "area": ("kode", "area_code", "lokalområde", "område", "area"),
    "share": ("andel", "share"),
}
TOTAL_LABELS = {
    "i alt",
    "ialt",
    "total",
    "tot",
    "alder i alt",
    "age, total",
    "køn i alt",
    "sex, total",
    "hele landet",
    "all denmark",
    "denmark",
    "danmark",
}
# Statistics Denmark's own aggregates: the country (000), regions (081-085), "landsdele".
AGGREGATE_AREA = re.compile(r"^(0{3}|08[1-5]|region\b.*|landsdel\b.*|province\b.*)$")


def is_total(label: str) -> bool:
    text = normalize_text(label)
    return text in TOTAL_LABELS or text.endswith(" i alt") or text.endswith(", total")


def dst_age(label: str) -> int | str | None:
    """ "25 år", "1 year", "100 år og derover", "25" -> 25; totals -> TOTAL; bands -> None."""
    text = normalize_text(label)
    if is_total(text):
        return TOTAL
    if re.match(r"^\d{1,3}\s*-\s*\d{1,3}", text):
        return None  # an age band: the model keeps single years only
    match = re.match(r"^(\d{1,3})(\s*(år|years?|år og derover|years and over|\+))?$", text)
    if not match:
        match = re.match(r"^(\d{1,3})\s*(år og derover|years and over)", text)
    return int(match.group(1)) if match else None


def dst_gender(label: str) -> str | None:
    text = normalize_text(label)
    if is_total(text):
        return TOTAL
    return {
        "mænd": "mand",
        "men": "mand",
        "m": "mand",
        "1": "mand",
        "mand": "mand",
        "male": "mand",
        "males": "mand",
        "kvinder": "kvinde",
        "women": "kvinde",
        "k": "kvinde",
        "2": "kvinde",
        "kvinde": "kvinde",
        "female": "kvinde",
        "females": "kvinde",
    }.get(text)


def dst_period(label: str) -> str | None:
    """Quarters become "2025K1" whatever the language; months and years keep their form."""
    text = label.strip().upper()
    match = re.match(r"^(\d{4})\s*[KQ]([1-4])$", text)
    if match:
        return f"{match.group(1)}K{match.group(2)}"
    if re.match(r"^\d{4}(M(0[1-9]|1[0-2]))?$", text):
        return text
    return None


def _find(headers: list[str], names: tuple[str, ...]) -> int | None:
    keys = [normalize_header(h) for h in headers]
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


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


def _population_columns(headers: list[str]) -> tuple[dict, list[int]]:
    """Known columns, plus other dimensions (BY2's BYST, civil status, ...) by position."""
    cols = {key: _find(headers, names) for key, names in DST_COLUMNS.items()}
    for required in ("period", "count"):
        if cols[required] is None:
            raise InvalidFile(
                f"Befolkningstabellen mangler kolonnen {required.upper()} "
                f"(fx OMRÅDE;ALDER;KØN;TID;INDHOLD). Fundne kolonner: {headers_text(headers)}. / "
                f"The population table has no {required} column. Headers: {headers_text(headers)}."
            )
    known = {i for i in cols.values() if i is not None}
    others = [i for i in range(len(headers)) if i not in known]
    return cols, others


def _area_decoder(values: list[str], areas, mapping: UserMapping) -> tuple[dict, dict]:
    """Area label -> code or TOTAL; unmatched labels get suggestions (never applied silently)."""
    from data_pipeline.ingest.matching import match_areas

    decoded, suggestions = {}, {}
    for match in match_areas(values, areas, mapping):
        value = match.value
        if match.code is not None:
            decoded[value] = match.code
        elif is_total(value) or AGGREGATE_AREA.match(normalize_text(value)):
            decoded[value] = TOTAL
        else:
            decoded[value] = None
            if match.suggestions:
                suggestions[value] = match.suggestions
    return decoded, suggestions


def _other_dimension_filters(columns: dict[int, list], headers: list[str]) -> dict[int, set]:
    """For an extra dimension, keep only its total when it has one; otherwise sum over it."""
    keep = {}
    for index, values in columns.items():
        totals = {v for v in set(values) if v is not None and is_total(v)}
        if totals:
            keep[index] = totals
    return keep


def stage_population(con, path: Path, mapping: UserMapping, lang: str):

    raw = read_table_within(path)  # under the parse time limit
    headers = raw.headers
    cols, others = _population_columns(headers)
    table = raw.table
    areas = con.execute("SELECT area_code, name FROM area").fetchall()
    if cols["area"] is not None and not areas:
        raise InvalidFile(
            "Indlæs lokalområderne før befolkningen (ingest --kind areas). / "
            "Load the areas before the population."
        )

    def distinct(index):
        return sorted({v for v in table.column(headers[index]).to_pylist() if v is not None})

    maps: dict[str, dict] = {"area": {}, "age": {}, "gender": {}}
    suggestions: dict = {}
    if cols["area"] is not None:
        maps["area"], suggestions = _area_decoder(distinct(cols["area"]), areas, mapping)
    if cols["age"] is not None:
        maps["age"] = {v: dst_age(v) for v in distinct(cols["age"])}
    if cols["gender"] is not None:
        maps["gender"] = {v: dst_gender(v) for v in distinct(cols["gender"])}
    maps["period"] = {v: dst_period(v) for v in distinct(cols["period"])}
    columns = {k: table.column(headers[i]).to_pylist() for k, i in cols.items() if i is not None}
    other_columns = {i: table.column(headers[i]).to_pylist() for i in others}
    other_totals = _other_dimension_filters(other_columns, headers)
    numbers = table.column(ROW_COLUMN).to_pylist()
    out, rejections = _decode_population_rows(
        raw.rows, columns, maps, other_columns, other_totals, numbers, headers, cols, lang
    )
    if suggestions:
        by_value = {v: s[0] for v, s in suggestions.items()}
        rejections = [
            (r, c, v, _with_suggestion(why, by_value.get(v), lang)) for r, c, v, why in rejections
        ]
    periods = sorted({r[4] for r in out})
    _refuse_loaded_periods(con, periods, sorted({r[0] for r in out if r[0] is not None}))
    source = f"Danmarks Statistik ({Path(path).name})"

    def write(con: duckdb.DuckDBPyConnection, batch_id: int) -> int:
        # Through Arrow, not executemany: 20 k rows take 30 ms instead of seconds.
        frame = pa.table(
            {
                "area_code": pa.array([r[0] for r in out], pa.string()),
                "age": pa.array([r[1] for r in out], pa.int16()),
                "gender": pa.array([r[2] for r in out], pa.string()),
                "count": pa.array([r[3] for r in out], pa.int64()),
                "period": pa.array([r[4] for r in out], pa.string()),
            }
        )
        con.complete()
        con.register("stg_pop_arrow", frame)
        con.execute("CREATE OR REPLACE TEMP TABLE stg_pop AS SELECT * FROM stg_pop_arrow")
        con.unregister("stg_pop_arrow")
        # Rows that differ only in a summed-over dimension (e.g. BY2's city size) add up here.
        con.execute(
            "INSERT INTO population SELECT area_code, age, gender, sum(count), period, $src, $b "
            "FROM stg_pop GROUP BY ALL",
            {"src": source, "b": batch_id},
        )
        return len(out)

    stage_rejections(con, rejections)
    detected = {k: raw.meta.get(k) for k in ("format", "encoding", "delimiter", "sheet")}
    detected["periods"] = periods
    detected["variables"] = {k: (headers[i] if i is not None else None) for k, i in cols.items()}
    detected["summed_over"] = [headers[i] for i in others if i not in other_totals]
    detected["totals_dropped"] = raw.rows - len(out) - len(rejections)
    warnings = coverage_warnings({k: cols[k] is not None for k in ("age", "gender", "area")}, lang)
    if warnings:
        detected["warnings"] = warnings
    if suggestions:
        detected["suggestions"] = {"area": suggestions}
    return Staged(
        rows_read=raw.rows,
        detected=detected,
        ignored=[],
        wave_id=None,
        write=write,
        rejections_sql="SELECT * FROM stg_rejections",
    )


def coverage_warnings(has: dict[str, bool], lang: str = "da") -> list[str]:
    """What a population table without age, sex or area cannot do, in one sentence.

    Every rate counts citizens aged 15+, so without age the table serves no rate at all;
    without sex it serves rates by age (and area); without area, the municipality as a whole.
    """
    missing = [v for v in ("age", "gender", "area") if not has.get(v)]
    if not missing:
        return []
    words = {"age": "coverage.age", "gender": "coverage.gender", "area": "coverage.area"}
    names = t("coverage.and", lang).join(t(words[v], lang) for v in missing)
    area = has.get("area")
    if not has.get("age"):
        key = "coverage.no_age_with_area" if area else "coverage.no_age"
    elif not has.get("gender"):
        key = "coverage.no_gender_with_area" if area else "coverage.no_gender"
    else:
        key = "coverage.no_area"
    return [t(key, lang, names=names)]


def _decode_population_rows(
    n, columns, maps, other_columns, other_totals, numbers, headers, cols, lang
):
    """(area, age, gender, count, period) rows, and (row, column, value, reason) rejections.

    Totals are skipped on purpose: summing "I alt" with its parts would count people twice.
    """
    reasons = _population_reasons(lang)
    out, rejections = [], []
    for i in range(n):
        if any(other_columns[j][i] not in keep for j, keep in other_totals.items()):
            continue  # a part of an extra dimension whose total row is kept instead
        decoded, problem = {}, None
        for key in ("area", "age", "gender", "period"):
            if key not in columns:
                decoded[key] = None
                continue
            value = columns[key][i]
            mapped = maps[key].get(value) if value is not None else None
            if mapped is None:
                problem = (headers[cols[key]], value, reasons[key])
                break
            decoded[key] = mapped
        count_text = (columns["count"][i] or "").replace(".", "").replace(" ", "")
        if problem is None and not count_text.isdigit():
            problem = (headers[cols["count"]], columns["count"][i], reasons["count"])
        if problem:
            rejections.append((numbers[i], *problem))
            continue
        if TOTAL in decoded.values():
            continue
        out.append(
            (decoded["area"], decoded["age"], decoded["gender"], int(count_text), decoded["period"])
        )
    return out, rejections


def _with_suggestion(reason: str, suggestion, lang: str) -> str:
    if not suggestion:
        return reason
    code, name, _score = suggestion
    return t("reason.population.did_you_mean", lang, reason=reason, name=name, code=code)


def _refuse_loaded_periods(con, periods: list[str], area_codes: list[str]) -> None:
    """Loading the same period twice would double the population; undo the old batch first."""
    clash = con.execute(
        "SELECT DISTINCT period FROM population WHERE period IN (SELECT unnest($p)) "
        "AND (area_code IS NULL OR len($a) = 0 OR area_code IN (SELECT unnest($a)))",
        {"p": periods, "a": area_codes},
    ).fetchall()
    if clash:
        shown = ", ".join(c[0] for c in clash)
        raise InvalidFile(
            f"Befolkningen for {shown} er allerede indlæst; fortryd den batch først. / "
            f"Population for {shown} is already loaded; undo that batch first."
        )


def _population_reasons(lang: str) -> dict:
    return {
        key: t(f"reason.population.{key}", lang)
        for key in ("area", "age", "gender", "period", "count")
    }


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
    cols = {key: _find(raw.headers, names) for key, names in POSTAL_COLUMNS.items()}
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
