"""A real login for browser tests: a local OIDC provider and `streamlit run` pointed at it.

The provider, the secrets and the browser login live in tools/oidc_mock.py (the browser tools
need them too); this module adds the test server. Used wherever the app serves data that is not
the embedded sample, since demo mode (no login) is then refused (docs/SECURITY.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.browser_support import free_port, streamlit_server
from tools.oidc_mock import HOST, TIMEOUT, USERS, log_in, oidc_provider, write_auth_secrets

__all__ = ["HOST", "TIMEOUT", "USERS", "app_with_login", "log_in", "oidc_provider"]


@contextmanager
def app_with_login(db: Path, provider: str, secrets_dir: Path) -> Iterator[str]:
    """`streamlit run app.py` on `db` with `[auth]` pointed at `provider`; yields its URL."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    secrets, env = write_auth_secrets(secrets_dir, url, provider)
    with streamlit_server(
        db, address=HOST, extra_args=("--secrets.files", str(secrets)), env=env, port=port
    ) as app_url:
        yield app_url
