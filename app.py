"""Deltagelsesatlas: the entry point only routes (page config, language, navigation).

Run with `streamlit run app.py`; on first start it builds the database from sample_data/.
Each page draws the shared filter bar through app_support.state.page_setup().
"""

import streamlit as st

from app_support import data, state
from app_support.navigation import PAGES
from data_pipeline.errors import DatabaseError
from data_pipeline.i18n import t

st.set_page_config(page_title="Deltagelsesatlas", page_icon=":material/map:", layout="wide")

lang = state.initial_language()
pages = [
    st.Page(path, title=t(title_key, lang), icon=icon, url_path=url, default=index == 0)
    for index, (path, title_key, icon, url) in enumerate(PAGES)
]
page = st.navigation(pages)
try:
    data.connection()
except DatabaseError as exc:  # a clear sentence, not a traceback
    st.error(str(exc))
    st.stop()
page.run()
