"""Deltagelsesatlas: the entry point only routes (page config, language, login, navigation).

Run with `streamlit run app.py`; on first start it builds the database from sample_data/.
Each page draws the shared filter bar through app_support.state.page_setup().
"""

from pathlib import Path

import streamlit as st

from app_support import auth_ui, data, state, streamlit_words, ui
from app_support.navigation import (
    home_page,
    land_on_allowed,
    pages_for,
    run_guarded,
    unknown_path_page,
    urls_hidden_from,
)
from data_pipeline.core.errors import DatabaseError
from data_pipeline.core.i18n import t

# A local picture: a Material or emoji icon would be fetched from a font server (fails offline).
ICON = Path(__file__).parent / "app_support" / "icon.png"
st.set_page_config(page_title="Deltagelsesatlas", page_icon=str(ICON), layout="wide")

lang = state.initial_language()
# Streamlit's English frame words in Danish before anything else is sent: the running indicator
# shows after 0.5 s of the very first run, and must already read "Arbejder …".
streamlit_words.frame_words(st.session_state.get("lang", lang))
try:
    # Opens the sealed snapshot (no local files, see data._open_snapshot). No SQL here: this
    # connection is shared by every session, and DuckDB refuses a call while another runs.
    data.connection()
except DatabaseError as exc:  # a clear sentence, not a traceback
    st.error(ui.error_text(exc, lang))
    st.stop()
user = auth_ui.sign_in(lang)  # OIDC login, or the bannered demo mode with its role switcher
menu = [
    st.Page(path, title=t(title_key, lang), icon=icon, url_path=url)
    for path, title_key, icon, url in pages_for(user.roles)
]
# "/" moves on to the first page, so every page keeps its own path (/overblik).
# A typed URL to a page outside the role lands on a refusal, not on the page's script.
pages = [home_page(menu, lang), *menu] + [
    auth_ui.refusal_page(url, lang) for url in urls_hidden_from(user.roles)
]
# A typed path no page has gets a Danish "no such page" with a link back.
pages += [p for p in [unknown_path_page(menu, lang)] if p is not None]
page = st.navigation(pages)
land_on_allowed(page, menu, {p.url_path for p in menu})
run_guarded(page, lang)
