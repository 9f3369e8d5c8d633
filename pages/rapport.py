"""Rapport: the council report (PDF, XLSX, HTML) and the citizens' summary (HTML, PDF) for the
current filter. Files are built only when a download is asked for, and cached by filter: they
hold suppressed aggregates only, never contact data, so sharing the cache is safe.
"""

import streamlit as st

# Imported during the page run: a download builds its file in a worker thread, and a first
# import there can race Streamlit's module reloader (seen as a failed download in the browser).
import data_pipeline.analysis.segments  # noqa: F401
from app_support import auth_ui, data, state, ui, waves
from data_pipeline.analysis.filtering import Filters
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


@st.cache_resource(ttl=600, max_entries=8, show_spinner=False)
def report_content(path: str, filters: Filters, lang: str, public: bool, k: int):
    """What a report says, built once per filter and shared by its formats (PNGs included)."""
    cur = data.cursor()
    try:
        if public:
            return reports.build_public_summary(cur, filters, lang=lang, k=k)
        # The segments of the wave, as cached for the Grupper page: no second clustering.
        segments = data.segments(path, filters.wave, lang)
        return reports.build_report(cur, filters, lang=lang, k=k, segments=segments)
    finally:
        cur.close()


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def report_file(path: str, filters: Filters, lang: str, public: bool, k: int, fmt: str) -> bytes:
    return reports.render(report_content(path, filters, lang, public, k), fmt)


def download(column, fmt: str, public: bool) -> None:
    name = "borgeropsummering" if public else "rapport"
    column.download_button(
        t(f"report.page.download_{fmt}", lang),
        data=lambda: report_file(path, filters, lang, public, k, fmt),
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
