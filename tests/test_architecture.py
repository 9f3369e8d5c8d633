"""The folder list is the architecture (issue 15): stages import only earlier stages, no module
imports another's private names, and there are no import cycles, hidden ones included.

Built from the source with `ast`, so function-level imports count as much as top-level ones.
The stage order is docs/ARCHITECTURE.md's.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "data_pipeline"
STAGES = ["core", "ingest", "store", "privacy", "analysis", "outreach", "present", "cli"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(*folders: str) -> list[Path]:
    files = []
    for folder in folders:
        target = ROOT / folder
        files += [target] if target.is_file() else sorted(target.rglob("*.py"))
    return files


MODULES = {module_name(p): p for p in source_files("data_pipeline")}


def resolve(name: str) -> str | None:
    """The data_pipeline module an import refers to (a package's names live in its __init__)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import in the file, anywhere."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if resolve(submodule) == submodule:
                    found.append((submodule, [], node.lineno))
                else:
                    found.append((base, [alias.name], node.lineno))
    return found


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for target, _names, _line in imports_of(path):
            resolved = resolve(target) if target.startswith("data_pipeline") else None
            if resolved and resolved != name:
                edges[name].add(resolved)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) >= 2 and parts[1] in STAGES else None


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_there_are_no_import_cycles_in_the_pipeline():
    assert cycles(graph()) == []


def test_every_module_sits_in_a_stage():
    loose = [
        name
        for name in MODULES
        if stage(name) is None and name not in {"data_pipeline", "data_pipeline.__main__"}
    ]
    assert loose == []


def test_stages_import_only_earlier_stages():
    backwards = []
    for name, targets in graph().items():
        here = stage(name)
        for target in targets:
            there = stage(target)
            if here is not None and there is not None and there > here:
                backwards.append(f"{name} -> {target}")
    assert backwards == []


def private_uses(path: Path) -> list[str]:
    """`from m import _x` and `m._x` where m is another module of ours."""
    here = module_name(path)
    ours = ("data_pipeline", "app_support", "pages", "tools")
    found = []
    for target, names, line in imports_of(path):
        if target.startswith(ours) and target != here:
            found += [f"{here}:{line} imports {target}.{n}" for n in names if n.startswith("_")]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom | ast.Import):
            for alias in node.names:
                base = node.module if isinstance(node, ast.ImportFrom) else None
                full = f"{base}.{alias.name}" if base else alias.name
                if full.startswith(ours) and (ROOT / (full.replace(".", "/") + ".py")).exists():
                    module_aliases[alias.asname or alias.name.split(".")[-1]] = full
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in module_aliases
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{here}:{node.lineno} uses {module_aliases[node.value.id]}.{node.attr}")
    return found


@pytest.mark.parametrize("folder", ["data_pipeline", "app_support", "pages", "tools", "app.py"])
def test_no_module_uses_another_modules_private_names(folder):
    found = [use for path in source_files(folder) for use in private_uses(path)]
    assert found == []


def test_the_private_name_check_sees_both_forms(tmp_path, monkeypatch):
    probe = ROOT / "tools" / "_architecture_probe.py"
    probe.write_text(
        "from data_pipeline.store.db import _tables\n"
        "import data_pipeline.store.db as db\n"
        "db._open('x', True)\n",
        encoding="utf-8",
    )
    try:
        found = private_uses(probe)
    finally:
        probe.unlink()
    assert len(found) == 2, found


def test_the_pipeline_never_imports_streamlit():
    users = [
        module_name(path)
        for path in source_files("data_pipeline")
        if any(target.split(".")[0] == "streamlit" for target, _n, _l in imports_of(path))
    ]
    assert users == []


# Pages only read, call and draw ---------------------------------------------------------------
SQL_IN_TEXT = re.compile(
    r"\b(SELECT|DELETE)\b[\s\S]*\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bCREATE\s+TABLE\b"
)
LIFECYCLE_CALLS = {"execute", "executemany", "sql", "cursor", "writer", "connect", "close"}


def page_offences(source: str, name: str = "page") -> list[str]:
    """What a page must not hold: SQL in a string, duckdb, a connection's lifecycle
    (`.execute(`, `.cursor()`, `.writer()`, `.connect(`, `.close()`), or a `_private` name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SQL_IN_TEXT.search(node.value):
                found.append(f"{name}:{line} SQL in a string")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            modules.append(getattr(node, "module", None) or "")
            if any(m.split(".")[0] == "duckdb" for m in modules):
                found.append(f"{name}:{line} imports duckdb")
            for alias in node.names:
                last = alias.name.split(".")[-1]
                if last.startswith("_") and not last.startswith("__"):
                    found.append(f"{name}:{line} imports the private {alias.name}")
        elif isinstance(node, ast.Name) and node.id == "duckdb":
            found.append(f"{name}:{line} uses duckdb")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in LIFECYCLE_CALLS
        ):
            found.append(f"{name}:{line} calls .{node.func.attr}()")
        if isinstance(node, ast.Attribute) and re.match(r"_(?!_)", node.attr):
            found.append(f"{name}:{line} uses the private .{node.attr}")
    return found


@pytest.mark.parametrize(
    "source",
    [
        'rows = cur.execute("SELECT area_code, name FROM area").fetchall()',
        'query = "SELECT code, label_da\\n FROM vocabulary"',
        'sql = "DELETE FROM contact WHERE x = 1"',
        'sql = "INSERT INTO goal VALUES (1)"',
        'sql = "UPDATE goal SET target = 2"',
        "import duckdb",
        "from duckdb import connect",
        "con = data.writer()",
        "cur = data.cursor()",
        "cur.close()",
        "from app_support.data import _reader",
        "value = data._with_cursor(f)",
    ],
)
def test_the_page_check_sees_each_offence(source):
    assert page_offences(source) != []


@pytest.mark.parametrize("path", source_files("pages"), ids=lambda p: p.name)
def test_pages_hold_no_sql_no_connections_and_no_private_names(path):
    assert page_offences(path.read_text(encoding="utf-8"), path.name) == []


# --- DuckDB's own SQL lives in core/dialect.py (issue 16, item 5) ------------------------------

# Constructs other engines spell differently (or lack), as they appear in SQL text. Standard
# SQL (GROUPING SETS, window functions, FILTER, bit arithmetic) is not listed.
DUCKDB_ONLY = {
    "list parameter as rows": r"unnest\s*\(",
    "list membership": r"list_contains\s*\(",
    "bit count": r"bit_count\s*\(",
    "group by all": r"GROUP BY ALL",
    "content hash": r"\bhash\s*\(",
    "latest value": r"arg_max\s*\(",
    "QUALIFY": r"\bQUALIFY\b",
    "JSON field": r"json_extract(_string)?\s*\(|json_keys\s*\(",
    "ATTACH": r"\bATTACH\b\s+\$",
    "COPY FROM DATABASE": r"COPY FROM DATABASE",
    "bit mask of options": r"bit_or\s*\(\s*1::UBIGINT",
}
# The read path: what every page view and report runs. The writer (ingest/, store/) is DuckDB
# by design (its CSV reader, strptime, list checks); see dialect.py's docstring.
READ_PATH = ("data_pipeline/analysis", "data_pipeline/outreach", "data_pipeline/present",
             "data_pipeline/privacy", "app_support")  # fmt: skip


def duckdb_only_sql(source: str, name: str = "<source>") -> list[str]:
    """DuckDB-only constructs in the string literals of `source` (comments and docstrings
    are prose, so only strings that are not a statement of their own count)."""
    tree = ast.parse(source)
    prose = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            for what, pattern in DUCKDB_ONLY.items():
                if re.search(pattern, node.value):
                    found.append(f"{name}:{node.lineno} {what}: {node.value.strip()[:60]!r}")
    return found


@pytest.mark.parametrize(
    "source",
    [
        'sql = "SELECT * FROM t WHERE a IN (SELECT unnest($x))"',
        'sql = f"SELECT a, count(*) FROM {t} GROUP BY ALL"',
        'sql = "SELECT sum(hash(r)::HUGEINT) FROM respondent r"',
        "sql = \"SELECT json_extract_string(extra, '$.x') FROM r\"",
        'con.execute("ATTACH $p AS snap (READ_ONLY)")',
        'q = "SELECT * FROM goal QUALIFY version = max(version) OVER ()"',
    ],
)
def test_the_dialect_check_sees_each_construct(source):
    assert duckdb_only_sql(source) != []


def test_the_dialect_check_reads_prose_as_prose():
    assert duckdb_only_sql('"""Uses GROUP BY ALL and unnest($x) in dialect.py."""') == []


@pytest.mark.parametrize(
    "path",
    [p for folder in READ_PATH for p in source_files(folder)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_the_read_path_builds_duckdb_only_sql_through_the_dialect_module(path):
    assert duckdb_only_sql(path.read_text(encoding="utf-8"), path.name) == []
