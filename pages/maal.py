"""Mål: the director's goals for the term and whether we are getting there (issue 17)."""

import streamlit as st

from app_support import auth_ui, state
from data_pipeline.i18n import t

lang, filters = state.page_setup()
auth_ui.require_page("maal", lang)
st.title(t("goals.title", lang))
