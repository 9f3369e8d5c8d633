"""The population table from Statistics Denmark, staged for loading: columns found, labels
decoded over distinct values (dst_labels.py), areas matched with suggestions never applied
silently, extra dimensions reduced to their totals, rows rejected with a reason, a period
already loaded refused, and a warning for what a table without age, sex or area cannot serve.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from data_pipeline.core.errors import InvalidFile, headers_text
from data_pipeline.core.i18n import t
from data_pipeline.ingest.mapping import UserMapping, normalize_text
from data_pipeline.ingest.parse_limit import read_table_within
from data_pipeline.ingest.readers import ROW_COLUMN
from data_pipeline.store.batch import Staged, stage_rejections
from data_pipeline.store.dst_labels import (
    AGGREGATE_AREA,
    DST_COLUMNS,
    TOTAL,
    dst_age,
    dst_gender,
    dst_period,
    find_column,
    is_total,
)


def _population_columns(headers: list[str]) -> tuple[dict, list[int]]:
    """Known columns, plus other dimensions (BY2's BYST, civil status, ...) by position."""
    cols = {key: find_column(headers, names) for key, names in DST_COLUMNS.items()}
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
