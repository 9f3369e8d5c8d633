"""Representation: ratios and Wilson intervals by hand, scores, gaps on the planted sample,
and raking checked against margins and against the independent `ipfn` package."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ipfn import ipfn

from data_pipeline.analysis.cells import InvalidInput
from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.gap_words import describe_group, ratio_words
from data_pipeline.analysis.gaps import find_gaps
from data_pipeline.analysis.raking import rake
from data_pipeline.analysis.ratios import representation_table
from data_pipeline.analysis.scores import score_counts, scores
from data_pipeline.analysis.weighting import weighted_counts, weighted_shares
from data_pipeline.store.db import connect

GROUND_TRUTH = Path(__file__).resolve().parents[1] / "sample_data" / "ground_truth"
Z = 1.959963984540054


def wilson(x: float, n: float) -> tuple[float, float]:
    """The Wilson score interval, written out as in Wilson (1927)."""
    p = x / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return centre - half, centre + half


# --- a tiny municipality built by hand ------------------------------------------------------

# (area, age, gender, count)
TINY_POPULATION = [
    ("01", 20, "mand", 400),
    ("01", 20, "kvinde", 600),
    ("02", 70, "mand", 1000),
    ("02", 40, "kvinde", 50),
]
# (age_band, gender, area, how many)
TINY_RESPONDENTS = [
    ("18-24", "mand", "01", 20),
    ("18-24", "kvinde", "01", 60),
    ("70-79", "mand", "02", 120),
    ("70-79", "uoplyst", "02", 3),  # unknown gender: out of gender cells only
    ("40-49", "kvinde", "02", 3),  # below k: suppressed
    ("18-24", "mand", None, 2),  # unknown area: out of area cells only
]


def _insert_respondents(con, rows) -> None:
    next_id = 1
    for band, gender, area, count in rows:
        for _ in range(count):
            con.execute(
                "INSERT INTO respondent (respondent_id, wave_id, batch_id, age_band, gender, "
                "area_code, consent_contact) VALUES (?, '2025', 1, ?, ?, ?, false)",
                [next_id, band, gender, area],
            )
            next_id += 1


@pytest.fixture()
def tiny(tmp_path):
    con = connect(tmp_path / "tiny.duckdb")
    con.execute("INSERT INTO survey_wave VALUES ('2025', 'Test 2025', 2025, NULL, NULL)")
    con.execute("INSERT INTO area (area_code, name) VALUES ('01', 'Nordby'), ('02', 'Sønderby')")
    con.executemany(
        "INSERT INTO population (area_code, age, gender, count, period) VALUES (?, ?, ?, ?, '2025K4')",
        TINY_POPULATION,
    )
    _insert_respondents(con, TINY_RESPONDENTS)
    yield con
    con.close()


def test_area_ratios_and_wilson_intervals_match_hand_computation(tiny):
    result = representation_table(tiny, Filters(), by=("area",))

    # Area 01: 80 of 1000; area 02: 120 + 3 + 3 of 1050; 2 without an area are left out.
    total_resp, total_pop = 80 + 126, 1000 + 1050
    overall = total_resp / total_pop
    rows = []
    for area, name, resp, pop in (("01", "Nordby", 80, 1000), ("02", "Sønderby", 126, 1050)):
        low, high = wilson(resp, pop)
        rows.append(
            {
                "area": area,
                "area_name": name,
                "population": float(pop),
                "respondents": float(resp),
                "rate": resp / pop,
                "ratio": resp / pop / overall,
                "ci_low": low / overall,
                "ci_high": high / overall,
                "missing_voices": pop / total_pop * total_resp - resp,
            }
        )
    expected = pd.DataFrame(rows)
    pd.testing.assert_frame_equal(
        result[expected.columns.tolist()], expected, check_dtype=False, rtol=1e-12
    )
    assert result.attrs["excluded"] == 2
    # 01: ratio 0.80 with interval ~0.65-0.98 crosses 0.8, 02: ratio 1.19 with interval
    # ~1.01-1.41 crosses 1.25: neither lies wholly inside 0.8-1.25, so neither can be told
    # (issue 12; this asserted "fine" for both before).
    assert result["status"].tolist() == ["uncertain", "uncertain"]


def test_gender_cells_leave_out_unknown_gender(tiny):
    result = representation_table(tiny, Filters(), by=("gender",))

    assert result["gender"].tolist() == ["kvinde", "mand"]
    assert result["respondents"].tolist() == [63.0, 142.0]
    assert result["population"].tolist() == [650.0, 1400.0]
    assert result.attrs["excluded"] == 3


def test_small_cells_are_suppressed_with_the_next_smallest(tiny):
    result = representation_table(tiny, Filters(), by=("age_band", "gender", "area"))

    hidden = result[result["suppressed"]]
    # 3 respondents is below k; alone it could be recovered from the total, so the next
    # smallest cell (20 men 18-24 in Nordby) goes too. The 120 men 70-79 in area 02 go as
    # well: /?age=70-79&area=02 counts 123 (3 of unknown gender), and 123 - 120 would reveal
    # those 3 (issue 13, finding 2: protection at the level of the filter).
    assert sorted(zip(hidden["age_band"], hidden["gender"], strict=True)) == [
        ("18-24", "mand"),
        ("40-49", "kvinde"),
        ("70-79", "mand"),
    ]
    assert (
        hidden[["respondents", "rate", "ratio", "ci_low", "ci_high", "missing_voices"]]
        .isna()
        .all()
        .all()
    )
    assert (result.loc[~result["suppressed"], "respondents"] >= 5).all()


def test_status_rules():
    from data_pipeline.analysis.statistics import _status

    status = _status(
        respondents=[100, 100, 100, 100, 3],
        ci_low=[0.5, 1.3, 0.9, 0.7, 0.1],
        ci_high=[0.7, 1.6, 1.1, 1.4, 0.2],
        threshold=0.8,
        k=5,
    )
    assert status.tolist() == ["under", "over", "fine", "uncertain", "uncertain"]


def test_go_vocal_published_example_scores_0_2(tmp_path):
    # Go Vocal: {a: 2, b: 5} respondents against a population of {a: 20, b: 10} -> 0.2.
    con = connect(tmp_path / "govocal.duckdb")
    con.execute("INSERT INTO survey_wave VALUES ('2025', 'Test', 2025, NULL, NULL)")
    con.execute("DELETE FROM age_band")
    con.execute("INSERT INTO age_band VALUES ('a', 15, 49, 0), ('b', 50, 120, 1)")
    con.execute(
        "INSERT INTO population (area_code, age, gender, count, period) VALUES "
        "('01', 30, 'kvinde', 20, '2025K4'), ('01', 60, 'kvinde', 10, '2025K4')"
    )
    _insert_respondents(con, [("a", "kvinde", "01", 2), ("b", "kvinde", "01", 5)])

    result = scores(con, Filters(), dims=("age_band",)).set_index("dimension")
    con.close()

    assert result.loc["age_band", "min_max_ratio"] == pytest.approx(0.2)
    # share overlap = min(2/7, 20/30) + min(5/7, 10/30)
    assert result.loc["age_band", "share_overlap"] == pytest.approx(2 / 7 + 1 / 3)
    rates, shares, overall = np.array([0.1, 0.5]), np.array([2 / 3, 1 / 3]), 7 / 30
    sd = math.sqrt(float(np.sum(shares * (rates - overall) ** 2)))
    assert result.loc["age_band", "r_indicator_unadjusted"] == pytest.approx(1 - 2 * sd)
    # Bias-adjusted (Schouten et al. 2009): less each rate's sampling variance p(1-p)/(N-1).
    noise = float(np.sum(shares * (1 - shares) * rates * (1 - rates) / (np.array([20, 10]) - 1)))
    adjusted = 1 - 2 * math.sqrt(sd**2 - noise)
    assert result.loc["age_band", "r_indicator"] == pytest.approx(adjusted)


def test_scores_of_an_even_sample_are_perfect():
    assert score_counts([10, 20, 30], [100, 200, 300]) == pytest.approx(
        {
            "min_max_ratio": 1.0,
            "share_overlap": 1.0,
            "r_indicator": 1.0,
            "r_indicator_unadjusted": 1.0,
        }
    )


# --- the planted sample municipality ---------------------------------------------------------


@pytest.fixture(scope="module")
def sample_con(sample_db_file):
    con = connect(sample_db_file, read_only=True)
    yield con
    con.close()


def test_planted_gaps_are_the_top_findings(sample_con):
    top = find_gaps(sample_con, Filters(wave="2025"), top=10)

    groups = top["group"].tolist()
    assert {"age_band": "80+"} in groups[:3]
    assert {"area": "04"} in groups[:3]
    assert (top["status"] == "under").all()
    assert top["missing_voices"].is_monotonic_decreasing
    assert top.loc[groups.index({"area": "04"}), "sentence_da"].startswith(
        "Borgere i Havnekvarteret: 325 svar blandt 3.574 borgere – halvdelen af svarprocenten i "
        "hele kommunen"
    )


def test_young_men_in_nordby_are_found_under_represented(sample_con):
    every = find_gaps(sample_con, Filters(wave="2025"), top=None)

    nordby_young_men = every[
        every["group"].isin(
            [
                {"age_band": "18-24", "gender": "mand", "area": "01"},
                {"age_band": "25-29", "gender": "mand", "area": "01"},
            ]
        )
    ]
    assert len(nordby_young_men) == 2
    assert (nordby_young_men["status"] == "under").all()
    assert sorted(nordby_young_men["respondents"]) == [6, 7]


@pytest.mark.parametrize(
    ("group", "by", "key"),
    [
        ("Alder 80+", ("age_band",), {"age_band": "80+"}),
        ("Havnekvarteret", ("area",), {"area": "04"}),
        ("Kvinder 60-69", ("age_band", "gender"), {"age_band": "60-69", "gender": "kvinde"}),
    ],
)
def test_ratios_match_the_sample_ground_truth(sample_con, group, by, key):
    truth = pd.read_csv(GROUND_TRUTH / "expected_ratios.csv")
    expected = truth[(truth["wave"] == 2025) & (truth["group"] == group)].iloc[0]

    table = representation_table(sample_con, Filters(wave="2025"), by=by)
    row = table.loc[(table[list(key)] == pd.Series(key)).all(axis=1)].iloc[0]

    assert row["respondents"] == expected["respondents"]
    assert row["ratio"] == pytest.approx(expected["realised_ratio"], abs=5e-4)


def test_women_60_69_are_over_represented(sample_con):
    table = representation_table(sample_con, Filters(wave="2025"), by=("age_band", "gender"))
    status = table.set_index(["age_band", "gender"])["status"]
    assert status[("60-69", "kvinde")] == "over"
    assert status[("80+", "kvinde")] == "under"


def test_filtered_table_counts_only_matching_respondents(sample_con):
    climate = Filters(wave="2025", topics=("klima",))
    table = representation_table(sample_con, climate, by=("age_band",))

    # Independent count from the long table respondent_topic.
    expected = sample_con.execute(
        "SELECT count(DISTINCT t.respondent_id) FROM respondent_topic t JOIN respondent r "
        "USING (respondent_id) WHERE r.wave_id = '2025' AND t.topic = 'klima' "
        "AND r.age_band IS NOT NULL"
    ).fetchone()[0]
    assert table["respondents"].sum() == expected
    everyone = representation_table(sample_con, Filters(wave="2025"), by=("age_band",))
    assert table["population"].tolist() == everyone["population"].tolist()


def test_unknown_wave_is_invalid_input(sample_con):
    with pytest.raises(InvalidInput, match="Ukendt bølge '1999'"):
        representation_table(sample_con, Filters(wave="1999"))


@pytest.mark.parametrize(
    ("group", "lang", "expected"),
    [
        ({"gender": "mand", "age_band": "18-24", "area": "01"}, "da", "Mænd 18-24 år i Nordby"),
        ({"gender": "mand", "age_band": "18-24", "area": "01"}, "en", "Men aged 18-24 in Nordby"),
        ({"area": "01"}, "en", "Residents of Nordby"),
        ({"age_band": "80+"}, "da", "Borgere 80+ år"),
        ({"gender": "kvinde"}, "da", "Kvinder"),
        ({}, "da", "Alle borgere"),
    ],
)
def test_describe_group(group, lang, expected):
    assert describe_group(group, lang, {"01": "Nordby"}) == expected


@pytest.mark.parametrize(
    ("ratio", "lang", "expected"),
    [
        (0.21, "da", "en femtedel af svarprocenten i hele kommunen"),
        (0.51, "da", "halvdelen af svarprocenten i hele kommunen"),
        (0.66, "en", "two thirds of the response rate of the whole municipality"),
        (0.58, "da", "0,6 gange svarprocenten i hele kommunen"),
        (1.72, "en", "1.7 times the response rate of the whole municipality"),
    ],
)
def test_ratio_words(ratio, lang, expected):
    assert ratio_words(ratio, lang) == expected


def test_two_ratios_shown_alike_get_the_same_words():
    # Both show as 0,36 in the brackets; the words were "en tredjedel" for one and "0,4 gange"
    # for the other (Grupper, 80+ and men 80+).
    assert ratio_words(0.355, "da") == ratio_words(0.362, "da")
    # Nothing between 0,45 and 0,55 says "0,5 gange" beside another group's "halvdelen".
    for ratio in (0.45, 0.49, 0.52, 0.54, 0.549):
        assert ratio_words(ratio, "da") == ratio_words(0.5, "da"), ratio


# --- raking ---------------------------------------------------------------------------------


def _population_margins(con, period: str = "2025K4") -> tuple[pd.Series, pd.Series]:
    pop = con.execute(
        "SELECT b.label || '|' || p.gender AS bg, p.area_code AS area, sum(p.count) AS n "
        "FROM population p JOIN age_band b ON p.age BETWEEN b.min_age AND b.max_age "
        "WHERE p.period = $period GROUP BY ALL",
        {"period": period},
    ).df()
    return pop.groupby("bg")["n"].sum(), pop.groupby("area")["n"].sum()


def test_raked_margins_equal_population_margins(sample_con):
    result = rake(sample_con, Filters(wave="2025"), trim=None)

    by_bg, by_area = _population_margins(sample_con)
    margins = result.margins.set_index(["dimension", "value"])
    expected = pd.concat(
        [
            (by_bg / by_bg.sum()).rename(lambda v: ("age_band_gender", v)),
            (by_area / by_area.sum()).rename(lambda v: ("area", v)),
        ]
    )
    assert result.converged
    np.testing.assert_allclose(
        margins.loc[expected.index, "weighted_share"], expected.to_numpy(), rtol=1e-6
    )
    assert len(margins) == len(expected)
    # Unweighted shares are visibly off (80+ answered at a third of the rate).
    assert (
        margins.loc[("age_band_gender", "80+|kvinde"), "unweighted_share"]
        < 0.5 * expected[("age_band_gender", "80+|kvinde")]
    )


def test_default_trimming_still_meets_the_margins_on_the_sample(sample_con):
    result = rake(sample_con, Filters(wave="2025"))

    weights = result.cell_weights["weight"]
    mean = np.average(weights, weights=result.cell_weights["respondents"])
    assert result.converged
    assert weights.min() >= 0.2 * mean * (1 - 1e-9)
    assert weights.max() <= 5.0 * mean * (1 + 1e-9)
    np.testing.assert_allclose(
        result.margins["weighted_share"], result.margins["population_share"], rtol=1e-6
    )
    assert 0 < result.effective_sample_size < 9000


def test_weights_agree_with_the_ipfn_package(sample_con):
    result = rake(sample_con, Filters(wave="2025"), trim=None, tol=1e-12, max_iter=1000)
    cells = result.cell_weights.assign(bg=lambda f: f["age_band"] + "|" + f["gender"])

    bgs = sorted(cells["bg"].unique())
    areas = sorted(cells["area"].unique())
    seed = np.zeros((len(bgs), len(areas)))
    for row in cells.itertuples():
        seed[bgs.index(row.bg), areas.index(row.area)] = row.respondents
    by_bg, by_area = _population_margins(sample_con)
    total = seed.sum()
    targets = [
        by_bg.reindex(bgs).to_numpy(float) / by_bg.sum() * total,
        by_area.reindex(areas).to_numpy(float) / by_area.sum() * total,
    ]
    fitted = ipfn.ipfn(
        seed.copy(), targets, [[0], [1]], convergence_rate=1e-12, max_iteration=5000
    ).iteration()

    expected = [
        fitted[bgs.index(r.bg), areas.index(r.area)] / r.respondents for r in cells.itertuples()
    ]
    np.testing.assert_allclose(cells["weight"], expected, rtol=1e-6)


def test_weighted_topic_shares_match_an_independent_computation(sample_con):
    filters = Filters(wave="2025")
    result = rake(sample_con, filters)
    shares = weighted_shares(sample_con, filters, "topic", result).set_index("code")

    per_cell = sample_con.execute(
        "SELECT r.age_band, r.gender, r.area_code AS area, count(*) AS n, "
        "count(t.respondent_id) AS klima FROM respondent r LEFT JOIN respondent_topic t "
        "ON t.respondent_id = r.respondent_id AND t.topic = 'klima' "
        "WHERE r.wave_id = '2025' GROUP BY ALL"
    ).df()
    weights = per_cell.merge(result.cell_weights, on=["age_band", "gender", "area"], how="left")[
        "weight"
    ].fillna(1.0)
    expected_weighted = (weights * per_cell["klima"]).sum() / (weights * per_cell["n"]).sum()
    expected_unweighted = per_cell["klima"].sum() / per_cell["n"].sum()

    assert shares.loc["klima", "respondents"] == per_cell["klima"].sum()
    assert shares.loc["klima", "unweighted_share"] == pytest.approx(expected_unweighted)
    assert shares.loc["klima", "weighted_share"] == pytest.approx(expected_weighted)
    assert list(shares.columns[:2]) == ["label_da", "label_en"]


def test_weighted_single_choice_shares_sum_to_one(sample_con):
    filters = Filters(wave="2025")
    shares = weighted_shares(sample_con, filters, "time", rake(sample_con, filters))
    assert shares["weighted_share"].sum() == pytest.approx(1.0)
    assert shares["unweighted_share"].sum() == pytest.approx(1.0)


def test_weighted_counts_by_band_and_gender_hit_the_population_margins(sample_con):
    filters = Filters(wave="2025")
    result = rake(sample_con, filters, trim=None)
    counts = weighted_counts(sample_con, filters, ("age_band", "gender"), result)
    known = counts.dropna(subset=["age_band"])
    known = known[known["gender"].isin(["kvinde", "mand"])]

    by_bg, _ = _population_margins(sample_con)
    got = known.set_index(known["age_band"] + "|" + known["gender"])["weighted"]
    expected = by_bg / by_bg.sum() * result.respondents
    np.testing.assert_allclose(got.reindex(expected.index), expected, rtol=1e-6)


def test_weighted_counts_by_topic_and_format(sample_con):
    filters = Filters(wave="2025")
    counts = weighted_counts(sample_con, filters, ("topic", "format"), rake(sample_con, filters))
    assert len(counts) == 10 * 7
    expected = sample_con.execute(
        "SELECT count(*) FROM respondent WHERE wave_id = '2025' "
        "AND (topic_mask & 1) != 0 AND (format_mask & 8) != 0"
    ).fetchone()[0]
    cell = counts[(counts["topic"] == "klima") & (counts["format"] == "digitalt_moede")]
    assert cell["respondents"].iloc[0] == expected


@pytest.mark.parametrize(
    ("filters", "lang", "expected"),
    [
        (Filters(topics=("klima",)), "da", "valgte klima og miljø"),
        (
            Filters(topics=("klima", "trafik"), engagements=("aktiv", "medansvar")),
            "da",
            "valgte klima og miljø eller trafik, og deltage aktivt eller tage medansvar",
        ),
        (
            Filters(topics=("skole",), formats=("workshop", "borgerpanel")),
            "en",
            "chose schools and childcare, and policy workshops or citizen panels",
        ),
    ],
)
def test_a_gap_sentence_joins_options_with_or_and_fields_with_and(
    sample_db, filters, lang, expected
):
    """The filter takes any of the chosen options of a field and every field at once; the
    sentence once read "klima og miljø eller trafik eller deltage aktivt eller tage
    medansvar", as if one of the four were enough (seen in an Overblik screenshot)."""
    from data_pipeline.analysis.gap_words import interest_words

    assert interest_words(sample_db, filters, lang) == expected
