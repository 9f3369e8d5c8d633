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
    """Every page in Danish: Streamlit's English frame words replaced or hidden.

    - "Press Enter to apply" under a text field and "No results" in a searched select or
      multiselect become Danish (the empty list is react-aria's listbox with data-empty).
    - The running indicator ("Running..." and its "Stop"/"Stopping..." button) becomes
      "Arbejder …".
    - The tables' and charts' hover toolbars (tooltips "Search", "Fullscreen", "Show/hide
      columns", "Show data", "Download as PNG") are hidden: every page has our own Danish CSV
      and Excel buttons, and client.disableDataExport in .streamlit/config.toml already
      removes Streamlit's "Download as CSV".
    - The main menu (English "System / Light / Dark / Print / Record screen") is hidden;
      toolbarMode "minimal" would hide it too, but also the running indicator.
    - The uploaded-file list drops Streamlit's size ("192.2KB", a decimal point in Danish).
    """
    if lang != "da":
        return
    hint = json.dumps(t("app.press_enter", lang), ensure_ascii=False)
    empty = json.dumps(t("app.no_results", lang), ensure_ascii=False)
    running = json.dumps(t("app.running", lang), ensure_ascii=False)
    listbox = '[role="listbox"][data-empty="true"]'
    st.html(
        f"""<style>
[data-testid="InputInstructions"] span {{ display: none; }}
[data-testid="InputInstructions"]::after {{ content: {hint}; }}
{listbox} > [role="option"] {{ display: none !important; }}
{listbox}::after {{
  content: {empty}; display: block; padding: 0.5rem; text-align: center;
  font-size: 0.875rem; opacity: 0.7;
}}
[data-testid="stStatusWidget"] > * {{ display: none !important; }}
[data-testid="stStatusWidget"]::after {{
  content: {running}; font-size: 0.875rem; opacity: 0.7; white-space: nowrap;
}}
[data-testid="stElementToolbar"] {{ display: none !important; }}
[data-testid="stFileChipName"] + div {{ display: none; }}
[data-testid="stMainMenu"] {{ display: none !important; }}
</style>"""
    )
