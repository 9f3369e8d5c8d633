"""How alike two texts are, for suggestions only (area names, answer labels, headers).

rapidfuzz's Indel similarity: 2 × the longest common subsequence / the total length, on a 0-1
scale (rapidfuzz's `fuzz.ratio` is the same number × 100). It replaced difflib's ratio, which
counts matching blocks greedily and so never scores higher; the cut-offs keep their 0-1 meaning.
Never decides a match on its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz.distance import Indel


def similarity(left: str, right: str) -> float:
    """0 (nothing in common) to 1 (equal); exact for cut-offs such as 0.8 (no rounding drift)."""
    total = len(left) + len(right)
    if total == 0:
        return 1.0
    return (total - Indel.distance(left, right)) / total


def closest(text: str, choices: Iterable[str], cutoff: float) -> str | None:
    """The most similar choice scoring at least `cutoff`, or None.

    Ties go to the choice that sorts last, as difflib.get_close_matches(n=1) chose.
    """
    scored = [(similarity(text, choice), choice) for choice in choices]
    best = max((pair for pair in scored if pair[0] >= cutoff), default=None)
    return best[1] if best else None
