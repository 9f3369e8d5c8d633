"""The importers on the real public files in ../shared/data/real (never copied into the repo).

Skipped, with the reason, on a machine without that folder. Each file: the exact row count,
decoded labels, and nothing dropped without a reason (loaded + rejected + totals = read).
"""

from __future__ import annotations

import json

import pytest

from data_pipeline.ingest.readers import bundle_inputs, read_table
from data_pipeline.store.db import connect
from data_pipeline.store.load import ingest
from tests.conftest import REAL_DATA

pytestmark = pytest.mark.skipif(
    not REAL_DATA.is_dir(), reason=f"the real files are not on this machine ({REAL_DATA})"
)
SURVEYS = REAL_DATA / "surveys"
POPULATION = REAL_DATA / "population"
GEO = REAL_DATA / "geo"


@pytest.fixture(scope="module")
def denmark_db(tmp_path_factory):
    """All 99 municipalities (DAGI) and postal codes -> municipalities (DAWA's `kommuner`)."""
    folder = tmp_path_factory.mktemp("real")
    con = connect(folder / "denmark.duckdb")
    areas = ingest(con, GEO / "dagi2014_kommuner.geojson", "areas")
    assert (areas.rows_read, areas.rows_loaded) == (311, 99)
    postal = json.loads((GEO / "dawa_postnumre_clipped_simplified.geojson").read_text("utf-8"))
    lines = ["postnummer;kode;andel"]
    for feature in postal["features"]:
        municipalities = feature["properties"]["kommuner"]
        for municipality in municipalities:
            lines.append(
                f"{feature['properties']['nr']};{municipality['kode']};{1 / len(municipalities):.4f}"
            )
    (folder / "postnumre.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert ingest(con, folder / "postnumre.csv", "areas").rows_rejected == 0
    yield con
    con.close()


# --- surveys ----------------------------------------------------------------------------------


def test_surveyxact_excel(tmp_path):
    raw = read_table(SURVEYS / "surveyxact_readSX_ex_survey2.xlsx")
    assert raw.meta["format"] == "surveyxact"
    assert (raw.meta["rows_in_file"], raw.rows, len(raw.meta["skipped"])) == (999, 340, 659)
    assert raw.rows + len(raw.meta["skipped"]) == raw.meta["rows_in_file"]
    assert all("not completed" in s["reason"] for s in raw.meta["skipped"])
    # A multi-choice question (one 0/1 column per option) becomes its option texts.
    chosen = raw.table.column("Hvilke(t) valgfag hadde du på ungdomsskolen? (flere kryss er mulig)")
    values = [v for v in chosen.to_pylist() if v]
    assert values[0] == "Fysisk aktivitet og helse;"
    assert not {"0", "1", "0;", "1;"} & set(values)
    gender = set(raw.table.column("Er du jente eller gutt?").to_pylist()) - {None}
    assert gender == {"Jente", "Gutt", "Annet/vil ikke svare"}
    assert not any(h.startswith("stato_") for h in raw.headers)


@pytest.mark.parametrize(
    ("folder", "encoding", "delimiter"),
    [
        ("surveyxact_readSX_semicolon_ansi", "cp1252", ";"),
        ("surveyxact_readSX_tab_utf16", "utf-16-bom", "\t"),
    ],
)
def test_surveyxact_csv_exports_equal_the_excel_export(folder, encoding, delimiter):
    files = sorted((SURVEYS / folder).iterdir())
    [dataset] = bundle_inputs(files)
    raw = read_table(dataset)
    excel = read_table(SURVEYS / "surveyxact_readSX_ex_survey2.xlsx")
    assert (raw.meta["format"], raw.meta["encoding"], raw.meta["delimiter"]) == (
        "surveyxact",
        encoding,
        delimiter,
    )
    assert raw.headers == excel.headers
    assert raw.table.drop(["__row"]).equals(excel.table.drop(["__row"]))


def test_google_forms_danish_locale(denmark_db):
    raw = read_table(SURVEYS / "googleforms_da-locale_mujemula_survey_data.csv")
    assert (raw.meta["format"], raw.rows, raw.meta["delimiter"]) == ("googleforms", 56, ",")
    result = ingest(
        denmark_db,
        SURVEYS / "googleforms_da-locale_mujemula_survey_data.csv",
        "survey",
        wave="2024",
    )
    assert result.rows_read == 56
    assert result.rows_loaded + result.rows_rejected == 56
    assert result.rows_loaded >= 40
    assert result.detected["columns"]["postal_code"].startswith("In which city")
    reasons = denmark_db.execute(
        'SELECT "column", value, reason FROM rejection WHERE batch_id = $b', {"b": result.batch_id}
    ).fetchall()
    assert all(reason for _, _, reason in reasons)
    # "Genderqueer" is read by its words as andet, not rejected as an unknown gender.
    assert "What is your gender?" not in {c for c, _, _ in reasons}
    genders = dict(
        denmark_db.execute(
            "SELECT gender, count(*) FROM respondent WHERE batch_id = $b GROUP BY 1",
            {"b": result.batch_id},
        ).fetchall()
    )
    assert genders.get("andet", 0) >= 1
    stamps = denmark_db.execute(
        "SELECT min(submitted_at)::VARCHAR, count(submitted_at) FROM respondent WHERE batch_id = $b",
        {"b": result.batch_id},
    ).fetchone()
    assert stamps == ("2024-05-27 12:01:28", result.rows_loaded)


# --- Statistics Denmark -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "read", "loaded", "totals", "variables"),
    [
        (
            "dst_BY2_bulk_da_KOMK-BYST-ALDER-KOEN_2023_cphstud.csv",
            23166,
            23166,
            0,
            ("KOMK", "ALDER", "KØN"),
        ),
        (
            "dst_FOLK1AM_da_OMRAADE_2021M10-2024M04_mujemula.csv",
            3255,
            3069,
            186,
            ("OMRÅDE", None, None),
        ),
        ("dst_FOLK1A_en_ALDER-KOEN_2021Q2_raulorteg.csv", 222, 222, 0, (None, "ALDER", "KØN")),
    ],
)
def test_statistics_denmark_files(denmark_db, name, read, loaded, totals, variables):
    result = ingest(denmark_db, POPULATION / name, "population")
    assert result.detected["format"] == "dst"
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (read, loaded, 0)
    assert result.detected["totals_dropped"] == totals
    found = result.detected["variables"]
    assert (found["area"], found["age"], found["gender"]) == variables
    try:
        if name.startswith("dst_BY2"):
            # BY2 is split by city size (BYST); it is summed, so København 20-year-olds add up.
            count = denmark_db.execute(
                "SELECT sum(count) FROM population WHERE batch_id = $b AND area_code = '0101'",
                {"b": result.batch_id},
            ).fetchone()[0]
            lines = (POPULATION / name).read_text("utf-8-sig").splitlines()[1:]
            expected = sum(int(x.split(";")[-1]) for x in lines if x.startswith("København;"))
            assert count == expected
            assert result.detected["summed_over"] == ["BYST"]
        if name.startswith("dst_FOLK1AM"):
            # The 99 municipalities add up to "Hele landet" (dropped as a total): 5,867,412.
            first = denmark_db.execute(
                "SELECT sum(count), count(DISTINCT area_code) FROM population "
                "WHERE batch_id = $b AND period = '2021M10'",
                {"b": result.batch_id},
            ).fetchone()
            assert first == (5867412, 99)
        if name.startswith("dst_FOLK1A_en"):
            periods = result.detected["periods"]
            assert periods == ["2021K2"]
    finally:
        from data_pipeline.store.load import undo

        undo(denmark_db, result.batch_id)
