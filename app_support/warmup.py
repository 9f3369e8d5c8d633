"""A warm-up visit: once the server listens, the launcher opens each read-only page once, as a
browser would, so the first director to open a link does not pay for a cold process.

Why a visit and not a function call: what a first visit pays on a fresh server is spread over
Streamlit and our pages (profiled on the sample, issue 14/16): the snapshot connection and the
page's cached queries and chart specs (st.cache_data / st.cache_resource live in the running
server), and one-off costs inside Streamlit itself (its first element walks every loaded
module's source with `inspect.stack()`, about 0.5 s). Only a script run inside the runtime
fills those, and a visit is the public way to ask for one: the same websocket and BackMsg the
browser sends, from 127.0.0.1.

What it warms depends on the data. On the sample (demo mode) it runs the pages with the default
filters. On a municipality's data, sign-in comes first, so it reaches only the login screen and
the first visitor still fills the page caches; the Streamlit costs are paid either way. It
never writes: the pages it opens only read, and it sends no widget values.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.request

log = logging.getLogger("deltagelsesatlas.warmup")

# Read-only pages, in menu order; the home path first (it forwards to the role's first page).
PAGES = ("", "udforsk", "kort", "grupper", "aktivitet", "rapport", "maal")
SCRIPT_SECONDS = 120  # one page's run on a loaded 2-core machine is far below this
READY_SECONDS = 300


def _base_url() -> tuple[str, str]:
    """(http base, websocket base) of this server, from Streamlit's own options."""
    from streamlit import config

    port = config.get_option("server.port")
    path = (config.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{path}" if path else ""
    return f"http://127.0.0.1:{port}{prefix}", f"ws://127.0.0.1:{port}{prefix}"


def _wait_until_listening(seconds: float = READY_SECONDS) -> tuple[str, str] | None:
    """The server's (http, websocket) base once it answers its health check, else None. The
    options are read again on every try: the thread starts before Streamlit parses them."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        http, ws_base = _base_url()
        try:
            with urllib.request.urlopen(f"{http}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return http, ws_base
        except OSError:
            pass
        time.sleep(0.2)
    return None


def visit(ws_base: str, page: str, seconds: float = SCRIPT_SECONDS) -> bool:
    """Open `page` as a new session and wait for its script run to finish. True when every run
    the visit caused finished (a deep link may run twice: see streamlit_compat)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    ask = BackMsg()
    ask.rerun_script.query_string = ""
    ask.rerun_script.page_name = page
    deadline = time.monotonic() + seconds
    with connect(f"{ws_base}/_stcore/stream", subprotocols=["streamlit"], open_timeout=10) as ws:
        ws.send(ask.SerializeToString())
        finished = False
        while time.monotonic() < deadline:
            try:
                frame = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                break
            message = ForwardMsg()
            message.ParseFromString(frame)
            kind = message.WhichOneof("type")
            if kind == "script_finished":
                # 2 = finished early for a rerun: wait for the rerun's own end
                finished = message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
                if finished:
                    return True
        return finished


def warm(pages: tuple[str, ...] = PAGES) -> None:
    """Wait for the server, then visit every page once; log what it took. Never raises: a
    failed warm-up only leaves the work to the first visitor, as `streamlit run` does."""
    try:
        bases = _wait_until_listening()
        if bases is None:
            log.warning("Opvarmning sprunget over: serveren svarede ikke.")
            return
        ws_base = bases[1]
        started = time.perf_counter()
        done = sum(visit(ws_base, page) for page in pages)
        log.info(
            "Deltagelsesatlas: %d af %d sider varmet op på %.1f s.",
            done,
            len(pages),
            time.perf_counter() - started,
        )
    except Exception as exc:  # noqa: BLE001 - an optimisation, never a reason to stop serving
        log.warning("Opvarmning sprunget over (%s).", type(exc).__name__)


def start() -> threading.Thread:
    """Run `warm` beside the server (a daemon thread: it never holds the process open)."""
    thread = threading.Thread(target=warm, name="deltagelsesatlas-warmup", daemon=True)
    thread.start()
    return thread
