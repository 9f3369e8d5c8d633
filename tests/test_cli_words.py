"""Every command fails in words: filters take codes or labels, an unknown value lists the known
ones, an empty or unknown wave and a population that cannot serve exit 2 with a sentence.

Real DuckDB files (copies of the sample), the real CLI entry point (`data_pipeline.cli.main`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from data_pipeline.cli.filters import resolve_filters
from data_pipeline.cli.main import main
from data_pipeline.store.db import connect
from data_pipeline.store.sample import SAMPLE_DIR
from tests.conftest import REAL_DATA


def copy_sample(sample_db_file: Path, folder: Path, name: str = "atlas.duckdb") -> Path:
    path = folder / name
    shutil.copy(sample_db_file, path)
    shutil.copy(f"{sample_db_file}.key", f"{path}.key")
    return path


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def execute(path: Path, *statements: str) -> None:
    con = connect(path)
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()


@pytest.fixture(scope="module")
def atlas(sample_db_file, tmp_path_factory) -> Path:
    """The sample plus an empty wave 2029 (a survey_wave row without respondents) and a wave
    2027 of two respondents."""
    path = copy_sample(sample_db_file, tmp_path_factory.mktemp("words"))
    execute(
        path,
        "INSERT INTO survey_wave VALUES ('2029', 'Tom bølge', 2029, NULL, NULL)",
        "INSERT INTO survey_wave VALUES ('2027', 'Lille bølge', 2027, NULL, NULL)",
        "INSERT INTO respondent SELECT * REPLACE (respondent_id + 100000000 AS respondent_id, "
        "'2027' AS wave_id) FROM respondent WHERE wave_id = '2025' ORDER BY respondent_id "
        "LIMIT 2",
    )
    return path


def no_internal_error(err: str) -> None:
    assert "Intern fejl" not in err and "Traceback" not in err, err


# --- codes or labels ---------------------------------------------------------------------------


def test_every_filter_reads_a_code_or_a_danish_or_english_label(atlas):
    con = connect(atlas, read_only=True)
    try:
        by_label = resolve_filters(
            con,
            wave="borgerundersøgelse\xa02025",
            topic=["Klima og miljø", "TRAFFIC"],
            format=["  digitale\xa0møder "],
            area=["Nordby", "2"],
            age_band=["18–24 år", "80+"],
            gender=["Women"],
            time=["1-2 timer"],
            engagement=["take part actively"],
        )
        by_code = resolve_filters(
            con,
            wave="2025",
            topic=["klima,trafik"],
            format=["digitalt_moede"],
            area=["01", "02"],
            age_band=["18-24", "80+"],
            gender=["kvinde"],
            time=["1_2"],
            engagement=["aktiv"],
        )
    finally:
        con.close()
    assert by_label == by_code
    assert by_code.topics == ("klima", "trafik") and by_code.areas == ("01", "02")
    assert by_code.age_bands == ("18-24", "80+") and by_code.genders == ("kvinde",)


@pytest.mark.parametrize(
    "topic", ["Klima og miljø", "  KLIMA\xa0OG   MILJØ ", "Climate and environment"]
)
def test_export_contacts_by_topic_label_exports_the_same_rows_as_by_code(
    sample_db_file, tmp_path, capsys, topic
):
    db = copy_sample(sample_db_file, tmp_path)
    common = ["export-contacts", "--db", db, "--reason", "Klimamøde", "--actor", "test"]
    code, out, err = cli(capsys, *common, "--out", tmp_path / "code.csv", "--topic", "klima")
    assert code == 0, err
    by_code = json.loads(out)["rows"]
    code, out, err = cli(
        capsys, *common, "--out", tmp_path / "label.csv", "--topic", topic, "--json"
    )
    assert code == 0, err
    assert json.loads(out)["rows"] == by_code > 0
    assert (tmp_path / "label.csv").read_bytes() == (tmp_path / "code.csv").read_bytes()


def test_an_unknown_value_exits_2_and_lists_the_known_codes_with_labels(atlas, tmp_path, capsys):
    out_file = tmp_path / "contacts.csv"
    code, out, err = cli(
        capsys,
        *("export-contacts", "--db", atlas, "--out", out_file, "--reason", "x", "--actor", "t"),
        *("--wave", "2025", "--topic", "Klimaa"),
    )
    assert code == 2 and out == ""
    assert "'Klimaa'" in err and "klima (Klima og miljø; Climate and environment)" in err
    assert "boern_unge (Børn og unge; Children and young people)" in err
    assert not out_file.exists()
    code, _out, err = cli(
        capsys,
        *("report", "--db", atlas, "--out", tmp_path / "r.html", "--wave", "2025"),
        *("--area", "Atlantis"),
    )
    assert code == 2
    assert "'Atlantis'" in err and "01 (Nordby)" in err and "15 (Ålund)" in err


def test_report_takes_labels_for_every_filter(atlas, tmp_path, capsys):
    code, out, err = cli(
        capsys,
        *("report", "--db", atlas, "--out", tmp_path / "r.xlsx", "--json"),
        *("--wave", "Borgerundersøgelse 2025", "--topic", "Klima og miljø"),
        *("--gender", "Kvinder", "--area", "Nordby", "Sønderby", "--engagement", "Deltage aktivt"),
    )
    assert code == 0, err
    payload = json.loads(out)
    assert payload["wave"] == "2025" and payload["bytes"] > 0


# --- empty, unknown and too small --------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["gaps"],
        ["gaps", "--json"],
        ["segments", "--json"],
        ["weights", "--json"],
        ["report", "--out", "{tmp}/r.html"],
        ["export-contacts", "--out", "{tmp}/c.csv", "--reason", "x", "--actor", "t"],
    ],
)
def test_an_empty_or_unknown_wave_exits_2_with_a_sentence(atlas, tmp_path, capsys, command):
    command = [c.replace("{tmp}", str(tmp_path)) for c in command]
    code, out, err = cli(capsys, *command, "--db", atlas, "--wave", "2029")
    no_internal_error(err)
    assert code == 2 and out == ""
    assert "Bølgen '2029' har ingen svar endnu" in err and "2021, 2025" in err
    assert "Ingen grupper" not in out
    code, out, err = cli(capsys, *command, "--db", atlas, "--wave", "1999")
    no_internal_error(err)
    assert code == 2 and out == ""
    assert "Ukendt bølge '1999'" in err and "2025 (Borgerundersøgelse 2025)" in err
    assert not list(tmp_path.glob("*.*")), "no file is written for a refused command"


def test_the_latest_wave_being_empty_is_named_not_analysed(atlas, capsys):
    code, out, err = cli(capsys, "gaps", "--db", atlas)
    assert code == 2 and out == ""
    assert "'2029'" in err and "--wave" in err


def test_segments_with_too_few_respondents_exit_2(atlas, capsys):
    code, out, err = cli(capsys, "segments", "--db", atlas, "--wave", "2027", "--json")
    no_internal_error(err)
    assert code == 2 and out == ""
    assert "for få svar" in err


# --- a population that cannot serve ------------------------------------------------------------

AREAS = {
    "Nordby": 4100,
    "Sønderby": 3900,
    "Midtbyen": 5200,
    "Havnekvarteret": 4800,
    "Østerled": 3100,
    "Vesterå": 2900,
    "Skovbakken": 2700,
    "Engelund": 2500,
    "Kirkebjerg": 2300,
    "Strandvejen": 2100,
    "Møllehøj": 2000,
    "Lyngå": 1900,
    "Bøgely": 1800,
    "Fjordside": 1700,
    "Ålund": 1600,
}


def folk1am_like(folder: Path) -> Path:
    """Statistics Denmark FOLK1AM: OMRÅDE;TID;INDHOLD (area × month, no age, no sex)."""
    lines = ["OMRÅDE;TID;INDHOLD", f"Hele landet;2025M10;{sum(AREAS.values())}"]
    lines += [f"{name};2025M10;{count}" for name, count in AREAS.items()]
    path = folder / "FOLK1AM_fjordlund.csv"
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def folk1a_without_area(folder: Path) -> Path:
    """FOLK1A for the whole municipality: TID;ALDER;KØN;INDHOLD (no area)."""
    lines = ["TID;ALDER;KØN;INDHOLD"]
    for age in range(0, 100):
        for sex, base in (("Mænd", 300), ("Kvinder", 310)):
            lines.append(f"2025K4;{age} år;{sex};{base - age}")
    path = folder / "FOLK1A_fjordlund.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def no_population(sample_db_file, tmp_path) -> Path:
    path = copy_sample(sample_db_file, tmp_path)
    execute(path, "DELETE FROM population")
    return path


def ingest_population(capsys, db: Path, file: Path) -> dict:
    code, out, err = cli(capsys, "ingest", file, "--db", db, "--kind", "population", "--json")
    assert code == 0, err
    return json.loads(out.splitlines()[0])


def test_an_area_only_population_is_named_and_refused_by_every_analysis(
    no_population, tmp_path, capsys
):
    db = no_population
    code, out, err = cli(capsys, "gaps", "--db", db, "--wave", "2025")
    assert code == 2 and "Ingen grupper" not in out and "befolkningstal" in err

    # A full table (area × age × sex) loads without a warning ...
    fresh = tmp_path / "fresh.duckdb"
    assert (
        cli(capsys, "ingest", SAMPLE_DIR / "areas.geojson", "--db", fresh, "--kind", "areas")[0]
        == 0
    )
    assert (
        "warnings"
        not in ingest_population(capsys, fresh, SAMPLE_DIR / "population.csv")["detected"]
    )
    # ... one by area and month only is named.
    result = ingest_population(capsys, db, folk1am_like(tmp_path))
    assert result["rows_loaded"] == len(AREAS)
    warnings = result["detected"]["warnings"]
    assert len(warnings) == 1
    assert "ingen alder (ALDER) og køn (KØN)" in warnings[0] and "område" in warnings[0]

    for command in (
        ["gaps"],
        ["gaps", "--by", "area", "--json"],
        ["weights", "--json"],
        ["report", "--out", tmp_path / "r.pdf"],
    ):
        code, out, err = cli(capsys, *command, "--db", db, "--wave", "2025")
        no_internal_error(err)
        assert code == 2 and out == "", (command, out)
        assert "ingen alder" in err and "FOLK1AM_fjordlund.csv" in err and "2025M10" in err


def test_a_population_without_area_serves_age_and_sex_but_not_area(no_population, tmp_path, capsys):
    db = no_population
    result = ingest_population(capsys, db, folk1a_without_area(tmp_path))
    warnings = result["detected"]["warnings"]
    assert len(warnings) == 1 and "ingen område (OMRÅDE)" in warnings[0]
    code, out, err = cli(capsys, "gaps", "--db", db, "--by", "age_band,gender", "--json")
    assert code == 0, err
    assert all(set(f["group"]) <= {"age_band", "gender"} for f in json.loads(out))
    for command in (["gaps", "--json"], ["weights", "--json"]):
        code, out, err = cli(capsys, *command, "--db", db)
        assert code == 2 and out == ""
        assert "ingen område" in err and "FOLK1A_fjordlund.csv" in err and "2025K4" in err


def test_the_real_folk1am_file_is_named(tmp_path, capsys):
    population = REAL_DATA / "population" / "dst_FOLK1AM_da_OMRAADE_2021M10-2024M04_mujemula.csv"
    municipalities = REAL_DATA / "geo" / "dagi2014_kommuner.geojson"
    if not population.exists() or not municipalities.exists():
        pytest.skip(f"the real Statistics Denmark file is not here ({REAL_DATA})")
    db = tmp_path / "denmark.duckdb"
    assert cli(capsys, "ingest", municipalities, "--db", db, "--kind", "areas")[0] == 0
    result = ingest_population(capsys, db, population)
    assert result["rows_loaded"] == 3069
    assert result["detected"]["variables"]["age"] is None
    (warning,) = result["detected"]["warnings"]
    assert "alder" in warning and "køn" in warning
