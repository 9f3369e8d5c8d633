"""Unknowns handled openly (issue 12, item 4): rates count those who stated the attribute and
say so; raking drops zero targets (the population without its under-18s), states how
respondents it cannot weight are treated, and still converges."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.raking import rake
from data_pipeline.analysis.weighting import weighted_shares
from data_pipeline.core.i18n import t, tn
from data_pipeline.store.db import connect

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def adults_only(sample_db):
    """The sample with the population under 18 removed: 15-17 has respondents, no target."""
    sample_db.execute("DELETE FROM population WHERE age < 18")
    return sample_db


def test_a_zero_target_no_longer_stalls_raking(adults_only):
    result = rake(adults_only, Filters(wave="2025"))

    assert result.converged
    assert result.iterations < 500
    assert result.zero_targets == ["age_band_gender=15-17|kvinde", "age_band_gender=15-17|mand"]
    assert not (result.cell_weights["age_band"] == "15-17").any()
    # The margins of the categories that have a population are met exactly.
    bg = result.margins[result.margins["dimension"] == "age_band_gender"]
    assert not bg["value"].str.startswith("15-17").any()
    assert (bg["weighted_share"] - bg["population_share"]).abs().max() < 1e-8


def test_respondents_it_cannot_weight_count_as_themselves(adults_only):
    result = rake(adults_only, Filters(wave="2025"))
    unknown = adults_only.execute(
        "SELECT count(*) FROM respondent WHERE wave_id = '2025' AND (age_band IS NULL "
        "OR age_band = '15-17' OR gender NOT IN ('kvinde', 'mand') OR gender IS NULL "
        "OR (area_code IS NULL AND postal_code IS NULL))"
    ).fetchone()[0]
    total = adults_only.execute(
        "SELECT count(*) FROM respondent WHERE wave_id = '2025'"
    ).fetchone()[0]

    assert result.excluded == pytest.approx(unknown, abs=1)
    assert result.respondents + result.excluded == pytest.approx(total, abs=1)
    payload = result.to_json()
    assert payload["unknown_rule"] == t("weights.unknown_rule", "da")
    assert "vægt 1" in payload["unknown_rule"]
    # Weight 1 each: the weighted total is the fitted respondents (mean weight 1) plus them.
    shares = weighted_shares(adults_only, Filters(wave="2025"), "time", result)
    assert shares["weighted_share"].sum() == pytest.approx(1.0)


def test_grupper_says_rates_count_those_who_stated_their_age(sample_db_file, tmp_path, monkeypatch):
    db = tmp_path / "app.duckdb"
    shutil.copy(sample_db_file, db)
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(db))
    con = connect(db, read_only=True)
    no_age = con.execute(
        "SELECT count(*) FROM respondent WHERE wave_id = '2025' AND age_band IS NULL"
    ).fetchone()[0]
    con.close()
    assert no_age > 0

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/grupper.py")
    at.run()
    assert not at.exception

    # A plural entry since issue 15 ("1 response" / "2 responses"); n is formatted by tn().
    expected = tn("unknown.rates_note", no_age, "da", n=f"{no_age:,}".replace(",", "."))
    assert expected in [c.value for c in at.caption]
    assert "blandt dem, der har oplyst alder" in t("report.method.rate", "da", period="2025K4")
    assert "vægt 1" in t("report.method.weights", "da", low=0.2, high=5, ess=1)
