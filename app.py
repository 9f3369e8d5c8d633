"""Deltagelsesatlas: the entry point only routes (page config, language, navigation).

Run with `streamlit run app.py`; on first start it builds the database from sample_data/.
Each page draws the shared filter bar through app_support.state.page_setup().
"""

import streamlit as st

from app_support import data, state
from data_pipeline.errors import DatabaseError
from data_pipeline.i18n import t

st.set_page_config(page_title="Deltagelsesatlas", page_icon="🗺️", layout="wide")

lang = state.initial_language()
pages = [
    st.Page(
        "pages/overblik.py",
        title=t("nav.overview", lang),
        icon=":material/dashboard:",
        url_path="overblik",
        default=True,
    ),
    st.Page(
        "pages/udforsk.py",
        title=t("nav.explore", lang),
        icon=":material/table_chart:",
        url_path="udforsk",
    ),
    st.Page("pages/kort.py", title=t("nav.map", lang), icon=":material/map:", url_path="kort"),
    st.Page(
        "pages/grupper.py",
        title=t("nav.groups", lang),
        icon=":material/groups:",
        url_path="grupper",
    ),
]
page = st.navigation(pages)
try:
    data.connection()
except DatabaseError as exc:  # a clear sentence, not a traceback
    st.error(str(exc))
    st.stop()
page.run()
