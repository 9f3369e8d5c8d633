"""Goals for the term (issue 17): versioned, set by a director, followed over the survey waves.

Real DuckDB copies of the sample, the real CLI and the Mål page in AppTest.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline.analysis.goal_progress import (
    BEHIND,
    ON_TRACK,
    UNKNOWN,
    current_status,
    status_for,
)
from data_pipeline.analysis.goal_words import goal_sentence
from data_pipeline.analysis.goals import current_goals, goal_history, retire_goal, set_goal
from data_pipeline.core.i18n import t
from data_pipeline.privacy.roles import AccessDenied, Principal
from data_pipeline.store.db import connect
from tests.conftest import ROOT

DIRECTOR = Principal("direktør@kommune.dk", frozenset({"director"}))


@pytest.mark.parametrize(
    ("low", "high", "target", "expected"),
    [
        (0.85, 1.0, 0.8, ON_TRACK),  # the whole interval at or above the target
        (0.8, 0.9, 0.8, ON_TRACK),
        (0.6, 0.79, 0.8, BEHIND),  # wholly below
        (0.7, 0.9, 0.8, UNKNOWN),  # the interval holds the target: cannot tell yet
        (None, None, 0.8, UNKNOWN),  # too few answers to show a figure
        (float("nan"), float("nan"), 0.8, UNKNOWN),
    ],
)
def test_status_follows_the_interval(low, high, target, expected):
    assert status_for(low, high, target) == expected


def test_a_changed_goal_keeps_its_history(sample_db):
    first = set_goal(sample_db, DIRECTOR, "age_band", "18-24", 0.8, 2029)
    changed = set_goal(sample_db, DIRECTOR, "age_band", "18-24", 0.9, 2029, goal_id=first.goal_id)
    assert (first.version, changed.version) == (1, 2)
    assert [g.target for g in goal_history(sample_db, first.goal_id)] == [0.8, 0.9]
    assert [(g.goal_id, g.target, g.set_by) for g in current_goals(sample_db)] == [
        (first.goal_id, 0.9, "direktør@kommune.dk")
    ]
    retire_goal(sample_db, DIRECTOR, first.goal_id)
    assert current_goals(sample_db) == [] and len(goal_history(sample_db)) == 3
    actions = sample_db.execute(
        "SELECT action FROM audit_log WHERE action LIKE '%goal' ORDER BY \"at\""
    ).fetchall()
    assert actions == [("set_goal",), ("set_goal",), ("retire_goal",)]


@pytest.mark.parametrize("role", ["viewer", "analyst", "outreach"])
def test_only_director_and_admin_set_goals(sample_db, role):
    with pytest.raises(AccessDenied):
        set_goal(sample_db, Principal("x", frozenset({role})), "gender", "mand", 1.0, 2029)


def test_goals_read_as_sentences(sample_db):
    young = set_goal(sample_db, DIRECTOR, "age_band", "18-24", 0.8, 2029)
    harbour = set_goal(sample_db, DIRECTOR, "area", "04", 1.0, 2029)
    assert goal_sentence(sample_db, young) == (
        "18–24-årige skal udgøre mindst 0,80 af deres andel blandt deltagerne inden 2029."
    )
    assert goal_sentence(sample_db, harbour) == (
        "Svarprocenten i Havnekvarteret skal op på kommunens niveau inden 2029."
    )


def test_the_status_moves_when_a_wave_is_added(sample_db):
    """In 2025 18–24-year-olds answer like everyone (interval around 1), so a goal of 0.8 is on
    track; a new wave in which only one in five of them answers puts it behind."""
    goal = set_goal(sample_db, DIRECTOR, "age_band", "18-24", 0.8, 2029)
    before = current_status(sample_db, goal)
    assert before["wave"] == "2025" and before["status"] == ON_TRACK
    sample_db.execute(
        "INSERT INTO survey_wave VALUES ('2029', 'Borgerundersøgelse 2029', 2029, NULL, NULL)"
    )
    sample_db.execute(
        "INSERT INTO respondent SELECT * REPLACE (respondent_id + 1000000 AS respondent_id, "
        "'2029' AS wave_id) FROM respondent WHERE wave_id = '2025' "
        "AND (age_band IS DISTINCT FROM '18-24' OR respondent_id % 5 = 0)"
    )
    after = current_status(sample_db, goal)
    assert after["wave"] == "2029" and after["status"] == BEHIND
    assert after["ci_high"] < 0.8 <= before["ci_low"]


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "data_pipeline", *args], cwd=ROOT, capture_output=True, text=True
    )


@pytest.fixture()
def goals_file(sample_db_file, tmp_path):
    path = tmp_path / "goals.duckdb"
    shutil.copy(sample_db_file, path)
    shutil.copy(f"{sample_db_file}.key", f"{path}.key")
    return path


def test_goals_are_set_and_listed_through_the_cli(goals_file):
    db = str(goals_file)
    done = cli("goals", "set", "--db", db, "--dimension", "area", "--group", "Havnekvarteret")
    assert done.returncode == 2 and "--target" in done.stderr
    args = ["--target", "1", "--year", "2029", "--actor", "direktør", "--json"]
    done = cli(
        "goals", "set", "--db", db, "--dimension", "area", "--group", "Havnekvarteret", *args
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["group"] == "04"
    listed = json.loads(cli("goals", "list", "--db", db, "--json").stdout)
    assert [(g["goal_id"], g["set_by"], g["status"]) for g in listed] == [(1, "direktør", BEHIND)]


@pytest.fixture()
def page_db(goals_file, monkeypatch):
    con = connect(goals_file)
    set_goal(con, DIRECTOR, "age_band", "18-24", 0.8, 2029)
    set_goal(con, DIRECTOR, "area", "04", 1.0, 2029)
    con.close()
    monkeypatch.setenv("DELTAGELSESATLAS_DB", str(goals_file))
    monkeypatch.delenv("DELTAGELSESATLAS_PRODUCTION", raising=False)
    return goals_file


def run(page: str, role: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["demo_role"] = role
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_goals_page_shows_two_goals_with_their_status(page_db):
    at = run("pages/maal.py", "director")
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == t("goals.title", "da")
    text = " ".join(m.value for m in [*at.subheader, *at.markdown])
    assert "18–24-årige skal udgøre mindst 0,80" in text
    assert "Svarprocenten i Havnekvarteret" in text and t("goals.status.behind", "da") in text


def test_a_viewer_cannot_reach_the_goals_page(page_db):
    at = run("pages/maal.py", "viewer")
    assert [e.value for e in at.error] == [t("auth.denied", "da")]
    assert not [b for b in at.button if b.label == t("goals.save", "da")]


def test_overblik_has_a_status_line_per_goal(page_db):
    at = run("pages/overblik.py", "director")
    text = " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)
    assert "18–24-årige skal udgøre mindst 0,80" in text
    assert "Svarprocenten i Havnekvarteret" in text


def test_the_council_report_has_a_page_on_the_goals(sample_db):
    import io

    from pypdf import PdfReader

    from data_pipeline.analysis.filtering import Filters
    from data_pipeline.analysis.segments import fit_segments
    from data_pipeline.present import reports

    set_goal(sample_db, DIRECTOR, "area", "04", 1.0, 2029)
    segments = fit_segments(sample_db, Filters(wave="2025"))
    report = reports.build_report(sample_db, Filters(), segments=segments)
    titles = [s.title for s in report.sections]
    assert titles[-2] == "Status på målene"  # just before the method
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(reports.render(report, "pdf"))).pages]
    page = next(p for p in pages if "Status på målene" in p)
    assert "Svarprocenten i Havnekvarteret skal op på kommunens niveau inden 2029." in page
    assert t("goals.status.behind", "da") in page.lower()


def test_a_report_without_goals_has_no_goals_page(sample_db):
    from data_pipeline.analysis.filtering import Filters
    from data_pipeline.analysis.segments import fit_segments
    from data_pipeline.present import reports

    segments = fit_segments(sample_db, Filters(wave="2025"))
    report = reports.build_report(sample_db, Filters(), segments=segments)
    assert "Status på målene" not in [s.title for s in report.sections]


def test_a_wave_without_answers_does_not_count(sample_db):
    goal = set_goal(sample_db, DIRECTOR, "gender", "mand", 1.0, 2029)
    sample_db.execute("INSERT INTO survey_wave VALUES ('2029', 'Tom', 2029, NULL, NULL)")
    assert current_status(sample_db, goal)["wave"] == "2025"


# --- goals over the participation platforms ("borgerdialoger" on Go Vocal / Decidim) --------


def test_a_platform_goal_is_measured_on_the_platform_participants(sample_db):
    """The ratio is the group's share of the distinct platform participants (their latest
    known age) against its share of the population 15+, not the survey's."""
    goal = set_goal(sample_db, DIRECTOR, "age_band", "18-24", 0.8, 2029, channel="platforms")
    n_group, n_known = sample_db.execute(
        "WITH people AS (SELECT user_key, arg_max(age, occurred_at) AS age "
        "FROM platform_activity WHERE user_key <> '' GROUP BY 1) "
        "SELECT count(*) FILTER (WHERE age BETWEEN 18 AND 24), count(*) FILTER (WHERE age >= 15) "
        "FROM people"
    ).fetchone()
    pop_group, pop_all = sample_db.execute(
        "SELECT sum(count) FILTER (WHERE age BETWEEN 18 AND 24), sum(count) FROM population "
        "WHERE age >= 15 AND period = (SELECT max(period) FROM population WHERE age IS NOT NULL)"
    ).fetchone()
    expected = (n_group / pop_group) / (n_known / pop_all)
    now = current_status(sample_db, goal)
    assert now["ratio"] == pytest.approx(expected)
    assert now["ci_low"] < expected < now["ci_high"]
    assert now["status"] == status_for(now["ci_low"], now["ci_high"], 0.8)
    assert now["wave"].startswith("Go Vocal")
    assert "borgerdialoger på platformene" in goal_sentence(sample_db, goal)
    # a new version keeps the channel; a target above the interval is behind
    changed = set_goal(sample_db, DIRECTOR, "age_band", "18-24", 3, 2029, goal_id=goal.goal_id)
    assert changed.metric == goal.metric
    assert current_status(sample_db, changed)["status"] == BEHIND
    survey = set_goal(sample_db, DIRECTOR, "age_band", "18-24", 0.8, 2029)
    assert current_status(sample_db, survey)["wave"] == "2025"


def test_a_platform_goal_is_set_through_the_cli(goals_file):
    done = cli(
        *("goals", "set", "--db", str(goals_file), "--dimension", "age_band", "--group", "18-24"),
        *("--target", "0.8", "--year", "2029", "--channel", "platforms", "--json"),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["channel"] == "platforms"
    listed = json.loads(cli("goals", "list", "--db", str(goals_file), "--json").stdout)
    assert listed[0]["wave"].startswith("Go Vocal")


def test_the_goals_page_sets_a_platform_goal(page_db):
    at = run("pages/maal.py", "director")
    at.selectbox(key="g_dimension").set_value("age_band").run()
    at.selectbox(key="g_group").set_value("25-29")
    at.radio(key="g_channel").set_value("platforms")
    at.button(key="FormSubmitter:g_form-" + t("goals.save", "da")).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    text = " ".join(m.value for m in [*at.subheader, *at.markdown])
    assert "25–29-årige skal udgøre mindst 0,80 af deres andel blandt deltagerne i " in text
    assert "borgerdialoger på platformene" in text and "Go Vocal" in text


def test_the_goals_page_shows_and_reads_the_target_as_a_danish_decimal(page_db):
    at = run("pages/maal.py", "director")
    target = at.text_input(key="g_target")
    assert target.value == "0,80"  # not the number input's "0.80"
    target.set_value("1,25")
    at.button(key="FormSubmitter:g_form-" + t("goals.save", "da")).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    text = " ".join(m.value for m in [*at.subheader, *at.markdown])
    assert "mindst 1,25" in text


@pytest.mark.parametrize("typed", ["0.8", "abc", "", "7", "0,01"])
def test_a_target_not_written_as_a_danish_decimal_says_how_to_write_it(page_db, typed):
    at = run("pages/maal.py", "director")
    at.text_input(key="g_target").set_value(typed)
    at.button(key="FormSubmitter:g_form-" + t("goals.save", "da")).click().run()
    assert [e.value for e in at.error] == [
        "Skriv målet som et tal mellem 0,05 og 5 med komma som decimaltegn, fx 0,80."
    ]
    assert len(at.subheader) == 2  # nothing was saved: still the two goals of the fixture


def test_the_english_goals_page_reads_an_english_decimal(page_db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["demo_role"] = "director"
    at.query_params["lang"] = "en"
    at.switch_page("pages/maal.py")
    at.run()
    assert at.text_input(key="g_target").value == "0.80"
