"""Injection: SQL through filter values, survey cells and mapping files; HTML or script in
answers shown as text; and the differencing attack on suppressed cells."""

from __future__ import annotations

import json

import pytest

from data_pipeline.analysis.counting import count_respondents
from data_pipeline.analysis.filtering import Filters
from data_pipeline.core.errors import InvalidFile
from data_pipeline.ingest.mapping import UserMapping
from data_pipeline.present.explore import explore_view
from data_pipeline.store.load import ingest
from data_pipeline.store.sample import SAMPLE_DIR
from tests.security.helpers import app, visible_text

SQL_PAYLOADS = [
    "01' OR '1'='1",
    "01'); DROP TABLE contact; --",
    "x' UNION SELECT email FROM contact --",
]


def tables(con) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary"
        ).fetchall()
    }


@pytest.mark.parametrize("payload", SQL_PAYLOADS)
def test_sql_in_filter_values_is_only_ever_a_value(sample_db, payload):
    """As an attacker typing SQL into a filter, I match nothing and drop nothing."""
    before = tables(sample_db)
    filters = Filters(wave="2025", areas=(payload,), age_bands=(payload,), genders=(payload,))
    assert count_respondents(sample_db, filters) == 0
    assert count_respondents(sample_db, Filters(wave="2025", topics=(payload,))) == 0
    assert tables(sample_db) == before


def test_sql_in_the_query_string_is_ignored_with_a_notice(app_db):
    """As an attacker editing the shared link, my values are dropped and named in a notice."""
    at = app(params={"area": SQL_PAYLOADS[0], "topic": SQL_PAYLOADS[1]})
    notice = " ".join(i.value for i in at.info).replace("\\", "")  # shown Markdown-escaped
    assert "OR '1'='1" in notice
    assert at.metric[0].value == "9.000"


def survey_with(tmp_path, postal: str):
    lines = (SAMPLE_DIR / "survey_2021.csv").read_text(encoding="cp1252").splitlines()
    header, first = lines[0], lines[1].split(";")
    first[4] = postal
    rows = [header, ";".join(first), *lines[2:40]]
    path = tmp_path / "survey_2029.csv"
    path.write_text("\n".join(rows) + "\n", encoding="cp1252")
    return path


def test_sql_inside_a_survey_cell_is_rejected_as_data(areas_db, tmp_path):
    """As an attacker answering the survey with SQL as my postal code, my row is rejected
    with a reason, the value is stored as text, and no table is touched."""
    before = tables(areas_db)
    payload = "7400' OR '1'='1' UNION SELECT email FROM contact --"
    result = ingest(areas_db, survey_with(tmp_path, payload), "survey", wave="2029")
    assert result.status == "loaded"
    assert any(r["value"] == payload for r in result.rejections)
    assert tables(areas_db) == before
    assert result.rows_loaded == areas_db.execute("SELECT count(*) FROM respondent").fetchone()[0]


@pytest.mark.parametrize(
    "target",
    ["respondent; DROP TABLE contact", 'extra.x"; DROP TABLE contact; --', "contact.email"],
)
def test_a_mapping_file_naming_an_unknown_or_malicious_field_is_refused(tmp_path, target):
    """As an analyst loading a mapping file, a target that is not a canonical field is refused
    before any SQL is built from it."""
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps({"columns": {"Alder": target}}), encoding="utf-8")
    with pytest.raises(InvalidFile, match="unknown field"):
        UserMapping.from_file(path)


def test_html_in_an_answer_is_shown_as_plain_text(app_db, tmp_path):
    """As a director I see a citizen's '<img onerror>' answer as text: no markdown element that
    carries it is allowed to render HTML."""
    from data_pipeline.store.db import connect

    con = connect(app_db)
    con.execute(
        "UPDATE area SET name = '<img src=x onerror=alert(1)><script>alert(2)</script>' "
        "WHERE area_code = '01'"
    )
    con.close()
    at = app("grupper", role="admin")
    at.radio(key="g_split").set_value("area").run()
    assert "<script>" in visible_text(at) or "onerror" in visible_text(at)
    for element in at.markdown:
        if "<script" in element.value or "onerror" in element.value:
            assert not element.proto.allow_html, element.value


def test_differencing_a_filtered_view_against_its_total_reveals_no_small_cell(sample_db):
    """As an attacker I subtract the visible cells of a row from its total to recover a hidden
    count: every row hides either none or at least two cells."""
    frame = explore_view(
        sample_db, Filters(wave="2025", topics=("klima",)), "area", "age_band", "count", k=5
    )
    for _, row in frame.groupby("row"):
        assert row["suppressed"].sum() != 1
    assert frame.loc[frame["suppressed"], "value"].isna().all()
