"""Honest verdicts (issue 12): three verdicts from the whole interval, false discovery rate
control, the whole municipality as the reference under a filter, and "manglende svar".

Expected values come from the raw respondent and population tables (pandas), from scipy, or
from hand computation, never from the pipeline's own output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.gaps import find_gaps
from data_pipeline.analysis.ratios import representation_table
from data_pipeline.analysis.statistics import _status, benjamini_hochberg, score_p_values
from data_pipeline.core.i18n import TEXT, t
from data_pipeline.store.db import connect

WAVE = "2025"


@pytest.fixture(scope="module")
def sample_con(sample_db_file):
    con = connect(sample_db_file, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def raw(sample_con):
    """The wave's respondents and its population period's citizens 15+, straight from the
    tables, labelled with the age band."""
    period = sample_con.execute(
        "SELECT max(period) FROM population WHERE left(period, 4) <= '2025'"
    ).fetchone()[0]
    bands = sample_con.execute("SELECT label, min_age, max_age FROM age_band").df()
    pop = sample_con.execute(
        "SELECT area_code, age, gender, count FROM population WHERE period = ?", [period]
    ).df()
    pop = pop[pop["age"] >= bands["min_age"].min()].copy()
    pop["age_band"] = None
    for _, band in bands.iterrows():
        inside = pop["age"].between(band["min_age"], band["max_age"])
        pop.loc[inside, "age_band"] = band["label"]
    resp = sample_con.execute(
        "SELECT age_band, gender, area_code FROM respondent WHERE wave_id = ?", [WAVE]
    ).df()
    spread = sample_con.execute(
        "SELECT count(*) FROM respondent WHERE wave_id = ? AND area_code IS NULL "
        "AND postal_code IN (SELECT postal_code FROM postal_area)",
        [WAVE],
    ).fetchone()[0]
    assert spread == 0  # no fractional areas in this wave: plain counts are exact
    return resp, pop


def independent_ratio(raw, group: dict, known: tuple[str, ...]) -> float:
    """Group rate / whole-municipality rate, where the municipality counts the respondents
    with the `known` attributes known (gender kvinde/mand), against all citizens 15+."""
    resp, pop = raw
    column = {"age_band": "age_band", "gender": "gender", "area": "area_code"}
    r = resp
    for dim in known:
        values = r[column[dim]]
        r = r[values.isin(["kvinde", "mand"])] if dim == "gender" else r[values.notna()]
    in_group_r = np.ones(len(r), dtype=bool)
    in_group_p = np.ones(len(pop), dtype=bool)
    for dim, value in group.items():
        in_group_r &= (r[column[dim]] == value).to_numpy()
        in_group_p &= (pop[column[dim]] == value).to_numpy()
    reference = len(r) / pop["count"].sum()
    return in_group_r.sum() / pop.loc[in_group_p, "count"].sum() / reference


# --- 1. three verdicts ------------------------------------------------------------------


def test_verdicts_over_constructed_intervals():
    intervals = [
        # (respondents, low, high, verdict)
        (100, 0.50, 0.70, "under"),  # wholly below 0.8
        (100, 1.30, 1.60, "over"),  # wholly above 1.25
        (100, 0.85, 1.20, "fine"),  # wholly inside 0.8-1.25
        (100, 0.80, 1.25, "fine"),  # the band's edges belong to it
        (100, 0.23, 0.90, "uncertain"),  # the example: crosses 0.8 only
        (100, 0.60, 0.99, "uncertain"),  # a 0.6-0.67 group is not "like the population"
        (100, 1.10, 1.40, "uncertain"),  # crosses 1.25 only
        (100, 0.70, 1.40, "uncertain"),  # crosses both
        (3, 0.90, 1.10, "uncertain"),  # too few answers is never "fine"
        (100, np.nan, np.nan, "uncertain"),  # no interval, no verdict
    ]
    resp, low, high, expected = zip(*intervals, strict=True)
    assert _status(resp, low, high, threshold=0.8, k=5).tolist() == list(expected)


def test_men_80_plus_in_kirkebjerg_are_not_called_like_the_population(sample_con, raw):
    table = representation_table(sample_con, Filters(wave=WAVE), by=("age_band", "gender", "area"))
    row = table.set_index(["age_band", "gender", "area"]).loc[("80+", "mand", "09")]
    # The interval reaches below 0.8 and above it (about 0.23-0.90): the data cannot tell.
    assert row["ci_low"] < 0.8 < row["ci_high"]
    assert row["status"] == "uncertain"
    # Every cell called "like the population" has its whole interval inside 0.8-1.25.
    fine = table[table["status"] == "fine"]
    assert len(fine) and (fine["ci_low"] >= 0.8).all() and (fine["ci_high"] <= 1.25).all()
    # And no suppressed (too small) cell is called anything but "cannot tell".
    assert (table.loc[table["suppressed"], "status"] == "uncertain").all()
    known = ("age_band", "gender", "area")
    assert row["ratio"] == pytest.approx(
        independent_ratio(raw, {"age_band": "80+", "gender": "mand", "area": "09"}, known)
    )


def test_the_words_for_the_verdicts():
    assert t("status.uncertain", "da") == "Kan ikke afgøres"
    assert t("status.uncertain", "en") == "Not enough answers to tell"
    assert t("status.fine", "da") == "Som befolkningen"


# --- 2. false discovery rate ------------------------------------------------------------


def test_benjamini_hochberg_by_hand_and_against_scipy():
    # By hand, m = 6, q = 0.05: thresholds 0.0083, 0.0167, 0.025, 0.033, 0.0417, 0.05. The
    # largest i with p_(i) <= i·q/m is i = 4 (0.03 <= 0.0333), so the four smallest are
    # rejected although 0.02 > 0.0167 on its own step.
    p = np.array([0.03, 0.001, 0.20, 0.02, 0.012, 0.9])
    assert benjamini_hochberg(p, 0.05).tolist() == [True, True, False, True, True, False]
    rng = np.random.default_rng(12)
    for _ in range(200):
        p = np.concatenate([rng.uniform(size=40), rng.uniform(0, 0.01, size=rng.integers(0, 8))])
        expected = stats.false_discovery_control(p, method="bh") <= 0.05
        assert benjamini_hochberg(p, 0.05).tolist() == expected.tolist()
    # Untested (NaN) groups are neither rejected nor counted.
    assert benjamini_hochberg([np.nan, 0.001, 0.04], 0.05).tolist() == [False, True, True]


def test_score_p_values_match_scipy():
    x, n, p0 = np.array([12, 80, 300]), np.array([200, 1000, 1500]), 0.15
    expected = [
        2 * stats.norm.sf(abs((xi - ni * p0) / math.sqrt(ni * p0 * (1 - p0))))
        for xi, ni in zip(x, n, strict=True)
    ]
    np.testing.assert_allclose(score_p_values(x, n, p0), expected, rtol=1e-9)


def test_gap_list_says_it_controls_the_false_discovery_rate(sample_con):
    gaps = find_gaps(sample_con, Filters(wave=WAVE), top=None)
    assert gaps.attrs["fdr_tested"] > 100
    # Every listed gap survives Benjamini–Hochberg over all the groups tested (a group too
    # small to publish is listed as "too_few", with no p-value of its own).
    judged = gaps[gaps["status"] != "too_few"]
    assert (judged["status"] == "under").all()
    assert (judged["p_value"] < 0.05).all()
    for lang in ("da", "en"):
        assert "Benjamini–Hochberg" in t("overview.gaps_lead", lang)
        assert "Benjamini–Hochberg" in t("report.method.ratio", lang)


# --- 3. the whole municipality is the reference under a filter -----------------------------


def test_an_area_keeps_its_ratio_when_filtered_to_it(sample_con, raw):
    expected = independent_ratio(raw, {"area": "04"}, ("area",))
    whole = representation_table(sample_con, Filters(wave=WAVE), by=("area",))
    filtered = representation_table(sample_con, Filters(wave=WAVE, areas=("04",)), by=("area",))
    assert whole.set_index("area").loc["04", "ratio"] == pytest.approx(expected, rel=1e-12)
    row = filtered.set_index("area").loc["04"]
    assert row["ratio"] == pytest.approx(expected, rel=1e-12)  # was 1.0 by construction
    assert row["status"] == "under"
    assert filtered.attrs["reference_rate"] == pytest.approx(whole.attrs["reference_rate"])


def test_80_plus_is_not_1_under_an_80_plus_filter(sample_con, raw):
    expected = independent_ratio(raw, {"age_band": "80+"}, ("age_band",))
    filtered = representation_table(
        sample_con, Filters(wave=WAVE, age_bands=("80+",)), by=("age_band",)
    )
    assert filtered.set_index("age_band").loc["80+", "ratio"] == pytest.approx(expected)
    assert expected < 0.8


def test_gaps_inside_a_filtered_area_compare_with_the_whole_municipality(sample_con, raw):
    gaps = find_gaps(sample_con, Filters(wave=WAVE, areas=("04",)), dims=("age_band", "gender"))
    assert len(gaps)  # Havnekvarteret is at about half the municipal rate: gaps show
    for _, row in gaps.iterrows():
        group = {**row["group"], "area": "04"}
        known = tuple(row["group"]) + ("area",)
        assert row["ratio"] == pytest.approx(independent_ratio(raw, group, known), rel=1e-9)
        assert "svarprocenten i hele kommunen" in row["sentence_da"]
        assert "kommunens svarprocent" not in row["sentence_da"]


def test_the_map_ratio_under_an_age_filter_compares_with_the_whole_municipality(sample_con, raw):
    import data_pipeline.present.map_values as map_values

    resp, pop = raw
    reference = len(resp) / pop["count"].sum()  # every respondent against every citizen 15+
    frame = map_values.map_view(sample_con, Filters(wave=WAVE, age_bands=("80+",)), "ratio")
    shown = frame[~frame["suppressed"]]
    assert len(shown) >= 5
    for _, row in shown.iterrows():
        in_r = (resp["age_band"] == "80+") & (resp["area_code"] == row["area_code"])
        in_p = (pop["age_band"] == "80+") & (pop["area_code"] == row["area_code"])
        expected = in_r.sum() / pop.loc[in_p, "count"].sum() / reference
        assert row["value"] == pytest.approx(expected)


# --- 4. words ----------------------------------------------------------------------------


def test_missing_responses_are_never_votes_and_only_below_the_line(sample_con):
    danish = " ".join(da for da, _en in TEXT.values() if isinstance(da, str))
    assert "stemme" not in danish.lower()
    assert t("col.missing", "da") == "Manglende svar"
    gaps = find_gaps(sample_con, Filters(wave=WAVE), top=None, only_under=False)
    assert not gaps["sentence_da"].str.contains("stemme").any()
    over = gaps[gaps["missing_voices"].round() < 0]
    below = gaps[gaps["missing_voices"].round() > 0]
    assert len(over) and len(below)
    assert not over["sentence_da"].str.contains("mangler").any()
    assert not over["sentence_en"].str.contains("missing").any()
    assert below["sentence_da"].str.contains(r"Der mangler ca\. [\d.]+ svar\.$").all()
