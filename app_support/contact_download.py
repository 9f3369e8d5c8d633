"""Contact files through one access-checked route, never through Streamlit's media store.

Owns the one-time download tickets and the small Starlette route that serves them. The Kontakt
page issues a ticket (a random token bound to its session, its browser's XSRF cookie and the
request); the file is built, audited and streamed only when that same browser fetches the link,
after the role is checked again. Never stores the file: not in the media store, not in a cache,
not on disk. Streamlit's media store is readable by anyone with the URL (streamlit issue 8148).
"""

from __future__ import annotations

import gc
import json
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import date

import data_pipeline.outreach.contacts as outreach
import data_pipeline.privacy.roles as auth

ROUTE_PREFIX = "/_atlas/kontakt/"
TICKET_SECONDS = 120
MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
XSRF_COOKIE = "_streamlit_xsrf"
USER_COOKIE = "_streamlit_user"


class DownloadUnavailable(Exception):
    """No access-checked route can be offered (no server, or no XSRF cookie to bind to)."""


@dataclass(frozen=True)
class Ticket:
    session_id: str
    xsrf: bytes
    actor: str
    segment: outreach.Segment
    reason: str
    file_format: str
    lang: str
    expires: float


_tickets: dict[str, Ticket] = {}
_lock = threading.Lock()
_installed: dict[str, bool] = {}


def _xsrf_token(cookie: str | None) -> bytes | None:
    """The secret inside Streamlit's XSRF cookie (its mask differs per page load)."""
    if not cookie:
        return None
    from streamlit.web.server.starlette.starlette_app_utils import decode_xsrf_token_string

    try:
        token, _ = decode_xsrf_token_string(cookie)
    except Exception:  # a malformed cookie binds nothing
        return None
    return token or None


def _base_path() -> str:
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _install_route() -> bool:
    """Put the route in front of Streamlit's own on the running server, once per process.

    `streamlit run app.py` gives the script no handle on its Starlette app, so it is found
    among the live objects by its health route; Streamlit is pinned (<1.68) where this holds."""
    if _installed.get("done"):
        return True
    from starlette.applications import Starlette
    from starlette.routing import Route

    for obj in gc.get_objects():
        if isinstance(obj, Starlette) and any(
            str(getattr(route, "path", "")).endswith("/_stcore/health")
            for route in obj.router.routes
        ):
            path = f"{_base_path()}{ROUTE_PREFIX}{{token}}"
            obj.router.routes.insert(0, Route(path, _serve, methods=["GET"]))
            _installed["done"] = True
            return True
    return False


def issue(
    principal: auth.Principal,
    segment: outreach.Segment,
    reason: str,
    file_format: str,
    lang: str,
) -> str:
    """A one-time link for this session's browser; the file is built when it is fetched."""
    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    auth.require_role(principal, "export_contacts")
    ctx = get_script_run_ctx()
    xsrf = _xsrf_token(st.context.cookies.get(XSRF_COOKIE))
    if ctx is None or xsrf is None or not _install_route():
        raise DownloadUnavailable
    token = secrets.token_urlsafe(32)
    ticket = Ticket(
        session_id=ctx.session_id,
        xsrf=xsrf,
        actor=principal.actor,
        segment=segment,
        reason=reason,
        file_format=file_format,
        lang=lang,
        expires=time.monotonic() + TICKET_SECONDS,
    )
    with _lock:
        now = time.monotonic()
        for old in [
            k for k, v in _tickets.items() if v.session_id == ctx.session_id or v.expires < now
        ]:
            del _tickets[old]  # one open ticket per session; expired ones go
        _tickets[token] = ticket
    return f"{_base_path()}{ROUTE_PREFIX}{token}"


def _principal_now(request, ticket: Ticket) -> auth.Principal | None:
    """Who fetches, decided at download time from the request and the live session."""
    from app_support import auth_ui

    if auth_ui.auth_configured():
        from streamlit.web.server.starlette.starlette_auth_routes import (
            _get_cookie_value_from_request,
        )

        raw = _get_cookie_value_from_request(request, USER_COOKIE)
        if not raw:
            return None
        claims = json.loads(raw)
        if not claims.get("is_logged_in", True):
            return None
        actor = auth.user_email(claims) or str(claims.get("sub", "unknown"))
        roles = auth.roles_from_claims(claims, auth.RoleMap.default())
        return auth.Principal(actor=actor, roles=roles)
    # Demo mode: the same rules as for the page, applied to this request's own connection.
    from streamlit import runtime

    host = request.client.host if request.client else None
    if not auth.is_local_client(host, request.headers.keys()):
        return None
    session = runtime.get_instance().get_app_session(ticket.session_id)
    if session is None:
        return None
    state = session.session_state
    role = auth_ui.DEMO_DEFAULT_ROLE
    for key in ("_demo_role", "demo_role"):
        try:
            role = state[key]
        except KeyError:
            continue
    role = role if role in auth.ROLES else "viewer"
    return auth.Principal(actor=f"{auth.DEMO_ACTOR_PREFIX}{role}", roles=frozenset({role}))


async def _serve(request):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import PlainTextResponse, Response
    from streamlit import runtime

    nothing = PlainTextResponse("Ikke fundet. / Not found.", status_code=404)
    token = request.path_params.get("token", "")
    with _lock:
        ticket = _tickets.get(token)
    if ticket is None or ticket.expires < time.monotonic():
        return nothing
    # The session that asked must still be open: a closed browser leaves nothing to fetch.
    if runtime.get_instance().get_app_session(ticket.session_id) is None:
        with _lock:
            _tickets.pop(token, None)
        return nothing
    denied = PlainTextResponse("Ingen adgang. / Forbidden.", status_code=403)
    if _xsrf_token(request.cookies.get(XSRF_COOKIE)) != ticket.xsrf:
        return denied  # another browser (or none): the link alone opens nothing
    principal = _principal_now(request, ticket)
    if principal is None or principal.actor != ticket.actor:
        return denied
    if not principal.has_any(auth.ACTION_ROLES["export_contacts"]):
        return denied
    with _lock:
        if _tickets.pop(token, None) is None:  # fetched once, by a request just before this
            return nothing
    export = await run_in_threadpool(_build, principal, ticket)
    name = f"kontakter_{date.today().isoformat()}.{ticket.file_format}"
    return Response(
        export.data,
        media_type=MIME[ticket.file_format],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store, private",
            "Pragma": "no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _build(principal: auth.Principal, ticket: Ticket) -> outreach.ContactExport:
    """The file and its audit entry, made now: the role is checked again inside the export."""
    from app_support import data

    cur = data.writer()
    try:
        return outreach.export_contacts(
            cur, principal, ticket.segment, ticket.reason, ticket.file_format, ticket.lang
        )
    finally:
        cur.close()
