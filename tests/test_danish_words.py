"""Danish, not English or raw codes, in the Danish interface (issue 14, item 2).

Real Streamlit runs (AppTest) against copies of the sample database; the widgets, tables and
Vega-Lite specs are read as the browser receives them.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_support import ui, words
from data_pipeline.core.i18n import counted, period_text, plural
from tests.conftest import ROOT

TIMEOUT = 90
SURVEY = (
    "Tidsstempel,Alder,Køn,Lokalområde,Hvilke emner interesserer dig mest?\r\n"
    '20/11/2025 10.00.00,34,Kvinde,Nordby,"Klima og miljø, Trafik"\r\n'
    "20/11/2025 10.05.00,51,Mand,Nordbyen,Kultur og fritid\r\n"
    "20/11/2025 10.09.00,150,Mand,Ålund,Trafik\r\n"
)
RAW_CODES = ("ingest", "undo", "export_contacts", "batch_id", "{", "sample")


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


def test_plural_helper_says_one_participant():
    assert plural(1, "deltager", "deltagere") == "1 deltager"
    assert plural(2, "deltager", "deltagere") == "2 deltagere"
    assert counted(1, "row") == "1 række"
    assert counted(6000, "row") == "6.000 rækker"
    assert counted(1, "participant", "en") == "1 participant"


def test_sidebar_and_map_multiselects_have_danish_placeholders_and_no_select_all(app_db):
    at = open_page("kort")
    at.radio(key="k_measure").set_value("ratio").run()

    for box in at.multiselect:
        assert box.proto.placeholder, f"{box.key} has Streamlit's English placeholder"
        assert "Choose" not in box.proto.placeholder
        assert not box.proto.select_all, f"{box.key} offers Streamlit's English 'Select all'"
    gender = at.multiselect(key="k_group_gender")
    assert gender.proto.placeholder == "Begge køn"


def test_audit_log_is_sentences_with_danish_labels(app_db):
    at = open_page("admin")

    log = next(f.value for f in at.dataframe if "Handling" in f.value.columns)
    text = " ".join(str(v) for v in log.to_numpy().ravel())

    assert not [code for code in RAW_CODES if code in text], text[:300]
    assert "Indlæsning" in set(log["Handling"])
    assert "Indlæste 6.000 rækker fra en fil med spørgeskemasvar" in text
    assert "Eksempeldata (automatisk)" in set(log["Hvem"])
    assert " kl. " in log["Tidspunkt"].iloc[0]


def test_audit_sentences_for_every_action():
    assert words.audit_sentence("undo", '{"batch_id": 4}', "da") == (
        "Fortrød indlæsning nr. 4; dens rækker er fjernet."
    )
    assert words.audit_sentence("erase", {"respondents": 1, "rows": 5}, "da") == (
        "Slettede 1 besvarelse på anmodning (5 rækker i alt)."
    )
    export = words.audit_sentence(
        "export_contacts",
        {"segment": "Emner: Klima", "reason": "Borgermøde", "rows": 1, "format": "csv"},
        "da",
    )
    assert export == "Hentede 1 borger som CSV. Begrundelse: Borgermøde. Udvalg: Emner: Klima."
    assert words.audit_sentence("something_new", '{"a": 1}', "da") == "a: 1"


def test_upload_mapping_and_problems_speak_danish(app_db):
    at = open_page("upload")
    at.radio(key="u_kind").set_value("survey").run()
    at.text_input(key="u_wave").set_value("2026").run()
    at.file_uploader[0].set_value(("svar.csv", SURVEY.encode("utf-8"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]

    mapping = next(f for f in at.dataframe if f.key == "u_columns_svar.csv")
    options = json.loads(mapping.proto.columns)["field"]["type_config"]["options"]
    labels = {o["value"]: o["label"] for o in options}
    assert labels["ignore"] == "Bruges ikke"
    assert labels["submitted_at"] == "Indsendt"
    assert labels["postal_code"] == "Postnummer"

    problems = next(f.value for f in at.dataframe if "Årsag" in f.value.columns)
    assert list(problems.columns) == ["Række", "Kolonne", "Værdi", "Årsag"]
    assert "None" not in problems.astype(str).to_numpy().ravel().tolist()


def test_upload_asks_for_the_wave_in_words_and_names_the_format(app_db):
    at = open_page("upload")
    at.radio(key="u_kind").set_value("survey").run()
    at.file_uploader[0].set_value(("svar.csv", SURVEY.encode("utf-8"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]

    messages = " ".join(m.value for m in [*at.warning, *at.error])
    assert "--wave" not in messages
    assert "feltet Bølge" in messages
    detected = next(f.value for f in at.dataframe if "Format" in f.value.columns)
    assert detected["Format"].tolist() == ["Google Forms"]
    assert "None" not in detected.astype(str).to_numpy().ravel().tolist()


def test_audit_times_are_danish_time():
    assert words.when_text(pd.Timestamp("2026-12-05 09:22"), "da") == "5. december 2026 kl. 10:22"
    assert words.short_time(pd.Timestamp("2026-07-01 12:00")) == "01-07-2026 14:00"


def test_empty_cells_are_empty_not_none():
    frame = pd.DataFrame({"Område": ["Nordby", None], "Svar": ["12", None]})

    shown = ui.blank_missing(frame)

    assert shown["Område"].tolist() == ["Nordby", ""]
    assert shown["Svar"].tolist() == ["12", ""]


def test_explore_chart_uses_decimal_commas_and_names_every_topic(app_db):
    at = open_page("udforsk")
    at.radio(key="x_measure").set_value("row").run()
    assert not at.exception

    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)

    assert spec["config"]["locale"]["number"]["decimal"] == ","
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert axis["labelOverlap"] is False


def test_groups_chart_uses_decimal_commas(app_db):
    """Grupper's representation axis read 0.0 0.2 … 1.6 in Danish (seen at 1024 px)."""
    at = open_page("grupper")
    assert not at.exception

    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)

    assert spec["config"]["locale"]["number"]["decimal"] == ","


def test_file_names_are_danish():
    assert ui.file_name("Udforsk", "Alder", "Emne") == "deltagelsesatlas_udforsk_alder_emne"
    assert (
        ui.file_name("Kort", "Repræsentation af 18–29-årige", "Bølge 2025")
        == "deltagelsesatlas_kort_repraesentation-af-18-29-aarige_boelge-2025"
    )


def test_explore_bars_are_small_multiples_in_one_colour(app_db):
    at = open_page("udforsk")
    at.radio(key="x_chart").set_value("bars").run()
    assert not at.exception

    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)

    assert spec["facet"]["field"] == "row_label"
    bars = spec["spec"]["layer"][0]
    assert "color" not in bars.get("encoding", {}), "no ten similar colours"
    assert spec["config"]["locale"]["number"]["decimal"] == ","


def test_explore_says_so_when_every_cell_is_hidden(app_db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in {"age": "80+", "gender": "andet", "area": "04"}.items():
        at.query_params[key] = value
    at.switch_page("pages/udforsk.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]

    assert any("Alle celler har færre end 5 svar" in i.value for i in at.info)
    assert not at.get("vega_lite_chart"), "no empty chart with a NaN legend"


@pytest.mark.parametrize(
    ("value", "confirm", "words_shown"),
    [("", True, "Skriv borgerens e-mailadresse"), ("a@b.dk", False, "sæt flueben")],
)
def test_admin_erase_without_value_or_confirmation_says_why(app_db, value, confirm, words_shown):
    at = open_page("admin")
    if value:
        at.text_input(key="a_value").input(value)
    if confirm:
        at.checkbox(key="a_confirm").check()
    at.button(key="FormSubmitter:a_erase-Slet borgeren").click().run()
    assert not at.exception, [e.value for e in at.exception]

    assert any(words_shown in w.value for w in at.warning), [w.value for w in at.warning]
    assert not at.success


def test_ranked_bars_name_every_option_with_decimal_commas():
    frame = pd.DataFrame(
        {
            "label": ["Under 1 time", "1-2 timer", "3-5 timer", "Mere end 5 timer"],
            "share": [0.4, 0.3, 0.2, 0.1],
        }
    )

    spec = ui.ranked_bars(frame, "da", "Tid pr. måned").to_dict()

    assert spec["encoding"]["y"]["axis"]["labelOverlap"] is False
    assert spec["config"]["locale"]["number"]["decimal"] == ","


def test_population_periods_are_words_not_statistics_denmark_codes(app_db):
    assert period_text("2025K4") == "4. kvartal 2025"
    assert period_text("2025K4", "en") == "Q4 2025"
    assert period_text("2021") == "2021"  # a period that is not a quarter stays as it is

    at = open_page("aktivitet")  # "sammenlignet med befolkningen i 2025K4" in the browser
    captions = " ".join(c.value for c in at.caption)
    assert "kvartal 2025" in captions
    assert "2025K4" not in captions


def test_a_bilingual_error_is_shown_in_one_language():
    # The pipeline writes "Dansk. / English." for the CLI; the app shows the reader's half.
    from data_pipeline.core.errors import InvalidFile, in_language
    from data_pipeline.outreach.contacts import check_reason

    with pytest.raises(InvalidFile) as refused:
        check_reason("  ")
    assert in_language(str(refused.value), "da") == "Angiv en begrundelse for udtrækket."
    assert in_language(str(refused.value), "en") == "Give a reason for the export."
    two_lines = "Ukendt bølge 'x'. / Unknown wave 'x'.\nVælg en anden. / Choose another."
    assert in_language(two_lines, "da") == "Ukendt bølge 'x'.\nVælg en anden."
    # One language only, or a slash inside a Danish answer ("Ved ikke / ønsker ikke"): unchanged.
    assert in_language("Svar: Ved ikke / ønsker ikke.", "da") == "Svar: Ved ikke / ønsker ikke."
    assert in_language("Kun på dansk.", "en") == "Kun på dansk."


def test_an_upload_refusal_speaks_only_danish(app_db):
    at = open_page("upload")
    at.file_uploader[0].set_value(("svar.csv", b"\x00\x01\x02binary\x00", "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(e.value.replace("\\", "") for e in at.error)
    assert "svar.csv" in shown
    for english in (" The ", " file ", "Cannot", " is ", " not "):
        assert english not in shown, shown


def test_only_columns_of_formatted_numbers_are_aligned_like_numbers():
    frame = pd.DataFrame(
        {
            "Gruppe": ["18-29 år", "30-44 år", "I alt"],
            "Svarprocent": ["15,3 %", "<5", "17,4 %"],
            "Antal": ["4.418", "1.002", "12"],
            "Forhold": ["0,36", "−1,20", None],
            "Note": ["3 ud af 4", "", "ok"],
            "Tal": [1, 2, 3],
        }
    )
    # Numbers already stored as numbers align right by themselves; a group name with a digit
    # and a sentence holding a number stay left.
    assert ui.number_columns(frame) == ["Svarprocent", "Antal", "Forhold"]


def test_downloaded_file_names_say_which_filter_they_hold(app_db):
    from app_support import state
    from data_pipeline.analysis.filtering import Filters

    chosen = Filters(age_bands=("18-24", "25-29"), genders=("kvinde",))
    words = state.filter_file_words(chosen, "da")
    # The filter in the words a director reads (labels, not codes), in the filter bar's order.
    assert ui.file_name("Udforsk", "Alder", "Emne", *words) == (
        "deltagelsesatlas_udforsk_alder_emne_alder-18-24-aar-25-29-aar_koen-kvinder"
    )
    assert state.filter_file_words(Filters(), "da") == []  # the whole municipality: no words
