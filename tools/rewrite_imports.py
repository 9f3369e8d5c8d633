"""Rewrite references to data_pipeline's old flat module paths to the staged layout (issue 15).

The package was flat until December 2026; branches written against it can be brought up to
date with `python tools/rewrite_imports.py [paths...]` (default: the whole project). It is
idempotent: a path already in the new layout is never rewritten again.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# old module (under data_pipeline) -> new dotted path (under data_pipeline)
MOVES: dict[str, str] = {
    "errors": "core.errors",
    "scratch": "core.scratch",
    "i18n": "core.i18n",
    "i18n_frame": "core.i18n_frame",
    "i18n_panel": "core.i18n_panel",
    "privacy": "core.disclosure",
    "readers": "ingest.readers",
    "uploads": "ingest.uploads",
    "mapping": "ingest.mapping",
    "matching": "ingest.matching",
    "multiselect": "ingest.multiselect",
    "scales": "ingest.scales",
    "validate": "ingest.validate",
    "geo": "ingest.boundaries",
    "geo_repair": "ingest.geo_repair",
    "db": "store.db",
    "store": "store.locking",
    "load": "store.load",
    "load_platform": "store.load_platform",
    "load_reference": "store.load_reference",
    "preview": "store.preview",
    "sample": "store.sample",
    "statbank": "store.statbank",
    "auth": "privacy.roles",
    "erasure": "privacy.erasure",
    "queries": "analysis.queries",
    "representation": "analysis.representation",
    "scores": "analysis.scores",
    "segments": "analysis.segments",
    "activity": "analysis.activity",
    "goals": "analysis.goals",
    "views": "present.views",
    "safe_export": "core.safe_export",
    "reports": "present.reports",
    "outreach": "outreach.contacts",
    "panel": "outreach.panel",
    "cli": "cli.main",
    "cli_analysis": "cli.analysis",
    "cli_goals": "cli.goals",
    "cli_panel": "cli.panel",
    "cli_privacy": "cli.privacy",
    "cli_reports": "cli.reports",
    "cli_sources": "cli.sources",
    "filters_cli": "cli.filters",
    # written on branches during the move
    "parse_limit": "ingest.parse_limit",
    "panel_solve": "outreach.panel_solve",
    "lookups": "analysis.lookups",
    "segment_store": "analysis.segment_store",
    "panel_attendance": "outreach.panel_attendance",
}
# old modules whose name is now a package: `data_pipeline.store.x` is new, never rewritten
PACKAGE_NAMES = {"store", "privacy", "cli", "outreach"}
# packages that moved whole: their submodules follow them
MOVED_PACKAGES = {"readers", "reports"}

# developer tools left the product package for the top-level tools/
TOOL_MOVES = {"bench", "synthetic"}
_TOOL_DOTTED = re.compile(r"\bdata_pipeline\.(bench|synthetic)\b")
_TOOL_SLASHED = re.compile(r"\bdata_pipeline/(bench|synthetic)\.py")
_TOOL_FROM = re.compile(r"\bfrom data_pipeline import (bench|synthetic)\b")

_NAMES = "|".join(sorted(MOVES, key=len, reverse=True))
_DOTTED = re.compile(rf"\bdata_pipeline\.({_NAMES})(?![\w])(\.?)")
_SLASHED = re.compile(rf"\bdata_pipeline/({_NAMES})(\.py|/)")
_FROM_PACKAGE = re.compile(r"^(\s*)from data_pipeline import (\(?)([^\n()]+)\)?\s*$", re.MULTILINE)


def _dotted(match: re.Match) -> str:
    old, dot = match.group(1), match.group(2)
    if dot and old in PACKAGE_NAMES:
        return match.group(0)  # already new: data_pipeline.store.db, data_pipeline.cli.main
    if dot and old not in MOVED_PACKAGES:
        # data_pipeline.load.Staged (attribute of a moved module) - still the module
        return f"data_pipeline.{MOVES[old]}{dot}"
    return f"data_pipeline.{MOVES[old]}{dot}"


def _slashed(match: re.Match) -> str:
    old, tail = match.group(1), match.group(2)
    if tail == "/" and old not in MOVED_PACKAGES:
        return match.group(0)
    return "data_pipeline/" + MOVES[old].replace(".", "/") + tail


def _from_package(match: re.Match) -> str:
    indent, names = match.group(1), match.group(3)
    lines = []
    for item in (part.strip() for part in names.split(",")):
        if not item:
            continue
        name, _, alias = (piece.strip() for piece in item.partition(" as "))
        if name not in MOVES:
            lines.append(f"{indent}from data_pipeline import {item}")
            continue
        parent, _, leaf = f"data_pipeline.{MOVES[name]}".rpartition(".")
        bound = alias or name
        if parent.rpartition(".")[2] in PACKAGE_NAMES:
            # `from data_pipeline.store import x` would read as an old path on a second run
            lines.append(f"{indent}import {parent}.{leaf} as {bound}")
            continue
        suffix = "" if leaf == bound else f" as {bound}"
        lines.append(f"{indent}from {parent} import {leaf}{suffix}")
    return "\n".join(lines)


def rewrite(text: str) -> str:
    text = _TOOL_DOTTED.sub(r"tools.\1", text)
    text = _TOOL_SLASHED.sub(r"tools/\1.py", text)
    text = _TOOL_FROM.sub(r"from tools import \1", text)
    text = _DOTTED.sub(_dotted, text)
    text = _FROM_PACKAGE.sub(_from_package, text)
    return _SLASHED.sub(_slashed, text)


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [ROOT]
    files = []
    for path in paths:
        if path.is_dir():
            files += [
                f
                for f in path.rglob("*")
                if f.suffix in {".py", ".md", ".toml", ".txt"}
                and not any(p.startswith(".") for p in f.relative_to(path).parts)
                and f.name != "rewrite_imports.py"
            ]
        else:
            files.append(path)
    changed = 0
    for file in files:
        text = file.read_text(encoding="utf-8")
        new = rewrite(text)
        if new != text:
            file.write_text(new, encoding="utf-8")
            changed += 1
            print(file)
    print(f"{changed} files rewritten", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
