"""Clear refusals, never internal errors (issue 13, findings 5 and 12): malformed mapping files,
broken boundary files, a SQLite file posing as a GeoPackage, unknown gender codes, and contact
details routed into the answers through a mapping."""

from __future__ import annotations

import json
import sqlite3

import pytest

from data_pipeline.analysis.catalog import extra_dimensions
from data_pipeline.cli.main import main
from data_pipeline.store.db import connect
from data_pipeline.store.sample import SAMPLE_DIR
from tests.security.helpers import copy_db

SURVEY = SAMPLE_DIR / "survey_2021.csv"


def run(capsys, *argv) -> tuple[int, str]:
    code = main([*map(str, argv)])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture()
def db(sample_db_file, tmp_path):
    return copy_db(sample_db_file, tmp_path / "atlas.duckdb")


MAPPINGS = {
    "a list where an object belongs": ({"columns": ["Alder"]}, '"columns"'),
    "a list of values": ({"values": {"gender": ["Kvinde"]}}, '"gender"'),
    "numbers as targets": ({"columns": {"Køn": 3}}, '"columns"'),
    "values as a list": ({"values": [1, 2]}, '"values"'),
    "an unknown gender code": (
        {"values": {"gender": {"Kvinde": "hunkøn"}}},
        "køn, der ikke findes: hunkøn",
    ),
}


@pytest.mark.parametrize("mapping, expected", MAPPINGS.values(), ids=MAPPINGS.keys())
def test_a_malformed_mapping_file_is_refused_with_a_sentence(
    db, tmp_path, capsys, mapping, expected
):
    """As IT operations with a hand-edited mapping file, I get exit 2 and where it is wrong."""
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(mapping), encoding="utf-8")
    code, output = run(
        capsys, "ingest", SURVEY, "--db", db, "--kind", "survey", "--wave", "W",
        "--mapping", path, "--json",
    )  # fmt: skip
    assert code == 2, output
    assert expected in output and "Intern fejl" not in output


def feature_collection(coordinates) -> dict:
    feature = {
        "type": "Feature",
        "properties": {"kode": "01", "navn": "A"},
        "geometry": {"type": "Polygon", "coordinates": coordinates},
    }
    return {"type": "FeatureCollection", "features": [feature]}


def topology(arcs_of_polygon) -> dict:
    polygon = {"type": "Polygon", "arcs": arcs_of_polygon, "properties": {"kode": "01"}}
    return {
        "type": "Topology",
        "objects": {"a": {"type": "GeometryCollection", "geometries": [polygon]}},
        "arcs": [[[0, 0], [1, 0], [0, 1], [-1, -1]]],
    }


BOUNDARIES = {
    "NaN coordinates (GeoJSON)": (
        "nan.geojson",
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kode":"01",'
        '"navn":"A"},"geometry":{"type":"Polygon","coordinates":[[[NaN,56],[10.1,56.1],'
        "[10.1,56],[NaN,56]]]}}]}",
    ),
    "a NaN inside a closed ring": (
        "nan2.geojson",
        json.dumps(feature_collection([[[10, 56], [10.1, float("nan")], [10.1, 56], [10, 56]]])),
    ),
    "a bad arc index (TopoJSON)": ("bad.topojson", json.dumps(topology([[99]]))),
    "nesting 5,000 deep (TopoJSON)": (
        "deep.topojson",
        json.dumps(topology([[0]])).replace("[[0]]", "[" * 5000 + "0" + "]" * 5000),
    ),
    "text where arcs belong (TopoJSON)": ("text.topojson", json.dumps(topology("abc"))),
}


@pytest.mark.parametrize("name, content", BOUNDARIES.values(), ids=BOUNDARIES.keys())
def test_a_broken_boundary_file_is_refused_not_an_internal_error(
    db, tmp_path, capsys, name, content
):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, output = run(capsys, "ingest", path, "--db", db, "--kind", "areas", "--json")
    assert code == 2, output
    assert "Intern fejl" not in output and str(tmp_path) not in output


def test_a_plain_sqlite_file_named_gpkg_is_refused(db, tmp_path, capsys):
    """A SQLite database that is not a GeoPackage is refused by its header, and GDAL's
    warning (which names the server path) is not printed."""
    path = tmp_path / "grænser.gpkg"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (a)")
    code, output = run(capsys, "ingest", path, "--db", db, "--kind", "areas", "--json")
    assert code == 2 and "er ikke en GeoPackage" in output
    assert str(tmp_path) not in output


# --- finding 5: contact details never become answers ------------------------------------------


def survey_with_column(tmp_path, header: str, values: list[str]):
    """The sample survey plus one column; its values cycle over the rows."""
    lines = SURVEY.read_text(encoding="cp1252").splitlines()
    rows = [f"{lines[0]};{header}"]
    rows += [f"{line};{values[i % len(values)]}" for i, line in enumerate(lines[1:300])]
    path = tmp_path / "svar_2029.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def mapping_file(tmp_path, columns: dict):
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps({"columns": columns}), encoding="utf-8")
    return path


def answers_hold(db, text: str) -> bool:
    con = connect(db)
    try:
        return bool(
            con.execute(
                "SELECT count(*) FROM respondent WHERE CAST(extra AS VARCHAR) LIKE $t",
                {"t": f"%{text}%"},
            ).fetchone()[0]
        )
    finally:
        con.close()


@pytest.mark.parametrize("header", ["E-mail", "Telefon", "Dit navn"])
def test_a_contact_header_mapped_to_an_extra_column_is_refused(db, tmp_path, capsys, header):
    """As a DPO: {"columns": {"E-mail": "extra.mail"}} would store e-mails among the answers,
    out of reach of erasure; the mapping is refused with a sentence (exit 2)."""
    survey = survey_with_column(tmp_path, "Kommentar", ["ok"])
    mapping = mapping_file(tmp_path, {header: "extra.oplysning"})
    code, output = run(
        capsys, "ingest", survey, "--db", db, "--kind", "survey", "--wave", "2029",
        "--mapping", mapping, "--json",
    )  # fmt: skip
    assert code == 2 and "kontaktoplysninger" in output


@pytest.mark.parametrize(
    "values",
    [
        ["anna@example.dk", "bo@example.dk", "cecilie@example.dk", "ved ikke"],
        ["+45 12 34 56 78", "87654321", "+4522334455", ""],
    ],
    ids=["e-mails", "phones"],
)
def test_a_column_full_of_contact_details_is_refused_whatever_its_header(
    db, tmp_path, capsys, values
):
    survey = survey_with_column(tmp_path, "Kommentar", values)
    mapping = mapping_file(tmp_path, {"Kommentar": "extra.kommentar"})
    code, output = run(
        capsys, "ingest", survey, "--db", db, "--kind", "survey", "--wave", "2029",
        "--mapping", mapping, "--json",
    )  # fmt: skip
    assert code == 2 and "e-mailadresser eller telefonnumre" in output
    assert not answers_hold(db, "@example.dk")


def test_free_text_loads_but_is_not_a_dimension_to_cross(db, tmp_path, capsys):
    """A comment column may be kept, but Udforsk does not offer it as rows or columns (every
    comment would be a row label); a short background question is offered."""
    comments = [f"Jeg synes, at kommunen skal gøre noget ved sag nummer {i}." for i in range(80)]
    survey = survey_with_column(tmp_path, "Kommentar", comments)
    with_education = survey.read_text(encoding="utf-8").splitlines()
    rows = [f"{with_education[0]};Uddannelse"]
    rows += [
        f"{r};{['Kort', 'Mellemlang', 'Lang'][i % 3]}" for i, r in enumerate(with_education[1:])
    ]
    survey.write_text("\n".join(rows) + "\n", encoding="utf-8")
    mapping = mapping_file(
        tmp_path, {"Kommentar": "extra.kommentar", "Uddannelse": "extra.uddannelse"}
    )
    code, output = run(
        capsys, "ingest", survey, "--db", db, "--kind", "survey", "--wave", "2029",
        "--mapping", mapping, "--json",
    )  # fmt: skip
    assert code == 0, output
    con = connect(db)
    try:
        dimensions = extra_dimensions(con)
    finally:
        con.close()
    assert "extra.uddannelse" in dimensions
    assert "extra.kommentar" not in dimensions
