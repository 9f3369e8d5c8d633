"""Roles and login: each role sees only its pages, privileged pages check the role again, and a
viewer cannot reach contact data by URL, query string or session-state tricks."""

from __future__ import annotations

import pytest

from app_support.navigation import PAGES, pages_for
from data_pipeline.privacy.roles import RoleMap, only_sample_data, roles_from_claims, visible_pages
from data_pipeline.store.db import connect
from data_pipeline.store.load import ingest, undo
from data_pipeline.store.sample import SAMPLE_DIR
from tests.security.helpers import app, visible_text

ALL = [url for *_rest, url in PAGES]
DIRECTOR = ["overblik", "udforsk", "kort", "grupper", "aktivitet", "rapport"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("viewer", ["overblik", "kort", "grupper", "rapport"]),
        ("director", [*DIRECTOR, "maal"]),
        ("analyst", [*DIRECTOR, "upload"]),
        ("outreach", ["kontakt"]),
        ("admin", ALL),
        ("superuser", []),
    ],
)
def test_each_role_sees_only_its_pages(role, expected):
    """As a council member (viewer) my menu has the suppressed overview, map, groups and the
    council report only."""
    assert visible_pages({role}, ALL) == [url for url in ALL if url in expected]
    assert [url for *_rest, url in pages_for({role})] == [url for url in ALL if url in expected]


def test_roles_come_from_the_entra_roles_claim_and_the_role_file(tmp_path):
    """As IT I assign app roles in Entra ID, or map emails and groups in a role file; an unknown
    role name grants nothing."""
    role_file = tmp_path / "roles.toml"
    role_file.write_text(
        '[users]\n"Anna@Kommune.dk" = ["outreach"]\n[groups]\n"grp-analyse" = ["analyst", "root"]\n',
        encoding="utf-8",
    )
    role_map = RoleMap.from_file(role_file)
    assert roles_from_claims({"roles": ["Director", "god"]}) == {"director"}
    assert roles_from_claims({"email": "anna@kommune.dk"}, role_map) == {"outreach"}
    assert roles_from_claims(
        {"preferred_username": "bo@kommune.dk", "groups": ["grp-analyse"]}, role_map
    ) == {"analyst"}
    assert roles_from_claims({"email": "eve@example.org", "roles": "admin "}, role_map) == {"admin"}
    assert roles_from_claims({"email": "eve@example.org"}, role_map) == frozenset()


def contact_values(path) -> list[str]:
    con = connect(path)
    values = [
        r[0]
        for r in con.execute(
            "SELECT email FROM contact WHERE email IS NOT NULL LIMIT 200"
        ).fetchall()
    ]
    con.close()
    return values


@pytest.mark.parametrize("page", ["kontakt", "admin"])
def test_a_viewer_switching_to_a_privileged_page_never_sees_it(app_db, page):
    """As a viewer who follows a link to /kontakt or /admin, I land elsewhere and see no
    contact data: the page is not in my navigation at all."""
    emails = contact_values(app_db)
    at = app(page, role="viewer")
    text = visible_text(at)
    assert "Kontakt borgere" not in text and "Slet en borger" not in text
    assert not any(email in text for email in emails)
    assert not at.get("download_button")


@pytest.mark.parametrize("page", ["kontakt", "admin"])
def test_a_privileged_page_refuses_a_viewer_even_when_its_script_runs(app_db, page):
    """As a viewer who reaches the page script itself (a stale link, Streamlit's pages/ folder
    mode), the page checks my role again and refuses before drawing anything."""
    emails = contact_values(app_db)
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)
    at.session_state["demo_role"] = "viewer"
    at.run()
    assert not at.exception
    assert any("adgang" in e.value for e in at.error)
    assert not any(email in visible_text(at) for email in emails)
    assert not at.metric and not at.get("download_button") and not at.dataframe


@pytest.mark.parametrize(
    "tricks",
    [
        {"roles": ["admin"], "role": "admin", "_principal": "admin", "user": {"roles": ["admin"]}},
        {"demo_role": "superuser"},  # an unknown role falls back to the least privilege
    ],
)
def test_session_state_and_query_string_tricks_do_not_grant_contact_data(app_db, tricks):
    """As a viewer I set session-state keys and query parameters that look like roles; the
    Kontakt page still refuses me."""
    emails = contact_values(app_db)
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["demo_role"] = "viewer"
    for key, value in tricks.items():
        at.session_state[key] = value
    for key, value in {"role": "admin", "roles": "admin", "demo_role": "admin"}.items():
        at.query_params[key] = value
    at.switch_page("pages/kontakt.py")
    at.run()
    assert not at.exception
    assert any("adgang" in e.value for e in at.error)
    assert not any(email in visible_text(at) for email in emails)


def test_the_outreach_role_reaches_the_kontakt_page(app_db):
    """As a dialogue coordinator I do reach the Kontakt page (the refusal is about the role)."""
    at = app("kontakt", role="outreach")
    assert not at.error and at.metric


def test_production_without_login_refuses_to_start(app_db, monkeypatch):
    """As IT I cannot start the app in production without [auth]: it refuses, no data shown."""
    monkeypatch.setenv("DELTAGELSESATLAS_PRODUCTION", "1")
    at = app()
    assert any("auth" in e.value for e in at.error)
    assert not at.metric


def test_only_the_embedded_sample_counts_as_sample_data(db_file, tmp_path):
    """As IT I cannot expose real data without login: a file loaded from the command line, or
    in the demo itself (actor `demo:…`), or under the actor name `sample`, makes the data real;
    only the embedded sample files' own bytes count as sample (issue 13, finding 3)."""
    lines = (SAMPLE_DIR / "survey_2021.csv").read_bytes().splitlines(keepends=True)
    con = connect(db_file)
    assert only_sample_data(con)
    for number, actor in enumerate(("demo:analyst", "sample", "it-drift")):
        real = tmp_path / f"survey_{2028 + number}.csv"
        real.write_bytes(b"".join(lines[: 41 + number]))
        result = ingest(con, real, "survey", wave=str(2028 + number), actor=actor)
        assert result.status == "loaded"
        assert not only_sample_data(con), actor
        undo(con, result.batch_id, actor="it-drift")
        assert only_sample_data(con)
    con.close()


def test_with_auth_configured_an_anonymous_visitor_sees_only_the_login(app_db):
    """As an anonymous visitor to a configured deployment I see a login button and nothing else."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
    at.switch_page("pages/kontakt.py")
    at.run()
    assert not at.exception
    assert at.button(key="auth_login")
    assert not at.metric and not at.sidebar.selectbox
