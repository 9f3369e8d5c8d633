"""Deltagelsesatlas: the entry point only routes (page config, language, navigation).

Run with `streamlit run app.py`; on first start it builds the database from sample_data/.
Each page draws the shared filter bar through app_support.state.page_setup().
"""

import streamlit as st

from app_support import data, state
from data_pipeline.i18n import t

st.set_page_config(page_title="Deltagelsesatlas", page_icon="🗺️", layout="wide")

lang = state.initial_language()
pages = [
    st.Page(
        "pages/overblik.py",
        title=t("nav.overview", lang),
        icon="📊",
        url_path="overblik",
        default=True,
    ),
    st.Page("pages/udforsk.py", title=t("nav.explore", lang), icon="🔎", url_path="udforsk"),
    st.Page("pages/kort.py", title=t("nav.map", lang), icon="🗺️", url_path="kort"),
    st.Page("pages/grupper.py", title=t("nav.groups", lang), icon="👥", url_path="grupper"),
]
page = st.navigation(pages)
data.connection()
page.run()
