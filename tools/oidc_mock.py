"""A real sign-in on localhost: a mock OIDC provider, the app's `[auth]` secrets, and a browser
login through it. Shared by the browser tests (tests/oidc_support.py) and the browser tools
(tools/browser_bench.py, tools/load_test.py), which need it on any database but the sample,
since demo mode (no login) is refused there (docs/SECURITY.md).

oidc-provider-mock runs on a free localhost port in a thread of the calling process and issues
real signed ID tokens for predefined users whose `roles` claim is viewer, outreach, admin or
empty. The app gets a secrets.toml of its own (`--secrets.files`), so no developer's secrets
leak in. Every app started with `write_auth_secrets` shares one cookie secret, so a signed-in
browser state (cookies) is valid on every such server on 127.0.0.1, whatever its port.
"""

from __future__ import annotations

import logging
import socket
import time
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HOST = "127.0.0.1"  # a secure context for Chromium, so the auth cookies work over plain http
TIMEOUT = 60_000
COOKIE_SECRET = "test-cookie-secret-0123456789abcdef"
USERS = {
    "viewer": ["viewer"],
    "outreach": ["outreach"],
    "admin": ["admin"],
    "nobody": [],  # a municipal account without any role in the atlas
}


def free_port(host: str = HOST) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    """Poll a URL until it answers."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {seconds:.0f} s") from None
            time.sleep(0.2)


@contextmanager
def oidc_provider(quiet: bool = False) -> Iterator[str]:
    """The provider's base URL while it runs; `quiet` drops its per-request log lines."""
    if quiet:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Importing authlib.deprecate sets its deprecation notices to "always"; import it first,
    # then silence the notices that oidc-provider-mock's own imports raise.
    import authlib.deprecate  # noqa: F401

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from oidc_provider_mock import User, run_server_in_thread

    users = [  # sub is the email: the provider's authorize page shows one button per user
        User(sub=f"{name}@kommune.test", claims={"email": f"{name}@kommune.test", "roles": roles})
        for name, roles in USERS.items()
    ]
    with run_server_in_thread(port=free_port(), user_claims=users) as server:
        url = f"http://{HOST}:{server.server_port}"
        wait_for(f"{url}/.well-known/openid-configuration")
        yield url


def write_auth_secrets(secrets_dir: Path, app_url: str, provider: str) -> tuple[Path, dict]:
    """A secrets.toml whose `[auth]` points the app at `provider`; returns its path and the
    environment the app needs beside it (roles come from the token only: no developer's role
    file can leak in)."""
    secrets_dir.mkdir(parents=True, exist_ok=True)
    secrets = secrets_dir / f"secrets-{app_url.rsplit(':', 1)[-1]}.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{app_url}/oauth2callback"\n'
        f'cookie_secret = "{COOKIE_SECRET}"\n'
        'client_id = "deltagelsesatlas-test"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return secrets, {"DELTAGELSESATLAS_ROLE_FILE": str(secrets_dir / "no-roles.toml")}


def sign_in(page, server: str, role: str) -> None:
    """On an open page of a fresh browser profile: log in through the provider as `role`."""
    page.goto(server)
    page.locator(".st-key-auth_login button").click(timeout=TIMEOUT)
    # The provider's authorize page: one button per predefined user.
    page.get_by_role("button", name=f"{role}@kommune.test").click(timeout=TIMEOUT)
    page.wait_for_url(f"{server}/**", timeout=TIMEOUT)
    page.get_by_text(f"Logget ind som {role}@kommune.test").wait_for(timeout=TIMEOUT)


def log_in(browser, server: str, role: str):
    """Open the app in a fresh browser profile and log in through the provider as `role`."""
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, server, role)
    return context, page
