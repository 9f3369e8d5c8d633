"""Weighting diagnostics like Meta's balance (issue 12, item 5): Kish's design effect and
effective n, the absolute standardised difference per variable before and after raking, and
weighted shares with intervals widened by the design effect. (The raking itself is checked
against the independent `ipfn` package in test_representation.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.raking import rake
from data_pipeline.analysis.weighting import weighted_shares
from data_pipeline.store.db import connect

Z = 1.959963984540054


@pytest.fixture(scope="module")
def con(sample_db_file):
    con = connect(sample_db_file, read_only=True)
    yield con
    con.close()


def test_design_effect_is_kish(con):
    result = rake(con, Filters(wave="2025"))
    cells = result.cell_weights
    # Every fitted respondent carries its cell's weight; the excluded ones weight 1.
    w = np.repeat(cells["weight"].to_numpy(), cells["respondents"].round().astype(int))
    w = np.concatenate([w, np.ones(result.excluded)])
    kish = len(w) * np.sum(w**2) / np.sum(w) ** 2

    assert result.design_effect == pytest.approx(kish, rel=1e-3)
    assert result.effective_sample_size == pytest.approx(len(w) / kish, rel=1e-3)
    assert result.to_json()["design_effect"] == pytest.approx(kish, rel=1e-3)


def test_standardised_differences_before_and_after(con):
    result = rake(con, Filters(wave="2025"))
    balance = result.balance.set_index("variable")
    area = con.execute(
        "SELECT area_code, count(*) AS n FROM respondent WHERE wave_id = '2025' "
        "AND area_code IS NOT NULL AND age_band IS NOT NULL AND gender IN ('kvinde', 'mand') "
        "GROUP BY 1"
    ).df()
    population = con.execute(
        "SELECT area_code, sum(count) AS n FROM population p JOIN age_band b "
        "ON p.age BETWEEN b.min_age AND b.max_age WHERE period = '2025K4' GROUP BY 1"
    ).df()
    merged = population.merge(area, on="area_code", suffixes=("_pop", "_resp"))
    p = merged["n_pop"] / merged["n_pop"].sum()
    q = merged["n_resp"] / merged["n_resp"].sum()
    expected = float(np.mean(np.abs(q - p) / np.sqrt(p * (1 - p))))

    assert set(balance.index) == {"age_band_gender", "area"}
    assert balance.loc["area", "before"] == pytest.approx(expected, rel=1e-6)
    assert (balance["after"] < 1e-6).all()  # raked to the margins
    assert (balance["before"] > 0.01).all()


def test_weighted_shares_carry_design_effect_intervals(con):
    result = rake(con, Filters(wave="2025"))
    shares = weighted_shares(con, Filters(wave="2025"), "time", result)
    n = shares["respondents"].sum()
    p = shares["weighted_share"]
    half = Z * np.sqrt(result.design_effect * p * (1 - p) / n)

    np.testing.assert_allclose(shares["weighted_low"], p - half, rtol=1e-9)
    np.testing.assert_allclose(shares["weighted_high"], p + half, rtol=1e-9)
    assert shares.attrs["design_effect"] == result.design_effect > 1


def test_udforsk_and_the_report_show_the_diagnostics_where_weights_are_used(
    con, sample_db_file, tmp_path, monkeypatch
):
    import shutil
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from data_pipeline.present.explore import weights_note
    from data_pipeline.present.reports.content import build_report

    note = weights_note(rake(con, Filters(wave="2025")), "da")
    assert "designeffekt 1,1" in note and "→ 0,000" in note

    db = tmp_path / "app.duckdb"
    shutil.copy(sample_db_file, db)
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(db))
    at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=60)
    at.query_params["weighted"] = "1"
    at.switch_page("pages/udforsk.py")
    at.run()
    assert not at.exception
    assert note in [c.value for c in at.caption]

    writable = connect(db)
    report = build_report(writable, Filters(wave="2025"))
    writable.close()
    method = next(s for s in report.sections if s.key == "method")
    assert note in method.paragraphs
