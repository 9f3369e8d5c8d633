"""The staging table `stg`: every survey row normalised, and each rejected cell with its reason.

One SQL statement joins the raw rows to the lookup tables (`lookup_tables.py`) and computes
the canonical values; a row that fails a check keeps its row number and gets a record per
failed cell (row, column, value, reason) in `stg_rejections`, and the rest of the file loads.
The reasons are catalogue words (`reason.<key>`), so a person can act on them in Danish or
English.
"""

from __future__ import annotations

from data_pipeline.core.i18n import t
from data_pipeline.ingest.column_plan import ColumnPlan
from data_pipeline.ingest.mapping import CHOICE_FIELDS, EXTRA_PREFIX, MULTI_FIELDS
from data_pipeline.ingest.readers import ROW_COLUMN
from data_pipeline.ingest.timestamps import has_zones, strip_zone, timestamp_format

AGE_MIN, AGE_MAX = 15, 110


def reason(key: str, lang: str) -> str:
    """Why a cell was rejected, in the user's language (catalogue keys `reason.<key>`)."""
    return t(f"reason.{key}", lang, min=AGE_MIN, max=AGE_MAX)


def create_stage_table(con, col: dict, plan: ColumnPlan, wave_year: int, lang: str) -> None:
    """TEMP tables `stg` (one row per source row, canonical values, `has_error`) and
    `stg_rejections` (one record per failed check: row number, column header, value, reason)."""

    def c(field_name: str) -> str:
        return f"r.{col[field_name]}" if field_name in col else "NULL::VARCHAR"

    joins = []
    if "gender" in col:
        joins.append(f"LEFT JOIN map_gender g ON g.raw = {c('gender')}")
    if "age_band" in col:
        joins.append(f"LEFT JOIN map_age_band bm ON bm.raw = {c('age_band')}")
    if "consent" in col:
        joins.append(f"LEFT JOIN map_consent cs ON cs.raw = {c('consent')}")
    if "area" in col:
        joins.append(f"LEFT JOIN map_area a ON a.raw = {c('area')}")
    if "postal_code" in col:
        joins.append(f"LEFT JOIN map_postal p ON p.raw = {c('postal_code')}")
    for field_name in MULTI_FIELDS:
        if field_name in col:
            joins.append(
                f"LEFT JOIN map_{field_name} m_{field_name} ON m_{field_name}.raw = {c(field_name)}"
            )
    for field_name in CHOICE_FIELDS:
        if field_name in col:
            joins.append(
                f"LEFT JOIN map_{field_name} ch_{field_name} ON ch_{field_name}.raw = {c(field_name)}"
            )

    area_expr = "a.value" if "area" in col else "NULL::VARCHAR"
    area_dont_know = "coalesce(a.dont_know, false)" if "area" in col else "false"
    postal_area = "p.area_code" if "postal_code" in col else "NULL::VARCHAR"
    postal_match = "p.raw" if "postal_code" in col else "NULL::VARCHAR"
    if "name" in col:
        name_expr = c("name")
    elif "first_name" in col or "last_name" in col:
        name_expr = f"nullif(concat_ws(' ', {c('first_name')}, {c('last_name')}), '')"
    else:
        name_expr = "NULL::VARCHAR"
    all_columns = [f"r.c{i}" for i in range(len(plan.headers))]
    empty_expr = " AND ".join(f"{x} IS NULL" for x in all_columns) or "FALSE"
    extras = [(f[len(EXTRA_PREFIX) :], col[f]) for f in col if f.startswith(EXTRA_PREFIX)]
    extra_expr = (
        "json_object(" + ", ".join(f"$extra_{i}, r.{c_}" for i, (_, c_) in enumerate(extras)) + ")"
        if extras
        else "NULL::JSON"
    )

    def err(condition: str, field_name: str, value: str, key: str) -> str:
        header = plan.header(field_name)
        return (
            (
                f"CASE WHEN {condition} THEN {{'column': $h_{key}_{field_name}, "
                f"'value': {value}, 'reason': $reason_{key}}} END"
            ),
            (f"h_{key}_{field_name}", header),
            (f"reason_{key}", reason(key, lang)),
        )

    checks = [
        ("empty", "NULL::VARCHAR", None, "empty_row"),
        (
            "age_raw IS NOT NULL AND (age_num IS NULL OR NOT isfinite(age_num))",
            "age_raw",
            "age",
            "age_not_number",
        ),
        (
            "isfinite(age_num) AND (age_num < $age_min OR age_num > $age_max)",
            "age_raw",
            "age",
            "age_range",
        ),
        (
            "birth_year IS NULL AND birth_year_raw IS NOT NULL",
            "birth_year_raw",
            "birth_year",
            "birth_year_not_number",
        ),
        (
            "age_raw IS NULL AND birth_year IS NOT NULL AND ($wave_year - birth_year < $age_min "
            "OR $wave_year - birth_year > $age_max)",
            "birth_year_raw",
            "birth_year",
            "age_range",
        ),
        (
            "band_raw IS NOT NULL AND band_from_raw IS NULL",
            "band_raw",
            "age_band",
            "age_band_unknown",
        ),
        (
            "gender_raw IS NOT NULL AND gender_norm IS NULL",
            "gender_raw",
            "gender",
            "gender_unknown",
        ),
        (
            "area_raw IS NOT NULL AND area_norm IS NULL AND NOT area_dont_know",
            "area_raw",
            "area",
            "area_unknown",
        ),
        (
            "area_raw IS NULL AND postal_raw IS NOT NULL AND postal_match IS NULL",
            "postal_raw",
            "postal_code",
            "postal_unknown",
        ),
        ("interest_problem IS NOT NULL", "interest_raw", "interest", "choice_typo"),
        ("time_problem IS NOT NULL", "time_raw", "time_per_month", "choice_typo"),
        ("engagement_problem IS NOT NULL", "engagement_raw", "engagement", "choice_typo"),
        (
            "submitted_raw IS NOT NULL AND submitted_at IS NULL",
            "submitted_raw",
            "submitted_at",
            "timestamp_invalid",
        ),
    ]
    params: dict = {"age_min": AGE_MIN, "age_max": AGE_MAX, "wave_year": wave_year}
    for i, (name, _) in enumerate(extras):
        params[f"extra_{i}"] = name
    error_exprs, conditions = [], []
    for condition, value, field_name, key in checks:
        if field_name is not None and field_name not in col:
            continue
        conditions.append("is_empty" if key == "empty_row" else f"coalesce(({condition}), false)")
        if key == "empty_row":
            error_exprs.append(
                f"CASE WHEN is_empty THEN {{'column': NULL::VARCHAR, 'value': NULL::VARCHAR, "
                f"'reason': $reason_{key}}} END"
            )
            params[f"reason_{key}"] = reason(key, lang)
            continue
        expr, (h_name, h_value), (r_name, r_value) = err(condition, field_name, value, key)
        error_exprs.append(expr)
        params[h_name] = h_value
        params[r_name] = r_value

    # Zones are stripped only when the file has them: a regex on every row costs at 1 M rows.
    stamp = c("submitted_at")
    if "submitted_at" in col and has_zones(con, col["submitted_at"]):
        stamp = strip_zone(stamp)

    def choice(field_name: str, part: str = "value") -> str:
        return f"ch_{field_name}.{part}" if field_name in col else "NULL::VARCHAR"

    def multi(field_name: str, part: str, empty: str) -> str:
        return f"coalesce(m_{field_name}.{part}, {empty})" if field_name in col else empty

    values_sql = f"""
    SELECT
        r.{ROW_COLUMN} AS row_number,
        ({empty_expr}) AS is_empty,
        {c("source_id")} AS source_id,
        {c("submitted_at")} AS submitted_raw,
        coalesce(try_strptime({stamp}, $ts_formats),
                 try_cast({stamp} AS TIMESTAMP)) AS submitted_at,
        {c("age")} AS age_raw,
        try_cast(replace({c("age")}, ',', '.') AS DOUBLE) AS age_num,
        {c("birth_year")} AS birth_year_raw,
        try_cast(try_cast(replace({c("birth_year")}, ',', '.') AS DOUBLE) AS INTEGER) AS birth_year,
        {c("age_band")} AS band_raw,
        {"bm.value" if "age_band" in col else "NULL::VARCHAR"} AS band_from_raw,
        {c("gender")} AS gender_raw,
        {"g.value" if "gender" in col else "NULL::VARCHAR"} AS gender_norm,
        {c("area")} AS area_raw,
        {area_expr} AS area_norm,
        {area_dont_know} AS area_dont_know,
        {c("postal_code")} AS postal_raw,
        {postal_area} AS postal_known,
        {postal_match} AS postal_match,
        {c("interest")} AS interest_raw, {choice("interest")} AS interest,
        {choice("interest", "problem")} AS interest_problem,
        {c("time_per_month")} AS time_raw, {choice("time_per_month")} AS time_per_month,
        {choice("time_per_month", "problem")} AS time_problem,
        {c("engagement")} AS engagement_raw, {choice("engagement")} AS engagement_level,
        {choice("engagement", "problem")} AS engagement_problem,
        {"coalesce(cs.value, false)" if "consent" in col else "false"} AS consent_contact,
        {multi("topics", "codes", "[]::VARCHAR[]")} AS topic_codes,
        {multi("topics", "mask", "0::UBIGINT")} AS topic_mask,
        {multi("formats", "codes", "[]::VARCHAR[]")} AS format_codes,
        {multi("formats", "mask", "0::UBIGINT")} AS format_mask,
        {name_expr} AS name, {c("email")} AS email, {c("phone")} AS phone,
        {extra_expr} AS extra
    FROM raw_in r {" ".join(joins)}
    """
    # One materialised staging table; the error list is built only for rows that fail.
    sql_stage = f"""
    CREATE OR REPLACE TEMP TABLE stg AS
    WITH v AS ({values_sql}),
    a AS (
        SELECT *,
            -- Out-of-range ages are rejected above; the guards keep the cast from failing.
            CASE
                WHEN isfinite(age_num) AND age_num BETWEEN $age_min AND $age_max
                    THEN floor(age_num)::SMALLINT
                WHEN age_raw IS NULL AND birth_year IS NOT NULL
                    AND $wave_year - birth_year BETWEEN $age_min AND $age_max
                    THEN ($wave_year - birth_year)::SMALLINT
            END AS age,
            coalesce(area_norm, CASE WHEN area_raw IS NULL THEN postal_known END) AS area_code,
            coalesce(gender_norm, 'uoplyst') AS gender,
            ({" OR ".join(conditions) or "FALSE"}) AS has_error
        FROM v
    )
    SELECT a.*, coalesce(l.band, a.band_from_raw) AS age_band
    FROM a LEFT JOIN age_lookup l ON l.age = a.age
    """
    params["ts_formats"] = timestamp_format(con, col.get("submitted_at"))
    used = {k: v for k, v in params.items() if f"${k}" in sql_stage}
    con.execute(sql_stage, used)
    sql_rejections = f"""
    CREATE OR REPLACE TEMP TABLE stg_rejections AS
    SELECT row_number, e.column AS "column", e.value AS value, e.reason AS reason FROM (
        SELECT row_number,
            unnest(list_filter([{", ".join(error_exprs)}], lambda x: x IS NOT NULL)) AS e
        FROM stg WHERE has_error)
    """
    used = {k: v for k, v in params.items() if f"${k}" in sql_rejections}
    con.execute(sql_rejections, used)
