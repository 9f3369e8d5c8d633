"""Parameterised analytics queries: a Filters value in, a few aggregated rows out.

All DuckDB-specific SQL for reading lives here. Values are bound parameters; the only
identifiers built in Python are whitelisted dimension names and integer bit positions.
Topics and formats are filtered and counted through the respondent's bit masks, which keeps a
crosstab over topics a single scan (4-16x faster than joining the long tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import duckdb
import pandas as pd

from data_pipeline.analysis.lookups import per_data_version

# Dimensions a user may cross, and the SQL expression each one reads (a whitelist).
DIMENSIONS: dict[str, str] = {
    "age_band": "r.age_band",
    "gender": "r.gender",
    "area": "r.area_code",
    "time": "r.time_per_month",
    "engagement": "r.engagement_level",
    "interest": "r.interest",
    "wave": "r.wave_id",
}
MULTI_DIMENSIONS = {"topic": ("topic", "topic_mask"), "format": ("format", "format_mask")}
ORDERED_KINDS = {"time": "time", "engagement": "engagement", "interest": "interest"}


@dataclass(frozen=True)
class Filters:
    """The shared filter bar. Empty tuples mean "all"; wave None means the latest wave."""

    wave: str | None = None
    age_bands: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    times: tuple[str, ...] = ()
    engagements: tuple[str, ...] = ()

    def replace(self, **changes) -> Filters:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Filters(**values)

    @property
    def demographic_only(self) -> bool:
        """Only age, gender and area narrow the population too; the rest narrow answers."""
        return not (self.topics or self.formats or self.times or self.engagements)


@dataclass
class Where:
    sql: str
    params: dict = field(default_factory=dict)


# Respondents whose area is unknown but whose postal code is in postal_area (a survey that asked
# only for the postal code, and the code spans several areas) are spread over the postal code's
# areas by population share: one row per (respondent, area) with area_w = share / Σ share of
# that postal code (so the rows of one respondent add up to 1 even where postal_area covers
# only part of a postal code). Every other respondent is one row with area_w = 1, and a
# respondent with neither a known area nor a known postal code keeps area_code NULL (unknown).
# Every count BY AREA, and every count UNDER AN AREA FILTER, reads this relation and sums
# area_w: a respondent from 7450 counts 0.62 in Østerled and 0.38 in Strandvejen, and exactly
# once in every total. Counts that are neither by area nor under an area filter read the plain
# respondent table (same numbers, no join).
AREA_SPREAD_RELATION = """(
    SELECT r.* REPLACE (coalesce(r.area_code, s.area_code) AS area_code),
           coalesce(s.weight, 1.0)::DOUBLE AS area_w
    FROM respondent r
    LEFT JOIN (SELECT postal_code, area_code,
                      share / sum(share) OVER (PARTITION BY postal_code) AS weight
               FROM postal_area WHERE share > 0) s
      ON r.area_code IS NULL AND s.postal_code = r.postal_code)"""


@dataclass(frozen=True)
class Source:
    """Where respondents are read from (aliased r) and how a group of them is counted."""

    relation: str
    count: str
    spread: bool

    def weighted(self, indicator: str) -> str:
        """The sum of a 0/1 indicator, each respondent counted with its area share."""
        return f"sum(({indicator}) * r.area_w)" if self.spread else f"sum({indicator})"


def respondent_source(filters: Filters, by_area: bool = False) -> Source:
    """The plain respondent table, or the area-spread relation when the query groups by area
    or the filter names areas (see AREA_SPREAD_RELATION)."""
    if by_area or filters.areas:
        return Source(f"{AREA_SPREAD_RELATION} r", "sum(r.area_w)", True)
    return Source("respondent r", "count(*)", False)


def whole(value):
    """A count as int when it is whole (every count without spread respondents), else the
    fractional float; None/NaN become 0."""
    if value is None or value != value:
        return 0
    value = float(value)
    return int(round(value)) if abs(value - round(value)) < 1e-9 else value


def whole_counts(series: pd.Series) -> pd.Series:
    """A column of counts as integers when every value is whole, else as floats."""
    values = series.astype(float).fillna(0.0)
    if ((values - values.round()).abs() < 1e-9).all():
        return values.round().astype(int)
    return values


@per_data_version
def postal_spread_respondents(con: duckdb.DuckDBPyConnection, wave: str | None) -> int:
    """Respondents of a wave (the latest when None) known only by a postal code that is in
    postal_area: the ones spread over areas by population share."""
    wave = wave or latest_wave(con)
    if wave is None:
        return 0
    return con.execute(
        "SELECT count(*) FROM respondent WHERE wave_id = $w AND area_code IS NULL "
        "AND postal_code IN (SELECT postal_code FROM postal_area WHERE share > 0)",
        {"w": wave},
    ).fetchone()[0]


@per_data_version
def latest_wave(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "SELECT wave_id FROM survey_wave ORDER BY election_year DESC, wave_id DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


@per_data_version
def previous_wave(con: duckdb.DuckDBPyConnection, wave: str) -> str | None:
    row = con.execute(
        "SELECT wave_id FROM survey_wave WHERE election_year < "
        "(SELECT election_year FROM survey_wave WHERE wave_id = $w) "
        "ORDER BY election_year DESC LIMIT 1",
        {"w": wave},
    ).fetchone()
    return row[0] if row else None


@per_data_version
def waves(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute("SELECT wave_id FROM survey_wave ORDER BY election_year").fetchall()
    ]


def bits(con: duckdb.DuckDBPyConnection, kind: str, codes: tuple[str, ...]) -> int:
    if not codes:
        return 0
    rows = con.execute(
        "SELECT bit FROM vocabulary WHERE kind = $k AND code IN (SELECT unnest($c))",
        {"k": kind, "c": list(codes)},
    ).fetchall()
    return sum(1 << r[0] for r in rows if r[0] is not None)


def where_clause(con: duckdb.DuckDBPyConnection, filters: Filters, wave: str | None) -> Where:
    parts, params = ["r.wave_id = $wave"], {"wave": wave}
    simple = (
        ("age_bands", "r.age_band"),
        ("genders", "r.gender"),
        ("areas", "r.area_code"),
        ("times", "r.time_per_month"),
        ("engagements", "r.engagement_level"),
    )
    for name, column in simple:
        values = getattr(filters, name)
        if values:
            parts.append(f"{column} IN (SELECT unnest(${name}))")
            params[name] = list(values)
    for name, kind, column in (
        ("topics", "topic", "topic_mask"),
        ("formats", "format", "format_mask"),
    ):
        values = getattr(filters, name)
        if values:
            # Any of the chosen options ("interested in climate or traffic"); the bit set is
            # looked up inside the query, which saves a round trip per filter.
            parts.append(
                f"(r.{column} & (SELECT coalesce(bit_or(1::UBIGINT << bit), 0::UBIGINT) "
                f"FROM vocabulary WHERE kind = '{kind}' AND code IN (SELECT unnest(${name})))) != 0"
            )
            params[name] = list(values)
    return Where(" AND ".join(parts), params)


@per_data_version
def population_period(con: duckdb.DuckDBPyConnection, wave: str | None) -> str | None:
    """The population count that belongs to a wave: the latest period in its election year
    or before; the earliest period when only later ones exist."""
    if wave is None:
        return None
    row = con.execute(
        "SELECT max(period) FILTER (WHERE try_cast(left(period, 4) AS INTEGER) <= w.year), "
        "min(period) FROM population, "
        "(SELECT coalesce(max(election_year), 9999) AS year FROM survey_wave WHERE wave_id = $w) w",
        {"w": wave},
    ).fetchone()
    if not row or row[1] is None:
        return None
    return row[0] or row[1]


def population_where(filters: Filters) -> Where:
    """The population side of a filter: age band, gender and area; 15+ (the survey's floor)."""
    parts = ["p.age >= (SELECT min(min_age) FROM age_band)"]
    params: dict = {}
    if filters.age_bands:
        parts.append("b.label IN (SELECT unnest($p_age_bands))")
        params["p_age_bands"] = list(filters.age_bands)
    if filters.genders:
        parts.append("p.gender IN (SELECT unnest($p_genders))")
        params["p_genders"] = list(filters.genders)
    if filters.areas:
        parts.append("p.area_code IN (SELECT unnest($p_areas))")
        params["p_areas"] = list(filters.areas)
    return Where(" AND ".join(parts), params)


def count_respondents(con: duckdb.DuckDBPyConnection, filters: Filters) -> int | float:
    """Respondents under the filter; under an area filter a respondent spread over areas
    counts with its share in the chosen areas (so the count may be fractional)."""
    wave = filters.wave or latest_wave(con)
    where = where_clause(con, filters, wave)
    source = respondent_source(filters)
    sql = f"SELECT {source.count} FROM {source.relation} WHERE {where.sql}"  # noqa: S608
    return whole(con.execute(sql, where.params).fetchone()[0])


def count_population(con: duckdb.DuckDBPyConnection, filters: Filters) -> int | None:
    period = population_period(con, filters.wave or latest_wave(con))
    if period is None:
        return None
    where = population_where(filters)
    sql = (
        "SELECT sum(p.count) FROM population p JOIN age_band b "  # noqa: S608
        f"ON p.age BETWEEN b.min_age AND b.max_age WHERE p.period = $period AND {where.sql}"
    )
    row = con.execute(sql, {"period": period, **where.params}).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def respondents_by_wave(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT w.wave_id AS wave, count(r.respondent_id) AS respondents FROM survey_wave w "
        "LEFT JOIN respondent r USING (wave_id) GROUP BY ALL ORDER BY any_value(w.election_year)"
    ).df()


def population_by_band_gender(con, filters: Filters) -> pd.DataFrame:
    period = population_period(con, filters.wave or latest_wave(con))
    where = population_where(filters)
    sql = (
        "SELECT b.label AS age_band, any_value(b.sort_order) AS sort_order, p.gender, "  # noqa: S608
        "sum(p.count)::BIGINT AS population FROM population p JOIN age_band b "
        f"ON p.age BETWEEN b.min_age AND b.max_age WHERE p.period = $period AND {where.sql} "
        "GROUP BY b.label, p.gender"
    )
    return con.execute(sql, {"period": period, **where.params}).df()


def respondents_by(con, filters: Filters, dims: tuple[str, ...]) -> pd.DataFrame:
    """Counts crossed by up to two whitelisted dimensions (topic/format via masks).

    By area or under an area filter, respondents known only by a postal code count with their
    area shares (see AREA_SPREAD_RELATION); counts are integers unless such shares occur."""
    wave = filters.wave or latest_wave(con)
    where = where_clause(con, filters, wave)
    source = respondent_source(filters, by_area="area" in dims)
    for dim in dims:
        if dim not in DIMENSIONS and dim not in MULTI_DIMENSIONS and not dim.startswith("extra."):
            raise ValueError(f"Unknown dimension {dim!r}")
    multi = [d for d in dims if d in MULTI_DIMENSIONS]
    plain = [d for d in dims if d not in MULTI_DIMENSIONS]
    select_plain = [f"{_dim_sql(d)} AS {column_alias(d)}" for d in plain]
    params = dict(where.params)
    if not multi:
        group = ", ".join(column_alias(d) for d in plain)
        sql = (
            f"SELECT {', '.join(select_plain)}, {source.count} AS respondents "  # noqa: S608
            f"FROM {source.relation} WHERE {where.sql} GROUP BY {group}"
        )
        frame = con.execute(sql, params).df()
        frame["respondents"] = whole_counts(frame["respondents"])
        return frame
    # One topic/format dimension: unpivot the mask's bits with one scan per row group.
    kind, column = MULTI_DIMENSIONS[multi[0]]
    vocab = con.execute(
        "SELECT code, bit FROM vocabulary WHERE kind = $k AND bit IS NOT NULL ORDER BY sort_order",
        {"k": kind},
    ).fetchall()
    sums = ", ".join(
        f"{source.weighted(f'((r.{column} >> {int(bit)}) & 1)::INTEGER')} AS b{int(bit)}"
        for _, bit in vocab
    )
    group = ", ".join(column_alias(d) for d in plain)
    select = ", ".join([*select_plain, sums]) if plain else sums
    sql = f"SELECT {select} FROM {source.relation} WHERE {where.sql}"  # noqa: S608
    if plain:
        sql += f" GROUP BY {group}"
    wide = con.execute(sql, params).df()
    long = wide.melt(
        id_vars=[column_alias(d) for d in plain], var_name="bit", value_name="respondents"
    )
    code_of = {f"b{int(bit)}": code for code, bit in vocab}
    long[column_alias(multi[0])] = long["bit"].map(code_of)
    long = long.drop(columns="bit")
    long["respondents"] = whole_counts(long["respondents"])
    if len(multi) == 2:
        raise ValueError("Cross topic with format through crosstab_multi")
    return long[[column_alias(d) for d in dims] + ["respondents"]]


def _dim_sql(dim: str) -> str:
    if dim.startswith("extra."):
        name = dim[len("extra.") :]
        if not name.replace("_", "").isalnum():
            raise ValueError(f"Unknown dimension {dim!r}")
        return f"json_extract_string(r.extra, '$.{name}')"
    return DIMENSIONS[dim]


def column_alias(dim: str) -> str:
    return dim.replace(".", "_")


@per_data_version
def vocabulary(con: duckdb.DuckDBPyConnection, kind: str, lang: str = "da") -> pd.DataFrame:
    label = "label_en" if lang == "en" else "label_da"
    return con.execute(
        f"SELECT code, {label} AS label, sort_order FROM vocabulary WHERE kind = $k "  # noqa: S608
        "ORDER BY sort_order",
        {"k": kind},
    ).df()


@per_data_version
def areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT area_code, name FROM area ORDER BY name").df()


def area_geometries(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    return con.execute("SELECT area_code, name, geometry FROM area ORDER BY area_code").fetchall()


@per_data_version
def age_bands(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT label FROM age_band ORDER BY sort_order").fetchall()]


def database_summary(con: duckdb.DuckDBPyConnection) -> dict:
    respondents = dict(
        con.execute(
            "SELECT w.wave_id, count(r.respondent_id) FROM survey_wave w "
            "LEFT JOIN respondent r USING (wave_id) GROUP BY ALL ORDER BY 1"
        ).fetchall()
    )
    population = {
        period: int(total)
        for period, total in con.execute(
            "SELECT period, sum(count) FROM population GROUP BY period ORDER BY period"
        ).fetchall()
    }
    count, min_lon, min_lat, max_lon, max_lat = con.execute(
        "SELECT count(*), min(min_lon), min(min_lat), max(max_lon), max(max_lat) FROM area"
    ).fetchone()
    return {
        "respondents": respondents,
        "population": population,
        "areas": {
            "count": count,
            "bounds": [min_lon, min_lat, max_lon, max_lat] if count else None,
        },
        "postal_codes": con.execute(
            "SELECT count(DISTINCT postal_code) FROM postal_area"
        ).fetchone()[0],
        "platform_activities": con.execute("SELECT count(*) FROM platform_activity").fetchone()[0],
        "batches": con.execute("SELECT count(*) FROM batch WHERE undone_at IS NULL").fetchone()[0],
        "rejected_rows": con.execute(
            "SELECT coalesce(sum(rows_rejected), 0) FROM batch WHERE undone_at IS NULL"
        ).fetchone()[0],
    }


def population_by(con: duckdb.DuckDBPyConnection, filters: Filters, dim: str) -> pd.DataFrame:
    """Citizens 15+ by one of age_band, gender or area, for the wave's population period."""
    column = {"age_band": "b.label", "gender": "p.gender", "area": "p.area_code"}[dim]
    period = population_period(con, filters.wave or latest_wave(con))
    where = population_where(filters)
    sql = (
        f"SELECT {column} AS {dim}, sum(p.count)::BIGINT AS population "  # noqa: S608
        "FROM population p JOIN age_band b ON p.age BETWEEN b.min_age AND b.max_age "
        f"WHERE p.period = $period AND {where.sql} GROUP BY 1"
    )
    return con.execute(sql, {"period": period, **where.params}).df()


def crosstab_multi(
    con: duckdb.DuckDBPyConnection, filters: Filters, rows: str, cols: str
) -> pd.DataFrame:
    """Topic × format: every pair of bits counted in one scan (with area shares under an
    area filter)."""
    wave = filters.wave or latest_wave(con)
    where = where_clause(con, filters, wave)
    source = respondent_source(filters)
    (kind_r, col_r), (kind_c, col_c) = MULTI_DIMENSIONS[rows], MULTI_DIMENSIONS[cols]
    vocab_r = con.execute(
        "SELECT code, bit FROM vocabulary WHERE kind = $k AND bit IS NOT NULL", {"k": kind_r}
    ).fetchall()
    vocab_c = con.execute(
        "SELECT code, bit FROM vocabulary WHERE kind = $k AND bit IS NOT NULL", {"k": kind_c}
    ).fetchall()
    sums = ", ".join(
        f"{source.count} FILTER (WHERE (r.{col_r} >> {int(br)}) & 1 = 1 "
        f"AND (r.{col_c} >> {int(bc)}) & 1 = 1) AS p_{int(br)}_{int(bc)}"
        for _, br in vocab_r
        for _, bc in vocab_c
    )
    row = con.execute(
        f"SELECT {sums} FROM {source.relation} WHERE {where.sql}",  # noqa: S608
        where.params,
    ).fetchone()
    pairs = [(cr, cc) for cr, _ in vocab_r for cc, _ in vocab_c]
    return pd.DataFrame(
        {
            rows: [p[0] for p in pairs],
            cols: [p[1] for p in pairs],
            "respondents": whole_counts(pd.Series(list(row), dtype=float)),
        }
    )


# An extra column is a dimension to cross only when it has few, short answers (education,
# housing); free text (comments, "other") would list what each citizen wrote as a row label.
EXTRA_MAX_OPTIONS = 30
EXTRA_MAX_LABEL = 60


def extra_dimensions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Extra background columns mapped at import (e.g. extra.uddannelse), as dimension names;
    free-text columns (many distinct or long values) are left out."""
    rows = con.execute(
        "WITH cells AS (SELECT unnest(json_keys(extra)) AS key, extra FROM respondent "
        "WHERE extra IS NOT NULL), answers AS (SELECT key, extra ->> key AS value FROM cells) "
        "SELECT key, count(DISTINCT value), coalesce(max(length(value)), 0) FROM answers "
        "GROUP BY key"
    ).fetchall()
    return sorted(
        f"extra.{key}"
        for key, options, longest in rows
        if key
        and key.replace("_", "").isalnum()
        and options <= EXTRA_MAX_OPTIONS
        and longest <= EXTRA_MAX_LABEL
    )


CHOICE_COLUMNS = {
    "time": "time_per_month",
    "engagement": "engagement_level",
    "interest": "interest",
}


def option_counts(
    con: duckdb.DuckDBPyConnection, filters: Filters
) -> tuple[int, dict[str, pd.DataFrame]]:
    """The total and the count per option of every question, in ONE scan of the respondents.

    The scan groups by the three single-choice answers (a few dozen groups) and sums the
    topic and format bits within each; pandas then adds the groups up per question. Under an
    area filter respondents known only by a postal code count with their share of the chosen
    areas, so the total and the counts may be fractional.
    """
    wave = filters.wave or latest_wave(con)
    where = where_clause(con, filters, wave)
    source = respondent_source(filters)
    vocab = con.execute(
        "SELECT kind, code, bit FROM vocabulary WHERE kind IN ('topic', 'format') "
        "AND bit IS NOT NULL ORDER BY kind, sort_order"
    ).fetchall()
    sums = [
        f"{source.weighted(f'((r.{MULTI_DIMENSIONS[kind][1]} >> {int(bit)}) & 1)::INTEGER')} "
        f"AS b_{kind}_{int(bit)}"
        for kind, _code, bit in vocab
    ]
    choice = ", ".join(f"r.{column} AS {kind}" for kind, column in CHOICE_COLUMNS.items())
    frame = con.execute(
        f"SELECT {choice}, {source.count} AS n, {', '.join(sums)} "  # noqa: S608
        f"FROM {source.relation} WHERE {where.sql} GROUP BY ALL",
        where.params,
    ).df()
    total = whole(frame["n"].sum())
    result = {
        kind: pd.DataFrame(
            {
                "code": [code for k, code, _ in vocab if k == kind],
                "respondents": [
                    whole(frame[f"b_{k}_{int(bit)}"].sum()) for k, _c, bit in vocab if k == kind
                ],
            }
        )
        for kind in MULTI_DIMENSIONS
    }
    for kind in CHOICE_COLUMNS:
        counts = frame.groupby(kind, dropna=True)["n"].sum()
        result[kind] = pd.DataFrame(
            {"code": counts.index, "respondents": whole_counts(counts).to_numpy()}
        )
    return total, result


POPULATION_VARIABLES = ("age", "gender", "area")


def population_coverage(con: duckdb.DuckDBPyConnection, period: str | None) -> dict[str, bool]:
    """Which variables the population of a period holds: {"age", "gender", "area"} -> bool.

    A Statistics Denmark table by area and month only (FOLK1AM) loads with age and gender
    NULL; one by age and sex only (FOLK1A without OMRÅDE) with area NULL. Every rate counts
    citizens aged 15+, so a population without age serves no rate at all."""
    if period is None:
        return dict.fromkeys(POPULATION_VARIABLES, False)
    row = con.execute(
        "SELECT count(age) > 0, count(gender) > 0, count(area_code) > 0 "
        "FROM population WHERE period = $period",
        {"period": period},
    ).fetchone()
    return dict(zip(POPULATION_VARIABLES, (bool(v) for v in row), strict=True))


def population_sources(con: duckdb.DuckDBPyConnection, period: str | None) -> list[str]:
    """The source texts (file names) of the population rows of a period."""
    rows = con.execute(
        "SELECT DISTINCT source FROM population WHERE period = $period AND source IS NOT NULL "
        "ORDER BY source",
        {"period": period},
    ).fetchall()
    return [r[0] for r in rows]


@per_data_version
def wave_respondents(con: duckdb.DuckDBPyConnection, wave: str | None) -> int:
    """Respondents of a wave (the latest when None); 0 for a wave without responses."""
    wave = wave or latest_wave(con)
    if wave is None:
        return 0
    return con.execute(
        "SELECT count(*) FROM respondent WHERE wave_id = $w", {"w": wave}
    ).fetchone()[0]


# Filter fields a user can narrow in the filter bar or a link, with the column each one reads.
FILTER_COLUMNS: dict[str, str] = {
    "age_bands": "r.age_band",
    "genders": "r.gender",
    "areas": "r.area_code",
    "times": "r.time_per_month",
    "engagements": "r.engagement_level",
}
FILTER_MASKS: dict[str, tuple[str, str]] = {
    "topics": ("topic", "topic_mask"),
    "formats": ("format", "format_mask"),
}


@dataclass(frozen=True)
class Complement:
    """What a user can learn next to the count under a filter by changing one of its fields:
    the count of each chosen value (for topics and formats: of those who chose only that one
    of the chosen), and the count with this field's filter removed."""

    field: str
    chosen: tuple[str, ...]
    cells: dict
    without: float


def filter_complements(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[Complement]:
    """One Complement per narrowed field of the filter (privacy.survives_differencing)."""
    wave = filters.wave or latest_wave(con)
    filters = filters.replace(wave=wave)
    where = where_clause(con, filters, wave)
    source = respondent_source(filters)
    weight = "r.area_w" if source.spread else "1.0"
    result = []
    for field_name in (*FILTER_COLUMNS, *FILTER_MASKS):
        chosen = tuple(getattr(filters, field_name))
        if not chosen:
            continue
        if field_name in FILTER_COLUMNS:
            sql = (
                f"SELECT {FILTER_COLUMNS[field_name]}::VARCHAR, sum({weight}) "  # noqa: S608
                f"FROM {source.relation} WHERE {where.sql} GROUP BY 1"
            )
            params = where.params
        else:
            kind, mask = FILTER_MASKS[field_name]
            sql = (
                "SELECT CAST(CAST(round(log2(m::DOUBLE)) AS INTEGER) AS VARCHAR), sum(w) FROM ("  # noqa: S608
                f"SELECT r.{mask} & (SELECT coalesce(bit_or(1::UBIGINT << bit), 0::UBIGINT) "
                f"FROM vocabulary WHERE kind = '{kind}' AND code IN (SELECT unnest($chosen))) "
                f"AS m, {weight} AS w FROM {source.relation} WHERE {where.sql}) "
                "WHERE bit_count(m) = 1 GROUP BY 1"
            )
            params = {**where.params, "chosen": list(chosen)}
        cells = {value: whole(n) for value, n in con.execute(sql, params).fetchall()}
        without = count_respondents(con, filters.replace(**{field_name: ()}))
        result.append(Complement(field_name, chosen, cells, without))
    return result


# A filter field and the table dimension it narrows (the same attribute under two names).
FIELD_DIMENSIONS: dict[str, str] = {
    "age_bands": "age_band",
    "genders": "gender",
    "areas": "area",
    "times": "time",
    "engagements": "engagement",
    "topics": "topic",
    "formats": "format",
}
SPLIT_ALIAS = "split_value"


def table_counts(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    dims: tuple[str, ...],
    split: str | None = None,
) -> pd.DataFrame:
    """Respondents per cell of `dims` under the filter, in one GROUP BY (for the disclosure
    check of a published table: analysis.differencing).

    Topic and format cells are those who chose the option (several per respondent). `split`
    names a narrowed filter field whose chosen values become one more column, SPLIT_ALIAS:
    for age band, gender, area, time and engagement the respondent's value; for topics and
    formats the chosen option of those who chose exactly one of the chosen (the people a user
    removes by dropping that option from the filter). Values are text; unknown is NULL."""
    wave = filters.wave or latest_wave(con)
    where = where_clause(con, filters, wave)
    spread = "area" in dims or split == "areas"
    source = respondent_source(filters, by_area=spread)
    weight = "r.area_w" if source.spread else "1.0"
    params = dict(where.params)
    select, joins, conditions = [], [], [where.sql]
    for dim in dims:
        alias = column_alias(dim)
        if dim in MULTI_DIMENSIONS:
            kind, mask = MULTI_DIMENSIONS[dim]
            joins.append(
                f"JOIN vocabulary v_{alias} ON v_{alias}.kind = '{kind}' AND v_{alias}.bit IS "
                f"NOT NULL AND ((r.{mask} >> v_{alias}.bit) & 1) = 1"
            )
            select.append(f"v_{alias}.code AS {alias}")
        else:
            select.append(f"{_dim_sql(dim)}::VARCHAR AS {alias}")
    if split in FILTER_COLUMNS:
        select.append(f"{FILTER_COLUMNS[split]}::VARCHAR AS {SPLIT_ALIAS}")
    elif split in FILTER_MASKS:
        kind, mask = FILTER_MASKS[split]
        chosen = (
            f"(SELECT coalesce(bit_or(1::UBIGINT << bit), 0::UBIGINT) FROM vocabulary "
            f"WHERE kind = '{kind}' AND code IN (SELECT unnest($split_chosen)))"
        )
        joins.append(
            f"JOIN vocabulary v_split ON v_split.kind = '{kind}' AND v_split.bit IS NOT NULL "
            f"AND ((r.{mask} >> v_split.bit) & 1) = 1 "
            "AND v_split.code IN (SELECT unnest($split_chosen))"
        )
        conditions.append(f"bit_count(r.{mask} & {chosen}) = 1")
        select.append(f"v_split.code AS {SPLIT_ALIAS}")
        params["split_chosen"] = list(getattr(filters, split))
    elif split is not None:
        raise ValueError(f"Unknown filter field {split!r}")
    sql = (
        f"SELECT {', '.join([*select, f'sum({weight})::DOUBLE AS respondents'])} "  # noqa: S608
        f"FROM {source.relation} {' '.join(joins)} WHERE {' AND '.join(conditions)}"
    )
    if select:
        sql += " GROUP BY ALL"
    return con.execute(sql, params).df()
