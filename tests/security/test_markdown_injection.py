"""Markdown injection (issue 13, finding 7): what comes from a URL or a file is shown as text.

A URL parameter and a topic label holding a heading, a link and an image must appear literally
in every element that renders Markdown, with no heading, link or image made of them; in the
real browser no link or image points at the attacker's address and nothing is fetched from it.
"""

from __future__ import annotations

import re
import urllib.parse

import pytest

from app_support.ui import plain
from data_pipeline.store.db import connect
from tests.browser_support import chromium, requires_chromium, streamlit_server
from tests.security.helpers import app

# One attack per parameter: the notice names each ignored value (cut at 40 characters).
URL_ATTACKS = {
    "area": "# Heading [x](http://evil.example/)",
    "age": "![t](http://evil.example/i.png)",
    "format": "www.evil.example",
}
ATTACK = " ".join(URL_ATTACKS.values())
# A topic citizens typed in a survey (the label comes from the file); klima's label is replaced.
TOPIC_ATTACK = "Klima ![t](http://evil.example/i.png) [x](http://evil.example/)"
MARKDOWN_ELEMENTS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
)
# A link or image opener that no backslash escapes, or the attack's heading starting a line.
ACTIVE_MARKUP = re.compile(r"(?<!\\)\]\(|(?<!\\)!(?<!\\)\[|^\s*#+ *Heading", re.MULTILINE)
UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
JOINER = "\u2060"  # the invisible word joiner that keeps the browser from autolinking


def read_back(text: str) -> str:
    """What a person reads: escapes undone, the invisible joiner dropped."""
    return UNESCAPE.sub(r"\1", text).replace(JOINER, "")


def _plant_topic_label(db_file) -> None:
    con = connect(db_file)
    con.execute(
        "UPDATE vocabulary SET label_da = $label, label_en = $label "
        "WHERE kind = 'topic' AND code = 'klima'",
        {"label": TOPIC_ATTACK},
    )
    con.close()


def _markdown_sources(at) -> list[str]:
    sources = []
    for kind in MARKDOWN_ELEMENTS:
        sources.extend(str(element.value) for element in getattr(at, kind))
    return sources


@pytest.mark.parametrize(
    "text",
    [
        ATTACK,
        TOPIC_ATTACK,
        "mail: phish@evil.example",
        "<img src=x onerror=alert(1)>",
        ":red[x] $x^2$ **b** `c`",
        "a\n# b",
    ],
)
def test_plain_leaves_no_markup_and_reads_back_as_the_text(text):
    shown = plain(text)
    assert not ACTIVE_MARKUP.search(shown)
    assert "\n" not in shown
    assert read_back(shown) == " ".join(text.split())


@pytest.mark.parametrize("page", ["overblik", "grupper", "kort", "udforsk"])
def test_a_url_parameter_and_a_topic_label_show_as_text(app_db, page):
    """As an attacker I send a link whose area and topic hold Markdown, to a council member
    whose data also holds a topic label with Markdown: every notice and caption shows it as
    typed, and none of it becomes a heading, a link or an image."""
    _plant_topic_label(app_db)
    at = app(page, role="admin", params={**URL_ATTACKS, "topic": "klima"})
    sources = _markdown_sources(at)
    active = [s for s in sources if ACTIVE_MARKUP.search(s)]
    assert not active, active
    shown = [read_back(s) for s in sources]
    for name, value in URL_ATTACKS.items():
        assert any(f"{name}={value}" in s for s in shown), f"{name} is named literally"
    assert any(TOPIC_ATTACK in s for s in shown), "the topic label is shown literally"


@pytest.mark.browser
@requires_chromium
def test_in_the_browser_no_link_image_or_heading_is_made_of_the_attack(sample_db_file, tmp_path):
    from tests.security.helpers import copy_db

    db = copy_db(sample_db_file, tmp_path / "atlas.duckdb")
    _plant_topic_label(db)
    query = urllib.parse.urlencode({**URL_ATTACKS, "topic": "klima"})
    with streamlit_server(db) as url, chromium() as browser:
        page = browser.new_page()
        fetched = []
        page.on("request", lambda request: fetched.append(request.url))
        for path in ("", "/grupper"):
            page.goto(f"{url}{path}?{query}")
            page.wait_for_selector('[data-testid="stAlertContentInfo"]', timeout=60_000)
            page.wait_for_timeout(3000)
            assert page.locator('a[href*="evil"]').count() == 0
            assert page.locator('img[src*="evil"]').count() == 0
            assert page.locator("h1:has-text('Heading')").count() == 0
            text = page.inner_text("body").replace(JOINER, "")
            assert "area=# Heading [x](http://evil.example/)" in text
        assert "[x](http://evil.example/)" in text and "Klima ![t]" in text
        assert not [u for u in fetched if "evil" in urllib.parse.urlsplit(u).netloc]
