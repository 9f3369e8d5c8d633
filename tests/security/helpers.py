"""Shared helpers for the security suite: real files, real databases, real app runs."""

from __future__ import annotations

import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

TIMEOUT = 60


def copy_db(source: Path, target: Path) -> Path:
    shutil.copy(source, target)
    shutil.copy(f"{source}.key", f"{target}.key")
    return target


def app(page: str | None = None, role: str | None = None, params: dict | None = None) -> AppTest:
    """Run app.py (optionally as a demo role, optionally switched to a page)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if role is not None:
        at.session_state["demo_role"] = role
    if page is not None:
        at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def visible_text(at: AppTest) -> str:
    """Everything a person could read on the page, dataframes included."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "metric"):
        for element in getattr(at, kind):
            parts.append(str(getattr(element, "value", "")))
            parts.append(str(getattr(element, "label", "")))
    for kind in ("error", "warning", "info", "success"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    return "\n".join(parts)
