"""Roles: who may see which page and do which privileged action, decided in one place.

Owns the role names, the page and action tables, and how roles are read from an OIDC token's
`roles` claim (Entra ID app roles) or from a role file. Never imports streamlit, and never
grants a role it cannot name: unknown roles, pages and actions fail closed.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from data_pipeline.core.errors import PipelineError

ROLES: tuple[str, ...] = ("viewer", "director", "analyst", "outreach", "admin")

# Page url path -> roles that see it. viewer < director < analyst is a ladder; outreach stands
# apart (contact data only); admin sees everything. A page missing here is admin-only.
_VIEWER = {"viewer", "director", "analyst", "admin"}
_DIRECTOR = {"director", "analyst", "admin"}
PAGE_ROLES: dict[str, frozenset[str]] = {
    "overblik": frozenset(_VIEWER),
    "kort": frozenset(_VIEWER),
    "grupper": frozenset(_VIEWER),
    "udforsk": frozenset(_DIRECTOR),
    "aktivitet": frozenset(_DIRECTOR),
    "rapport": frozenset(_VIEWER),  # councils receive the report
    "maal": frozenset({"director", "admin"}),
    "upload": frozenset({"analyst", "admin"}),
    "kontakt": frozenset({"outreach", "admin"}),
    "admin": frozenset({"admin"}),
}

# Privileged actions, checked again where they happen (not only in the menu).
ACTION_ROLES: dict[str, frozenset[str]] = {
    "export_contacts": frozenset({"outreach", "admin"}),
    "count_contacts": frozenset({"outreach", "admin"}),
    "draw_panel": frozenset({"outreach", "admin"}),
    "set_goal": frozenset({"director", "admin"}),
    "upload": frozenset({"analyst", "admin"}),
    "undo": frozenset({"analyst", "admin"}),
    "erase": frozenset({"admin"}),
    "purge_contacts": frozenset({"admin"}),
    "read_audit_log": frozenset({"admin"}),
}

ROLE_FILE_ENV = "DELTAGELSESATLAS_ROLE_FILE"
DEFAULT_ROLE_FILE = ".streamlit/roles.toml"


class AccessDenied(PipelineError):
    """A privileged action was asked for by someone without the role. Says which action only."""

    exit_code = 2

    def __init__(self, action: str):
        super().__init__(
            f"Du har ikke adgang til '{action}'. / You do not have access to '{action}'."
        )
        self.action = action


@dataclass(frozen=True)
class Principal:
    """Who acts: a name for the audit log and the roles they hold."""

    actor: str
    roles: frozenset[str] = field(default_factory=frozenset)

    def has_any(self, allowed: Iterable[str]) -> bool:
        return bool(self.roles & set(allowed))


# The command line is run by IT operations on the server itself: whoever can open the
# database file already holds everything, so the CLI acts as admin under the given name.
def cli_principal(actor: str) -> Principal:
    return Principal(actor=actor, roles=frozenset({"admin"}))


def require_role(principal: Principal | None, action: str) -> Principal:
    """Refuse unless the principal holds a role allowed to do `action` (unknown = refused)."""
    allowed = ACTION_ROLES.get(action, frozenset())
    if principal is None or not principal.has_any(allowed):
        raise AccessDenied(action)
    return principal


def can_see_page(roles: Iterable[str], url_path: str) -> bool:
    allowed = PAGE_ROLES.get(url_path, frozenset({"admin"}))
    return bool(set(roles) & allowed)


def visible_pages(roles: Iterable[str], url_paths: Iterable[str]) -> list[str]:
    """The url paths, in their given order, that these roles may see."""
    roles = set(roles)
    return [path for path in url_paths if can_see_page(roles, path)]


def clean_roles(values: Iterable[str]) -> frozenset[str]:
    """Known role names only, case-insensitive; anything else is dropped, never guessed."""
    return frozenset(v.strip().lower() for v in values if v and v.strip().lower() in ROLES)


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


@dataclass(frozen=True)
class RoleMap:
    """A role file: emails and group ids (Entra object ids or names) mapped to roles."""

    users: Mapping[str, frozenset[str]] = field(default_factory=dict)
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: str | Path | None) -> RoleMap:
        if path is None or not Path(path).exists():
            return cls()
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        users = {k.lower(): clean_roles(_as_list(v)) for k, v in data.get("users", {}).items()}
        groups = {k: clean_roles(_as_list(v)) for k, v in data.get("groups", {}).items()}
        return cls(users=users, groups=groups)

    @classmethod
    def default(cls) -> RoleMap:
        return cls.from_file(os.environ.get(ROLE_FILE_ENV, DEFAULT_ROLE_FILE))


def user_email(claims: Mapping) -> str:
    """Entra puts the sign-in name in preferred_username when email is not released."""
    for key in ("email", "preferred_username", "upn"):
        value = claims.get(key)
        if value:
            return str(value).strip().lower()
    return ""


def roles_from_claims(claims: Mapping, role_map: RoleMap | None = None) -> frozenset[str]:
    """Roles from the token's `roles` claim (Entra app roles) plus the role file's entries
    for the user's email and groups. Nothing matches -> no roles, so no pages."""
    roles = set(clean_roles(_as_list(claims.get("roles"))))
    role_map = role_map or RoleMap()
    email = user_email(claims)
    if email:
        roles |= role_map.users.get(email, frozenset())
    for group in _as_list(claims.get("groups")):
        roles |= role_map.groups.get(group, frozenset())
    return frozenset(roles)


DEMO_ACTOR_PREFIX = "demo:"
PRODUCTION_ENV = "DELTAGELSESATLAS_PRODUCTION"
_FLAG_ON = frozenset({"1", "true", "yes", "on"})
_FLAG_OFF = frozenset({"0", "false", "no", "off"})
# Headers a reverse proxy adds: their presence means the TCP peer is not the person.
FORWARDING_HEADERS = frozenset({"x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host"})


class BadProductionFlag(PipelineError):
    """DELTAGELSESATLAS_PRODUCTION holds a value that is neither on nor off: refuse to guess."""

    exit_code = 2

    def __init__(self, value: str):
        shown = value if len(value) <= 20 else value[:20] + "…"
        super().__init__(
            f"{PRODUCTION_ENV}={shown!r} er hverken til eller fra: brug 1, true, yes eller on "
            "for produktion og 0, false, no eller off for at slå den fra. Appen starter ikke. / "
            f"{PRODUCTION_ENV}={shown!r} is neither on nor off: use 1/true/yes/on or "
            "0/false/no/off. The app will not start."
        )


def production_flag(environ: Mapping[str, str] | None = None) -> bool | None:
    """The flag as set: True (on), False (off) or None (unset or empty: decided by the data).

    Any other value is refused, so a typo can never open the demo on real data."""
    raw = (os.environ if environ is None else environ).get(PRODUCTION_ENV, "")
    value = raw.strip().lower()
    if not value:
        return None
    if value in _FLAG_ON:
        return True
    if value in _FLAG_OFF:
        return False
    raise BadProductionFlag(raw)


@lru_cache(maxsize=1)
def sample_file_hashes() -> frozenset[str]:
    """sha256 of every file the embedded sample loader reads (sample_data/)."""
    from data_pipeline.store.batch import file_sha256
    from data_pipeline.store.sample import SAMPLE_DIR, SAMPLE_FILES

    return frozenset(file_sha256(SAMPLE_DIR / name) for name, _, _ in SAMPLE_FILES)


def only_sample_data(con) -> bool:
    """True when every live batch holds the bytes of an embedded sample file.

    Decided by the batch's content hash, never by who loaded it: an actor name (`sample`,
    `demo:…`) is only a label anyone can type, while a real file cannot match a sample hash."""
    rows = con.execute("SELECT DISTINCT sha256 FROM batch WHERE undone_at IS NULL").fetchall()
    return all(row[0] in sample_file_hashes() for row in rows)


def production_required(con, environ: Mapping[str, str] | None = None) -> bool:
    """Production (login required) when the flag says so; unset, whenever the data is not the
    sample. Raises BadProductionFlag for a value that is neither on nor off."""
    flag = production_flag(environ)
    if flag is not None:
        return flag
    return not only_sample_data(con)


def is_local_client(remote_ip: str | None, header_names: Iterable[str]) -> bool:
    """A browser on this machine, as the TCP connection itself tells: a loopback peer address
    and no header a reverse proxy adds (a proxy on this host connects from loopback too)."""
    if not remote_ip:
        return False
    try:
        address = ipaddress.ip_address(remote_ip.split("%")[0])
    except ValueError:
        return False
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    if not address.is_loopback:
        return False
    return not ({name.lower() for name in header_names} & FORWARDING_HEADERS)
