"""A real login for browser tests: a local OIDC provider and `streamlit run` pointed at it.

oidc-provider-mock runs on a free localhost port in a thread of the test process and issues
real signed ID tokens for predefined users whose `roles` claim is viewer, outreach, admin or
empty. The app gets a tmp secrets.toml (`--secrets.files`) whose `[auth]` section points at the
provider, so no developer's secrets leak in. Used wherever the app serves data that is not
the embedded sample, since demo mode (no login) is then refused (docs/SECURITY.md).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.browser_support import free_port, streamlit_server, wait_for

HOST = "127.0.0.1"  # a secure context for Chromium, so the auth cookies work over plain http
TIMEOUT = 60_000
USERS = {
    "viewer": ["viewer"],
    "outreach": ["outreach"],
    "admin": ["admin"],
    "nobody": [],  # a municipal account without any role in the atlas
}


@contextmanager
def oidc_provider() -> Iterator[str]:
    """The provider's base URL while it runs."""
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


@contextmanager
def app_with_login(db: Path, provider: str, secrets_dir: Path) -> Iterator[str]:
    """`streamlit run app.py` on `db` with `[auth]` pointed at `provider`; yields its URL."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    secrets = secrets_dir / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-0123456789abcdef"\n'
        'client_id = "deltagelsesatlas-test"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    # Roles come from the token only: no developer's role file can leak into the test.
    env = {"DELTAGELSESATLAS_ROLE_FILE": str(secrets_dir / "no-roles.toml")}
    with streamlit_server(
        db, address=HOST, extra_args=("--secrets.files", str(secrets)), env=env, port=port
    ) as app_url:
        yield app_url


def log_in(browser, server: str, role: str):
    """Open the app in a fresh browser profile and log in through the provider as `role`."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(server)
    page.locator(".st-key-auth_login button").click(timeout=TIMEOUT)
    # The provider's authorize page: one button per predefined user.
    page.get_by_role("button", name=f"{role}@kommune.test").click(timeout=TIMEOUT)
    page.wait_for_url(f"{server}/**", timeout=TIMEOUT)
    page.get_by_text(f"Logget ind som {role}@kommune.test").wait_for(timeout=TIMEOUT)
    return context, page
