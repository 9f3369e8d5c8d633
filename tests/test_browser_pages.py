"""Every page in Chromium, in Danish and English, for every role of the demo (issue 14).

Fails on any Streamlit error box (or our own "page failed" sentence), on Streamlit's English
default words in the Danish interface, on a role switch that strands the user, on an unknown
path without a Danish page, and on a shared link or Back that does not give the same view
(the page's text compared). Screenshots of every Danish page land in artifacts/screenshots/.
"""

from __future__ import annotations

import re
import shutil

import pytest

from app_support.navigation import PAGES
from data_pipeline.core.i18n import t
from data_pipeline.privacy.roles import ROLES, can_see_page
from tests.browser_support import chromium, requires_chromium, streamlit_server
from tests.conftest import ROOT

SHOTS = ROOT / "artifacts" / "screenshots" / "pages"
# Streamlit's own English words (and its error box) that must never show in the Danish UI.
STREAMLIT_ENGLISH = [
    "Select all",
    "Choose options",
    "Choose an option",
    "No options to select",
    "No results",
    "Drag and drop files here",
    "per file",
    "Browse files",
    "Page not found",
    "File change",
    "Always rerun",
    "Ask Google",
    "Ask ChatGPT",
    "This app has encountered an error",
    "Running...",
]
MAIN = '[data-testid="stMain"]'
AREA_NAMES = ("Midtbyen", "Skovbakken", "Nordby", "Lyngå", "Kirkebjerg", "Havnekvarteret")
SIDEBAR = '[data-testid="stSidebar"]'

pytestmark = [pytest.mark.browser, requires_chromium]
ROLES_PAGES = [url for _file, _key, _icon, url in PAGES if can_see_page({"admin"}, url)]


@pytest.fixture(scope="module")
def server(sample_db_file, tmp_path_factory):
    db = tmp_path_factory.mktemp("pages") / "app.duckdb"
    shutil.copy(sample_db_file, db)
    shutil.copy(f"{sample_db_file}.key", f"{db}.key")
    with streamlit_server(db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def settle(page) -> None:
    """Until the script has run and the page has stopped changing."""
    page.wait_for_selector("h1", timeout=90_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000
    )
    page.wait_for_timeout(700)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=90_000,
    )


def main_text(page) -> str:
    return page.locator(MAIN).inner_text()


def view_text(page) -> str:
    """What the page says and which choices it shows; charts (drawn asynchronously by Vega)
    and table canvases left out."""
    return page.locator(MAIN).evaluate(
        """main => {
            const copy = main.cloneNode(true);
            copy.querySelectorAll('[data-testid="stVegaLiteChart"], [data-testid="stDataFrame"]')
                .forEach(node => node.remove());
            copy.querySelectorAll('input').forEach(input => {
                const mark = document.createElement('span');
                mark.textContent = input.type === 'radio' || input.type === 'checkbox'
                    ? (input.checked ? '[x]' : '[ ]') : input.value;
                input.replaceWith(mark);
            });
            document.body.appendChild(copy);
            const text = copy.innerText;
            copy.remove();
            return text;
        }"""
    )


def check_page(page, where: str, lang: str) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, f"{where}: {boxes.first.inner_text()[:300]}"
    text = main_text(page) + "\n" + page.locator(SIDEBAR).inner_text()
    assert t("app.page_failed", lang) not in text, where
    if lang == "da":
        english = [word for word in STREAMLIT_ENGLISH if word in text]
        assert not english, f"{where}: {english}"
        for zone in page.locator('[data-testid="stFileUploaderDropzone"]').all():
            assert "Upload" not in zone.inner_text(), f"{where}: Streamlit's 'Upload' button"
            shown = zone.locator("button [data-testid='stMarkdownContainer']").evaluate(
                "node => getComputedStyle(node, '::after').content"
            )
            assert shown == f'"{t("upload.browse", "da")}"', f"{where}: {shown}"


def switch_role(page, role: str) -> None:
    page.locator(SIDEBAR).locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=t(f"role.{role}", "da"), exact=True).click()
    settle(page)


def current_path(page) -> str:
    return re.sub(r"^https?://[^/]+/([^/?#]*).*$", r"\1", page.url)


def visit_menu(page, role: str, lang: str) -> list[str]:
    """Click through the role's menu (one session, so the role stays) and check each page."""
    links = page.locator('[data-testid="stSidebarNav"] a')
    paths = []
    for index in range(links.count()) or [None]:
        if index is not None:
            target = re.sub(r"^.*/([^/?#]*).*$", r"\1", links.nth(index).get_attribute("href"))
            links.nth(index).click()
            page.wait_for_function(
                "path => location.pathname.endsWith('/' + path)", arg=target, timeout=90_000
            )
            settle(page)
        path = current_path(page)
        paths.append(path)
        check_page(page, f"{path} as {role} ({lang})", lang)
        if lang == "da" and role == "admin":
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{path}.png"), full_page=True)
    return paths


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_every_role_in_both_languages(server, browser, role):
    """Every role clicks through its whole menu in Danish; in English the administrator
    (who has every page) does, the other roles check their landing page."""
    page = browser.new_page(viewport={"width": 1440, "height": 1800})
    page.goto(f"{server}/overblik")
    settle(page)
    if role != "admin":
        switch_role(page, role)
    # The switch lands on a page the role may see, never on "no access".
    assert t("auth.denied", "da") not in main_text(page), role
    landed = current_path(page)
    assert can_see_page({role}, landed), (role, landed)
    paths = visit_menu(page, role, "da")
    assert all(can_see_page({role}, path) for path in paths), (role, paths)
    page.locator(SIDEBAR).get_by_text("English", exact=True).click()
    settle(page)
    assert "lang=en" in page.url
    if role == "admin":
        visit_menu(page, role, "en")
    else:
        check_page(page, f"{current_path(page)} as {role} (en)", "en")
    page.close()


def test_every_page_in_danish_at_a_1024_pixel_wide_screen(server, browser):
    """The municipal laptop's width: every page of the administrator (who sees them all) in
    Danish, with the same checks as at 1440 px and no page wider than the window."""
    page = browser.new_page(viewport={"width": 1024, "height": 1400})
    page.goto(f"{server}/overblik")
    settle(page)
    links = page.locator('[data-testid="stSidebarNav"] a')
    assert links.count() == len(ROLES_PAGES), links.all_inner_texts()
    for index in range(links.count()):
        target = re.sub(r"^.*/([^/?#]*).*$", r"\1", links.nth(index).get_attribute("href"))
        links.nth(index).click()
        page.wait_for_function(
            "path => location.pathname.endsWith('/' + path)", arg=target, timeout=90_000
        )
        settle(page)
        check_page(page, f"{target} at 1024 px", "da")
        wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{target} at 1024 px: {wide} px wider than the window"
        (SHOTS / "1024").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "1024" / f"{target}.png"), full_page=True)
    page.close()


def test_an_unknown_path_gets_a_danish_page_with_a_way_back(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    page.goto(f"{server}/oversigt")
    settle(page)
    assert page.locator("h1").first.inner_text() == t("app.not_found_title", "da")
    check_page(page, "/oversigt", "da")
    page.get_by_text(t("app.not_found_back", "da", page="Overblik")).click()
    settle(page)
    assert page.locator("h1").first.inner_text() == "Overblik"
    assert "/overblik" in page.url
    page.close()


def choose(page, text: str) -> None:
    page.locator(MAIN).get_by_text(text, exact=True).first.click()
    settle(page)


def test_a_shared_link_and_back_reproduce_the_view(server, browser):
    """Choices made with the mouse end up in the link; a fresh tab opening it shows the same
    text, and Back returns to the earlier view."""
    views = [
        ("udforsk", [t("explore.row_pct", "da"), t("explore.bars", "da")]),
        ("kort", [t("map.topic", "da")]),
        ("grupper", [t("dim.gender", "da")]),
    ]
    for name, clicks in views:
        page = browser.new_page(viewport={"width": 1440, "height": 1800})
        page.goto(f"{server}/{name}?gender=kvinde")
        settle(page)
        before = view_text(page)
        for text in clicks:
            choose(page, text)
        shown, link = view_text(page), page.url
        assert shown != before, name
        shared = browser.new_page(viewport={"width": 1440, "height": 1800})
        shared.goto(link)
        settle(shared)
        assert view_text(shared) == shown, f"{name}: {link}"
        shared.close()
        for _ in clicks:
            page.go_back()
            settle(page)
        assert view_text(page) == before, f"{name}: Back"
        page.close()


def test_text_fields_say_press_enter_in_danish(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    page.goto(f"{server}/upload")
    settle(page)
    page.locator(MAIN).locator('[data-testid="stTextInput"] input').first.fill("2026")
    hint = page.locator('[data-testid="InputInstructions"]').first
    hint.wait_for(timeout=10_000)
    assert "Press Enter" not in hint.inner_text()
    drawn = hint.evaluate("node => getComputedStyle(node, '::after').content")
    assert drawn == f'"{t("app.press_enter", "da")}"'
    page.close()


# Streamlit's own English words that only show on hover, in a menu, in a searched list or while
# the page runs: the toolbars of tables and charts, the main menu, "No results", "Running...".
STREAMLIT_ENGLISH_HIDDEN = [
    "Download as CSV",
    "Search",
    "Fullscreen",
    "Show/hide columns",
    "Show data",
    "Download as PNG",
    "Copy",
    "Print",
    "Record screen",
    "Made with Streamlit",
    "No results",
    "Running...",
    "Stop",
]


def english_in(text: str) -> list[str]:
    return [word for word in STREAMLIT_ENGLISH_HIDDEN if word in text]


def toolbar_tooltips(page, element: str) -> str:
    """Hover every table or chart of the page and each button of its toolbar; the tooltips."""
    seen = []
    for index in range(page.locator(element).count()):
        target = page.locator(element).nth(index)
        target.scroll_into_view_if_needed()
        target.hover()
        page.wait_for_timeout(300)
        buttons = page.locator('[data-testid="stElementToolbar"] button:visible')
        for number in range(buttons.count()):
            buttons.nth(number).hover()
            page.wait_for_timeout(400)
            seen += page.locator('[data-testid="stTooltipContent"]').all_inner_texts()
            seen.append(buttons.nth(number).get_attribute("aria-label") or "")
            target.hover()
    return "\n".join(seen)


def test_streamlit_words_on_hover_in_menus_and_while_running_are_danish(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1200})
    # Table and chart toolbars (Streamlit's tooltips are English, its CSV skips our formats).
    for path, element in (("admin", "stDataFrame"), ("overblik", "stVegaLiteChart")):
        page.goto(f"{server}/{path}")
        settle(page)
        shown = toolbar_tooltips(page, f'[data-testid="{element}"]')
        assert not english_in(shown), f"{path}: {english_in(shown)}"
    # The main menu (top right) would list System / Light / Dark / Print / Record screen.
    menu = page.locator('[data-testid="stMainMenu"]')
    if menu.is_visible():
        menu.click()
        page.wait_for_timeout(500)
        shown = "\n".join(page.locator('[data-testid="stMainMenuPopover"]').all_inner_texts())
        assert not english_in(shown), f"main menu: {english_in(shown)}"
        page.keyboard.press("Escape")
    # A search that matches no option, in a multiselect and in a selectbox.
    for kind in ("stMultiSelect", "stSelectbox"):
        page.locator(SIDEBAR).locator(f'[data-testid="{kind}"] input').last.click()
        page.keyboard.type("zzzq")
        listbox = page.locator('[role="listbox"][data-empty="true"]')
        listbox.wait_for(timeout=10_000)
        assert not english_in(listbox.inner_text()), f"{kind}: {listbox.inner_text()}"
        drawn = listbox.evaluate("node => getComputedStyle(node, '::after').content")
        assert drawn == f'"{t("app.no_results", "da")}"', f"{kind}: {drawn}"
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")
    # The running indicator, caught while two uploaded files are read (about a second).
    page.goto(f"{server}/upload")
    settle(page)
    files = [ROOT / "sample_data" / "survey_2025.xlsx", ROOT / "sample_data" / "govocal_ideas.xlsx"]
    page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(files)
    status = page.locator('[data-testid="stStatusWidget"]')
    status.wait_for(state="attached", timeout=10_000)
    drawn = status.evaluate("node => [node.innerText, getComputedStyle(node, '::after').content]")
    assert not english_in(drawn[0]), f"status: {drawn[0]}"
    assert drawn[1] == f'"{t("app.running", "da")}"', f"status: {drawn[1]}"
    settle(page)
    # The uploaded-file list: names only, no "192.2KB" with a decimal point.
    chips = page.locator('[data-testid="stFileChip"]')
    assert chips.count() == 2
    shown = "\n".join(chips.all_inner_texts())
    assert not re.search(r"\d\.\d\s*[KMG]?B", shown), shown
    page.close()


def click_map(page, x: float, y: float) -> None:
    box = page.locator('[data-testid="stVegaLiteChart"] svg.marks').first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * x, box["y"] + box["height"] * y)
    settle(page)


def test_clicking_an_area_on_the_map_filters_by_it(server, browser):
    """As Power BI users expect: a click on an area makes it the area filter (sidebar and link),
    a click on another area switches, and "Ryd områdevalg" shows every area again."""
    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    page.goto(f"{server}/kort")
    settle(page)
    assert "area=" not in page.url
    click_map(page, 0.45, 0.55)
    first = re.search(r"[?&]area=([^&]+)", page.url)
    assert first, page.url
    chosen = page.locator(SIDEBAR).locator('[data-testid="stMultiSelect"]').nth(2).inner_text()
    caption = main_text(page)
    assert t("map.area_chosen", "da", names="").split(" ")[0] in caption
    assert any(name in chosen and name in caption for name in AREA_NAMES), chosen
    click_map(page, 0.45, 0.35)
    second = re.search(r"[?&]area=([^&]+)", page.url)
    assert second and second.group(1) != first.group(1), page.url
    page.get_by_role("button", name=t("map.clear_area", "da")).click()
    settle(page)
    assert "area=" not in page.url
    assert t("map.click_hint", "da") in main_text(page)
    page.close()
