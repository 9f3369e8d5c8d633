"""Typed errors that speak to the user: each carries enough to say what went wrong and where.

Messages are bilingual (Danish / English) because the CLI and the app show them as they are.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class; `exit_code` follows the CLI contract (2 invalid input, 1 internal)."""

    exit_code = 1


class InvalidFile(PipelineError):
    """A file refused as a whole (missing column, unreadable format, wrong kind)."""

    exit_code = 2


class DatabaseError(PipelineError):
    """The database cannot be opened or migrated safely."""

    exit_code = 2
