"""Deltagelsesatlas: the entry point only routes (page config, language, login, navigation).

Run with `streamlit run app.py`; on first start it builds the database from sample_data/.
Each page draws the shared filter bar through app_support.state.page_setup().
"""

import streamlit as st

from app_support import auth_ui, data, state
from app_support.navigation import pages_for, urls_hidden_from
from data_pipeline.errors import DatabaseError
from data_pipeline.i18n import t
from data_pipeline.uploads import deny_file_access

st.set_page_config(page_title="Deltagelsesatlas", page_icon=":material/map:", layout="wide")

lang = state.initial_language()
try:
    deny_file_access(data.connection())  # after the first load, pages cannot read local files
except DatabaseError as exc:  # a clear sentence, not a traceback
    st.error(str(exc))
    st.stop()
user = auth_ui.sign_in(lang)  # OIDC login, or the bannered demo mode with its role switcher
pages = [
    st.Page(path, title=t(title_key, lang), icon=icon, url_path=url, default=index == 0)
    for index, (path, title_key, icon, url) in enumerate(pages_for(user.roles))
]
# A typed URL to a page outside the role lands on a refusal, not on the page's script.
pages += [auth_ui.refusal_page(url, lang) for url in urls_hidden_from(user.roles)]
page = st.navigation(pages)
page.run()
