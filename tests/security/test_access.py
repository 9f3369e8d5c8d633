"""Who may use the app without login (issue 13, findings 3 and 4): the production flag read
strictly, production by default on real data, and demo mode only on the sample data for a
browser on the server's own machine, as the connection itself tells."""

from __future__ import annotations

import socket

import pytest

import data_pipeline.privacy.roles as auth
from data_pipeline.store.db import connect
from data_pipeline.store.load import ingest
from data_pipeline.store.sample import SAMPLE_DIR
from tests.browser_support import chromium, requires_chromium, streamlit_server
from tests.security.helpers import app, copy_db


@pytest.mark.parametrize("value", ["1", "true", "True", "TRUE", "yes", "Yes", "on", "ON", " on "])
def test_every_spelling_of_on_means_production(value):
    assert auth.production_flag({auth.PRODUCTION_ENV: value}) is True


@pytest.mark.parametrize("value", ["0", "false", "False", "no", "NO", "off", "Off"])
def test_every_spelling_of_off_means_no_production(value):
    assert auth.production_flag({auth.PRODUCTION_ENV: value}) is False


@pytest.mark.parametrize("environ", [{}, {auth.PRODUCTION_ENV: ""}, {auth.PRODUCTION_ENV: "  "}])
def test_an_unset_flag_leaves_the_decision_to_the_data(environ):
    assert auth.production_flag(environ) is None


@pytest.mark.parametrize("value", ["ja", "2", "enabled", "prod", "tru"])
def test_an_unknown_flag_value_is_refused_with_a_danish_sentence(value):
    with pytest.raises(auth.BadProductionFlag, match="hverken til eller fra"):
        auth.production_flag({auth.PRODUCTION_ENV: value})


@pytest.mark.parametrize("value", ["True", "on", "ON", "Yes"])
def test_production_spelled_any_way_refuses_to_start_without_login(app_db, monkeypatch, value):
    """As IT I wrote DELTAGELSESATLAS_PRODUCTION=True: the app must not open a demo as admin."""
    monkeypatch.setenv(auth.PRODUCTION_ENV, value)
    at = app()
    assert any("Produktionstilstand kræver login" in e.value for e in at.error)
    assert not at.metric and not at.sidebar.selectbox


def test_an_unknown_production_value_refuses_to_start(app_db, monkeypatch):
    monkeypatch.setenv(auth.PRODUCTION_ENV, "maybe")
    at = app()
    assert any("hverken til eller fra" in e.value for e in at.error)
    assert not at.metric and not at.sidebar.selectbox


def test_production_off_runs_the_demo_on_the_sample(app_db, monkeypatch):
    monkeypatch.setenv(auth.PRODUCTION_ENV, "off")
    at = app()
    assert at.metric and not at.error


def test_production_is_the_default_on_real_data(sample_db, tmp_path):
    """Unset flag: the sample is not production, a real file makes it production."""
    assert not auth.production_required(sample_db, {})
    lines = (SAMPLE_DIR / "survey_2021.csv").read_bytes().splitlines(keepends=True)
    real = tmp_path / "real_survey_2029.csv"
    real.write_bytes(b"".join(lines[:51]))
    ingest(sample_db, real, "survey", wave="2029", actor="demo:analyst")
    assert auth.production_required(sample_db, {})
    assert not auth.production_required(sample_db, {auth.PRODUCTION_ENV: "off"})


@pytest.mark.parametrize(
    ("remote_ip", "headers", "local"),
    [
        ("127.0.0.1", ["host", "cookie"], True),
        ("127.0.0.5", ["host"], True),
        ("::1", ["host"], True),
        ("::ffff:127.0.0.1", ["host"], True),
        ("127.0.0.1", ["host", "X-Forwarded-For"], False),  # a proxy on this host
        ("127.0.0.1", ["host", "forwarded"], False),
        ("127.0.0.1", ["host", "x-real-ip"], False),
        ("192.0.2.2", ["host"], False),  # this machine's own network address is not loopback
        ("10.0.0.7", ["host"], False),
        (None, ["host"], False),
        ("localhost", ["host"], False),  # a name is not a connection's address
    ],
)
def test_a_local_client_is_a_loopback_peer_without_proxy_headers(remote_ip, headers, local):
    assert auth.is_local_client(remote_ip, headers) is local


# --- the real server ----------------------------------------------------------------------


def _own_network_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # no packet is sent for a UDP connect
            address = sock.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def _demo_or_refusal(browser, url: str, headers: dict | None = None) -> str:
    context = browser.new_context(extra_http_headers=headers or {})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(
        '[data-testid="stMetric"], [data-testid="stAlertContentError"]', timeout=60_000
    )
    page.wait_for_timeout(500)
    shown = "demo" if page.locator('[data-testid="stMetric"]').count() else page.content()
    context.close()
    return shown


@pytest.mark.browser
@requires_chromium
def test_demo_mode_is_decided_by_the_connection_not_the_bind_address(sample_db_file, tmp_path):
    """As IT I run the sample demo on all interfaces: a browser on this machine gets the demo;
    the same browser through a proxy header, or over the network address, gets a refusal."""
    db = copy_db(sample_db_file, tmp_path / "sample.duckdb")
    own = _own_network_address()
    with streamlit_server(db, address="0.0.0.0") as url, chromium() as browser:
        assert _demo_or_refusal(browser, url) == "demo"
        proxied = _demo_or_refusal(browser, url, {"X-Forwarded-For": "203.0.113.9"})
        assert "kun for en browser på samme maskine" in proxied
        if own is not None:
            remote = _demo_or_refusal(browser, url.replace("127.0.0.1", own))
            assert "kun for en browser på samme maskine" in remote


@pytest.mark.browser
@requires_chromium
def test_a_server_bound_to_localhost_refuses_the_demo_on_real_data(sample_db_file, tmp_path):
    """Behind a reverse proxy on the same host (bound to 127.0.0.1), data loaded as `demo:…`
    is still real data: the app asks for login instead of opening as Administrator."""
    db = copy_db(sample_db_file, tmp_path / "real.duckdb")
    lines = (SAMPLE_DIR / "survey_2021.csv").read_bytes().splitlines(keepends=True)
    real = tmp_path / "real_survey_2029.csv"
    real.write_bytes(b"".join(lines[:51]))
    con = connect(db)
    ingest(con, real, "survey", wave="2029", actor="demo:analyst")
    con.close()
    with streamlit_server(db, address="127.0.0.1") as url, chromium() as browser:
        shown = _demo_or_refusal(browser, url)
        assert "kører i produktionstilstand og kræver login" in shown
