"""The Upload and Aktivitet pages, run for real (AppTest) against copies of the sample database.

Widgets are found by key, so the tests hold in Danish and English.
"""

from __future__ import annotations

import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline.store.db import connect
from tests.conftest import ROOT

TIMEOUT = 90
SURVEY = (
    "Tidsstempel,Alder,Køn,Lokalområde,Hvilke emner interesserer dig mest?\r\n"
    '20/11/2025 10.00.00,34,Kvinde,Nordby,"Klima og miljø, Trafik"\r\n'
    "20/11/2025 10.05.00,51,Mand,Nordbyen,Kultur og fritid\r\n"
    "20/11/2025 10.09.00,150,Mand,Ålund,Trafik\r\n"
)


@pytest.fixture()
def app_db(sample_db_file, tmp_path, monkeypatch):
    path = tmp_path / "app.duckdb"
    shutil.copy(sample_db_file, path)
    shutil.copy(f"{sample_db_file}.key", f"{path}.key")
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(path))
    return path


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame_with(at: AppTest, column: str):
    """The first table showing this column (st.dataframe keys are not visible to AppTest)."""
    return next(f.value for f in at.dataframe if column in f.value.columns)


def editor(at: AppTest, key: str):
    return next((f for f in at.dataframe if f.key == key), None)


def batches(path) -> list[tuple]:
    con = connect(path)
    try:
        return con.execute(
            "SELECT batch_id, file_name, rows_loaded, rows_rejected, undone_at IS NOT NULL "
            "FROM batch WHERE loaded_by <> 'sample' ORDER BY batch_id"
        ).fetchall()
    finally:
        con.close()


def test_upload_detects_previews_checks_and_loads_one_batch_with_undo(app_db):
    at = open_page("upload")
    at.radio(key="u_kind").set_value("survey").run()
    at.text_input(key="u_wave").set_value("2026").run()
    at.file_uploader[0].set_value(("svar.csv", SURVEY.encode("utf-8"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]

    detected = frame_with(at, "Format").iloc[0].tolist()
    assert detected[0] == "Google Forms" and detected[1] == "utf-8" and detected[2] == ","
    assert len(frame_with(at, "Tidsstempel")) == 3
    assert editor(at, "u_columns_svar.csv") is not None
    problems = frame_with(at, "Årsag")  # issue 14: Danish headers, not row/column/value/reason
    assert problems["Række"].tolist() == [3, 4]
    assert set(problems["Værdi"]) == {"Nordbyen", "150"}
    assert [m.value for m in at.metric] == ["3", "1", "2"]

    at.button(key="u_load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success, "a success message names the batch"
    [(batch_id, name, loaded, rejected, undone)] = batches(app_db)
    assert (name, loaded, rejected, undone) == ("svar.csv", 1, 2, False)

    at.selectbox(key="u_undo_id").set_value(batch_id).run()
    at.checkbox(key="u_undo_confirm").check().run()
    at.button(key="u_undo").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert batches(app_db)[0][-1] is True


def test_undo_chooses_no_batch_for_you_and_asks_for_a_confirmation(app_db):
    at = open_page("upload")
    assert at.selectbox(key="u_undo_id").value is None  # not the sample's newest batch
    assert at.button(key="u_undo").disabled
    newest = max(at.selectbox(key="u_undo_id").options, key=int)
    at.selectbox(key="u_undo_id").set_value(int(newest)).run()
    assert at.button(key="u_undo").disabled  # chosen, but not yet confirmed
    assert f"nr. {newest}" in at.checkbox(key="u_undo_confirm").label
    at.checkbox(key="u_undo_confirm").check().run()
    assert not at.button(key="u_undo").disabled


def test_unknown_values_come_in_labelled_tables_in_a_fixed_order(app_db):
    survey = SURVEY + "20/11/2025 10.10.00,40,Hen,Nordbyen,Trafik\r\n"
    at = open_page("upload")
    at.text_input(key="u_wave").set_value("2026").run()
    at.file_uploader[0].set_value(("svar.csv", survey.encode("utf-8"), "text/csv")).run()
    keys = [f.key for f in at.dataframe if (f.key or "").startswith("u_values_")]
    assert keys == ["u_values_area", "u_values_gender"]
    labels = [m.value for m in at.markdown]
    assert labels.index("**Lokalområde**") < labels.index("**Køn**")
    area = editor(at, "u_values_area").value
    assert area["value"].tolist() == ["Nordbyen"] and area["rows"].tolist() == [2]


def test_an_unknown_area_is_confirmed_and_remembered(app_db):
    at = open_page("upload")
    at.text_input(key="u_wave").set_value("2026").run()
    at.file_uploader[0].set_value(("svar.csv", SURVEY.encode("utf-8"), "text/csv")).run()
    offered = editor(at, "u_values_area").value
    assert offered["value"].tolist() == ["Nordbyen"] and offered["choice"].tolist() == [
        "01 · Nordby"
    ]
    at.button(key="u_remember").click().run()
    assert not at.exception, [e.value for e in at.exception]
    remembered = json.loads((app_db.parent / f"{app_db.name}.mapping.json").read_text("utf-8"))
    assert remembered["values"]["area"] == {"Nordbyen": "01"}
    # The next check uses the confirmation: only the age problem is left.
    assert frame_with(at, "Årsag")["Værdi"].tolist() == ["150"]


def test_a_file_whose_content_is_not_its_name_is_refused(app_db):
    at = open_page("upload")
    at.file_uploader[0].set_value(("svar.csv", b"\x00\x01\x02binary\x00", "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and "svar.csv" in at.error[0].value.replace("\\", "")  # Markdown-escaped
    assert batches(app_db) == []


def test_the_activity_page_shows_activity_over_time_and_who_takes_part(app_db):
    at = open_page("aktivitet")
    # Only the notice that the sidebar filters do not apply; no "no activity" message.
    assert [i.icon for i in at.info] == [":material/filter_alt_off:"], [i.value for i in at.info]
    for by in ("project", "topic", "kind"):
        at.radio(key="a_by").set_value(by).run()
        assert not at.exception, [e.value for e in at.exception]
    at.radio(key="a_dim").set_value("gender").run()
    table = frame_with(at, "Deltagere")
    assert len(table) == 2
    counts = table.iloc[:, 1].str.replace(".", "", regex=False).astype(int).sum()
    con = connect(app_db)
    try:
        expected = con.execute(
            "SELECT count(DISTINCT user_key) FROM platform_activity WHERE gender IN "
            "('kvinde', 'mand') AND (age IS NULL OR age >= 15)"
        ).fetchone()[0]
    finally:
        con.close()
    assert counts <= expected


def test_a_file_that_would_keep_no_row_cannot_be_loaded_from_the_page(app_db):
    """Once: "Batch 8 er indlæst: 0 rækker, 56 afvist", and an empty wave that crashed pages."""
    nothing = "Alder,Køn,Lokalområde\r\n34,Kvinde,Atlantis\r\n51,Mand,Vejle\r\n"
    at = open_page("upload")
    at.radio(key="u_kind").set_value("survey").run()
    at.text_input(key="u_wave").set_value("2024").run()
    at.file_uploader[0].set_value(("tom.csv", nothing.encode("utf-8"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.metric] == ["2", "0", "2"]
    load = at.button(key="u_load")
    assert load.disabled
    assert any("Ingen rækker i filen kan indlæses" in w.value for w in at.warning)
    assert batches(app_db) == []


def test_the_upload_history_writes_row_counts_the_danish_way(app_db):
    """The sample's survey has 9005 rows read: shown as 9.005, like every other count."""
    at = open_page("upload")
    assert not at.exception, [e.value for e in at.exception]
    history = frame_with(at, "Indlæst den")
    survey = history.loc[history["Fil"] == "survey_2025.xlsx"].iloc[0]
    assert (survey["Læst"], survey["Indlæst"], survey["Afvist"]) == ("9.005", "9.000", "5")


@pytest.mark.parametrize("lang", ["da", "en"])
def test_unknown_values_are_offered_topics_in_the_readers_language(sample_db, lang):
    from data_pipeline.store.preview import value_choices

    choices = value_choices(sample_db, lang)
    label = {"da": "label_da", "en": "label_en"}[lang]
    topics = sample_db.execute(
        f"SELECT code || ' · ' || {label} FROM vocabulary WHERE kind = 'topic' ORDER BY sort_order"
    ).fetchall()
    assert choices["topics"] == [row[0] for row in topics]
    assert choices["gender"] == ["kvinde", "mand", "andet", "uoplyst"]
    assert choices["area"][0].startswith("01 · ")


def test_english_topic_words_differ_from_the_danish_ones(sample_db):
    from data_pipeline.store.preview import value_choices

    assert value_choices(sample_db, "en")["topics"] != value_choices(sample_db, "da")["topics"]
