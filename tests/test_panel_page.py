"""Kontakt's "Invitér et panel" (issue 17) in real Streamlit runs (AppTest) on a sample copy:
the outreach role draws a panel; viewer and director never reach the section."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline.core.i18n import t
from tests.conftest import ROOT

TIMEOUT = 180


@pytest.fixture(scope="module")
def page_db(sample_db_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("panel_page") / "atlas.duckdb"
    shutil.copy(sample_db_file, path)
    shutil.copy(f"{sample_db_file}.key", f"{path}.key")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DELTAGELSESATLAS_DB", str(path))
        patch.delenv("DELTAGELSESATLAS_PRODUCTION", raising=False)
        yield path


def run(role: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["demo_role"] = role
    at.switch_page("pages/kontakt.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def headers(at: AppTest) -> list[str]:
    return [h.value for h in at.header]


@pytest.mark.parametrize("role", ["viewer", "director"])
def test_viewer_and_director_cannot_reach_the_panel(page_db, role):
    at = run(role)
    assert t("panel.title", "da") not in headers(at)
    assert not [b for b in at.button if b.label == t("panel.draw", "da")]
    assert [e.value for e in at.error] == [t("auth.denied", "da")]


def test_outreach_draws_a_panel_and_sees_quotas_and_probabilities(page_db):
    at = run("outreach")
    assert t("panel.title", "da") in headers(at)
    at.selectbox(key="p_topic").set_value("trafik")
    at.number_input(key="p_size").set_value(10)
    at.number_input(key="p_reserve").set_value(3)
    at.number_input(key="p_seed").set_value(40)
    at.multiselect(key="p_areas").set_value(["01"])
    at.button(key="FormSubmitter:p_form-" + t("panel.draw", "da")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    success = " ".join(s.value for s in at.success)
    assert "10 invitationer" in success and "lodtrækningsnummer 40" in success
    assert any(m.label == t("panel.m.seed", "da") and m.value == "40" for m in at.metric)
    assert any("Chancen for at blive trukket" in m.value for m in at.markdown)
    table = at.dataframe[-1].value
    assert list(table.columns[:2]) == ["Kvote", "Gruppe"] and "Inviteret" in table.columns
    assert "Nordby" in set(table["Gruppe"])


def test_a_quota_the_pool_cannot_fill_is_said_in_words(page_db):
    at = run("outreach")
    at.selectbox(key="p_topic").set_value("trafik")
    at.number_input(key="p_size").set_value(400)
    at.multiselect(key="p_areas").set_value(["01"])
    at.button(key="FormSubmitter:p_form-" + t("panel.draw", "da")).click().run()
    assert not at.exception and not at.error
    assert t("panel.cannot", "da") in [w.value for w in at.warning]
    assert any("samtykkende borgere at trække fra" in m.value for m in at.markdown)


def test_the_file_format_choices_are_named_in_danish(page_db):
    at = run("outreach")
    choices = {radio.key: list(radio.options) for radio in at.radio if radio.key}
    # The contact list's file: "Excel-fil" / "CSV-fil", never the codes "xlsx" / "csv" (the
    # panel's file choice, shown after a draw, uses the same words: app_support/panel_ui.py).
    assert choices["c_format"] == ["Excel-fil", "CSV-fil"]
