"""Kontakt: choose a segment, see how many consenting citizens match, export their contacts.

Only the outreach and admin roles reach this page, and the export checks the role again. The
contact file never passes through Streamlit's media store: the page hands this browser a one-time
link (app_support.contact_download), and the file is built, audited and streamed when it is
fetched, after the role is checked once more. Never cached.
"""

import streamlit as st

import data_pipeline.outreach.contacts as outreach
from app_support import auth_ui, contact_download, data, state, ui, waves, words
from data_pipeline.core.errors import PipelineError
from data_pipeline.core.i18n import t

lang, filters = state.page_setup()
principal = auth_ui.require_page("kontakt", lang)
k = state.K_DEFAULT
path = data.db_path()

st.title(t("contact.title", lang))
st.caption(t("contact.lead", lang))
st.caption(t("contact.segment_hint", lang))
state.show_url_notice(lang)
st.caption(ui.plain(state.describe_filters(filters, lang)))
waves.stop_if_empty(filters, lang)

# The clustering gives segment numbers per respondent (no contact data), cached per wave.
try:
    segments = data.segments(path, filters.wave, lang)
except PipelineError:  # too few responses in the wave: the filters still select citizens
    segments = None
    st.caption(t("groups.segments_too_few", lang))
names = {p["segment"]: p[f"name_{lang}"] for p in segments.profiles} if segments else {}
chosen = st.selectbox(
    t("contact.cluster", lang),
    [None, *names],
    format_func=lambda s: t("contact.cluster_none", lang) if s is None else f"{s}. {names[s]}",
    key="c_cluster",
)
members = None
if chosen is not None:
    members = data.segment_members(filters.wave, chosen)  # never from a shared cache
segment = outreach.Segment(
    filters=filters,
    respondent_ids=members,
    label=None if chosen is None else f"{chosen}: {names[chosen]}",
)

count = data.with_cursor(outreach.count_consenting, principal, segment)
st.metric(
    t("contact.count", lang),
    ui.headline_count(count, k, lang),
    help=t("contact.count_help", lang, k=k),
)


def request_export() -> None:
    """Remember the click in a callback: it survives the rerun Streamlit may do on a first
    visit (state.page_setup), where a plain button value would be lost."""
    st.session_state["_c_export_requested"] = True


with st.form("c_export"):
    reason = st.text_input(
        t("contact.reason", lang),
        max_chars=outreach.MAX_REASON,
        help=t("contact.reason_help", lang),
        key="c_reason",
    )
    file_format = st.radio(
        t("contact.file_format", lang),
        ["xlsx", "csv"],
        format_func=lambda code: words.format_label(code, lang),  # "Excel-fil", not "xlsx"
        horizontal=True,
        key="c_format",
    )
    st.form_submit_button(t("contact.build", lang), type="primary", on_click=request_export)

if st.session_state.pop("_c_export_requested", False):
    if not reason.strip():
        st.warning(t("contact.need_reason", lang))
        st.stop()
    if count == 0:
        st.info(t("contact.none", lang))
        st.stop()
    # Not st.download_button: its bytes would sit in Streamlit's media store, readable by anyone
    # holding the URL. The link works once, for this browser's session, for two minutes; the
    # file is built, audited and streamed only then, after the role is checked again.
    try:
        link = contact_download.issue(principal, segment, reason, file_format, lang)
    except contact_download.DownloadUnavailable:
        st.error(t("contact.download_unavailable", lang))
        st.stop()
    st.success(t("contact.ready", lang, minutes=contact_download.TICKET_SECONDS // 60))
    st.link_button(t("contact.download", lang), link, type="primary")

# Issue 17: invite a panel that looks like the municipality, next to the plain export.
from app_support import panel_ui  # noqa: E402  (the section stays in its own module)

st.divider()
panel_ui.render(principal, filters, lang)
