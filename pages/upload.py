"""Upload: analysts drop files, check what was detected, map columns and values, then load one
batch; the history below offers undo. Nothing is stored before "Indlæs".

The steps are app_support.upload_steps; this page only tells them in order."""

import streamlit as st

from app_support import auth_ui, state, streamlit_words, ui
from app_support import upload_steps as steps
from data_pipeline.core.errors import PipelineError
from data_pipeline.core.i18n import t
from data_pipeline.ingest.readers import bundle_inputs
from data_pipeline.store.load import KINDS
from data_pipeline.store.preview import mapping_from_choices, preview_file

lang, filters = state.page_setup()
principal = auth_ui.require_page("upload", lang)

st.title(t("upload.title", lang))
st.caption(t("upload.lead", lang))
state.say_not_applied(filters, state.FILTER_FIELDS, lang, "filter.not_applied.files")

kind = st.radio(
    t("upload.kind", lang),
    KINDS,
    format_func=lambda k: t(f"upload.kind.{k}", lang),
    horizontal=True,
    key="u_kind",
)
wave = st.text_input(t("upload.wave", lang), key="u_wave") if kind == "survey" else ""
files = st.file_uploader(
    t("upload.files", lang),
    accept_multiple_files=True,
    key="u_files",
    max_upload_size=steps.MAX_MB,
)
st.caption(t("upload.limit", lang, mb=steps.MAX_MB))
streamlit_words.uploader_words(lang, steps.MAX_MB)  # not Streamlit's "Upload" / "200MB per file"
steps.show_message()


def stop_with_history() -> None:
    steps.history(principal, lang)
    st.stop()


# Which file -----------------------------------------------------------------------------------
stored = steps.stored_uploads(files, lang) if files else []
units = bundle_inputs([path for _, path in stored])
if not units:
    stop_with_history()
names = {path: name for name, path in stored}
unit = st.selectbox(
    t("upload.choose_file", lang), units, format_func=lambda p: names.get(p, p.name), key="u_unit"
)
file_name = names.get(unit, unit.name)

# What was detected, and which column is what --------------------------------------------------
try:
    preview = preview_file(unit, kind)
except PipelineError as exc:
    st.error(ui.error_text(exc, lang))
    stop_with_history()
steps.show_detected(preview, lang)
columns, fields = steps.plan_columns(preview, kind, unit, lang)
try:
    mapping = mapping_from_choices(columns, None)
except PipelineError as exc:
    st.error(ui.error_text(exc, lang))
    st.stop()

# Dry run, unknown values, load ----------------------------------------------------------------
report = steps.dry_run(unit, kind, wave, mapping, fields, file_name, lang)
if report is not None:
    steps.show_report(report, file_name, lang)
    steps.map_unknown_values(report, lang)
    steps.load_button(report, principal, lang, (unit, kind, wave, mapping, fields, file_name))
steps.history(principal, lang)
