"""Roles: who may see which page and do which privileged action, decided in one place.

Owns the role names, the page and action tables, and how roles are read from an OIDC token's
`roles` claim (Entra ID app roles) or from a role file. Never imports streamlit, and never
grants a role it cannot name: unknown roles, pages and actions fail closed.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from data_pipeline.errors import PipelineError

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
    "rapport": frozenset(_DIRECTOR),
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


def only_demo_data(con) -> bool:
    """True when every live batch came from the sample or was loaded in demo mode itself.

    Demo mode has no login, so it may run only where no real citizen's data can be seen."""
    row = con.execute(
        "SELECT count(*) FROM batch WHERE undone_at IS NULL AND loaded_by IS DISTINCT FROM "
        "'sample' AND NOT starts_with(coalesce(loaded_by, ''), $prefix)",
        {"prefix": DEMO_ACTOR_PREFIX},
    ).fetchone()
    return row[0] == 0
