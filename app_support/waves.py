"""A wave without responses (an upload that loaded nothing, a wave created ahead of time) is
named in a sentence on every page that reads the wave, instead of drawing empty charts or
failing in the analysis."""

from __future__ import annotations

import streamlit as st

import data_pipeline.analysis.catalog as catalog
import data_pipeline.analysis.counting as counting
from app_support import data
from app_support.ui import plain
from data_pipeline.analysis.filtering import Filters
from data_pipeline.core.i18n import t


def stop_if_empty(filters: Filters, lang: str) -> int:
    """Stop the page with a sentence when the database or the chosen wave holds no responses;
    otherwise return the wave's number of respondents (unfiltered)."""
    with data.reading() as cur:
        wave = filters.wave or catalog.latest_wave(cur)
        respondents = catalog.wave_respondents(cur, wave) if wave else 0
    if wave is None:
        st.info(t("app.no_data", lang))
        st.stop()
    if respondents == 0:
        st.info(t("wave.empty", lang, wave=plain(wave)))
        st.stop()
    return respondents


def filtered_respondents(filters: Filters) -> int:
    """Respondents under the whole filter (for "no answers" and "fewer than k" sentences)."""
    with data.reading() as cur:
        return counting.count_respondents(cur, filters)
