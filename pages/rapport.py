"""Rapport: the council report (PDF, XLSX, HTML) and the citizens' summary (HTML, PDF) for the
current filter. Files are built only when a download is asked for (app_support.report_files
caches them by filter and snapshot version).
"""

import streamlit as st

# Imported during the page run: a download builds its file in a worker thread, and a first
# import there can race Streamlit's module reloader (seen as a failed download in the browser).
import data_pipeline.analysis.segments  # noqa: F401
from app_support import auth_ui, data, report_files, state, ui, waves
from data_pipeline.core.i18n import t
from data_pipeline.present import reports

lang, filters = state.page_setup()
auth_ui.require_page("rapport", lang)
k = state.K_DEFAULT
path = data.db_path()

st.title(t("report.page.title", lang))
st.caption(t("report.page.lead", lang))
state.show_url_notice(lang)
st.caption(ui.plain(state.describe_filters(filters, lang)))
wave_respondents = waves.stop_if_empty(filters, lang)

view = data.overview(path, filters, k, lang)
if view.wave is None:
    st.info(t("app.no_data", lang))
    st.stop()
if view.respondents == 0:
    st.warning(t("filter.empty", lang))
    st.stop()
if view.population is None:
    st.info(t("overview.no_population", lang))
    st.stop()


def download(column, fmt: str, public: bool) -> None:
    name = "borgeropsummering" if public else "rapport"
    column.download_button(
        t(f"report.page.download_{fmt}", lang),
        data=lambda: report_files.report_file(path, filters, lang, public, k, fmt),
        file_name=f"deltagelsesatlas_{name}_{view.wave}.{fmt}",
        mime=reports.MIME_TYPES[fmt],
        icon=":material/download:",
        key=f"r_{name}_{fmt}",
    )


council, public = st.columns(2, gap="large")
with council:
    st.subheader(t("report.page.council", lang))
    st.write(t("report.page.council_text", lang))
    if wave_respondents < data_pipeline.analysis.segments.MIN_RESPONDENTS:
        # The council report describes the wave's interest segments; too few to form them.
        st.info(t("groups.segments_too_few", lang))
    else:
        buttons = st.columns(len(reports.COUNCIL_FORMATS))
        for column, fmt in zip(buttons, reports.COUNCIL_FORMATS, strict=True):
            download(column, fmt, public=False)
with public:
    st.subheader(t("report.page.public", lang))
    st.write(t("report.page.public_text", lang))
    buttons = st.columns(len(reports.PUBLIC_FORMATS))
    for column, fmt in zip(buttons, reports.PUBLIC_FORMATS, strict=True):
        download(column, fmt, public=True)

st.caption(t("report.page.privacy", lang, k=k))
