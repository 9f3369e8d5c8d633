"""Privacy commands: `export-contacts`, `erase` and `purge-contacts` (registered through cli/registry.py, imported by cli/main.py).

Owns the arguments and JSON output of these commands. Never prints contact data: the contact
list goes only to --out, and the output says how many rows and the file's sha256.
"""

from __future__ import annotations

import os
from pathlib import Path

from data_pipeline.cli.registry import EXIT_INVALID, EXIT_OK, command, db_arg, json_arg
from data_pipeline.core.errors import InvalidFile
from data_pipeline.privacy.roles import cli_principal
from data_pipeline.store.db import connect

# option -> what it filters (values: a code or a label, see filters_cli)
EXPORT_FILTERS = {
    "topic": "topic",
    "format": "format",
    "area": "area",
    "age_band": "age band",
    "gender": "gender",
    "time": "time per month",
    "engagement": "engagement",
}


def _setup_export(p):
    db_arg(p)
    p.add_argument("--out", required=True, type=Path, help="contact file, .csv or .xlsx")
    p.add_argument("--reason", required=True, help="why these citizens are contacted (logged)")
    p.add_argument("--actor", required=True, help="who exports (logged)")
    p.add_argument("--wave", help="survey wave (default: the latest)")
    for option, what in EXPORT_FILTERS.items():
        p.add_argument(
            f"--{option.replace('_', '-')}",
            dest=option,
            action="append",
            default=[],
            help=f"{what}: a code or a Danish or English label; repeatable",
        )
    p.add_argument("--lang", choices=["da", "en"], default="da", help="column headings")
    json_arg(p)


@command("export-contacts", "export consenting contacts of a segment (audited)")(_setup_export)
def run_export_contacts(args) -> tuple[object, int]:
    from data_pipeline.cli.filters import resolve_filters
    from data_pipeline.outreach.contacts import Segment, export_contacts, file_format_for

    file_format = file_format_for(args.out.name)
    require_file(args.db)
    con = connect(args.db)
    try:
        chosen = {option: getattr(args, option) for option in EXPORT_FILTERS}
        segment = Segment(filters=resolve_filters(con, wave=args.wave, **chosen))
        result = export_contacts(
            con, cli_principal(args.actor), segment, args.reason, file_format, args.lang
        )
    finally:
        con.close()
    write_private(args.out, result.data)
    payload = {"out": str(args.out), "rows": result.rows, "format": file_format}
    return {**payload, "sha256": result.sha256}, EXIT_OK


def write_private(path: Path, data: bytes) -> None:
    """Contact files are readable by their owner only (0600), from the first byte."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def _setup_erase(p):
    db_arg(p)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="the citizen's email")
    who.add_argument("--respondent", type=int, help="the respondent id")
    p.add_argument("--actor", required=True, help="who erases (logged)")
    json_arg(p)


@command("erase", "erase one citizen from every table, then rewrite the file")(_setup_erase)
def run_erase(args) -> tuple[object, int]:
    from data_pipeline.privacy.erasure import erase_and_rewrite

    require_file(args.db)
    result = erase_and_rewrite(
        args.db, cli_principal(args.actor), email=args.email, respondent_id=args.respondent
    )
    return result.to_json(), EXIT_OK if result.respondents else EXIT_INVALID


def _setup_purge(p):
    db_arg(p)
    p.add_argument("--older-than", required=True, type=int, metavar="MONTHS")
    p.add_argument("--actor", default="cli", help="who purges (logged)")
    json_arg(p)


@command("purge-contacts", "delete contact details older than MONTHS, then rewrite")(_setup_purge)
def run_purge(args) -> tuple[object, int]:
    from data_pipeline.privacy.erasure import purge_and_rewrite

    require_file(args.db)
    deleted = purge_and_rewrite(args.db, cli_principal(args.actor), args.older_than)
    return {"status": "purged", "contacts_deleted": deleted, "rewritten": True}, EXIT_OK


def require_file(path: str) -> None:
    if not Path(path).exists():
        raise InvalidFile(f"Databasen {path} findes ikke. / The database {path} does not exist.")
