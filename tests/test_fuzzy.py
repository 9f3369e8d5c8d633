"""Fuzzy suggestions through rapidfuzz (issue 15): the 0-1 scale and cut-offs of difflib's ratio,
never scoring lower than difflib did, ties broken as difflib.get_close_matches broke them."""

from __future__ import annotations

import difflib

import pytest

from data_pipeline.ingest.fuzzy import closest, similarity
from data_pipeline.ingest.matching import suggest


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("kobenhavn", "københavn", 16 / 18),
        ("nordbyy", "nordby", 12 / 13),
        ("abcd", "dcba", 2 / 8),
        ("", "", 1.0),
        ("abc", "", 0.0),
    ],
)
def test_similarity_is_twice_the_common_subsequence_over_the_total_length(left, right, expected):
    assert similarity(left, right) == expected


@pytest.mark.parametrize(
    ("left", "right"),
    [("Indre By", "Indre by Sogn"), ("aarhus c", "århus c"), ("Vesterbro", "Østerbro")],
)
def test_similarity_never_scores_lower_than_difflib(left, right):
    assert similarity(left, right) >= difflib.SequenceMatcher(None, left, right).ratio()


def test_a_score_exactly_at_the_cut_off_is_kept():
    # 8 of 10 characters in common: exactly 0.8, the header cut-off, with no rounding drift.
    assert similarity("abcde", "abcxy") == 0.6
    assert closest("abcdefghij", ["abcdefghxy"], cutoff=0.8) == "abcdefghxy"


def test_closest_breaks_ties_as_difflib_did():
    choices = ["abd", "abe"]
    assert closest("abc", choices, cutoff=0.6) == "abe"
    assert difflib.get_close_matches("abc", choices, n=1, cutoff=0.6) == ["abe"]
    assert closest("abc", ["xyz"], cutoff=0.6) is None


def test_area_suggestions_keep_their_scores_and_order():
    names = {"0101": "København", "0147": "Frederiksberg", "0151": "Ballerup"}
    assert suggest("Kobenhavn", names) == [("0101", "København", 0.889)]
    assert suggest("Indre", {"01": "Indre By", "02": "Nordby"}) == [("01", "Indre By", 0.8)]
