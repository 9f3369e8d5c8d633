"""Segments: groups of respondents with similar interest profiles, and groups of areas with
similar participation gaps, found with scikit-learn KMeans and described in words.

The flow, one module per step: fetching here (one SQL scan of numeric feature columns, no
names, no contact data) → encoding and fitting in segment_model.py (pure, testable without a
database) → describing in segment_words.py. Never imports streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from data_pipeline.analysis.catalog import latest_wave
from data_pipeline.analysis.cells import (
    BACKGROUND,
    InvalidInput,
    area_names,
    cell_counts,
    resolve_wave,
)
from data_pipeline.analysis.counting import count_respondents, population_by_band_gender
from data_pipeline.analysis.filtering import Filters, where_clause
from data_pipeline.analysis.segment_model import (
    ORDINAL_KINDS,
    Features,
    ProfileEncoder,
    cluster_profiles,
    kmeans,
    one_thread,
    parse_k,
)
from data_pipeline.analysis.segment_words import cluster_words, describe_segments
from data_pipeline.analysis.statistics import add_statistics, apply_fdr
from data_pipeline.core.disclosure import DEFAULT_K

# Two segments of at least k members each: with fewer answers a segment would describe a
# handful of people (and its size would publish a small count).
MIN_RESPONDENTS = 2 * DEFAULT_K


@dataclass
class SegmentResult:
    k: int
    silhouette: dict[int, float]
    labels: pd.DataFrame
    profiles: list[dict]

    def to_json(self) -> dict:
        segments = []
        for profile in self.profiles:
            entry = dict(profile)
            entry["composition"] = profile["composition"].to_dict(orient="records")
            segments.append(entry)
        return {
            "k": self.k,
            "silhouette": {str(k): v for k, v in self.silhouette.items()},
            "segments": segments,
        }


def _options(con) -> pd.DataFrame:
    return con.execute(
        "SELECT kind, code, label_da, label_en, bit FROM vocabulary "
        "WHERE kind IN ('topic', 'format') AND bit IS NOT NULL ORDER BY kind DESC, sort_order"
    ).df()


def load_features(con, filters: Filters) -> Features:
    """One scan: bits of the masks, ordinal positions and the background codes, in id order
    (the order makes sampling, and so the labels, reproducible)."""
    wave, _ = resolve_wave(con, filters)
    where = where_clause(con, filters, wave)
    options = _options(con)
    bits = [
        f"((r.{kind}_mask >> {int(bit)}) & 1)::TINYINT AS b{i}"
        for i, (kind, bit) in enumerate(zip(options["kind"], options["bit"], strict=True))
    ]
    ordinals = [
        f"coalesce((SELECT v.sort_order FROM vocabulary v WHERE v.kind = '{kind}' "
        f"AND v.code = r.{column}), -1)::SMALLINT AS o_{kind}"
        for kind, column in ORDINAL_KINDS.items()
    ]
    sql = (
        f"SELECT r.respondent_id, {', '.join(bits + ordinals)}, "  # noqa: S608
        "coalesce(ab.sort_order, -1)::SMALLINT AS band, "
        "CASE r.gender WHEN 'kvinde' THEN 0 WHEN 'mand' THEN 1 ELSE -1 END::TINYINT AS gender "
        "FROM respondent r LEFT JOIN age_band ab ON ab.label = r.age_band "
        f"WHERE {where.sql} ORDER BY r.respondent_id"
    )
    data = con.execute(sql, where.params).fetchnumpy()
    levels = dict(
        con.execute(
            "SELECT kind, count(*) FROM vocabulary WHERE kind IN ('interest', 'time', 'engagement') "
            "GROUP BY kind"
        ).fetchall()
    )
    index = pd.Index(np.asarray(data["respondent_id"]), name="respondent_id")
    columns = {
        f"{kind}:{code}": np.asarray(data[f"b{i}"])
        for i, (kind, code) in enumerate(zip(options["kind"], options["code"], strict=True))
    }
    columns.update({kind: np.asarray(data[f"o_{kind}"]) for kind in ORDINAL_KINDS})
    background = {"band": np.asarray(data["band"]), "gender": np.asarray(data["gender"])}
    return Features(
        profile=pd.DataFrame(columns, index=index),
        background=pd.DataFrame(background, index=index),
        options=options,
        levels={kind: int(levels.get(kind, 2)) for kind in ORDINAL_KINDS},
    )


def _require_respondents(n: int, wave: str | None) -> None:
    if n >= MIN_RESPONDENTS:
        return
    if n == 0:
        raise InvalidInput(
            f"Bølgen '{wave}' har ingen svar endnu, så der er ingen segmenter at finde. / "
            f"The wave '{wave}' has no responses yet, so there are no segments to find."
        )
    raise InvalidInput(
        f"Der er for få svar til segmenter: der skal mindst være {MIN_RESPONDENTS}. / "
        f"Too few responses for segments: at least {MIN_RESPONDENTS} are needed."
    )


def fit_segments(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    k: int | str = "auto",
    sample_size: int = 100_000,
    random_state: int = 0,
) -> SegmentResult:
    """Cluster respondents by interest profile and describe each segment.

    Features: one 0/1 column per topic and per format (from the bit masks), and interest,
    time and engagement as 0-1 scales weighted by ORDINAL_WEIGHT (unknown = 0.5, the middle);
    see segment_model.ProfileEncoder. With k='auto' the k in 2-8 with the best silhouette
    wins, searched on at most SEARCH_SAMPLE respondents; KMeans (n_init=10, fixed
    random_state) is then fitted on at most `sample_size` respondents and assigns everyone.
    `silhouette` maps each k tried to its score. Segments are numbered 1.. by size (largest
    first), so the same input gives identical labels (segment_model.cluster_profiles).
    """
    features = load_features(con, filters)
    n = len(features.profile)
    _require_respondents(n, filters.wave or latest_wave(con))
    matrix = ProfileEncoder(levels=features.levels).fit_transform(features.profile)
    clustering = cluster_profiles(matrix, k, sample_size, random_state)
    member_ratio, member_over = _member_ratios(con, filters, features)
    profiles = describe_segments(
        features,
        clustering.labels,
        clustering.k,
        member_ratio=member_ratio,
        member_over=member_over,
        population=population_by_band_gender(con, filters),
        bands=dict(con.execute("SELECT sort_order, label FROM age_band").fetchall()),
        answers=_answers(con),
    )
    return SegmentResult(
        k=clustering.k,
        silhouette=clustering.silhouette,
        labels=pd.DataFrame(
            {"respondent_id": features.respondent_id, "segment": clustering.labels}
        ),
        profiles=profiles,
    )


def _answers(con) -> dict[tuple[str, int], dict]:
    """(kind, position) -> code and labels of the time and engagement answers."""
    rows = con.execute(
        "SELECT kind, sort_order, code, label_da, label_en FROM vocabulary "
        "WHERE kind IN ('time', 'engagement')"
    ).fetchall()
    answers: dict[tuple[str, int], dict] = {}
    for kind, position, code, da, en in rows:
        answers.setdefault((kind, position), {"code": code, "label_da": da, "label_en": en})
    return answers


def _member_ratios(con, filters, features: Features) -> tuple[np.ndarray, np.ndarray]:
    """Each respondent's representation ratio of their age band × gender cell (NaN when
    unknown): a segment drawn from over-represented cells is over-weighted unweighted."""
    wave, period = resolve_wave(con, filters)
    cells, _ = cell_counts(con, filters, wave, period, ("age_band", "gender"))
    stats = apply_fdr(add_statistics(cells))
    order = dict(con.execute("SELECT label, sort_order FROM age_band").fetchall())
    lookup = np.full((len(order) + 1, 2), np.nan)
    over = np.zeros((len(order) + 1, 2))
    for row in stats.itertuples():
        if row.age_band in order:
            lookup[order[row.age_band], 0 if row.gender == "kvinde" else 1] = row.ratio
            over[order[row.age_band], 0 if row.gender == "kvinde" else 1] = row.status == "over"
    known = (features.band >= 0) & (features.gender >= 0)
    ratios = np.full(len(features.band), np.nan)
    ratios[known] = lookup[features.band[known], features.gender[known]]
    in_over = np.zeros(len(features.band), dtype=bool)
    in_over[known] = over[features.band[known], features.gender[known]] > 0
    return ratios, in_over


# --- area clusters --------------------------------------------------------------------------


def _area_profiles(con, filters: Filters) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """Ratio per age band × gender for each area, smoothed towards 1 for small cells
    ((respondents + 5) / (expected + 5)) so a cell of 3 people cannot make a cluster; the
    areas' level; and the raw cells, for the verdicts that describe a cluster."""
    wave, period = resolve_wave(con, filters)
    cells, _ = cell_counts(con, filters, wave, period, BACKGROUND)
    cells = cells[cells["population"] > 0]
    overall = cells["respondents"].sum() / cells["population"].sum()
    expected = cells["population"] * overall
    cells = cells.assign(
        ratio=(cells["respondents"] + 5) / (expected + 5),
        cell=cells["gender"] + "|" + cells["age_band"],
        expected=expected,
    )
    cells.attrs["reference_rate"] = overall
    profile = cells.pivot_table(index="area", columns="cell", values="ratio").fillna(1.0)
    totals = cells.groupby("area")[["respondents", "expected"]].sum()
    level = totals["respondents"] / totals["expected"]
    return profile.sort_index(), level.reindex(profile.index.sort_values()), cells


def area_clusters(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    k: int | str = "auto",
    random_state: int = 0,
) -> pd.DataFrame:
    """Areas grouped by participation profile (ratio by age band × gender, standardised).

    k is chosen by silhouette over 2-min(6, areas - 1) unless given. Clusters are numbered
    1.. from the lowest overall participation. Columns: area, area_name, cluster,
    description_da, description_en.
    """
    wave, _period = resolve_wave(con, filters)
    _require_respondents(count_respondents(con, filters.replace(wave=wave)), wave)
    profile, level, cells = _area_profiles(con, filters)
    n = len(profile)
    if n < 3:
        raise InvalidInput(
            "Der skal mindst være 3 områder for at gruppere dem. / "
            "At least 3 areas are needed to cluster them."
        )
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    matrix = StandardScaler().fit_transform(profile.to_numpy())
    ks = list(range(2, min(6, n - 1) + 1)) if k == "auto" else parse_k(k, n)
    best, best_score, labels = None, -2.0, None
    with one_thread():
        for c in ks:
            fitted = kmeans(c, random_state).fit_predict(matrix)
            score = silhouette_score(matrix, fitted) if len(set(fitted)) > 1 else -1.0
            if score > best_score:
                best, best_score, labels = c, score, fitted
    cluster_level = pd.Series(level.to_numpy()).groupby(labels).mean()
    number = {raw: i + 1 for i, raw in enumerate(cluster_level.sort_values(kind="stable").index)}
    clusters = np.array([number[x] for x in labels])
    names = area_names(con)
    out = pd.DataFrame({"area": profile.index, "area_name": profile.index.map(names)})
    out["cluster"] = clusters
    area_cluster = dict(zip(profile.index, clusters, strict=True))
    words = {
        c: cluster_words(cells[cells["area"].map(area_cluster) == c], cells.attrs["reference_rate"])
        for c in number.values()
    }
    out["description_da"] = out["cluster"].map(lambda c: words[c][0])
    out["description_en"] = out["cluster"].map(lambda c: words[c][1])
    out.attrs["k"] = best
    return out.sort_values(["cluster", "area"], kind="stable").reset_index(drop=True)
