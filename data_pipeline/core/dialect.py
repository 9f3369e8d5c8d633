"""The SQL that is DuckDB's own, in one place (issue 16, item 5).

Everything else the pipeline sends is standard SQL (GROUPING SETS and window functions
included). The queries, the analysis, outreach and privacy modules build their DuckDB-only
pieces here: list parameters, bit masks of multi-select answers, JSON fields, content
fingerprints, "the latest value", pattern tests and the snapshot's ATTACH.

- A move that keeps DuckDB as the engine (MotherDuck, or DuckDB over Parquet on object
  storage; docs/SCALING.md §3) is a connection change: nothing here changes.
- A move to another engine rewrites these functions: e.g. for PostgreSQL `in_list` becomes
  `expr = ANY($n)`, `bit_count` a `length(replace(x::bit(64)::text, '0', ''))`, and
  `GROUP_BY_ALL` explicit columns. tests/test_architecture.py keeps the constructs out of
  every other module of the read path.

The writer's own DuckDB (its CSV reader `read_csv`, `try_strptime`, `regexp_replace` and the
list checks of ingest/, and store/'s loading) stays with the writer by design: imports write
one DuckDB file, which is then published (snapshot, Parquet or MotherDuck) for the readers.

Every function returns a fragment of SQL text; values always travel as bound parameters, and
the only identifiers passed in are the callers' whitelisted column names and integers.
"""

from __future__ import annotations

# Group by every column that is not an aggregate (another engine: list them).
GROUP_BY_ALL = "GROUP BY ALL"


def in_list(expr: str, param: str) -> str:
    """`expr` is one of the values of the list parameter `$param` (a semi-join)."""
    return f"{expr} IN (SELECT unnest(${param}))"


def list_has(param: str, expr: str) -> str:
    """The list parameter `$param` holds `expr`: a scalar test, cheap as a per-row flag."""
    return f"list_contains(${param}, {expr})"


def list_rows(*columns: tuple[str, str]) -> str:
    """List parameters as the rows of a table: `list_rows(("cw_band", "age_band"), ...)`
    gives one row per position, the lists side by side (equal lengths)."""
    return "SELECT " + ", ".join(f"unnest(${param}) AS {alias}" for param, alias in columns)


def split_rows(expr: str, separator: str) -> str:
    """One row per part of the text `expr` split at the literal `separator`."""
    return f"unnest(string_split({expr}, '{separator}'))"


def option_mask(kind: str, codes_param: str) -> str:
    """The bit mask (UBIGINT) of the options `$codes_param` of multi-select question `kind`,
    looked up in the vocabulary inside the query (saves a round trip per filter)."""
    return (
        "(SELECT coalesce(bit_or(1::UBIGINT << bit), 0::UBIGINT) FROM vocabulary "
        f"WHERE kind = '{kind}' AND {in_list('code', codes_param)})"
    )


def has_bit(mask: str, bit: str) -> str:
    """Bit number `bit` of the mask `mask` is set."""
    return f"(({mask} >> {bit}) & 1) = 1"


def bit_count(expr: str) -> str:
    """How many bits of the mask `expr` are set."""
    return f"bit_count({expr})"


def lowest_bit(expr: str) -> str:
    """The number of the one bit set in `expr` (NULL unless exactly one is set)."""
    return (
        f"CASE WHEN bit_count({expr}) = 1 THEN CAST(round(log2(({expr})::DOUBLE)) AS INTEGER) END"
    )


def json_text(column: str, name: str) -> str:
    """The text of field `name` of the JSON column `column` (NULL when absent)."""
    return f"json_extract_string({column}, '$.{name}')"


def json_key_rows(column: str) -> str:
    """One row per key of the JSON object in `column`."""
    return f"unnest(json_keys({column}))"


def fingerprint(expr: str) -> str:
    """A 64-bit hash of a value or a row, as HUGEINT so that sums of many do not overflow."""
    return f"hash({expr})::HUGEINT"


def latest(value: str, by: str) -> str:
    """The `value` of the row with the largest `by` (an aggregate)."""
    return f"arg_max({value}, {by})"


def attach(path_param: str, alias: str) -> str:
    """Attach the database file `$path_param` (created if missing) under `alias`."""
    return f"ATTACH ${path_param} AS {alias}"


def copy_database(source: str, target: str) -> str:
    """Copy every table of the attached database `source` into `target` (erasure's rewrite
    of the file without the deleted rows' old pages)."""
    return f"COPY FROM DATABASE {source} TO {target}"


def attach_read_only(path_param: str, alias: str) -> str:
    """Attach the database file `$path_param` read-only under `alias`."""
    return f"ATTACH ${path_param} AS {alias} (READ_ONLY)"
