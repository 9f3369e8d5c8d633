"""Contact lists only through the access-checked route (issue 13, finding 1), in the real app.

A dialogue coordinator's one-time link gives the file to that browser once; the same link
without a cookie, from a viewer's browser, from another coordinator's browser, a second time,
or after the browser closed gives nothing, and no contact data ever passes /media/.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from data_pipeline.store.db import connect
from tests.browser_support import chromium, requires_chromium, streamlit_server
from tests.security.helpers import copy_db

pytestmark = [pytest.mark.browser, requires_chromium]
EMAIL = re.compile(rb"[\w.+-]+@[\w-]+\.[\w.]+")


def _status_without_cookies(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _open_as(context, url: str, role_label: str):
    """A browser session in demo mode with the sidebar's role switched to `role_label`."""
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Demo-rolle").click()
    page.get_by_role("option", name=role_label).click()
    page.wait_for_timeout(1500)
    return page


def _ticket(page) -> str:
    """Ask for the contact list with a reason; return the one-time link the page offers."""
    page.wait_for_selector('[data-testid="stForm"]', timeout=60_000)
    page.get_by_role("textbox", name="Begrundelse (kræves, logges)").fill(
        "Invitation til klimamøde"
    )
    page.locator('[data-testid="stRadio"]').get_by_text("CSV-fil", exact=True).click()
    page.get_by_role("button", name="Lav kontaktliste").click()
    link = page.get_by_role("link", name="Hent kontaktlisten")
    link.wait_for(timeout=60_000)
    return link.get_attribute("href")


def _exports(db) -> int:
    con = connect(db, read_only=True)
    try:
        return con.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'export_contacts'"
        ).fetchone()[0]
    finally:
        con.close()


def test_the_contact_link_serves_only_the_asking_browser_once(sample_db_file, tmp_path):
    db = copy_db(sample_db_file, tmp_path / "atlas.duckdb")
    media = []
    with streamlit_server(db) as url, chromium() as browser:
        outreach = browser.new_context(accept_downloads=True)
        viewer = browser.new_context()
        other = browser.new_context()
        for context in (outreach, viewer, other):
            context.on("response", lambda r: media.append((r.url, r.headers.get("content-type"))))
        page = _open_as(outreach, url, "Dialogkoordinator")
        _open_as(viewer, url, "Læser (byråd)")
        _open_as(other, url, "Dialogkoordinator")
        href = _ticket(page)
        assert href.startswith("/_atlas/kontakt/")
        link = f"{url}{href}"

        # Nobody else gets anything, and none of these attempts builds or audits a file.
        assert _status_without_cookies(link) in (401, 403, 404)
        assert viewer.request.get(link).status in (401, 403, 404)
        assert other.request.get(link).status in (401, 403, 404)
        assert _exports(db) == 0

        # The asking browser gets the file, marked never to be stored, exactly once.
        response = outreach.request.get(link)
        assert response.status == 200
        assert response.headers["content-disposition"].startswith("attachment;")
        assert "no-store" in response.headers["cache-control"]
        assert EMAIL.search(response.body())  # real contact data came through this route
        assert _exports(db) == 1
        assert outreach.request.get(link).status == 404

        # Clicking the button in the page downloads it too (with a fresh link).
        downloads = []
        outreach.on("page", lambda tab: tab.on("download", lambda d: downloads.append(d)))
        page.on("download", lambda d: downloads.append(d))
        page.get_by_role("button", name="Lav kontaktliste").click()
        fresh = page.locator(f'a:has-text("Hent kontaktlisten"):not([href="{href}"])')
        fresh.wait_for(timeout=60_000)
        fresh.click()
        for _ in range(60):
            if downloads:
                break
            page.wait_for_timeout(500)
        assert downloads, "the browser downloaded the file"
        assert EMAIL.search(Path(downloads[0].path()).read_bytes())
        assert _exports(db) == 2

        # A link whose browser closed opens nothing, even with that browser's cookies.
        href = _ticket(page)
        page.close()
        viewer.pages[0].wait_for_timeout(3000)  # the server notices the closed connection
        assert outreach.request.get(f"{url}{href}").status in (401, 403, 404)
        for context in (outreach, viewer, other):
            context.close()
    # Streamlit's media store served only pictures (the page icon), never a file.
    served = [(u, kind) for u, kind in media if "/media/" in u and "/static/" not in u]
    assert all((kind or "").startswith("image/") for _, kind in served), served
