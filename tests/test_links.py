"""Links, roles and the app frame (issue 14): every choice of a page is in the URL, the URL wins
when it changes under the page (Back/Forward), the role switcher lands on a page the role may
see, and a page that fails shows a Danish sentence instead of Streamlit's error box.

Real Streamlit runs (AppTest) against a copy of the sample database.
"""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

TIMEOUT = 60


@pytest.fixture()
def app_db(sample_db_file, tmp_path, monkeypatch):
    path = tmp_path / "app.duckdb"
    shutil.copy(sample_db_file, path)
    shutil.copy(f"{sample_db_file}.key", f"{path}.key")
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(path))
    return path


def open_link(page: str, params: dict | None = None, role: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if role is not None:
        at.session_state["demo_role"] = role
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def link(at: AppTest) -> dict:
    return {key: at.query_params[key] for key in at.query_params}


def test_a_link_sets_every_udforsk_choice(app_db):
    at = open_link(
        "udforsk",
        {"rows": "topic", "cols": "gender", "measure": "row", "weighted": "1", "chart": "bars"},
    )
    assert at.selectbox(key="x_rows").value == "topic"
    assert at.selectbox(key="x_cols").value == "gender"
    assert at.radio(key="x_measure").value == "row"
    assert at.toggle(key="x_weighted").value is True
    assert at.radio(key="x_chart").value == "bars"


def test_udforsk_choices_are_written_to_the_link_and_defaults_left_out(app_db):
    at = open_link("udforsk")
    assert link(at) == {"wave": "2025"}
    at.selectbox(key="x_rows").set_value("area").run()
    at.radio(key="x_measure").set_value("col").run()
    at.multiselect(key="f_gender").set_value(["kvinde"]).run()
    assert link(at) == {"wave": "2025", "rows": "area", "measure": "col", "gender": "kvinde"}
    at.selectbox(key="x_rows").set_value("age_band").run()  # back to the default
    assert link(at) == {"wave": "2025", "measure": "col", "gender": "kvinde"}


def test_kort_mode_and_its_choice_round_trip_and_leave_with_the_mode(app_db):
    at = open_link("kort", {"mode": "topic", "map_topic": "trafik"})
    assert at.radio(key="k_measure").value == "topic"
    assert at.selectbox(key="k_topic").value == "trafik"
    at.radio(key="k_measure").set_value("ratio").run()
    at.multiselect(key="k_group_age").set_value([]).run()  # all ages, not the default 18-29
    assert link(at) == {"wave": "2025", "mode": "ratio", "group_age": "-"}
    again = open_link("kort", link(at))
    assert again.radio(key="k_measure").value == "ratio"
    assert again.multiselect(key="k_group_age").value == []


def test_grupper_breakdown_and_language_round_trip(app_db):
    at = open_link("grupper", {"by": "age_band_gender", "lang": "en"})
    assert at.radio(key="g_split").value == "age_band_gender"
    assert at.title[0].value == "Groups"
    assert link(at) == {"wave": "2025", "by": "age_band_gender", "lang": "en"}


def test_the_url_wins_when_it_changes_under_the_page_as_on_back(app_db):
    """Streamlit reruns with the earlier query string on Back; the filters follow it."""
    at = open_link("udforsk", {"gender": "kvinde", "rows": "area"})
    at.multiselect(key="f_gender").set_value(["mand"]).run()
    at.selectbox(key="x_rows").set_value("topic").run()
    assert link(at) == {"wave": "2025", "gender": "mand", "rows": "topic"}
    at.query_params.clear()
    at.query_params["gender"] = "kvinde"
    at.query_params["rows"] = "area"
    at.run()
    assert at.multiselect(key="f_gender").value == ["kvinde"]
    assert at.selectbox(key="x_rows").value == "area"
    at.query_params.clear()  # Back to the plain first view: every filter off
    at.run()
    assert at.multiselect(key="f_gender").value == []
    assert at.selectbox(key="x_rows").value == "age_band"


def test_aktivitet_says_the_sidebar_filters_do_not_apply(app_db):
    at = open_link("aktivitet", {"gender": "kvinde"})
    notes = " ".join(i.value for i in at.info)
    assert "Filtrene i sidepanelet gælder ikke her" in notes


def test_the_council_role_reaches_the_report(app_db):
    at = open_link("rapport", role="viewer")
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value.startswith("Rapport")


def failing_app():
    import streamlit as st

    from app_support.navigation import run_guarded

    def broken() -> None:
        st.title("Før fejlen")
        raise ZeroDivisionError("division by zero in a page")

    page = st.navigation([st.Page(broken, title="Brudt", url_path="brudt")])
    run_guarded(page, "da")


def test_a_failing_page_shows_a_danish_sentence_and_no_error_box(monkeypatch, caplog):
    monkeypatch.delenv("DELTAGELSESATLAS_RAISE_PAGE_ERRORS", raising=False)
    at = AppTest.from_function(failing_app, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Siden kunne ikke vises. Fejlen er skrevet i serverens log; prøv igen, eller kontakt "
        "den, der driver Deltagelsesatlas."
    ]
    assert "division by zero in a page" in caplog.text


def test_under_test_a_failing_page_still_fails(monkeypatch):
    monkeypatch.setenv("DELTAGELSESATLAS_RAISE_PAGE_ERRORS", "1")
    at = AppTest.from_function(failing_app, default_timeout=TIMEOUT)
    at.run()
    assert at.exception  # Streamlit's own box (its text is redacted by .streamlit/config.toml)
    assert not at.error


def notices(at: AppTest) -> str:
    return " ".join(i.value for i in at.info)


def test_kort_says_the_area_filter_does_not_apply(app_db):
    at = open_link("kort", {"area": "06"})
    assert "Disse filtre gælder ikke på denne side: Lokalområde." in notices(at)
    plain = open_link("kort")
    assert "gælder ikke" not in notices(plain)


def test_kort_says_its_group_replaces_the_sidebar_age(app_db):
    at = open_link("kort", {"age": "80+", "mode": "ratio"})  # the map's group is 18-29
    assert "Disse filtre gælder ikke på denne side: Alder." in notices(at)


@pytest.mark.parametrize("page", ["upload", "admin"])
def test_file_pages_say_the_answer_filters_do_not_apply(app_db, page):
    at = open_link(page, {"gender": "kvinde", "topic": "klima"})
    assert "Disse filtre gælder ikke på denne side: Køn, Emner." in notices(at)


def test_a_tiny_selection_gets_a_sentence_instead_of_empty_charts(app_db):
    """Five responses: every option is hidden, so no chart with an axis of 0,000000 %."""
    at = open_link("overblik", {"age": "18-24", "area": "06", "engagement": "aktiv"})
    assert at.metric[0].value == "5"
    too_few = [c.value for c in at.caption if c.value.startswith("For få svar til et diagram (5)")]
    assert len(too_few) == 4  # responses by age and gender, topics, formats, time
    assert not at.get("vega_lite_chart")


def test_aktivitet_names_platforms_and_shows_every_platform_by_default(app_db):
    at = open_link("aktivitet")
    platform = at.selectbox(key="a_platform")
    assert platform.value == "" and platform.format_func("") == "Alle platforme"
    assert platform.format_func("govocal") == "Go Vocal"
