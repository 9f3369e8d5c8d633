"""Tolerant matching of names across sources, never silent: suggest, confirm, remember.

Exact matches after normalisation (case, hyphens, spaces, 3- vs 4-digit codes) are applied and
reported; anything fuzzier is only a suggestion until an analyst confirms it. Confirmations are
remembered in a JSON mapping file beside the database (`<db>.mapping.json`, the same format as
a user mapping file), so the next import of the same source needs no clicks.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from data_pipeline.core.errors import InvalidFile
from data_pipeline.core.i18n import t
from data_pipeline.ingest.fuzzy import similarity
from data_pipeline.ingest.mapping import UserMapping, normalize_place, normalize_text

SUGGESTION_CUTOFF = 0.72
MAX_SUGGESTIONS = 3


@dataclass
class Match:
    """How one source value relates to the known names."""

    value: str
    code: str | None = None  # set only for an exact or confirmed match
    how: str = "none"  # code | name | confirmed | none
    suggestions: list[tuple[str, str, float]] = field(default_factory=list)  # (code, name, score)


def _code_key(text: str) -> str | None:
    text = text.strip()
    return text.lstrip("0") or "0" if text.isdigit() else None


def match_areas(
    values: list[str], areas: list[tuple[str, str]], mapping: UserMapping | None = None
) -> list[Match]:
    """Each value: an exact or confirmed area code, or up to three suggestions with scores."""
    confirmed = {
        normalize_place(k): v for k, v in (mapping or UserMapping()).values.get("area", {}).items()
    }
    by_code = {code: code for code, _ in areas}
    by_digits = {_code_key(code): code for code, _ in areas if _code_key(code)}
    by_name = {normalize_place(name): code for code, name in areas}
    candidates = normalised_names({code: name for code, name in areas})
    result = []
    for value in values:
        key = normalize_place(value)
        if confirmed.get(key) in by_code:
            result.append(Match(value, confirmed[key], "confirmed"))
        elif value.strip() in by_code or (_code_key(value) and _code_key(value) in by_digits):
            code = by_code.get(value.strip()) or by_digits[_code_key(value)]
            result.append(Match(value, code, "code"))
        elif key in by_name:
            result.append(Match(value, by_name[key], "name"))
        else:
            result.append(Match(value, suggestions=closest_names(key, candidates)))
    return result


def suggest(value: str, names: dict[str, str]) -> list[tuple[str, str, float]]:
    """Closest names by similarity (fuzzy.py) over normalised text; best first."""
    return closest_names(normalize_place(value), normalised_names(names))


def normalised_names(names: dict[str, str]) -> list[tuple[str, str, str]]:
    """(code, name, normalised name): normalised once, however many values are matched."""
    return [(code, name, normalize_place(name)) for code, name in names.items()]


def closest_names(key: str, candidates: list[tuple[str, str, str]]) -> list[tuple[str, str, float]]:
    """Up to MAX_SUGGESTIONS (code, name, score) at or above the cut-off for a normalised value."""
    scored = []
    for code, name, candidate in candidates:
        score = similarity(key, candidate)
        # A name that contains the value (or the reverse) is a strong hint: "Indre" ~ "Indre By".
        if key and (key in candidate or candidate in key):
            score = max(score, 0.8)
        if score >= SUGGESTION_CUTOFF:
            scored.append((code, name, round(score, 3)))
    scored.sort(key=lambda item: (-item[2], item[1]))
    return scored[:MAX_SUGGESTIONS]


def suggest_choice(value: str, options: dict[str, str]) -> list[tuple[str, str, float]]:
    """The same for any vocabulary (gender, topics): options maps code -> label."""
    key = normalize_text(value)
    scored = []
    for code, label in options.items():
        score = max(
            similarity(key, normalize_text(label)),
            similarity(key, normalize_text(code)),
        )
        if score >= SUGGESTION_CUTOFF:
            scored.append((code, label, round(score, 3)))
    scored.sort(key=lambda item: -item[2])
    return scored[:MAX_SUGGESTIONS]


def unknown_reason(match: Match, lang: str = "da") -> str:
    """A rejection reason that names the best suggestion, so the fix is one click away."""
    if not match.suggestions:
        return t("reason.area_unmatched", lang)
    code, name, _score = match.suggestions[0]
    return t("reason.area_did_you_mean", lang, name=name, code=code)


# --- remembered confirmations ------------------------------------------------------------------


def mapping_file(db_path: str | Path | None) -> Path | None:
    if not db_path or str(db_path) == ":memory:":
        return None
    return Path(f"{db_path}.mapping.json")


def remembered(db_path: str | Path | None) -> UserMapping:
    path = mapping_file(db_path)
    if path is None or not path.exists():
        return UserMapping()
    return UserMapping.from_file(path)


def merge(base: UserMapping, override: UserMapping | None) -> UserMapping:
    """The mapping given for this load wins over remembered confirmations."""
    if override is None:
        return base
    values = {k: dict(v) for k, v in base.values.items()}
    for field_name, pairs in override.values.items():
        values.setdefault(field_name, {}).update(pairs)
    return UserMapping(columns={**base.columns, **override.columns}, values=values)


def remember(
    db_path: str | Path | None,
    values: dict[str, dict[str, str]] | None = None,
    columns: dict[str, str] | None = None,
) -> UserMapping:
    """Add confirmed pairs to the remembered mapping (validated, written atomically)."""
    path = mapping_file(db_path)
    if path is None:
        raise InvalidFile(
            "En database i hukommelsen kan ikke huske bekræftelser. / "
            "An in-memory database cannot remember confirmations."
        )
    current = remembered(db_path)
    updated = merge(
        current, UserMapping.from_dict({"values": values or {}, "columns": columns or {}})
    )
    payload = {"columns": updated.columns, "values": updated.values}
    handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(payload, out, ensure_ascii=False, indent=2, sort_keys=True)
    os.replace(temp, path)
    return updated
