"""The pages of the app, in menu order. A page appears here only when its issue is done.

Each entry: (file, translation key of its title, Material icon, url path).
"""

from __future__ import annotations

PAGES: list[tuple[str, str, str, str]] = [
    ("pages/overblik.py", "nav.overview", ":material/dashboard:", "overblik"),
    ("pages/udforsk.py", "nav.explore", ":material/table_chart:", "udforsk"),
    ("pages/kort.py", "nav.map", ":material/map:", "kort"),
    ("pages/grupper.py", "nav.groups", ":material/groups:", "grupper"),
    ("pages/aktivitet.py", "nav.activity", ":material/timeline:", "aktivitet"),
    ("pages/rapport.py", "nav.report", ":material/description:", "rapport"),
    ("pages/maal.py", "nav.goals", ":material/flag:", "maal"),
    ("pages/upload.py", "nav.upload", ":material/upload:", "upload"),
    ("pages/kontakt.py", "nav.contact", ":material/contact_mail:", "kontakt"),
    ("pages/admin.py", "nav.admin", ":material/admin_panel_settings:", "admin"),
]


def pages_for(roles) -> list[tuple[str, str, str, str]]:
    """The pages these roles may see, in menu order (data_pipeline.privacy.roles decides)."""
    from data_pipeline.privacy.roles import can_see_page

    return [page for page in PAGES if can_see_page(roles, page[3])]


def urls_hidden_from(roles) -> list[str]:
    """The url paths these roles may not see: they get a refusal page, never the page."""
    from data_pipeline.privacy.roles import can_see_page

    return [page[3] for page in PAGES if not can_see_page(roles, page[3])]


def run_guarded(page, lang: str) -> None:
    """Run a page; if it fails, show one Danish sentence and log the details, never a traceback.

    Streamlit's st.stop/st.rerun/st.switch_page raise BaseExceptions and pass straight through.
    DELTAGELSESATLAS_RAISE_PAGE_ERRORS=1 (set by the test suite) lets the error surface, so a
    test still sees a failing page as a failure.
    """
    import logging
    import os

    import streamlit as st

    from data_pipeline.core.i18n import t

    try:
        page.run()
    except Exception:
        if os.environ.get("DELTAGELSESATLAS_RAISE_PAGE_ERRORS") == "1":
            raise
        logging.getLogger("deltagelsesatlas").exception("page %s failed", page.url_path)
        lang = st.session_state.get("lang", lang)
        st.error(t("app.page_failed", lang), icon=":material/error:")


def unknown_path_page(menu: list, lang: str):
    """A hidden page at the path a person typed when no page has it (/oversigt, /kortet).

    Streamlit would run the first page under an English "Page not found" box; we register the
    typed path as a page of its own that says so in Danish and links back. Reads which path was
    asked for from Streamlit's page manager (checked against the pinned Streamlit range).
    """
    import re

    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from data_pipeline.core.i18n import t

    ctx = get_script_run_ctx()
    manager = getattr(ctx, "pages_manager", None)
    if manager is None or manager.intended_page_script_hash or not menu:
        return None
    wanted = (manager.intended_page_name or "").strip("/")
    known = {page[3] for page in PAGES} | {HOME_URL}
    if not wanted or wanted in known or not re.fullmatch(r"[A-Za-z0-9_-]{1,80}", wanted):
        return None

    def not_found() -> None:
        st.title(t("app.not_found_title", lang))
        st.write(t("app.not_found", lang, path=wanted))
        st.page_link(menu[0], label=t("app.not_found_back", lang, page=menu[0].title))

    return st.Page(
        not_found, title=t("app.not_found_title", lang), url_path=wanted, visibility="hidden"
    )


HOME_URL = "hjem"  # the hidden page at "/": it only moves on to the role's first page


def home_page(menu: list, lang: str):
    """The page at the bare address: it goes on to the role's first page, so every page,
    Overblik too, has its own readable path (/overblik). Streamlit gives the default page the
    path "/" only, and a typed /overblik would otherwise be "Page not found"."""
    import streamlit as st

    from data_pipeline.core.i18n import t

    def home() -> None:  # a shared "/?wave=2021" keeps its filters on the way
        st.switch_page(menu[0], query_params={k: st.query_params.get(k) for k in st.query_params})

    return st.Page(
        home, title=t("app.title", lang), url_path=HOME_URL, default=True, visibility="hidden"
    )


def land_on_allowed(page, menu: list, allowed_urls: set[str]) -> None:
    """After the demo role switcher changed the role, go to a page the new role may see.

    Only right after a switch: a typed URL outside the role still gets its refusal page."""
    import streamlit as st

    if not st.session_state.pop("_role_switched", False):
        return
    if page.url_path not in allowed_urls and menu:
        st.switch_page(menu[0], query_params={k: st.query_params.get(k) for k in st.query_params})
