"""The app on a fresh database: real Streamlit runs (AppTest) against real DuckDB files.

Widgets are found by key, never by label, so the tests hold in Danish and English.
"""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline.store.db import connect
from tests.conftest import ROOT

TIMEOUT = 60


@pytest.fixture()
def app_db(sample_db_file, tmp_path, monkeypatch):
    path = tmp_path / "app.duckdb"
    shutil.copy(sample_db_file, path)
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(path))
    return path


def run_page(page: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py") if page != "overblik" else None
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sql_count(path, where: str = "", params: dict | None = None) -> int:
    con = connect(path)
    try:
        sql = "SELECT count(*) FROM respondent WHERE wave_id = '2025' " + where
        return con.execute(sql, params or {}).fetchone()[0]
    finally:
        con.close()


def metric_value(at: AppTest, index: int) -> str:
    return at.metric[index].value


def as_int(text: str) -> int:
    return int(text.replace(".", "").replace(",", ""))


def test_first_start_builds_the_database_from_the_sample(tmp_path, monkeypatch):
    path = tmp_path / "fresh.duckdb"
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert path.exists()
    assert as_int(metric_value(at, 0)) == sql_count(path) == 9000


def test_overview_headline_equals_a_direct_count(app_db):
    at = run_page("overblik")
    assert as_int(metric_value(at, 0)) == sql_count(app_db)
    assert "%" in metric_value(at, 1)


@pytest.mark.parametrize(
    ("key", "value", "where", "params"),
    [
        ("f_age_band", ["18-24", "25-29"], "AND age_band IN ('18-24', '25-29')", None),
        ("f_gender", ["kvinde"], "AND gender = 'kvinde'", None),
        ("f_area", ["01"], "AND area_code = '01'", None),
        ("f_time", ["3_5"], "AND time_per_month = '3_5'", None),
        ("f_engagement", ["aktiv"], "AND engagement_level = 'aktiv'", None),
        (
            "f_topic",
            ["klima"],
            "AND respondent_id IN (SELECT respondent_id FROM respondent_topic WHERE topic = 'klima')",
            None,
        ),
        (
            "f_format",
            ["digitalt_moede"],
            "AND respondent_id IN (SELECT respondent_id FROM respondent_format "
            "WHERE format = 'digitalt_moede')",
            None,
        ),
    ],
)
def test_each_filter_changes_the_figures_to_match_sql(app_db, key, value, where, params):
    at = run_page("overblik")
    before = as_int(metric_value(at, 0))
    at.multiselect(key=key).set_value(value).run()
    assert not at.exception
    after = as_int(metric_value(at, 0))
    expected = sql_count(app_db, where, params)
    assert after == expected != before


def test_wave_filter_switches_the_wave(app_db):
    at = run_page("overblik")
    at.selectbox(key="f_wave").set_value("2021").run()
    con = connect(app_db)
    expected = con.execute("SELECT count(*) FROM respondent WHERE wave_id = '2021'").fetchone()[0]
    con.close()
    assert as_int(metric_value(at, 0)) == expected == 6000


def test_url_state_round_trips(app_db):
    at = run_page("overblik", {"wave": "2021", "gender": "mand", "topic": "klima,trafik"})
    assert at.selectbox(key="f_wave").value == "2021"
    assert at.multiselect(key="f_gender").value == ["mand"]
    assert at.multiselect(key="f_topic").value == ["klima", "trafik"]
    at.multiselect(key="f_area").set_value(["02"]).run()
    params = {key: at.query_params[key] for key in at.query_params}
    assert params == {"wave": "2021", "gender": "mand", "area": "02", "topic": "klima,trafik"}


def test_unknown_url_values_are_ignored_with_a_notice(app_db):
    at = run_page(
        "overblik", {"wave": "1999", "gender": "mand,robot", "area": "'; DROP TABLE area;--"}
    )
    assert at.multiselect(key="f_gender").value == ["mand"]
    assert at.multiselect(key="f_area").value == []
    notice = " ".join(i.value for i in at.info)
    assert "robot" in notice and "1999" in notice


def test_a_filter_that_matches_nothing_says_so(app_db):
    at = run_page("overblik")
    at.multiselect(key="f_age_band").set_value(["15-17"]).run()
    at.multiselect(key="f_engagement").set_value(["medansvar"]).run()
    at.multiselect(key="f_area").set_value(["05"]).run()
    at.multiselect(key="f_time").set_value(["over_5"]).run()
    assert not at.exception
    if (
        sql_count(
            app_db,
            "AND age_band = '15-17' AND engagement_level = 'medansvar' AND area_code = '05' "
            "AND time_per_month = 'over_5'",
        )
        == 0
    ):
        assert at.warning, "an empty selection must be explained"


def test_english_switch_translates_the_page(app_db):
    at = run_page("overblik")
    at.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "Overview"
    assert at.metric[0].label == "Responses"


@pytest.mark.parametrize("page", ["udforsk", "kort", "grupper"])
def test_every_page_runs_without_exception(app_db, page):
    run_page(page)


def test_explore_counts_equal_sql(app_db):
    at = run_page("udforsk")
    at.selectbox(key="x_rows").set_value("gender").run()
    at.selectbox(key="x_cols").set_value("engagement").run()
    table = at.dataframe[0].value
    con = connect(app_db)
    expected = con.execute(
        "SELECT count(*) FROM respondent WHERE wave_id = '2025' AND gender = 'kvinde' "
        "AND engagement_level = 'aktiv'"
    ).fetchone()[0]
    con.close()
    women = table[table.iloc[:, 0] == "Kvinder"].iloc[0]
    assert as_int(women["Deltage aktivt"]) == expected


def test_map_filter_change_updates_the_table(app_db):
    at = run_page("kort")
    before = at.dataframe[0].value.copy()
    at.multiselect(key="f_gender").set_value(["kvinde"]).run()
    assert not at.exception
    after = at.dataframe[0].value
    assert not before.equals(after)


def test_groups_page_lists_findings(app_db):
    at = run_page("grupper")
    # Labels from the data are Markdown-escaped (issue 13, finding 7): read them as shown.
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "80+" in text


def test_gap_sentences_name_the_filtered_group(app_db):
    at = run_page("overblik")
    at.multiselect(key="f_gender").set_value(["kvinde"]).run()
    gaps = [m.value for m in at.markdown if m.value.startswith("1. ")]
    assert gaps, "the five largest gaps are listed"
    lines = gaps[0].splitlines()
    assert all(line.split(". ", 1)[1].startswith("Kvinder") for line in lines)


def test_weighted_toggle_reweights_the_shares(app_db):
    at = run_page("udforsk")
    at.selectbox(key="x_rows").set_value("age_band").run()
    at.selectbox(key="x_cols").set_value("topic").run()
    at.radio(key="x_measure").set_value("col").run()
    unweighted = at.dataframe[0].value.set_index("Alder")
    at.toggle(key="x_weighted").set_value(True).run()
    assert not at.exception
    weighted = at.dataframe[0].value.set_index("Alder")
    # 80+ answer at a third of the rate, so weighting raises their share of every topic.
    pct = lambda text: float(text.replace(" %", "").replace(",", "."))  # noqa: E731
    assert pct(weighted.loc["80+ år", "Ældrepleje"]) > pct(unweighted.loc["80+ år", "Ældrepleje"])


def test_an_extra_background_column_can_be_crossed(tmp_path, monkeypatch):
    from data_pipeline.ingest.mapping import UserMapping
    from data_pipeline.store.load import ingest
    from data_pipeline.store.sample import SAMPLE_DIR

    path = tmp_path / "extra.duckdb"
    con = connect(path)
    ingest(con, SAMPLE_DIR / "areas.geojson", "areas")
    ingest(con, SAMPLE_DIR / "population.csv", "population")
    survey = tmp_path / "svar_2025.csv"
    rows = ["Alder;Køn;Lokalområde;Uddannelse"] + [
        f"{30 + i % 40};{'Kvinde' if i % 2 else 'Mand'};Nordby;{'Lang' if i % 3 else 'Kort'}"
        for i in range(60)
    ]
    survey.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    mapping = UserMapping.from_dict({"columns": {"Uddannelse": "extra.uddannelse"}})
    ingest(con, survey, "survey", mapping=mapping)
    con.close()
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(path))
    at = run_page("udforsk")
    at.selectbox(key="x_rows").set_value("extra.uddannelse").run()
    at.selectbox(key="x_cols").set_value("gender").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("Uddannelse")
    assert as_int(table.loc["Lang", "Kvinder"]) == sum(1 for i in range(60) if i % 2 and i % 3)


def test_without_population_the_answers_show_and_the_page_says_how_to_load_it(
    tmp_path, monkeypatch
):
    from data_pipeline.store.load import ingest
    from data_pipeline.store.sample import SAMPLE_DIR

    path = tmp_path / "nopop.duckdb"
    con = connect(path)
    ingest(con, SAMPLE_DIR / "areas.geojson", "areas", actor="sample")
    ingest(con, SAMPLE_DIR / "survey_2025.xlsx", "survey", wave="2025", actor="sample")
    con.close()
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(path))
    at = run_page("overblik")
    assert as_int(metric_value(at, 0)) == 9000
    notice = " ".join(i.value for i in at.info)
    assert "befolkningstal" in notice and "--kind population" in notice
    assert "på siden Upload (Befolkningstal)" in notice  # the dashboard's own way first
    for page in ("udforsk", "kort", "grupper"):
        run_page(page)


def test_k_is_configurable(app_db, monkeypatch):
    monkeypatch.setenv("DELTAGELSESATLAS_K", "10")
    import importlib

    from app_support import state

    importlib.reload(state)
    try:
        assert state.K_DEFAULT == 10
        monkeypatch.setenv("DELTAGELSESATLAS_K", "2")
        with pytest.raises(ValueError, match="mindst 3"):
            importlib.reload(state)
    finally:
        monkeypatch.delenv("DELTAGELSESATLAS_K")
        importlib.reload(state)


@pytest.mark.parametrize("params", [{}, {"gender": "kvinde"}])
def test_overview_says_which_rate_the_gaps_compare_with(app_db, params):
    """The gaps compare with the whole municipality among those who gave age, gender and area;
    the headline rate counts every response (and only the filter's). Both are named, and the
    reference is the plain SQL count of respondents with all three known over citizens 15+."""
    from data_pipeline.core.i18n import percent

    at = run_page("overblik", params)
    con = connect(app_db)
    try:
        known, population = con.execute(
            "SELECT (SELECT count(*) FROM respondent WHERE wave_id = '2025' "
            "AND age_band IS NOT NULL AND area_code IS NOT NULL "
            "AND gender IN (SELECT DISTINCT gender FROM population)), "
            "(SELECT sum(count) FROM population WHERE age >= 15 AND period = '2025K4')"
        ).fetchone()
    finally:
        con.close()
    reference = percent(known / population, "da")
    captions = [c.value for c in at.caption if "sammenlignes med svarprocenten" in c.value]
    assert len(captions) == 1, [c.value for c in at.caption]
    assert f"er den {reference}" in captions[0]
    headline = metric_value(at, 1)  # Svarprocent
    assert f"({headline})" in captions[0] and headline != reference
    assert ("hele kommunen" in captions[0]) == bool(params)
