"""Segments: the planted interest segments come back, the same way every run, and areas with
the planted gap cluster apart."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.segments import area_clusters, fit_segments
from data_pipeline.store.db import connect

TRUTH = Path(__file__).resolve().parents[1] / "sample_data" / "ground_truth" / "segments_2025.csv"
WAVE = Filters(wave="2025")


@pytest.fixture(scope="module")
def con(sample_db_file):
    con = connect(sample_db_file, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def five(con):
    return fit_segments(con, WAVE, k=5)


def ari_against_truth(con, labels: pd.DataFrame) -> float:
    ids = con.execute("SELECT respondent_id, source_id FROM respondent WHERE wave_id = '2025'").df()
    truth = pd.read_csv(TRUTH, dtype={"ID": str})
    joined = labels.merge(ids, on="respondent_id").merge(truth, left_on="source_id", right_on="ID")
    assert len(joined) == len(labels)
    return adjusted_rand_score(joined["segment_y"], joined["segment_x"])


def test_planted_segments_are_recovered_with_k_5(con, five):
    assert five.k == 5
    assert len(five.labels) == 9000
    assert ari_against_truth(con, five.labels) >= 0.8


def test_auto_picks_five_and_recovers_the_segments(con, five):
    auto = fit_segments(con, WAVE, k="auto")
    assert sorted(auto.silhouette) == list(range(2, 9))
    assert auto.k == max(auto.silhouette, key=auto.silhouette.get) == 5
    assert ari_against_truth(con, auto.labels) >= 0.8


def test_same_input_gives_identical_labels(con, five):
    again = fit_segments(con, WAVE, k=5)
    pd.testing.assert_frame_equal(again.labels, five.labels)
    sizes = [p["size"] for p in five.profiles]
    assert sizes == sorted(sizes, reverse=True)
    assert [p["segment"] for p in five.profiles] == [1, 2, 3, 4, 5]


def test_segments_are_stable_across_random_seeds(con, five):
    for seed in (1, 2, 3, 4):
        other = fit_segments(con, WAVE, k=5, random_state=seed)
        assert adjusted_rand_score(five.labels["segment"], other.labels["segment"]) >= 0.9


def test_profiles_name_the_planted_interests(five):
    names = {p["name_da"] for p in five.profiles}
    assert "Klima og miljø + Natur og friluftsliv" in names
    green = next(p for p in five.profiles if p["name_da"].startswith("Klima"))
    assert {t[0] for t in green["top_topics"][:2]} == {"klima", "natur"}
    assert {f[0] for f in green["top_formats"][:2]} == {"digitalt_moede", "online_afstemning"}
    assert all(t[3] > 1.5 for t in green["top_topics"][:2])
    care = next(
        p for p in five.profiles if {t[0] for t in p["top_topics"][:2]} == {"aeldre", "sundhed"}
    )
    composition = care["composition"].set_index(["dimension", "value"])
    # Omsorg is planted x2.2 at 60+: far more 70-79-year-olds than in the population.
    assert (
        composition.loc[("age_band", "70-79"), "segment_share"]
        > 1.5 * composition.loc[("age_band", "70-79"), "population_share"]
    )
    for p in five.profiles:
        shares = p["composition"].groupby("dimension")["segment_share"].sum()
        assert shares["gender"] == pytest.approx(1.0)
        assert len(p["description_da"].splitlines()) >= 2


def test_invalid_k_is_refused(con):
    from data_pipeline.analysis.cells import InvalidInput

    with pytest.raises(InvalidInput, match="k skal være"):
        fit_segments(con, WAVE, k=1)


def test_area_clusters_set_havnekvarteret_apart(con):
    clusters = area_clusters(con, WAVE)

    assert len(clusters) == 15
    assert set(clusters.columns) >= {"area", "area_name", "cluster", "description_da"}
    harbour = clusters.set_index("area_name").loc["Havnekvarteret"]
    assert harbour["cluster"] == 1  # clusters are numbered from the lowest participation
    assert harbour["description_da"].startswith("Underrepræsenteret samlet")
    assert (clusters["cluster"] == 1).sum() < 15
