"""A loop that closes (issue 17): who of a drawn panel took part in the dialogue, recorded as a
flag per invitation, and shown in the citizens' summary as suppressed aggregates.

Real DuckDB copies of the sample, the real solver, the real CLI and the real report builder.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from data_pipeline.outreach.panel import plan_panel
from data_pipeline.outreach.panel_attendance import read_attendance, record_attendance
from data_pipeline.outreach.panel_draw import draw_panel
from data_pipeline.outreach.panel_model import PanelRequest
from data_pipeline.outreach.panel_record import export_panel
from data_pipeline.present.reports.public import build_public_summary
from data_pipeline.privacy.erasure import erase_citizen
from data_pipeline.privacy.roles import AccessDenied, Principal
from tests.conftest import ROOT

OUTREACH = Principal("koordinator", frozenset({"outreach"}))
ADMIN = Principal("admin", frozenset({"admin"}))


@pytest.fixture()
def dialogue(sample_db):
    """A panel of 20 in Nordby on traffic, drawn and exported; 12 of the invited came."""
    request = PanelRequest("trafik", 20, areas=("01",), reserve=5)
    drawn = draw_panel(sample_db, OUTREACH, plan_panel(sample_db, OUTREACH, request), 5)
    export = export_panel(sample_db, OUTREACH, drawn, "Trafikdialog nord", "csv")
    came = drawn.invited[:12]
    emails = [
        sample_db.execute(
            "SELECT email FROM contact WHERE respondent_id = $r", {"r": rid}
        ).fetchone()[0]
        for rid in came
    ]
    return sample_db, export.draw_id, came, emails


def section_of(con):
    report = build_public_summary(con)
    return [s for s in report.sections if s.key.startswith("dialogue_")]


def test_the_attendance_list_is_matched_and_stored_as_a_flag(dialogue):
    con, draw_id, came, emails = dialogue
    text = "navn;email\n" + "\n".join(f"X;{e.upper()}" for e in emails) + "\nA;ukendt@example.org\n"
    result = record_attendance(con, OUTREACH, draw_id, read_attendance(text.encode()))
    assert (result.took_part, result.unmatched, result.invitations) == (12, 1, 25)
    flagged = con.execute(
        "SELECT respondent_id FROM panel_invitation WHERE attended ORDER BY 1"
    ).fetchall()
    assert [r[0] for r in flagged] == sorted(came)
    assert con.execute(
        "SELECT count(*) FROM panel_invitation WHERE draw_id = $d AND attended IS NULL",
        {"d": draw_id},
    ).fetchone() == (0,)
    detail = con.execute(
        "SELECT detail FROM audit_log WHERE action = 'panel_attendance'"
    ).fetchone()[0]
    assert not any(e in detail.lower() for e in emails) and "ukendt" not in detail
    assert json.loads(detail)["took_part"] == 12


def test_viewer_and_director_cannot_record_attendance(dialogue):
    con, draw_id, _came, emails = dialogue
    for role in ("viewer", "director"):
        with pytest.raises(AccessDenied):
            record_attendance(con, Principal("x", frozenset({role})), draw_id, emails)


def test_the_citizen_summary_shows_invited_and_took_part_with_small_cells_hidden(dialogue):
    con, draw_id, came, emails = dialogue
    assert section_of(con) == []  # nothing until attendance is recorded
    record_attendance(con, OUTREACH, draw_id, emails)
    (section,) = section_of(con)
    assert "inviterede kommunen 20 borgere; 12 af dem deltog" in section.paragraphs[0]
    rows = {row[0]: row for row in section.tables[0].rows}
    women = con.execute(
        "SELECT count(*) FROM respondent WHERE gender = 'kvinde' AND respondent_id IN "
        "(SELECT unnest($ids))",
        {"ids": came},
    ).fetchone()[0]
    invited_women = con.execute(
        "SELECT count(*) FROM respondent r JOIN panel_invitation i USING (respondent_id) "
        "WHERE r.gender = 'kvinde' AND i.role = 'invited' AND i.draw_id = $d",
        {"d": draw_id},
    ).fetchone()[0]
    shown = {rows["Kvinder"][2], rows["Kvinder"][4]}
    assert shown <= {invited_women, women, "<5"}
    for row in rows.values():
        for count, total in ((row[2], 20), (row[4], 12)):
            if count != "<5":  # a shown count is at least 5 and leaves at least 5 (or all)
                assert count >= 5 and (total - count >= 5 or count == total), row
    # 20 people over nine age bands: no age band reaches 5 and leaves 5 in both columns
    hidden_ages = [r for label, r in rows.items() if "årige" in label and r[4] == "<5"]
    assert hidden_ages
    assert rows["Borgere i Nordby"][2:5:2] == [20, 12]


def test_erasure_removes_the_person_from_the_attendance_record(dialogue):
    con, draw_id, came, emails = dialogue
    record_attendance(con, OUTREACH, draw_id, emails)
    erase_citizen(con, ADMIN, respondent_id=came[0])
    assert con.execute(
        "SELECT count(*) FROM panel_invitation WHERE respondent_id = $r", {"r": came[0]}
    ).fetchone() == (0,)
    (section,) = section_of(con)
    assert "inviterede kommunen 19 borgere; 11 af dem deltog" in section.paragraphs[0]


def test_cli_records_attendance_and_says_only_counts(sample_db_file, tmp_path):
    import shutil

    from data_pipeline.store.db import connect

    path = tmp_path / "cli.duckdb"
    shutil.copy(sample_db_file, path)
    shutil.copy(f"{sample_db_file}.key", f"{path}.key")

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "data_pipeline", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )

    drawn = cli(
        *("panel", "--db", str(path), "--topic", "trafik", "--size", "10", "--area", "Nordby"),
        *("--seed", "3", "--reason", "Dialog", "--actor", "anna", "--out", str(tmp_path / "p.csv")),
        "--json",
    )
    assert drawn.returncode == 0, drawn.stderr
    draw_id = json.loads(drawn.stdout)["draw_id"]
    con = connect(path)
    ids = [
        r[0]
        for r in con.execute(
            "SELECT respondent_id FROM panel_invitation WHERE role = 'invited' ORDER BY 1 LIMIT 6"
        ).fetchall()
    ]
    con.close()
    listing = tmp_path / "came.txt"
    listing.write_text("\n".join(map(str, ids)) + "\n")
    done = cli(
        *("panel-attendance", "--db", str(path), "--draw", str(draw_id)),
        *("--file", str(listing), "--actor", "anna", "--json"),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "draw_id": draw_id,
        "invitations": 13,
        "entries": 6,
        "took_part": 6,
        "unmatched": 0,
    }
    unknown = cli(
        *("panel-attendance", "--db", str(path), "--draw", "99"),
        *("--file", str(listing), "--actor", "anna"),
    )
    assert unknown.returncode == 2 and "ingen udtrækning nr. 99" in unknown.stderr
