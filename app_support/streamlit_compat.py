"""The one place the app reaches into Streamlit's private API, and why no public way exists.

Streamlit 1.67 decides once per process, when the first session's PagesManager is created,
whether the app is a legacy "pages/ folder" app: `PagesManager.uses_pages_directory` becomes
True when a folder named `pages/` sits next to the entry script. Only a call to st.navigation
clears it, and in legacy mode the script runner runs the requested page's file directly
(`_mpa_v1` in streamlit/runtime/scriptrunner/script_runner.py), so app.py, which calls
st.navigation, never runs when a shared link such as /kort is the server's first visit.
`[client] showSidebarNavigation = false` only hides the legacy menu (`_mpa_v1` passes it as
the menu's position); it does not stop the folder scan. The folder must be called `pages/`
(the design card), and no option or public call switches legacy mode off before a page runs.
Upstream: https://github.com/streamlit/streamlit/pull/10276 (the review there describes this:
"pages folder + MPAv2 ... directly access an URL path ... sometimes it completely switches back
to MPAv1") and https://github.com/streamlit/streamlit/issues/9624 (deep links on first load).

Remove this module when a Streamlit release lets st.navigation own a `pages/` folder from the
first request; tests/test_deep_link.py shows whether it is still needed.
"""

from __future__ import annotations

import streamlit as st

RERUN_MARK = "_left_legacy_pages_mode"


def leave_legacy_pages_mode() -> None:
    """Make app.py's st.navigation take over even when a deep link is the server's first visit.

    Called at the top of every page (state.page_setup): in legacy mode the page clears the
    flag and reruns, and the rerun goes through app.py. Once per session at most: a rerun drops
    button clicks, and the test harness (AppTest) resets the flag before every run.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if not st.session_state.get(RERUN_MARK):
            st.session_state[RERUN_MARK] = True
            st.rerun()
