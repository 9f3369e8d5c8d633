"""The Rapport page's files, built only when a download is asked for and cached by filter and
snapshot version: they hold suppressed aggregates only, never contact data, so sharing the
cache between sessions is safe. A new snapshot (an import, an erasure) gives new keys.
"""

from __future__ import annotations

import streamlit as st

from app_support import data
from data_pipeline.analysis.filtering import Filters
from data_pipeline.present import reports


@data.versioned
@st.cache_resource(ttl=600, max_entries=8, show_spinner=False)
def report_content(path: str, filters: Filters, lang: str, public: bool, k: int):
    """What a report says, built once per filter and shared by its formats (PNGs included)."""
    if public:
        return data.with_cursor(reports.build_public_summary, filters, lang=lang, k=k)
    # The segments of the wave, as cached for the Grupper page: no second clustering.
    segments = data.segments(data.db_path(), filters.wave, lang)
    return data.with_cursor(reports.build_report, filters, lang=lang, k=k, segments=segments)


@data.versioned
@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def report_file(path: str, filters: Filters, lang: str, public: bool, k: int, fmt: str) -> bytes:
    return reports.render(report_content(data.db_path(), filters, lang, public, k), fmt)
