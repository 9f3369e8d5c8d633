"""Panels (issue 17): a stratified lottery over consenting citizens on the sample municipality.

Real DuckDB files, the real solver (sortition-algorithms with HiGHS), the real CLI. The pool is
the citizens of Nordby interested in traffic (about 90), so a solve takes seconds, not minutes.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from data_pipeline.outreach.panel import plan_panel, quotas_for, relax_quotas
from data_pipeline.outreach.panel_draw import draw_panel
from data_pipeline.outreach.panel_model import PanelRequest, QuotasNotMet
from data_pipeline.outreach.panel_record import export_panel
from data_pipeline.privacy.erasure import erase_citizen
from data_pipeline.privacy.roles import AccessDenied, Principal
from data_pipeline.store.db import connect
from tests.conftest import ROOT

OUTREACH = Principal("koordinator", frozenset({"outreach"}))
NORDBY = "01"
SEEDS = range(1, 201)


def copy_of(source, target):
    shutil.copy(source, target)
    shutil.copy(f"{source}.key", f"{target}.key")
    return target


@pytest.fixture(scope="module")
def nordby_plan(sample_db_file, tmp_path_factory):
    path = copy_of(sample_db_file, tmp_path_factory.mktemp("panel") / "p.duckdb")
    con = connect(path)
    request = PanelRequest(topic="trafik", size=10, areas=(NORDBY,), reserve=0)
    plan = plan_panel(con, OUTREACH, request)
    draws = [draw_panel(con, OUTREACH, plan, seed) for seed in SEEDS]
    con.close()
    return plan, draws


def test_the_pool_is_consenting_citizens_of_the_topic_and_area(nordby_plan, sample_db):
    plan, _draws = nordby_plan
    expected = sample_db.execute(
        "SELECT count(DISTINCT r.respondent_id) FROM respondent r JOIN contact c USING "
        "(respondent_id) JOIN respondent_topic t USING (respondent_id) WHERE r.wave_id = '2025' "
        "AND r.consent_contact AND c.withdrawn_at IS NULL AND t.topic = 'trafik' "
        "AND r.area_code = '01' AND coalesce(c.email, c.phone) IS NOT NULL"
    ).fetchone()[0]
    assert len(plan.pool) == expected
    assert list(plan.pool.columns) == ["respondent_id", "age_band", "gender", "area"]


def test_quotas_come_from_the_population_not_the_respondents(nordby_plan, sample_db):
    plan, _draws = nordby_plan
    women, everyone = sample_db.execute(
        "SELECT sum(count) FILTER (WHERE gender = 'kvinde'), sum(count) FROM population "
        "WHERE period = '2025K4' AND area_code = '01' AND age >= 15"
    ).fetchone()
    quota = next(q for q in plan.quotas if (q.feature, q.value) == ("gender", "kvinde"))
    assert quota.share == pytest.approx(women / everyone)
    target = 10 * women / everyone
    assert quota.min == math.floor(target - max(1, 0.2 * target))
    assert quota.max == math.ceil(target + max(1, 0.2 * target))


def test_two_hundred_seeds_meet_the_quotas_every_time(nordby_plan):
    plan, draws = nordby_plan
    assert all(len(d.invited) == 10 for d in draws)
    assert all(d.meets_quotas() for d in draws)
    assert all(set(d.invited) <= set(plan.pool["respondent_id"]) for d in draws)


def test_empirical_frequencies_match_the_reported_probabilities(nordby_plan):
    """Over 200 seeds a person's selection frequency lies within 4 standard errors,
    sqrt(p(1-p)/200), of the probability the algorithm reports (seeds are fixed, so the test
    is deterministic; with ~90 people a 4-SE band fails by chance with probability < 1 %)."""
    plan, draws = nordby_plan
    probability = draws[0].probabilities
    counts = dict.fromkeys(probability, 0)
    for d in draws:
        for person in d.invited:
            counts[person] += 1
    for person, p in probability.items():
        frequency = counts[person] / len(draws)
        band = 4 * math.sqrt(max(p * (1 - p), 1e-4) / len(draws))
        assert abs(frequency - p) <= band, (person, p, frequency)
    assert sum(probability.values()) == pytest.approx(10, abs=1e-6)
    summary = draws[0].probability_summary()
    assert 0 < summary["min"] <= summary["median"] <= summary["max"] <= 1


def test_the_same_seed_gives_the_same_draw(nordby_plan, sample_db_file, tmp_path):
    plan, draws = nordby_plan
    con = connect(copy_of(sample_db_file, tmp_path / "again.duckdb"))
    again = plan_panel(con, OUTREACH, plan.request)
    assert draw_panel(con, OUTREACH, again, 7).invited == draws[6].invited
    # other seeds, other panels: maximin's distribution holds few panels (an LP vertex)
    assert 1 < len({tuple(d.invited) for d in draws}) <= len(plan.solved[0])
    con.close()


def test_a_reserve_list_is_drawn_from_the_rest(nordby_plan, sample_db):
    plan, _draws = nordby_plan
    request = PanelRequest(topic="trafik", size=10, areas=(NORDBY,), reserve=5)
    plan = plan_panel(sample_db, OUTREACH, request)
    drawn = draw_panel(sample_db, OUTREACH, plan, 3)
    assert len(drawn.reserve) == 5 and not set(drawn.reserve) & set(drawn.invited)
    assert draw_panel(sample_db, OUTREACH, plan, 3).reserve == drawn.reserve


@pytest.mark.parametrize("role", ["viewer", "director", "analyst"])
def test_only_outreach_and_admin_may_draw(sample_db, role):
    with pytest.raises(AccessDenied):
        plan_panel(sample_db, Principal("x", frozenset({role})), PanelRequest("trafik", 10))


def test_relaxing_lowers_the_minimum_to_the_pool_and_raises_the_maxima():
    import pandas as pd

    pool = pd.DataFrame(
        {
            "respondent_id": range(6),
            "age_band": ["30-39"] * 6,
            "gender": ["mand", "kvinde"] * 3,
            "area": ["01"] * 6,
        }
    )
    shares = {"age_band": {"18-24": 0.5, "30-39": 0.5}, "gender": {"mand": 0.5, "kvinde": 0.5}}
    shares["area"] = {"01": 1.0}
    quotas = quotas_for(shares, pool, 4)
    young = next(q for q in quotas if q.value == "18-24")
    assert (young.min, young.max, young.pool) == (1, 3, 0)
    relaxed = {q.value: q for q in relax_quotas(quotas, ("age_band",), 4)}
    assert (relaxed["18-24"].min, relaxed["30-39"].max) == (0, 4)
    assert relaxed["mand"].relaxed is False


# --- a pool that cannot fill a quota ---------------------------------------------------------


@pytest.fixture()
def no_young_file(sample_db_file, tmp_path):
    """The sample with every 18-24-year-old's contact consent withdrawn."""
    path = copy_of(sample_db_file, tmp_path / "noyoung.duckdb")
    con = connect(path)
    con.execute(
        "UPDATE contact SET withdrawn_at = now() WHERE respondent_id IN "
        "(SELECT respondent_id FROM respondent WHERE age_band = '18-24')"
    )
    con.close()
    return path


def cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "data_pipeline", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )


def test_an_unfillable_quota_is_named_in_a_sentence(no_young_file):
    con = connect(no_young_file)
    plan = plan_panel(con, OUTREACH, PanelRequest("trafik", 30, areas=(NORDBY,), reserve=0))
    shortfall = next(s for s in plan.shortfalls if s.value == "18-24")
    assert shortfall.sentence.startswith(
        "Der er kun 0 samtykkende 18–24-årige i Nordby, der interesserer sig for trafik;"
    )
    answered = con.execute(
        "SELECT count(*) FROM respondent WHERE wave_id = '2025' AND age_band = '18-24' "
        "AND area_code = '01'"
    ).fetchone()[0]
    assert shortfall.answered == answered
    assert shortfall.formats  # which formats the group prefers
    with pytest.raises(QuotasNotMet, match="18–24-årige i Nordby"):
        draw_panel(con, OUTREACH, plan, 1)
    con.close()


def test_cli_exits_2_with_the_sentence_and_succeeds_when_age_is_relaxed(no_young_file, tmp_path):
    out = tmp_path / "panel.csv"
    base = ["panel", "--db", str(no_young_file), "--topic", "Trafik", "--size", "30"]
    base += ["--area", "Nordby", "--reason", "Trafikdialog nord", "--actor", "koordinator"]
    base += ["--out", str(out), "--seed", "42", "--json"]
    refused = cli(*base)
    assert refused.returncode == 2, refused.stderr
    assert "Der er kun 0 samtykkende 18–24-årige i Nordby" in refused.stderr
    assert "age_band" in refused.stderr and not out.exists()

    done = cli(*base, "--relax", "age_band")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["invited"] == 30 and result["seed"] == 42
    assert all(q["min"] <= q["invited"] <= q["max"] for q in result["quotas"])
    assert out.stat().st_mode & 0o777 == 0o600
    con = connect(no_young_file)
    detail = json.loads(
        con.execute(
            "SELECT detail FROM audit_log WHERE action = 'draw_panel' ORDER BY \"at\" DESC"
        ).fetchone()[0]
    )
    emails = [
        r[0] for r in con.execute("SELECT email FROM contact WHERE email IS NOT NULL").fetchall()
    ]
    invited = con.execute("SELECT count(*) FROM panel_invitation WHERE role = 'invited'").fetchone()
    con.close()
    assert (
        detail["seed"] == 42 and detail["topic"] == "trafik" and detail["relaxed"] == ["age_band"]
    )
    assert detail["reason"] == "Trafikdialog nord" and detail["rows"] == result["rows"]
    assert detail["sha256"] == result["sha256"] and detail["quotas"]
    assert not any(email in json.dumps(detail) for email in emails)
    assert invited == (30,)


def drawn_in_a_process(sample_db_file, target, seed: int, hash_seed: str):
    """The CLI's panel on its own copy of the sample, in a process with this PYTHONHASHSEED:
    who was invited and who is reserve number n, as the database records it."""
    path = copy_of(sample_db_file, target)
    args = ["panel", "--db", str(path), "--topic", "trafik", "--size", "10", "--area", "01"]
    args += ["--reserve", "3", "--seed", str(seed), "--reason", "Trafikdialog nord"]
    args += ["--actor", "koordinator", "--out", str(target.with_suffix(".csv")), "--json"]
    done = cli(*args, env={**os.environ, "PYTHONHASHSEED": hash_seed})
    assert done.returncode == 0, done.stderr
    con = connect(path)
    rows = con.execute(
        "SELECT role, reserve_rank, respondent_id FROM panel_invitation "
        "ORDER BY role, reserve_rank, respondent_id"
    ).fetchall()
    con.close()
    return rows


def test_the_same_seed_gives_the_same_draw_in_every_process(sample_db_file, tmp_path):
    """The package iterates sets of string ids, whose order follows the process's hash seed;
    the solve runs where that seed is fixed, so two processes agree on the panel and reserve."""
    first = drawn_in_a_process(sample_db_file, tmp_path / "one.duckdb", 7, "1")
    second = drawn_in_a_process(sample_db_file, tmp_path / "two.duckdb", 7, "2")
    other_seed = drawn_in_a_process(sample_db_file, tmp_path / "three.duckdb", 8, "2")
    assert [r for r in first if r[0] == "invited"] and [r for r in first if r[0] == "reserve"]
    assert len(first) == 13
    assert first == second
    assert other_seed != first


# --- the record of who was invited ---------------------------------------------------------


def test_the_next_draw_sets_aside_people_invited_recently_and_erasure_forgets_them(sample_db):
    request = PanelRequest("trafik", 10, areas=(NORDBY,), reserve=2)
    first = draw_panel(sample_db, OUTREACH, plan_panel(sample_db, OUTREACH, request), 11)
    export = export_panel(sample_db, OUTREACH, first, "Første dialog", "xlsx")
    assert export.rows == 12 and export.data[:2] == b"PK"

    again = plan_panel(sample_db, OUTREACH, request)
    assert again.set_aside_recent == 10
    assert not set(first.invited) & set(again.pool["respondent_id"])
    second = draw_panel(sample_db, OUTREACH, again, 11)
    assert not set(first.invited) & set(second.invited)

    person = first.invited[0]
    erase_citizen(sample_db, Principal("admin", frozenset({"admin"})), respondent_id=person)
    left = sample_db.execute(
        "SELECT count(*) FROM panel_invitation WHERE respondent_id = $p", {"p": person}
    ).fetchone()[0]
    assert left == 0


def test_probabilities_are_reported_for_every_pool_member(nordby_plan):
    plan, draws = nordby_plan
    assert set(draws[0].probabilities) == set(plan.pool["respondent_id"])
    assert np.isclose(min(draws[0].probabilities.values()), draws[0].probability_summary()["min"])
