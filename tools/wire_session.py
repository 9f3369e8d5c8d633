"""A dashboard session without a browser: Streamlit's own websocket messages, sent as the
browser sends them, for the load test (tools/load_test.py --wire).

Why it exists: on this 2-core machine a Chromium page costs 1.4–6 s of CPU per page view
against 0.25–1.4 s for the server (measured with /proc while opening the four pages), so
20 browser sessions measure Chromium, not the server. A wire session opens the same
websocket (`/_stcore/stream`, subprotocol "streamlit" with the XSRF token and the sign-in
cookie a browser would carry), asks for a page by its path and query string, and changes a
sidebar filter by sending the widget state the browser would send after a click. It times
send → `script_finished`: the server's whole answer (script, queries, chart specs, and the
messages on the wire), without the drawing. Every element the server sends is read, so an
exception box or an error alert counts as an error here as it does in the browser.

Owns only this client; which pages and filters to drive, and the report, stay in load_test.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

FINISHED_OK = 0  # ScriptFinishedStatus.FINISHED_SUCCESSFULLY
FINISHED_EARLY_FOR_RERUN = 2  # the script called st.rerun(); the next run follows
ALERT_ERROR = 1  # Alert.Format.ERROR
FILTER_KEYS = {"age": "f_age_band", "area": "f_area", "topic": "f_topic"}  # app_support/state


class WireError(RuntimeError):
    """The server closed, refused, or did not finish a run in time."""


@dataclass
class Run:
    """What one script run sent: the time to script_finished and what a reader would see."""

    ms: float
    exceptions: int = 0
    error_alerts: int = 0
    multiselects: dict[str, tuple[str, list[str]]] = field(
        default_factory=dict
    )  # key → id, options


class WireSession:
    """One person's tab, as messages. `async with WireSession(url, cookies) as s: await s.open(p)`."""

    def __init__(self, url: str, cookies: dict[str, str] | None = None) -> None:
        parsed = urlparse(url)
        self.origin = f"{parsed.scheme}://{parsed.netloc}"
        self.ws_url = f"ws://{parsed.netloc}/_stcore/stream"
        self.cookies = dict(cookies or {})
        self.query_string = ""
        self.page_hash = ""
        self.widgets: dict[str, list[str]] = {}  # widget id → chosen options, as sent
        self._ws = None

    async def __aenter__(self) -> WireSession:
        headers = {"Origin": self.origin}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        # The browser repeats its XSRF cookie as the second subprotocol entry.
        protocols = ["streamlit", self.cookies.get("_streamlit_xsrf", "")]
        self._ws = await connect(
            self.ws_url,
            subprotocols=[p for p in protocols if p] or ["streamlit"],
            additional_headers=headers,
            max_size=None,  # a page's charts arrive as one large message
            open_timeout=60,
        )
        return self

    async def __aexit__(self, *exc) -> None:
        if self._ws is not None:
            await self._ws.close()

    async def open(self, page: str, query_string: str = "", timeout_s: float = 60) -> Run:
        """A newly typed address: the page by its path, no widget state yet."""
        self.query_string, self.widgets = query_string, {}
        return await self._rerun(page_name=page, timeout_s=timeout_s)

    async def choose(self, run: Run, kind: str, rng: random.Random, timeout_s: float = 60) -> Run:
        """Add one not yet chosen option of a sidebar filter, as a click in its list does."""
        widget_id, options = run.multiselects[FILTER_KEYS[kind]]
        chosen = self.widgets.get(widget_id, [])
        left = [o for o in options if o not in chosen]
        if not left:
            raise WireError(f"every option of {kind} is already chosen")
        self.widgets[widget_id] = [*chosen, rng.choice(left)]
        return await self._rerun(timeout_s=timeout_s)

    async def _rerun(self, page_name: str = "", timeout_s: float = 60) -> Run:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_hash
        state.page_name = page_name
        for widget_id, values in self.widgets.items():
            widget = state.widget_states.widgets.add()
            widget.id = widget_id
            widget.string_array_value.data.extend(values)
        started = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        run = Run(ms=0.0)
        deadline = time.monotonic() + timeout_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WireError(f"no script_finished within {timeout_s:.0f} s")
            try:
                data = await asyncio.wait_for(self._ws.recv(), timeout=left)
            except TimeoutError:
                raise WireError(f"no script_finished within {timeout_s:.0f} s") from None
            forward = ForwardMsg()
            forward.ParseFromString(data)
            kind = forward.WhichOneof("type")
            if kind == "delta":
                self._read_delta(forward.delta, run)
            elif kind == "page_info_changed":
                self.query_string = forward.page_info_changed.query_string
            elif kind == "new_session":
                self.page_hash = forward.new_session.page_script_hash
            elif kind == "script_finished":
                if forward.script_finished == FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun(): the answer is the run that follows
                run.ms = (time.perf_counter() - started) * 1000
                if forward.script_finished != FINISHED_OK:
                    raise WireError(f"script finished with status {forward.script_finished}")
                return run

    @staticmethod
    def _read_delta(delta, run: Run) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        which = element.WhichOneof("type")
        if which == "exception":
            run.exceptions += 1
        elif which == "alert" and element.alert.format == ALERT_ERROR:
            run.error_alerts += 1
        elif which == "multiselect":
            ms = element.multiselect
            key = ms.id.rsplit("-", 1)[-1] if "-" in ms.id else ms.id
            run.multiselects[key] = (ms.id, list(ms.options))
