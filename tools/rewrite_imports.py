"""Rewrite references to data_pipeline's old flat module paths to the staged layout (issue 15).

The package was flat until December 2026; branches written against it can be brought up to
date with `python tools/rewrite_imports.py [paths...]` (default: the whole project). Modules
split by concern since (representation, queries, part of goals; validate, mapping and
load_platform; present's views and most of reports.content) are followed name by name: an imported name, a `module.name` use and a dotted
`data_pipeline...name` string go to the module that holds the name now. It is idempotent: a path already in the new layout is never rewritten
again.
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
    "queries": "analysis.queries",  # then split: SPLITS
    "representation": "analysis.representation",  # then split: SPLITS
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

# Modules split by concern after the move (issue 15): each old module (dotted, under
# data_pipeline) -> the module that now holds each name (a module binding's `q.name` and
# `from ... import name` follow the name). A module that still exists keeps the names not
# listed. Private names are listed too (tests use some).
_SPLIT_TABLE = {
    "analysis.representation": {
        "analysis.cells": "BACKGROUND InvalidInput KNOWN_GENDERS area_names cell_counts "
        "cells_for check_background demographic_free grouping_cells grouping_set_cells "
        "has_demographic_filter needed_variables postal_note reference_rate require_population "
        "resolve_wave _RESPONDENT_SQL _POPULATION_SQL _VARIABLE_WORDS _respondent_counts "
        "_population_counts",
        "analysis.statistics": "EXPECTED_HINT_MIN FDR_Q FINE_BAND Z95 add_statistics apply_fdr "
        "benjamini_hochberg expected_hint score_p_values wilson_interval _status _STAT_COLUMNS",
        "analysis.ratios": "representation_table _band_order _label_columns _label_and_sort",
        "analysis.gaps": "find_gaps _findings",
        "analysis.gap_words": "describe_group finding_sentence format_number interest_words "
        "ratio_words _GENDER_WORDS _FRACTIONS _vocabulary_labels _missing_words",
        "analysis.raking": "RakeResult ipf rake _rake_with_trim _margins",
        "analysis.weighting": "weighted_counts weighted_shares _weighted_respondents _vocab "
        "_options",
    },
    "analysis.queries": {
        "analysis.filtering": "DIMENSIONS FIELD_DIMENSIONS FILTER_COLUMNS FILTER_MASKS Filters "
        "MULTI_DIMENSIONS ORDERED_KINDS Where bits column_alias population_where where_clause "
        "_dim_sql",
        "analysis.area_spread": "AREA_SPREAD_RELATION Source respondent_source whole whole_counts",
        "analysis.catalog": "EXTRA_MAX_LABEL EXTRA_MAX_OPTIONS POPULATION_VARIABLES age_bands "
        "area_geometries areas database_summary extra_dimensions latest_wave "
        "population_coverage population_period population_sources postal_spread_respondents "
        "previous_wave respondents_by_wave vocabulary wave_respondents waves",
        "analysis.counting": "CHOICE_COLUMNS count_population count_respondents crosstab_multi "
        "option_counts population_by population_by_band_gender respondents_by",
        "analysis.disclosure_counts": "Complement SPLIT_ALIAS filter_complements table_counts",
    },
    "analysis.goals": {
        "analysis.goal_progress": "BEHIND ON_TRACK UNKNOWN current_status progress status_for "
        "_missing _platform_progress",
        "analysis.goal_words": "figures_text goal_sentence goals_json group_name status_line "
        "status_lines",
    },
    # validate keeps stage_survey, SurveyStage, require_survey_fields and the contact checks
    "ingest.validate": {
        "ingest.lookup_tables": "POSTAL_WHOLE_SHARE CATEGORICAL_FIELDS _value_counts "
        "_register_map _build_value_maps _band_key",
        "ingest.timestamps": "TIMESTAMP_FORMATS _timestamp_format _has_zones _strip_zone",
        "ingest.row_checks": "AGE_MIN AGE_MAX reason _create_stage_table",
    },
    # mapping keeps the fields, the mapping file, the normalisers and the value maps
    "ingest.mapping": {
        "ingest.column_plan": "CONTACT_WORDS CONSENT_WORDS CONTACT_QUESTION KEYWORD_RULES "
        "ColumnPlan header_synonyms map_columns _closest_header _keyword_field",
    },
    # load_platform keeps stage_platform, PERSONAL_COLUMNS and the mapping, ages and insert
    "store.load_platform": {
        "ingest.platform_rows": "REGISTRATION_FIELDS GOVOCAL_FIXED CLASH_SUFFIX "
        "TIMESTAMP_PREFIX MAX_ATTENDEES Activity registration_columns govocal_activities "
        "decidim_activities _first_author _first_column _space _decidim_proposals "
        "_decidim_comments _decidim_meetings _decidim_survey _timestamp _get _int _no_id_reason",
    },
    # views became one module per page, and what they share
    "present.views": {
        "present.view_shared": "labels order _label_series _rate",
        "present.groups": "open_dimensions gaps_in_context groups_view",
        "present.overview": "RANKED_KINDS Overview headline_publishable headline_count "
        "overview_view band_gender_view ranked_view _ranked",
        "present.explore": "FILTERED_BY explore_view weights_note _complete_grid _within_filter",
        "present.map_values": "map_view hide_differences postal_spread_note _per_area",
    },
    # text kept sniffing and parsing; the bytes made ready to parse moved out
    "ingest.readers.text": {
        "ingest.readers.text_decode": "HEAD_BYTES ENCODING_LABELS ASCII_BYTES HIGH_LOW_HALF "
        "UTF8_SEQUENCE MAX_LISTED_WARNINGS RECODED_WARNING UTF8_IN_CP1252_WARNING MORE_WARNINGS "
        "detect_encoding encoding_label Prepared prepare normalise_line_endings decode_text "
        "_decode _decode_line_by_line _record_numbers",
    },
    # content keeps build_report; its sections and what the citizens' summary shares moved out
    "present.reports.content": {
        "present.reports.shared": "SHARE_KINDS FILTER_FIELDS DST_NAMES EmptySelection prepare "
        "option_shares describe_scope wave_row wave_name date_text population_sources credit "
        "today_text count_text",
        "present.reports.headline": "headline_section _overall _previous _change _facts "
        "_key_messages",
        "present.reports.gap_sections": "maps_section gaps_section _lower_first _group_filter "
        "_map_table",
        "present.reports.answer_sections": "topics_section formats_section segments_section "
        "_share_table",
        "present.reports.method": "method_section sources_table",
    },
}
# A `q.name` use becomes `<binding>.name` under `import <home> as <binding>`, the binding being
# the home's last part; these homes are common variable names (`overview =
# views.overview_view(...)`), so they are bound under another name.
BINDINGS = {
    "present.overview": "overview_views",
    "present.groups": "group_views",
    "present.explore": "explore_views",
    "present.reports.shared": "report_shared",
    "present.reports.headline": "report_headline",
    "present.reports.method": "report_method",
}
SPLITS: dict[str, dict[str, str]] = {
    old: {name: new for new, names in moved.items() for name in names.split()}
    for old, moved in _SPLIT_TABLE.items()
}
REMOVED = {
    "analysis.representation",
    "analysis.queries",
    "present.views",
}  # split modules that no longer exist
# private names that became public in their new module
RENAMED = {
    ("analysis.representation", "_STAT_COLUMNS"): "STAT_COLUMNS",
    ("analysis.queries", "_dim_sql"): "dim_sql",
    ("analysis.goals", "_missing"): "is_missing",
    ("ingest.validate", "_value_counts"): "value_counts",
    ("ingest.validate", "_register_map"): "register_map",
    ("ingest.validate", "_build_value_maps"): "build_value_maps",
    ("ingest.validate", "_timestamp_format"): "timestamp_format",
    ("ingest.validate", "_has_zones"): "has_zones",
    ("ingest.validate", "_strip_zone"): "strip_zone",
    ("ingest.validate", "_create_stage_table"): "create_stage_table",
    ("present.views", "_rate"): "response_rate",
    ("present.views", "_label_series"): "label_series",
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
_FROM_PACKAGE = re.compile(
    r"^([ \t]*)from data_pipeline import (\(?)([^\n()]+)\)?[ \t]*$", re.MULTILINE
)


def _dotted(match: re.Match) -> str:
    old, dot = match.group(1), match.group(2)
    if dot and old in PACKAGE_NAMES:
        return match.group(0)  # already new: data_pipeline.store.db, data_pipeline.cli.main
    text, start, end = match.string, match.start(), match.end()
    quoted = (
        start > 0 and end < len(text) and text[start - 1] in "\"'" and text[end] == text[start - 1]
    )
    if old in PACKAGE_NAMES and quoted:
        return match.group(0)  # "data_pipeline.cli" names the package as it is now
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


_SPLIT_NAMES = "|".join(re.escape(old) for old in sorted(SPLITS, key=len, reverse=True))
_SPLIT_DOTTED = re.compile(rf"\bdata_pipeline\.({_SPLIT_NAMES})\.(\w+)")
_SPLIT_FROM = re.compile(
    rf"^([ \t]*)from data_pipeline\.({_SPLIT_NAMES}) import "
    r"(\([^)]*\)|[^\n#]*?)([ \t]*#[^\n]*)?$",
    re.MULTILINE,
)
# `from data_pipeline.<package> import module as m`; not store: `from data_pipeline.store
# import x` reads as the old flat `store` module (see _from_package), so it is never written.
# (longest first, so `present.reports` is tried before `present`)
_SPLIT_PACKAGES = "|".join(
    re.escape(package)
    for package in sorted(
        {old.rpartition(".")[0] for old in SPLITS} - PACKAGE_NAMES, key=len, reverse=True
    )
)
_PACKAGE_FROM = re.compile(
    rf"^([ \t]*)from data_pipeline\.({_SPLIT_PACKAGES}) import "
    r"\(?([^\n()#]+?)\)?([ \t]*#[^\n]*)?$",
    re.MULTILINE,
)
_SPLIT_IMPORT = re.compile(
    rf"^([ \t]*)import data_pipeline\.({_SPLIT_NAMES}) as (\w+)([ \t]*#[^\n]*)?$",
    re.MULTILINE,
)


def _home(old: str, name: str) -> str:
    """The module (dotted, under data_pipeline) that holds `name` of the split module `old`."""
    return SPLITS[old].get(name, old)


def _binding(home: str) -> str:
    """The name a split module's home is imported as where `q.name` uses are rewritten."""
    return BINDINGS.get(home, home.rpartition(".")[2])


def _split_dotted(match: re.Match) -> str:
    old, name = match.groups()
    return f"data_pipeline.{_home(old, name)}.{RENAMED.get((old, name), name)}"


def _split_from(match: re.Match) -> str:
    indent, old, names, comment = match.groups()
    groups: dict[str, list[str]] = {}
    for item in (part.strip() for part in names.strip("()").replace("\n", ",").split(",")):
        if item and not item.startswith("#"):
            name, _, alias = (piece.strip() for piece in item.partition(" as "))
            if (old, name) in RENAMED:
                item = f"{RENAMED[old, name]} as {alias or name}"
            groups.setdefault(_home(old, name), []).append(item)
    if set(groups) <= {old} and not any((old, n) in RENAMED for n in re.findall(r"\w+", names)):
        return match.group(0)  # nothing moved: the import stays as written
    lines = [
        f"{indent}from data_pipeline.{module} import {', '.join(items)}"
        for module, items in sorted(groups.items())
    ]
    return "\n".join(lines) + (comment or "")


def _split_bindings(text: str) -> str:
    """`from data_pipeline.analysis import queries as q` (or `import ... as q`) with `q.name`
    uses: each `q.name` becomes `<home>.name`, imported as `import data_pipeline.<package>.<home>
    as <home>`; the old binding stays only while a name of a module that still exists uses it."""
    for pattern in (_PACKAGE_FROM, _SPLIT_IMPORT):
        position = 0
        while match := pattern.search(text, position):
            if pattern is _PACKAGE_FROM:
                indent, package, names, comment = match.groups()
                items = [part.strip() for part in names.split(",") if part.strip()]
            else:
                indent, old, alias, comment = match.groups()
                package, _, leaf = old.rpartition(".")
                items = [f"{leaf} as {alias}"]
            if not any(
                f"{package}.{item.partition(' as ')[0].strip()}" in SPLITS for item in items
            ):
                position = match.end()
                continue
            before, after = text[: match.start()], text[match.end() :]
            kept, homes = [], []
            for item in items:
                leaf, _, alias = (piece.strip() for piece in item.partition(" as "))
                old = f"{package}.{leaf}"
                if old not in SPLITS:
                    kept.append(item)
                    continue
                bound = alias or leaf

                def move(ref: re.Match, old=old, homes=homes) -> str:
                    home = _home(old, ref.group(1))
                    if home == old:
                        return ref.group(0)
                    homes.append(home)
                    name = RENAMED.get((old, ref.group(1)), ref.group(1))
                    return f"{_binding(home)}.{name}"

                uses = re.compile(rf"(?<![\w.]){re.escape(bound)}\.(\w+)")
                before, after = uses.sub(move, before), uses.sub(move, after)
                if uses.search(before + after) or old not in REMOVED:
                    kept.append(item)
            if package in PACKAGE_NAMES:  # see _PACKAGE_FROM: `import ... as` only
                kept = [f"import data_pipeline.{package}.{item}" for item in kept]
            elif kept:
                kept = [f"from data_pipeline.{package} import {', '.join(kept)}"]
            lines = [indent + line for line in kept]
            for home in sorted(set(homes)):
                line = f"import data_pipeline.{home} as {_binding(home)}"
                if line not in before + after:
                    lines.append(indent + line)
            if lines:
                lines[0] += comment or ""
            replacement = "\n".join(lines)
            text = before + replacement + (after if replacement else after.removeprefix("\n"))
            position = len(before) + len(replacement)
    return text


def rewrite_splits(text: str) -> str:
    """References to a module split after the move follow each name to its new module."""
    text = _SPLIT_DOTTED.sub(_split_dotted, text)
    text = _SPLIT_FROM.sub(_split_from, text)
    return _split_bindings(text)


def rewrite(text: str) -> str:
    text = _TOOL_DOTTED.sub(r"tools.\1", text)
    text = _TOOL_SLASHED.sub(r"tools/\1.py", text)
    text = _TOOL_FROM.sub(r"from tools import \1", text)
    text = _DOTTED.sub(_dotted, text)
    text = _FROM_PACKAGE.sub(_from_package, text)
    text = _SLASHED.sub(_slashed, text)
    return rewrite_splits(text)


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
