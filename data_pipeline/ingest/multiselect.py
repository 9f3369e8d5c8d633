"""Multi-select cells -> options, without ever breaking an option that holds a comma.

Survey tools join the ticked options of one question with a separator: Microsoft Forms "A;B;",
SurveyXact "A; B", some exports "A|B", Google Forms "A, B", although option texts themselves hold
commas ("Kultur, fritid og idræt"). The separator is decided per COLUMN, never per cell, so a
cell holding one option with a comma in a ";" column stays one option. Under ", " the options
are recovered from the column as a whole:

1. known options (the vocabulary, the wave's options, a mapping file) are matched first;
2. a piece starting with a lower-case letter continues the option before it
   ("Byvandringer, walk and talk"); options are written with a capital first letter;
3. two pieces that always occur together, in that order, in at least MIN_TOGETHER distinct
   cells, and never apart, are one option ("Kultur, Idræt og fritid").

Pure functions: no database.
"""

from __future__ import annotations

from collections import Counter

from data_pipeline.ingest.mapping import MultiMap, UserMapping, Vocabulary, normalize_text

SEPARATORS = (";", "|", "\n")
MIN_TOGETHER = 3
# An option ticked by at most RARE_MAX rows, in a column with at least RARE_MIN_ANSWERED
# answers, is a typed "Andet" answer (or a typo), not an option of the form: it is counted as
# "Andet" so that free text never becomes a topic of its own (and never reaches a chart).
RARE_MAX = 2
RARE_MIN_ANSWERED = 30
OTHER_LABEL = "Andet"


def column_separator(cells: list[str]) -> str:
    """The separator a column uses: ";" or "|" (or a line break) when at least 5 % of the
    distinct cells hold it; a typed answer with a stray ";" in a ", " column does not count."""
    for separator in SEPARATORS:
        holding = sum(separator in cell for cell in cells)
        if holding and holding >= 0.05 * len(cells):
            return separator
    return ", "


def split_column(cells: list[str], known: list[str]) -> dict[str, list[str]]:
    """Every distinct cell -> its options (original spelling, stripped)."""
    separator = column_separator(cells)
    if separator != ", ":
        return {cell: [p.strip() for p in cell.split(separator) if p.strip()] for cell in cells}
    known_commas = sorted({normalize_text(k) for k in known if "," in k}, key=len, reverse=True)
    pieces = {cell: _continue_lowercase(_pieces(cell, known_commas)) for cell in cells}
    return {cell: [text for text, _ in parts] for cell, parts in _join_inseparable(pieces).items()}


def _pieces(cell: str, known_commas: list[str]) -> list[tuple[str, bool]]:
    """(text, fixed): known comma options are fixed; the rest is split on commas."""
    text = cell.strip()
    lowered = normalize_text(text)
    if len(lowered) != len(text):  # normalisation changed the length: match without cutting
        lowered = None
    spans: list[tuple[int, int]] = []
    if lowered is not None:
        taken = [False] * len(lowered)
        for label in known_commas:
            start = lowered.find(label)
            while start >= 0:
                end = start + len(label)
                if not any(taken[start:end]) and _at_boundary(lowered, start, end):
                    spans.append((start, end))
                    taken[start:end] = [True] * (end - start)
                start = lowered.find(label, start + 1)
    spans.sort()
    out: list[tuple[str, bool]] = []
    position = 0
    for start, end in spans:
        out.extend((p, False) for p in _split_commas(text[position:start]))
        out.append((text[start:end].strip(), True))
        position = end
    out.extend((p, False) for p in _split_commas(text[position:]))
    return out


def _at_boundary(text: str, start: int, end: int) -> bool:
    before = text[:start].rstrip()
    after = text[end:].lstrip()
    return (not before or before.endswith(",")) and (not after or after.startswith(","))


def _split_commas(text: str) -> list[str]:
    """Split on commas outside parentheses: "Jylland (Aarhus, Aalborg), Fyn" is two."""
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
    return [p.strip() for p in parts if p.strip()]


def _continue_lowercase(parts: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for text, fixed in parts:
        starts_lower = text[:1].isalpha() and text[:1].islower()
        if not fixed and starts_lower and out and not out[-1][1]:
            out[-1] = (f"{out[-1][0]}, {text}", False)
        else:
            out.append((text, fixed))
    return out


def _join_inseparable(
    pieces: dict[str, list[tuple[str, bool]]],
) -> dict[str, list[tuple[str, bool]]]:
    """Join neighbours that never occur apart (rule 3 of the module docstring)."""
    for _ in range(5):
        following: dict[str, set[str]] = {}
        preceding: dict[str, set[str]] = {}
        together: Counter = Counter()
        for parts in pieces.values():
            keys = ["\0start"] + [normalize_text(t) for t, _ in parts] + ["\0end"]
            for a, b in zip(keys, keys[1:], strict=False):
                following.setdefault(a, set()).add(b)
                preceding.setdefault(b, set()).add(a)
                together[(a, b)] += 1
        pairs = {
            (a, b)
            for (a, b), n in together.items()
            if n >= MIN_TOGETHER
            and not a.startswith("\0")
            and not b.startswith("\0")
            and following[a] == {b}
            and preceding[b] == {a}
        }
        if not pairs:
            return pieces
        for cell, parts in pieces.items():
            joined: list[tuple[str, bool]] = []
            for text, fixed in parts:
                if joined and (normalize_text(joined[-1][0]), normalize_text(text)) in pairs:
                    joined[-1] = (f"{joined[-1][0]}, {text}", True)
                else:
                    joined.append((text, fixed))
            pieces[cell] = joined
    return pieces


def map_multi_column(
    counts: dict[str, int], vocab: Vocabulary, user: UserMapping, field_name: str
) -> tuple[MultiMap, list[dict]]:
    """Distinct cells (with their row counts) -> codes and masks; and the options that are new.

    Options no vocabulary knows become new entries of the vocabulary (a municipality's own topic
    list), except rare ones, which are counted as "Andet".
    """
    user_values = {normalize_text(k): v for k, v in user.values.get(field_name, {}).items()}
    known = sorted(set(vocab.labels) | set(user_values), key=len, reverse=True)
    split = split_column(list(counts), known)
    option_rows: dict[str, int] = {}
    for cell, options in split.items():
        for option in {normalize_text(o) for o in options}:
            option_rows[option] = option_rows.get(option, 0) + counts[cell]
    answered = sum(counts.values())
    new: dict[str, dict] = {}
    codes: dict[str, list[str]] = {}
    masks: dict[str, int] = {}
    for cell, options in split.items():
        cell_codes: list[str] = []
        for label in options:
            mapped = user_values.get(normalize_text(label), label)
            code = vocab.code_for(mapped)
            if code is None:
                rare = (
                    answered >= RARE_MIN_ANSWERED and option_rows[normalize_text(label)] <= RARE_MAX
                )
                if rare:
                    code = vocab.code_for(OTHER_LABEL) or vocab.add(OTHER_LABEL)
                else:
                    code = vocab.add(mapped)
                    new[code] = {"label": mapped.strip(), "code": code, "rows": 0}
            if code in new and code not in cell_codes:
                new[code]["rows"] += counts[cell]
            if code not in cell_codes:
                cell_codes.append(code)
        codes[cell] = cell_codes
        masks[cell] = sum(1 << vocab.bit_of(c) for c in cell_codes)
    return MultiMap(codes=codes, masks=masks), list(new.values())
