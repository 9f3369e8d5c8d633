"""Respondents known only by a postal code count in each of its areas by population share.

Real DuckDB, the real sample (built through the real pipeline by `sample_db`), checked against
the generator's planted truth and against an independent pandas computation from the files.
The sample's 2021 wave has only `Postnummer`; 7450, 7460, 7470 and 7480 span 2-3 areas each.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from data_pipeline.analysis.counting import count_respondents, option_counts, respondents_by
from data_pipeline.analysis.filtering import Filters
from data_pipeline.analysis.gaps import find_gaps
from data_pipeline.analysis.raking import rake
from data_pipeline.analysis.ratios import representation_table
from data_pipeline.present.groups import groups_view
from data_pipeline.present.map_values import map_view
from data_pipeline.store.sample import SAMPLE_DIR
from tests.conftest import ROOT
from tools.synthetic import cell_multiplier

WAVE = "2021"
# Reached on the sample: max |ratio - planted ratio| over the 15 areas = 0.064 (Ålund). Most
# of it is not the method but its input: postal_codes.csv holds 2025K4 shares, while the 2021
# wave is compared with 2021K4 (Ålund grew 10 % in between); spreading by 2021K4 shares would
# give 0.012. The old arg_max allocation misses by more than 0.9 (seven areas got nobody).
TOLERANCE = 0.07
SPANNING = "SELECT postal_code FROM postal_area GROUP BY 1 HAVING max(share) < 0.999"


@pytest.fixture()
def con(sample_db):
    """The sample as validate.py loads it: a postal code spanning several areas leaves the area
    unknown (and keeps the postal code); one wholly inside an area gives that area."""
    stale = sample_db.execute(
        f"SELECT count(*) FROM respondent WHERE area_code IS NOT NULL AND postal_code IN ({SPANNING})"  # noqa: S608
    ).fetchone()[0]
    assert stale == 0
    return sample_db


def _area_codes() -> dict[str, str]:
    features = json.loads((SAMPLE_DIR / "areas.geojson").read_text(encoding="utf-8"))["features"]
    return {f["properties"]["navn"]: f["properties"]["kode"] for f in features}


def _population_2021() -> pd.DataFrame:
    """Citizens 15+ in 2021K4 by area code, age and gender, read straight from the DST file."""
    pop = pd.read_csv(SAMPLE_DIR / "population.csv", sep=";", encoding="utf-8-sig")
    pop = pop[pop["TID"] == "2021K4"].copy()
    pop["age"] = pop["ALDER"].str.extract(r"(\d+)", expand=False).astype(int)
    pop["gender"] = pop["KØN"].map({"Mænd": "mand", "Kvinder": "kvinde"})
    pop["area"] = pop["OMRÅDE"].map(_area_codes())
    return pop[pop["age"] >= 15]


def planted_area_ratios() -> pd.Series:
    """The generator's truth: population-weighted mean multiplier of each area / that of all
    15+ cells (sample_data/README.md, "Planted representation pattern")."""
    pop = _population_2021()
    mult = cell_multiplier(pop["OMRÅDE"], pop["age"], pop["gender"]) * pop["INDHOLD"]
    by_area = pd.DataFrame({"m": mult, "n": pop["INDHOLD"], "area": pop["area"]}).groupby("area")
    sums = by_area.sum()
    return sums["m"] / sums["n"] / (sums["m"].sum() / sums["n"].sum())


def pandas_area_counts() -> pd.Series:
    """Respondents per area computed with pandas from the 2021 file and postal_codes.csv: the
    valid rows (an id, age 15-110 or missing, a known postal code) spread by `andel`."""
    survey = pd.read_csv(
        SAMPLE_DIR / "survey_2021.csv", sep=";", encoding="cp1252", dtype=str, keep_default_na=False
    )
    postal = pd.read_csv(SAMPLE_DIR / "postal_codes.csv", sep=";", dtype=str)
    postal["andel"] = postal["andel"].astype(float)
    age = 2021 - pd.to_numeric(survey["Fødselsår"], errors="coerce")
    valid = (
        (survey["Respondent"] != "")
        & (age.isna() | age.between(15, 110))
        & survey["Postnummer"].isin(postal["postnummer"])
    )
    per_postal = survey.loc[valid, "Postnummer"].value_counts()
    postal["n"] = postal["postnummer"].map(per_postal).fillna(0) * postal["andel"]
    return postal.groupby("kode")["n"].sum()


def _ratios(table: pd.DataFrame) -> pd.Series:
    return table.set_index("area")["ratio"]


def test_area_ratios_of_the_2021_wave_are_close_to_the_planted_truth(con):
    truth = planted_area_ratios()
    ours = _ratios(representation_table(con, Filters(wave=WAVE), by=("area",)))
    error = (ours.reindex(truth.index) - truth).abs()
    assert error.notna().all()
    assert error.max() <= TOLERANCE, error.sort_values().tail(3)
    assert abs(ours["04"] - truth["04"]) < 0.01  # Havnekvarteret ×0.5, its own postal code

    # The old allocation (the whole postal code into its largest area) fails the same test.
    con.execute(
        "UPDATE respondent r SET area_code = m.area_code FROM (SELECT postal_code, "
        "arg_max(area_code, share) AS area_code FROM postal_area GROUP BY 1) m "
        f"WHERE r.postal_code = m.postal_code AND r.area_code IS NULL AND r.wave_id = '{WAVE}'"
    )
    old = _ratios(representation_table(con, Filters(wave=WAVE), by=("area",)))
    old_error = (old.reindex(truth.index).fillna(0.0) - truth).abs()  # suppressed: < 5 answers
    assert old_error.max() > 0.9


def test_area_counts_and_ratios_equal_an_independent_pandas_computation(con):
    counts = pandas_area_counts()
    pop = _population_2021().groupby("area")["INDHOLD"].sum()
    expected = (counts / counts.sum()) / (pop / pop.sum())
    table = representation_table(con, Filters(wave=WAVE), by=("area",)).set_index("area")
    assert table["respondents"].sum() == pytest.approx(6000)
    np.testing.assert_allclose(table["respondents"], counts.reindex(table.index), rtol=1e-9)
    np.testing.assert_allclose(table["ratio"], expected.reindex(table.index), rtol=1e-9)
    # Østerled (05) gets 61.96 % of 7450's respondents: a fractional count, not 0 or all.
    assert table.loc["05", "respondents"] % 1 != 0
    # Counts not by area are untouched: whole respondents.
    assert count_respondents(con, Filters(wave=WAVE)) == 6000
    by_band = respondents_by(con, Filters(wave=WAVE), ("age_band",))
    assert by_band["respondents"].dtype.kind == "i"


def test_the_map_and_the_area_filter_count_the_share(con):
    counts = pandas_area_counts()
    rate = map_view(con, Filters(wave=WAVE), "rate").set_index("area_code")
    np.testing.assert_allclose(rate["respondents"], counts.reindex(rate.index), rtol=1e-9)
    assert rate.attrs["postal_spread"] > 0
    assert "befolkningsandel" in rate.attrs["note_da"]

    # A filter on an area counts a spread respondent with its share there, everywhere.
    one = Filters(wave=WAVE, areas=("05",))
    assert count_respondents(con, one) == pytest.approx(counts["05"])
    total, per_option = option_counts(con, one)
    assert total == pytest.approx(counts["05"])
    assert per_option["time"]["respondents"].sum() <= total + 1e-9
    # Both areas of 7450 together hold its respondents whole.
    both = Filters(wave=WAVE, areas=("05", "10"))
    assert count_respondents(con, both) == pytest.approx(counts["05"] + counts["10"])
    assert float(count_respondents(con, both)).is_integer()


def test_raking_margins_and_weighted_counts_use_the_shares(con):
    result = rake(con, Filters(wave=WAVE))
    assert result.converged
    assert result.excluded < 6000 * 0.1  # only unknown age or gender; no one lacks an area
    area = result.margins[result.margins["dimension"] == "area"].set_index("value")
    counts = pandas_area_counts()
    known = 6000 - result.excluded
    # Unweighted area shares are the spread counts (of respondents known on all three).
    assert area["unweighted_share"].sum() == pytest.approx(1.0)
    assert (area["unweighted_share"] > 0).all()
    assert area.loc["05", "unweighted_share"] == pytest.approx(counts["05"] / 6000, abs=0.01)
    np.testing.assert_allclose(area["weighted_share"], area["population_share"], atol=1e-6)
    assert result.respondents == known


def test_outputs_say_that_postal_codes_were_spread(con):
    table = representation_table(con, Filters(wave=WAVE), by=("area",))
    assert table.attrs["postal_spread"] > 3000
    assert table.attrs["note_en"] == (
        "Responses with only a postal code are spread over areas by population share."
    )
    gaps = find_gaps(con, Filters(wave=WAVE))
    assert gaps.attrs["note_da"].startswith("Svar med kun postnummer")
    assert groups_view(con, Filters(wave=WAVE))["postal_spread"] == table.attrs["postal_spread"]
    # The 2025 wave names its areas: no note.
    assert representation_table(con, Filters(wave="2025"), by=("area",)).attrs["postal_spread"] == 0
    by_age = representation_table(con, Filters(wave=WAVE), by=("age_band",))
    assert by_age.attrs["postal_spread"] == 0  # not by area, nothing spread
    from data_pipeline.present.reports.content import build_report

    report = str(build_report(con, Filters(wave=WAVE), "en"))
    assert "Responses with only a postal code are spread over areas" in report


def _db_file(con) -> str:
    path = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    )
    return path.fetchone()[0]


def test_gaps_json_carries_the_note(con):
    db_file = _db_file(con)
    con.close()  # the CLI opens the file itself
    out = subprocess.run(
        [sys.executable, "-m", "data_pipeline", "gaps", "--db", db_file, "--wave", WAVE]
        + ["--by", "area", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    findings = json.loads(out.stdout)
    assert findings, "Havnekvarteret is under-represented"
    assert all(f["note_en"].startswith("Responses with only a postal code") for f in findings)
    assert all(f["note"].startswith("Svar med kun postnummer") for f in findings)


@pytest.mark.parametrize("page", ["grupper", "kort"])
def test_groups_and_map_pages_show_the_note_for_the_2021_wave(con, monkeypatch, page):
    from tests.test_app import run_page

    db_file = _db_file(con)
    con.close()
    monkeypatch.setenv("DELTAGELSESATLAS_DB", db_file)
    at = run_page(page, {"wave": WAVE})
    captions = " ".join(c.value for c in at.caption)
    assert "Svar med kun postnummer er fordelt på områderne efter befolkningsandel" in captions
    at = run_page(page, {"wave": "2025"})
    assert "Svar med kun postnummer" not in " ".join(c.value for c in at.caption)
