"""The pure part of the segments: interest profiles encoded as rows (ProfileEncoder, a
transformer in the scikit-learn style) and clustered with KMeans, k chosen by silhouette.

Works on a DataFrame and numpy arrays only: no SQL (segments.py fetches), no words
(segment_words.py describes). scikit-learn is imported where it clusters, never at import.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from data_pipeline.analysis.cells import InvalidInput

# Topics and formats carry the profile; the ordinal answers only nudge it. At full weight the
# three 0-1 scales split respondents by time and engagement instead of by interest.
ORDINAL_WEIGHT = 0.35
ORDINAL_KINDS = {"interest": "interest", "time": "time_per_month", "engagement": "engagement_level"}
# k is searched on a smaller sample than the final fit, and silhouette is scored on fewer
# points still: both are O(n·k) and O(n²) per k, and seven k's are tried.
SEARCH_SAMPLE = 20_000
SILHOUETTE_SAMPLE = 5_000
K_RANGE = range(2, 9)


@dataclass
class Features:
    """What a wave's respondents are clustered and described by, one row per respondent in id
    order (the order makes sampling, and so the labels, reproducible)."""

    profile: pd.DataFrame  # 0/1 per topic and format ("topic:<code>"), then ORDINAL_KINDS
    background: pd.DataFrame  # band (age_band sort_order), gender (0 kvinde, 1 mand); -1 unknown
    options: pd.DataFrame  # kind, code, label_da, label_en, bit per 0/1 column, in order
    levels: dict[str, int]  # how many answers each ordinal kind has

    @property
    def respondent_id(self) -> np.ndarray:
        return self.profile.index.to_numpy()

    @cached_property
    def binary(self) -> np.ndarray:
        return self.profile.drop(columns=list(ORDINAL_KINDS)).to_numpy()

    @cached_property
    def ordinal(self) -> np.ndarray:
        return self.profile[list(ORDINAL_KINDS)].to_numpy()

    @cached_property
    def band(self) -> np.ndarray:
        return self.background["band"].to_numpy()

    @cached_property
    def gender(self) -> np.ndarray:
        return self.background["gender"].to_numpy()


class ProfileEncoder:
    """Interest profiles as the rows KMeans clusters, in the scikit-learn transformer style
    (parameters kept by __init__, learned attributes end in `_`, fit/transform/get_params).

    Input: one row per respondent; the `ordinal` columns hold answer positions (-1 unknown),
    every other column is a 0/1 choice (one per topic and format). Output (float32): the 0/1
    columns as they are, then each ordinal as a 0-1 scale × `ordinal_weight`, unknown = 0.5
    (the middle). `levels` maps an ordinal column to its number of answers (default 2 for a
    column it does not name); None learns it from the data (highest position + 1).
    """

    def __init__(
        self,
        ordinal: tuple[str, ...] = tuple(ORDINAL_KINDS),
        levels: Mapping[str, int] | None = None,
        ordinal_weight: float = ORDINAL_WEIGHT,
    ):
        self.ordinal = ordinal
        self.levels = levels
        self.ordinal_weight = ordinal_weight

    def get_params(self, deep: bool = True) -> dict:
        return {
            "ordinal": self.ordinal,
            "levels": self.levels,
            "ordinal_weight": self.ordinal_weight,
        }

    def set_params(self, **params) -> ProfileEncoder:
        for name, value in params.items():
            if name not in self.get_params():
                raise ValueError(f"ProfileEncoder has no parameter {name!r}")
            setattr(self, name, value)
        return self

    def fit(self, X: pd.DataFrame, y=None) -> ProfileEncoder:
        missing = [c for c in self.ordinal if c not in X.columns]
        if missing:
            raise ValueError(f"ProfileEncoder: the profile has no column {', '.join(missing)}")
        self.ordinal_columns_ = list(self.ordinal)
        self.binary_columns_ = [c for c in X.columns if c not in self.ordinal_columns_]
        if self.levels is None:
            highest = X[self.ordinal_columns_].max() if len(X) else pd.Series(dtype=float)
            self.levels_ = [max(int(highest.get(c, 1)) + 1, 2) for c in self.ordinal_columns_]
        else:
            self.levels_ = [int(self.levels.get(c, 2)) for c in self.ordinal_columns_]
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = len(X.columns)
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        if not hasattr(self, "levels_"):
            raise ValueError("ProfileEncoder is not fitted yet; call fit first")
        binary = X[self.binary_columns_].to_numpy()
        ordinal = X[self.ordinal_columns_].to_numpy()
        levels = np.maximum(np.array(self.levels_, dtype=float) - 1, 1)
        scaled = np.where(ordinal >= 0, ordinal / levels, 0.5)
        return np.hstack([binary, self.ordinal_weight * scaled]).astype(np.float32)

    def fit_transform(self, X: pd.DataFrame, y=None) -> np.ndarray:
        return self.fit(X, y).transform(X)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray([*self.binary_columns_, *self.ordinal_columns_], dtype=object)


@dataclass
class Clustering:
    k: int
    silhouette: dict[int, float]  # score per k tried
    labels: np.ndarray  # 1.. by segment size, largest first


@contextmanager
def one_thread():
    """scikit-learn's KMeans and silhouette on one thread. Their OpenMP/BLAS pools spin for
    the cores, and on a 2-core machine with anything else running (the dashboard, a second
    import) that spinning cost 40x: 18.3 s against 0.41 s for the same k and labels on 1,500
    profiles (issue 16 profile of an ingest). Our matrices are small (at most SEARCH_SAMPLE
    distinct rows in the search), so one thread loses little when the machine is quiet."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


def kmeans(k: int, random_state: int):
    # scikit-learn is imported where it clusters: reading stored segments (segment_store)
    # and the other pages never pay its 1-3 s import.
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=10, random_state=random_state)


def fit_distinct(rows: np.ndarray, k: int, random_state: int):
    """KMeans on the distinct rows weighted by how often they occur: the same objective as on
    all rows, but answers repeat a lot (9,000 respondents hold about 5,800 distinct rows)."""
    distinct, counts = np.unique(rows, axis=0, return_counts=True)
    return kmeans(k, random_state).fit(distinct, sample_weight=counts)


def choose_k(sample: np.ndarray, ks, random_state: int) -> tuple[dict[int, float], dict]:
    """Silhouette per k on the sample (scored on at most SILHOUETTE_SAMPLE points)."""
    from sklearn.metrics import silhouette_score

    scores, models = {}, {}
    for k in ks:
        model = fit_distinct(sample, k, random_state)
        labels = model.predict(sample)
        if len(set(labels)) < 2:
            scores[k] = -1.0
        else:
            scores[k] = float(
                silhouette_score(
                    sample,
                    labels,
                    sample_size=min(SILHOUETTE_SAMPLE, len(sample)),
                    random_state=random_state,
                )
            )
        models[k] = model
    return scores, models


def _sample(n: int, size: int, rng: np.random.Generator) -> np.ndarray | None:
    return np.sort(rng.choice(n, size, replace=False)) if n > size else None


def parse_k(k: int | str, n: int) -> list[int]:
    """The k's to try for n rows: 2-8 (below n) for 'auto', else the one whole number given."""
    if k == "auto":
        return [c for c in K_RANGE if c < n]
    try:
        value = int(k)
    except (TypeError, ValueError):
        value = 0
    if value < 2 or value >= n:
        raise InvalidInput(
            f"k skal være 'auto' eller et helt tal fra 2 til {n - 1}. / "
            f"k must be 'auto' or a whole number from 2 to {n - 1}."
        )
    return [value]


def cluster_profiles(
    matrix: np.ndarray, k: int | str = "auto", sample_size: int = 100_000, random_state: int = 0
) -> Clustering:
    """KMeans (n_init=10, fixed random_state) on the encoded rows. With k='auto' the k in 2-8
    with the best silhouette wins, searched on at most SEARCH_SAMPLE rows; the model is then
    fitted on at most `sample_size` rows and assigns every row. Segments are numbered 1.. by
    size (largest first), so the same input gives identical labels."""
    with one_thread():
        return _cluster_profiles(matrix, k, sample_size, random_state)


def _cluster_profiles(matrix: np.ndarray, k, sample_size: int, random_state: int) -> Clustering:
    n = len(matrix)
    ks = parse_k(k, n)
    rng = np.random.default_rng(random_state)
    search_index = _sample(n, min(SEARCH_SAMPLE, sample_size), rng)
    search = matrix if search_index is None else matrix[search_index]
    silhouette, models = choose_k(search, ks, random_state)
    best = max(silhouette, key=lambda c: (silhouette[c], -c))
    model = models[best]
    if n > len(search):
        fit_index = _sample(n, sample_size, rng)
        model = fit_distinct(matrix if fit_index is None else matrix[fit_index], best, random_state)
    labels = number_by_size(model.predict(matrix), best)
    return Clustering(k=best, silhouette=silhouette, labels=labels)


def number_by_size(raw: np.ndarray, k: int) -> np.ndarray:
    sizes = np.bincount(raw, minlength=k)
    order = np.argsort(-sizes, kind="stable")
    number = np.empty(k, dtype=np.int64)
    number[order] = np.arange(1, k + 1)
    return number[raw]
