"""The real login flow: a local OIDC provider, `[auth]` pointed at it, and Chromium logging in.

oidc-provider-mock runs on a free localhost port in a thread of this test process and issues
real signed ID tokens for predefined users whose `roles` claim is viewer, outreach, admin or
empty. `streamlit run app.py` starts from the project root (so its real .streamlit/config.toml
applies) with `--secrets.files` naming a tmp secrets.toml whose `[auth]` section points at that
provider; the option replaces the default secrets locations, so no developer's secrets leak in.
st.login then does the whole authorization-code flow: the login button, the provider's authorize
page, /oauth2callback, the token exchange and ID-token check, the identity cookie.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from data_pipeline.store.db import connect
from tests.browser_support import chromium, requires_chromium
from tests.oidc_support import TIMEOUT, app_with_login, log_in, oidc_provider
from tests.security.helpers import copy_db

MISSING = [
    m for m in ("oidc_provider_mock", "authlib", "playwright") if not importlib.util.find_spec(m)
]
pytestmark = [
    pytest.mark.browser,
    requires_chromium,
    pytest.mark.skipif(
        bool(MISSING),
        reason=f"needs {', '.join(MISSING)} (pip install -r requirements-dev.txt)",
    ),
    # authlib deprecation notices raised inside oidc-provider-mock, not in our code.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

# Menu titles (Danish, the default language) of every page, in menu order.
ALL_PAGES = [
    "Overblik",
    "Udforsk",
    "Kort",
    "Grupper",
    "Aktivitet",
    "Rapport",
    "Mål",
    "Upload",
    "Kontakt",
    "Administration",
]
EXPECTED_MENU = {
    "viewer": ["Overblik", "Kort", "Grupper", "Rapport"],
    "outreach": [],  # Kontakt is its only page: Streamlit draws no menu for a single page
    "admin": ALL_PAGES,
}
LANDING_TITLE = {"viewer": "Overblik", "outreach": "Kontakt borgere", "admin": "Overblik"}
DENIED = "Du har ikke adgang til denne side med din rolle."
NO_ROLES = "Din konto har ingen rolle i Deltagelsesatlas."


@pytest.fixture(scope="module")
def provider():
    with oidc_provider() as url:
        yield url


@pytest.fixture(scope="module")
def app_db(sample_db_file, tmp_path_factory) -> Path:
    return copy_db(sample_db_file, tmp_path_factory.mktemp("oidc") / "app.duckdb")


@pytest.fixture(scope="module")
def server(provider, app_db, tmp_path_factory):
    with app_with_login(app_db, provider, tmp_path_factory.mktemp("oidc-secrets")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def contact_emails(sample_db_file) -> list[str]:
    """The planted contacts: read from the source database (the app holds the copy's lock)."""
    con = connect(sample_db_file)
    emails = [
        r[0] for r in con.execute("SELECT email FROM contact WHERE email IS NOT NULL").fetchall()
    ]
    con.close()
    assert emails, "the sample database should hold contact data to look for"
    return emails


def menu(page) -> list[str]:
    """The titles in the sidebar menu, read once the page has drawn its title or its refusal
    (the menu is sent before the page runs, so it is complete by then)."""
    drawn = '[data-testid="stMain"] h1, [data-testid="stMain"] [data-testid="stAlert"]'
    page.locator(drawn).first.wait_for(timeout=TIMEOUT)
    links = page.locator('[data-testid="stSidebarNavLink"]')
    # Each link reads "<material icon name>\n\n<title>": keep the title.
    return [text.strip().splitlines()[-1] for text in links.all_inner_texts()]


@pytest.mark.parametrize("role", list(EXPECTED_MENU))
def test_each_role_logs_in_and_sees_only_its_own_pages(browser, server, role):
    """As a viewer, a dialogue coordinator or an administrator I log in with my municipal
    account; the menu lists exactly the pages my role (from the token's `roles` claim) allows."""
    context, page = log_in(browser, server, role)
    try:
        assert menu(page) == EXPECTED_MENU[role]
        title = page.locator('[data-testid="stMain"] h1').first.inner_text()
        assert LANDING_TITLE[role] in title
    finally:
        context.close()


def test_a_logged_in_viewer_typing_the_kontakt_url_gets_no_contact_data(
    browser, server, contact_emails
):
    """As a council member logged in with the viewer role I type /kontakt into the address bar:
    I see a refusal, not the page, and no citizen's email address appears anywhere."""
    context, page = log_in(browser, server, "viewer")
    try:
        page.goto(f"{server}/kontakt")
        page.get_by_text(DENIED).wait_for(timeout=TIMEOUT)
        page.get_by_text("Logget ind som viewer@kommune.test").wait_for(timeout=TIMEOUT)
        content = page.content()
        assert not any(email in content for email in contact_emails)
        assert page.locator('[data-testid="stMetric"]').count() == 0
        assert page.locator('[data-testid="stDownloadButton"]').count() == 0
        assert "Kontakt" not in menu(page)
    finally:
        context.close()


def test_an_account_without_a_role_is_let_in_but_shown_nothing(browser, server, contact_emails):
    """As a municipal employee without a role in the atlas I can log in, but I see only a
    sentence telling me to ask the administrator: no menu, no figures, no contact data."""
    context, page = log_in(browser, server, "nobody")
    try:
        page.get_by_text(NO_ROLES).wait_for(timeout=TIMEOUT)
        assert menu(page) == []
        assert page.locator('[data-testid="stMetric"]').count() == 0
        assert not any(email in page.content() for email in contact_emails)
    finally:
        context.close()


def test_a_logged_in_coordinator_downloads_contacts_only_through_the_checked_route(browser, server):
    """Issue 13, finding 1, with real login: the coordinator's one-time link gives the file to
    the coordinator's browser only; a logged-in viewer and a request without cookies get no
    file, and the role is read from the identity cookie when the link is fetched."""
    from tests.security.test_contact_download import EMAIL, _status_without_cookies, _ticket

    context, page = log_in(browser, server, "outreach")
    link = f"{server}{_ticket(page)}"
    viewer, _ = log_in(browser, server, "viewer")
    try:
        assert _status_without_cookies(link) in (401, 403, 404)
        assert viewer.request.get(link).status in (401, 403, 404)
        response = context.request.get(link)
        assert response.status == 200
        assert EMAIL.search(response.body())
        assert context.request.get(link).status == 404
    finally:
        viewer.close()
        context.close()
