"""Who is using the app: OIDC login (st.login) when [auth] is configured, otherwise a clearly
bannered demo mode with a role switcher, allowed only on the sample data and only for a browser
on this machine (decided by the connection, never by the bind address).

Owns sign-in, the demo banner and the page guard every privileged page calls first. Roles come
from the identity provider's token (or the role file) on every run; in login mode nothing a
browser can put in session state or the URL changes them. Never shows contact data.
"""

from __future__ import annotations

import streamlit as st

import data_pipeline.privacy.roles as auth
from app_support import data
from app_support.ui import plain
from data_pipeline.core.errors import in_language
from data_pipeline.core.i18n import t
from data_pipeline.ingest.uploads import UnsafeSetup, ensure_defusedxml

PRODUCTION_ENV = auth.PRODUCTION_ENV
# The demo opens as admin so every page can be tried; the switcher narrows it.
DEMO_DEFAULT_ROLE = "admin"


def auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError):  # no secrets.toml at all
        return False
    except Exception:  # StreamlitSecretNotFoundError and parse errors: not configured
        return False


def _sample_data() -> bool:
    cur = data.cursor()
    try:
        return auth.only_sample_data(cur)
    finally:
        cur.close()


def in_production() -> bool:
    """The flag when set (unknown values raise auth.BadProductionFlag); unset, production
    whenever a real server serves data that is not the sample."""
    flag = auth.production_flag()
    if flag is not None:
        return flag
    return _served_over_the_network() and not _sample_data()


def client_is_local() -> bool:
    """This session's browser runs on this machine: the websocket's TCP peer is loopback and
    no proxy header came with it. Read from the connection, never from the bind address."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return False
    client = runtime.get_instance().get_client(ctx.session_id)
    context = getattr(client, "client_context", None)
    if context is None:
        return False
    return auth.is_local_client(context.remote_ip, (name for name, _ in context.headers))


def _refuse(message: str) -> None:
    """Show only this message: a hidden one-page menu keeps Streamlit from listing pages/."""

    def refused() -> None:
        st.error(message)

    st.navigation([st.Page(refused, title="Deltagelsesatlas")], position="hidden").run()
    st.stop()


def startup_checks(lang: str) -> None:
    """Refuse to run unsafely: openpyxl without defusedxml, or production without login."""
    try:
        ensure_defusedxml()
    except UnsafeSetup as exc:
        _refuse(in_language(str(exc), lang))
    try:
        production = in_production()
    except auth.BadProductionFlag as exc:
        _refuse(in_language(str(exc), lang))
    if production and not auth_configured():
        explicit = auth.production_flag() is not None
        _refuse(
            t("auth.production_needs_login" if explicit else "auth.real_data_needs_login", lang)
        )


def sign_in(lang: str) -> auth.Principal:
    """Log in (or enter the demo) and return who is using the app on this run."""
    startup_checks(lang)
    if auth_configured():
        return _oidc_user(lang)
    return _demo_user(lang)


def _oidc_user(lang: str) -> auth.Principal:
    if not _logged_in():

        def login_screen() -> None:
            st.title(t("app.title", lang))
            st.info(t("auth.please_login", lang))
            st.button(t("auth.login", lang), on_click=st.login, type="primary", key="auth_login")

        st.navigation([st.Page(login_screen, title="Login")], position="hidden").run()
        st.stop()
    principal = principal_from_token()
    st.sidebar.caption(t("auth.signed_in_as", lang, name=plain(principal.actor, unlink=False)))
    st.sidebar.button(t("auth.logout", lang), on_click=st.logout, key="auth_logout")
    if not principal.roles:
        _refuse(t("auth.no_roles", lang))
    return principal


def _logged_in() -> bool:
    # st.user has no is_logged_in key outside a real server session: treat as logged out.
    return bool(st.user.get("is_logged_in", False))


def principal_from_token() -> auth.Principal:
    claims = st.user.to_dict()
    actor = auth.user_email(claims) or str(claims.get("sub", "unknown"))
    return auth.Principal(actor=actor, roles=auth.roles_from_claims(claims, auth.RoleMap.default()))


def _served_over_the_network() -> bool:
    """False only when no real Streamlit server runs this script (AppTest, bare runs): then
    nothing is exposed. Decided by the process itself, never by anything a browser sends."""
    from streamlit import runtime

    # type(), not isinstance(): a test double built with spec=Runtime passes isinstance.
    return runtime.exists() and type(runtime.get_instance()) is runtime.Runtime


def demo_allowed() -> bool:
    """Demo mode only where no real citizen can be exposed: on the sample data, and only for a
    browser on this machine. Without a server (AppTest) nothing is exposed."""
    if not _served_over_the_network():
        return True
    return client_is_local() and _sample_data()


def _demo_role() -> str:
    role = st.session_state.get("demo_role", st.session_state.get("_demo_role", DEMO_DEFAULT_ROLE))
    return role if role in auth.ROLES else "viewer"


def _keep_demo_role() -> None:
    st.session_state["_demo_role"] = st.session_state["demo_role"]
    # app.py then moves to a page the new role may see (navigation.land_on_allowed).
    st.session_state["_role_switched"] = True


def _demo_user(lang: str) -> auth.Principal:
    if not demo_allowed():
        _refuse(t("auth.demo_not_allowed", lang))
    if st.session_state.get("demo_role") != _demo_role():
        st.session_state["demo_role"] = _demo_role()
    st.sidebar.warning(t("auth.demo_banner", lang), icon=":material/science:")
    st.sidebar.selectbox(
        t("auth.demo_role", lang),
        auth.ROLES,
        format_func=lambda role: t(f"role.{role}", lang),
        key="demo_role",
        on_change=_keep_demo_role,
    )
    return demo_principal()


def demo_principal() -> auth.Principal:
    role = _demo_role()
    return auth.Principal(actor=f"{auth.DEMO_ACTOR_PREFIX}{role}", roles=frozenset({role}))


def current_principal() -> auth.Principal | None:
    """Resolved again on every call, from the token or the demo switcher; None = refused."""
    if auth_configured():
        return principal_from_token() if _logged_in() else None
    try:
        if in_production() or not demo_allowed():
            return None
    except auth.BadProductionFlag:
        return None
    return demo_principal()


def refusal_page(url_path: str, lang: str) -> st.Page:
    """A hidden page at a forbidden url: it says no, and the real page script never runs."""

    def refused() -> None:
        st.error(t("auth.denied", lang))

    return st.Page(
        refused, title=t("auth.denied_title", lang), url_path=url_path, visibility="hidden"
    )


def require_page(url_path: str, lang: str) -> auth.Principal:
    """The first line of a privileged page: stop here unless the role may see this page.

    The menu already hides the page; this check holds when someone reaches it anyway
    (a typed URL, a stale link, a switch_page)."""
    principal = current_principal()
    if principal is None or not auth.can_see_page(principal.roles, url_path):
        _refuse(t("auth.denied", lang))
    return principal
