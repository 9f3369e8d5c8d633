"""Columns and values -> canonical fields: Danish/English synonyms and user mapping files.

Value maps are built over DISTINCT source values in Python (a few hundred at most) and then
joined in SQL, so normalisation costs the same for 1 k and 1 M rows. Never touches tables.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from data_pipeline.db import load_vocabulary_seed
from data_pipeline.errors import InvalidFile

SURVEY_FIELDS = (
    "source_id",
    "submitted_at",
    "age",
    "birth_year",
    "age_band",
    "gender",
    "area",
    "postal_code",
    "topics",
    "interest",
    "formats",
    "time_per_month",
    "engagement",
    "consent",
    "name",
    "email",
    "phone",
)
EXTRA_PREFIX = "extra."
EXTRA_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CHOICE_FIELDS = {"interest": "interest", "time_per_month": "time", "engagement": "engagement"}
MULTI_FIELDS = {"topics": "topic", "formats": "format"}

# Fallback rules for long question texts, tried in this order after exact synonyms.
# Order matters: "Hvilke emner interesserer dig" is about topics, not interest.
KEYWORD_RULES: tuple[tuple[str, str], ...] = (
    ("topics", r"\bemne|\btopic"),
    ("formats", r"\bformat|hvordan .*deltage|how .*take part|how .*participate"),
    ("time_per_month", r"\btid\b.*(måned|md)|time .*month|hours .*month"),
    ("engagement", r"engager|engagement"),
    ("interest", r"interesse|interest"),
    ("consent", r"samtykke|kontakte dig|consent|contact you"),
    ("birth_year", r"fødselsår|født|birth year|year of birth"),
    ("age_band", r"aldersgruppe|age group|age band"),
    ("age", r"\balder\b|\bage\b"),
    ("gender", r"\bkøn\b|gender"),
    ("postal_code", r"postn|postal|zip"),
    ("area", r"lokalområde|område|bydel|bopæl|\barea\b|district|neighbourhood"),
    ("email", r"e-?mail"),
    ("phone", r"telefon|phone|mobil"),
)


def normalize_text(value: str) -> str:
    """Lower-case, trimmed, unified dashes and spaces: the key used for every lookup."""
    text = unicodedata.normalize("NFC", str(value)).strip().lower()
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text)


def normalize_header(header: str) -> str:
    return normalize_text(header).rstrip("?:*. ")


def normalize_place(value: str) -> str:
    """Names match across sources: "Høje Taastrup" = "Høje-Taastrup", "Indre by " = "Indre By"."""
    return re.sub(r"[\s\-]+", " ", normalize_text(value)).strip()


@dataclass
class UserMapping:
    """A mapping file: {"columns": {header: field}, "values": {field: {source: canonical}}}."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: str | Path | None) -> UserMapping:
        if not path:
            return cls()
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InvalidFile(
                f"Mappingfilen kan ikke læses / Cannot read the mapping file: {exc}"
            ) from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict) -> UserMapping:
        if not isinstance(data, dict):
            raise InvalidFile("Mappingfilen skal være et JSON-objekt. / Must be a JSON object.")
        columns = data.get("columns", {}) or {}
        values = data.get("values", {}) or {}
        for header, target in columns.items():
            if not is_canonical_field(target):
                raise InvalidFile(
                    f"Mappingfilen peger kolonnen '{header}' på det ukendte felt '{target}'. "
                    f"Tilladte felter: {', '.join(SURVEY_FIELDS)} eller extra.<navn>. / "
                    f"The mapping file maps column '{header}' to unknown field '{target}'."
                )
        for target in values:
            if not is_canonical_field(target):
                raise InvalidFile(
                    f"Mappingfilen har værdier for det ukendte felt '{target}'. / "
                    f"The mapping file has values for unknown field '{target}'."
                )
        return cls(columns=dict(columns), values={k: dict(v) for k, v in values.items()})


def is_canonical_field(name: object) -> bool:
    if not isinstance(name, str):
        return False
    if name.startswith(EXTRA_PREFIX):
        return bool(EXTRA_NAME.match(name[len(EXTRA_PREFIX) :]))
    return name in SURVEY_FIELDS or name == "ignore"


@dataclass
class ColumnPlan:
    """Which source column feeds each canonical field, and what is left out."""

    fields: dict[str, int]
    headers: list[str]
    ignored: list[str]

    def header(self, field_name: str) -> str | None:
        index = self.fields.get(field_name)
        return None if index is None else self.headers[index]


def header_synonyms() -> dict[str, str]:
    seed = load_vocabulary_seed()["headers"]
    return {normalize_header(s): name for name, synonyms in seed.items() for s in synonyms}


def map_columns(headers: list[str], user: UserMapping | None = None) -> ColumnPlan:
    user = user or UserMapping()
    synonyms = header_synonyms()
    fields: dict[str, int] = {}
    ignored: list[str] = []
    user_columns = {normalize_header(k): v for k, v in user.columns.items()}
    for index, header in enumerate(headers):
        key = normalize_header(header)
        target = user_columns.get(key) or synonyms.get(key) or _keyword_field(key)
        if target in (None, "ignore", "ignored_known") or target in fields:
            ignored.append(header)
            continue
        fields[target] = index
    return ColumnPlan(fields=fields, headers=list(headers), ignored=ignored)


def _keyword_field(key: str) -> str | None:
    for name, pattern in KEYWORD_RULES:
        if re.search(pattern, key):
            return name
    return None


# --- value maps over distinct values -------------------------------------------------------


def gender_map(values: list[str], user: UserMapping) -> dict[str, str | None]:
    seed = load_vocabulary_seed()["gender"]
    lookup = {normalize_text(s): canon for canon, synonyms in seed.items() for s in synonyms}
    lookup.update({normalize_text(k): v for k, v in user.values.get("gender", {}).items()})
    return {v: lookup.get(normalize_text(v)) for v in values}


def consent_map(values: list[str], user: UserMapping) -> dict[str, bool]:
    """Consent is true only when the answer is unambiguously yes."""
    yes = {normalize_text(s) for s in load_vocabulary_seed()["consent_yes"]}
    user_yes = {normalize_text(k) for k, v in user.values.get("consent", {}).items() if v is True}
    result = {}
    for value in values:
        key = normalize_text(value)
        result[value] = key in yes or key in user_yes
    return result


class Vocabulary:
    """Codes and labels of one vocabulary kind, with the lookups used to map survey labels."""

    def __init__(self, kind: str, rows: list[tuple[str, str, str, int, int | None]]):
        self.kind = kind
        self.rows = list(rows)  # (code, label_da, label_en, sort_order, bit)
        self.new: list[tuple[str, str, str, int, int | None]] = []
        self.lookup: dict[str, str] = {}
        seed = {e["code"]: e for e in load_vocabulary_seed()["vocabularies"].get(kind, [])}
        for code, label_da, label_en, _order, _bit in self.rows:
            for text in (code, label_da, label_en, *seed.get(code, {}).get("synonyms", [])):
                self.lookup.setdefault(normalize_text(text), code)

    @property
    def labels(self) -> list[str]:
        """Every known spelling, longest first, for splitting cells whose options hold commas."""
        return sorted(self.lookup, key=len, reverse=True)

    def code_for(self, label: str) -> str | None:
        return self.lookup.get(normalize_text(label))

    def bit_of(self, code: str) -> int | None:
        for row in (*self.rows, *self.new):
            if row[0] == code:
                return row[4]
        return None

    def add(self, label: str) -> str:
        """A label first seen in this file becomes part of the vocabulary."""
        code = slugify(label)
        existing = {r[0] for r in (*self.rows, *self.new)}
        base, n = code, 1
        while code in existing:
            n += 1
            code = f"{base}_{n}"
        bits = [r[4] for r in (*self.rows, *self.new) if r[4] is not None]
        bit = (max(bits) + 1) if bits else 0
        if bit > 63:
            raise InvalidFile(
                f"For mange forskellige {self.kind}-værdier (over 64). / "
                f"Too many distinct {self.kind} values (over 64)."
            )
        order = len(self.rows) + len(self.new)
        clean = label.strip()
        self.new.append((code, clean, clean, order, bit))
        self.lookup[normalize_text(clean)] = code
        return code


def slugify(label: str) -> str:
    text = normalize_text(label)
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")[:40] or "ukendt"


def split_multi(cell: str, known: list[str]) -> list[str]:
    """Split a multi-select cell: ";" (Forms) if present, else ", " guided by known options.

    Google Forms joins with ", " although option texts may contain commas, so known options
    are matched first (longest first) and only the rest is split on commas.
    """
    text = cell.strip()
    if not text:
        return []
    if ";" in text:
        return [part.strip() for part in text.split(";") if part.strip()]
    found = []
    rest = normalize_text(text)
    original = text
    for label in known:
        if "," not in label:
            continue
        position = rest.find(label)
        if position >= 0:
            found.append(original[position : position + len(label)])
            rest = rest[:position] + " " * len(label) + rest[position + len(label) :]
            original = original[:position] + " " * len(label) + original[position + len(label) :]
    found.extend(part.strip() for part in _split_outside_parentheses(original) if part.strip())
    return found


def _split_outside_parentheses(text: str) -> list[str]:
    """ "Jylland (Aarhus, Aalborg), Fyn" -> two options: a comma inside (...) is part of one."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


@dataclass
class MultiMap:
    """cell text -> codes and bit mask, plus labels that had to be added to the vocabulary."""

    codes: dict[str, list[str]]
    masks: dict[str, int]


def multi_map(values: list[str], vocab: Vocabulary, user: UserMapping, field_name: str) -> MultiMap:
    user_values = {normalize_text(k): v for k, v in user.values.get(field_name, {}).items()}
    # Option texts named in a mapping file are known options too (they may hold commas).
    known = sorted(set(vocab.labels) | set(user_values), key=len, reverse=True)
    codes: dict[str, list[str]] = {}
    masks: dict[str, int] = {}
    for cell in values:
        cell_codes: list[str] = []
        for label in split_multi(cell, known):
            mapped = user_values.get(normalize_text(label), label)
            code = vocab.code_for(mapped) or vocab.add(mapped)
            if code not in cell_codes:
                cell_codes.append(code)
        codes[cell] = cell_codes
        masks[cell] = sum(1 << vocab.bit_of(c) for c in cell_codes)
    return MultiMap(codes=codes, masks=masks)


def choice_map(values: list[str], vocab: Vocabulary, user: UserMapping, field_name: str) -> dict:
    """Ordered single choices (time, engagement, interest): unknown labels stay None."""
    user_values = {normalize_text(k): v for k, v in user.values.get(field_name, {}).items()}
    result = {}
    for value in values:
        mapped = user_values.get(normalize_text(value), value)
        result[value] = vocab.code_for(mapped)
    return result


def area_map(values: list[str], areas: list[tuple[str, str]], user: UserMapping) -> dict:
    """Match area codes or names tolerantly: 4- vs 3-digit codes, hyphens, case, spaces."""
    by_code = {code: code for code, _ in areas}
    by_stripped = {code.lstrip("0"): code for code, _ in areas}
    by_name = {normalize_place(name): code for code, name in areas}
    user_values = {normalize_place(k): v for k, v in user.values.get("area", {}).items()}
    result = {}
    for value in values:
        text = value.strip()
        key = normalize_place(text)
        result[value] = (
            by_code.get(user_values.get(key, ""))
            or by_code.get(text)
            or by_stripped.get(text.lstrip("0") if text.isdigit() else "\0")
            or by_name.get(key)
            or by_name.get(normalize_place(user_values.get(key, "")))
        )
    return result
