"""Administration: erase a citizen on request, purge old contact details, read the audit log.

Admin only; every action checks the role again in data_pipeline. Erasure and purge rewrite the
database file under the writer lock and publish a new snapshot; the old snapshot is closed and
every cache is dropped.
"""

import streamlit as st

import data_pipeline.privacy.erasure as erasure
from app_support import auth_ui, data, state, ui, words
from data_pipeline.core.i18n import counted, t, tn

AUDIT_ROWS = 200

lang, _filters = state.page_setup()
principal = auth_ui.require_page("admin", lang)

st.title(t("admin.title", lang))
st.caption(t("admin.lead", lang))
state.say_not_applied(_filters, state.FILTER_FIELDS, lang, "filter.not_applied.files")


def request(name: str, *keys: str) -> None:
    """Keep a submitted form's values for this run only (see pages/kontakt.py for why)."""
    st.session_state[f"_{name}_request"] = {key: st.session_state.get(key) for key in keys}


# Erasure ------------------------------------------------------------------------------------
st.subheader(t("admin.erase", lang))
st.caption(t("admin.erase_lead", lang))
with st.form("a_erase", clear_on_submit=True):  # the email does not linger in the form
    st.radio(
        t("admin.erase_by", lang),
        ["email", "respondent"],
        format_func=lambda v: t(f"admin.by_{v}", lang),
        horizontal=True,
        key="a_by",
    )
    st.text_input(t("admin.erase_value", lang), key="a_value")
    st.checkbox(t("admin.erase_confirm", lang), key="a_confirm")
    st.form_submit_button(
        t("admin.erase_button", lang),
        type="primary",
        on_click=request,
        args=("a_erase", "a_by", "a_value", "a_confirm"),
    )

asked = st.session_state.pop("_a_erase_request", None)
# Never silent: a click without a value or without the confirmation says what is missing.
if asked and not (asked["a_value"] or "").strip():
    st.warning(t("admin.erase_no_value", lang))
elif asked and not asked["a_confirm"]:
    st.warning(t("admin.erase_not_confirmed", lang))
elif asked:
    value = asked["a_value"].strip()
    target = {"email": value} if asked["a_by"] == "email" else {}
    if asked["a_by"] == "respondent":
        if not value.isdigit():
            st.error(t("admin.bad_respondent", lang))
            st.stop()
        target = {"respondent_id": int(value)}
    result, problem = data.delete_and_rewrite(
        lambda con: erasure.erase_citizen(con, principal, **target)
    )
    if problem:
        st.error(t("admin.rewrite_failed", lang, error=ui.error_text(problem, lang)))
    elif result.respondents:
        st.success(
            t(
                "admin.erased",
                lang,
                respondents=counted(result.respondents, "response", lang),
                rows=counted(result.rows_deleted, "row", lang),
            )
        )
    else:
        st.warning(t("admin.not_found", lang))

# Retention ----------------------------------------------------------------------------------
st.subheader(t("admin.purge", lang))
with st.form("a_purge"):
    st.number_input(
        t("admin.purge_months", lang), min_value=1, max_value=240, value=48, key="a_months"
    )
    st.form_submit_button(
        t("admin.purge_button", lang), on_click=request, args=("a_purge", "a_months")
    )
purge = st.session_state.pop("_a_purge_request", None)
if purge:
    months = int(purge["a_months"])
    deleted, problem = data.delete_and_rewrite(
        lambda con: erasure.purge_contacts(con, principal, months)
    )
    if problem:
        st.error(t("admin.rewrite_failed", lang, error=ui.error_text(problem, lang)))
    else:
        st.success(t("admin.purged", lang, rows=counted(deleted, "contact", lang)))

# Audit log ----------------------------------------------------------------------------------
st.subheader(t("admin.audit", lang))
st.caption(tn("admin.audit_lead", AUDIT_ROWS, lang))
log = data.with_cursor(erasure.audit_entries, principal, AUDIT_ROWS)
st.dataframe(ui.blank_missing(words.audit_table(log, lang)), hide_index=True, key="a_audit")
