"""Streamlit's own English words in a Danish interface, replaced where Streamlit has no option.

The file uploader's button ("Upload") and size note ("200MB per file") are drawn by Streamlit's
frontend; CSS hides them and shows our words instead. Checked against the pinned Streamlit
range (its data-testid attributes); tests/test_browser_pages.py fails if they come back.
"""

from __future__ import annotations

import json

import streamlit as st

from data_pipeline.core.i18n import t


def uploader_words(lang: str, mb: int) -> None:
    """Our own button text and size note in every file uploader on the page."""
    button = json.dumps(t("upload.browse", lang), ensure_ascii=False)  # CSS reads UTF-8, not \\u
    note = f"{t('upload.drop_here', lang)} · {t('upload.drop_limit', lang, mb=mb)}"
    note = json.dumps(note, ensure_ascii=False)
    zone = '[data-testid="stFileUploaderDropzone"]'
    st.html(
        f"""<style>
{zone} button [data-testid="stMarkdownContainer"] p {{ display: none; }}
{zone} button [data-testid="stMarkdownContainer"]::after {{ content: {button}; }}
{zone} [data-testid="stFileUploaderDropzoneInstructions"] span {{ display: none; }}
{zone} [data-testid="stFileUploaderDropzoneInstructions"] > div::after {{
  content: {note}; font-size: 0.875rem; opacity: 0.7;
}}
</style>"""
    )


def frame_words(lang: str) -> None:
    """Every page: Streamlit's "Press Enter to apply" under a text field, in Danish."""
    if lang != "da":
        return
    hint = json.dumps(t("app.press_enter", lang), ensure_ascii=False)
    st.html(
        f"""<style>
[data-testid="InputInstructions"] span {{ display: none; }}
[data-testid="InputInstructions"]::after {{ content: {hint}; }}
</style>"""
    )
