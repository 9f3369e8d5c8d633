"""Segments without a database (issue 15): the profile encoder is a transformer in the
scikit-learn style, and encoder + KMeans recover a planted two-group structure from a small
hand-built DataFrame. No DuckDB anywhere in this file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from data_pipeline.analysis.cells import InvalidInput
from data_pipeline.analysis.segment_model import (
    ORDINAL_WEIGHT,
    ProfileEncoder,
    cluster_profiles,
)

LEVELS = {"interest": 4, "time": 5, "engagement": 3}


def planted_profiles(big: int = 50, small: int = 30, seed: int = 0) -> tuple[pd.DataFrame, list]:
    """Group 1 (`big`) cares about climate, nature, traffic and schools and likes meetings and
    online; group 2 (`small`) about culture, sport, elderly care and the town, by walks and
    forms. Every choice flips with probability 0.1 and the ordinal answers are noise (some
    unknown, -1), so the groups differ only in what they care about."""
    rng = np.random.default_rng(seed)
    topics = [f"topic:{t}" for t in ("klima", "natur", "trafik", "skole")]
    topics += [f"topic:{t}" for t in ("kultur", "sport", "aeldre", "by")]
    formats = ["format:moede", "format:online", "format:gaatur", "format:skema"]
    options = topics + formats
    likes = {1: set(topics[:4] + formats[:2]), 2: set(topics[4:] + formats[2:])}
    rows, groups = [], []
    for group, size in ((1, big), (2, small)):
        for _ in range(size):
            row = {o: int((o in likes[group]) != (rng.random() < 0.1)) for o in options}
            for kind, levels in LEVELS.items():
                row[kind] = int(rng.integers(-1, levels))
            rows.append(row)
            groups.append(group)
    order = rng.permutation(len(rows))
    frame = pd.DataFrame([rows[i] for i in order]).astype("int8")
    return frame, [groups[i] for i in order]


def test_encoder_and_kmeans_recover_the_planted_groups():
    frame, planted = planted_profiles()
    matrix = ProfileEncoder(levels=LEVELS).fit_transform(frame)
    result = cluster_profiles(matrix, k="auto", random_state=0)
    assert result.k == 2
    assert set(result.silhouette) == set(range(2, 9))
    # Segments are numbered by size, largest first: the 50 are segment 1, the 30 segment 2.
    assert result.labels.tolist() == planted


def test_the_same_input_gives_the_same_labels():
    frame, _ = planted_profiles(seed=3)
    matrix = ProfileEncoder(levels=LEVELS).fit_transform(frame)
    first = cluster_profiles(matrix, k=3, random_state=0)
    again = cluster_profiles(matrix, k=3, random_state=0)
    assert first.k == 3
    assert first.labels.tolist() == again.labels.tolist()


def test_the_encoder_keeps_choices_and_scales_the_ordinal_answers():
    frame = pd.DataFrame(
        {
            "topic:klima": [1, 0],
            "format:online": [0, 1],
            "interest": [3, -1],
            "time": [2, 0],
            "engagement": [-1, 1],
        }
    )
    encoder = ProfileEncoder(levels=LEVELS).fit(frame)
    result = encoder.transform(frame)
    w = ORDINAL_WEIGHT
    expected = np.array(
        [
            [1, 0, w * 3 / 3, w * 2 / 4, w * 0.5],  # unknown engagement sits in the middle
            [0, 1, w * 0.5, w * 0 / 4, w * 1 / 2],
        ],
        dtype=np.float32,
    )
    assert result.dtype == np.float32
    np.testing.assert_allclose(result, expected, rtol=1e-6)
    assert encoder.get_feature_names_out().tolist() == [
        "topic:klima",
        "format:online",
        "interest",
        "time",
        "engagement",
    ]


def test_the_encoder_learns_levels_when_none_are_given():
    frame = pd.DataFrame({"topic:klima": [1, 0], "interest": [0, 3], "time": [1, -1]})
    encoder = ProfileEncoder(ordinal=("interest", "time")).fit(frame)
    assert encoder.levels_ == [4, 2]
    assert encoder.binary_columns_ == ["topic:klima"]


def test_the_encoder_follows_the_scikit_learn_contract():
    encoder = ProfileEncoder(levels=LEVELS, ordinal_weight=0.5)
    copy = clone(encoder)
    assert copy.get_params() == encoder.get_params()
    assert copy.set_params(ordinal_weight=1.0).ordinal_weight == 1.0
    with pytest.raises(ValueError, match="not fitted"):
        ProfileEncoder().transform(pd.DataFrame({"interest": [1]}))
    with pytest.raises(ValueError, match="engagement"):
        ProfileEncoder().fit(pd.DataFrame({"interest": [1], "time": [1]}))


def test_a_k_outside_the_rows_is_refused_in_words():
    frame, _ = planted_profiles(big=3, small=2)
    matrix = ProfileEncoder(levels=LEVELS).fit_transform(frame)
    with pytest.raises(InvalidInput, match="k must be 'auto' or a whole number from 2 to 4"):
        cluster_profiles(matrix, k=5)
