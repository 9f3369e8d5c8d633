"""Validation: whole-file refusals name the field; bad rows are rejected alone, with reasons."""

from __future__ import annotations

import json

import pytest

from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.mapping import UserMapping
from data_pipeline.store.load import ingest
from tests.conftest import write_text

HEADER = "Alder;Køn;Lokalområde;Emner;Formater;Må vi kontakte dig?;Navn;E-mail;Telefon"


def survey(tmp_path, rows: list[str], header: str = HEADER, name: str = "svar_2025.csv"):
    return write_text(tmp_path / name, "\r\n".join([header, *rows]) + "\r\n", "cp1252")


def rejections(con, batch_id):
    return con.execute(
        'SELECT row_number, "column", value, reason FROM rejection WHERE batch_id = $b ORDER BY 1',
        {"b": batch_id},
    ).fetchall()


def test_missing_area_column_is_refused_with_headers_listed(areas_db, tmp_path):
    path = survey(tmp_path, ["34;Mand"], header="Alder;Køn")
    with pytest.raises(InvalidFile, match="område.*'Alder', 'Køn'"):
        ingest(areas_db, path, "survey")
    assert areas_db.execute("SELECT count(*) FROM batch").fetchone()[0] == 2  # only the areas


def test_missing_age_column_is_refused(areas_db, tmp_path):
    path = survey(tmp_path, ["Mand;Nordby"], header="Køn;Lokalområde")
    with pytest.raises(InvalidFile, match="alder, fødselsår eller aldersgruppe"):
        ingest(areas_db, path, "survey")


@pytest.mark.parametrize(
    ("row", "column", "value", "reason"),
    [
        ("150;Mand;Nordby;Klima;;Nej;;;", "Alder", "150", "Alderen er uden for 15-110"),
        ("12;Mand;Nordby;Klima;;Nej;;;", "Alder", "12", "Alderen er uden for 15-110"),
        ("tres;Mand;Nordby;Klima;;Nej;;;", "Alder", "tres", "Alderen er ikke et tal"),
        ("40;Mand;Atlantis;Klima;;Nej;;;", "Lokalområde", "Atlantis", "Ukendt lokalområde"),
        ("40;Hest;Nordby;Klima;;Nej;;;", "Køn", "Hest", "Ukendt køn"),
        (";;;;;;;;", None, None, "Tom række"),
    ],
)
def test_a_bad_value_rejects_only_its_row(areas_db, tmp_path, row, column, value, reason):
    good = "40;Kvinde;Nordby;Klima;Borgermøder;Ja;Søren Æbelø;s@example.dk;+45 12 34 56 78"
    path = survey(tmp_path, [good, row, good.replace("40", "41")])
    result = ingest(areas_db, path, "survey")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    [(row_number, got_column, got_value, got_reason)] = rejections(areas_db, result.batch_id)
    assert (row_number, got_column, got_value) == (3, column, value)
    assert got_reason.startswith(reason)


def test_values_are_normalised(areas_db, tmp_path):
    path = survey(
        tmp_path,
        [
            "34;Ønsker ikke at oplyse;nordby;Klima og miljø;Digitale møder;Ja;Åse Ø;a@example.dk;+45 12 34 56 78",
            "71;Kvinde;MIDTBYEN;Trafik;Høringer;Måske;Bo;b@example.dk;",
            "25;Male;Nordby;;;Yes;;;",
        ],
    )
    result = ingest(areas_db, path, "survey", wave="2025")
    assert result.rows_loaded == 3
    rows = areas_db.execute(
        "SELECT age, age_band, gender, area_code, consent_contact FROM respondent ORDER BY age"
    ).fetchall()
    nordby, midtbyen = (
        areas_db.execute("SELECT area_code FROM area WHERE name = $n", {"n": n}).fetchone()[0]
        for n in ("Nordby", "Midtbyen")
    )
    assert rows == [
        (25, "25-29", "mand", nordby, True),
        (34, "30-39", "uoplyst", nordby, True),
        (71, "70-79", "kvinde", midtbyen, False),  # "Måske" is not an unambiguous yes
    ]
    topics = areas_db.execute("SELECT topic FROM respondent_topic ORDER BY topic").fetchall()
    assert topics == [("klima",), ("trafik",)]
    # contact data is kept only with consent, and the Danish letters survive cp1252
    contacts = areas_db.execute("SELECT name, phone FROM contact ORDER BY name").fetchall()
    assert contacts == [("Åse Ø", "+45 12 34 56 78")]


def test_birth_year_becomes_age_at_the_wave(areas_db, tmp_path):
    path = survey(
        tmp_path, ["1990;Mand;7430"], header="Fødselsår;Køn;Postnummer", name="x_2021.csv"
    )
    result = ingest(areas_db, path, "survey")
    assert result.rows_loaded == 1
    age, area, postal = areas_db.execute(
        "SELECT age, area_code, postal_code FROM respondent"
    ).fetchone()
    expected_area = areas_db.execute(
        "SELECT area_code FROM postal_area WHERE postal_code = '7430'"
    ).fetchone()[0]
    assert (age, area, postal) == (31, expected_area, "7430")


def test_new_topic_labels_join_the_wave_vocabulary(areas_db, tmp_path):
    path = survey(
        tmp_path,
        ["40;Mand;Nordby;Klima;Lokale festivaler;Nej;;;"],
        header=HEADER.replace("Formater", "Emner 2"),
    )
    mapping = UserMapping.from_dict({"columns": {"Emner 2": "ignore"}})
    ingest(areas_db, path, "survey", mapping=mapping)
    path2 = survey(tmp_path, ["40;Mand;Nordby;Havnebad;;Nej;;;"], name="svar2_2025.csv")
    ingest(areas_db, path2, "survey")
    row = areas_db.execute(
        "SELECT code, label_da FROM vocabulary WHERE kind = 'topic' AND label_da = 'Havnebad'"
    ).fetchone()
    assert row == ("havnebad", "Havnebad")
    assert ("2025", "topic", "havnebad") in areas_db.execute(
        "SELECT * FROM wave_vocabulary"
    ).fetchall()


def test_mapping_file_maps_columns_and_values(areas_db, tmp_path):
    path = survey(
        tmp_path, ["40;M;Nord;Klima;;Nej;;;"], header=HEADER.replace("Køn", "Sex (selvangivet)")
    )
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(
        json.dumps(
            {"columns": {"Sex (selvangivet)": "gender"}, "values": {"area": {"Nord": "Nordby"}}}
        ),
        encoding="utf-8",
    )
    result = ingest(areas_db, path, "survey", mapping=UserMapping.from_file(mapping_file))
    assert result.rows_loaded == 1
    assert areas_db.execute("SELECT gender FROM respondent").fetchone() == ("mand",)


def test_mapping_file_naming_an_unknown_field_is_refused():
    with pytest.raises(InvalidFile, match="respondent; DROP TABLE"):
        UserMapping.from_dict({"columns": {"Alder": "respondent; DROP TABLE area"}})


def test_unrecognised_columns_are_listed_not_loaded(areas_db, tmp_path):
    path = survey(
        tmp_path, ["40;Mand;Nordby;CPR 010101-1234"], header="Alder;Køn;Lokalområde;Bemærkning"
    )
    result = ingest(areas_db, path, "survey")
    assert result.ignored_columns == ["Bemærkning"]
    extra = areas_db.execute("SELECT extra FROM respondent").fetchone()[0]
    assert extra is None
