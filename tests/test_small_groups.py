"""Small groups reported without disclosing them (issue 12, item 3).

A group below k answers is hidden, but where about N ≥ 20 answers were expected (its
population × the whole municipality's rate, rounded to 10) it still says so: "færre end 5
svar, hvor ca. 20 var ventet". The sample's 2021 wave has the issue's example: Nordby's young
men, 4 answers each, who used to vanish from the gaps.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.gaps import find_gaps
from data_pipeline.analysis.ratios import representation_table
from data_pipeline.store.db import connect

ROOT = Path(__file__).resolve().parents[1]
NORDBY_YOUNG_MEN = [
    {"age_band": "18-24", "gender": "mand", "area": "01"},
    {"age_band": "25-29", "gender": "mand", "area": "01"},
]


@pytest.fixture(scope="module")
def con(sample_db_file):
    con = connect(sample_db_file, read_only=True)
    yield con
    con.close()


def sql_respondents(con, band: str, gender: str, area: str) -> int:
    return con.execute(
        "SELECT count(*) FROM respondent WHERE wave_id = '2021' AND age_band = ? "
        "AND gender = ? AND area_code = ?",
        [band, gender, area],
    ).fetchone()[0]


def test_nordby_young_men_stay_on_the_gap_list_without_their_count(con):
    gaps = find_gaps(con, Filters(wave="2021"), top=None)
    hidden = gaps[gaps["group"].isin(NORDBY_YOUNG_MEN)]

    assert len(hidden) == 2
    assert (hidden["status"] == "too_few").all()
    assert hidden["respondents"].isna().all() and hidden["missing_voices"].isna().all()
    # The whole municipality's rate for age × gender × area (tested in test_verdicts.py).
    whole = representation_table(con, Filters(wave="2021"), ("age_band", "gender", "area"))
    reference = whole.attrs["reference_rate"]
    for _, row in hidden.iterrows():
        expected = round(row["population"] * reference / 10) * 10
        assert row["expected_hint"] == expected >= 20
        count = sql_respondents(con, *row["group"].values())
        assert count < 5
        sentence = row["sentence_da"]
        assert f"færre end 5 svar blandt {row['population']:.0f} borgere" in sentence
        assert f"hvor ca. {expected} var ventet" in sentence
        assert f" {count} svar" not in sentence  # the count itself is never said


def test_a_small_group_with_few_expected_answers_is_not_named(con):
    gaps = find_gaps(con, Filters(wave="2021"), top=None)
    small = gaps[gaps["status"] == "too_few"]
    assert (small["expected_hint"] >= 20).all()
    table = representation_table(con, Filters(wave="2021", areas=("01",)), ("age_band", "gender"))
    for _, row in table[table["suppressed"]].iterrows():
        count = sql_respondents(con, row["age_band"], row["gender"], "01")
        expected = round(row["population"] * table.attrs["reference_rate"] / 10) * 10
        named = not np.isnan(row["expected_hint"])
        # Named only when hidden for its own count (< 5), never when hidden to protect
        # another cell, and only when about 20 or more answers were expected.
        assert named == (count < 5 and expected >= 20)


def test_gaps_json_carries_the_hidden_groups(sample_db_file, tmp_path):
    db = tmp_path / "cli.duckdb"
    shutil.copy(sample_db_file, db)
    done = subprocess.run(
        [sys.executable, "-m", "data_pipeline", "gaps", "--db", str(db), "--wave", "2021"]
        + ["--top", "50", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    hidden = [f for f in json.loads(done.stdout) if f["status"] == "too_few"]
    assert [f["group"] for f in hidden] == NORDBY_YOUNG_MEN
    assert all(f["respondents"] is None and f["expected"] == 20 for f in hidden)


def test_grupper_says_how_many_answers_were_expected(sample_db_file, tmp_path, monkeypatch):
    db = tmp_path / "app.duckdb"
    shutil.copy(sample_db_file, db)
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["wave"] = "2021"
    at.query_params["area"] = "01"
    at.switch_page("pages/grupper.py")
    at.run()
    at.radio(key="g_split").set_value("age_band_gender").run()
    assert not at.exception

    table = at.dataframe[0].value
    rows = table[table["Gruppe"].isin(["18-24 år · Mænd", "25-29 år · Mænd"])]
    assert rows["Besvarelser"].tolist() == ["<5", "<5"]
    assert rows["Vurdering"].tolist() == ["Færre end 5 svar, hvor ca. 20 var ventet"] * 2
