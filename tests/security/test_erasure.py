"""Erasure on request and retention: the citizen is deleted from every table and the erased
values are physically gone from the database file; the audit log says only that it happened."""

from __future__ import annotations

import json

import pytest

from data_pipeline.cli.main import main
from data_pipeline.privacy.erasure import erase_citizen
from data_pipeline.privacy.roles import AccessDenied, Principal
from data_pipeline.store.db import connect
from tests.security.helpers import app

RESPONDENT_TABLES = ("respondent", "respondent_topic", "respondent_format", "contact")


def a_citizen(path) -> dict:
    """A consenting 2025 respondent with topics, formats and contact details."""
    con = connect(path)
    row = con.execute(
        "SELECT c.respondent_id, c.email, c.phone FROM contact c "
        "JOIN respondent r USING (respondent_id) WHERE r.wave_id = '2025' "
        "AND c.email IS NOT NULL AND c.phone IS NOT NULL "
        "AND respondent_id IN (SELECT respondent_id FROM respondent_format) ORDER BY 1 LIMIT 1"
    ).fetchone()
    counts = {t: rows(con, t, row[0]) for t in RESPONDENT_TABLES}
    totals = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in RESPONDENT_TABLES}
    con.close()
    assert all(counts.values()), counts
    return {"id": row[0], "email": row[1], "phone": row[2], "counts": counts, "totals": totals}


def rows(con, table: str, respondent_id: int) -> int:
    sql = f"SELECT count(*) FROM {table} WHERE respondent_id = $id"  # noqa: S608
    return con.execute(sql, {"id": respondent_id}).fetchone()[0]


def file_holds(path, text: str) -> bool:
    return text.encode("utf-8") in path.read_bytes()


def test_erasure_by_email_removes_the_bytes_from_the_database_file(db_file, capsys):
    """As a citizen who asked to be forgotten, my email and phone number are in no table and
    nowhere in the database file afterwards, while everyone else is still there."""
    citizen = a_citizen(db_file)
    assert file_holds(db_file, citizen["email"]) and file_holds(db_file, citizen["phone"])
    code = main(
        ["erase", "--db", str(db_file), "--email", citizen["email"].upper(), "--actor", "dpo",
         "--json"]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert json.loads(printed)["respondents"] == 1 and citizen["email"] not in printed
    assert not file_holds(db_file, citizen["email"])
    assert not file_holds(db_file, citizen["phone"])
    con = connect(db_file)
    for table in RESPONDENT_TABLES:
        assert rows(con, table, citizen["id"]) == 0
        remaining = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        assert remaining == citizen["totals"][table] - citizen["counts"][table]
    con.close()


def test_the_audit_entry_says_that_an_erasure_happened_not_what(db_file):
    """As the DPO I see who erased and when; the log itself does not identify the citizen."""
    citizen = a_citizen(db_file)
    assert main(["erase", "--db", str(db_file), "--respondent", str(citizen["id"]),
                 "--actor", "dpo"]) == 0  # fmt: skip
    con = connect(db_file)
    actor, action, detail = con.execute(
        'SELECT actor, action, detail FROM audit_log ORDER BY "at" DESC LIMIT 1'
    ).fetchone()
    con.close()
    assert (actor, action) == ("dpo", "erase")
    assert citizen["email"] not in detail and str(citizen["id"]) not in json.loads(detail).values()
    assert not file_holds(db_file, citizen["email"])


def test_an_unknown_citizen_is_reported_and_nothing_else_changes(db_file):
    """As an administrator I am told when no one matches, and no other citizen is touched."""
    citizen = a_citizen(db_file)
    code = main(["erase", "--db", str(db_file), "--email", "nobody@example.org", "--actor", "a"])
    assert code == 2
    con = connect(db_file)
    assert {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in RESPONDENT_TABLES
    } == citizen["totals"]
    con.close()


def test_purge_contacts_deletes_old_contact_details_and_their_bytes(db_file):
    """As the DPO I enforce a retention period: contact details older than it are deleted and
    gone from the file; newer ones and all answers stay."""
    con = connect(db_file)
    old = con.execute(
        "SELECT email FROM contact WHERE consent_at < current_localtimestamp() - INTERVAL 36 MONTH "
        "AND email IS NOT NULL LIMIT 1"
    ).fetchone()[0]
    recent = con.execute(
        "SELECT count(*) FROM contact WHERE consent_at >= current_localtimestamp() - INTERVAL 36 MONTH"
    ).fetchone()[0]
    respondents = con.execute("SELECT count(*) FROM respondent").fetchone()[0]
    con.close()
    assert file_holds(db_file, old)
    assert main(["purge-contacts", "--db", str(db_file), "--older-than", "36"]) == 0
    assert not file_holds(db_file, old)
    con = connect(db_file)
    assert con.execute("SELECT count(*) FROM contact").fetchone()[0] == recent > 0
    assert con.execute("SELECT count(*) FROM respondent").fetchone()[0] == respondents
    con.close()


@pytest.mark.parametrize("role", ["viewer", "director", "analyst", "outreach"])
def test_only_an_admin_may_erase(sample_db, role):
    """As an outreach coordinator I cannot erase anyone, even by calling the function."""
    first = sample_db.execute("SELECT min(respondent_id) FROM respondent").fetchone()[0]
    with pytest.raises(AccessDenied):
        erase_citizen(sample_db, Principal("x", frozenset({role})), respondent_id=first)
    still = "SELECT count(*) FROM respondent WHERE respondent_id = $id"
    assert sample_db.execute(still, {"id": first}).fetchone()[0] == 1


def test_the_admin_page_erases_a_citizen_and_rewrites_the_file(app_db):
    """As an administrator I erase a citizen from the admin page; the email is gone from the
    database file, the page shows no email, and the app keeps working."""
    citizen = a_citizen(app_db)
    at = app("admin", role="admin")
    at.radio(key="a_by").set_value("email")
    at.text_input(key="a_value").input(citizen["email"])
    at.checkbox(key="a_confirm").check()
    at.button(key="FormSubmitter:a_erase-Slet borgeren").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success, [e.value for e in at.error]
    assert not file_holds(app_db, citizen["email"])
    from tests.security.helpers import visible_text

    assert citizen["email"] not in visible_text(at)
    overview = app(role="admin")
    assert overview.metric[0].value
