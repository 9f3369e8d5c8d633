"""The command registry of `python -m data_pipeline`: each cli module registers its
subcommands here when imported, and cli.main builds the one parser from it. Nothing here
imports a command module, so there is no cycle between the parser and the commands.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from data_pipeline.store.db import default_db_path

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID = 0, 1, 2

Handler = Callable[[argparse.Namespace], tuple[object, int]]
COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Handler, str]] = {}


def command(name: str, help_text: str):
    """Register a subcommand: `setup(parser)` adds arguments; the handler returns (payload, code)."""

    def decorator(setup):
        def register(handler: Handler) -> Handler:
            COMMANDS[name] = (setup, handler, help_text)
            return handler

        return register

    return decorator


def db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=default_db_path(), help="DuckDB database file")


def json_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")
