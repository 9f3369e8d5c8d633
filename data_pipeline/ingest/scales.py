"""Answer scales in the municipality's own words: which labels are new, which are typos, and
in which order a scale runs.

A municipality asks "how interested are you" with its own labels ("I høj grad … Slet ikke",
"1 … 5", "Vildt interesseret … Slet ikke"). Labels we have never seen become part of the
vocabulary (see `classify_labels`); their order is read from the words where the words say it.
Pure functions over label texts and counts: no database, no Streamlit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import data_pipeline.ingest.fuzzy as fuzzy
from data_pipeline.ingest.mapping import UserMapping, Vocabulary, normalize_text

# A label used this rarely, in a column with at least TYPO_MIN_ANSWERED answers, is a typo of a
# known label rather than a new answer option: a real option is chosen by more than two people.
TYPO_MAX_COUNT = 2
TYPO_MIN_ANSWERED = 30

# "Don't know" and "prefer not to say" are answers without information: the row loads and the
# field is unknown. Matched on the normalised label.
DONT_KNOW = re.compile(
    r"^(ved ikke|ved det ikke|don'?t know|do not know|unknown|uoplyst|"
    r"(jeg )?(ønsker|vil) ikke (at )?(svare|oplyse)|prefer not to (say|answer)|"
    r"ingen holdning|no opinion)\b"
)

# Levels of interest (0 to 3) and engagement (0 to 4), least to most, read from the words.
# The first pattern that matches wins, so "slet ikke interesseret" is 0 before "interesseret" is 2.
INTEREST_WORDS: tuple[tuple[float, str], ...] = (
    (
        0.0,
        r"slet ikke|overhovedet ikke|not at all|ingen interesse|\bikke interesseret|not interested",
    ),
    (0.5, r"ikke rigtig|ikke særlig|ikke så|not very|not really"),
    (1.0, r"i ringe grad|i mindre grad|kun lidt|\blidt\b|slightly|a little"),
    (1.5, r"hverken|neutral|neither"),
    (3.0, r"i høj grad|i meget høj grad|\bmeget\b|vildt|rigtig|very|extremely|highly"),
    (2.0, r"i nogen grad|\bnoget\b|somewhat|moderately|interesseret|interested"),
)
ENGAGEMENT_WORDS: tuple[tuple[float, str], ...] = (
    (4.0, r"ansvar|føre idéer ud|føre ideer ud|responsib|take charge"),
    (3.0, r"beslut|bestemme|medbestemm|decide|decision"),
    (1.0, r"mening|input|hørt|sige|høres|opinion|heard|consulted|have my say"),
    (2.0, r"aktiv|projekt|inddraget|bidrage|deltage|take part|involved|contribute"),
    (0.0, r"orienteret|følge med|vide,? hvad|informeret|informed|keep up|follow"),
)
INFINITY = math.inf


def is_dont_know(label: str) -> bool:
    return bool(DONT_KNOW.match(normalize_text(label)))


def interest_level(label: str, numeric_top: int | None = None) -> float | None:
    """0 (not at all) … 3 (very) from the words, or from the number on a 1..N scale."""
    key = normalize_text(label)
    if numeric_top and key.isdigit():
        return 3.0 * (int(key) - 1) / max(1, numeric_top - 1)
    for level, pattern in INTEREST_WORDS:
        if re.search(pattern, key):
            return level
    return None


def engagement_level(label: str) -> float | None:
    key = normalize_text(label)
    for level, pattern in ENGAGEMENT_WORDS:
        if re.search(pattern, key):
            return level
    return None


def time_bounds(label: str) -> tuple[float, float] | None:
    """Hours per month as (low, high): "2-4 timer" (2, 4), "Mere end 5" (5, inf), "Ingen" (0, 0)."""
    key = normalize_text(label).replace(",", ".")
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", key)]
    if not numbers:
        if re.search(r"\bingen\b|\bnone\b|no time|ikke tid", key):
            return (0.0, 0.0)
        return None
    if len(numbers) >= 2:
        return (numbers[0], numbers[1])
    n = numbers[0]
    if re.search(r"under|mindre end|op til|højst|less than|up to|at most|max", key):
        return (0.0, n)
    if re.search(r"over|mere end|eller mere|\+|more than|or more|at least|mindst", key):
        return (n, INFINITY)
    return (n, n)


def sort_position(kind: str, label: str, numeric_top: int | None = None) -> int | None:
    """A position on one scale per kind, so labels of different waves sort together.

    interest runs from most to least (as the seed vocabulary), time and engagement from least
    to most. None when the words do not say where the label belongs.
    """
    if kind == "interest":
        level = interest_level(label, numeric_top)
        return None if level is None else round((3.0 - level) * 100)
    if kind == "engagement":
        level = engagement_level(label)
        return None if level is None else round(level * 100)
    if kind == "time":
        bounds = time_bounds(label)
        if bounds is None:
            return None
        low, high = bounds
        return round(low * 100) + (99 if high == INFINITY else min(99, round(high)))
    return None


def numeric_scale_top(labels: list[str]) -> int | None:
    """A column answered only with small whole numbers (a 1–5 scale) has that top value."""
    keys = [normalize_text(x) for x in labels]
    if keys and all(k.isdigit() and 0 <= int(k) <= 10 for k in keys):
        return max(int(k) for k in keys)
    return None


@dataclass
class ScaleReport:
    """What one single-choice column held, for the ingest result and the mapping snippet."""

    field: str
    header: str | None
    new: list[dict] = field(default_factory=list)  # label, code, count, suggested merge
    typos: list[dict] = field(default_factory=list)  # label, count, closest known label
    dont_know: list[str] = field(default_factory=list)
    order_inferred: bool = True

    def to_json(self) -> dict:
        out = {"header": self.header, "new": self.new, "order_inferred": self.order_inferred}
        merges = {item["label"]: item["merge_into"] for item in self.new if item["merge_into"]}
        if merges:
            # Ready to paste into a mapping file, to merge this wave's labels into codes.
            out["mapping_snippet"] = {"values": {self.field: merges}}
        if self.typos:
            out["typos"] = self.typos
        if self.dont_know:
            out["dont_know"] = self.dont_know
        return out


def classify_labels(
    counts: dict[str, int], known: dict[str, str | None]
) -> tuple[set[str], set[str], set[str]]:
    """Split a column's raw labels into (dont_know, typos, new), the rest being known.

    `known` maps a raw label to its code (None when unknown). A label is a typo when it is rare
    (at most TYPO_MAX_COUNT rows) in a column with at least TYPO_MIN_ANSWERED answers; any other
    unknown label is a new answer option of this wave.
    """
    answered = sum(counts.values())
    dont_know = {v for v in counts if known.get(v) is None and is_dont_know(v)}
    unknown = [v for v in counts if known.get(v) is None and v not in dont_know]
    # Count spellings together: "I høj grad" and "i høj grad " are one label.
    by_key: dict[str, int] = {}
    for value in unknown:
        by_key[normalize_text(value)] = by_key.get(normalize_text(value), 0) + counts[value]
    typos = {
        v
        for v in unknown
        if answered >= TYPO_MIN_ANSWERED and by_key[normalize_text(v)] <= TYPO_MAX_COUNT
    }
    return dont_know, typos, set(unknown) - typos


def closest(label: str, candidates: list[str]) -> str | None:
    return fuzzy.closest(normalize_text(label), candidates, cutoff=0.6)


def map_choice_column(
    counts: dict[str, int],
    vocab: Vocabulary,
    user: UserMapping,
    field_name: str,
    header: str | None,
) -> tuple[dict[str, str | None], dict[str, str], ScaleReport]:
    """Raw labels -> codes for one single-choice column, learning the wave's own scale.

    Returns (codes, problems, report): `codes` maps every raw label to a code, or None for
    "don't know" and typos; `problems` maps typos to "typo" (their rows are rejected).
    """
    user_values = {normalize_text(k): v for k, v in user.values.get(field_name, {}).items()}
    codes: dict[str, str | None] = {}
    for value in counts:
        mapped = user_values.get(normalize_text(value), value)
        codes[value] = vocab.code_for(mapped)
    dont_know, typos, new = classify_labels(counts, codes)
    report = ScaleReport(field=field_name, header=header, dont_know=sorted(dont_know))
    # New labels, one per spelling, in the order the words give (else first appearance).
    spellings: dict[str, str] = {}
    for value in sorted(new, key=lambda v: -counts[v]):
        spellings.setdefault(normalize_text(value), value.strip())
    top = numeric_scale_top(list(spellings.values()))
    positions = {k: sort_position(vocab.kind, label, top) for k, label in spellings.items()}
    report.order_inferred = all(p is not None for p in positions.values())
    base = max((r[3] for r in vocab.rows), default=0) + 1000
    for index, (key, label) in enumerate(spellings.items()):
        position = positions[key] if report.order_inferred else base + index
        code = vocab.add(label, sort_order=position)
        rows = sum(counts[v] for v in new if normalize_text(v) == key)
        report.new.append(
            {
                "label": label,
                "code": code,
                "rows": rows,
                "merge_into": _nearest_code(vocab, label, top),
            }
        )
    for value in new:
        codes[value] = vocab.code_for(value)
    known_labels = sorted({normalize_text(r[1]) for r in (*vocab.rows, *vocab.new)})
    for value in sorted(typos):
        report.typos.append(
            {"label": value, "rows": counts[value], "closest": closest(value, known_labels)}
        )
    problems = {value: "typo" for value in typos}
    return codes, problems, report


def _nearest_code(vocab: Vocabulary, label: str, top: int | None) -> str | None:
    """The existing code at the same place on the scale: a suggestion for the mapping file."""
    position = sort_position(vocab.kind, label, top)
    if position is None:
        return None
    best, distance = None, None
    for code, label_da, _en, _order, _bit in vocab.rows:
        other = sort_position(vocab.kind, label_da)
        if other is None:
            continue
        gap = abs(other - position)
        if distance is None or gap < distance:
            best, distance = code, gap
    return best if distance is not None and distance <= 50 else None
