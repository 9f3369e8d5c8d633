"""Headline scores that do not move with the number of answers alone (issue 12, item 1).

The bias-adjusted R-indicator is checked by hand on a tiny case and by simulation: surveys of
about 500 and about 5,000 answers are drawn from the same known truth (the same population
shares and the same response propensity per age band × gender × area cell) into a real
DuckDB, and scores() is asked exactly as the Overblik asks it. The adjusted R at the two sizes
agrees within its standard error, where the plain 1 - 2·SD of the observed rates does not.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.scores import plain_score_text, r_indicator_values, score_counts, scores
from data_pipeline.core.i18n import t
from data_pipeline.store.db import connect

SEED = 20261205
SURVEYS = 30
PERIOD = "2025K4"


def test_adjusted_r_indicator_by_hand():
    respondents, population = np.array([30.0, 160.0, 8.0]), np.array([200.0, 300.0, 100.0])
    w = population / population.sum()
    p = respondents / population
    spread = float(np.sum(w * (p - np.sum(w * p)) ** 2))
    noise = float(np.sum(w * (1 - w) * p * (1 - p) / (population - 1)))

    result = score_counts(respondents, population)

    assert result["r_indicator_unadjusted"] == pytest.approx(1 - 2 * math.sqrt(spread))
    assert result["r_indicator"] == pytest.approx(1 - 2 * math.sqrt(spread - noise))


def test_adjusted_r_of_pure_noise_is_one():
    # Every cell answers at the same true rate; the observed spread is noise only.
    assert r_indicator_values([10, 14, 7, 9], [100, 100, 100, 100])[0] == pytest.approx(1.0)


# --- simulation from a known truth ----------------------------------------------------------


@pytest.fixture(scope="module")
def truth(sample_db_file):
    """Population shares per age band × gender × area cell from the sample municipality, and
    a response propensity per cell that varies with age (0.4-1.6 × 15 %) and area."""
    sample = connect(sample_db_file, read_only=True)
    areas = sample.execute("SELECT area_code, name FROM area").df()
    bands = sample.execute("SELECT label, min_age, max_age FROM age_band ORDER BY min_age").df()
    population = sample.execute(
        "SELECT b.label AS age_band, p.gender, p.area_code, sum(p.count)::DOUBLE AS population "
        "FROM population p JOIN age_band b ON p.age BETWEEN b.min_age AND b.max_age "
        "WHERE p.period = ? GROUP BY ALL",
        [PERIOD],
    ).df()
    sample.close()
    age_factor = dict(zip(bands["label"], np.linspace(0.4, 1.6, len(bands)), strict=True))
    area_factor = dict(
        zip(sorted(areas["area_code"]), np.linspace(0.8, 1.2, len(areas)), strict=True)
    )
    population["probability"] = (
        0.15 * population["age_band"].map(age_factor) * population["area_code"].map(area_factor)
    )
    population["share"] = population["population"] / population["population"].sum()
    return areas, bands, population


def simulation_db(path, areas, bands, cells: pd.DataFrame):
    """A survey database whose population is `cells` (one age per band stands for the band)."""
    con = connect(path)
    con.execute("INSERT INTO survey_wave VALUES ('2025', 'Simulation', 2025, NULL, NULL)")
    con.executemany("INSERT INTO area (area_code, name) VALUES (?, ?)", areas.values.tolist())
    first_age = dict(zip(bands["label"], bands["min_age"], strict=True))
    con.executemany(
        "INSERT INTO population (area_code, age, gender, count, period) VALUES (?, ?, ?, ?, ?)",
        [
            [row.area_code, int(first_age[row.age_band]), row.gender, int(row.count), PERIOD]
            for row in cells.itertuples(index=False)
            if row.count > 0
        ],
    )
    return con


def draw_survey(con, cells: pd.DataFrame, rng: np.random.Generator) -> None:
    drawn = cells.assign(n=rng.binomial(cells["count"], cells["probability"]))
    con.execute("DELETE FROM respondent")
    con.register("drawn", drawn[["age_band", "gender", "area_code", "n"]])
    con.execute(
        "INSERT INTO respondent (respondent_id, wave_id, batch_id, age_band, gender, area_code, "
        "consent_contact) SELECT row_number() OVER (), '2025', 1, d.age_band, d.gender, "
        "d.area_code, false FROM drawn d, range(d.n)"
    )
    con.unregister("drawn")


def simulate(tmp_path, truth, respondents: int, rng) -> dict:
    """SURVEYS surveys of about `respondents` answers from the truth; the overall scores."""
    areas, bands, population = truth
    size = respondents / float(np.sum(population["share"] * population["probability"]))
    cells = population.assign(count=np.round(population["share"] * size).astype(int))
    con = simulation_db(tmp_path / f"sim{respondents}.duckdb", areas, bands, cells)
    rows = []
    for _ in range(SURVEYS):
        draw_survey(con, cells, rng)
        table = scores(con, Filters(wave="2025"), replicates=300).set_index("dimension")
        rows.append(table.loc["overall"])
    con.close()
    # The truth of this (rounded) population: R = 1 - 2·SD of the true propensities.
    w = cells["count"] / cells["count"].sum()
    mean = float(np.sum(w * cells["probability"]))
    true_r = 1 - 2 * math.sqrt(float(np.sum(w * (cells["probability"] - mean) ** 2)))
    return {"frame": pd.DataFrame(rows), "true_r": true_r}


@pytest.fixture(scope="module")
def simulated(truth, tmp_path_factory):
    rng = np.random.default_rng(SEED)
    path = tmp_path_factory.mktemp("scores")
    return {n: simulate(path, truth, n, rng) for n in (500, 5000)}


def test_adjusted_r_indicator_does_not_move_with_sample_size(simulated):
    small, large = simulated[500]["frame"], simulated[5000]["frame"]
    se = float(small["r_se"].median())
    adjusted = small["r_indicator"].mean(), large["r_indicator"].mean()
    plain = small["r_indicator_unadjusted"].mean(), large["r_indicator_unadjusted"].mean()
    print(
        f"true R {simulated[500]['true_r']:.3f}/{simulated[5000]['true_r']:.3f}; adjusted R "
        f"{adjusted[0]:.3f} (n=500) vs {adjusted[1]:.3f} (n=5000), SE at 500 {se:.3f}; "
        f"unadjusted {plain[0]:.3f} vs {plain[1]:.3f}"
    )
    assert abs(adjusted[0] - adjusted[1]) <= se
    assert abs(adjusted[0] - simulated[500]["true_r"]) <= se
    assert abs(plain[0] - plain[1]) > 3 * se  # the plain R falls with the sample size alone


def test_r_indicator_interval_is_honest(simulated):
    for n, result in simulated.items():
        frame, true_r = result["frame"], result["true_r"]
        spread = float(frame["r_indicator"].std(ddof=1))
        se = float(frame["r_se"].median())
        covered = float(((frame["r_low"] <= true_r) & (true_r <= frame["r_high"])).mean())
        print(f"n={n}: SD of R over surveys {spread:.4f}, bootstrap SE {se:.4f}, cover {covered}")
        assert 0.6 <= se / spread <= 1.6
        assert covered >= 0.8


def test_min_max_over_the_marginals_does_not_collapse_in_small_surveys(simulated):
    small, large = simulated[500]["frame"], simulated[5000]["frame"]
    # The lowest/highest age band's true ratio is 0.4/1.6 = 0.25 in every area.
    print(
        f"min/max over the marginals: {small['min_max_ratio'].mean():.3f} (n=500), "
        f"{large['min_max_ratio'].mean():.3f} (n=5000)"
    )
    assert (small["field"] == "age_band").mean() >= 0.9
    assert (small["min_max_ratio"] > 0).all()
    assert abs(large["min_max_ratio"].mean() - 0.25) <= 0.03
    assert abs(small["min_max_ratio"].mean() - 0.25) <= 0.08


# --- the sample municipality ----------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_con(sample_db_file):
    con = connect(sample_db_file, read_only=True)
    yield con
    con.close()


def test_the_plain_score_names_what_it_compares(sample_con):
    table = scores(sample_con, Filters(wave="2025"))
    again = scores(sample_con, Filters(wave="2025"))
    pd.testing.assert_frame_equal(table, again)  # seeded: the same data, the same interval

    score = plain_score_text(sample_con, table, "da")

    overall = table.set_index("dimension").loc["overall"]
    assert score["score"] == round(100 * overall["min_max_ratio"])
    assert score["low"] <= score["score"] <= score["high"]
    assert "svarer mindst" in score["sentence"] and "svarer mest" in score["sentence"]
    assert f"{score['score']} % så ofte som" in score["sentence"]
    assert overall["field"] in ("age_band", "gender", "area")


def test_overblik_leads_with_the_plain_score_and_keeps_the_rest_for_analysts(
    sample_db_file, sample_con, tmp_path, monkeypatch
):
    import shutil
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    path = tmp_path / "app.duckdb"
    shutil.copy(sample_db_file, path)
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(path))
    at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception

    score = plain_score_text(sample_con, scores(sample_con, Filters(wave="2025")), "da")
    headline = at.markdown[0].value
    assert headline == f"#### Repræsentativitet: {score['score']} af 100"
    captions = [c.value.replace("\\", "") for c in at.caption]  # ui.plain escapes Markdown
    assert any(score["sentence"] in c and score["interval"] in c for c in captions)
    analysts = next(e for e in at.expander if e.label == "For analytikere")
    labels = [m.label for m in analysts.metric]
    assert labels == [
        "Laveste svarprocent ÷ højeste",
        "Overlap med befolkningen",
        "Ensartethed (R-indikator)",
    ]
    assert all("(" in m.value and "–" in m.value for m in analysts.metric)  # with intervals


def test_a_score_outside_its_own_interval_is_called_undecided_not_shown(sample_con):
    # Two age bands in Havnekvarteret (seen in the browser): the score was "95 af 100" with
    # "95 %-interval: 56–94", a figure its own interval rules out.
    narrow = Filters(wave="2025", areas=("04",), age_bands=("18-24", "25-29"))
    table = scores(sample_con, narrow)
    overall = table.set_index("dimension").loc["overall"]
    estimate = round(100 * overall["min_max_ratio"])
    low, high = round(100 * overall["min_max_low"]), round(100 * overall["min_max_high"])
    assert not low <= estimate <= high  # the case this test is about

    score = plain_score_text(sample_con, table, "da")
    assert score["undecided"]
    assert score["value"] == t("score.undecided_value", "da")
    said = score["value"] + score["sentence"] + score["interval"]
    assert f"{estimate} af 100" not in said and f"{low}–{high}" not in said
    assert "for få svar" in score["sentence"]

    whole = plain_score_text(sample_con, scores(sample_con, Filters(wave="2025")), "da")
    assert not whole["undecided"]
    assert whole["value"] == t("score.plain_value", "da", score=whole["score"])
