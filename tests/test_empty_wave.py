"""No page crashes on an empty wave: every page, as every role, with a survey wave selected that
has no respondents, shows a sentence and never an exception or an error box. Grupper and
Kontakt also survive filters that leave 0 or 1-4 respondents.

Real Streamlit runs (AppTest) against a real DuckDB copy of the sample.
"""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from app_support.navigation import PAGES
from data_pipeline.core.i18n import t
from data_pipeline.privacy.roles import ROLES, can_see_page
from data_pipeline.store.db import connect
from tests.conftest import ROOT

TIMEOUT = 120
EMPTY = "2029"
# Pages that read the survey wave; Aktivitet (platform data), Upload and Admin do not.
WAVE_PAGES = {"overblik", "udforsk", "kort", "grupper", "rapport", "kontakt"}


@pytest.fixture(scope="module")
def empty_wave_db(sample_db_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("empty_wave") / "atlas.duckdb"
    shutil.copy(sample_db_file, path)
    shutil.copy(f"{sample_db_file}.key", f"{path}.key")
    con = connect(path)
    con.execute("INSERT INTO survey_wave VALUES ($w, 'Tom bølge', 2029, NULL, NULL)", {"w": EMPTY})
    con.close()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DELTAGELSESATLAS_DB", str(path))
        patch.delenv("DELTAGELSESATLAS_PRODUCTION", raising=False)
        yield path


def run(page: str, role: str, params: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["demo_role"] = role
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page)
    at.run()
    return at


def assert_no_failure(at: AppTest, where: str) -> None:
    assert not at.exception, (where, [e.value for e in at.exception])
    assert not at.error, (where, [e.value for e in at.error])


def test_every_page_and_every_role_survives_an_empty_wave(empty_wave_db):
    sentence = t("wave.empty", "da", wave=EMPTY)
    refusal = t("auth.denied", "da")
    checked = 0
    for role in ROLES:
        for path, _title, _icon, url in PAGES:
            at = run(path, role, {"wave": EMPTY})
            if not can_see_page({role}, url):  # the role's refusal, and nothing else
                assert not at.exception, (url, role, [e.value for e in at.exception])
                assert [e.value for e in at.error] in ([], [refusal]), (url, role)
                continue
            assert_no_failure(at, f"{url} as {role}")
            if url in WAVE_PAGES:
                assert at.selectbox(key="f_wave").value == EMPTY, (url, role)
                assert sentence in [i.value for i in at.info], (url, role)
                assert not at.dataframe and not at.metric, (url, role)
                checked += 1
    assert checked == 21  # viewer 4, director 5, analyst 5, outreach 1, admin 6 (wave pages)


@pytest.mark.parametrize("url", sorted(WAVE_PAGES))
def test_the_empty_wave_sentence_is_english_too(empty_wave_db, url):
    at = run(f"pages/{url}.py", "admin", {"wave": EMPTY, "lang": "en"})
    assert_no_failure(at, url)
    assert t("wave.empty", "en", wave=EMPTY) in [i.value for i in at.info]


def count(path, where: str) -> int:
    con = connect(path)
    try:
        sql = f"SELECT count(*) FROM respondent WHERE wave_id = '2025' AND {where}"  # noqa: S608
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


ZERO = {"area": "05", "age": "15-17", "engagement": "medansvar", "time": "over_5"}
ZERO_SQL = (
    "area_code = '05' AND age_band = '15-17' AND engagement_level = 'medansvar' "
    "AND time_per_month = 'over_5'"
)
FEW = {"area": "02", "age": "80+", "gender": "mand", "engagement": "medansvar"}
FEW_SQL = (
    "area_code = '02' AND age_band = '80+' AND gender = 'mand' AND engagement_level = 'medansvar'"
)


@pytest.mark.parametrize(
    ("params", "where", "low", "high"), [(ZERO, ZERO_SQL, 0, 0), (FEW, FEW_SQL, 1, 4)]
)
def test_grupper_and_kontakt_survive_0_or_1_to_4_respondents(
    empty_wave_db, params, where, low, high
):
    assert low <= count(empty_wave_db, where) <= high
    params = {"wave": "2025", **params}
    groups = run("pages/grupper.py", "analyst", params)
    assert_no_failure(groups, "grupper")
    said = [w.value for w in groups.warning] + [i.value for i in groups.info]
    expected = t("filter.empty", "da") if high == 0 else t("groups.too_few", "da", k=5)
    assert expected in said
    assert not groups.dataframe, "no table of suppressed cells for a handful of people"
    contact = run("pages/kontakt.py", "outreach", params)
    assert_no_failure(contact, "kontakt")
    assert contact.metric[0].value == "<5"
