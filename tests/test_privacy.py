"""Small-cell suppression: k >= 3, "<5" never 0, and differencing cannot recover a hidden cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_pipeline.analysis.filtering import Filters
from data_pipeline.core.disclosure import (
    display_count,
    is_publishable,
    pseudonym,
    suppress_table,
    suppression_mask,
)
from data_pipeline.present.explore import explore_view
from data_pipeline.present.map_values import map_view


def test_k_is_configurable_but_never_below_3():
    counts = pd.Series([2, 3, 4, 10])
    assert suppression_mask(counts, k=3, additive=False).tolist() == [True, False, False, False]
    assert suppression_mask(counts, k=5, additive=False).tolist() == [True, True, True, False]
    with pytest.raises(ValueError, match="mindst 3"):
        suppression_mask(counts, k=2)


def test_a_hidden_cell_shows_less_than_k_never_zero():
    assert display_count(0, suppressed=True) == "<5"
    assert display_count(np.nan, suppressed=False) == "<5"
    assert display_count(1450, suppressed=False) == "1.450"


def test_the_complement_rule_protects_a_count_shown_with_its_total():
    # 98 of 100 chose an option: showing 98 next to 100 reveals the 2 who did not.
    assert not is_publishable(98, total=100, k=5)
    assert is_publishable(90, total=100, k=5)
    mask = suppression_mask(pd.Series([98, 50]), k=5, total=100, additive=False)
    assert mask.tolist() == [True, False]


def test_a_table_with_one_hidden_cell_hides_a_second_so_the_total_cannot_reveal_it():
    table = pd.DataFrame({"band": ["18-24", "25-29", "30-39"], "n": [3, 40, 57]})
    total = table["n"].sum()
    result = suppress_table(table, "n", k=5)
    assert result["suppressed"].tolist() == [True, True, False]
    # subtracting the visible cells from the total leaves two hidden cells mixed together
    remainder = total - result["n"].sum(skipna=True)
    assert remainder == 43 and remainder != 3


def test_differencing_two_views_cannot_recover_a_hidden_count(sample_db):
    """A user compares the heat map for all areas with a filtered one: a cell hidden in the
    filtered view must not be recoverable as (all) - (other visible cells)."""
    frame = explore_view(sample_db, Filters(wave="2025"), "area", "gender", measure="count", k=5)
    for _, row in frame.groupby("row"):
        hidden = row[row["suppressed"]]
        assert len(hidden) != 1, "a single hidden cell in a row could be derived from the row total"
    hidden_values = frame.loc[frame["suppressed"], "value"]
    assert hidden_values.isna().all()


def test_map_hides_topic_shares_when_almost_everyone_or_no_one_chose_it(sample_db):
    frame = map_view(sample_db, Filters(wave="2025", age_bands=("80+",)), "topic", code="aeldre")
    hidden = frame["suppressed"]
    assert hidden.any(), "80+ in small areas must be hidden"
    assert frame.loc[hidden, "value"].isna().all()
    shown = frame[~hidden]
    chosen = (shown["value"] * shown["respondents"]).round()
    assert ((chosen >= 5) & (shown["respondents"] - chosen >= 5)).all()


def test_pseudonyms_are_stable_and_keyed():
    assert pseudonym(b"k1", "user-1") == pseudonym(b"k1", "user-1")
    assert pseudonym(b"k1", "user-1") != pseudonym(b"k2", "user-1")
    assert "user-1" not in pseudonym(b"k1", "user-1")
