"""The canonical survey fields, the user's mapping file, and answers -> canonical values.

Owns the field names every stage shares, the text keys every lookup uses (`normalize_*`), the
mapping file (`UserMapping`, refused when it is malformed or would store contact details as an
answer) and the value maps for gender, consent, area and the vocabularies. Which header feeds
which field is `column_plan.py`'s.

Value maps are built over DISTINCT source values in Python (a few hundred at most) and then
joined in SQL, so normalisation costs the same for 1 k and 1 M rows. Never touches tables.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.vocabulary import load_vocabulary_seed

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
    "first_name",
    "last_name",
    "email",
    "phone",
)
CONTACT_FIELDS = ("name", "first_name", "last_name", "email", "phone")
EXTRA_PREFIX = "extra."
GENDERS = tuple(load_vocabulary_seed()["gender"])
EXTRA_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CHOICE_FIELDS = {"interest": "interest", "time_per_month": "time", "engagement": "engagement"}
MULTI_FIELDS = {"topics": "topic", "formats": "format"}


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
        _require_text_dict(columns, '"columns"')
        if not isinstance(values, dict):
            raise _shape_error('"values"')
        for target, pairs in values.items():
            _require_text_dict(pairs, f'"values" → "{str(target)[:40]}"', allow_none=True)
        for header, target in columns.items():
            if isinstance(target, str) and target.startswith(EXTRA_PREFIX):
                refuse_contact_extra(header, target)
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
        unknown = {v for v in (values.get("gender") or {}).values() if v is not None} - set(GENDERS)
        if unknown:
            raise InvalidFile(
                f"Mappingfilen giver køn, der ikke findes: {', '.join(sorted(unknown))}. "
                f"Brug {', '.join(GENDERS)}. / The mapping file gives unknown gender values; "
                f"use {', '.join(GENDERS)}."
            )
        return cls(columns=dict(columns), values={k: dict(v) for k, v in values.items()})


def _shape_error(where: str) -> InvalidFile:
    return InvalidFile(
        f"Mappingfilen har en forkert form ved {where}: forventede et objekt med tekst "
        '(f.eks. {"Alder": "age"}). / The mapping file has the wrong shape at '
        f"{where}: expected an object of text values."
    )


def _require_text_dict(value, where: str, allow_none: bool = False) -> None:
    """A list where an object belongs (or numbers where text belongs) is a clear refusal."""
    if not isinstance(value, dict):
        raise _shape_error(where)
    for key, target in value.items():
        if not isinstance(key, str) or not (
            isinstance(target, str) or (allow_none and target is None)
        ):
            raise _shape_error(where)


# A column whose header names contact details may never become an extra.* answer column:
# the answers are not protected like the contact table, and erasure searches contact data there.
CONTACT_HEADER = re.compile(
    r"e-?mail|\bmail|telefon|phone|\btlf|mobil|navn|\bname\b|adresse|address|\bcpr",
    re.IGNORECASE,
)


def refuse_contact_extra(header: str, target: str) -> None:
    if CONTACT_HEADER.search(str(header)) or CONTACT_HEADER.search(target):
        raise InvalidFile(
            f"Kolonnen '{str(header)[:40]}' ligner kontaktoplysninger (navn, e-mail eller "
            f"telefon) og kan ikke gemmes som svar ('{target[:40]}'). Kortlæg den til name, "
            "email eller phone, eller udelad den. / The column looks like contact details and "
            "cannot be stored as an answer; map it to name, email or phone, or leave it out."
        )


def is_canonical_field(name: object) -> bool:
    if not isinstance(name, str):
        return False
    if name.startswith(EXTRA_PREFIX):
        return bool(EXTRA_NAME.match(name[len(EXTRA_PREFIX) :]))
    return name in SURVEY_FIELDS or name == "ignore"


# --- value maps over distinct values -------------------------------------------------------


# Gender answers beyond the seed synonyms, by their words: "Andet / ved ikke" is andet,
# "Jeg ønsker ikke at svare" is uoplyst. Tried in order after the exact synonyms.
GENDER_WORDS: tuple[tuple[str, str], ...] = (
    ("andet", r"^andet|^other|binær|binary|\bnon-?binary|transkøn|\btrans\b|genderqueer"),
    ("uoplyst", r"ikke (at )?(svare|oplyse)|prefer not|rather not|ved ikke|don'?t know|uoplyst"),
    ("kvinde", r"^(kvinde|pige|female|woman|girl)\b"),
    ("mand", r"^(mand|dreng|male|man|boy)\b"),
)


def gender_map(values: list[str], user: UserMapping) -> dict[str, str | None]:
    seed = load_vocabulary_seed()["gender"]
    lookup = {normalize_text(s): canon for canon, synonyms in seed.items() for s in synonyms}
    lookup.update({normalize_text(k): v for k, v in user.values.get("gender", {}).items()})
    return {v: lookup.get(normalize_text(v)) or _gender_by_words(v) for v in values}


def _gender_by_words(value: str) -> str | None:
    key = normalize_text(value)
    for code, pattern in GENDER_WORDS:
        if re.search(pattern, key):
            return code
    return None


CONSENT_NO = r"^(nej|no\b|ikke|jeg vil ikke|jeg ønsker ikke|false|falsk|0$|n$)"
CONSENT_YES = (
    r"^(ja|yes|ok\b|gerne|jeg giver (mit )?samtykke|jeg vil gerne|i agree|true|sand|1$|j$|y$|x$)"
)


def consent_map(values: list[str], user: UserMapping) -> dict[str, bool]:
    """Consent is true only when the answer is unambiguously yes.

    Yes is a "ja"/"yes" answer ("Ja, I må gerne skrive til mig") or, in a single-checkbox
    column (one distinct non-empty answer that is not a no), the ticked text itself. Anything
    else, including an answer we cannot read, is no: a person is never made contactable by a
    guess.
    """
    yes = {normalize_text(s) for s in load_vocabulary_seed()["consent_yes"]}
    user_values = {normalize_text(k): v for k, v in user.values.get("consent", {}).items()}
    answers = {normalize_text(v) for v in values if normalize_text(v)}
    checkbox = len(answers) == 1 and not re.search(CONSENT_NO, next(iter(answers), ""))
    result = {}
    for value in values:
        key = normalize_text(value)
        if key in user_values:
            result[value] = user_values[key] is True
        elif not key or re.search(CONSENT_NO, key):
            result[value] = False
        else:
            result[value] = key in yes or bool(re.search(CONSENT_YES, key)) or checkbox
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

    def add(self, label: str, sort_order: int | None = None) -> str:
        """A label first seen in this file becomes part of the vocabulary."""
        code = slugify(label)
        existing = {r[0] for r in (*self.rows, *self.new)}
        base, n = code, 1
        while code in existing:
            n += 1
            code = f"{base}_{n}"
        bit = None
        if self.kind in ("topic", "format"):  # multi-select kinds keep a bit in a 64-bit mask
            bits = [r[4] for r in (*self.rows, *self.new) if r[4] is not None]
            bit = (max(bits) + 1) if bits else 0
            if bit > 63:
                raise InvalidFile(
                    f"For mange forskellige {self.kind}-værdier (over 64). / "
                    f"Too many distinct {self.kind} values (over 64)."
                )
        if sort_order is None:
            sort_order = max((r[3] for r in (*self.rows, *self.new)), default=-1) + 1
        clean = label.strip()
        self.new.append((code, clean, clean, sort_order, bit))
        self.lookup[normalize_text(clean)] = code
        return code


def slugify(label: str) -> str:
    text = normalize_text(label)
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")[:40] or "ukendt"


@dataclass
class MultiMap:
    """cell text -> codes and bit mask."""

    codes: dict[str, list[str]]
    masks: dict[str, int]


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
