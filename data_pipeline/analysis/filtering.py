"""The shared filter bar (Filters) and the SQL it narrows respondents and population by.

Owns the whitelists a query may read: the dimensions a user may cross (DIMENSIONS, and the
topic/format bit masks in MULTI_DIMENSIONS), the filter fields with their columns
(FILTER_COLUMNS, FILTER_MASKS, FIELD_DIMENSIONS), and the WHERE clauses built from a Filters
value (where_clause for respondents, population_where for the population). Values are bound
parameters; the only identifiers built in Python are whitelisted dimension names and integer
bit positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import duckdb

from data_pipeline.core import dialect

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


def bits(con: duckdb.DuckDBPyConnection, kind: str, codes: tuple[str, ...]) -> int:
    if not codes:
        return 0
    rows = con.execute(
        f"SELECT bit FROM vocabulary WHERE kind = $k AND {dialect.in_list('code', 'c')}",
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
            parts.append(dialect.in_list(column, name))
            params[name] = list(values)
    for name, kind, column in (
        ("topics", "topic", "topic_mask"),
        ("formats", "format", "format_mask"),
    ):
        values = getattr(filters, name)
        if values:
            # Any of the chosen options ("interested in climate or traffic"); the bit set is
            # looked up inside the query, which saves a round trip per filter.
            parts.append(f"(r.{column} & {dialect.option_mask(kind, name)}) != 0")
            params[name] = list(values)
    return Where(" AND ".join(parts), params)


def population_where(filters: Filters) -> Where:
    """The population side of a filter: age band, gender and area; 15+ (the survey's floor)."""
    parts = ["p.age >= (SELECT min(min_age) FROM age_band)"]
    params: dict = {}
    if filters.age_bands:
        parts.append(dialect.in_list("b.label", "p_age_bands"))
        params["p_age_bands"] = list(filters.age_bands)
    if filters.genders:
        parts.append(dialect.in_list("p.gender", "p_genders"))
        params["p_genders"] = list(filters.genders)
    if filters.areas:
        parts.append(dialect.in_list("p.area_code", "p_areas"))
        params["p_areas"] = list(filters.areas)
    return Where(" AND ".join(parts), params)


def dim_sql(dim: str) -> str:
    if dim.startswith("extra."):
        name = dim[len("extra.") :]
        if not name.replace("_", "").isalnum():
            raise ValueError(f"Unknown dimension {dim!r}")
        return dialect.json_text("r.extra", name)
    return DIMENSIONS[dim]


def column_alias(dim: str) -> str:
    return dim.replace(".", "_")


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
