"""Every chart the dashboard draws is valid Vega-Lite, checked here once instead of on every
rerun (issue 16: Altair's schema validation cost 30-130 ms of each filter change)."""

from __future__ import annotations

import json
import shutil

import altair as alt
import pytest
import streamlit as st
from altair.utils.schemapi import validate_jsonschema
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

# Filter states that change what the charts hold: none, one age band, a topic.
QUERIES = [{}, {"age": "30-39"}, {"topic": "klima"}]


@pytest.fixture()
def app_db(sample_db_file, tmp_path, monkeypatch):
    db = tmp_path / "app.duckdb"
    shutil.copy(sample_db_file, db)
    shutil.copy(f"{sample_db_file}.key", f"{db}.key")
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(db))
    st.cache_data.clear()
    yield str(db)
    st.cache_data.clear()


def drawn_specs(page: str, query: dict) -> list[dict]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(f"pages/{page}.py")
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


@pytest.mark.parametrize("page", ["overblik", "udforsk", "kort", "grupper"])
def test_every_chart_a_page_draws_is_valid_vega_lite(app_db, page):
    schema = alt.vegalite.v6.schema.core.load_schema()
    specs = [spec for query in QUERIES for spec in drawn_specs(page, query)]

    assert specs, f"{page} drew no chart"
    for spec in specs:
        validate_jsonschema(spec, schema)  # raises jsonschema.ValidationError when invalid


def test_a_page_chart_is_not_validated_again_when_drawn():
    def script():
        import altair as alt
        import pandas as pd

        from app_support import ui

        # Invalid on purpose: Vega-Lite's width is a number, "container" or a step.
        chart = alt.Chart(pd.DataFrame({"a": [1, 2]}), width="wide").mark_bar().encode(x="a:Q")
        ui.draw_chart(chart, key="unchecked")

    at = AppTest.from_function(script, default_timeout=30)
    at.run()

    assert not at.exception, [e.value for e in at.exception]
    (drawn,) = at.get("vega_lite_chart")
    assert json.loads(drawn.proto.spec)["width"] == "wide"
