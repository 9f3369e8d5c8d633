"""Fuzzy area-name matching, difflib against rapidfuzz: time and agreement of the top picks.

`python -m tools.fuzzy_bench` builds 2,148 synthetic parish-like names (as many as Denmark has
parishes) and 50 misspellings of them, then matches every misspelling against every name the
way `ingest.matching` does (names normalised once, then scored with the containment rule and the
cut-off): once with difflib's ratio (the implementation before issue 15, kept here as the
baseline) and once with the product's own `closest_names` (rapidfuzz). Prints one JSON object.
Deterministic for a seed; takes a few seconds, nearly all of it difflib.
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import time

from rapidfuzz import fuzz, process

from data_pipeline.ingest.mapping import normalize_place
from data_pipeline.ingest.matching import (
    MAX_SUGGESTIONS,
    SUGGESTION_CUTOFF,
    closest_names,
    normalised_names,
)

# fmt: off
STARTS = (
    "Ager", "Als", "Bjerg", "Brønd", "Dal", "Ege", "Fjel", "Gammel", "Hald", "Hjort", "Holm",
    "Kirke", "Lunde", "Møl", "Ny", "Ore", "Rosen", "Skov", "Tran", "Ulf", "Ves", "Vig", "Bred",
    "Hvid", "Grøn", "Lang", "Stor", "Lille", "Sand", "Rød", "Kors", "Tved", "Hør", "Bøg", "Ask",
    "Ving", "Lyng", "Mar", "Fugl", "Sol", "Eng", "Hede", "Strand", "Aa", "Kalv", "Ring",
)
MIDDLES = ("", "e", "s", "en", "ing", "str", "h", "ers")
ENDS = (
    "by", "rup", "strup", "sted", "løse", "lev", "have", "bjerg", "holm", "skov", "toft", "borg",
    "inge", "ø", "hus", "mose", "lund", "bæk", "høj", "ager",
)
# fmt: on
PREFIXES = ("", "", "", "", "Nørre ", "Sønder ", "Øster ", "Vester ", "Sankt ", "Store ", "Lille ")
LETTERS = "abcdefghijklmnoprstuvyæøå"


def parish_names(count: int, rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        stem = rng.choice(STARTS) + rng.choice(MIDDLES) + rng.choice(ENDS)
        names.add(rng.choice(PREFIXES) + stem.capitalize() + rng.choice(("", "", " Sogn")))
    return sorted(names)


def misspell(name: str, rng: random.Random) -> str:
    """One or two typing slips, as a respondent writes an area name from memory."""
    text = name
    for _ in range(rng.choice((1, 1, 2))):
        at = rng.randrange(1, len(text) - 1)
        slip = rng.choice(("drop", "swap", "replace", "double", "ascii"))
        if slip == "drop":
            text = text[:at] + text[at + 1 :]
        elif slip == "swap":
            text = text[: at - 1] + text[at] + text[at - 1] + text[at + 1 :]
        elif slip == "replace":
            text = text[:at] + rng.choice(LETTERS) + text[at + 1 :]
        elif slip == "double":
            text = text[:at] + text[at] + text[at:]
        else:
            text = text.replace("æ", "ae").replace("ø", "o").replace("å", "aa")
    return text.lower() if rng.random() < 0.5 else text


def difflib_closest_names(key: str, candidates: list[tuple[str, str, str]]) -> list:
    """`matching.closest_names` as it was with difflib (the baseline)."""
    scored = []
    for code, name, candidate in candidates:
        score = difflib.SequenceMatcher(None, key, candidate).ratio()
        if key and (key in candidate or candidate in key):
            score = max(score, 0.8)
        if score >= SUGGESTION_CUTOFF:
            scored.append((code, name, round(score, 3)))
    scored.sort(key=lambda item: (-item[2], item[1]))
    return scored[:MAX_SUGGESTIONS]


def timed(function, queries, names) -> tuple[float, list]:
    start = time.perf_counter()
    picks = [function(query, names) for query in queries]
    return time.perf_counter() - start, picks


def run(areas: int, misspelt: int, seed: int) -> dict:
    rng = random.Random(seed)
    all_names = parish_names(areas, rng)
    names = {f"{i:04d}": name for i, name in enumerate(all_names, start=1)}
    truth = rng.sample(sorted(names), misspelt)
    queries = [misspell(names[code], rng) for code in truth]
    keys = [normalize_place(query) for query in queries]
    candidates = normalised_names(names)

    difflib_s, old = timed(difflib_closest_names, keys, candidates)
    rapidfuzz_s, new = timed(closest_names, keys, candidates)
    # The library alone (no containment rule, no cut-off), for scale.
    choices = [candidate for _code, _name, candidate in candidates]
    start = time.perf_counter()
    for key in keys:
        process.extractOne(key, choices, scorer=fuzz.ratio)
    extract_s = time.perf_counter() - start

    def top(picks):
        return [p[0][0] if p else None for p in picks]

    same_top = sum(a == b for a, b in zip(top(old), top(new), strict=True))
    same_lists = sum(
        [s[:2] for s in a] == [s[:2] for s in b] for a, b in zip(old, new, strict=True)
    )
    disagreements = [
        {"query": q, "difflib": a[0][1] if a else None, "rapidfuzz": b[0][1] if b else None}
        for q, a, b in zip(queries, old, new, strict=True)
        if (a[0][0] if a else None) != (b[0][0] if b else None)
    ]
    return {
        "areas": len(names),
        "misspelt": len(queries),
        "seed": seed,
        "difflib_s": round(difflib_s, 3),
        "rapidfuzz_s": round(rapidfuzz_s, 3),
        "speedup": round(difflib_s / rapidfuzz_s, 1),
        "rapidfuzz_extractone_s": round(extract_s, 3),
        "same_top_pick": same_top,
        "same_suggestion_lists": same_lists,
        "top_pick_is_the_true_area": {
            "difflib": sum(a == t for a, t in zip(top(old), truth, strict=True)),
            "rapidfuzz": sum(b == t for b, t in zip(top(new), truth, strict=True)),
        },
        "no_suggestion": {
            "difflib": sum(not p for p in old),
            "rapidfuzz": sum(not p for p in new),
        },
        "disagreements": disagreements,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=2148)
    parser.add_argument("--misspelt", type=int, default=50)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.areas, args.misspelt, args.seed), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
