"""Typed errors that speak to the user: each carries enough to say what went wrong and where.

Messages are bilingual (Danish / English) because the CLI and the app show them as they are.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class; `exit_code` follows the CLI contract (2 invalid input, 1 internal)."""

    exit_code = 1


class InvalidFile(PipelineError):
    """A file refused as a whole (missing column, unreadable format, wrong kind).

    `mapping_template` (optional) is a mapping file to fill in that would let the file load:
    the CLI writes it with `--write-mapping FILE`.
    """

    exit_code = 2

    def __init__(self, message: str, mapping_template: dict | None = None):
        super().__init__(message)
        self.mapping_template = mapping_template


class DatabaseError(PipelineError):
    """The database cannot be opened or migrated safely."""

    exit_code = 2
